package walletstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hashi-vc/hashi/internal/b64"
	"github.com/hashi-vc/hashi/internal/sqldb"
)

// Account is an account of the hosted wallet. Its ID is the owner id of its wallet records.
type Account struct {
	// ID is 128 random bits in hex, made by CreateAccount.
	ID string
	// Username is stored and compared exactly as given; the caller normalises it (for
	// example to lower case, Unicode NFC) before every call.
	Username string
	// PasswordHash is an argon2id PHC string made by HashPassword.
	PasswordHash string
	CreatedAt    time.Time
}

// LogValue describes the account without its password hash.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", a.ID))
}

// Session is a signed-in session of an account.
type Session struct {
	AccountID string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// SignInFailures counts failed sign-ins since a time: for one username, and for one
// client key (an IP address or network prefix chosen by the caller).
type SignInFailures struct {
	ByUsername int
	ByClient   int
}

// sessionTokenLen is the length of a session token's random part (256 bits).
const sessionTokenLen = 32

// hashHex returns the hex SHA-256 of the parts joined.
func hashHex(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		_, _ = h.Write([]byte(p)) // hash writes never fail
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sessionHash returns the stored form of a session token, or false when token cannot be a
// token CreateSession made.
func sessionHash(token string) (string, bool) {
	b, err := b64.RawURL(token)
	if err != nil || len(b) != sessionTokenLen {
		return "", false
	}
	return hashHex("session:", token), true
}

func userKey(username string) string { return hashHex("user:", username) }
func clientKey(client string) string { return hashHex("client:", client) }

// checkUsername refuses an empty or over-long username.
func checkUsername(u string) error {
	if u == "" {
		return invalid("empty username")
	}
	if len(u) > MaxUsernameLen {
		return invalid("username too long")
	}
	return nil
}

// CreateAccount creates an account with a random id. passwordHash must be a PHC string
// HashPassword made (ErrInvalid otherwise); a taken username is ErrConflict.
func (s *Store) CreateAccount(ctx context.Context, username, passwordHash string, now time.Time) (*Account, error) {
	if err := checkUsername(username); err != nil {
		return nil, fmt.Errorf("walletstore: create account: %w", err)
	}
	if _, err := parsePHC(passwordHash); err != nil {
		return nil, fmt.Errorf("walletstore: create account: %w", invalid("password hash is not an argon2id PHC string"))
	}
	if now.IsZero() {
		return nil, fmt.Errorf("walletstore: create account: %w", invalid("zero now"))
	}
	a := &Account{ID: randomHex(16), Username: username, PasswordHash: passwordHash, CreatedAt: sqldb.FromMillis(sqldb.Millis(now))}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO wallet_accounts (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)",
			a.ID, a.Username, a.PasswordHash, sqldb.Millis(now))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: create account: %w", err)
	}
	return a, nil
}

// scanAccount reads id, username, password_hash, created_at.
func scanAccount(row *sqldb.Row) (*Account, error) {
	var a Account
	var created int64
	if err := row.Scan(&a.ID, &a.Username, &a.PasswordHash, &created); err != nil {
		return nil, err
	}
	a.CreatedAt = sqldb.FromMillis(created)
	return &a, nil
}

// AccountByUsername returns the account of username (ErrNotFound when there is none).
func (s *Store) AccountByUsername(ctx context.Context, username string) (*Account, error) {
	var a *Account
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		a, err = scanAccount(tx.QueryRowContext(ctx, "SELECT id, username, password_hash, created_at FROM wallet_accounts WHERE username = ?", username))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: account by username: %w", err)
	}
	return a, nil
}

// Account returns the account with id (ErrNotFound when there is none).
func (s *Store) Account(ctx context.Context, id string) (*Account, error) {
	var a *Account
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var err error
		a, err = scanAccount(tx.QueryRowContext(ctx, "SELECT id, username, password_hash, created_at FROM wallet_accounts WHERE id = ?", id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: account: %w", err)
	}
	return a, nil
}

// SetPasswordHash replaces the password hash of account id, after a password change or to
// upgrade parameters (see PasswordNeedsRehash). It does not end the account's sessions; call
// DeleteSessions for that.
func (s *Store) SetPasswordHash(ctx context.Context, id, passwordHash string) error {
	if _, err := parsePHC(passwordHash); err != nil {
		return fmt.Errorf("walletstore: set password hash: %w", invalid("password hash is not an argon2id PHC string"))
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE wallet_accounts SET password_hash = ? WHERE id = ?", passwordHash, id)
		if err != nil {
			return err
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return notFound("account")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walletstore: set password hash: %w", err)
	}
	return nil
}

// CreateSession starts a session of account accountID valid until expiresAt and returns
// its token: 256 random bits, base64url without padding (43 characters), to be sent as the
// session cookie. Only the token's SHA-256 is stored, so a copy of the database cannot be
// used to sign in. ErrNotFound when the account does not exist; ErrInvalid when expiresAt
// is not after now.
func (s *Store) CreateSession(ctx context.Context, accountID string, now, expiresAt time.Time) (string, error) {
	if now.IsZero() || !expiresAt.After(now) {
		return "", fmt.Errorf("walletstore: create session: %w", invalid("expiry not after now"))
	}
	b := make([]byte, sessionTokenLen)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	token := base64.RawURLEncoding.EncodeToString(b)
	h, _ := sessionHash(token)
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM wallet_accounts WHERE id = ?"+forShare(tx), accountID).Scan(&one); err != nil {
			return fmt.Errorf("account: %w", err)
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO wallet_sessions (id_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
			h, accountID, sqldb.Millis(now), sqldb.Millis(expiresAt))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("walletstore: create session: %w", err)
	}
	return token, nil
}

// Session returns the session of token. A token that is unknown or malformed is
// ErrNotFound; one whose expiry is at or before now is ErrExpired (which wraps
// ErrNotFound). Expired sessions stay stored until Sweep or DeleteSession.
func (s *Store) Session(ctx context.Context, token string, now time.Time) (*Session, error) {
	if now.IsZero() {
		return nil, fmt.Errorf("walletstore: session: %w", invalid("zero now"))
	}
	h, ok := sessionHash(token)
	if !ok {
		return nil, fmt.Errorf("walletstore: session: %w", notFound("session"))
	}
	var out Session
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		var created, expires int64
		if err := tx.QueryRowContext(ctx, "SELECT account_id, created_at, expires_at FROM wallet_sessions WHERE id_hash = ?", h).
			Scan(&out.AccountID, &created, &expires); err != nil {
			return err
		}
		out.CreatedAt, out.ExpiresAt = sqldb.FromMillis(created), sqldb.FromMillis(expires)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walletstore: session: %w", err)
	}
	if !out.ExpiresAt.After(now) {
		return nil, fmt.Errorf("walletstore: session: %w", sqldb.ErrExpired)
	}
	return &out, nil
}

// DeleteSession ends the session of token (sign-out). ErrNotFound when there is none.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	h, ok := sessionHash(token)
	if !ok {
		return fmt.Errorf("walletstore: delete session: %w", notFound("session"))
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM wallet_sessions WHERE id_hash = ?", h)
		if err != nil {
			return err
		}
		if n, err := rowsAffected(res); err != nil {
			return err
		} else if n == 0 {
			return notFound("session")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walletstore: delete session: %w", err)
	}
	return nil
}

// DeleteSessions ends every session of account accountID (sign out everywhere, e.g. after
// a password change) and reports how many there were.
func (s *Store) DeleteSessions(ctx context.Context, accountID string) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM wallet_sessions WHERE account_id = ?", accountID)
		if err != nil {
			return err
		}
		n, err = rowsAffected(res)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("walletstore: delete sessions: %w", err)
	}
	return n, nil
}

// RecordFailedSignIn counts one failed sign-in at at, under username and under client (an
// IP address or prefix), each of which may be "" to skip it (not both). Both are stored only
// as SHA-256 hashes. Record failures only for attempts whose password was checked: an
// attempt refused because the limit was reached should not be recorded, so that an
// attacker cannot grow the table faster than the limit allows.
func (s *Store) RecordFailedSignIn(ctx context.Context, username, client string, at time.Time) error {
	if username == "" && client == "" {
		return fmt.Errorf("walletstore: record failed sign-in: %w", invalid("no username and no client"))
	}
	if len(username) > MaxUsernameLen || len(client) > MaxUsernameLen {
		return fmt.Errorf("walletstore: record failed sign-in: %w", invalid("key too long"))
	}
	if at.IsZero() {
		return fmt.Errorf("walletstore: record failed sign-in: %w", invalid("zero time"))
	}
	var keys []string
	if username != "" {
		keys = append(keys, userKey(username))
	}
	if client != "" {
		keys = append(keys, clientKey(client))
	}
	ids := make([]string, len(keys))
	for i := range ids {
		ids[i] = randomHex(16)
	}
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		for i, k := range keys {
			if _, err := tx.ExecContext(ctx, "INSERT INTO wallet_signin_failures (id, key_hash, at) VALUES (?, ?, ?)", ids[i], k, sqldb.Millis(at)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("walletstore: record failed sign-in: %w", err)
	}
	return nil
}

// FailedSignIns counts the failed sign-ins recorded at or after since (now minus the
// rate-limit window) for username and for client; an empty one counts 0.
func (s *Store) FailedSignIns(ctx context.Context, username, client string, since time.Time) (SignInFailures, error) {
	var out SignInFailures
	if since.IsZero() {
		return out, fmt.Errorf("walletstore: failed sign-ins: %w", invalid("zero since"))
	}
	err := s.readTx(ctx, func(tx *sqldb.Tx) error {
		out = SignInFailures{}
		count := func(key string, n *int) error {
			return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM wallet_signin_failures WHERE key_hash = ? AND at >= ?", key, sqldb.Millis(since)).Scan(n)
		}
		if username != "" {
			if err := count(userKey(username), &out.ByUsername); err != nil {
				return err
			}
		}
		if client != "" {
			return count(clientKey(client), &out.ByClient)
		}
		return nil
	})
	if err != nil {
		return SignInFailures{}, fmt.Errorf("walletstore: failed sign-ins: %w", err)
	}
	return out, nil
}

// ClearFailedSignIns forgets the failed sign-ins of username, after a successful sign-in.
// The client's count is kept: one client guessing many usernames stays limited.
func (s *Store) ClearFailedSignIns(ctx context.Context, username string) error {
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM wallet_signin_failures WHERE key_hash = ?", userKey(username))
		return err
	})
	if err != nil {
		return fmt.Errorf("walletstore: clear failed sign-ins: %w", err)
	}
	return nil
}

// DeleteAccount deletes account id and, in the same transaction, its sessions, its failed
// sign-ins by username, and every credential (with its holder key), pending issuance (with
// its access token, DPoP key and holder keys) and presentation history entry whose owner is
// id. ErrNotFound when there is no such account (nothing is deleted then).
//
// The account's id is kept as deleted: a write of its wallet records that was in flight
// (SaveCredentials, PutPending, AddPresentation for this owner) then fails with ErrNotFound
// instead of landing after the deletion (see ownerWritable).
func (s *Store) DeleteAccount(ctx context.Context, id string) error {
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		var username string
		if err := tx.QueryRowContext(ctx, "SELECT username FROM wallet_accounts WHERE id = ?"+forUpdate(tx), id).Scan(&username); err != nil {
			return fmt.Errorf("account: %w", err)
		}
		for _, q := range []struct{ sql, arg string }{
			{"DELETE FROM wallet_credentials WHERE owner = ?", id},
			{"DELETE FROM wallet_pending WHERE owner = ?", id},
			{"DELETE FROM wallet_presentations WHERE owner = ?", id},
			{"DELETE FROM wallet_sessions WHERE account_id = ?", id},
			{"DELETE FROM wallet_signin_failures WHERE key_hash = ?", userKey(username)},
			{"DELETE FROM wallet_accounts WHERE id = ?", id},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, "INSERT INTO wallet_deleted_accounts (id, deleted_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING",
			id, sqldb.Millis(time.Now()))
		return err
	})
	if err != nil {
		return fmt.Errorf("walletstore: delete account: %w", err)
	}
	return nil
}

// Sweep deletes the sessions expired by now and the failed sign-ins recorded before
// failuresBefore (now minus the longest rate-limit window), and reports how many rows it
// deleted. Run it periodically; correctness does not depend on it, only table size.
func (s *Store) Sweep(ctx context.Context, now, failuresBefore time.Time) (int64, error) {
	if now.IsZero() || failuresBefore.IsZero() {
		return 0, fmt.Errorf("walletstore: sweep: %w", invalid("zero time"))
	}
	var total int64
	err := s.db.Tx(ctx, func(tx *sqldb.Tx) error {
		total = 0
		for _, q := range []struct {
			sql string
			arg int64
		}{
			{"DELETE FROM wallet_sessions WHERE expires_at <= ?", sqldb.Millis(now)},
			{"DELETE FROM wallet_signin_failures WHERE at < ?", sqldb.Millis(failuresBefore)},
		} {
			res, err := tx.ExecContext(ctx, q.sql, q.arg)
			if err != nil {
				return err
			}
			n, err := rowsAffected(res)
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("walletstore: sweep: %w", err)
	}
	return total, nil
}

// forUpdate is the row-locking suffix of a SELECT on PostgreSQL; SQLite's write
// transaction (BEGIN IMMEDIATE) already excludes other writers.
func forUpdate(q sqldb.Querier) string {
	if q.Dialect() == sqldb.Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// forShare is forUpdate's shared variant: it keeps DeleteAccount from deleting the
// account row until the transaction ends.
func forShare(q sqldb.Querier) string {
	if q.Dialect() == sqldb.Postgres {
		return " FOR SHARE"
	}
	return ""
}

// ownerWritable checks, inside a write transaction, that owner's records may be written: an
// account that exists (locked against DeleteAccount until the transaction ends, on
// PostgreSQL) or an owner that never was an account (the CLI holder's "local"); a deleted
// account is ErrNotFound. On SQLite writers run one at a time, so the check alone suffices.
func ownerWritable(ctx context.Context, tx *sqldb.Tx, owner string) error {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM wallet_accounts WHERE id = ?"+forShare(tx), owner).Scan(&one)
	if err == nil {
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) && !errors.Is(err, sqldb.ErrNotFound) {
		return err
	}
	err = tx.QueryRowContext(ctx, "SELECT 1 FROM wallet_deleted_accounts WHERE id = ?", owner).Scan(&one)
	switch {
	case err == nil:
		return fmt.Errorf("%w: the account was deleted", sqldb.ErrNotFound)
	case errors.Is(err, sql.ErrNoRows) || errors.Is(err, sqldb.ErrNotFound):
		return nil
	default:
		return err
	}
}
