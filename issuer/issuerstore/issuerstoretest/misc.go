package issuerstoretest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/issuer"
)

// testAuditLog: every mutating method with an AuditEvent appends exactly it, in its own
// tenant's log; refused calls append nothing.
func testAuditLog(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant := Rand("t-")
	ev := func(n int, action, object string) issuer.AuditEvent {
		return issuer.AuditEvent{Tenant: tenant, At: at(n), Actor: "registrar", Action: action, Object: object, Detail: action + "-detail"}
	}
	g := NewGraduate(tenant, "g1")
	o := NewOffer(tenant, at(3))
	d := issuer.Deferred{TransactionID: Rand("tx-"), Tenant: tenant, TokenHash: Rand("hash-"), OfferID: o.ID,
		ConfigurationID: "c1", CreatedAt: at(4)}
	recs := NewIssuances(o, "c1", 1, at(5))
	events := []issuer.AuditEvent{
		ev(1, "graduate_imported", g.ID),
		ev(2, "graduate_approved", g.ID),
		ev(3, "offer_created", o.ID),
		ev(4, "issuance_deferred", d.TransactionID),
		ev(5, "credential_issued", recs[0].ID),
		ev(6, "credential_revoked", recs[0].ID),
		ev(7, "notification", recs[0].NotificationID),
	}
	calls := []func() error{
		func() error { _, err := s.UpsertGraduate(ctx, &g, events[0]); return err },
		func() error { return s.ApproveGraduate(ctx, tenant, g.ID, at(2), events[1]) },
		func() error { return s.CreateOffer(ctx, &o, events[2]) },
		func() error { return s.CreateDeferred(ctx, &d, nil, T0, events[3]) },
		func() error {
			return s.RecordIssuance(ctx, Rand("hash-"), d.TransactionID, nil, T0, recs, 16, events[4])
		},
		func() error { return s.SetStatus(ctx, tenant, recs[0].ID, statuslist.Invalid, at(6), events[5]) },
		func() error {
			return s.Notify(ctx, tenant, recs[0].OfferID, recs[0].NotificationID, "credential_accepted", at(7), events[6])
		},
	}
	for i, call := range calls {
		if err := call(); err != nil {
			t.Fatalf("%s: %v", events[i].Action, err)
		}
	}
	// Refused calls write nothing.
	refused := []func() error{
		func() error { return s.CreateOffer(ctx, &o, ev(8, "offer_created", o.ID)) },
		func() error {
			return s.ApproveGraduate(ctx, tenant, "nobody", at(8), ev(8, "graduate_approved", "nobody"))
		},
		func() error {
			return s.SetStatus(ctx, tenant, "nothing", statuslist.Invalid, at(8), ev(8, "credential_revoked", "x"))
		},
		func() error {
			return s.Notify(ctx, tenant, recs[0].OfferID, "no-such-id", "credential_accepted", at(8), ev(8, "notification", "x"))
		},
		func() error {
			return s.RecordIssuance(ctx, Rand("hash-"), Rand("tx-"), nil, T0, NewIssuances(o, "c1", 1, at(8)), 16, ev(8, "credential_issued", "x"))
		},
	}
	for i, call := range refused {
		if err := call(); err == nil {
			t.Fatalf("refused call %d succeeded", i)
		}
	}
	newestFirst := func(evs []issuer.AuditEvent) []issuer.AuditEvent {
		out := make([]issuer.AuditEvent, len(evs))
		for i, e := range evs {
			out[len(evs)-1-i] = e
		}
		return out
	}
	tests := []struct {
		name   string
		tenant string
		before time.Time
		limit  int
		want   []issuer.AuditEvent
	}{
		{name: "ok/all", tenant: tenant, limit: 100, want: newestFirst(events)},
		{name: "ok/limit", tenant: tenant, limit: 2, want: newestFirst(events)[:2]},
		{name: "ok/before", tenant: tenant, before: at(5), limit: 100, want: newestFirst(events[:4])},
		{name: "ok/before-and-limit", tenant: tenant, before: at(5), limit: 1, want: []issuer.AuditEvent{events[3]}},
		{name: "ok/other-tenant-sees-nothing", tenant: Rand("t-"), limit: 100, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.AuditLog(t.Context(), tc.tenant, tc.before, tc.limit)
			wantErr(t, err, nil)
			equal(t, "audit log", got, tc.want)
		})
	}
}

func testRemember(t *testing.T, s issuer.Store) {
	jkt, other, jti := Rand("jkt-"), Rand("jkt-"), Rand("jti-")
	use := func(k string, exp time.Time) issuer.SingleUse {
		return issuer.SingleUse{Kind: issuer.UseDPoPJTI, Value: k + ":" + jti, ExpiresAt: exp}
	}
	steps := []struct {
		name    string
		use     issuer.SingleUse
		now     time.Time
		wantErr error
	}{
		{name: "ok/first", use: use(jkt, at(60)), now: T0},
		{name: "fail/replay", use: use(jkt, at(60)), now: at(30), wantErr: errConflict},
		{name: "ok/same-jti-other-key", use: use(other, at(60)), now: at(30)},
		{name: "fail/replay-other-key", use: use(other, at(90)), now: at(59), wantErr: errConflict},
		{name: "ok/after-expiry", use: use(jkt, at(120)), now: at(60)},
		{name: "fail/replay-after-renewal", use: use(jkt, at(120)), now: at(61), wantErr: errConflict},
		{name: "ok/nonce-kind-separate", use: issuer.SingleUse{Kind: issuer.UseCNonce, Value: jkt + ":" + jti, ExpiresAt: at(200)}, now: at(61)},
		{name: "fail/unknown-kind", use: issuer.SingleUse{Kind: "other", Value: "v", ExpiresAt: at(200)}, now: at(61), wantErr: errInvalid},
		// Valid when the request checked it, expired by the write: refused like a used one.
		{name: "fail/expired-already", use: use(Rand("jkt-"), at(10)), now: at(61), wantErr: errConflict},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := s.Remember(t.Context(), []issuer.SingleUse{st.use}, st.now, nil)
			wantErr(t, err, st.wantErr)
			if errors.Is(st.wantErr, errConflict) {
				u, ok := errors.AsType[*issuer.UsedError](err)
				if !ok || u.Kind != st.use.Kind {
					t.Fatalf("want *issuer.UsedError of kind %s, got %v", st.use.Kind, err)
				}
			}
		})
	}
}

// testRememberBatch: Remember records several values and its audit event together, or,
// when one of them is used, nothing at all.
func testRememberBatch(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant := Rand("t-")
	used := issuer.SingleUse{Kind: issuer.UseCNonce, Value: Rand("n-"), ExpiresAt: at(300)}
	wantErr(t, s.Remember(ctx, []issuer.SingleUse{used}, T0, nil), nil)

	fresh := issuer.SingleUse{Kind: issuer.UseDPoPJTI, Value: Rand("jkt-") + ":" + Rand("jti-"), ExpiresAt: at(300)}
	ev := audit(tenant, at(1), "credential_redelivered", "o1")
	err := s.Remember(ctx, []issuer.SingleUse{fresh, used}, at(1), &ev)
	if _, ok := errors.AsType[*issuer.UsedError](err); !ok {
		t.Fatalf("batch with a used value: %v", err)
	}
	if log, err := s.AuditLog(ctx, tenant, time.Time{}, 10); err != nil || len(log) != 0 {
		t.Fatalf("audit after a refused batch: %+v, %v", log, err)
	}
	// The fresh value was not remembered by the refused batch.
	other := issuer.SingleUse{Kind: issuer.UseCNonce, Value: Rand("n-"), ExpiresAt: at(300)}
	wantErr(t, s.Remember(ctx, []issuer.SingleUse{fresh, other}, at(2), &ev), nil)
	if log, err := s.AuditLog(ctx, tenant, time.Time{}, 10); err != nil || len(log) != 1 || log[0].Action != "credential_redelivered" {
		t.Fatalf("audit after the batch: %+v, %v", log, err)
	}
	wantErr(t, s.Remember(ctx, []issuer.SingleUse{other}, at(3), nil), errConflict)
}

// testUsesInWrites: a write that carries a used value changes nothing, and its own values
// are remembered only when it commits.
func testUsesInWrites(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	tenant := Rand("t-")
	nonce := issuer.SingleUse{Kind: issuer.UseCNonce, Value: Rand("n-"), ExpiresAt: at(300)}
	wantErr(t, s.Remember(ctx, []issuer.SingleUse{nonce}, T0, nil), nil)

	// RedeemOffer with a used value: the offer is untouched and no token stored.
	o := NewOffer(tenant, T0)
	mustCreateOffer(t, s, o)
	tok := NewToken(o, at(5))
	_, err := s.RedeemOffer(ctx, o.PreAuthorizedCode, []issuer.SingleUse{nonce}, at(5), redeemer(o.TxCode, 5, tok, at(5)))
	wantErr(t, err, errConflict)
	got, err := s.Offer(ctx, tenant, o.ID)
	wantErr(t, err, nil)
	if got.State != issuer.OfferPending {
		t.Fatalf("offer changed by a refused redemption: %s", got.State)
	}
	_, err = s.AccessToken(ctx, tok.Hash)
	wantErr(t, err, errNotFound)

	// A fresh jti with the redemption: remembered with the commit.
	jti := issuer.SingleUse{Kind: issuer.UseDPoPJTI, Value: Rand("jkt-") + ":" + Rand("jti-"), ExpiresAt: at(300)}
	_, err = s.RedeemOffer(ctx, o.PreAuthorizedCode, []issuer.SingleUse{jti}, at(6), redeemer(o.TxCode, 5, tok, at(6)))
	wantErr(t, err, nil)
	wantErr(t, s.Remember(ctx, []issuer.SingleUse{jti}, at(7), nil), errConflict)

	// RecordIssuance with a used nonce: no records, the token stays unused for the config.
	recs := NewIssuances(o, "c1", 2, at(8))
	err = s.RecordIssuance(ctx, tok.Hash, "", []issuer.SingleUse{nonce}, at(8), recs, 16, audit(tenant, at(8), "credential_issued", o.ID))
	wantErr(t, err, errConflict)
	list, err := s.ListIssuances(ctx, tenant, o.ID, time.Time{}, 10)
	wantErr(t, err, nil)
	if len(list) != 0 {
		t.Fatalf("%d records after a refused issuance", len(list))
	}
	fresh := issuer.SingleUse{Kind: issuer.UseCNonce, Value: Rand("n-"), ExpiresAt: at(300)}
	wantErr(t, s.RecordIssuance(ctx, tok.Hash, "", []issuer.SingleUse{fresh}, at(9), NewIssuances(o, "c1", 2, at(9)), 16, audit(tenant, at(9), "credential_issued", o.ID)), nil)
	wantErr(t, s.Remember(ctx, []issuer.SingleUse{fresh}, at(10), nil), errConflict)

	// CreateDeferred likewise.
	d := issuer.Deferred{TransactionID: Rand("tx-"), Tenant: tenant, TokenHash: tok.Hash, OfferID: o.ID, ConfigurationID: "c2", CreatedAt: at(11), ExpiresAt: at(1000)}
	wantErr(t, s.CreateDeferred(ctx, &d, []issuer.SingleUse{fresh}, at(11), audit(tenant, at(11), "issuance_deferred", d.TransactionID)), errConflict)
	_, err = s.Deferred(ctx, d.TransactionID)
	wantErr(t, err, errNotFound)
}

func testSecret(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	name := Rand("secret-")
	first, err := s.Secret(ctx, name, func() ([]byte, error) { return []byte("first-value"), nil })
	wantErr(t, err, nil)
	again, err := s.Secret(ctx, name, func() ([]byte, error) { return []byte("second-value"), nil })
	wantErr(t, err, nil)
	if string(first) != "first-value" || string(again) != "first-value" {
		t.Fatalf("secret %q then %q", first, again)
	}
	// Concurrent first use: everyone gets the one stored value.
	name2 := Rand("secret-")
	vals := make([]string, 10)
	var wg sync.WaitGroup
	for i := range vals {
		wg.Go(func() {
			v, err := s.Secret(ctx, name2, func() ([]byte, error) { return []byte(Rand("v-")), nil })
			if err == nil {
				vals[i] = string(v)
			}
		})
	}
	wg.Wait()
	for _, v := range vals {
		if v == "" || v != vals[0] {
			t.Fatalf("concurrent secrets differ: %q", vals)
		}
	}
	_, err = s.Secret(ctx, "", func() ([]byte, error) { return []byte("x"), nil })
	wantErr(t, err, errInvalid)
}
