package verifierstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/verifier"
)

//go:embed migrations
var migrations embed.FS

// StoreName is the name the verifier's migrations run under (version table goose_verifier).
const StoreName = "verifier"

// Store is verifier.Store over SQLite or PostgreSQL. It is safe for concurrent use, also by
// several processes sharing one PostgreSQL database.
type Store struct {
	db *sqldb.DB
	su *sqldb.SingleUse
}

var _ verifier.Store = (*Store)(nil)

// New runs the verifier's migrations (store "verifier") and those of sqldb.SingleUse on db,
// both idempotent and safe on several replicas at once, and returns the store.
func New(ctx context.Context, db *sqldb.DB) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("verifierstore: new: %w: nil DB", sqldb.ErrInvalid)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("verifierstore: new: %w", err)
	}
	if err := db.Migrate(ctx, StoreName, sub); err != nil {
		return nil, fmt.Errorf("verifierstore: new: %w", err)
	}
	su, err := sqldb.NewSingleUse(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("verifierstore: new: %w", err)
	}
	return &Store{db: db, su: su}, nil
}

const requestColumns = "id, state, nonce, client_id, response_mode, request_uri_method, dcql_query, policy, same_device, " +
	"encryption_key, encryption_kid, status, created_at, expires_at, completed_at, result, wallet_error, " +
	"wallet_error_description, response_code_hash"

func scanRequest(sc sqldb.Scanner) (*verifier.Request, error) {
	var r verifier.Request
	var status string
	var kid sql.NullString
	var created, expires int64
	var completed sql.NullInt64
	if err := sc.Scan(&r.ID, &r.State, &r.Nonce, &r.ClientID, &r.ResponseMode, &r.RequestURIMethod, &r.Query,
		&r.Policy, &r.SameDevice, &r.EncryptionKey, &kid, &status, &created, &expires, &completed, &r.Result,
		&r.WalletError, &r.WalletErrorDescription, &r.ResponseCodeHash); err != nil {
		return nil, err
	}
	r.EncryptionKeyID = kid.String
	r.Status = verifier.RequestStatus(status)
	r.CreatedAt = sqldb.FromMillis(created)
	r.ExpiresAt = sqldb.FromMillis(expires)
	if completed.Valid {
		r.CompletedAt = sqldb.FromMillis(completed.Int64)
	}
	return &r, nil
}

// CreateRequest stores a new pending request: sqldb.ErrConflict when its ID, State or
// EncryptionKeyID is taken. ID, State, Nonce, ClientID, Query, CreatedAt and a later
// ExpiresAt are required, Status must be pending.
func (s *Store) CreateRequest(ctx context.Context, r *verifier.Request) error {
	switch {
	case r == nil || r.ID == "" || r.State == "" || r.Nonce == "" || r.ClientID == "" || len(r.Query) == 0:
		return fmt.Errorf("verifierstore: create request: %w", invalid("request without id, state, nonce, client_id or query"))
	case r.Status != verifier.StatusPending:
		return fmt.Errorf("verifierstore: create request: %w", invalid("a new request must be pending"))
	case r.CreatedAt.IsZero() || !r.ExpiresAt.After(r.CreatedAt):
		return fmt.Errorf("verifierstore: create request: %w", invalid("request without creation time or expiring before it"))
	case (r.EncryptionKeyID == "") != (len(r.EncryptionKey) == 0):
		return fmt.Errorf("verifierstore: create request: %w", invalid("encryption key without kid or kid without key"))
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx,
			"INSERT INTO verifier_requests ("+requestColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			r.ID, r.State, r.Nonce, r.ClientID, r.ResponseMode, r.RequestURIMethod, r.Query, r.Policy, r.SameDevice,
			nullBytes(r.EncryptionKey), nullString(r.EncryptionKeyID), string(r.Status), sqldb.Millis(r.CreatedAt),
			sqldb.Millis(r.ExpiresAt), nil, nil, "", "", nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("verifierstore: create request: %w", err)
	}
	return nil
}

// Request returns the request with this ID.
func (s *Store) Request(ctx context.Context, id string) (*verifier.Request, error) {
	return s.requestWhere(ctx, "request", "id", id)
}

// RequestByState returns the request whose state is state.
func (s *Store) RequestByState(ctx context.Context, state string) (*verifier.Request, error) {
	return s.requestWhere(ctx, "request by state", "state", state)
}

// RequestByKeyID returns the request whose encryption kid is kid.
func (s *Store) RequestByKeyID(ctx context.Context, kid string) (*verifier.Request, error) {
	return s.requestWhere(ctx, "request by kid", "encryption_kid", kid)
}

func (s *Store) requestWhere(ctx context.Context, op, column, value string) (*verifier.Request, error) {
	if value == "" {
		return nil, fmt.Errorf("verifierstore: %s: %w", op, invalid("empty key"))
	}
	var r *verifier.Request
	err := s.db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true}, func(tx *sqldb.Tx) error {
		var err error
		r, err = scanRequest(tx.QueryRowContext(ctx, "SELECT "+requestColumns+" FROM verifier_requests WHERE "+column+" = ?", value))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("verifierstore: %s: %w", op, err)
	}
	return r, nil
}

// CompleteRequest records the answer to a request as verifier.Store documents: it locks the
// row (SELECT ... FOR UPDATE on PostgreSQL; the write transaction on SQLite), checks that it
// is pending and not expired at c.CompletedAt, records uses with sqldb.RememberTx, updates
// the row (clearing the encryption key) and inserts the webhook, all in one transaction.
func (s *Store) CompleteRequest(ctx context.Context, c *verifier.Completion, uses []verifier.SingleUse, webhook *verifier.Webhook) error {
	switch {
	case c == nil || c.ID == "":
		return fmt.Errorf("verifierstore: complete request: %w", invalid("completion without id"))
	case c.Status != verifier.StatusVerified && c.Status != verifier.StatusRejected && c.Status != verifier.StatusDeclined:
		return fmt.Errorf("verifierstore: complete request: %w", invalid("a completion is verified, rejected or declined"))
	case c.CompletedAt.IsZero():
		return fmt.Errorf("verifierstore: complete request: %w", invalid("completion without time"))
	case webhook != nil && (webhook.ID == "" || webhook.URL == "" || webhook.RequestID != c.ID || webhook.CreatedAt.IsZero() || webhook.NextAttemptAt.IsZero()):
		return fmt.Errorf("verifierstore: complete request: %w", invalid("webhook without id, url, times or of another request"))
	}
	for _, u := range uses {
		if u.Kind != verifier.UsePresentation {
			return fmt.Errorf("verifierstore: complete request: %w", invalid("unknown single-use kind "+u.Kind))
		}
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var status string
		var expires int64
		if err := tx.QueryRowContext(ctx, "SELECT status, expires_at FROM verifier_requests WHERE id = ?"+forUpdate(tx), c.ID).Scan(&status, &expires); err != nil {
			return err
		}
		if verifier.RequestStatus(status) != verifier.StatusPending {
			return fmt.Errorf("request is %s: %w", status, sqldb.ErrConflict)
		}
		if sqldb.Millis(c.CompletedAt) >= expires {
			return fmt.Errorf("request: %w", sqldb.ErrExpired)
		}
		for _, u := range uses {
			if err := sqldb.RememberTx(ctx, tx, u.Kind, u.Value, u.ExpiresAt, c.CompletedAt); errors.Is(err, sqldb.ErrConflict) {
				return &verifier.UsedError{Kind: u.Kind}
			} else if err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx,
			`UPDATE verifier_requests SET status = ?, result = ?, wallet_error = ?, wallet_error_description = ?,
			response_code_hash = ?, completed_at = ?, encryption_key = NULL WHERE id = ?`,
			string(c.Status), nullBytes(c.Result), c.WalletError, c.WalletErrorDescription, nullBytes(c.ResponseCodeHash),
			sqldb.Millis(c.CompletedAt), c.ID); err != nil {
			return err
		}
		if webhook == nil {
			return nil
		}
		_, err := tx.ExecContext(ctx,
			`INSERT INTO verifier_webhooks (id, request_id, url, payload, created_at, attempts, next_attempt_at,
			delivered_at, gave_up, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			webhook.ID, webhook.RequestID, webhook.URL, bytesOrEmpty(webhook.Payload), sqldb.Millis(webhook.CreatedAt),
			webhook.Attempts, sqldb.Millis(webhook.NextAttemptAt), nullMillis(webhook.DeliveredAt), webhook.GaveUp, webhook.LastError)
		return err
	})
	if err != nil {
		return fmt.Errorf("verifierstore: complete request: %w", err)
	}
	return nil
}

// RecentRequests returns up to limit requests (at most MaxPageSize) newest first, by
// created_at and then id descending, after the position (before, beforeID) as verifier.Store
// documents: one read-only query, (created_at, id) < (before, beforeID) as a row-value
// comparison over the index verifier_requests_created (created_at, id). A zero before starts
// at the newest request.
func (s *Store) RecentRequests(ctx context.Context, before time.Time, beforeID string, limit int) ([]verifier.Request, error) {
	switch {
	case limit < 1:
		return nil, fmt.Errorf("verifierstore: recent requests: %w", invalid("limit must be at least 1"))
	case before.IsZero() && beforeID != "":
		return nil, fmt.Errorf("verifierstore: recent requests: %w", invalid("an id to page from without its creation time"))
	}
	limit = min(limit, MaxPageSize)
	// From the newest: every stored time is below the largest BIGINT, and the empty id is the
	// smallest, so the one query serves both cases.
	at := int64(math.MaxInt64)
	if !before.IsZero() {
		at = sqldb.Millis(before)
	}
	var out []verifier.Request
	err := s.db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true}, func(tx *sqldb.Tx) error {
		var err error
		out, err = sqldb.QueryAll(ctx, tx, scanRequestValue, "SELECT "+requestColumns+` FROM verifier_requests
			WHERE (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`, at, beforeID, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("verifierstore: recent requests: %w", err)
	}
	return out, nil
}

func scanRequestValue(sc sqldb.Scanner) (verifier.Request, error) {
	r, err := scanRequest(sc)
	if err != nil {
		return verifier.Request{}, err
	}
	return *r, nil
}

const webhookColumns = "id, request_id, url, payload, created_at, attempts, next_attempt_at, delivered_at, gave_up, last_error"

// ClaimWebhooks returns up to limit due outbox entries (not delivered, not given up,
// next_attempt_at <= now), oldest first, and moves their next_attempt_at to now+lease in the
// same transaction (PostgreSQL: FOR UPDATE SKIP LOCKED, so replicas claim different rows).
func (s *Store) ClaimWebhooks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]verifier.Webhook, error) {
	switch {
	case now.IsZero() || lease <= 0:
		return nil, fmt.Errorf("verifierstore: claim webhooks: %w", invalid("zero now or lease"))
	case limit < 1:
		return nil, fmt.Errorf("verifierstore: claim webhooks: %w", invalid("limit must be at least 1"))
	}
	limit = min(limit, MaxPageSize)
	var out []verifier.Webhook
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		lock := ""
		if tx.Dialect() == sqldb.Postgres {
			lock = " FOR UPDATE SKIP LOCKED"
		}
		var err error
		out, err = sqldb.QueryAll(ctx, tx, scanWebhook, "SELECT "+webhookColumns+` FROM verifier_webhooks
			WHERE delivered_at IS NULL AND gave_up = ? AND next_attempt_at <= ?
			ORDER BY next_attempt_at, created_at, id LIMIT ?`+lock, false, sqldb.Millis(now), limit)
		if err != nil {
			return err
		}
		until := now.Add(lease)
		for i := range out {
			if _, err := tx.ExecContext(ctx, "UPDATE verifier_webhooks SET next_attempt_at = ? WHERE id = ?", sqldb.Millis(until), out[i].ID); err != nil {
				return err
			}
			out[i].NextAttemptAt = sqldb.FromMillis(sqldb.Millis(until))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verifierstore: claim webhooks: %w", err)
	}
	return out, nil
}

func scanWebhook(sc sqldb.Scanner) (verifier.Webhook, error) {
	var w verifier.Webhook
	var created, next int64
	var delivered sql.NullInt64
	if err := sc.Scan(&w.ID, &w.RequestID, &w.URL, &w.Payload, &created, &w.Attempts, &next, &delivered, &w.GaveUp, &w.LastError); err != nil {
		return verifier.Webhook{}, err
	}
	w.CreatedAt = sqldb.FromMillis(created)
	w.NextAttemptAt = sqldb.FromMillis(next)
	w.DeliveredAt = fromNullMillis(delivered)
	return w, nil
}

// UpdateWebhook writes the delivery outcome of w (attempts, next attempt, delivered time,
// given up, last error); sqldb.ErrNotFound when there is no such entry.
func (s *Store) UpdateWebhook(ctx context.Context, w *verifier.Webhook) error {
	if w == nil || w.ID == "" || w.Attempts < 0 || w.NextAttemptAt.IsZero() {
		return fmt.Errorf("verifierstore: update webhook: %w", invalid("webhook without id or next attempt, or negative attempts"))
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx,
			"UPDATE verifier_webhooks SET attempts = ?, next_attempt_at = ?, delivered_at = ?, gave_up = ?, last_error = ? WHERE id = ?",
			w.Attempts, sqldb.Millis(w.NextAttemptAt), nullMillis(w.DeliveredAt), w.GaveUp, w.LastError, w.ID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("webhook: %w", sqldb.ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("verifierstore: update webhook: %w", err)
	}
	return nil
}

// Webhook returns one outbox entry (for operators and tests).
func (s *Store) Webhook(ctx context.Context, id string) (*verifier.Webhook, error) {
	var w verifier.Webhook
	err := s.db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true}, func(tx *sqldb.Tx) error {
		var err error
		w, err = scanWebhook(tx.QueryRowContext(ctx, "SELECT "+webhookColumns+" FROM verifier_webhooks WHERE id = ?", id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("verifierstore: webhook: %w", err)
	}
	return &w, nil
}

// Sweep deletes, as of now, presentation digests past their expiry, and requests that
// expired before now-keep together with their webhooks once those are delivered or given
// up (a request with a webhook still to send stays). It reports how many rows it deleted.
// Run it periodically; correctness does not depend on it, only table size.
func (s *Store) Sweep(ctx context.Context, now time.Time, keep time.Duration) (int64, error) {
	if now.IsZero() || keep < 0 {
		return 0, fmt.Errorf("verifierstore: sweep: %w", invalid("zero now or negative keep"))
	}
	n, err := s.su.Sweep(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("verifierstore: sweep: %w", err)
	}
	var m int64
	cut := sqldb.Millis(now.Add(-keep))
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		m = 0
		const open = "SELECT request_id FROM verifier_webhooks WHERE delivered_at IS NULL AND gave_up = ?"
		res, err := tx.ExecContext(ctx, `DELETE FROM verifier_webhooks WHERE request_id IN
			(SELECT id FROM verifier_requests WHERE expires_at < ?) AND request_id NOT IN (`+open+`)`, cut, false)
		if err != nil {
			return err
		}
		a, err := res.RowsAffected()
		if err != nil {
			return err
		}
		res, err = tx.ExecContext(ctx, `DELETE FROM verifier_requests WHERE expires_at < ? AND id NOT IN (`+open+`)`, cut, false)
		if err != nil {
			return err
		}
		b, err := res.RowsAffected()
		m = a + b
		return err
	})
	if err != nil {
		return n, fmt.Errorf("verifierstore: sweep: %w", err)
	}
	return n + m, nil
}

// forUpdate is the row-locking suffix of a SELECT: FOR UPDATE on PostgreSQL; nothing on
// SQLite, where the read-write transaction (BEGIN IMMEDIATE) already excludes other writers.
func forUpdate(q sqldb.Querier) string {
	if q.Dialect() == sqldb.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func invalid(reason string) error { return fmt.Errorf("%w: %s", sqldb.ErrInvalid, reason) }

func nullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: sqldb.Millis(t), Valid: true}
}

func fromNullMillis(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return sqldb.FromMillis(n.Int64)
}

// nullBytes stores an empty slice as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// bytesOrEmpty keeps a nil slice out of a NOT NULL blob column.
func bytesOrEmpty(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
