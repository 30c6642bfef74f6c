package walletstore

import (
	"context"
	"fmt"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/wallet"
)

// AddPresentation implements wallet.Store. The history is not encrypted: it names
// verifiers and the claims paths disclosed, not their values. Arguments are checked first
// (ErrInvalid): an empty or over-long owner or id, a zero At.
func (s *Store) AddPresentation(ctx context.Context, r wallet.PresentationRecord) error {
	if err := s.addPresentation(ctx, &r); err != nil {
		return fmt.Errorf("walletstore: add presentation: %w", err)
	}
	return nil
}

func (s *Store) addPresentation(ctx context.Context, r *wallet.PresentationRecord) error {
	if err := checkID("owner", r.Owner); err != nil {
		return err
	}
	if err := checkID("presentation id", r.ID); err != nil {
		return err
	}
	if r.At.IsZero() {
		return invalid("presentation without At")
	}
	name, err := encodeJSON(r.VerifierName)
	if err != nil {
		return err
	}
	trust, err := encodeJSON(r.VerifierTrust)
	if err != nil {
		return err
	}
	creds, err := encodeJSON(r.Credentials)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		if err := ownerWritable(ctx, tx, r.Owner); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			"INSERT INTO wallet_presentations (owner, id, client_id, verifier_name, verifier_trust, response_uri, credentials, at, outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			r.Owner, r.ID, r.ClientID, name, trust, r.ResponseURI, creds, sqldb.Millis(r.At), r.Outcome, r.Error)
		return err
	})
}

// Presentations implements wallet.Store: newest first by At, then by id descending.
func (s *Store) Presentations(ctx context.Context, owner string) ([]wallet.PresentationRecord, error) {
	var out []wallet.PresentationRecord
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		out = nil
		rows, err := tx.QueryContext(ctx,
			"SELECT owner, id, client_id, verifier_name, verifier_trust, response_uri, credentials, at, outcome, error FROM wallet_presentations WHERE owner = ? ORDER BY at DESC, id DESC", owner)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		for rows.Next() {
			var (
				r                  wallet.PresentationRecord
				name, trust, creds string
				at                 int64
			)
			if err := rows.Scan(&r.Owner, &r.ID, &r.ClientID, &name, &trust, &r.ResponseURI, &creds, &at, &r.Outcome, &r.Error); err != nil {
				return err
			}
			if err := decodeJSON(name, &r.VerifierName); err != nil {
				return err
			}
			if err := decodeJSON(trust, &r.VerifierTrust); err != nil {
				return err
			}
			if err := decodeJSON(creds, &r.Credentials); err != nil {
				return err
			}
			r.At = sqldb.FromMillis(at)
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: presentations: %w", err)
	}
	return out, nil
}
