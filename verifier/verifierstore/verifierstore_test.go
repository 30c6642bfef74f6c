package verifierstore_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierstore"
	"github.com/hashi-vc/hashi/verifier/verifierstore/verifierstoretest"
)

var t0 = verifierstoretest.T0

func newStore(t testing.TB, db *sqldb.DB) *verifierstore.Store {
	t.Helper()
	s, err := verifierstore.New(t.Context(), db)
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	return s
}

// TestSuite runs the behaviour suite on SQLite and PostgreSQL.
func TestSuite(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		verifierstoretest.Run(t, newStore(t, db))
	})
}

// TestSuiteTwoReplicas runs the shared part of the suite concurrently through two Store
// values on one database (two connection pools on PostgreSQL; two Stores on one *sqldb.DB on
// SQLite). The second New finds the schema migrated.
func TestSuiteTwoReplicas(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		a := newStore(t, db)
		if db.Dialect() == sqldb.Postgres {
			db = sqldbtest.Open(t, dsn)
		}
		b := newStore(t, db)
		t.Run("a", func(t *testing.T) { t.Parallel(); verifierstoretest.RunShared(t, a) })
		t.Run("b", func(t *testing.T) { t.Parallel(); verifierstoretest.RunShared(t, b) })
	})
}

func TestNewNilDB(t *testing.T) {
	t.Parallel()
	if _, err := verifierstore.New(t.Context(), nil); !errors.Is(err, sqldb.ErrInvalid) {
		t.Fatalf("New(nil): %v", err)
	}
}

// TestDurable closes the database and opens it again: requests, results and remembered
// presentation digests are still there.
func TestDurable(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		r := verifierstoretest.NewRequest(t0, true)
		use := []verifier.SingleUse{{Kind: verifier.UsePresentation, Value: "d1", ExpiresAt: t0.Add(time.Hour)}}
		{
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			s := newStore(t, db)
			if err := s.CreateRequest(ctx, r); err != nil {
				t.Fatal(err)
			}
			if err := s.CompleteRequest(ctx, &verifier.Completion{ID: r.ID, Status: verifier.StatusVerified, Result: []byte(`{"verdict":"accepted"}`), CompletedAt: t0.Add(time.Second)}, use, nil); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
		s := newStore(t, sqldbtest.Open(t, dsn))
		got, err := s.RequestByKeyID(ctx, r.EncryptionKeyID)
		if err != nil || got.Status != verifier.StatusVerified || string(got.Result) != `{"verdict":"accepted"}` {
			t.Fatalf("request after reopen: %+v, %v", got, err)
		}
		other := verifierstoretest.NewRequest(t0, false)
		if err := s.CreateRequest(ctx, other); err != nil {
			t.Fatal(err)
		}
		err = s.CompleteRequest(ctx, &verifier.Completion{ID: other.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: t0.Add(time.Minute)}, use, nil)
		if _, ok := errors.AsType[*verifier.UsedError](err); !ok {
			t.Fatalf("digest after reopen: %v", err)
		}
	})
}

// TestInvalid covers the arguments this implementation refuses with sqldb.ErrInvalid before
// touching the database.
func TestInvalid(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db)
		ctx := t.Context()
		r := verifierstoretest.NewRequest(t0, false)
		if err := s.CreateRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
		mod := func(f func(*verifier.Request)) *verifier.Request {
			x := verifierstoretest.NewRequest(t0, true)
			f(x)
			return x
		}
		done := func(f func(*verifier.Completion)) *verifier.Completion {
			c := &verifier.Completion{ID: r.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: t0.Add(time.Second)}
			f(c)
			return c
		}
		tests := []struct {
			name string
			call func() error
		}{
			{"fail/create-nil", func() error { return s.CreateRequest(ctx, nil) }},
			{"fail/create-no-state", func() error { return s.CreateRequest(ctx, mod(func(x *verifier.Request) { x.State = "" })) }},
			{"fail/create-not-pending", func() error {
				return s.CreateRequest(ctx, mod(func(x *verifier.Request) { x.Status = verifier.StatusVerified }))
			}},
			{"fail/create-expires-before-created", func() error {
				return s.CreateRequest(ctx, mod(func(x *verifier.Request) { x.ExpiresAt = x.CreatedAt }))
			}},
			{"fail/create-key-without-kid", func() error {
				return s.CreateRequest(ctx, mod(func(x *verifier.Request) { x.EncryptionKeyID = "" }))
			}},
			{"fail/lookup-empty", func() error { _, err := s.RequestByState(ctx, ""); return err }},
			{"fail/complete-pending", func() error {
				return s.CompleteRequest(ctx, done(func(c *verifier.Completion) { c.Status = verifier.StatusPending }), nil, nil)
			}},
			{"fail/complete-no-time", func() error {
				return s.CompleteRequest(ctx, done(func(c *verifier.Completion) { c.CompletedAt = time.Time{} }), nil, nil)
			}},
			{"fail/complete-unknown-kind", func() error {
				return s.CompleteRequest(ctx, done(func(*verifier.Completion) {}), []verifier.SingleUse{{Kind: "issuer.c_nonce", Value: "x", ExpiresAt: t0.Add(time.Hour)}}, nil)
			}},
			{"fail/complete-expired-use", func() error {
				return s.CompleteRequest(ctx, done(func(*verifier.Completion) {}), []verifier.SingleUse{{Kind: verifier.UsePresentation, Value: "x", ExpiresAt: t0}}, nil)
			}},
			{"fail/complete-webhook-other-request", func() error {
				return s.CompleteRequest(ctx, done(func(*verifier.Completion) {}), nil, &verifier.Webhook{ID: "w", RequestID: "other", URL: "https://x/", CreatedAt: t0, NextAttemptAt: t0})
			}},
			{"fail/claim-zero-limit", func() error { _, err := s.ClaimWebhooks(ctx, t0, time.Minute, 0); return err }},
			{"fail/recent-zero-limit", func() error { _, err := s.RecentRequests(ctx, t0, "", 0); return err }},
			{"fail/recent-negative-limit", func() error { _, err := s.RecentRequests(ctx, time.Time{}, "", -1); return err }},
			{"fail/recent-id-without-time", func() error { _, err := s.RecentRequests(ctx, time.Time{}, r.ID, 10); return err }},
			{"fail/claim-zero-lease", func() error { _, err := s.ClaimWebhooks(ctx, t0, 0, 1); return err }},
			{"fail/update-no-id", func() error { return s.UpdateWebhook(ctx, &verifier.Webhook{NextAttemptAt: t0}) }},
			{"fail/sweep-zero-now", func() error { _, err := s.Sweep(ctx, time.Time{}, 0); return err }},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				if err := tc.call(); !errors.Is(err, sqldb.ErrInvalid) {
					t.Fatalf("error %v; want sqldb.ErrInvalid", err)
				}
			})
		}
		got, err := s.Request(ctx, r.ID)
		if err != nil || got.Status != verifier.StatusPending {
			t.Fatalf("request after refused calls: %+v, %v", got, err)
		}
	})
}

// TestSweep deletes expired digests and old requests, keeping requests whose webhook is
// still to be sent.
func TestSweep(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db)
		ctx := t.Context()
		old, withHook, fresh := verifierstoretest.NewRequest(t0, false), verifierstoretest.NewRequest(t0, false), verifierstoretest.NewRequest(t0.Add(time.Hour), false)
		for _, r := range []*verifier.Request{old, withHook, fresh} {
			if err := s.CreateRequest(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		use := []verifier.SingleUse{{Kind: verifier.UsePresentation, Value: "d-sweep", ExpiresAt: t0.Add(30 * time.Minute)}}
		if err := s.CompleteRequest(ctx, &verifier.Completion{ID: old.ID, Status: verifier.StatusVerified, Result: []byte(`{}`), CompletedAt: t0.Add(time.Second)}, use, nil); err != nil {
			t.Fatal(err)
		}
		wh := &verifier.Webhook{ID: "wh-sweep", RequestID: withHook.ID, URL: "https://hook.example/", Payload: []byte(`{}`), CreatedAt: t0, NextAttemptAt: t0}
		if err := s.CompleteRequest(ctx, &verifier.Completion{ID: withHook.ID, Status: verifier.StatusDeclined, WalletError: "access_denied", CompletedAt: t0.Add(time.Second)}, nil, wh); err != nil {
			t.Fatal(err)
		}
		n, err := s.Sweep(ctx, t0.Add(time.Hour), 0)
		if err != nil || n != 2 { // the digest and the old request
			t.Fatalf("Sweep: %d, %v; want 2", n, err)
		}
		if _, err := s.Request(ctx, old.ID); !errors.Is(err, sqldb.ErrNotFound) {
			t.Fatalf("old request: %v", err)
		}
		for _, id := range []string{withHook.ID, fresh.ID} {
			if _, err := s.Request(ctx, id); err != nil {
				t.Fatalf("request %s swept: %v", id, err)
			}
		}
		w, err := s.Webhook(ctx, "wh-sweep")
		if err != nil {
			t.Fatal(err)
		}
		w.DeliveredAt, w.Attempts = t0.Add(time.Minute), 1
		if err := s.UpdateWebhook(ctx, w); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Sweep(ctx, t0.Add(time.Hour), 0); err != nil || n != 2 { // the webhook and its request
			t.Fatalf("second Sweep: %d, %v; want 2", n, err)
		}
	})
}

// TestClaimWebhooksConcurrent: replicas claiming at the same time never get the same entry.
func TestClaimWebhooksConcurrent(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		db := sqldbtest.Open(t, dsn)
		stores := []*verifierstore.Store{newStore(t, db), newStore(t, db)}
		if db.Dialect() == sqldb.Postgres {
			stores[1] = newStore(t, sqldbtest.Open(t, dsn))
		}
		const n = 20
		for i := range n {
			r := verifierstoretest.NewRequest(t0, false)
			if err := stores[0].CreateRequest(ctx, r); err != nil {
				t.Fatal(err)
			}
			wh := &verifier.Webhook{ID: verifierstoretest.Rand("wh-"), RequestID: r.ID, URL: "https://hook.example/", Payload: []byte(`{}`), CreatedAt: t0, NextAttemptAt: t0.Add(time.Duration(i) * time.Millisecond)}
			if err := stores[0].CompleteRequest(ctx, &verifier.Completion{ID: r.ID, Status: verifier.StatusDeclined, WalletError: "access_denied", CompletedAt: t0}, nil, wh); err != nil {
				t.Fatal(err)
			}
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				got, err := stores[i%2].ClaimWebhooks(ctx, t0.Add(time.Second), time.Minute, 3)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				for _, w := range got {
					seen[w.ID]++
				}
			})
		}
		wg.Wait()
		for id, k := range seen {
			if k != 1 {
				t.Fatalf("webhook %s claimed %d times", id, k)
			}
		}
		if len(seen) != n {
			t.Fatalf("%d webhooks claimed; want %d", len(seen), n)
		}
	})
}

// TestRecentRequestsPageSize: RecentRequests returns at most MaxPageSize requests, however
// large the limit, and the next page goes on after the last of them.
func TestRecentRequestsPageSize(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db)
		ctx := t.Context()
		const n = verifierstore.MaxPageSize + 3
		for i := range n {
			if err := s.CreateRequest(ctx, verifierstoretest.NewRequest(t0.Add(time.Duration(i)*time.Millisecond), false)); err != nil {
				t.Fatal(err)
			}
		}
		first, err := s.RecentRequests(ctx, time.Time{}, "", 10*n)
		if err != nil || len(first) != verifierstore.MaxPageSize {
			t.Fatalf("RecentRequests(limit %d): %d requests, %v; want %d", 10*n, len(first), err, verifierstore.MaxPageSize)
		}
		if want := t0.Add((n - 1) * time.Millisecond); !first[0].CreatedAt.Equal(want) {
			t.Fatalf("newest created at %s; want %s", first[0].CreatedAt, want)
		}
		last := first[len(first)-1]
		rest, err := s.RecentRequests(ctx, last.CreatedAt, last.ID, verifierstore.MaxPageSize)
		if err != nil || len(rest) != n-verifierstore.MaxPageSize || !rest[len(rest)-1].CreatedAt.Equal(t0) {
			t.Fatalf("second page: %d requests, %v", len(rest), err)
		}
	})
}
