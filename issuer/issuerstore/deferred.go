package issuerstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/issuer"
)

const deferredColumns = "transaction_id, tenant, token_hash, offer_id, configuration_id, holder_keys, created_at, expires_at"

// CreateDeferred stores a deferred issuance transaction (sqldb.ErrConflict when its
// TransactionID exists). TransactionID, Tenant and CreatedAt are required. It appends audit.
// The access token (TokenHash) stays valid until the transaction's ExpiresAt when that is
// later than its own expiry: deferred requests and notifications (OpenID4VCI 1.0 §9, §11)
// are made with it, and an approval may come weeks after the token was issued.
func (s *Store) CreateDeferred(ctx context.Context, d *issuer.Deferred, uses []issuer.SingleUse, now time.Time, audit issuer.AuditEvent) error {
	if d == nil || d.TransactionID == "" || d.Tenant == "" || d.CreatedAt.IsZero() {
		return fmt.Errorf("issuerstore: create deferred: %w", invalid("deferred transaction without id, tenant or creation time"))
	}
	if err := checkAudit(d.Tenant, &audit); err != nil {
		return fmt.Errorf("issuerstore: create deferred: %w", err)
	}
	keys, err := encodeJSON(d.HolderKeys)
	if err != nil {
		return fmt.Errorf("issuerstore: create deferred: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := remember(ctx, tx, uses, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO issuer_deferred ("+deferredColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			d.TransactionID, d.Tenant, d.TokenHash, d.OfferID, d.ConfigurationID, keys,
			sqldb.Millis(d.CreatedAt), nullMillis(d.ExpiresAt)); err != nil {
			return err
		}
		if !d.ExpiresAt.IsZero() {
			if _, err := tx.ExecContext(ctx, "UPDATE issuer_access_tokens SET expires_at = ? WHERE hash = ? AND expires_at < ?",
				sqldb.Millis(d.ExpiresAt), d.TokenHash, sqldb.Millis(d.ExpiresAt)); err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("issuerstore: create deferred: %w", err)
	}
	return nil
}

// Deferred returns one deferred transaction by its TransactionID (any tenant), expired or
// not.
func (s *Store) Deferred(ctx context.Context, transactionID string) (*issuer.Deferred, error) {
	var d issuer.Deferred
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		d = issuer.Deferred{}
		var keys string
		var created int64
		var expires sql.NullInt64
		if err := tx.QueryRowContext(ctx,
			"SELECT "+deferredColumns+" FROM issuer_deferred WHERE transaction_id = ?", transactionID).
			Scan(&d.TransactionID, &d.Tenant, &d.TokenHash, &d.OfferID, &d.ConfigurationID, &keys, &created, &expires); err != nil {
			return err
		}
		hk, err := decodeJSON[[]byte](keys)
		if err != nil {
			return err
		}
		d.HolderKeys = hk
		d.CreatedAt = sqldb.FromMillis(created)
		d.ExpiresAt = fromNullMillis(expires)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: deferred: %w", err)
	}
	return &d, nil
}

// Notify sets Event and UpdatedAt of the tenant's issuances with this NotificationID
// (sqldb.ErrNotFound when there are none; sqldb.ErrInvalid for an empty id or event) and
// appends audit. When they all carry event already, it changes nothing and writes no audit
// event, so a repeated notification is harmless. credential_deleted is final: a late or
// repeated credential_accepted or credential_failure after it changes nothing.
func (s *Store) Notify(ctx context.Context, tenant, offerID, notificationID, event string, at time.Time, audit issuer.AuditEvent) error {
	if notificationID == "" || event == "" || at.IsZero() {
		return fmt.Errorf("issuerstore: notify: %w", invalid("empty notification id or event, or zero time"))
	}
	if err := checkAudit(tenant, &audit); err != nil {
		return fmt.Errorf("issuerstore: notify: %w", err)
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx,
			"UPDATE issuer_issuances SET event = ?, updated_at = ? WHERE tenant = ? AND offer_id = ? AND notification_id = ? AND event <> ? AND event <> ?",
			event, sqldb.Millis(at), tenant, offerID, notificationID, event, "credential_deleted")
		if err != nil {
			return err
		}
		n, err := rowsAffected(res)
		if err != nil {
			return err
		}
		if n > 0 {
			return appendAudit(ctx, tx, audit)
		}
		var count int
		if err := tx.QueryRowContext(ctx,
			"SELECT COUNT(*) FROM issuer_issuances WHERE tenant = ? AND offer_id = ? AND notification_id = ?",
			tenant, offerID, notificationID).Scan(&count); err != nil {
			return err
		}
		if count == 0 {
			return notFound("notification id")
		}
		return nil // a repeat
	})
	if err != nil {
		return fmt.Errorf("issuerstore: notify: %w", err)
	}
	return nil
}
