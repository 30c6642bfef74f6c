package issuerstore

import (
	"context"
	"fmt"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/issuer"
)

const graduateColumns = "tenant, id, name, record, approved, created_at, updated_at"

func scanGraduate(sc sqldb.Scanner) (issuer.Graduate, error) {
	var g issuer.Graduate
	var created, updated int64
	if err := sc.Scan(&g.Tenant, &g.ID, &g.Name, &g.Record, &g.Approved, &created, &updated); err != nil {
		return issuer.Graduate{}, err
	}
	g.CreatedAt = sqldb.FromMillis(created)
	g.UpdatedAt = sqldb.FromMillis(updated)
	return g, nil
}

// UpsertGraduate inserts the graduate or replaces the Name, Record, Approved flag and
// UpdatedAt of an existing one (same Tenant and ID), keeping its CreatedAt, which it copies
// into g. created reports an insert. g.UpdatedAt is the time of the change (zero: CreatedAt);
// one of them must be set. It appends audit (sqldb.ErrInvalid unless audit has At, Actor and
// Action, and the graduate's Tenant or none).
func (s *Store) UpsertGraduate(ctx context.Context, g *issuer.Graduate, audit issuer.AuditEvent) (bool, error) {
	if g == nil || g.Tenant == "" || g.ID == "" {
		return false, fmt.Errorf("issuerstore: upsert graduate: %w", invalid("graduate without tenant or id"))
	}
	now := g.UpdatedAt
	if now.IsZero() {
		now = g.CreatedAt
	}
	if now.IsZero() {
		return false, fmt.Errorf("issuerstore: upsert graduate: %w", invalid("graduate without times"))
	}
	created := g.CreatedAt
	if created.IsZero() {
		created = now
	}
	if err := checkAudit(g.Tenant, &audit); err != nil {
		return false, fmt.Errorf("issuerstore: upsert graduate: %w", err)
	}
	var inserted bool
	var storedCreated int64
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx,
			"INSERT INTO issuer_graduates ("+graduateColumns+") VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING",
			g.Tenant, g.ID, g.Name, bytesOrEmpty(g.Record), g.Approved, sqldb.Millis(created), sqldb.Millis(now))
		if err != nil {
			return err
		}
		n, err := rowsAffected(res)
		if err != nil {
			return err
		}
		inserted = n == 1
		storedCreated = sqldb.Millis(created)
		if !inserted {
			err = tx.QueryRowContext(ctx,
				"UPDATE issuer_graduates SET name = ?, record = ?, approved = ?, updated_at = ? WHERE tenant = ? AND id = ? RETURNING created_at",
				g.Name, bytesOrEmpty(g.Record), g.Approved, sqldb.Millis(now), g.Tenant, g.ID).Scan(&storedCreated)
			if err != nil {
				return err
			}
		}
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return false, fmt.Errorf("issuerstore: upsert graduate: %w", err)
	}
	g.CreatedAt = sqldb.FromMillis(storedCreated)
	g.UpdatedAt = now
	return inserted, nil
}

// Graduate returns one graduate of the tenant.
func (s *Store) Graduate(ctx context.Context, tenant, id string) (*issuer.Graduate, error) {
	var g issuer.Graduate
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		g, err = scanGraduate(tx.QueryRowContext(ctx,
			"SELECT "+graduateColumns+" FROM issuer_graduates WHERE tenant = ? AND id = ?", tenant, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: graduate: %w", err)
	}
	return &g, nil
}

// ListGraduates returns up to limit graduates of the tenant with ID > after, by ID. limit
// must be at least 1 and is capped at MaxPageSize.
func (s *Store) ListGraduates(ctx context.Context, tenant, after string, limit int) ([]issuer.Graduate, error) {
	n, err := pageSize(limit)
	if err != nil {
		return nil, fmt.Errorf("issuerstore: list graduates: %w", err)
	}
	var out []issuer.Graduate
	err = s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = sqldb.QueryAll(ctx, tx, scanGraduate, "SELECT "+graduateColumns+" FROM issuer_graduates WHERE tenant = ? AND id > ? ORDER BY id LIMIT ?",
			tenant, after, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: list graduates: %w", err)
	}
	return out, nil
}

// ApproveGraduate sets the graduate's Approved flag and UpdatedAt, and sets Approved on the
// tenant's offers for that graduate, so that their deferred transactions become issuable.
// It appends audit.
func (s *Store) ApproveGraduate(ctx context.Context, tenant, id string, at time.Time, audit issuer.AuditEvent) error {
	if at.IsZero() {
		return fmt.Errorf("issuerstore: approve graduate: %w", invalid("zero time"))
	}
	if err := checkAudit(tenant, &audit); err != nil {
		return fmt.Errorf("issuerstore: approve graduate: %w", err)
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx,
			"UPDATE issuer_graduates SET approved = ?, updated_at = ? WHERE tenant = ? AND id = ?",
			true, sqldb.Millis(at), tenant, id)
		if err != nil {
			return err
		}
		n, err := rowsAffected(res)
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound("graduate")
		}
		if _, err := tx.ExecContext(ctx,
			"UPDATE issuer_offers SET approved = ? WHERE tenant = ? AND graduate_id = ? AND approved = ?",
			true, tenant, id, false); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("issuerstore: approve graduate: %w", err)
	}
	return nil
}
