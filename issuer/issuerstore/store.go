package issuerstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/issuer"
)

//go:embed migrations
var migrations embed.FS

// StoreName is the name the issuer's migrations run under (version table goose_issuer).
const StoreName = "issuer"

// Store is issuer.Store over SQLite or PostgreSQL. It is safe for concurrent use, also by
// several processes sharing one PostgreSQL database.
type Store struct {
	db *sqldb.DB
	su *sqldb.SingleUse
}

var _ issuer.Store = (*Store)(nil)

// New runs the issuer's migrations (store "issuer") and those of sqldb.SingleUse on db, both
// idempotent and safe on several replicas at once, and returns the store.
func New(ctx context.Context, db *sqldb.DB) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("issuerstore: new: %w: nil DB", sqldb.ErrInvalid)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("issuerstore: new: %w", err)
	}
	if err := db.Migrate(ctx, StoreName, sub); err != nil {
		return nil, fmt.Errorf("issuerstore: new: %w", err)
	}
	su, err := sqldb.NewSingleUse(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("issuerstore: new: %w", err)
	}
	return &Store{db: db, su: su}, nil
}

// Sweep deletes the c_nonce and jti values and the access tokens that have expired by now,
// and reports how many rows it deleted. Run it periodically; correctness does not depend on
// it, only table size. It runs two transactions (single-use values, then tokens).
func (s *Store) Sweep(ctx context.Context, now time.Time) (int64, error) {
	if now.IsZero() {
		return 0, fmt.Errorf("issuerstore: sweep: %w: zero now", sqldb.ErrInvalid)
	}
	n, err := s.su.Sweep(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("issuerstore: sweep: %w", err)
	}
	var m int64
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM issuer_access_tokens WHERE expires_at <= ?", sqldb.Millis(now))
		if err != nil {
			return err
		}
		m, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return n, fmt.Errorf("issuerstore: sweep: %w", err)
	}
	return n + m, nil
}

// readTx runs fn in a read-only transaction. On PostgreSQL it is REPEATABLE READ, so that
// a read of several statements sees one snapshot (SQLite's always does).
func (s *Store) readTx(ctx context.Context, fn func(tx *sqldb.Tx) error) error {
	return s.db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, fn)
}

// forUpdate is the row-locking suffix of a SELECT: FOR UPDATE on PostgreSQL; nothing on
// SQLite, where the read-write transaction (BEGIN IMMEDIATE) already excludes other writers.
func forUpdate(q sqldb.Querier) string {
	if q.Dialect() == sqldb.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// invalid is an argument error: sqldb.ErrInvalid with a reason.
func invalid(reason string) error {
	return fmt.Errorf("%w: %s", sqldb.ErrInvalid, reason)
}

// pageSize checks a List limit and caps it at MaxPageSize.
func pageSize(limit int) (int, error) {
	if limit < 1 {
		return 0, invalid("limit must be at least 1")
	}
	return min(limit, MaxPageSize), nil
}

// nullMillis stores t as unix milliseconds, or NULL when t is zero.
func nullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: sqldb.Millis(t), Valid: true}
}

// fromNullMillis is the inverse of nullMillis.
func fromNullMillis(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return sqldb.FromMillis(n.Int64)
}

// bytesOrEmpty keeps a nil slice out of a NOT NULL blob column.
func bytesOrEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// encodeJSON stores a slice as JSON text; an empty or nil slice is "[]".
func encodeJSON[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// decodeJSON reads a slice stored by encodeJSON; "[]" reads as nil.
func decodeJSON[T any](s string) ([]T, error) {
	var v []T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("decode stored JSON: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

// randomID returns 128 random bits as hex, for row keys generated in Go.
func randomID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// checkAudit validates an audit event for an operation on tenant, filling in an empty
// Tenant. An event naming another tenant is refused, so that no method writes into
// another tenant's log.
func checkAudit(tenant string, a *issuer.AuditEvent) error {
	switch {
	case a.Tenant == "":
		a.Tenant = tenant
	case a.Tenant != tenant:
		return invalid("audit event of another tenant")
	}
	if a.At.IsZero() {
		return invalid("audit event without time")
	}
	if a.Actor == "" || a.Action == "" {
		return invalid("audit event without actor or action")
	}
	return nil
}

// appendAudit inserts one audit event checked by checkAudit.
func appendAudit(ctx context.Context, tx *sqldb.Tx, a issuer.AuditEvent) error {
	_, err := tx.ExecContext(ctx,
		"INSERT INTO issuer_audit (id, tenant, at, actor, action, object, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
		randomID(), a.Tenant, sqldb.Millis(a.At), a.Actor, a.Action, a.Object, a.Detail)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// AuditLog returns up to limit events of the tenant, newest first (ties by a random event
// id), before `before`; a zero before means no bound. limit must be at least 1 and is capped
// at MaxPageSize.
func (s *Store) AuditLog(ctx context.Context, tenant string, before time.Time, limit int) ([]issuer.AuditEvent, error) {
	n, err := pageSize(limit)
	if err != nil {
		return nil, fmt.Errorf("issuerstore: audit log: %w", err)
	}
	if tenant == "" {
		return nil, fmt.Errorf("issuerstore: audit log: %w", invalid("empty tenant"))
	}
	q := "SELECT tenant, at, actor, action, object, detail FROM issuer_audit WHERE tenant = ?"
	args := []any{tenant}
	if !before.IsZero() {
		q += " AND at < ?"
		args = append(args, sqldb.Millis(before))
	}
	q += " ORDER BY at DESC, id DESC LIMIT ?"
	args = append(args, n)
	var out []issuer.AuditEvent
	err = s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = sqldb.QueryAll(ctx, tx, scanAuditEvent, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: audit log: %w", err)
	}
	return out, nil
}

func scanAuditEvent(sc sqldb.Scanner) (issuer.AuditEvent, error) {
	var a issuer.AuditEvent
	var at int64
	err := sc.Scan(&a.Tenant, &at, &a.Actor, &a.Action, &a.Object, &a.Detail)
	a.At = sqldb.FromMillis(at)
	return a, err
}

// remember records uses inside tx (sqldb.RememberTx on the sqldb.SingleUse table); a value
// still remembered is an *issuer.UsedError, which rolls the transaction back.
func remember(ctx context.Context, tx *sqldb.Tx, uses []issuer.SingleUse, now time.Time) error {
	for _, u := range uses {
		if u.Kind != issuer.UseDPoPJTI && u.Kind != issuer.UseCNonce {
			return invalid("unknown single-use kind " + u.Kind)
		}
		if !u.ExpiresAt.After(now) {
			return &issuer.UsedError{Kind: u.Kind, Expired: true}
		}
		if err := sqldb.RememberTx(ctx, tx, u.Kind, u.Value, u.ExpiresAt, now); errors.Is(err, sqldb.ErrConflict) {
			return &issuer.UsedError{Kind: u.Kind}
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Remember records single-use values, and audit when not nil, in one transaction.
func (s *Store) Remember(ctx context.Context, uses []issuer.SingleUse, now time.Time, audit *issuer.AuditEvent) error {
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := remember(ctx, tx, uses, now); err != nil {
			return err
		}
		if audit != nil {
			return appendAudit(ctx, tx, *audit)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("issuerstore: remember: %w", err)
	}
	return nil
}

// Secret returns the named deployment secret, creating it with generate the first time. The
// insert is ON CONFLICT DO NOTHING followed by a read in the same transaction, so replicas
// racing at startup all get the value stored first.
func (s *Store) Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error) {
	if name == "" || generate == nil {
		return nil, fmt.Errorf("issuerstore: secret: %w", invalid("empty name or nil generate"))
	}
	fresh, err := generate()
	if err != nil || len(fresh) == 0 {
		return nil, fmt.Errorf("issuerstore: secret: generate: %w", errors.Join(err, invalid("empty secret")))
	}
	var out []byte
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO issuer_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", name, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT value FROM issuer_secrets WHERE name = ?", name).Scan(&out)
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: secret: %w", err)
	}
	return out, nil
}

// notFound wraps sqldb.ErrNotFound with what was missing.
func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, sqldb.ErrNotFound)
}

// rowsAffected returns res.RowsAffected.
func rowsAffected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}

// errInconsistent reports a broken invariant between tables (never expected).
var errInconsistent = errors.New("issuerstore: stored state is inconsistent")
