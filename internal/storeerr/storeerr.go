// Package storeerr holds the error sentinels of hashi's stores. internal/sqldb returns them
// (as sqldb.ErrNotFound, ErrConflict, ...: the same values), and the domain packages
// (issuer, wallet, verifier), which may not import database/sql, test for them here when
// they interpret what their Store returned.
package storeerr

import "errors"

var (
	// ErrNotFound means the row asked for does not exist.
	ErrNotFound = errors.New("sqldb: not found")

	// ErrConflict means a unique or primary-key constraint rejected a write: the record
	// already exists.
	ErrConflict = errors.New("sqldb: conflict")

	// ErrBusy means the database stayed busy (SQLite busy or locked, PostgreSQL
	// serialization failure or deadlock) after the transaction retries.
	ErrBusy = errors.New("sqldb: busy")

	// ErrExpired means a single-use value exists but its expiry has passed. It wraps
	// ErrNotFound, so callers that do not care why a value cannot be redeemed test for
	// ErrNotFound alone.
	ErrExpired error = &childError{msg: "sqldb: expired", parent: ErrNotFound}

	// ErrInvalid means an argument was rejected before touching the database.
	ErrInvalid = errors.New("sqldb: invalid argument")
)

// childError is a sentinel that is also its parent sentinel under errors.Is.
type childError struct {
	msg    string
	parent error
}

func (e *childError) Error() string { return e.msg }
func (e *childError) Unwrap() error { return e.parent }
