package sqldb

import (
	"context"
	"crypto/sha256"
	"embed"
	"fmt"
	"io/fs"
	"time"
)

//go:embed migrations/singleuse
var singleUseMigrations embed.FS

// SingleUseStore is the store name SingleUse migrates under (version table goose_singleuse).
const SingleUseStore = "singleuse"

// SingleUse remembers values that may be used once and expire: OpenID4VCI c_nonce, OpenID4VP
// state and nonce, DPoP and proof "jti" values. All three services share this table.
//
// Each value lives under a kind (e.g. "issuer.c_nonce", "verifier.state"), and kinds are
// separate namespaces. Use a kind either with Issue/Redeem (the service mints the value and
// later consumes it) or with Remember (the service sees a value minted by someone else and
// must reject a second sighting), not both. When several services share a PostgreSQL
// database, prefix kinds with the service.
//
// At rest the table holds the kind, SHA-256(value) and the expiry in unix milliseconds: a
// copy of the database does not reveal live nonces or state values, and any value up to
// MaxValueLen bytes costs the same 32 bytes. Values are opaque and compared byte for byte.
//
// Time is an input: every method that decides liveness takes now; zero times are rejected
// with ErrInvalid. Expiry has millisecond precision; a value is live while
// now < expiresAt. Nothing deletes expired rows by itself; run Sweep periodically.
type SingleUse struct {
	db *DB
}

// NewSingleUse runs the single-use migrations (store "singleuse"; idempotent, safe on
// several replicas at once) and returns the store.
func NewSingleUse(ctx context.Context, db *DB) (*SingleUse, error) {
	if db == nil {
		return nil, fmt.Errorf("sqldb: single use: %w: nil DB", ErrInvalid)
	}
	sub, err := fs.Sub(singleUseMigrations, "migrations/singleuse")
	if err != nil {
		return nil, fmt.Errorf("sqldb: single use: %w", err)
	}
	if err := db.Migrate(ctx, SingleUseStore, sub); err != nil {
		return nil, err
	}
	return &SingleUse{db: db}, nil
}

// Issue records value under kind, to be redeemed once with Redeem before expiresAt.
// It returns an error wrapping ErrConflict if the (kind, value) pair is already stored —
// even if that earlier entry has expired but has not been swept — because an issued value
// is meant to be fresh and random, and a repeat means it is not. It returns ErrInvalid for
// a bad kind or value or a zero expiresAt.
func (s *SingleUse) Issue(ctx context.Context, kind, value string, expiresAt time.Time) error {
	if err := checkKindValue(kind, value); err != nil {
		return fmt.Errorf("sqldb: issue: %w", err)
	}
	if expiresAt.IsZero() {
		return fmt.Errorf("sqldb: issue: %w: zero expiry", ErrInvalid)
	}
	h := sha256.Sum256([]byte(value))
	err := s.db.Tx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx,
			"INSERT INTO single_use (kind, value_hash, expires_at) VALUES (?, ?, ?)",
			kind, h[:], Millis(expiresAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqldb: issue: %w", err)
	}
	return nil
}

// Redeem consumes value under kind: of any number of concurrent callers, across replicas,
// exactly one gets nil. The value is gone afterwards whatever the outcome. It returns an
// error wrapping ErrNotFound if the value was never issued, was already redeemed, or was
// swept; wrapping ErrExpired (which itself wraps ErrNotFound) if it was issued but
// now >= expiresAt; ErrInvalid for a bad kind or value or a zero now. It runs one atomic
// DELETE ... RETURNING.
func (s *SingleUse) Redeem(ctx context.Context, kind, value string, now time.Time) error {
	if err := checkKindValue(kind, value); err != nil {
		return fmt.Errorf("sqldb: redeem: %w", err)
	}
	if now.IsZero() {
		return fmt.Errorf("sqldb: redeem: %w: zero now", ErrInvalid)
	}
	h := sha256.Sum256([]byte(value))
	var expires int64
	err := s.db.Tx(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx,
			"DELETE FROM single_use WHERE kind = ? AND value_hash = ? RETURNING expires_at",
			kind, h[:]).Scan(&expires)
	})
	if err != nil {
		return fmt.Errorf("sqldb: redeem: %w", err)
	}
	if expires <= Millis(now) {
		return fmt.Errorf("sqldb: redeem: %w", ErrExpired)
	}
	return nil
}

// Remember records the first sighting of value under kind until expiresAt — for values that
// must never be accepted twice while they are live, such as a DPoP proof's jti. Of any number
// of concurrent callers, across replicas, exactly one gets nil; the others, and any later
// caller while the first entry is live (now < its expiry), get an error wrapping
// ErrConflict: a replay. An entry that has expired by now is replaced. It returns ErrInvalid
// for a bad kind or value, a zero now, or expiresAt not after now (a value that is already
// expired must be rejected by the caller, not remembered). It runs one atomic
// INSERT ... ON CONFLICT DO UPDATE ... WHERE.
func (s *SingleUse) Remember(ctx context.Context, kind, value string, expiresAt, now time.Time) error {
	err := s.db.Tx(ctx, func(tx *Tx) error { return RememberTx(ctx, tx, kind, value, expiresAt, now) })
	if err != nil {
		return fmt.Errorf("sqldb: remember: %w", err)
	}
	return nil
}

// RememberTx is Remember inside the caller's transaction, so a store can record a single-use
// value in the same commit as the change it guards (one durable commit instead of two). The
// single_use table must exist: create the SingleUse once at startup (NewSingleUse runs its
// migrations). ErrConflict means the value is still remembered (a replay); the caller's
// transaction should then be rolled back, which Tx does when fn returns the error.
func RememberTx(ctx context.Context, tx *Tx, kind, value string, expiresAt, now time.Time) error {
	if err := checkKindValue(kind, value); err != nil {
		return err
	}
	if now.IsZero() {
		return fmt.Errorf("%w: zero now", ErrInvalid)
	}
	if Millis(expiresAt) <= Millis(now) {
		return fmt.Errorf("%w: expiry not after now", ErrInvalid)
	}
	h := sha256.Sum256([]byte(value))
	res, err := tx.ExecContext(ctx,
		`INSERT INTO single_use (kind, value_hash, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (kind, value_hash) DO UPDATE SET expires_at = excluded.expires_at
		WHERE single_use.expires_at <= ?`,
		kind, h[:], Millis(expiresAt), Millis(now))
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrConflict
	}
	return nil
}

// Sweep deletes every entry that has expired by now and reports how many it deleted. Run it
// periodically (e.g. every few minutes) from a background loop; correctness does not depend
// on it, only table size.
func (s *SingleUse) Sweep(ctx context.Context, now time.Time) (int64, error) {
	if now.IsZero() {
		return 0, fmt.Errorf("sqldb: sweep: %w: zero now", ErrInvalid)
	}
	var n int64
	err := s.db.Tx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM single_use WHERE expires_at <= ?", Millis(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqldb: sweep: %w", err)
	}
	return n, nil
}

// checkKindValue enforces the limits in limits.go: kind is 1..MaxKindLen bytes of
// [A-Za-z0-9._:-]; value is 1..MaxValueLen bytes of anything.
func checkKindValue(kind, value string) error {
	if kind == "" || len(kind) > MaxKindLen {
		return fmt.Errorf("%w: kind must be 1 to %d bytes", ErrInvalid, MaxKindLen)
	}
	for i := 0; i < len(kind); i++ {
		c := kind[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-' {
			continue
		}
		return fmt.Errorf("%w: kind must match [A-Za-z0-9._:-]+", ErrInvalid)
	}
	if value == "" || len(value) > MaxValueLen {
		return fmt.Errorf("%w: value must be 1 to %d bytes", ErrInvalid, MaxValueLen)
	}
	return nil
}
