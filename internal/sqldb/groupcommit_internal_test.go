package sqldb

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func openGroupTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.Context(), "sqlite:"+filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return db
}

func countRows(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM t").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestGroupCommitIsolatesFailures: among transactions sharing commits, one that fails, one
// that panics and one that conflicts leave no trace, and every other one is committed.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	db := openGroupTestDB(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make([]error, 60)
	panics := make([]any, 60)
	for i := range 60 {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = db.Tx(ctx, func(tx *Tx) error {
				key := "k" + strconv.Itoa(i)
				if i == 7 {
					key = "k0" // conflicts with transaction 0 (one of them loses)
				}
				if _, err := tx.ExecContext(ctx, "INSERT INTO t (k, v) VALUES (?, ?)", key, i); err != nil {
					return err
				}
				switch i {
				case 13:
					return errors.New("refused by the function")
				case 21:
					panic("boom")
				}
				return nil
			})
		})
	}
	wg.Wait()
	if c := db.committer.commits.Load(); c >= 60 {
		t.Errorf("%d commits for 60 concurrent transactions: none shared", c)
	}
	conflicts := 0
	for i, err := range errs {
		switch {
		case i == 13:
			if err == nil || err.Error() != "refused by the function" {
				t.Errorf("13: %v", err)
			}
		case i == 21:
			if panics[i] != "boom" {
				t.Errorf("21: panic %v, err %v", panics[i], err)
			}
		case i == 0 || i == 7:
			if errors.Is(err, ErrConflict) {
				conflicts++
			} else if err != nil {
				t.Errorf("%d: %v", i, err)
			}
		case err != nil:
			t.Errorf("%d: %v", i, err)
		}
	}
	if conflicts != 1 {
		t.Errorf("%d conflicts between 0 and 7, want 1", conflicts)
	}
	if n := countRows(t, db); n != 57 {
		t.Errorf("%d rows, want 57 (60 − refused − panicked − conflicting)", n)
	}
	var v int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM t WHERE k IN ('k13', 'k21')").Scan(&v); err != nil || v != 0 {
		t.Errorf("rolled-back rows left: %d %v", v, err)
	}
}

// TestGroupCommitBatches: transactions queued while one runs share the next commit, run in
// order and see each other's writes; one withdrawn before it started never runs.
func TestGroupCommitBatches(t *testing.T) {
	db := openGroupTestDB(t)
	ctx := t.Context()
	release, started := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.Tx(ctx, func(tx *Tx) error {
			close(started)
			<-release
			_, err := tx.ExecContext(ctx, "INSERT INTO t (k, v) VALUES ('first', 0)")
			return err
		})
	}()
	<-started
	before := db.committer.commits.Load()

	// While the first runs: a withdrawn transaction and five that increment a counter row.
	wctx, cancel := context.WithCancel(ctx)
	withdrawn := make(chan error, 1)
	ran := make(chan struct{}, 1)
	go func() {
		withdrawn <- db.Tx(wctx, func(*Tx) error { ran <- struct{}{}; return nil })
	}()
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if err := db.Tx(ctx, func(tx *Tx) error {
				_, err := tx.ExecContext(ctx, "INSERT INTO t (k, v) VALUES ('n', 1) ON CONFLICT (k) DO UPDATE SET v = v + 1")
				return err
			}); err != nil {
				t.Error(err)
			}
		})
	}
	waitQueued(t, db, 6)
	cancel()
	if err := <-withdrawn; !errors.Is(err, context.Canceled) {
		t.Fatalf("withdrawn: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	select {
	case <-ran:
		t.Fatal("a withdrawn transaction ran")
	default:
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT v FROM t WHERE k = 'n'").Scan(&n); err != nil || n != 5 {
		t.Fatalf("counter %d %v, want 5", n, err)
	}
	if c := db.committer.commits.Load() - before; c != 2 {
		t.Fatalf("%d commits for the first transaction and the five queued behind it, want 2", c)
	}
}

// TestGroupCommitClosed: after Close, Tx fails with ErrClosed instead of hanging.
func TestGroupCommitClosed(t *testing.T) {
	db := openGroupTestDB(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	err := db.Tx(t.Context(), func(*Tx) error { return nil })
	if !errors.Is(err, ErrClosed) {
		t.Fatalf("Tx after Close: %v", err)
	}
}

// TestGroupCommitIgnoresCancelWhileRunning: once a function runs in the shared transaction, its
// caller's cancellation does not interrupt its statements (which could roll back the others'
// work); the caller gets the commit's result.
func TestGroupCommitIgnoresCancelWhileRunning(t *testing.T) {
	db := openGroupTestDB(t)
	ctx, cancel := context.WithCancel(t.Context())
	err := db.Tx(ctx, func(tx *Tx) error {
		cancel()
		_, err := tx.ExecContext(ctx, "INSERT INTO t (k, v) VALUES ('after-cancel', 1)")
		return err
	})
	if err != nil {
		t.Fatalf("Tx: %v", err)
	}
	if n := countRows(t, db); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
}

// waitQueued waits until n jobs are queued for the committer.
func waitQueued(t *testing.T, db *DB, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(db.committer.jobs) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs queued after 10 s, want %d", len(db.committer.jobs), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// holdCommitter runs a transaction that blocks the committer until release is closed.
func holdCommitter(t *testing.T, db *DB) (release chan struct{}, done chan error) {
	t.Helper()
	release, started, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.Tx(context.Background(), func(tx *Tx) error {
			close(started)
			<-release
			_, err := tx.ExecContext(context.Background(), "INSERT INTO t (k, v) VALUES ('holder', 0)")
			return err
		})
	}()
	<-started
	return release, done
}

// TestGroupCommitWholeRollback: a statement that makes SQLite roll back the whole shared
// transaction (ON CONFLICT ROLLBACK) fails its own caller; the others in its batch, done
// and not yet run, are retried and committed.
func TestGroupCommitWholeRollback(t *testing.T) {
	db := openGroupTestDB(t)
	ctx := t.Context()
	if _, err := db.ExecContext(ctx, "CREATE TABLE r (k TEXT PRIMARY KEY ON CONFLICT ROLLBACK)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO r (k) VALUES ('dup')"); err != nil {
		t.Fatal(err)
	}
	release, held := holdCommitter(t, db)
	insert := func(table, key string) chan error {
		out := make(chan error, 1)
		go func() {
			out <- db.Tx(ctx, func(tx *Tx) error {
				q := "INSERT INTO t (k, v) VALUES (?, 1)"
				if table == "r" {
					q = "INSERT INTO r (k) VALUES (?)"
				}
				_, err := tx.ExecContext(ctx, q, key)
				return err
			})
		}()
		return out
	}
	a := insert("t", "a")
	waitQueued(t, db, 1)
	b := insert("r", "dup")
	waitQueued(t, db, 2)
	c := insert("t", "c")
	waitQueued(t, db, 3)
	close(release)
	if err := <-held; err != nil {
		t.Fatal(err)
	}
	if err := <-a; err != nil {
		t.Errorf("a: %v", err)
	}
	if err := <-b; !errors.Is(err, ErrConflict) {
		t.Errorf("b: %v, want a conflict", err)
	}
	if err := <-c; err != nil {
		t.Errorf("c: %v", err)
	}
	if n := countRows(t, db); n != 3 {
		t.Errorf("%d rows in t, want 3 (holder, a, c)", n)
	}
}

// TestGroupCommitGoexit: a function that exits its goroutine fails alone; the committer
// keeps serving.
func TestGroupCommitGoexit(t *testing.T) {
	db := openGroupTestDB(t)
	err := db.Tx(t.Context(), func(tx *Tx) error {
		if _, err := tx.ExecContext(t.Context(), "INSERT INTO t (k, v) VALUES ('gone', 1)"); err != nil {
			return err
		}
		runtime.Goexit()
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "Goexit") {
		t.Fatalf("Tx with Goexit: %v", err)
	}
	if err := db.Tx(t.Context(), func(tx *Tx) error {
		_, err := tx.ExecContext(t.Context(), "INSERT INTO t (k, v) VALUES ('after', 1)")
		return err
	}); err != nil {
		t.Fatalf("Tx after Goexit: %v", err)
	}
	if n := countRows(t, db); n != 1 {
		t.Fatalf("%d rows, want 1 (the exited function's row rolled back)", n)
	}
}

// TestOpenFailureStopsCommitter: a failed Open leaves no committer goroutine behind.
func TestOpenFailureStopsCommitter(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	before := runtime.NumGoroutine()
	for range 5 {
		if _, err := Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "x.db")); err == nil {
			t.Fatal("Open with a cancelled ctx succeeded")
		}
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+1 {
		t.Fatalf("goroutines %d → %d after five failed Opens", before, after)
	}
}
