package walletstore

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
	"github.com/hashi-vc/hashi/wallet"
)

//go:embed migrations
var migrations embed.FS

// StoreName is the name the wallet's migrations run under (version table goose_wallet).
const StoreName = "wallet"

// errInvalid is sqldb.ErrInvalid: an argument refused before touching the database.
var errInvalid = sqldb.ErrInvalid

// Store is wallet.Store, with encryption at rest, and the hosted wallet's accounts over
// SQLite or PostgreSQL. It is safe for concurrent use, also by several processes sharing one
// PostgreSQL database (all with the same key).
type Store struct {
	db   *sqldb.DB
	seal *sealer
}

var _ wallet.Store = (*Store)(nil)

// keyCheckName is the row of wallet_keycheck that New seals on first use and opens after.
const keyCheckName = "wallet-key"

// keyCheckPlain is the constant sealed in wallet_keycheck.
var keyCheckPlain = []byte("hashi wallet key check v1")

// New runs the wallet's migrations (store "wallet") on db, idempotent and safe on several
// replicas at once, and returns the store sealing secrets under key, which must be KeySize
// (32) random bytes (see LoadKey). The first New on a database records a key check value;
// every later New opens it and fails with an error wrapping ErrWrongKey when key is another
// key, before anything is read or written.
func New(ctx context.Context, db *sqldb.DB, key []byte) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("walletstore: new: %w: nil DB", errInvalid)
	}
	sl, err := newSealer(key)
	if err != nil {
		return nil, fmt.Errorf("walletstore: new: %w", err)
	}
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("walletstore: new: %w", err)
	}
	if err := db.Migrate(ctx, StoreName, sub); err != nil {
		return nil, fmt.Errorf("walletstore: new: %w", err)
	}
	at := place{table: "wallet_keycheck", id: keyCheckName, column: "value"}
	fresh := sl.seal(keyCheckPlain, at)
	var stored []byte
	err = db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO wallet_keycheck (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING", keyCheckName, fresh); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, "SELECT value FROM wallet_keycheck WHERE name = ?", keyCheckName).Scan(&stored)
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: new: key check: %w", err)
	}
	pt, err := sl.open(stored, at)
	if err != nil {
		return nil, fmt.Errorf("walletstore: new: key check: %w", err)
	}
	if string(pt) != string(keyCheckPlain) {
		return nil, fmt.Errorf("walletstore: new: key check: %w", ErrCorrupt)
	}
	return &Store{db: db, seal: sl}, nil
}

// String describes the store without its key.
func (s *Store) String() string { return "walletstore.Store(" + s.db.Dialect().String() + ")" }

// readTx runs fn in a read-only transaction, REPEATABLE READ on PostgreSQL.
func (s *Store) readTx(ctx context.Context, fn func(tx *sqldb.Tx) error) error {
	return s.db.TxWith(ctx, sqldb.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, fn)
}

// invalid is an argument error: sqldb.ErrInvalid with a reason.
func invalid(reason string) error {
	return fmt.Errorf("%w: %s", errInvalid, reason)
}

// notFound wraps sqldb.ErrNotFound with what was missing.
func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, sqldb.ErrNotFound)
}

// checkID refuses an empty or over-long owner or record id.
func checkID(what, v string) error {
	if v == "" {
		return invalid("empty " + what)
	}
	if len(v) > MaxIDLen {
		return invalid(what + " too long")
	}
	return nil
}

// checkSecret refuses an over-long secret.
func checkSecret(what string, v []byte) error {
	if len(v) > MaxSecretLen {
		return invalid(what + " too long")
	}
	return nil
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

// encodeJSON stores v as JSON text.
func encodeJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode: %w", err)
	}
	return string(b), nil
}

// decodeJSON reads JSON text stored by encodeJSON into v.
func decodeJSON(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode stored JSON: %w", err)
	}
	return nil
}

// randomHex returns n random bytes as hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// rowsAffected returns res.RowsAffected.
func rowsAffected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}

// errStoredInconsistent reports a stored value that cannot be read back (never expected).
var errStoredInconsistent = errors.New("walletstore: stored state is inconsistent")
