package sqldb

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/hashi-vc/hashi/internal/storeerr"
)

// Sentinel errors. Errors returned by this package and by the query methods of DB and Tx wrap
// one of these where it applies, together with the original driver error, so both
// errors.Is(err, sqldb.ErrConflict) and errors.As(err, &pgErr) work. They are the values of
// internal/storeerr, which domain packages (that may not import database/sql) test for.
var (
	// ErrNotFound means the row asked for does not exist. It wraps sql.ErrNoRows when it comes
	// from a query. Store packages return it (wrapped) for "no such record"; the domain
	// packages document this contract on their Store interfaces.
	ErrNotFound = storeerr.ErrNotFound

	// ErrConflict means a unique or primary-key constraint rejected a write: the record
	// already exists. (SQLite SQLITE_CONSTRAINT_UNIQUE / SQLITE_CONSTRAINT_PRIMARYKEY,
	// PostgreSQL 23505 unique_violation.)
	ErrConflict = storeerr.ErrConflict

	// ErrBusy means the database stayed busy: SQLite SQLITE_BUSY or SQLITE_LOCKED, or a
	// PostgreSQL serialization failure (40001) or deadlock (40P01). Tx retries these; when
	// it gives up, the error it returns wraps ErrBusy. An HTTP edge may map it to 503.
	ErrBusy = storeerr.ErrBusy

	// ErrExpired means a single-use value exists but its expiry has passed. It wraps
	// ErrNotFound, so callers that do not care why a value cannot be redeemed test for
	// ErrNotFound alone.
	ErrExpired = storeerr.ErrExpired

	// ErrInvalid means an argument was rejected before touching the database: empty, too
	// long (see limits.go), badly formed, or a zero time.
	ErrInvalid = storeerr.ErrInvalid

	// ErrClosed means the database was closed while the transaction waited for its turn.
	ErrClosed = errors.New("database closed")

	// ErrLockTimeout means a statement waited longer for a lock than the transaction's
	// PostgreSQL lock_timeout allows (55P03 lock_not_available); the transaction is aborted.
	// Tx does not retry it: a transaction sets lock_timeout to give up waiting on purpose.
	ErrLockTimeout = errors.New("lock wait timed out")
)

// SQLite result codes used below (https://www.sqlite.org/rescode.html). Busy and locked are
// primary codes, compared after masking the extended code with 0xff.
const (
	sqliteBusy                 = 5
	sqliteLocked               = 6
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintUnique     = 2067
)

// PostgreSQL SQLSTATE codes used below (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgUniqueViolation      = "23505"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgLockNotAvailable     = "55P03"
)

// errClass is what translate makes of a driver error.
type errClass int

const (
	classOther errClass = iota
	classNotFound
	classConflict
	classBusy
	classLockTimeout
)

// classify looks through err's wrap chain for sql.ErrNoRows or a driver error and says which
// sentinel, if any, it corresponds to.
func classify(err error) errClass {
	if errors.Is(err, sql.ErrNoRows) {
		return classNotFound
	}
	if se, ok := errors.AsType[*sqlite.Error](err); ok {
		code := se.Code()
		switch {
		case code == sqliteConstraintUnique || code == sqliteConstraintPrimaryKey:
			return classConflict
		case code&0xff == sqliteBusy || code&0xff == sqliteLocked:
			return classBusy
		}
		return classOther
	}
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok {
		switch pe.Code {
		case pgUniqueViolation:
			return classConflict
		case pgSerializationFailure, pgDeadlockDetected:
			return classBusy
		case pgLockNotAvailable:
			return classLockTimeout
		}
	}
	return classOther
}

// translate wraps a driver error with the matching sentinel (ErrNotFound, ErrConflict,
// ErrBusy, ErrLockTimeout), keeping the original in the chain. Errors that already carry a sentinel, and
// errors of no known class, are returned unchanged.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var sentinel error
	switch classify(err) {
	case classNotFound:
		sentinel = ErrNotFound
	case classConflict:
		sentinel = ErrConflict
	case classBusy:
		sentinel = ErrBusy
	case classLockTimeout:
		sentinel = ErrLockTimeout
	case classOther:
	}
	if sentinel == nil || errors.Is(err, sentinel) {
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}

// errBatchAborted is what the other transactions of a shared (group-commit) transaction get
// when one of them made SQLite roll the whole transaction back (an ON CONFLICT ROLLBACK, a
// full disk, ...): their own work was sound, so they are run again.
var errBatchAborted = errors.New("sqldb: the shared transaction was rolled back by another caller's statement")

// retryable reports whether a transaction that failed with err may succeed when run again.
func retryable(err error) bool {
	return errors.Is(err, ErrBusy) || errors.Is(err, errBatchAborted) || classify(err) == classBusy
}
