package issuerstore

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/issuer"
)

const offerColumns = "id, tenant, configuration_ids, graduate_id, record, approved, pre_authorized_code, " +
	"tx_code, tx_code_attempts, state, created_at, expires_at, redeemed_at"

func scanOffer(sc sqldb.Scanner) (issuer.Offer, error) {
	var o issuer.Offer
	var configs, state string
	var created int64
	var expires, redeemed sql.NullInt64
	if err := sc.Scan(&o.ID, &o.Tenant, &configs, &o.GraduateID, &o.Record, &o.Approved, &o.PreAuthorizedCode,
		&o.TxCode, &o.TxCodeAttempts, &state, &created, &expires, &redeemed); err != nil {
		return issuer.Offer{}, err
	}
	ids, err := decodeJSON[string](configs)
	if err != nil {
		return issuer.Offer{}, err
	}
	o.ConfigurationIDs = ids
	o.State = issuer.OfferState(state)
	o.CreatedAt = sqldb.FromMillis(created)
	o.ExpiresAt = fromNullMillis(expires)
	o.RedeemedAt = fromNullMillis(redeemed)
	return o, nil
}

// validState reports whether s is one of the four offer states.
func validState(s issuer.OfferState) bool {
	switch s {
	case issuer.OfferPending, issuer.OfferRedeemed, issuer.OfferLocked, issuer.OfferWithdrawn:
		return true
	default:
		return false
	}
}

// CreateOffer stores a new offer: sqldb.ErrConflict when its ID or PreAuthorizedCode is
// taken (in any tenant). ID, Tenant, PreAuthorizedCode, a valid State and CreatedAt are
// required. It appends audit.
func (s *Store) CreateOffer(ctx context.Context, o *issuer.Offer, audit issuer.AuditEvent) error {
	switch {
	case o == nil || o.ID == "" || o.Tenant == "" || o.PreAuthorizedCode == "":
		return fmt.Errorf("issuerstore: create offer: %w", invalid("offer without id, tenant or code"))
	case !validState(o.State):
		return fmt.Errorf("issuerstore: create offer: %w", invalid("unknown offer state"))
	case o.CreatedAt.IsZero():
		return fmt.Errorf("issuerstore: create offer: %w", invalid("offer without creation time"))
	case o.TxCodeAttempts < 0:
		return fmt.Errorf("issuerstore: create offer: %w", invalid("negative tx_code attempts"))
	}
	if err := checkAudit(o.Tenant, &audit); err != nil {
		return fmt.Errorf("issuerstore: create offer: %w", err)
	}
	configs, err := encodeJSON(o.ConfigurationIDs)
	if err != nil {
		return fmt.Errorf("issuerstore: create offer: %w", err)
	}
	err = s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx,
			"INSERT INTO issuer_offers ("+offerColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			o.ID, o.Tenant, configs, o.GraduateID, bytesOrEmpty(o.Record), o.Approved, o.PreAuthorizedCode,
			o.TxCode, o.TxCodeAttempts, string(o.State), sqldb.Millis(o.CreatedAt),
			nullMillis(o.ExpiresAt), nullMillis(o.RedeemedAt)); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("issuerstore: create offer: %w", err)
	}
	return nil
}

// Offer returns one offer of the tenant by its ID.
func (s *Store) Offer(ctx context.Context, tenant, id string) (*issuer.Offer, error) {
	var o issuer.Offer
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		o, err = scanOffer(tx.QueryRowContext(ctx,
			"SELECT "+offerColumns+" FROM issuer_offers WHERE tenant = ? AND id = ?", tenant, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: offer: %w", err)
	}
	return &o, nil
}

// ListOffers returns up to limit offers of the tenant, newest first (ties by ID, descending),
// created before `before` (zero: no bound). limit must be at least 1 and is capped at
// MaxPageSize.
func (s *Store) ListOffers(ctx context.Context, tenant string, before time.Time, limit int) ([]issuer.Offer, error) {
	n, err := pageSize(limit)
	if err != nil {
		return nil, fmt.Errorf("issuerstore: list offers: %w", err)
	}
	q := "SELECT " + offerColumns + " FROM issuer_offers WHERE tenant = ?"
	args := []any{tenant}
	if !before.IsZero() {
		q += " AND created_at < ?"
		args = append(args, sqldb.Millis(before))
	}
	q += " ORDER BY created_at DESC, id DESC LIMIT ?"
	args = append(args, n)
	var out []issuer.Offer
	err = s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = sqldb.QueryAll(ctx, tx, scanOffer, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: list offers: %w", err)
	}
	return out, nil
}

// RedeemOffer locks the offer whose PreAuthorizedCode is code (any tenant; PostgreSQL:
// SELECT ... FOR UPDATE, SQLite: the write transaction), calls decide with a copy of it,
// writes the returned State, TxCodeAttempts and RedeemedAt and, if Redemption.Token is set,
// inserts that token, all in one transaction. Concurrent redemptions of one code therefore
// run decide one after the other, each seeing its predecessor's changes. decide may run more
// than once when the transaction is retried; only its last answer counts.
//
// It returns the offer as stored afterwards, and Redemption.Err (unwrapped) after the
// changes are committed. An unknown code is sqldb.ErrNotFound; a Redemption with an unknown
// State, negative attempts, or a Token of another tenant or offer is sqldb.ErrInvalid and
// changes nothing (a Token with empty Tenant and OfferID gets the offer's); a Token whose
// Hash exists is sqldb.ErrConflict and changes nothing.
func (s *Store) RedeemOffer(ctx context.Context, code string, uses []issuer.SingleUse, now time.Time, decide func(issuer.Offer) issuer.Redemption) (*issuer.Offer, error) {
	if code == "" || decide == nil {
		return nil, fmt.Errorf("issuerstore: redeem offer: %w", invalid("empty code or nil decide"))
	}
	var out issuer.Offer
	var decided error
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		out, decided = issuer.Offer{}, nil
		if err := remember(ctx, tx, uses, now); err != nil {
			return err
		}
		o, err := scanOffer(tx.QueryRowContext(ctx,
			"SELECT "+offerColumns+" FROM issuer_offers WHERE pre_authorized_code = ?"+forUpdate(tx), code))
		if err != nil {
			return err
		}
		view := o
		view.ConfigurationIDs = slices.Clone(o.ConfigurationIDs)
		view.Record = slices.Clone(o.Record)
		r := decide(view)
		if !validState(r.State) || r.TxCodeAttempts < 0 {
			return invalid("redemption with unknown state or negative attempts")
		}
		if _, err := tx.ExecContext(ctx,
			"UPDATE issuer_offers SET state = ?, tx_code_attempts = ?, redeemed_at = ? WHERE id = ?",
			string(r.State), r.TxCodeAttempts, nullMillis(r.RedeemedAt), o.ID); err != nil {
			return err
		}
		if r.Token != nil {
			t := *r.Token
			if t.Tenant == "" {
				t.Tenant = o.Tenant
			}
			if t.OfferID == "" {
				t.OfferID = o.ID
			}
			if t.Tenant != o.Tenant || t.OfferID != o.ID {
				return invalid("access token of another tenant or offer")
			}
			if err := insertToken(ctx, tx, &t); err != nil {
				return err
			}
		}
		if r.Audit != nil {
			a := *r.Audit
			if err := checkAudit(o.Tenant, &a); err != nil {
				return err
			}
			if err := appendAudit(ctx, tx, a); err != nil {
				return err
			}
		}
		o.State, o.TxCodeAttempts = r.State, r.TxCodeAttempts
		o.RedeemedAt = fromNullMillis(nullMillis(r.RedeemedAt))
		out, decided = o, r.Err
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: redeem offer: %w", err)
	}
	return &out, decided
}

// WithdrawOffer sets a pending offer of the tenant to withdrawn and appends audit; an offer in
// another state is left as it is.
func (s *Store) WithdrawOffer(ctx context.Context, tenant, id string, audit issuer.AuditEvent) error {
	if tenant == "" || id == "" {
		return fmt.Errorf("issuerstore: withdraw offer: %w", invalid("empty tenant or id"))
	}
	if err := checkAudit(tenant, &audit); err != nil {
		return fmt.Errorf("issuerstore: withdraw offer: %w", err)
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var state string
		if err := tx.QueryRowContext(ctx, "SELECT state FROM issuer_offers WHERE tenant = ? AND id = ?"+forUpdate(tx), tenant, id).Scan(&state); err != nil {
			return err
		}
		if state != string(issuer.OfferPending) {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE issuer_offers SET state = ? WHERE tenant = ? AND id = ?", string(issuer.OfferWithdrawn), tenant, id); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("issuerstore: withdraw offer: %w", err)
	}
	return nil
}

const tokenColumns = "hash, tenant, offer_id, configuration_ids, jkt, issued_at, expires_at"

func insertToken(ctx context.Context, tx *sqldb.Tx, t *issuer.AccessToken) error {
	if t.Hash == "" || t.IssuedAt.IsZero() || t.ExpiresAt.IsZero() {
		return invalid("access token without hash or times")
	}
	configs, err := encodeJSON(t.ConfigurationIDs)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx,
		"INSERT INTO issuer_access_tokens ("+tokenColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		t.Hash, t.Tenant, t.OfferID, configs, t.JKT, sqldb.Millis(t.IssuedAt), sqldb.Millis(t.ExpiresAt))
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	return nil
}

// AccessToken returns the token with this hash (any tenant), expired or not.
func (s *Store) AccessToken(ctx context.Context, hash string) (*issuer.AccessToken, error) {
	var t issuer.AccessToken
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		t = issuer.AccessToken{}
		var configs string
		var issued, expires int64
		if err := tx.QueryRowContext(ctx,
			"SELECT "+tokenColumns+" FROM issuer_access_tokens WHERE hash = ?", hash).
			Scan(&t.Hash, &t.Tenant, &t.OfferID, &configs, &t.JKT, &issued, &expires); err != nil {
			return err
		}
		ids, err := decodeJSON[string](configs)
		if err != nil {
			return err
		}
		t.ConfigurationIDs = ids
		t.IssuedAt = sqldb.FromMillis(issued)
		t.ExpiresAt = sqldb.FromMillis(expires)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: access token: %w", err)
	}
	return &t, nil
}
