package issuerstore_test

import (
	"errors"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerstore"
	"github.com/hashi-vc/hashi/issuer/issuerstore/issuerstoretest"
)

var t0 = issuerstoretest.T0

func newStore(t testing.TB, db *sqldb.DB) *issuerstore.Store {
	t.Helper()
	s, err := issuerstore.New(t.Context(), db)
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	return s
}

// TestSuite runs the behaviour suite on SQLite and PostgreSQL.
func TestSuite(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		issuerstoretest.Run(t, newStore(t, db))
	})
}

// TestSuiteTwoReplicas runs the suite concurrently through two Store values on one
// database: two replicas sharing PostgreSQL, each with its own connection pool, or (SQLite
// admits one process per file) two Stores on one *sqldb.DB. The second New finds the
// schema migrated.
func TestSuiteTwoReplicas(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		a := newStore(t, db)
		if db.Dialect() == sqldb.Postgres {
			db = sqldbtest.Open(t, dsn)
		}
		b := newStore(t, db)
		t.Run("a", func(t *testing.T) { t.Parallel(); issuerstoretest.Run(t, a) })
		t.Run("b", func(t *testing.T) { t.Parallel(); issuerstoretest.Run(t, b) })
	})
}

func TestNewNilDB(t *testing.T) {
	t.Parallel()
	if _, err := issuerstore.New(t.Context(), nil); !errors.Is(err, sqldb.ErrInvalid) {
		t.Fatalf("New(nil): %v", err)
	}
}

// TestDurable closes the database and opens it again: everything written is still there,
// and New on a migrated database is a no-op.
func TestDurable(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		tenant := issuerstoretest.Rand("t-")
		g := issuerstoretest.NewGraduate(tenant, "g1")
		o := issuerstoretest.NewOffer(tenant, t0)
		tok := issuerstoretest.NewToken(o, t0.Add(time.Second))
		recs := issuerstoretest.NewIssuances(o, "c1", 2, t0.Add(2*time.Second))
		d := issuer.Deferred{TransactionID: "tx1", Tenant: tenant, TokenHash: tok.Hash, OfferID: o.ID,
			ConfigurationID: "c2", HolderKeys: [][]byte{[]byte(`{"kty":"EC"}`)}, CreatedAt: t0}
		ev := issuer.AuditEvent{At: t0, Actor: "registrar", Action: "x"}
		{
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			s := newStore(t, db)
			steps := []error{
				func() error { _, err := s.UpsertGraduate(ctx, &g, ev); return err }(),
				s.CreateOffer(ctx, &o, ev),
				func() error {
					_, err := s.RedeemOffer(ctx, o.PreAuthorizedCode, nil, t0, func(issuer.Offer) issuer.Redemption {
						return issuer.Redemption{State: issuer.OfferRedeemed, RedeemedAt: tok.IssuedAt, Token: tok}
					})
					return err
				}(),
				s.RecordIssuance(ctx, tok.Hash, "", nil, t0, recs, 8, ev),
				s.SetStatus(ctx, tenant, recs[1].ID, statuslist.Suspended, t0.Add(3*time.Second), ev),
				s.CreateDeferred(ctx, &d, nil, t0, ev),
				s.Remember(ctx, []issuer.SingleUse{{Kind: issuer.UseDPoPJTI, Value: "jkt:jti-durable", ExpiresAt: t0.Add(time.Hour)}}, t0, &ev),
			}
			for i, err := range steps {
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
		s := newStore(t, sqldbtest.Open(t, dsn))
		if got, err := s.Graduate(ctx, tenant, "g1"); err != nil || string(got.Record) != string(g.Record) {
			t.Fatalf("graduate after reopen: %+v, %v", got, err)
		}
		if got, err := s.Offer(ctx, tenant, o.ID); err != nil || got.State != issuer.OfferRedeemed {
			t.Fatalf("offer after reopen: %+v, %v", got, err)
		}
		if _, err := s.AccessToken(ctx, tok.Hash); err != nil {
			t.Fatalf("token after reopen: %v", err)
		}
		for _, r := range recs {
			got, err := s.Issuance(ctx, tenant, r.ID)
			if err != nil || got.StatusIndex != r.StatusIndex {
				t.Fatalf("issuance after reopen: %+v, %v", got, err)
			}
		}
		st, err := s.StatusList(ctx, tenant, 1)
		if err != nil || st.Version != 2 || st.Statuses[recs[1].StatusIndex] != statuslist.Suspended {
			t.Fatalf("status list after reopen: %+v, %v", st, err)
		}
		if _, err := s.Deferred(ctx, "tx1"); err != nil {
			t.Fatalf("deferred after reopen: %v", err)
		}
		if err := s.Remember(ctx, []issuer.SingleUse{{Kind: issuer.UseDPoPJTI, Value: "jkt:jti-durable", ExpiresAt: t0.Add(time.Hour)}}, t0.Add(time.Minute), nil); !errors.Is(err, sqldb.ErrConflict) {
			t.Fatalf("jti after reopen: %v", err)
		}
		// The second use of the token for c1 is still refused.
		more := issuerstoretest.NewIssuances(o, "c1", 1, t0)
		if err := s.RecordIssuance(ctx, tok.Hash, "", nil, t0, more, 8, ev); !errors.Is(err, sqldb.ErrConflict) {
			t.Fatalf("token reuse after reopen: %v", err)
		}
		log, err := s.AuditLog(ctx, tenant, time.Time{}, 100)
		if err != nil || len(log) != 5 {
			t.Fatalf("audit log after reopen: %d events, %v", len(log), err)
		}
	})
}

// TestInvalid covers the arguments this implementation refuses with sqldb.ErrInvalid
// before touching the database.
func TestInvalid(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db)
		ctx := t.Context()
		tenant := issuerstoretest.Rand("t-")
		ev := issuer.AuditEvent{Tenant: tenant, At: t0, Actor: "registrar", Action: "x"}
		o := issuerstoretest.NewOffer(tenant, t0)
		if err := s.CreateOffer(ctx, &o, ev); err != nil {
			t.Fatal(err)
		}
		recs := func(n int) []issuer.Issuance { return issuerstoretest.NewIssuances(o, "c1", n, t0) }
		mixed := recs(2)
		mixed[1].ConfigurationID = "c2"
		otherTenant := recs(2)
		otherTenant[1].Tenant = "x"
		revoked := recs(1)
		revoked[0].Status = statuslist.Invalid
		noTime := recs(1)
		noTime[0].IssuedAt = time.Time{}
		g := issuerstoretest.NewGraduate(tenant, "g1")
		noTimes := g
		noTimes.CreatedAt, noTimes.UpdatedAt = time.Time{}, time.Time{}
		badState := issuerstoretest.NewOffer(tenant, t0)
		badState.State = "used"
		tests := []struct {
			name string
			call func() error
		}{
			{"fail/audit-other-tenant", func() error {
				e := ev
				e.Tenant = "other"
				_, err := s.UpsertGraduate(ctx, &g, e)
				return err
			}},
			{"fail/audit-no-time", func() error {
				e := ev
				e.At = time.Time{}
				return s.ApproveGraduate(ctx, tenant, "g1", t0, e)
			}},
			{"fail/audit-no-action", func() error {
				e := ev
				e.Action = ""
				return s.SetStatus(ctx, tenant, "x", statuslist.Invalid, t0, e)
			}},
			{"fail/graduate-no-times", func() error { _, err := s.UpsertGraduate(ctx, &noTimes, ev); return err }},
			{"fail/offer-bad-state", func() error { return s.CreateOffer(ctx, &badState, ev) }},
			{"fail/offer-nil", func() error { return s.CreateOffer(ctx, nil, ev) }},
			{"fail/redeem-empty-code", func() error {
				_, err := s.RedeemOffer(ctx, "", nil, t0, func(issuer.Offer) issuer.Redemption { return issuer.Redemption{} })
				return err
			}},
			{"fail/redeem-bad-state", func() error {
				_, err := s.RedeemOffer(ctx, o.PreAuthorizedCode, nil, t0, func(issuer.Offer) issuer.Redemption { return issuer.Redemption{} })
				return err
			}},
			{"fail/redeem-token-other-tenant", func() error {
				tok := issuerstoretest.NewToken(o, t0)
				tok.Tenant = "other"
				_, err := s.RedeemOffer(ctx, o.PreAuthorizedCode, nil, t0, func(issuer.Offer) issuer.Redemption {
					return issuer.Redemption{State: issuer.OfferRedeemed, Token: tok}
				})
				return err
			}},
			{"fail/record-no-records", func() error { return s.RecordIssuance(ctx, "h", "", nil, t0, nil, 8, ev) }},
			{"fail/record-batch-over-list-size", func() error { return s.RecordIssuance(ctx, "h", "", nil, t0, recs(9), 8, ev) }},
			{"fail/record-list-size-over-limit", func() error {
				return s.RecordIssuance(ctx, "h", "", nil, t0, recs(1), issuerstore.MaxListSize+1, ev)
			}},
			{"fail/record-empty-hash", func() error { return s.RecordIssuance(ctx, "", "", nil, t0, recs(1), 8, ev) }},
			{"fail/record-mixed-configurations", func() error { return s.RecordIssuance(ctx, "h", "", nil, t0, mixed, 8, ev) }},
			{"fail/record-mixed-tenants", func() error { return s.RecordIssuance(ctx, "h", "", nil, t0, otherTenant, 8, ev) }},
			{"fail/record-not-valid", func() error { return s.RecordIssuance(ctx, "h", "", nil, t0, revoked, 8, ev) }},
			{"fail/record-no-time", func() error { return s.RecordIssuance(ctx, "h", "", nil, t0, noTime, 8, ev) }},
			{"fail/status-application-specific", func() error {
				return s.SetStatus(ctx, tenant, "x", statuslist.ApplicationSpecific, t0, ev)
			}},
			{"fail/notify-empty-id", func() error { return s.Notify(ctx, tenant, "o", "", "credential_accepted", t0, ev) }},
			{"fail/list-zero-limit", func() error { _, err := s.ListOffers(ctx, tenant, time.Time{}, 0); return err }},
			{"fail/use-empty-value", func() error {
				return s.Remember(ctx, []issuer.SingleUse{{Kind: issuer.UseDPoPJTI, ExpiresAt: t0.Add(time.Minute)}}, t0, nil)
			}},
			{"fail/use-zero-now", func() error {
				return s.Remember(ctx, []issuer.SingleUse{{Kind: issuer.UseCNonce, Value: "n", ExpiresAt: t0}}, time.Time{}, nil)
			}},
			{"fail/deferred-no-id", func() error {
				return s.CreateDeferred(ctx, &issuer.Deferred{Tenant: tenant, CreatedAt: t0}, nil, t0, ev)
			}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.call(); !errors.Is(err, sqldb.ErrInvalid) {
					t.Fatalf("error %v; want sqldb.ErrInvalid", err)
				}
			})
		}
		// Nothing was written by the refused calls.
		got, err := s.Offer(ctx, tenant, o.ID)
		if err != nil || got.State != issuer.OfferPending || got.TxCodeAttempts != 0 {
			t.Fatalf("offer after refused calls: %+v, %v", got, err)
		}
		if _, err := s.StatusList(ctx, tenant, 1); !errors.Is(err, sqldb.ErrNotFound) {
			t.Fatalf("status list after refused calls: %v", err)
		}
		if log, err := s.AuditLog(ctx, tenant, time.Time{}, 100); err != nil || len(log) != 1 {
			t.Fatalf("audit log after refused calls: %d events, %v", len(log), err)
		}
	})
}

// TestNotifyRepeatWritesNothing: a repeated notification changes neither UpdatedAt nor the
// audit log.
func TestNotifyRepeatWritesNothing(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db)
		ctx := t.Context()
		tenant := issuerstoretest.Rand("t-")
		o := issuerstoretest.NewOffer(tenant, t0)
		recs := issuerstoretest.NewIssuances(o, "c1", 1, t0)
		ev := issuer.AuditEvent{At: t0, Actor: "wallet", Action: "notification"}
		if err := s.RecordIssuance(ctx, "h", "", nil, t0, recs, 8, ev); err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			at := t0.Add(time.Duration(i+1) * time.Minute)
			if err := s.Notify(ctx, tenant, recs[0].OfferID, recs[0].NotificationID, "credential_accepted", at, ev); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.Issuance(ctx, tenant, recs[0].ID)
		if err != nil || !got.UpdatedAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("issuance: %+v, %v", got, err)
		}
		if log, err := s.AuditLog(ctx, tenant, time.Time{}, 100); err != nil || len(log) != 2 {
			t.Fatalf("audit log: %d events, %v", len(log), err)
		}
	})
}

// TestSweep deletes expired single-use values and access tokens only.
func TestSweep(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db)
		ctx := t.Context()
		tenant := issuerstoretest.Rand("t-")
		o := issuerstoretest.NewOffer(tenant, t0)
		ev := issuer.AuditEvent{At: t0, Actor: "registrar", Action: "x"}
		if err := s.CreateOffer(ctx, &o, ev); err != nil {
			t.Fatal(err)
		}
		tok := issuerstoretest.NewToken(o, t0) // expires after 5 minutes
		if _, err := s.RedeemOffer(ctx, o.PreAuthorizedCode, nil, t0, func(issuer.Offer) issuer.Redemption {
			return issuer.Redemption{State: issuer.OfferRedeemed, RedeemedAt: t0, Token: tok}
		}); err != nil {
			t.Fatal(err)
		}
		for _, u := range []issuer.SingleUse{
			{Kind: issuer.UseCNonce, Value: "n1", ExpiresAt: t0.Add(time.Minute)},
			{Kind: issuer.UseCNonce, Value: "n2", ExpiresAt: t0.Add(time.Hour)},
		} {
			if err := s.Remember(ctx, []issuer.SingleUse{u}, t0, nil); err != nil {
				t.Fatal(err)
			}
		}
		n, err := s.Sweep(ctx, t0.Add(10*time.Minute))
		if err != nil || n != 2 {
			t.Fatalf("Sweep: %d, %v; want 2", n, err)
		}
		if _, err := s.AccessToken(ctx, tok.Hash); !errors.Is(err, sqldb.ErrNotFound) {
			t.Fatalf("swept token: %v", err)
		}
		if err := s.Remember(ctx, []issuer.SingleUse{{Kind: issuer.UseCNonce, Value: "n2", ExpiresAt: t0.Add(2 * time.Hour)}}, t0.Add(10*time.Minute), nil); !errors.Is(err, sqldb.ErrConflict) {
			t.Fatalf("live nonce swept: %v", err)
		}
		if _, err := s.Sweep(ctx, time.Time{}); !errors.Is(err, sqldb.ErrInvalid) {
			t.Fatalf("Sweep(zero): %v", err)
		}
	})
}

// TestRecordIssuanceDenseList fills a list completely, so that random draws miss and
// allocation falls back to picking among the free indexes (on PostgreSQL after the shared
// attempt gave up).
func TestRecordIssuanceDenseList(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db)
		ctx := t.Context()
		const size = 1024
		tenant := issuerstoretest.Rand("t-")
		o := issuerstoretest.NewOffer(tenant, t0)
		ev := issuer.AuditEvent{At: t0, Actor: "system", Action: "x"}
		seen := map[int]bool{}
		for batch := range size / 64 {
			recs := issuerstoretest.NewIssuances(o, "c1", 64, t0.Add(time.Duration(batch)*time.Second))
			if err := s.RecordIssuance(ctx, issuerstoretest.Rand("h-"), "", nil, t0, recs, size, ev); err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				if r.StatusList != 1 || seen[r.StatusIndex] {
					t.Fatalf("batch %d: list %d index %d reused", batch, r.StatusList, r.StatusIndex)
				}
				seen[r.StatusIndex] = true
			}
		}
		if len(seen) != size {
			t.Fatalf("%d indexes; want %d", len(seen), size)
		}
	})
}
