package issuerstoretest

import (
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
		func() error { return s.CreateDeferred(ctx, &d, events[3]) },
		func() error { return s.RecordIssuance(ctx, Rand("hash-"), d.TransactionID, recs, 16, events[4]) },
		func() error { return s.SetStatus(ctx, tenant, recs[0].ID, statuslist.Invalid, at(6), events[5]) },
		func() error {
			return s.Notify(ctx, tenant, recs[0].NotificationID, "credential_accepted", at(7), events[6])
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
		func() error { return s.ApproveGraduate(ctx, tenant, "nobody", at(8), ev(8, "graduate_approved", "nobody")) },
		func() error { return s.SetStatus(ctx, tenant, "nothing", statuslist.Invalid, at(8), ev(8, "credential_revoked", "x")) },
		func() error { return s.Notify(ctx, tenant, "no-such-id", "credential_accepted", at(8), ev(8, "notification", "x")) },
		func() error { return s.RecordIssuance(ctx, Rand("hash-"), Rand("tx-"), NewIssuances(o, "c1", 1, at(8)), 16, ev(8, "credential_issued", "x")) },
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

func testNonces(t *testing.T, s issuer.Store) {
	ctx := t.Context()
	live, expiring := Rand("nonce-"), Rand("nonce-")
	wantErr(t, s.IssueNonce(ctx, live, at(300)), nil)
	wantErr(t, s.IssueNonce(ctx, expiring, at(60)), nil)
	steps := []struct {
		name    string
		nonce   string
		now     time.Time
		wantErr error
	}{
		{name: "ok/live", nonce: live, now: at(299)},
		{name: "fail/used", nonce: live, now: at(10), wantErr: errNotFound},
		{name: "fail/unknown", nonce: Rand("nonce-"), now: at(10), wantErr: errNotFound},
		{name: "fail/expired", nonce: expiring, now: at(60), wantErr: errExpired},
		{name: "fail/expired-and-gone", nonce: expiring, now: at(10), wantErr: errNotFound},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			err := s.RedeemNonce(t.Context(), st.nonce, st.now)
			wantErr(t, err, st.wantErr)
			if st.name == "fail/used" || st.name == "fail/unknown" || st.name == "fail/expired-and-gone" {
				if isExpired(err) {
					t.Fatalf("ErrExpired for a nonce that is not stored: %v", err)
				}
			}
		})
	}
	t.Run("fail/issue-twice", func(t *testing.T) {
		n := Rand("nonce-")
		wantErr(t, s.IssueNonce(t.Context(), n, at(60)), nil)
		wantErr(t, s.IssueNonce(t.Context(), n, at(60)), errConflict)
	})
}

func testJTI(t *testing.T, s issuer.Store) {
	jkt, other, jti := Rand("jkt-"), Rand("jkt-"), Rand("jti-")
	steps := []struct {
		name    string
		jkt     string
		exp     time.Time
		now     time.Time
		wantErr error
	}{
		{name: "ok/first", jkt: jkt, exp: at(60), now: T0},
		{name: "fail/replay", jkt: jkt, exp: at(60), now: at(30), wantErr: errConflict},
		{name: "ok/same-jti-other-key", jkt: other, exp: at(60), now: at(30)},
		{name: "fail/replay-other-key", jkt: other, exp: at(90), now: at(59), wantErr: errConflict},
		{name: "ok/after-expiry", jkt: jkt, exp: at(120), now: at(60)},
		{name: "fail/replay-after-renewal", jkt: jkt, exp: at(120), now: at(61), wantErr: errConflict},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			wantErr(t, s.RememberJTI(t.Context(), st.jkt, jti, st.exp, st.now), st.wantErr)
		})
	}
}
