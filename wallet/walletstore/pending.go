package walletstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/wallet"
)

const (
	tablePending = "wallet_pending"
	pendingCols  = "owner, id, issuer, configuration_id, format, vct, types, transaction_id, deferred_endpoint, notification_endpoint, access_token, token_type, dpop_key, holder_keys, interval_ns, next_poll_at, created_at, display"
)

// PutPending implements wallet.Store: an upsert on (owner, id) that replaces every column.
// AccessToken, DPoPKey and HolderKeys (as one JSON array) are sealed for the row. Arguments
// are checked first (ErrInvalid): an empty or over-long owner or id, a zero CreatedAt, a
// negative Interval, over-long secrets, more than MaxHolderKeys keys.
func (s *Store) PutPending(ctx context.Context, p wallet.PendingIssuance) error {
	if err := s.putPending(ctx, &p); err != nil {
		return fmt.Errorf("walletstore: put pending: %w", err)
	}
	return nil
}

func (s *Store) putPending(ctx context.Context, p *wallet.PendingIssuance) error {
	if err := checkID("owner", p.Owner); err != nil {
		return err
	}
	if err := checkID("pending id", p.ID); err != nil {
		return err
	}
	if p.CreatedAt.IsZero() {
		return invalid("pending issuance without CreatedAt")
	}
	if p.Interval < 0 {
		return invalid("negative interval")
	}
	if len(p.HolderKeys) > MaxHolderKeys {
		return invalid("too many holder keys")
	}
	for _, k := range append([]wallet.Secret{p.AccessToken, p.DPoPKey}, p.HolderKeys...) {
		if err := checkSecret("pending secret", k); err != nil {
			return err
		}
	}
	types, err := encodeJSON(p.Types)
	if err != nil {
		return err
	}
	display, err := encodeJSON(p.Display)
	if err != nil {
		return err
	}
	var holderKeys []byte
	if len(p.HolderKeys) > 0 {
		raw := make([][]byte, len(p.HolderKeys))
		for i, k := range p.HolderKeys {
			raw[i] = k
		}
		if holderKeys, err = json.Marshal(raw); err != nil {
			return fmt.Errorf("encode holder keys: %w", err)
		}
	}
	at := func(col string) place { return place{tablePending, p.Owner, p.ID, col} }
	args := []any{
		p.Owner, p.ID, p.Issuer, p.ConfigurationID, p.Format, p.VCT, types, p.TransactionID,
		p.DeferredEndpoint, p.NotificationEndpoint, s.seal.seal(p.AccessToken, at("access_token")), p.TokenType,
		s.seal.seal(p.DPoPKey, at("dpop_key")), s.seal.seal(holderKeys, at("holder_keys")),
		int64(p.Interval), nullMillis(p.NextPollAt), sqldb.Millis(p.CreatedAt), display,
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := ownerWritable(ctx, tx, p.Owner); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO wallet_pending ("+pendingCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "+
			"ON CONFLICT (owner, id) DO UPDATE SET issuer = excluded.issuer, configuration_id = excluded.configuration_id, "+
			"format = excluded.format, vct = excluded.vct, types = excluded.types, transaction_id = excluded.transaction_id, "+
			"deferred_endpoint = excluded.deferred_endpoint, notification_endpoint = excluded.notification_endpoint, "+
			"access_token = excluded.access_token, token_type = excluded.token_type, dpop_key = excluded.dpop_key, "+
			"holder_keys = excluded.holder_keys, interval_ns = excluded.interval_ns, next_poll_at = excluded.next_poll_at, "+
			"created_at = excluded.created_at, display = excluded.display", args...)
		return err
	})
}

// scanPending reads one row of pendingCols and opens its secrets.
func (s *Store) scanPending(sc sqldb.Scanner) (wallet.PendingIssuance, error) {
	var (
		p                 wallet.PendingIssuance
		types, display    string
		token, dpop, keys []byte
		interval, created int64
		next              sql.NullInt64
	)
	if err := sc.Scan(&p.Owner, &p.ID, &p.Issuer, &p.ConfigurationID, &p.Format, &p.VCT, &types, &p.TransactionID,
		&p.DeferredEndpoint, &p.NotificationEndpoint, &token, &p.TokenType, &dpop, &keys, &interval, &next, &created, &display); err != nil {
		return wallet.PendingIssuance{}, err
	}
	if err := decodeJSON(types, &p.Types); err != nil {
		return wallet.PendingIssuance{}, err
	}
	if err := decodeJSON(display, &p.Display); err != nil {
		return wallet.PendingIssuance{}, err
	}
	p.Interval = time.Duration(interval)
	p.NextPollAt = fromNullMillis(next)
	p.CreatedAt = sqldb.FromMillis(created)
	at := func(col string) place { return place{tablePending, p.Owner, p.ID, col} }
	pt, err := s.seal.open(token, at("access_token"))
	if err != nil {
		return wallet.PendingIssuance{}, err
	}
	if pt != nil {
		p.AccessToken = pt
	}
	if pt, err = s.seal.open(dpop, at("dpop_key")); err != nil {
		return wallet.PendingIssuance{}, err
	}
	if pt != nil {
		p.DPoPKey = pt
	}
	if pt, err = s.seal.open(keys, at("holder_keys")); err != nil {
		return wallet.PendingIssuance{}, err
	}
	if pt != nil {
		var raw [][]byte
		if err := json.Unmarshal(pt, &raw); err != nil {
			return wallet.PendingIssuance{}, fmt.Errorf("decode holder keys: %w", errStoredInconsistent)
		}
		p.HolderKeys = make([]wallet.Secret, len(raw))
		for i, k := range raw {
			p.HolderKeys[i] = k
		}
	}
	return p, nil
}

// Pending implements wallet.Store.
func (s *Store) Pending(ctx context.Context, owner, id string) (*wallet.PendingIssuance, error) {
	var out wallet.PendingIssuance
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = s.scanPending(tx.QueryRowContext(ctx,
			"SELECT "+pendingCols+" FROM wallet_pending WHERE owner = ? AND id = ?", owner, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: pending %s: %w", id, err)
	}
	return &out, nil
}

// PendingIssuances implements wallet.Store: oldest first by CreatedAt, then by id.
func (s *Store) PendingIssuances(ctx context.Context, owner string) ([]wallet.PendingIssuance, error) {
	var out []wallet.PendingIssuance
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = sqldb.QueryAll(ctx, tx, s.scanPending, "SELECT "+pendingCols+" FROM wallet_pending WHERE owner = ? ORDER BY created_at, id", owner)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: pending issuances: %w", err)
	}
	return out, nil
}

// DeletePending implements wallet.Store.
func (s *Store) DeletePending(ctx context.Context, owner, id string) error {
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM wallet_pending WHERE owner = ? AND id = ?", owner, id)
		if err != nil {
			return err
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return notFound("pending issuance " + id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walletstore: delete pending: %w", err)
	}
	return nil
}
