package walletstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/wallet"
)

const (
	tableCredentials = "wallet_credentials"
	credentialCols   = "owner, id, format, issuer, configuration_id, vct, types, batch_id, raw, holder_key, received_at, issued_at, expires_at, status, display, trust"
)

// credentialRow is a credential as stored: metadata in clear, secrets sealed.
type credentialRow struct {
	args []any
}

// credentialArgs checks c and returns the INSERT arguments for it (ord is its position in
// the batch), with Raw and HolderKey sealed for its row.
func (s *Store) credentialArgs(owner string, ord int, c *wallet.Credential) (credentialRow, error) {
	if c.Owner != owner {
		return credentialRow{}, invalid("credential of another owner")
	}
	if err := checkID("credential id", c.ID); err != nil {
		return credentialRow{}, err
	}
	if len(c.Raw) == 0 {
		return credentialRow{}, invalid("credential without Raw")
	}
	if err := checkSecret("Raw", c.Raw); err != nil {
		return credentialRow{}, err
	}
	if err := checkSecret("HolderKey", c.HolderKey); err != nil {
		return credentialRow{}, err
	}
	if c.ReceivedAt.IsZero() {
		return credentialRow{}, invalid("credential without ReceivedAt")
	}
	types, err := encodeJSON(c.Types)
	if err != nil {
		return credentialRow{}, err
	}
	display, err := encodeJSON(c.Display)
	if err != nil {
		return credentialRow{}, err
	}
	trust, err := encodeJSON(c.Trust)
	if err != nil {
		return credentialRow{}, err
	}
	var status sql.NullString
	if c.Status != nil {
		v, err := encodeJSON(c.Status)
		if err != nil {
			return credentialRow{}, err
		}
		status = sql.NullString{String: v, Valid: true}
	}
	raw := s.seal.seal(c.Raw, place{tableCredentials, owner, c.ID, "raw"})
	key := s.seal.seal(c.HolderKey, place{tableCredentials, owner, c.ID, "holder_key"})
	return credentialRow{args: []any{
		owner, c.ID, ord, c.Format, c.Issuer, c.ConfigurationID, c.VCT, types, c.BatchID, raw, key,
		sqldb.Millis(c.ReceivedAt), nullMillis(c.IssuedAt), nullMillis(c.ExpiresAt), status, display, trust,
	}}, nil
}

// SaveCredentials implements wallet.Store. It seals every credential's Raw and HolderKey
// before the transaction, then, in one transaction, deletes the pending issuance
// resolvesPending (ErrNotFound when owner has none of that id) and inserts the credentials
// (ErrConflict when owner already has one of the ids, or creds repeats one). Arguments are
// checked first (ErrInvalid): a credential of another owner, an empty or over-long id, an
// empty Raw, a zero ReceivedAt, more than MaxBatch credentials.
func (s *Store) SaveCredentials(ctx context.Context, owner string, creds []wallet.Credential, resolvesPending string) error {
	if err := s.saveCredentials(ctx, owner, creds, resolvesPending); err != nil {
		return fmt.Errorf("walletstore: save credentials: %w", err)
	}
	return nil
}

func (s *Store) saveCredentials(ctx context.Context, owner string, creds []wallet.Credential, resolvesPending string) error {
	if err := checkID("owner", owner); err != nil {
		return err
	}
	if len(creds) > MaxBatch {
		return invalid("too many credentials")
	}
	if resolvesPending != "" {
		if err := checkID("pending id", resolvesPending); err != nil {
			return err
		}
	}
	rows := make([]credentialRow, len(creds))
	for i := range creds {
		r, err := s.credentialArgs(owner, i, &creds[i])
		if err != nil {
			return err
		}
		rows[i] = r
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := ownerWritable(ctx, tx, owner); err != nil {
			return err
		}
		if resolvesPending != "" {
			res, err := tx.ExecContext(ctx, "DELETE FROM wallet_pending WHERE owner = ? AND id = ?", owner, resolvesPending)
			if err != nil {
				return err
			}
			if n, err := rowsAffected(res); err != nil {
				return err
			} else if n == 0 {
				return notFound("pending issuance " + resolvesPending)
			}
		}
		for _, r := range rows {
			if _, err := tx.ExecContext(ctx,
				"INSERT INTO wallet_credentials (owner, id, ord, format, issuer, configuration_id, vct, types, batch_id, raw, holder_key, received_at, issued_at, expires_at, status, display, trust) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
				r.args...); err != nil {
				return fmt.Errorf("credential %v: %w", r.args[1], err)
			}
		}
		return nil
	})
}

// scanCredential reads one row of credentialCols and opens its secrets.
func (s *Store) scanCredential(sc sqldb.Scanner) (wallet.Credential, error) {
	var (
		c                     wallet.Credential
		types, display, trust string
		status                sql.NullString
		raw, key              []byte
		received              int64
		issued, expires       sql.NullInt64
	)
	if err := sc.Scan(&c.Owner, &c.ID, &c.Format, &c.Issuer, &c.ConfigurationID, &c.VCT, &types, &c.BatchID,
		&raw, &key, &received, &issued, &expires, &status, &display, &trust); err != nil {
		return wallet.Credential{}, err
	}
	if err := decodeJSON(types, &c.Types); err != nil {
		return wallet.Credential{}, err
	}
	if err := decodeJSON(display, &c.Display); err != nil {
		return wallet.Credential{}, err
	}
	if err := decodeJSON(trust, &c.Trust); err != nil {
		return wallet.Credential{}, err
	}
	if status.Valid {
		c.Status = new(wallet.StatusReference)
		if err := decodeJSON(status.String, c.Status); err != nil {
			return wallet.Credential{}, err
		}
	}
	c.ReceivedAt = sqldb.FromMillis(received)
	c.IssuedAt = fromNullMillis(issued)
	c.ExpiresAt = fromNullMillis(expires)
	pt, err := s.seal.open(raw, place{tableCredentials, c.Owner, c.ID, "raw"})
	if err != nil {
		return wallet.Credential{}, err
	}
	if pt == nil {
		return wallet.Credential{}, fmt.Errorf("credential without raw: %w", errStoredInconsistent)
	}
	c.Raw = pt
	if pt, err = s.seal.open(key, place{tableCredentials, c.Owner, c.ID, "holder_key"}); err != nil {
		return wallet.Credential{}, err
	}
	if pt != nil {
		c.HolderKey = pt
	}
	return c, nil
}

// Credential implements wallet.Store.
func (s *Store) Credential(ctx context.Context, owner, id string) (*wallet.Credential, error) {
	var out wallet.Credential
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = s.scanCredential(tx.QueryRowContext(ctx,
			"SELECT "+credentialCols+" FROM wallet_credentials WHERE owner = ? AND id = ?", owner, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: credential %s: %w", id, err)
	}
	return &out, nil
}

// Credentials implements wallet.Store: oldest first by ReceivedAt, then by position in the
// SaveCredentials call, then by id. It opens every credential's secrets.
func (s *Store) Credentials(ctx context.Context, owner string) ([]wallet.Credential, error) {
	var out []wallet.Credential
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = sqldb.QueryAll(ctx, tx, s.scanCredential, "SELECT "+credentialCols+" FROM wallet_credentials WHERE owner = ? ORDER BY received_at, ord, id", owner)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: credentials: %w", err)
	}
	return out, nil
}

// DeleteCredential implements wallet.Store; the holder key is in the same row and goes
// with it.
func (s *Store) DeleteCredential(ctx context.Context, owner, id string) error {
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM wallet_credentials WHERE owner = ? AND id = ?", owner, id)
		if err != nil {
			return err
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return notFound("credential " + id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walletstore: delete credential: %w", err)
	}
	return nil
}
