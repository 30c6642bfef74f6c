package issuerstoretest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/issuer"
)

func testGraduates(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant, other := Rand("t-"), Rand("t-")
	g := NewGraduate(tenant, "g-002")

	created, err := s.UpsertGraduate(ctx, &g, audit(tenant, T0, "graduate_imported", g.ID))
	wantErr(t, err, nil)
	if !created {
		t.Fatal("first upsert: created = false")
	}
	got, err := s.Graduate(ctx, tenant, g.ID)
	wantErr(t, err, nil)
	equal(t, "graduate", *got, g)

	// Update: new record and approval, CreatedAt kept even when the caller sends another.
	upd := g
	upd.Name, upd.Record, upd.Approved = "Hanako Suzuki", []byte(`{"v":2}`), true
	upd.CreatedAt, upd.UpdatedAt = at(50), at(60)
	created, err = s.UpsertGraduate(ctx, &upd, audit(tenant, at(60), "graduate_updated", g.ID))
	wantErr(t, err, nil)
	if created {
		t.Fatal("second upsert: created = true")
	}
	want := upd
	want.CreatedAt = T0
	got, err = s.Graduate(ctx, tenant, g.ID)
	wantErr(t, err, nil)
	equal(t, "updated graduate", *got, want)

	for _, id := range []string{"g-001", "g-003", "g-004"} {
		gi := NewGraduate(tenant, id)
		_, err := s.UpsertGraduate(ctx, &gi, audit(tenant, T0, "graduate_imported", id))
		wantErr(t, err, nil)
	}
	ot := NewGraduate(other, "g-000")
	_, err = s.UpsertGraduate(ctx, &ot, audit(other, T0, "graduate_imported", ot.ID))
	wantErr(t, err, nil)

	tests := []struct {
		name    string
		tenant  string
		id      string
		wantErr error
	}{
		{name: "ok/own", tenant: tenant, id: "g-002"},
		{name: "ok/other-own", tenant: other, id: "g-000"},
		{name: "fail/unknown", tenant: tenant, id: "g-999", wantErr: errNotFound},
		{name: "fail/other-tenant", tenant: other, id: "g-002", wantErr: errNotFound},
		{name: "fail/unknown-tenant", tenant: Rand("t-"), id: "g-002", wantErr: errNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Graduate(t.Context(), tc.tenant, tc.id)
			wantErr(t, err, tc.wantErr)
			if tc.wantErr == nil && (got.ID != tc.id || got.Tenant != tc.tenant) {
				t.Fatalf("got %s/%s", got.Tenant, got.ID)
			}
		})
	}

	lists := []struct {
		name  string
		after string
		limit int
		want  []string
	}{
		{name: "ok/all", limit: 10, want: []string{"g-001", "g-002", "g-003", "g-004"}},
		{name: "ok/first-page", limit: 2, want: []string{"g-001", "g-002"}},
		{name: "ok/second-page", after: "g-002", limit: 2, want: []string{"g-003", "g-004"}},
		{name: "ok/past-end", after: "g-004", limit: 2, want: nil},
	}
	for _, tc := range lists {
		t.Run("list/"+tc.name, func(t *testing.T) {
			gs, err := s.ListGraduates(t.Context(), tenant, tc.after, tc.limit)
			wantErr(t, err, nil)
			var ids []string
			for _, g := range gs {
				if g.Tenant != tenant {
					t.Fatalf("graduate of tenant %s listed", g.Tenant)
				}
				ids = append(ids, g.ID)
			}
			equal(t, "ids", ids, tc.want)
		})
	}
}

func testApproveGraduate(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant, other := Rand("t-"), Rand("t-")
	g := NewGraduate(tenant, "g1")
	_, err := s.UpsertGraduate(ctx, &g, audit(tenant, T0, "graduate_imported", g.ID))
	wantErr(t, err, nil)
	o := NewOffer(tenant, T0)
	o.Approved = false
	mustCreateOffer(t, s, o)

	tests := []struct {
		name    string
		tenant  string
		id      string
		wantErr error
	}{
		{name: "fail/unknown", tenant: tenant, id: "g2", wantErr: errNotFound},
		{name: "fail/other-tenant", tenant: other, id: "g1", wantErr: errNotFound},
		{name: "ok/approve", tenant: tenant, id: "g1"},
		{name: "ok/again", tenant: tenant, id: "g1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.ApproveGraduate(t.Context(), tc.tenant, tc.id, at(10), audit(tc.tenant, at(10), "graduate_approved", tc.id))
			wantErr(t, err, tc.wantErr)
		})
	}
	got, err := s.Graduate(ctx, tenant, "g1")
	wantErr(t, err, nil)
	if !got.Approved || !got.UpdatedAt.Equal(at(10)) || !got.CreatedAt.Equal(T0) {
		t.Fatalf("after approval: %+v", got)
	}
	// Approval makes the graduate's pending offer (and so its deferred transactions) issuable.
	gotOffer, err := s.Offer(ctx, tenant, o.ID)
	wantErr(t, err, nil)
	if !gotOffer.Approved {
		t.Fatal("offer of the approved graduate not approved")
	}
}

func testOffers(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant, other := Rand("t-"), Rand("t-")
	o := NewOffer(tenant, at(1))
	mustCreateOffer(t, s, o)

	got, err := s.Offer(ctx, tenant, o.ID)
	wantErr(t, err, nil)
	equal(t, "offer", *got, o)

	// Optional fields empty: no tx_code, no graduate, no expiry.
	bare := NewOffer(tenant, at(2))
	bare.TxCode, bare.GraduateID, bare.ExpiresAt = "", "", time.Time{}
	bare.ConfigurationIDs = []string{"only"}
	mustCreateOffer(t, s, bare)
	got, err = s.Offer(ctx, tenant, bare.ID)
	wantErr(t, err, nil)
	equal(t, "bare offer", *got, bare)

	dupID := NewOffer(other, at(3))
	dupID.ID = o.ID
	dupCode := NewOffer(other, at(3))
	dupCode.PreAuthorizedCode = o.PreAuthorizedCode
	tests := []struct {
		name    string
		offer   issuer.Offer
		wantErr error
	}{
		{name: "ok/other-tenant", offer: NewOffer(other, at(3))},
		{name: "fail/duplicate-id-across-tenants", offer: dupID, wantErr: errConflict},
		{name: "fail/duplicate-code-across-tenants", offer: dupCode, wantErr: errConflict},
	}
	for _, tc := range tests {
		t.Run("create/"+tc.name, func(t *testing.T) {
			err := s.CreateOffer(t.Context(), &tc.offer, audit(tc.offer.Tenant, at(3), "offer_created", tc.offer.ID))
			wantErr(t, err, tc.wantErr)
		})
	}
	gets := []struct {
		name    string
		tenant  string
		id      string
		wantErr error
	}{
		{name: "ok/own", tenant: tenant, id: o.ID},
		{name: "fail/unknown", tenant: tenant, id: Rand("offer-"), wantErr: errNotFound},
		{name: "fail/other-tenant", tenant: other, id: o.ID, wantErr: errNotFound},
	}
	for _, tc := range gets {
		t.Run("get/"+tc.name, func(t *testing.T) {
			_, err := s.Offer(t.Context(), tc.tenant, tc.id)
			wantErr(t, err, tc.wantErr)
		})
	}
	// The failed creations changed nothing.
	got, err = s.Offer(ctx, tenant, o.ID)
	wantErr(t, err, nil)
	equal(t, "offer after conflicts", *got, o)
}

func testListOffers(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant := Rand("t-")
	var ids []string // oldest first
	for i := range 5 {
		o := NewOffer(tenant, at(10*(i+1)))
		mustCreateOffer(t, s, o)
		ids = append(ids, o.ID)
	}
	mustCreateOffer(t, s, NewOffer(Rand("t-"), at(100)))
	tests := []struct {
		name   string
		before time.Time
		limit  int
		want   []string
	}{
		{name: "ok/all-newest-first", limit: 10, want: []string{ids[4], ids[3], ids[2], ids[1], ids[0]}},
		{name: "ok/limit", limit: 2, want: []string{ids[4], ids[3]}},
		{name: "ok/before-is-exclusive", before: at(40), limit: 10, want: []string{ids[2], ids[1], ids[0]}},
		{name: "ok/before-and-limit", before: at(35), limit: 1, want: []string{ids[2]}},
		{name: "ok/before-everything", before: at(10), limit: 10, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			offers, err := s.ListOffers(ctx, tenant, tc.before, tc.limit)
			wantErr(t, err, nil)
			var got []string
			for _, o := range offers {
				got = append(got, o.ID)
			}
			equal(t, "offer ids", got, tc.want)
		})
	}
}

// errWrongTxCode is what the suite's decide functions report for a wrong tx_code.
var errWrongTxCode = errors.New("wrong tx_code")

// errNotPending is what the suite's decide functions report for an offer already used.
var errNotPending = errors.New("offer not pending")

// redeemer is a decide function like the issuer core's: it checks the tx_code, counts wrong
// attempts, locks the offer after maxAttempts, and issues token on success.
func redeemer(txCode string, maxAttempts int, token *issuer.AccessToken, now time.Time) func(issuer.Offer) issuer.Redemption {
	return func(o issuer.Offer) issuer.Redemption {
		r := issuer.Redemption{State: o.State, TxCodeAttempts: o.TxCodeAttempts, RedeemedAt: o.RedeemedAt}
		switch {
		case o.State != issuer.OfferPending:
			r.Err = errNotPending
		case o.TxCode != "" && txCode != o.TxCode:
			r.TxCodeAttempts++
			if r.TxCodeAttempts >= maxAttempts {
				r.State = issuer.OfferLocked
			}
			r.Err = errWrongTxCode
		default:
			r.State, r.RedeemedAt, r.Token = issuer.OfferRedeemed, now, token
		}
		return r
	}
}

func testRedeemOffer(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant := Rand("t-")

	// A sequence against one offer: two wrong codes are counted, then the right one wins,
	// then the code is dead.
	o := NewOffer(tenant, T0)
	mustCreateOffer(t, s, o)
	tok := NewToken(o, at(30))
	steps := []struct {
		name         string
		txCode       string
		wantErr      error
		wantState    issuer.OfferState
		wantAttempts int
		wantToken    bool
	}{
		{name: "fail/wrong-tx-code", txCode: "000000", wantErr: errWrongTxCode, wantState: issuer.OfferPending, wantAttempts: 1},
		{name: "fail/wrong-tx-code-again", txCode: "111111", wantErr: errWrongTxCode, wantState: issuer.OfferPending, wantAttempts: 2},
		{name: "ok/right-tx-code", txCode: o.TxCode, wantState: issuer.OfferRedeemed, wantAttempts: 2, wantToken: true},
		{name: "fail/replay", txCode: o.TxCode, wantErr: errNotPending, wantState: issuer.OfferRedeemed, wantAttempts: 2, wantToken: true},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			got, err := s.RedeemOffer(t.Context(), o.PreAuthorizedCode, nil, T0, redeemer(st.txCode, 5, tok, at(30)))
			wantErr(t, err, st.wantErr)
			if got == nil {
				t.Fatal("no offer returned")
			}
			if got.State != st.wantState || got.TxCodeAttempts != st.wantAttempts {
				t.Fatalf("returned offer: state %s, attempts %d", got.State, got.TxCodeAttempts)
			}
			stored, err := s.Offer(t.Context(), tenant, o.ID)
			wantErr(t, err, nil)
			equal(t, "stored offer", *stored, *got)
			_, err = s.AccessToken(t.Context(), tok.Hash)
			if st.wantToken {
				wantErr(t, err, nil)
			} else {
				wantErr(t, err, errNotFound)
			}
		})
	}
	stored, err := s.Offer(ctx, tenant, o.ID)
	wantErr(t, err, nil)
	if !stored.RedeemedAt.Equal(at(30)) {
		t.Fatalf("RedeemedAt %v", stored.RedeemedAt)
	}
	gotTok, err := s.AccessToken(ctx, tok.Hash)
	wantErr(t, err, nil)
	equal(t, "access token", *gotTok, *tok)

	t.Run("fail/unknown-code", func(t *testing.T) {
		called := false
		_, err := s.RedeemOffer(t.Context(), Rand("code-"), nil, T0, func(issuer.Offer) issuer.Redemption {
			called = true
			return issuer.Redemption{State: issuer.OfferRedeemed}
		})
		wantErr(t, err, errNotFound)
		if called {
			t.Fatal("decide called for an unknown code")
		}
	})
	t.Run("fail/unknown-token", func(t *testing.T) {
		_, err := s.AccessToken(t.Context(), Rand("hash-"))
		wantErr(t, err, errNotFound)
	})
	t.Run("fail/lock-after-attempts", func(t *testing.T) {
		o := NewOffer(tenant, T0)
		mustCreateOffer(t, s, o)
		for i := 1; i <= 3; i++ {
			got, err := s.RedeemOffer(t.Context(), o.PreAuthorizedCode, nil, T0, redeemer("bad", 3, nil, at(i)))
			wantErr(t, err, errWrongTxCode)
			if got.TxCodeAttempts != i {
				t.Fatalf("attempt %d counted as %d", i, got.TxCodeAttempts)
			}
		}
		got, err := s.RedeemOffer(t.Context(), o.PreAuthorizedCode, nil, T0, redeemer(o.TxCode, 3, NewToken(o, at(9)), at(9)))
		wantErr(t, err, errNotPending)
		if got.State != issuer.OfferLocked {
			t.Fatalf("state %s; want locked", got.State)
		}
	})
	t.Run("fail/token-hash-taken", func(t *testing.T) {
		o := NewOffer(tenant, T0)
		mustCreateOffer(t, s, o)
		dup := NewToken(o, at(5))
		dup.Hash = tok.Hash
		_, err := s.RedeemOffer(t.Context(), o.PreAuthorizedCode, nil, T0, redeemer(o.TxCode, 5, dup, at(5)))
		wantErr(t, err, errConflict)
		stored, err := s.Offer(t.Context(), tenant, o.ID)
		wantErr(t, err, nil)
		equal(t, "offer after conflict", *stored, o)
	})
	t.Run("ok/decide-sees-stored-offer", func(t *testing.T) {
		o := NewOffer(tenant, T0)
		mustCreateOffer(t, s, o)
		var seen issuer.Offer
		_, err := s.RedeemOffer(t.Context(), o.PreAuthorizedCode, nil, T0, func(got issuer.Offer) issuer.Redemption {
			seen = got
			return issuer.Redemption{State: got.State}
		})
		wantErr(t, err, nil)
		equal(t, "offer given to decide", seen, o)
	})
}

// testRedeemOfferConcurrent: 50 redemptions of one code race; exactly one gets a token.
func testRedeemOfferConcurrent(t *testing.T, s issuer.Store) {
	const racers = 50
	tenant := Rand("t-")
	o := NewOffer(tenant, T0)
	mustCreateOffer(t, s, o)
	toks := make([]*issuer.AccessToken, racers)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		toks[i] = NewToken(o, at(i))
		wg.Go(func() {
			<-start
			_, errs[i] = s.RedeemOffer(t.Context(), o.PreAuthorizedCode, nil, T0, redeemer(o.TxCode, 5, toks[i], at(i)))
		})
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if winner >= 0 {
				t.Fatalf("racers %d and %d both redeemed the code", winner, i)
			}
			winner = i
		case errors.Is(err, errNotPending):
		default:
			t.Fatalf("racer %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("nobody redeemed the code")
	}
	for i, tok := range toks {
		_, err := s.AccessToken(t.Context(), tok.Hash)
		if i == winner {
			wantErr(t, err, nil)
		} else {
			wantErr(t, err, errNotFound)
		}
	}
	stored, err := s.Offer(t.Context(), tenant, o.ID)
	wantErr(t, err, nil)
	if stored.State != issuer.OfferRedeemed || !stored.RedeemedAt.Equal(at(winner)) {
		t.Fatalf("stored offer: %s at %v; want redeemed at %v", stored.State, stored.RedeemedAt, at(winner))
	}
}

// testRedeemOfferAttempts: concurrent wrong tx_codes are all counted, and the lock holds.
func testRedeemOfferAttempts(t *testing.T, s issuer.Store) {
	const (
		racers = 20
		limit  = 15
	)
	tenant := Rand("t-")
	o := NewOffer(tenant, T0)
	mustCreateOffer(t, s, o)
	errs := make([]error, racers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range racers {
		wg.Go(func() {
			<-start
			_, errs[i] = s.RedeemOffer(t.Context(), o.PreAuthorizedCode, nil, T0, redeemer(fmt.Sprint("bad", i), limit, nil, at(i)))
		})
	}
	close(start)
	wg.Wait()
	wrong, dead := 0, 0
	for i, err := range errs {
		switch {
		case errors.Is(err, errWrongTxCode):
			wrong++
		case errors.Is(err, errNotPending):
			dead++
		default:
			t.Fatalf("racer %d: %v", i, err)
		}
	}
	if wrong != limit || dead != racers-limit {
		t.Fatalf("%d wrong-code answers and %d locked answers; want %d and %d", wrong, dead, limit, racers-limit)
	}
	stored, err := s.Offer(t.Context(), tenant, o.ID)
	wantErr(t, err, nil)
	if stored.State != issuer.OfferLocked || stored.TxCodeAttempts != limit {
		t.Fatalf("stored offer: %s with %d attempts", stored.State, stored.TxCodeAttempts)
	}
}

func testWithdrawOffer(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant, other := Rand("t-"), Rand("t-")
	o := NewOffer(tenant, T0)
	mustCreateOffer(t, s, o)
	wantErr(t, s.WithdrawOffer(ctx, other, o.ID, audit(other, at(1), "offer_withdrawn", o.ID)), errNotFound)
	wantErr(t, s.WithdrawOffer(ctx, tenant, "nope", audit(tenant, at(1), "offer_withdrawn", "nope")), errNotFound)
	wantErr(t, s.WithdrawOffer(ctx, tenant, o.ID, audit(tenant, at(2), "offer_withdrawn", o.ID)), nil)
	got, err := s.Offer(ctx, tenant, o.ID)
	wantErr(t, err, nil)
	if got.State != issuer.OfferWithdrawn {
		t.Fatalf("state %s", got.State)
	}
	// The code is dead: decide sees a withdrawn offer.
	_, err = s.RedeemOffer(ctx, o.PreAuthorizedCode, nil, T0, redeemer(o.TxCode, 5, NewToken(o, at(3)), at(3)))
	wantErr(t, err, errNotPending)
	// Withdrawing again, or a redeemed offer, changes nothing and writes no audit row.
	wantErr(t, s.WithdrawOffer(ctx, tenant, o.ID, audit(tenant, at(4), "offer_withdrawn", o.ID)), nil)
	ev, err := s.AuditLog(ctx, tenant, time.Time{}, 100)
	wantErr(t, err, nil)
	n := 0
	for _, e := range ev {
		if e.Action == "offer_withdrawn" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d withdrawal audit rows, want 1", n)
	}
}

func testRedeemOfferAudit(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant := Rand("t-")
	o := NewOffer(tenant, T0)
	mustCreateOffer(t, s, o)
	tok := NewToken(o, at(5))
	_, err := s.RedeemOffer(ctx, o.PreAuthorizedCode, nil, T0, func(v issuer.Offer) issuer.Redemption {
		a := audit(tenant, at(5), "offer_redeemed", v.ID)
		return issuer.Redemption{State: issuer.OfferRedeemed, TxCodeAttempts: v.TxCodeAttempts, RedeemedAt: at(5), Token: tok, Audit: &a}
	})
	wantErr(t, err, nil)
	ev, err := s.AuditLog(ctx, tenant, time.Time{}, 10)
	wantErr(t, err, nil)
	if len(ev) == 0 || ev[0].Action != "offer_redeemed" || ev[0].Object != o.ID {
		t.Fatalf("audit after redemption: %+v", ev)
	}
}
