package issuerstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/issuer"
)

const issuanceColumns = "tenant, id, offer_id, graduate_id, configuration_id, status_list, status_index, status, " +
	"notification_id, event, holder_jkt, issued_at, updated_at"

func scanIssuance(sc sqldb.Scanner) (issuer.Issuance, error) {
	var r issuer.Issuance
	var status int
	var issued, updated int64
	if err := sc.Scan(&r.Tenant, &r.ID, &r.OfferID, &r.GraduateID, &r.ConfigurationID, &r.StatusList, &r.StatusIndex,
		&status, &r.NotificationID, &r.Event, &r.HolderJKT, &issued, &updated); err != nil {
		return issuer.Issuance{}, err
	}
	st, err := toStatus(status)
	if err != nil {
		return issuer.Issuance{}, err
	}
	r.Status = st
	r.IssuedAt = sqldb.FromMillis(issued)
	r.UpdatedAt = sqldb.FromMillis(updated)
	return r, nil
}

// toStatus converts a stored status; only the statuses SetStatus writes are accepted.
func toStatus(v int) (statuslist.Status, error) {
	switch v {
	case int(statuslist.Valid):
		return statuslist.Valid, nil
	case int(statuslist.Invalid):
		return statuslist.Invalid, nil
	case int(statuslist.Suspended):
		return statuslist.Suspended, nil
	default:
		return 0, fmt.Errorf("%w: status %d", errInconsistent, v)
	}
}

// RecordIssuance implements issuer.Store.RecordIssuance. In one transaction it:
//
//  1. records uses and inserts the (tokenHash, ConfigurationID) usage row, failing with
//     sqldb.ErrConflict when the pair was used before;
//  2. deletes the tenant's deferred transaction deferredID when it is not empty
//     (sqldb.ErrNotFound when there is none);
//  3. allocates each record a distinct index drawn with crypto/rand in the tenant's newest
//     status list (see allocate), starting list 1, or the next list, of listSize entries
//     when there is none or it has fewer than len(recs) free indexes (a list keeps the size
//     it was created with). New entries are Valid, so the list's Version is unchanged;
//  4. inserts the records (Status Valid) and appends audit.
//
// After a commit it fills in StatusList and StatusIndex of recs (and UpdatedAt, when zero, with
// IssuedAt). Nothing changes on any error. sqldb.ErrInvalid: no records or more than
// MaxBatch, listSize outside [len(recs), MaxListSize], an empty tokenHash, Tenant, ID or
// ConfigurationID, a zero IssuedAt, a Status other than Valid, or records differing in
// Tenant, OfferID, ConfigurationID or NotificationID. A record ID already used in the tenant
// is sqldb.ErrConflict.
//
// On PostgreSQL most issuances run one transaction that takes no lock on the list, so that
// issuances in one tenant do not wait for each other; one that finds the list missing, small
// or crowded is rolled back and run again holding the tenant's allocation lock (see allocate).
func (s *Store) RecordIssuance(ctx context.Context, tokenHash, deferredID string, uses []issuer.SingleUse, now time.Time, recs []issuer.Issuance, listSize int, audit issuer.AuditEvent) error {
	if err := checkIssuances(tokenHash, recs, listSize); err != nil {
		return fmt.Errorf("issuerstore: record issuance: %w", err)
	}
	first := recs[0]
	if err := checkAudit(first.Tenant, &audit); err != nil {
		return fmt.Errorf("issuerstore: record issuance: %w", err)
	}
	var listID int
	var idxs []int
	record := func(exclusive bool) func(tx *sqldb.Tx) error {
		return func(tx *sqldb.Tx) error {
			listID, idxs = 0, nil
			if err := remember(ctx, tx, uses, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx,
				"INSERT INTO issuer_token_usage (token_hash, configuration_id, tenant, used_at) VALUES (?, ?, ?, ?)",
				tokenHash, first.ConfigurationID, first.Tenant, sqldb.Millis(first.IssuedAt)); err != nil {
				return fmt.Errorf("access token already used for %s: %w", first.ConfigurationID, err)
			}
			if deferredID != "" {
				res, err := tx.ExecContext(ctx,
					"DELETE FROM issuer_deferred WHERE transaction_id = ? AND tenant = ?", deferredID, first.Tenant)
				if err != nil {
					return err
				}
				n, err := rowsAffected(res)
				if err != nil {
					return err
				}
				if n == 0 {
					return notFound("deferred transaction")
				}
			}
			var err error
			listID, idxs, err = allocate(ctx, tx, recs, listSize, exclusive)
			if err != nil {
				return err
			}
			for i, r := range recs {
				updated := r.UpdatedAt
				if updated.IsZero() {
					updated = r.IssuedAt
				}
				if _, err := tx.ExecContext(ctx,
					"INSERT INTO issuer_issuances ("+issuanceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
					r.Tenant, r.ID, r.OfferID, r.GraduateID, r.ConfigurationID, listID, idxs[i], int(statuslist.Valid),
					r.NotificationID, r.Event, r.HolderJKT, sqldb.Millis(r.IssuedAt), sqldb.Millis(updated)); err != nil {
					return fmt.Errorf("issuance %d: %w", i, err)
				}
			}
			return appendAudit(ctx, tx, audit)
		}
	}
	// SQLite has one writer at a time: its transactions are exclusive anyway.
	exclusive := s.db.Dialect() == sqldb.SQLite || listSize < minProbeListSize
	err := s.db.Tx(ctx, record(exclusive))
	// A lock timeout comes from the shared attempt's lock_timeout (set by allocate, in force
	// until the transaction ends, so for the statements after it too); the exclusive attempt
	// sets none.
	if !exclusive && (errors.Is(err, errCrowded) || errors.Is(err, sqldb.ErrLockTimeout)) {
		err = s.db.Tx(ctx, record(true))
	}
	if err != nil {
		return fmt.Errorf("issuerstore: record issuance: %w", err)
	}
	for i := range recs {
		recs[i].StatusList, recs[i].StatusIndex = listID, idxs[i]
		if recs[i].UpdatedAt.IsZero() {
			recs[i].UpdatedAt = recs[i].IssuedAt
		}
	}
	return nil
}

// checkIssuances validates RecordIssuance's arguments.
func checkIssuances(tokenHash string, recs []issuer.Issuance, listSize int) error {
	switch {
	case len(recs) == 0 || len(recs) > MaxBatch:
		return invalid(fmt.Sprintf("%d records, want 1 to %d", len(recs), MaxBatch))
	case listSize < len(recs) || listSize > MaxListSize:
		return invalid(fmt.Sprintf("list size %d outside [%d, %d]", listSize, len(recs), MaxListSize))
	case tokenHash == "":
		return invalid("empty token hash")
	}
	first := recs[0]
	if first.Tenant == "" || first.ConfigurationID == "" {
		return invalid("record without tenant or configuration id")
	}
	for i, r := range recs {
		switch {
		case r.ID == "" || r.IssuedAt.IsZero():
			return invalid(fmt.Sprintf("record %d without id or issue time", i))
		case r.Status != statuslist.Valid:
			return invalid(fmt.Sprintf("record %d: new credentials are Valid", i))
		case r.Tenant != first.Tenant || r.OfferID != first.OfferID ||
			r.ConfigurationID != first.ConfigurationID || r.NotificationID != first.NotificationID:
			return invalid(fmt.Sprintf("record %d differs from record 0 in tenant, offer, configuration or notification id", i))
		}
	}
	return nil
}

// errCrowded makes RecordIssuance run its transaction again exclusively: the shared attempt
// found no list, a list smaller than minProbeListSize, or a record for which maxProbes random
// draws all hit allocated indexes. (A lock timeout, sqldb.ErrLockTimeout, does the same.)
var errCrowded = errors.New("status list crowded")

// errListFull: the list has fewer free indexes than the records still to place.
var errListFull = errors.New("status list full")

// allocate claims one index per record in the tenant's newest status list and returns the
// list's ID and the indexes, in the order of recs. Each index is inserted with ON CONFLICT DO
// NOTHING into the entries table, whose primary key (tenant, list, index) is what keeps an
// index from being allocated twice, whichever way it was chosen.
//
// Shared (PostgreSQL only), it takes no lock of its own: it reads the newest list, sets
// lock_timeout to probeLockTimeout and only draws at random; anything else is errCrowded,
// and a draw that waits too long for another transaction is sqldb.ErrLockTimeout.
// Two shared transactions that each drew an index the other holds uncommitted would wait for
// each other until the deadlock detector ran (deadlock_timeout, 1 s); the lock timeout breaks
// such a wait first.
//
// Exclusive, it holds the tenant's allocation lock (lockNewestList), draws at random, and when
// draws keep missing reads the list's allocated indexes and picks uniformly among the free
// ones (pickFree). A list without room for all of recs gets none of them: the next list is
// started and they all go there. Only exclusive transactions start lists, one at a time, so a
// list is full, but for the indexes of shared allocations rolled back meanwhile, before the
// next one is started; a shared transaction that read the list before the next one was
// committed may still add to it.
func allocate(ctx context.Context, tx *sqldb.Tx, recs []issuer.Issuance, listSize int, exclusive bool) (int, []int, error) {
	tenant, now := recs[0].Tenant, sqldb.Millis(recs[0].IssuedAt)
	if !exclusive {
		var id, size int
		err := tx.QueryRowContext(ctx,
			"SELECT id, size, set_config('lock_timeout', ?, true) FROM issuer_status_lists WHERE tenant = ? ORDER BY id DESC LIMIT 1",
			probeLockTimeout, tenant).Scan(&id, &size, new(string))
		switch {
		case errors.Is(err, sqldb.ErrNotFound):
			return 0, nil, errCrowded
		case err != nil:
			return 0, nil, err
		case size < minProbeListSize:
			return 0, nil, errCrowded
		}
		idxs, err := claimAll(ctx, tx, tenant, id, size, recs, false)
		if errors.Is(err, errListFull) {
			return 0, nil, errCrowded
		}
		return id, idxs, err
	}
	id, size, err := lockNewestList(ctx, tx, tenant, listSize, now)
	if err != nil {
		return 0, nil, err
	}
	idxs, err := claimAll(ctx, tx, tenant, id, size, recs, true)
	if !errors.Is(err, errListFull) {
		return id, idxs, err
	}
	// listSize >= len(recs) (checkIssuances), so the new list has room.
	if err := createList(ctx, tx, tenant, id+1, listSize, now); err != nil {
		return 0, nil, err
	}
	idxs, err = claimAll(ctx, tx, tenant, id+1, listSize, recs, true)
	return id + 1, idxs, err
}

// newestList returns the ID and size of the tenant's list with the highest ID.
func newestList(ctx context.Context, tx *sqldb.Tx, tenant string) (int, int, error) {
	var id, size int
	err := tx.QueryRowContext(ctx,
		"SELECT id, size FROM issuer_status_lists WHERE tenant = ? ORDER BY id DESC LIMIT 1", tenant).Scan(&id, &size)
	return id, size, err
}

// lockNewestList takes the tenant's allocation lock, creates list 1 when the tenant has no
// list, and returns the newest list's ID and size. On PostgreSQL the lock is a transaction
// advisory lock on the tenant, not a row lock on the list: shared allocations insert entries,
// whose foreign key takes FOR KEY SHARE on the list row, and a FOR UPDATE queued among them
// would stall them. On SQLite the write transaction is the lock.
func lockNewestList(ctx context.Context, tx *sqldb.Tx, tenant string, listSize int, now int64) (int, int, error) {
	if tx.Dialect() == sqldb.Postgres {
		if _, err := tx.ExecContext(ctx,
			"SELECT pg_advisory_xact_lock(hashtextextended(?, 0))", "hashi.issuer_status_lists:"+tenant); err != nil {
			return 0, 0, err
		}
	}
	id, size, err := newestList(ctx, tx, tenant)
	if errors.Is(err, sqldb.ErrNotFound) {
		if err := createList(ctx, tx, tenant, 1, listSize, now); err != nil {
			return 0, 0, err
		}
		id, size, err = newestList(ctx, tx, tenant)
	}
	return id, size, err
}

// createList starts list id of the tenant, unless it exists.
func createList(ctx context.Context, tx *sqldb.Tx, tenant string, id, listSize int, now int64) error {
	_, err := tx.ExecContext(ctx,
		"INSERT INTO issuer_status_lists (tenant, id, size, version, updated) VALUES (?, ?, ?, 1, ?) "+
			"ON CONFLICT (tenant, id) DO NOTHING",
		tenant, id, listSize, now)
	return err
}

// claimAll allocates one free index of list id per record (see allocate): up to maxProbes
// random draws each; then, exclusive only, a uniform pick among the free indexes (shared:
// errListFull). When the list has no room for every record, the entries it inserted are
// deleted again and the error is errListFull.
func claimAll(ctx context.Context, tx *sqldb.Tx, tenant string, id, size int, recs []issuer.Issuance, exclusive bool) ([]int, error) {
	insert := func(idx int, issuance string) (bool, error) {
		res, err := tx.ExecContext(ctx,
			"INSERT INTO issuer_status_entries (tenant, list_id, idx, status, issuance_id) VALUES (?, ?, ?, ?, ?) "+
				"ON CONFLICT (tenant, list_id, idx) DO NOTHING",
			tenant, id, idx, int(statuslist.Valid), issuance)
		if err != nil {
			return false, err
		}
		n, err := rowsAffected(res)
		return n == 1, err
	}
	idxs := make([]int, 0, len(recs))
	var used map[int]bool // the list's allocated indexes, once draws gave up (exclusive only)
	bound := big.NewInt(int64(size))
	for _, r := range recs {
		placed := false
		for i := 0; used == nil && i < maxProbes; i++ {
			v, err := rand.Int(rand.Reader, bound)
			if err != nil {
				return nil, fmt.Errorf("random index: %w", err)
			}
			idx := int(v.Int64())
			if placed, err = insert(idx, r.ID); err != nil {
				return nil, err
			}
			if placed {
				idxs = append(idxs, idx)
				break
			}
		}
		if placed {
			continue
		}
		if !exclusive {
			return nil, errListFull
		}
		if used == nil {
			m, err := allocatedIndexes(ctx, tx, tenant, id)
			if err != nil {
				return nil, err
			}
			used = m
		}
		idx, err := pickFree(ctx, size, used, func(idx int) (bool, error) { return insert(idx, r.ID) })
		if errors.Is(err, errListFull) {
			if err := unclaim(ctx, tx, tenant, id, idxs); err != nil {
				return nil, err
			}
			return nil, errListFull
		}
		if err != nil {
			return nil, err
		}
		idxs = append(idxs, idx)
	}
	return idxs, nil
}

// pickFree inserts a uniformly picked free index (statuslist.PickIndex over used) and returns
// it; an index that turns out taken (a shared allocation committed it after used was read) is
// marked used and another one picked. errListFull when none is left.
func pickFree(ctx context.Context, size int, used map[int]bool, insert func(int) (bool, error)) (int, error) {
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		idx, err := statuslist.PickIndex(size, func(i int) bool { return used[i] }, rand.Reader)
		if statuslist.CodeOf(err) == statuslist.CodeListFull {
			return 0, errListFull
		}
		if err != nil {
			return 0, fmt.Errorf("pick index: %w", err)
		}
		ok, err := insert(idx)
		if err != nil {
			return 0, err
		}
		used[idx] = true
		if ok {
			return idx, nil
		}
	}
}

// unclaim deletes the entries this transaction inserted in a list that turned out too full.
func unclaim(ctx context.Context, tx *sqldb.Tx, tenant string, id int, idxs []int) error {
	for _, idx := range idxs {
		if _, err := tx.ExecContext(ctx,
			"DELETE FROM issuer_status_entries WHERE tenant = ? AND list_id = ? AND idx = ?", tenant, id, idx); err != nil {
			return err
		}
	}
	return nil
}

// allocatedIndexes reads the allocated indexes of one list.
func allocatedIndexes(ctx context.Context, tx *sqldb.Tx, tenant string, id int) (map[int]bool, error) {
	rows, err := tx.QueryContext(ctx,
		"SELECT idx FROM issuer_status_entries WHERE tenant = ? AND list_id = ?", tenant, id)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	m := map[int]bool{}
	for rows.Next() {
		var idx int
		if err := rows.Scan(&idx); err != nil {
			return nil, err
		}
		m[idx] = true
	}
	return m, rows.Err()
}

// Issuance returns one issued credential record of the tenant.
func (s *Store) Issuance(ctx context.Context, tenant, id string) (*issuer.Issuance, error) {
	var r issuer.Issuance
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		r, err = scanIssuance(tx.QueryRowContext(ctx,
			"SELECT "+issuanceColumns+" FROM issuer_issuances WHERE tenant = ? AND id = ?", tenant, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: issuance: %w", err)
	}
	return &r, nil
}

// ListIssuances returns up to limit issued credentials of the tenant, newest first (ties by
// ID, descending), issued before `before` (zero: no bound), only offerID's when it is not
// empty. limit must be at least 1 and is capped at MaxPageSize.
func (s *Store) ListIssuances(ctx context.Context, tenant, offerID string, before time.Time, limit int) ([]issuer.Issuance, error) {
	n, err := pageSize(limit)
	if err != nil {
		return nil, fmt.Errorf("issuerstore: list issuances: %w", err)
	}
	q := "SELECT " + issuanceColumns + " FROM issuer_issuances WHERE tenant = ?"
	args := []any{tenant}
	if offerID != "" {
		q += " AND offer_id = ?"
		args = append(args, offerID)
	}
	if !before.IsZero() {
		q += " AND issued_at < ?"
		args = append(args, sqldb.Millis(before))
	}
	q += " ORDER BY issued_at DESC, id DESC LIMIT ?"
	args = append(args, n)
	var out []issuer.Issuance
	err = s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		out, err = sqldb.QueryAll(ctx, tx, scanIssuance, q, args...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: list issuances: %w", err)
	}
	return out, nil
}

// SetStatus sets the status (Valid, Invalid or Suspended; others are sqldb.ErrInvalid) and
// UpdatedAt of an issued credential and of its status-list entry, bumps that list's Version
// and sets its Updated to at, and appends audit, in one transaction. Setting the current
// status again still bumps the Version. A revoked (Invalid) credential stays revoked:
// another status is sqldb.ErrConflict, checked by the UPDATE itself.
func (s *Store) SetStatus(ctx context.Context, tenant, issuanceID string, status statuslist.Status, at time.Time, audit issuer.AuditEvent) error {
	switch {
	case status != statuslist.Valid && status != statuslist.Invalid && status != statuslist.Suspended:
		return fmt.Errorf("issuerstore: set status: %w", invalid("status must be Valid, Invalid or Suspended"))
	case at.IsZero():
		return fmt.Errorf("issuerstore: set status: %w", invalid("zero time"))
	}
	if err := checkAudit(tenant, &audit); err != nil {
		return fmt.Errorf("issuerstore: set status: %w", err)
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var list, idx int
		// Revoking always applies; anything else only to a credential not revoked.
		notRevoked := " AND status <> " + strconv.Itoa(int(statuslist.Invalid))
		if status == statuslist.Invalid {
			notRevoked = ""
		}
		err := tx.QueryRowContext(ctx,
			"UPDATE issuer_issuances SET status = ?, updated_at = ? WHERE tenant = ? AND id = ?"+notRevoked+" RETURNING status_list, status_index",
			int(status), sqldb.Millis(at), tenant, issuanceID).Scan(&list, &idx)
		if errors.Is(err, sql.ErrNoRows) {
			var one int
			if e := tx.QueryRowContext(ctx, "SELECT 1 FROM issuer_issuances WHERE tenant = ? AND id = ?", tenant, issuanceID).Scan(&one); e == nil {
				return fmt.Errorf("issuance: %w: revoked credentials stay revoked", sqldb.ErrConflict)
			}
		}
		if err != nil {
			return fmt.Errorf("issuance: %w", err)
		}
		res, err := tx.ExecContext(ctx,
			"UPDATE issuer_status_entries SET status = ? WHERE tenant = ? AND list_id = ? AND idx = ?",
			int(status), tenant, list, idx)
		if err != nil {
			return err
		}
		if n, err := rowsAffected(res); err != nil || n != 1 {
			return errors.Join(err, fmt.Errorf("%w: no entry %d/%d", errInconsistent, list, idx))
		}
		if _, err := tx.ExecContext(ctx,
			"UPDATE issuer_status_lists SET version = version + 1, updated = ? WHERE tenant = ? AND id = ?",
			sqldb.Millis(at), tenant, list); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return fmt.Errorf("issuerstore: set status: %w", err)
	}
	return nil
}

// StatusList returns status list id of the tenant: the statuses of its allocated entries by
// index, its Size, Version and Updated, read from one snapshot.
func (s *Store) StatusList(ctx context.Context, tenant string, id int) (*issuer.StatusListState, error) {
	var st issuer.StatusListState
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		st = issuer.StatusListState{Tenant: tenant, ID: id}
		var updated int64
		if err := tx.QueryRowContext(ctx,
			"SELECT size, version, updated FROM issuer_status_lists WHERE tenant = ? AND id = ?", tenant, id).
			Scan(&st.Size, &st.Version, &updated); err != nil {
			return err
		}
		st.Updated = sqldb.FromMillis(updated)
		rows, err := tx.QueryContext(ctx,
			"SELECT idx, status FROM issuer_status_entries WHERE tenant = ? AND list_id = ?", tenant, id)
		if err != nil {
			return err
		}
		defer func() { _ = rows.Close() }()
		st.Statuses = map[int]statuslist.Status{}
		for rows.Next() {
			var idx, v int
			if err := rows.Scan(&idx, &v); err != nil {
				return err
			}
			status, err := toStatus(v)
			if err != nil {
				return err
			}
			st.Statuses[idx] = status
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("issuerstore: status list: %w", err)
	}
	return &st, nil
}
