package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Tx is a transaction in progress, handed to the function given to DB.Tx. Its query methods
// take "?" placeholders and translate errors like DB's. It is valid only until that function
// returns.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	// shared marks a transaction several callers share (group commit): its statements ignore
	// the caller's cancellation, because interrupting one would roll back the others' work
	// too (SQLite rolls back the whole transaction of an interrupted write), and the caller
	// waits for the commit anyway once its function has started.
	shared bool
}

// stmtCtx is the context a statement of tx runs under.
func (tx *Tx) stmtCtx(ctx context.Context) context.Context {
	if tx.shared {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// TxOptions tunes DB.TxWith. The zero value is what DB.Tx uses.
type TxOptions struct {
	// Isolation is the PostgreSQL isolation level; sql.LevelDefault means READ COMMITTED.
	// SQLite ignores it: its transactions are always serializable.
	Isolation sql.IsolationLevel
	// ReadOnly marks a transaction that only reads. On SQLite it begins with a plain
	// (deferred) BEGIN instead of BEGIN IMMEDIATE, so it does not wait for writers.
	ReadOnly bool
}

// Tx runs fn in a read-write transaction and commits it if fn returns nil, or rolls it back
// if fn returns an error or panics (the panic is re-raised). On SQLite, concurrent Tx calls
// share commits (see groupcommit.go): fn then runs on the committer's goroutine inside a
// savepoint, with the same guarantees.
//
// When the transaction fails with a retryable error — SQLite SQLITE_BUSY or SQLITE_LOCKED,
// PostgreSQL serialization_failure (40001) or deadlock_detected (40P01), whether at BEGIN,
// inside fn or at COMMIT — Tx rolls back, sleeps a short jittered, exponentially growing
// time, and runs fn again, up to WithMaxAttempts times (default 10) or until ctx is done.
// When it gives up, the error wraps ErrBusy and the last driver error.
//
// fn must therefore be safe to run more than once: it must do all its database work through
// tx, keep no state from a failed attempt (reset anything it accumulates at its start), and
// defer side effects outside the database (HTTP calls, channel sends, metrics) until Tx has
// returned nil. fn must not use the DB (or start another Tx) while it runs: on SQLite a
// write waits for the lock this transaction holds (up to the busy timeout) and another Tx
// waits for the committer that is running fn, forever unless its ctx ends. Errors fn returns are passed back
// unchanged except that driver errors are translated; they are retried only if retryable.
func (db *DB) Tx(ctx context.Context, fn func(tx *Tx) error) error {
	return db.TxWith(ctx, TxOptions{}, fn)
}

// TxWith is Tx with options, e.g. TxOptions{Isolation: sql.LevelSerializable} for a
// PostgreSQL transaction whose reads must not go stale before it writes.
func (db *DB) TxWith(ctx context.Context, opts TxOptions, fn func(tx *Tx) error) error {
	if fn == nil {
		return fmt.Errorf("sqldb: tx: %w: nil function", ErrInvalid)
	}
	sqlOpts := &sql.TxOptions{ReadOnly: opts.ReadOnly}
	if db.dialect == Postgres {
		sqlOpts.Isolation = opts.Isolation
	}
	var err error
	for attempt := 1; ; attempt++ {
		if db.committer != nil && !opts.ReadOnly {
			err = db.committer.submit(ctx, fn)
		} else {
			err = db.runTx(ctx, sqlOpts, fn)
		}
		if err == nil {
			return nil
		}
		if !retryable(err) {
			return err
		}
		if attempt >= db.cfg.maxAttempts {
			break
		}
		if werr := sleep(ctx, backoff(attempt)); werr != nil {
			return fmt.Errorf("sqldb: tx: %w (after %d attempts: %w)", werr, attempt, err)
		}
	}
	err = translate(err)
	if !errors.Is(err, ErrBusy) {
		err = fmt.Errorf("%w: %w", ErrBusy, err)
	}
	return fmt.Errorf("sqldb: tx: gave up after %d attempts: %w", db.cfg.maxAttempts, err)
}

// runTx runs one attempt. The transaction is begun without ctx's cancellation: database/sql
// would otherwise roll it back when ctx ends, even while COMMIT runs, and a caller gone by
// then could be told its writes failed after they were committed. fn's statements still
// take ctx, so a cancelled caller stops them; once fn has succeeded, the commit runs to its
// end.
func (db *DB) runTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	stx, err := db.db.BeginTx(context.WithoutCancel(ctx), opts)
	if err != nil {
		return translate(err)
	}
	done := false
	defer func() {
		if !done {
			_ = stx.Rollback() // a panic is unwinding; fn's panic matters more
		}
	}()
	ferr := fn(&Tx{tx: stx, dialect: db.dialect})
	if ferr != nil {
		done = true
		_ = stx.Rollback() // the transaction is discarded either way
		return translate(ferr)
	}
	done = true
	return translate(stx.Commit())
}

// backoff returns the sleep before retry number attempt (1-based): uniformly random in
// [0, min(retryMaxDelay, retryBaseDelay*2^(attempt-1))] ("full jitter"), so that
// competing transactions spread out instead of colliding again.
func backoff(attempt int) time.Duration {
	d := retryMaxDelay
	if attempt < 16 {
		d = min(retryMaxDelay, retryBaseDelay<<(attempt-1))
	}
	return rand.N(d + 1) //nolint:gosec // jitter, not a secret
}

// sleep waits for d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = tx.stmtCtx(ctx)
	res, err := tx.tx.ExecContext(ctx, tx.dialect.Rebind(query), args...)
	return res, translate(err)
}

// QueryContext runs a query in the transaction. Errors from the returned rows (rows.Err) are
// not translated, but Tx still recognises retryable ones.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.stmtCtx(ctx)
	rows, err := tx.tx.QueryContext(ctx, tx.dialect.Rebind(query), args...)
	return rows, translate(err)
}

// Scanner is what a row is read from: *sql.Rows, *sql.Row or *Row.
type Scanner interface {
	Scan(dest ...any) error
}

// QueryAll runs query in tx and returns what scan reads from each row, in order (nil for no
// rows). It stops at the first error.
func QueryAll[T any](ctx context.Context, tx *Tx, scan func(Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// QueryRowContext runs a query expected to return at most one row in the transaction.
// Row.Scan returns an error wrapping ErrNotFound when there is no row.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *Row {
	ctx = tx.stmtCtx(ctx)
	return &Row{row: tx.tx.QueryRowContext(ctx, tx.dialect.Rebind(query), args...)}
}

// Dialect reports which database the transaction runs on.
func (tx *Tx) Dialect() Dialect { return tx.dialect }

// SQL returns the underlying *sql.Tx. Queries on it get neither rebinding nor translation.
// In a shared transaction (SQLite group commit) it belongs to several callers: never commit or
// roll it back, and prefer Tx's own methods (they ignore the caller's cancellation there).
func (tx *Tx) SQL() *sql.Tx { return tx.tx }
