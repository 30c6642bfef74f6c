package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

func createCounter(t *testing.T, db *sqldb.DB) {
	t.Helper()
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, "CREATE TABLE counter (id TEXT PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO counter (id, n) VALUES ('c', 0)"); err != nil {
		t.Fatal(err)
	}
}

func readCounter(t *testing.T, db *sqldb.DB) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRowContext(t.Context(), "SELECT n FROM counter WHERE id = 'c'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var errBoom = errors.New("boom")

func TestTxCommitRollback(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		createCounter(t, db)
		tests := []struct {
			name    string
			fn      func(tx *sqldb.Tx) error
			wantErr error
			wantN   int64
			panics  bool
		}{
			{name: "ok/commit", fn: func(tx *sqldb.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE counter SET n = n + ? WHERE id = 'c'", 5)
				return err
			}, wantN: 5},
			{name: "fail/error-rolls-back", fn: func(tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, "UPDATE counter SET n = n + 100 WHERE id = 'c'"); err != nil {
					return err
				}
				return errBoom
			}, wantErr: errBoom, wantN: 5},
			{name: "fail/panic-rolls-back", fn: func(tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, "UPDATE counter SET n = n + 100 WHERE id = 'c'"); err != nil {
					return err
				}
				panic(errBoom)
			}, panics: true, wantN: 5},
			{name: "fail/nil-fn", wantErr: sqldb.ErrInvalid, wantN: 5},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				var err error
				func() {
					defer func() {
						r := recover()
						if (r != nil) != tt.panics {
							t.Fatalf("recover() = %v; panics %v", r, tt.panics)
						}
					}()
					err = db.Tx(ctx, tt.fn)
				}()
				if !tt.panics && !errors.Is(err, tt.wantErr) && (err != nil || tt.wantErr != nil) {
					t.Fatalf("Tx = %v; want %v", err, tt.wantErr)
				}
				if n := readCounter(t, db); n != tt.wantN {
					t.Fatalf("counter = %d; want %d", n, tt.wantN)
				}
			})
		}
		// The pool is still usable after the panic: the connection was released.
		if err := db.Tx(ctx, func(*sqldb.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
	})
}

// TestTxConcurrentIncrements runs many read-modify-write transactions at once, at the
// strictest isolation. On PostgreSQL they collide with serialization failures, on SQLite with
// the write lock; with retries every increment lands exactly once.
func TestTxConcurrentIncrements(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		createCounter(t, db)
		const workers = 16
		var (
			wg       sync.WaitGroup
			attempts atomic.Int64
		)
		errs := make([]error, workers)
		start := make(chan struct{})
		for i := range workers {
			wg.Go(func() {
				<-start
				errs[i] = db.TxWith(t.Context(), sqldb.TxOptions{Isolation: sql.LevelSerializable}, func(tx *sqldb.Tx) error {
					attempts.Add(1)
					var n int64
					if err := tx.QueryRowContext(t.Context(), "SELECT n FROM counter WHERE id = 'c'").Scan(&n); err != nil {
						return err
					}
					time.Sleep(time.Millisecond) // widen the race window
					_, err := tx.ExecContext(t.Context(), "UPDATE counter SET n = ? WHERE id = 'c'", n+1)
					return err
				})
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("worker %d: %v", i, err)
			}
		}
		if n := readCounter(t, db); n != workers {
			t.Fatalf("counter = %d; want %d (lost updates)", n, workers)
		}
		t.Logf("%d transactions took %d attempts", workers, attempts.Load())
	}, sqldb.WithMaxAttempts(50))
}

// TestTxRetriesSerializationFailure provokes exactly one PostgreSQL serialization failure and
// checks that Tx runs fn again and succeeds, and that without retries the failure surfaces as
// ErrBusy.
func TestTxRetriesSerializationFailure(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn, sqldb.WithMaxAttempts(3))
		if db.Dialect() != sqldb.Postgres {
			t.Skip("SQLite admits one writer at a time, so there is no serialization failure; see TestTxRetriesBusy")
		}
		noRetry := sqldbtest.Open(t, dsn, sqldb.WithMaxAttempts(1))
		ctx := t.Context()
		createCounter(t, db)
		conflictOnce := func(db *sqldb.DB, calls *int) error {
			return db.TxWith(ctx, sqldb.TxOptions{Isolation: sql.LevelSerializable}, func(tx *sqldb.Tx) error {
				*calls++
				var n int64
				if err := tx.QueryRowContext(ctx, "SELECT n FROM counter WHERE id = 'c'").Scan(&n); err != nil {
					return err
				}
				if *calls == 1 {
					// Another session changes the row after this transaction's snapshot.
					if _, err := db.ExecContext(ctx, "UPDATE counter SET n = n + 10 WHERE id = 'c'"); err != nil {
						return err
					}
				}
				_, err := tx.ExecContext(ctx, "UPDATE counter SET n = ? WHERE id = 'c'", n+1)
				return err
			})
		}

		calls := 0
		if err := conflictOnce(db, &calls); err != nil {
			t.Fatal(err)
		}
		if calls != 2 {
			t.Fatalf("fn ran %d times; want 2", calls)
		}
		if n := readCounter(t, db); n != 11 {
			t.Fatalf("counter = %d; want 11", n)
		}

		calls = 0
		err := conflictOnce(noRetry, &calls)
		if !errors.Is(err, sqldb.ErrBusy) {
			t.Fatalf("without retries: %v; want ErrBusy", err)
		}
		if pe, ok := errors.AsType[*pgconn.PgError](err); !ok || pe.Code != "40001" {
			t.Fatalf("without retries: %v; want SQLSTATE 40001", err)
		}
		if calls != 1 {
			t.Fatalf("fn ran %d times; want 1", calls)
		}
		if n := readCounter(t, db); n != 21 {
			t.Fatalf("counter = %d; want 21 (only the other session's update)", n)
		}
	})
}

// TestTxRetriesDeadlock makes two PostgreSQL transactions lock two rows in opposite orders.
// The server aborts one with deadlock_detected (40P01) after deadlock_timeout (1s by
// default); Tx runs it again and both commit.
func TestTxRetriesDeadlock(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		if db.Dialect() != sqldb.Postgres {
			t.Skip("SQLite transactions take the write lock at BEGIN, so they cannot deadlock")
		}
		ctx := t.Context()
		if _, err := db.ExecContext(ctx, "CREATE TABLE rows2 (id TEXT PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO rows2 (id, n) VALUES ('a', 0), ('b', 0)"); err != nil {
			t.Fatal(err)
		}
		var (
			wg       sync.WaitGroup
			attempts atomic.Int64
			locked   sync.WaitGroup // both hold their first row
		)
		locked.Add(2)
		errs := make([]error, 2)
		for i, order := range [][2]string{{"a", "b"}, {"b", "a"}} {
			wg.Go(func() {
				first := true
				errs[i] = db.Tx(ctx, func(tx *sqldb.Tx) error {
					attempts.Add(1)
					if _, err := tx.ExecContext(ctx, "UPDATE rows2 SET n = n + 1 WHERE id = ?", order[0]); err != nil {
						return err
					}
					if first {
						first = false
						locked.Done()
						locked.Wait()
					}
					_, err := tx.ExecContext(ctx, "UPDATE rows2 SET n = n + 1 WHERE id = ?", order[1])
					return err
				})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("transaction %d: %v", i, err)
			}
		}
		if got := attempts.Load(); got != 3 {
			t.Fatalf("%d attempts; want 3 (one deadlock victim retried)", got)
		}
		var sum int64
		if err := db.QueryRowContext(ctx, "SELECT SUM(n) FROM rows2").Scan(&sum); err != nil {
			t.Fatal(err)
		}
		if sum != 4 {
			t.Fatalf("sum = %d; want 4", sum)
		}
	})
}

// TestTxLockTimeout: a PostgreSQL transaction that set lock_timeout and waits longer for a row
// another transaction holds fails with ErrLockTimeout (55P03), once: Tx does not retry it.
func TestTxLockTimeout(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		if db.Dialect() != sqldb.Postgres {
			t.Skip("lock_timeout is PostgreSQL's")
		}
		ctx := t.Context()
		if _, err := db.ExecContext(ctx, "CREATE TABLE held (id TEXT PRIMARY KEY, n BIGINT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO held (id, n) VALUES ('a', 0)"); err != nil {
			t.Fatal(err)
		}
		holding, release := make(chan struct{}), make(chan struct{})
		holder := make(chan error, 1)
		go func() {
			holder <- db.Tx(ctx, func(tx *sqldb.Tx) error {
				if _, err := tx.ExecContext(ctx, "UPDATE held SET n = n + 1 WHERE id = 'a'"); err != nil {
					return err
				}
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		attempts := 0
		err := db.Tx(ctx, func(tx *sqldb.Tx) error {
			attempts++
			if _, err := tx.ExecContext(ctx, "SET LOCAL lock_timeout = '50ms'"); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "UPDATE held SET n = n + 10 WHERE id = 'a'")
			return err
		})
		close(release)
		if herr := <-holder; herr != nil {
			t.Fatal(herr)
		}
		if !errors.Is(err, sqldb.ErrLockTimeout) || errors.Is(err, sqldb.ErrBusy) {
			t.Fatalf("err = %v; want ErrLockTimeout, not ErrBusy", err)
		}
		if attempts != 1 {
			t.Fatalf("%d attempts; want 1", attempts)
		}
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT n FROM held WHERE id = 'a'").Scan(&n); err != nil || n != 1 {
			t.Fatalf("n = %d (%v); want 1", n, err)
		}
	})
}

// TestTxRetriesBusy holds SQLite's write lock on one connection for longer than the busy
// timeout: Tx keeps retrying and succeeds once the lock is released, and with a small retry
// budget it gives up with ErrBusy.
func TestTxRetriesBusy(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn, sqldb.WithBusyTimeout(20*time.Millisecond), sqldb.WithMaxAttempts(100))
		if db.Dialect() != sqldb.SQLite {
			t.Skip("SQLITE_BUSY is SQLite's; see TestTxRetriesSerializationFailure and TestTxRetriesDeadlock")
		}
		twice := sqldbtest.Open(t, dsn, sqldb.WithBusyTimeout(20*time.Millisecond), sqldb.WithMaxAttempts(2))
		ctx := t.Context()
		createCounter(t, db)
		increment := func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE counter SET n = n + 1 WHERE id = 'c'")
			return err
		}

		// holdLock takes the write lock (BEGIN IMMEDIATE) and returns its release.
		holdLock := func() func() {
			t.Helper()
			holder, err := db.SQL().BeginTx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			return func() {
				if err := holder.Rollback(); err != nil {
					t.Error(err)
				}
			}
		}

		release := holdLock()
		err := twice.Tx(ctx, increment)
		if !errors.Is(err, sqldb.ErrBusy) {
			t.Fatalf("with the lock held throughout: %v; want ErrBusy", err)
		}
		if se, ok := errors.AsType[*sqlite.Error](err); !ok || se.Code()&0xff != 5 {
			t.Fatalf("with the lock held throughout: %v; want SQLITE_BUSY", err)
		}
		release()

		release = holdLock()
		held := 300 * time.Millisecond // 15 busy timeouts
		timer := time.AfterFunc(held, release)
		defer timer.Stop()
		began := time.Now()
		if err := db.Tx(ctx, increment); err != nil {
			t.Fatalf("after the lock is released: %v", err)
		}
		if waited := time.Since(began); waited < held-50*time.Millisecond {
			t.Fatalf("Tx finished after %v, before the lock was released", waited)
		}
		if n := readCounter(t, db); n != 1 {
			t.Fatalf("counter = %d; want 1", n)
		}
	})
}

func TestTxReadOnly(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		createCounter(t, db)
		// A read-only transaction does not wait for a writer on SQLite (plain BEGIN in WAL mode).
		holder, err := db.SQL().BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = holder.Rollback() }()
		var n int64
		err = db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true}, func(tx *sqldb.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT n FROM counter WHERE id = 'c'").Scan(&n)
		})
		if err != nil || n != 0 {
			t.Fatalf("read-only Tx = %d, %v", n, err)
		}
		if db.Dialect() == sqldb.Postgres {
			err = db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true}, func(tx *sqldb.Tx) error {
				_, err := tx.ExecContext(ctx, "UPDATE counter SET n = 1")
				return err
			})
			if err == nil {
				t.Fatal("write in a read-only transaction succeeded")
			}
		}
	})
}

func TestTxContextCancelled(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		createCounter(t, db)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := db.Tx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE counter SET n = 99")
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Tx = %v; want context.Canceled", err)
		}
		if n := readCounter(t, db); n != 0 {
			t.Fatalf("counter = %d", n)
		}
	})
}

// TestQueryAll: every row in order, nil for none, and the first scan error stops it.
func TestQueryAll(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		if _, err := db.ExecContext(ctx, "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO items (id, name) VALUES (3, 'c'), (1, 'a'), (2, 'b')"); err != nil {
			t.Fatal(err)
		}
		name := func(sc sqldb.Scanner) (string, error) {
			var id int64
			var n string
			err := sc.Scan(&id, &n)
			return n, err
		}
		err := db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true}, func(tx *sqldb.Tx) error {
			got, err := sqldb.QueryAll(ctx, tx, name, "SELECT id, name FROM items WHERE id > ? ORDER BY id", 0)
			if err != nil || len(got) != 3 || got[0] != "a" || got[1] != "b" || got[2] != "c" {
				t.Errorf("QueryAll = %q, %v; want [a b c]", got, err)
			}
			none, err := sqldb.QueryAll(ctx, tx, name, "SELECT id, name FROM items WHERE id > ?", 9)
			if err != nil || none != nil {
				t.Errorf("QueryAll of no rows = %#v, %v; want nil, nil", none, err)
			}
			calls := 0
			_, err = sqldb.QueryAll(ctx, tx, func(sqldb.Scanner) (string, error) {
				calls++
				return "", errBoom
			}, "SELECT id, name FROM items")
			if !errors.Is(err, errBoom) || calls != 1 {
				t.Errorf("QueryAll with a failing scan = %v after %d calls; want errBoom after 1", err, calls)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true}, func(tx *sqldb.Tx) error {
			_, err := sqldb.QueryAll(ctx, tx, name, "SELECT nope FROM items")
			return err
		})
		if err == nil {
			t.Error("QueryAll of a bad query: no error")
		}
	})
}
