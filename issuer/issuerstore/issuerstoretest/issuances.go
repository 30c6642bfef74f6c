package issuerstoretest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/issuer"
)

// slot is one allocated status-list entry.
type slot struct{ list, idx int }

// checkStatuses fails t unless list id of tenant has exactly the entries in want.
func checkStatuses(t testing.TB, s issuer.Store, tenant string, id int, want map[int]statuslist.Status) *issuer.StatusListState {
	t.Helper()
	st, err := s.StatusList(t.Context(), tenant, id)
	wantErr(t, err, nil)
	if st.Tenant != tenant || st.ID != id {
		t.Fatalf("status list %s/%d returned as %s/%d", tenant, id, st.Tenant, st.ID)
	}
	if len(st.Statuses) != len(want) {
		t.Fatalf("status list %d: %d entries; want %d", id, len(st.Statuses), len(want))
	}
	for idx, w := range want {
		if got, ok := st.Statuses[idx]; !ok || got != w {
			t.Fatalf("status list %d index %d: %v (present %v); want %v", id, idx, got, ok, w)
		}
	}
	return st
}

func validAt(recs []issuer.Issuance) map[int]statuslist.Status {
	m := map[int]statuslist.Status{}
	for _, r := range recs {
		m[r.StatusIndex] = statuslist.Valid
	}
	return m
}

func testRecordIssuance(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant, other := Rand("t-"), Rand("t-")
	o := NewOffer(tenant, T0)
	mustCreateOffer(t, s, o)
	hash := Rand("hash-")

	recs := NewIssuances(o, "diploma_sd_jwt", 3, at(1))
	err := s.RecordIssuance(ctx, hash, "", nil, T0, recs, 16, audit(tenant, at(1), "credential_issued", o.ID))
	wantErr(t, err, nil)
	seen := map[int]bool{}
	for i, r := range recs {
		if r.StatusList != 1 || r.StatusIndex < 0 || r.StatusIndex >= 16 || seen[r.StatusIndex] {
			t.Fatalf("record %d: list %d index %d (seen %v)", i, r.StatusList, r.StatusIndex, seen)
		}
		seen[r.StatusIndex] = true
		got, err := s.Issuance(ctx, tenant, r.ID)
		wantErr(t, err, nil)
		want := r
		want.UpdatedAt = r.IssuedAt
		equal(t, "stored issuance", *got, want)
	}
	st := checkStatuses(t, s, tenant, 1, validAt(recs))
	if st.Size != 16 {
		t.Fatalf("list size %d; want 16", st.Size)
	}

	tests := []struct {
		name    string
		hash    string
		config  string
		tenant  string
		n       int
		wantErr error
	}{
		{name: "fail/token-reused-for-configuration", hash: hash, config: "diploma_sd_jwt", n: 1, wantErr: errConflict},
		{name: "fail/token-reused-batch", hash: hash, config: "diploma_sd_jwt", n: 3, wantErr: errConflict},
		{name: "ok/same-token-other-configuration", hash: hash, config: "diploma_jwt_vc", n: 2},
		{name: "ok/other-tenant", hash: Rand("hash-"), config: "diploma_sd_jwt", tenant: other, n: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			oo := o
			if tc.tenant != "" {
				oo.Tenant = tc.tenant
			}
			recs := NewIssuances(oo, tc.config, tc.n, at(2))
			before, err := s.StatusList(t.Context(), tenant, 1)
			wantErr(t, err, nil)
			err = s.RecordIssuance(t.Context(), tc.hash, "", nil, T0, recs, 16, audit(oo.Tenant, at(2), "credential_issued", o.ID))
			wantErr(t, err, tc.wantErr)
			after, err := s.StatusList(t.Context(), tenant, 1)
			wantErr(t, err, nil)
			if tc.wantErr != nil {
				equal(t, "status list after refusal", after, before)
				for _, r := range recs {
					_, err := s.Issuance(t.Context(), oo.Tenant, r.ID)
					wantErr(t, err, errNotFound)
				}
				return
			}
			for _, r := range recs {
				got, err := s.Issuance(t.Context(), oo.Tenant, r.ID)
				wantErr(t, err, nil)
				if got.StatusList != r.StatusList || got.StatusIndex != r.StatusIndex || got.ConfigurationID != tc.config {
					t.Fatalf("stored %+v; recorded %+v", got, r)
				}
				if tc.tenant != "" {
					if _, err := s.Issuance(t.Context(), tenant, r.ID); !errors.Is(err, errNotFound) {
						t.Fatalf("issuance of another tenant: %v", err)
					}
				}
			}
		})
	}

	t.Run("fail/duplicate-record-id-changes-nothing", func(t *testing.T) {
		h := Rand("hash-")
		dup := NewIssuances(o, "diploma_sd_jwt", 2, at(3))
		dup[1].ID = recs[0].ID
		err := s.RecordIssuance(t.Context(), h, "", nil, T0, dup, 16, audit(tenant, at(3), "credential_issued", o.ID))
		wantErr(t, err, errConflict)
		_, err = s.Issuance(t.Context(), tenant, dup[0].ID)
		wantErr(t, err, errNotFound)
		// The token hash was not consumed.
		fresh := NewIssuances(o, "diploma_sd_jwt", 2, at(3))
		err = s.RecordIssuance(t.Context(), h, "", nil, T0, fresh, 16, audit(tenant, at(3), "credential_issued", o.ID))
		wantErr(t, err, nil)
	})
	t.Run("fail/unknown-issuance", func(t *testing.T) {
		_, err := s.Issuance(t.Context(), tenant, Rand("iss-"))
		wantErr(t, err, errNotFound)
	})
	t.Run("fail/unknown-status-list", func(t *testing.T) {
		_, err := s.StatusList(t.Context(), tenant, 2)
		wantErr(t, err, errNotFound)
		_, err = s.StatusList(t.Context(), Rand("t-"), 1)
		wantErr(t, err, errNotFound)
	})
}

func testRecordIssuanceDeferred(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant, other := Rand("t-"), Rand("t-")
	o := NewOffer(tenant, T0)
	mustCreateOffer(t, s, o)
	hash := Rand("hash-")
	d := issuer.Deferred{
		TransactionID: Rand("tx-"), Tenant: tenant, TokenHash: hash, OfferID: o.ID,
		ConfigurationID: "diploma_sd_jwt", HolderKeys: [][]byte{[]byte(`{"kty":"EC"}`)},
		CreatedAt: at(1), ExpiresAt: at(3600),
	}
	wantErr(t, s.CreateDeferred(ctx, &d, nil, T0, audit(tenant, at(1), "issuance_deferred", d.TransactionID)), nil)
	od := d
	od.TransactionID, od.Tenant = Rand("tx-"), other
	wantErr(t, s.CreateDeferred(ctx, &od, nil, T0, audit(other, at(1), "issuance_deferred", od.TransactionID)), nil)

	tests := []struct {
		name     string
		hash     string
		deferred string
		wantErr  error
	}{
		// The failures change nothing, so the token hash stays unused for the third case.
		{name: "fail/unknown-deferred", hash: hash, deferred: Rand("tx-"), wantErr: errNotFound},
		{name: "fail/deferred-of-other-tenant", hash: hash, deferred: od.TransactionID, wantErr: errNotFound},
		{name: "ok/deferred-deleted", hash: hash, deferred: d.TransactionID},
		{name: "fail/deferred-already-deleted", hash: Rand("hash-"), deferred: d.TransactionID, wantErr: errNotFound},
		{name: "fail/token-used", hash: hash, wantErr: errConflict},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs := NewIssuances(o, "diploma_sd_jwt", 1, at(10))
			err := s.RecordIssuance(t.Context(), tc.hash, tc.deferred, nil, T0, recs, 16, audit(tenant, at(10), "credential_issued", o.ID))
			wantErr(t, err, tc.wantErr)
			_, ierr := s.Issuance(t.Context(), tenant, recs[0].ID)
			if tc.wantErr != nil {
				wantErr(t, ierr, errNotFound)
			} else {
				wantErr(t, ierr, nil)
				_, err := s.Deferred(t.Context(), d.TransactionID)
				wantErr(t, err, errNotFound)
			}
		})
	}
	// The other tenant's transaction is untouched.
	_, err := s.Deferred(ctx, od.TransactionID)
	wantErr(t, err, nil)
}

// batch is n records that must be allocated in list wantList.
type batch struct{ n, wantList int }

// recordBatches records each batch of o's tenant (lists of size entries), one after another,
// fails t unless it lands in its list, and returns the records by list.
func recordBatches(t *testing.T, s issuer.Store, o issuer.Offer, size int, batches []batch) map[int][]issuer.Issuance {
	t.Helper()
	byList := map[int][]issuer.Issuance{}
	for i, b := range batches {
		recs := NewIssuances(o, fmt.Sprint("config-", i), b.n, at(i))
		mustRecord(t, s, recs, size)
		for _, r := range recs {
			if r.StatusList != b.wantList {
				t.Fatalf("batch %d (%d records): list %d; want %d", i, b.n, r.StatusList, b.wantList)
			}
		}
		byList[b.wantList] = append(byList[b.wantList], recs...)
	}
	return byList
}

func testRecordIssuanceRollover(t *testing.T, s issuer.Store) {
	const size = 8
	tenant := Rand("t-")
	o := NewOffer(tenant, T0)
	batches := []batch{
		{1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, {1, 1}, // list 1 full
		{1, 2},    // list 2: 1 used
		{7, 2},    // list 2 full
		{3, 3},    // list 3: 3 used
		{6, 4},    // only 5 free in list 3: list 4, 6 used
		{2, 4},    // list 4 full; allocation never goes back to list 3
		{size, 5}, // a whole list
		{1, 6},
	}
	byList := recordBatches(t, s, o, size, batches)
	for id, recs := range byList {
		st := checkStatuses(t, s, tenant, id, validAt(recs))
		if st.Size != size {
			t.Fatalf("list %d size %d", id, st.Size)
		}
	}
	// Lists 1, 2, 4 and 5 are full: every index once.
	for _, id := range []int{1, 2, 4, 5} {
		idxs := []int{}
		for _, r := range byList[id] {
			idxs = append(idxs, r.StatusIndex)
		}
		slices.Sort(idxs)
		equal(t, fmt.Sprintf("indexes of list %d", id), idxs, []int{0, 1, 2, 3, 4, 5, 6, 7})
	}
	_, err := s.StatusList(t.Context(), tenant, 7)
	wantErr(t, err, errNotFound)
}

// testRecordIssuanceRolloverLarge is testRecordIssuanceRollover with lists large enough to be
// allocated in without a lock: a batch that does not fit in what is left of a list goes
// whole to the next one, and the last free indexes of a list are found.
func testRecordIssuanceRolloverLarge(t *testing.T, s issuer.Store) {
	const size = 1024
	tenant := Rand("t-")
	o := NewOffer(tenant, T0)
	batches := []batch{
		{250, 1}, {250, 1}, {250, 1}, {250, 1}, // 24 free in list 1
		{30, 2},  // does not fit: list 2
		{24, 2},  // never back to list 1
		{970, 2}, // list 2 full
		{1, 3},
	}
	byList := recordBatches(t, s, o, size, batches)
	checkStatuses(t, s, tenant, 1, validAt(byList[1]))
	if len(validAt(byList[1])) != 1000 {
		t.Fatalf("list 1: %d distinct indexes; want 1000", len(validAt(byList[1])))
	}
	st := checkStatuses(t, s, tenant, 2, validAt(byList[2]))
	if len(st.Statuses) != size {
		t.Fatalf("list 2: %d entries; want all %d", len(st.Statuses), size)
	}
	checkStatuses(t, s, tenant, 3, validAt(byList[3]))
}

// testRecordIssuanceConcurrent: 20 goroutines record batches of 1 to maxBatch into one
// tenant, more records than one list holds; no index is allocated twice, every list but the
// newest was filled up to fewer free indexes than a batch, and a token reused concurrently
// wins exactly once. (On PostgreSQL, lists of 8 are allocated under the tenant's lock, lists
// of 1024 without it until they fill up.)
func testRecordIssuanceConcurrent(t *testing.T, s issuer.Store) {
	for _, tc := range []struct{ size, rounds, maxBatch int }{{8, 5, 3}, {1024, 26, 3}, {1024, 6, 20}} {
		t.Run(fmt.Sprintf("size=%d/batch<=%d", tc.size, tc.maxBatch), func(t *testing.T) {
			recordConcurrently(t, s, tc.size, tc.rounds, tc.maxBatch)
		})
	}
}

func recordConcurrently(t *testing.T, s issuer.Store, size, rounds, maxBatch int) {
	const workers = 20
	tenant := Rand("t-")
	o := NewOffer(tenant, T0)
	results := make([][]issuer.Issuance, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			<-start
			for r := range rounds {
				recs := NewIssuances(o, "diploma_sd_jwt", 1+(w+r)%maxBatch, at(w*rounds+r))
				err := s.RecordIssuance(t.Context(), Rand("hash-"), "", nil, T0, recs, size, audit(tenant, at(w), "credential_issued", o.ID))
				if err != nil {
					errs[w] = err
					return
				}
				results[w] = append(results[w], recs...)
			}
		})
	}
	close(start)
	wg.Wait()
	byList := map[int][]issuer.Issuance{}
	used := map[slot]string{}
	total := 0
	for w := range workers {
		wantErr(t, errs[w], nil)
		for _, r := range results[w] {
			k := slot{r.StatusList, r.StatusIndex}
			if prev, ok := used[k]; ok {
				t.Fatalf("list %d index %d allocated to %s and %s", k.list, k.idx, prev, r.ID)
			}
			if r.StatusIndex < 0 || r.StatusIndex >= size || r.StatusList < 1 {
				t.Fatalf("slot %+v outside lists of %d", k, size)
			}
			used[k] = r.ID
			byList[r.StatusList] = append(byList[r.StatusList], r)
			total++
		}
	}
	want := 0
	for w := range workers {
		for r := range rounds {
			want += 1 + (w+r)%maxBatch
		}
	}
	if total != want {
		t.Fatalf("%d records; want %d", total, want)
	}
	if total > size && len(byList) < 2 {
		t.Fatalf("%d records in lists of %d: %d list(s)", total, size, len(byList))
	}
	for id := 1; id <= len(byList); id++ {
		if len(byList[id]) == 0 {
			t.Fatalf("list %d unused while %d lists exist", id, len(byList))
		}
		if id < len(byList) && len(byList[id]) <= size-maxBatch {
			t.Fatalf("list %d has %d of %d entries, yet list %d was started", id, len(byList[id]), size, id+1)
		}
		checkStatuses(t, s, tenant, id, validAt(byList[id]))
	}

	t.Run("fail/token-reused-concurrently", func(t *testing.T) {
		hash := Rand("hash-")
		errs := make([]error, workers)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for w := range workers {
			wg.Go(func() {
				<-start
				recs := NewIssuances(o, "diploma_jwt_vc", 2, at(5000))
				errs[w] = s.RecordIssuance(t.Context(), hash, "", nil, T0, recs, size, audit(tenant, at(5000), "credential_issued", o.ID))
			})
		}
		close(start)
		wg.Wait()
		wins := 0
		for w, err := range errs {
			switch {
			case err == nil:
				wins++
			case errors.Is(err, errConflict):
			default:
				t.Fatalf("worker %d: %v", w, err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d workers recorded with one token; want 1", wins)
		}
	})
}

func testListIssuances(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant := Rand("t-")
	a, b := NewOffer(tenant, T0), NewOffer(tenant, T0)
	ra1 := NewIssuances(a, "c1", 1, at(10))
	rb := NewIssuances(b, "c1", 2, at(20))
	ra2 := NewIssuances(a, "c2", 1, at(30))
	for _, recs := range [][]issuer.Issuance{ra1, rb, ra2} {
		mustRecord(t, s, recs, 64)
	}
	mustRecord(t, s, NewIssuances(NewOffer(Rand("t-"), T0), "c1", 1, at(25)), 64)
	bNewest := []string{rb[0].ID, rb[1].ID}
	slices.Sort(bNewest)
	slices.Reverse(bNewest) // same IssuedAt: by ID, descending
	tests := []struct {
		name   string
		offer  string
		before time.Time
		limit  int
		want   []string
	}{
		{name: "ok/all-newest-first", limit: 10, want: []string{ra2[0].ID, bNewest[0], bNewest[1], ra1[0].ID}},
		{name: "ok/limit", limit: 1, want: []string{ra2[0].ID}},
		{name: "ok/by-offer", offer: a.ID, limit: 10, want: []string{ra2[0].ID, ra1[0].ID}},
		{name: "ok/by-offer-before", offer: a.ID, before: at(30), limit: 10, want: []string{ra1[0].ID}},
		{name: "ok/before", before: at(20), limit: 10, want: []string{ra1[0].ID}},
		{name: "ok/unknown-offer", offer: Rand("offer-"), limit: 10, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListIssuances(ctx, tenant, tc.offer, tc.before, tc.limit)
			wantErr(t, err, nil)
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID)
			}
			equal(t, "issuance ids", ids, tc.want)
		})
	}
}

func testSetStatus(t *testing.T, s issuer.Store) {
	tenant, other := Rand("t-"), Rand("t-")
	o := NewOffer(tenant, T0)
	recs := NewIssuances(o, "c1", 2, at(1))
	mustRecord(t, s, recs, 32)
	want := validAt(recs)
	v0 := checkStatuses(t, s, tenant, 1, want).Version

	steps := []struct {
		name     string
		tenant   string
		id       string
		status   statuslist.Status
		wantErr  error
		wantBump bool
	}{
		{name: "ok/revoke", tenant: tenant, id: recs[0].ID, status: statuslist.Invalid, wantBump: true},
		{name: "ok/suspend", tenant: tenant, id: recs[1].ID, status: statuslist.Suspended, wantBump: true},
		{name: "ok/reinstate", tenant: tenant, id: recs[1].ID, status: statuslist.Valid, wantBump: true},
		{name: "fail/reinstate-revoked", tenant: tenant, id: recs[0].ID, status: statuslist.Valid, wantErr: errConflict},
		{name: "fail/suspend-revoked", tenant: tenant, id: recs[0].ID, status: statuslist.Suspended, wantErr: errConflict},
		{name: "fail/unknown", tenant: tenant, id: Rand("iss-"), status: statuslist.Invalid, wantErr: errNotFound},
		{name: "fail/other-tenant", tenant: other, id: recs[1].ID, status: statuslist.Invalid, wantErr: errNotFound},
	}
	version := v0
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			when := at(10 + i)
			err := s.SetStatus(t.Context(), st.tenant, st.id, st.status, when, audit(st.tenant, when, "credential_status", st.id))
			wantErr(t, err, st.wantErr)
			if st.wantErr == nil {
				for _, r := range recs {
					if r.ID == st.id {
						want[r.StatusIndex] = st.status
					}
				}
				got, err := s.Issuance(t.Context(), tenant, st.id)
				wantErr(t, err, nil)
				if got.Status != st.status || !got.UpdatedAt.Equal(when) {
					t.Fatalf("issuance after SetStatus: %v at %v", got.Status, got.UpdatedAt)
				}
			}
			list := checkStatuses(t, s, tenant, 1, want)
			if st.wantBump {
				version++
				if !list.Updated.Equal(when) {
					t.Fatalf("list updated %v; want %v", list.Updated, when)
				}
			}
			if list.Version != version {
				t.Fatalf("version %d; want %d", list.Version, version)
			}
		})
	}
	if version != v0+3 {
		t.Fatalf("version %d; want %d", version, v0+3)
	}
}

func testDeferred(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant := Rand("t-")
	d := issuer.Deferred{
		TransactionID: Rand("tx-"), Tenant: tenant, TokenHash: Rand("hash-"), OfferID: Rand("offer-"),
		ConfigurationID: "diploma_sd_jwt",
		HolderKeys:      [][]byte{[]byte(`{"kty":"EC","crv":"P-256"}`), []byte(`{"kty":"OKP"}`)},
		CreatedAt:       at(1), ExpiresAt: at(86400),
	}
	wantErr(t, s.CreateDeferred(ctx, &d, nil, T0, audit(tenant, at(1), "issuance_deferred", d.TransactionID)), nil)
	got, err := s.Deferred(ctx, d.TransactionID)
	wantErr(t, err, nil)
	equal(t, "deferred", *got, d)

	dup := d
	dup.Tenant = Rand("t-")
	err = s.CreateDeferred(ctx, &dup, nil, T0, audit(dup.Tenant, at(2), "issuance_deferred", d.TransactionID))
	wantErr(t, err, errConflict)
	got, err = s.Deferred(ctx, d.TransactionID)
	wantErr(t, err, nil)
	equal(t, "deferred after conflict", *got, d)
	_, err = s.Deferred(ctx, Rand("tx-"))
	wantErr(t, err, errNotFound)
}

func testNotify(t *testing.T, s issuer.Store) {
	tenant, other := Rand("t-"), Rand("t-")
	o := NewOffer(tenant, T0)
	recs := NewIssuances(o, "c1", 2, at(1))
	mustRecord(t, s, recs, 32)
	nid := recs[0].NotificationID
	steps := []struct {
		name      string
		tenant    string
		offer     string
		nid       string
		event     string
		wantErr   error
		wantEvent string
	}{
		{name: "ok/accepted", tenant: tenant, offer: o.ID, nid: nid, event: "credential_accepted", wantEvent: "credential_accepted"},
		{name: "ok/repeat", tenant: tenant, offer: o.ID, nid: nid, event: "credential_accepted", wantEvent: "credential_accepted"},
		{name: "fail/unknown", tenant: tenant, offer: o.ID, nid: Rand("nid-"), event: "credential_accepted", wantErr: errNotFound, wantEvent: "credential_accepted"},
		{name: "fail/other-tenant", tenant: other, offer: o.ID, nid: nid, event: "credential_deleted", wantErr: errNotFound, wantEvent: "credential_accepted"},
		// Another offer's token cannot notify for these credentials.
		{name: "fail/other-offer", tenant: tenant, offer: Rand("o-"), nid: nid, event: "credential_deleted", wantErr: errNotFound, wantEvent: "credential_accepted"},
		{name: "ok/deleted", tenant: tenant, offer: o.ID, nid: nid, event: "credential_deleted", wantEvent: "credential_deleted"},
		{name: "ok/late-accepted-after-deleted", tenant: tenant, offer: o.ID, nid: nid, event: "credential_accepted", wantEvent: "credential_deleted"},
	}
	for i, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			when := at(10 + i)
			err := s.Notify(t.Context(), st.tenant, st.offer, st.nid, st.event, when, audit(st.tenant, when, "notification", st.nid))
			wantErr(t, err, st.wantErr)
			for _, r := range recs {
				got, err := s.Issuance(t.Context(), tenant, r.ID)
				wantErr(t, err, nil)
				if got.Event != st.wantEvent {
					t.Fatalf("event %q; want %q", got.Event, st.wantEvent)
				}
			}
		})
	}
}
