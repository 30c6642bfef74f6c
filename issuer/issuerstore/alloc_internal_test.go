package issuerstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerstore/issuerstoretest"
)

// onPostgres runs fn with a fresh store on PostgreSQL: the shared allocation path and the
// tenant's advisory lock exist only there (SQLite's writers are exclusive anyway).
func onPostgres(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		if db.Dialect() != sqldb.Postgres {
			t.Skip("shared allocation is PostgreSQL's; SQLite allocates exclusively")
		}
		s, err := New(t.Context(), db)
		if err != nil {
			t.Fatal(err)
		}
		fn(t, s)
	})
}

// record records n issuances of a new offer in tenant with lists of listSize.
func record(t *testing.T, s *Store, tenant string, n, listSize int) []issuer.Issuance {
	t.Helper()
	recs, err := tryRecord(t.Context(), s, tenant, n, listSize)
	if err != nil {
		t.Fatalf("record issuance: %v", err)
	}
	return recs
}

// tryRecord is record for goroutines: it returns the error.
func tryRecord(ctx context.Context, s *Store, tenant string, n, listSize int) ([]issuer.Issuance, error) {
	recs := issuerstoretest.NewIssuances(issuerstoretest.NewOffer(tenant, issuerstoretest.T0), "c1", n, issuerstoretest.T0)
	err := s.RecordIssuance(ctx, issuerstoretest.Rand("h-"), "", nil, issuerstoretest.T0, recs, listSize,
		issuer.AuditEvent{Tenant: tenant, At: issuerstoretest.T0, Actor: "system", Action: "credential_issued"})
	return recs, err
}

// inBackground runs tryRecord in a goroutine; the channel gets its error.
func inBackground(t *testing.T, s *Store, tenant string, n, listSize int) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := tryRecord(t.Context(), s, tenant, n, listSize)
		done <- err
	}()
	return done
}

// fill allocates every index of list 1 of tenant but those in free, directly in the table.
func fill(t *testing.T, s *Store, tenant string, free ...int) {
	t.Helper()
	if _, err := s.db.ExecContext(t.Context(),
		"INSERT INTO issuer_status_entries (tenant, list_id, idx, status, issuance_id) "+
			"SELECT ?, 1, g, 0, 'filler-' || g FROM generate_series(0, 1023) AS g "+
			"WHERE NOT g = ANY(?::int[]) ON CONFLICT DO NOTHING", tenant, append([]int{-1}, free...)); err != nil {
		t.Fatal(err)
	}
}

// holding runs fn in a transaction that stays open until the returned release is called.
// recordWhileHeld records n issuances (1024-entry lists) while another transaction, made by
// hold, is open: it commits 300 ms after the issuance started (long enough for the issuance
// to reach its uncommitted entries, and for a shared attempt to time out on them).
func recordWhileHeld(t *testing.T, s *Store, tenant string, n int, hold func(tx *sqldb.Tx) error) []issuer.Issuance {
	t.Helper()
	release := holding(t, s, hold)
	type result struct {
		recs []issuer.Issuance
		err  error
	}
	done := make(chan result, 1)
	go func() {
		recs, err := tryRecord(context.Background(), s, tenant, n, 1024)
		done <- result{recs, err}
	}()
	time.Sleep(300 * time.Millisecond)
	release()
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	return res.recs
}

func holding(t *testing.T, s *Store, fn func(tx *sqldb.Tx) error) (release func()) {
	t.Helper()
	held, done := make(chan error, 1), make(chan struct{})
	result := make(chan error, 1)
	go func() {
		result <- s.db.Tx(context.Background(), func(tx *sqldb.Tx) error {
			err := fn(tx)
			held <- err
			<-done
			return err
		})
	}()
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	return func() {
		close(done)
		if err := <-result; err != nil {
			t.Error(err)
		}
	}
}

func lockTenant(tenant string) func(tx *sqldb.Tx) error {
	return func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(context.Background(),
			"SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "hashi.issuer_status_lists:"+tenant)
		return err
	}
}

// TestAllocateShared: the shared path places records in a sparse list of at least
// minProbeListSize entries and leaves a missing, small or full list to the exclusive one.
func TestAllocateShared(t *testing.T) {
	onPostgres(t, func(t *testing.T, s *Store) {
		sparse, small, full := issuerstoretest.Rand("t-"), issuerstoretest.Rand("t-"), issuerstoretest.Rand("t-")
		record(t, s, sparse, 1, 1024)
		record(t, s, small, 1, 16)
		record(t, s, full, 1, 1024)
		fill(t, s, full)
		errRollback := errors.New("roll back")
		for _, tc := range []struct {
			name, tenant string
			want         error
		}{
			{"ok/sparse", sparse, nil},
			{"crowded/missing", issuerstoretest.Rand("t-"), errCrowded},
			{"crowded/small", small, errCrowded},
			{"crowded/full", full, errCrowded},
		} {
			t.Run(tc.name, func(t *testing.T) {
				recs := issuerstoretest.NewIssuances(issuerstoretest.NewOffer(tc.tenant, issuerstoretest.T0), "c1", 3, issuerstoretest.T0)
				err := s.db.Tx(t.Context(), func(tx *sqldb.Tx) error {
					id, idxs, err := allocate(t.Context(), tx, recs, 1024, false)
					if err != nil {
						return err
					}
					if id != 1 || len(idxs) != 3 {
						t.Errorf("list %d, indexes %v", id, idxs)
					}
					return errRollback
				})
				want := tc.want
				if want == nil {
					want = errRollback
				}
				if !errors.Is(err, want) {
					t.Fatalf("err = %v; want %v", err, want)
				}
			})
		}
	})
}

// TestRecordIssuanceSharedTakesNoLock: while another transaction holds the tenant's allocation
// lock, an issuance into a sparse list is recorded, and one that needs the lock (lists smaller
// than minProbeListSize) waits for it.
func TestRecordIssuanceSharedTakesNoLock(t *testing.T) {
	onPostgres(t, func(t *testing.T, s *Store) {
		tenant := issuerstoretest.Rand("t-")
		record(t, s, tenant, 1, 1024)
		release := holding(t, s, lockTenant(tenant))
		select {
		case err := <-inBackground(t, s, tenant, 2, 1024):
			if err != nil {
				release()
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			release()
			t.Fatal("an issuance into a sparse list waited for the allocation lock")
		}
		exclusive := inBackground(t, s, tenant, 1, 16)
		select {
		case err := <-exclusive:
			release()
			t.Fatalf("an exclusive issuance did not wait for the allocation lock (err %v)", err)
		case <-time.After(300 * time.Millisecond):
		}
		release()
		if err := <-exclusive; err != nil {
			t.Fatal(err)
		}
	})
}

// TestAllocateSharedGivesUp: a shared allocation that draws indexes another transaction holds
// uncommitted gives up after probeLockTimeout (sqldb.ErrLockTimeout, which makes
// RecordIssuance run exclusively) instead of waiting for it.
func TestAllocateSharedGivesUp(t *testing.T) {
	onPostgres(t, func(t *testing.T, s *Store) {
		tenant := issuerstoretest.Rand("t-")
		record(t, s, tenant, 1, 1024)
		release := holding(t, s, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(context.Background(),
				"INSERT INTO issuer_status_entries (tenant, list_id, idx, status, issuance_id) "+
					"SELECT ?, 1, g, 0, 'held-' || g FROM generate_series(0, 1023) AS g ON CONFLICT DO NOTHING", tenant)
			return err
		})
		defer release()
		done := make(chan error, 1)
		go func() {
			recs := issuerstoretest.NewIssuances(issuerstoretest.NewOffer(tenant, issuerstoretest.T0), "c1", 1, issuerstoretest.T0)
			done <- s.db.Tx(context.Background(), func(tx *sqldb.Tx) error {
				_, _, err := allocate(context.Background(), tx, recs, 1024, false)
				return err
			})
		}()
		select {
		case err := <-done:
			if !errors.Is(err, sqldb.ErrLockTimeout) {
				t.Fatalf("err = %v; want sqldb.ErrLockTimeout", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("a shared allocation waited for another transaction's uncommitted entries")
		}
	})
}

// TestRecordIssuanceFullMidBatch: a batch of two for a list with two free indexes, one of them
// taken meanwhile by a transaction that commits after the batch started, goes whole to the
// next list; the first list keeps exactly its other entries.
func TestRecordIssuanceFullMidBatch(t *testing.T) {
	onPostgres(t, func(t *testing.T, s *Store) {
		tenant := issuerstoretest.Rand("t-")
		record(t, s, tenant, 1, 1024) // list 1, one entry
		var taken []int
		if err := s.db.Tx(t.Context(), func(tx *sqldb.Tx) error {
			m, err := allocatedIndexes(t.Context(), tx, tenant, 1)
			taken = taken[:0]
			for idx := range m {
				taken = append(taken, idx)
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		free := []int{(taken[0] + 5) % 1024, (taken[0] + 700) % 1024}
		fill(t, s, tenant, free...) // 1022 allocated
		recs := recordWhileHeld(t, s, tenant, 2, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(context.Background(),
				"INSERT INTO issuer_status_entries (tenant, list_id, idx, status, issuance_id) VALUES (?, 1, ?, 0, 'other')", tenant, free[1])
			return err
		})
		for _, r := range recs {
			if r.StatusList != 2 {
				t.Fatalf("record in list %d; want 2", r.StatusList)
			}
		}
		st, err := s.StatusList(t.Context(), tenant, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Statuses) != 1023 {
			t.Fatalf("list 1 has %d entries; want 1023", len(st.Statuses))
		}
	})
}

// TestRecordIssuanceAfterLockTimeout: an issuance whose shared attempt gives up on indexes
// another transaction holds is recorded by the exclusive attempt, which waits for them (here
// the other transaction fills list 1, so the issuance goes to list 2).
func TestRecordIssuanceAfterLockTimeout(t *testing.T) {
	onPostgres(t, func(t *testing.T, s *Store) {
		tenant := issuerstoretest.Rand("t-")
		record(t, s, tenant, 1, 1024)
		recs := recordWhileHeld(t, s, tenant, 1, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(context.Background(),
				"INSERT INTO issuer_status_entries (tenant, list_id, idx, status, issuance_id) "+
					"SELECT ?, 1, g, 0, 'held-' || g FROM generate_series(0, 1023) AS g ON CONFLICT DO NOTHING", tenant)
			return err
		})
		if recs[0].StatusList != 2 {
			t.Fatalf("record in list %d; want 2", recs[0].StatusList)
		}
	})
}
