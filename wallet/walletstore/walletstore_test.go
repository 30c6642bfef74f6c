package walletstore_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/walletstore"
	"github.com/hashi-vc/hashi/wallet/walletstore/walletstoretest"
)

var t0 = walletstoretest.T0

// testKey returns a fixed 32-byte key whose bytes are all b.
func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, walletstore.KeySize) }

func newStore(t testing.TB, db *sqldb.DB, key []byte) *walletstore.Store {
	t.Helper()
	s, err := walletstore.New(t.Context(), db, key)
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	return s
}

// TestSuite runs the behaviour suites on SQLite and PostgreSQL.
func TestSuite(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db, testKey(1))
		walletstoretest.Run(t, s)
		walletstoretest.RunAccounts(t, s)
	})
}

// TestSuiteTwoReplicas runs the suites concurrently through two Stores on one database
// (two connection pools on PostgreSQL).
func TestSuiteTwoReplicas(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		a := newStore(t, db, testKey(2))
		if db.Dialect() == sqldb.Postgres {
			db = sqldbtest.Open(t, dsn)
		}
		b := newStore(t, db, testKey(2))
		t.Run("a", func(t *testing.T) { t.Parallel(); walletstoretest.Run(t, a); walletstoretest.RunAccounts(t, a) })
		t.Run("b", func(t *testing.T) { t.Parallel(); walletstoretest.Run(t, b); walletstoretest.RunAccounts(t, b) })
	})
}

func TestNewInvalid(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		if _, err := walletstore.New(t.Context(), nil, testKey(1)); !errors.Is(err, sqldb.ErrInvalid) {
			t.Fatalf("New(nil DB): %v", err)
		}
		for _, k := range [][]byte{nil, make([]byte, 16), make([]byte, 31), make([]byte, 33), make([]byte, 64)} {
			if _, err := walletstore.New(t.Context(), db, k); !errors.Is(err, sqldb.ErrInvalid) {
				t.Fatalf("New(%d-byte key): %v", len(k), err)
			}
		}
	})
}

// TestWrongKey: a database sealed under one key refuses another at New, and (should the key
// check be removed) every sealed value refuses it with ErrWrongKey, not garbage.
func TestWrongKey(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := newStore(t, db, testKey(1))
		owner := "local"
		c := walletstoretest.NewCredential(owner, "c1", t0)
		p := walletstoretest.NewPending(owner, "p1", t0)
		if err := s.SaveCredentials(ctx, owner, []wallet.Credential{c}, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.PutPending(ctx, p); err != nil {
			t.Fatal(err)
		}
		if _, err := walletstore.New(ctx, db, testKey(9)); !errors.Is(err, walletstore.ErrWrongKey) {
			t.Fatalf("New with another key: %v", err)
		}
		if _, err := db.ExecContext(ctx, "DELETE FROM wallet_keycheck"); err != nil {
			t.Fatal(err)
		}
		wrong := newStore(t, db, testKey(9))
		if _, err := wrong.Credential(ctx, owner, "c1"); !errors.Is(err, walletstore.ErrWrongKey) {
			t.Fatalf("credential under another key: %v", err)
		}
		if _, err := wrong.Credentials(ctx, owner); !errors.Is(err, walletstore.ErrWrongKey) {
			t.Fatalf("credentials under another key: %v", err)
		}
		if _, err := wrong.Pending(ctx, owner, "p1"); !errors.Is(err, walletstore.ErrWrongKey) {
			t.Fatalf("pending under another key: %v", err)
		}
		// The right key still opens everything.
		if got, err := s.Credential(ctx, owner, "c1"); err != nil || !bytes.Equal(got.Raw, c.Raw) {
			t.Fatalf("credential under the right key: %v", err)
		}
	})
}

// rawColumn reads one column of one row as stored.
func rawColumn(t *testing.T, db *sqldb.DB, table, col, owner, id string) []byte {
	t.Helper()
	var b []byte
	if err := db.QueryRowContext(t.Context(), "SELECT "+col+" FROM "+table+" WHERE owner = ? AND id = ?", owner, id).Scan(&b); err != nil {
		t.Fatalf("read %s.%s: %v", table, col, err)
	}
	return b
}

// TestCiphertextAtRest reads the secret columns as stored: each is a sealed value (version
// 1, 4-byte key id, 12-byte nonce, 16-byte tag) that does not contain the plaintext, two
// equal plaintexts seal differently, and metadata stays readable.
func TestCiphertextAtRest(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := newStore(t, db, testKey(3))
		owner := "local"
		c1 := walletstoretest.NewCredential(owner, "c1", t0)
		c2 := walletstoretest.NewCredential(owner, "c2", t0)
		c2.Raw = c1.Raw
		p := walletstoretest.NewPending(owner, "p1", t0)
		if err := s.SaveCredentials(ctx, owner, []wallet.Credential{c1, c2}, ""); err != nil {
			t.Fatal(err)
		}
		if err := s.PutPending(ctx, p); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			table, col, id string
			plain          []byte
		}{
			{"wallet_credentials", "raw", "c1", c1.Raw},
			{"wallet_credentials", "raw", "c2", c2.Raw},
			{"wallet_credentials", "holder_key", "c1", c1.HolderKey},
			{"wallet_pending", "access_token", "p1", p.AccessToken},
			{"wallet_pending", "dpop_key", "p1", p.DPoPKey},
			{"wallet_pending", "holder_keys", "p1", p.HolderKeys[0]},
		}
		for _, c := range cases {
			b := rawColumn(t, db, c.table, c.col, owner, c.id)
			if bytes.Contains(b, c.plain) || bytes.Contains(b, c.plain[:8]) {
				t.Fatalf("%s.%s holds the plaintext", c.table, c.col)
			}
			if b[0] != 1 || len(b) < 1+4+12+16+len(c.plain) {
				t.Fatalf("%s.%s: not a sealed value: % x", c.table, c.col, b[:min(len(b), 8)])
			}
		}
		if bytes.Equal(rawColumn(t, db, "wallet_credentials", "raw", owner, "c1"), rawColumn(t, db, "wallet_credentials", "raw", owner, "c2")) {
			t.Fatal("equal plaintexts sealed to equal ciphertexts")
		}
		var issuer string
		if err := db.QueryRowContext(ctx, "SELECT issuer FROM wallet_credentials WHERE id = 'c1'").Scan(&issuer); err != nil || issuer != c1.Issuer {
			t.Fatalf("issuer in clear: %q, %v", issuer, err)
		}
	})
}

// TestTamper: a sealed value altered, swapped with another row's, moved to another
// column or another owner, or truncated fails with ErrCorrupt.
func TestTamper(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := newStore(t, db, testKey(4))
		setup := func(owner string) {
			t.Helper()
			c1 := walletstoretest.NewCredential(owner, "c1", t0)
			c2 := walletstoretest.NewCredential(owner, "c2", t0)
			if err := s.SaveCredentials(ctx, owner, []wallet.Credential{c1, c2}, ""); err != nil {
				t.Fatal(err)
			}
			if err := s.PutPending(ctx, walletstoretest.NewPending(owner, "p1", t0)); err != nil {
				t.Fatal(err)
			}
		}
		set := func(table, col, owner, id string, v []byte) {
			t.Helper()
			if _, err := db.ExecContext(ctx, "UPDATE "+table+" SET "+col+" = ? WHERE owner = ? AND id = ?", v, owner, id); err != nil {
				t.Fatal(err)
			}
		}
		cred := func(owner, id string) error { _, err := s.Credential(ctx, owner, id); return err }
		cases := []struct {
			name   string
			tamper func(owner string)
			read   func(owner string) error
		}{
			{"fail/flipped bit in ciphertext", func(o string) {
				b := rawColumn(t, db, "wallet_credentials", "raw", o, "c1")
				b[len(b)-20] ^= 1
				set("wallet_credentials", "raw", o, "c1", b)
			}, func(o string) error { return cred(o, "c1") }},
			{"fail/flipped bit in nonce", func(o string) {
				b := rawColumn(t, db, "wallet_credentials", "raw", o, "c1")
				b[6] ^= 0x80
				set("wallet_credentials", "raw", o, "c1", b)
			}, func(o string) error { return cred(o, "c1") }},
			{"fail/truncated", func(o string) {
				b := rawColumn(t, db, "wallet_credentials", "holder_key", o, "c1")
				set("wallet_credentials", "holder_key", o, "c1", b[:len(b)-1])
			}, func(o string) error { return cred(o, "c1") }},
			{"fail/too short", func(o string) {
				set("wallet_credentials", "raw", o, "c1", []byte{1, 2, 3})
			}, func(o string) error { return cred(o, "c1") }},
			{"fail/unknown version", func(o string) {
				b := rawColumn(t, db, "wallet_credentials", "raw", o, "c1")
				b[0] = 2
				set("wallet_credentials", "raw", o, "c1", b)
			}, func(o string) error { return cred(o, "c1") }},
			{"fail/swapped rows", func(o string) {
				a, b := rawColumn(t, db, "wallet_credentials", "raw", o, "c1"), rawColumn(t, db, "wallet_credentials", "raw", o, "c2")
				set("wallet_credentials", "raw", o, "c1", b)
				set("wallet_credentials", "raw", o, "c2", a)
			}, func(o string) error { return errors.Join(cred(o, "c1"), cred(o, "c2")) }},
			{"fail/other column", func(o string) {
				set("wallet_credentials", "raw", o, "c1", rawColumn(t, db, "wallet_credentials", "holder_key", o, "c1"))
			}, func(o string) error { return cred(o, "c1") }},
			{"fail/pending token swapped with dpop key", func(o string) {
				a, b := rawColumn(t, db, "wallet_pending", "access_token", o, "p1"), rawColumn(t, db, "wallet_pending", "dpop_key", o, "p1")
				set("wallet_pending", "access_token", o, "p1", b)
				set("wallet_pending", "dpop_key", o, "p1", a)
			}, func(o string) error { _, err := s.Pending(ctx, o, "p1"); return err }},
			{"fail/row moved to another owner", func(o string) {
				if _, err := db.ExecContext(ctx, "UPDATE wallet_credentials SET owner = ? WHERE owner = ? AND id = 'c1'", o+"-thief", o); err != nil {
					t.Fatal(err)
				}
			}, func(o string) error { return cred(o+"-thief", "c1") }},
		}
		for i, c := range cases {
			owner := walletstoretest.Rand("owner-")
			setup(owner)
			if _, err := s.Pending(ctx, owner, "p1"); err != nil {
				t.Fatalf("%s: before tampering: %v", c.name, err)
			}
			if err := cred(owner, "c1"); err != nil {
				t.Fatalf("%s: before tampering: %v", c.name, err)
			}
			c.tamper(owner)
			err := c.read(owner)
			if !errors.Is(err, walletstore.ErrCorrupt) {
				t.Fatalf("case %d %s: %v; want ErrCorrupt", i, c.name, err)
			}
		}
	})
}

// TestDurable closes the database and opens it again with the same key: everything is
// still there and opens.
func TestDurable(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		owner := "local"
		c := walletstoretest.NewCredential(owner, "c1", t0)
		p := walletstoretest.NewPending(owner, "p1", t0)
		r := walletstoretest.NewPresentation(owner, "h1", t0)
		var accountID, token string
		{
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			s := newStore(t, db, testKey(5))
			if err := s.SaveCredentials(ctx, owner, []wallet.Credential{c}, ""); err != nil {
				t.Fatal(err)
			}
			if err := s.PutPending(ctx, p); err != nil {
				t.Fatal(err)
			}
			if err := s.AddPresentation(ctx, r); err != nil {
				t.Fatal(err)
			}
			a, err := s.CreateAccount(ctx, "hanako", walletstoretest.PasswordHash, t0)
			if err != nil {
				t.Fatal(err)
			}
			accountID = a.ID
			if token, err = s.CreateSession(ctx, a.ID, t0, t0.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
		}
		db := sqldbtest.Open(t, dsn)
		if _, err := walletstore.New(ctx, db, testKey(6)); !errors.Is(err, walletstore.ErrWrongKey) {
			t.Fatalf("reopen with another key: %v", err)
		}
		s := newStore(t, db, testKey(5))
		if got, err := s.Credential(ctx, owner, "c1"); err != nil || !bytes.Equal(got.Raw, c.Raw) || !bytes.Equal(got.HolderKey, c.HolderKey) {
			t.Fatalf("credential after reopen: %v", err)
		}
		if got, err := s.Pending(ctx, owner, "p1"); err != nil || !bytes.Equal(got.AccessToken, p.AccessToken) || len(got.HolderKeys) != 2 {
			t.Fatalf("pending after reopen: %v", err)
		}
		if got, err := s.Presentations(ctx, owner); err != nil || len(got) != 1 {
			t.Fatalf("history after reopen: %v", err)
		}
		if got, err := s.Session(ctx, token, t0.Add(time.Minute)); err != nil || got.AccountID != accountID {
			t.Fatalf("session after reopen: %v", err)
		}
	})
}

// walletTables lists every table of the store with the column that names the owner, for
// the DeleteAccount check. TestDeleteAccountRows fails when a table is missing here.
var walletTables = map[string]string{
	"wallet_credentials":     "owner",
	"wallet_pending":         "owner",
	"wallet_presentations":   "owner",
	"wallet_accounts":        "id",
	"wallet_sessions":        "account_id",
	"wallet_signin_failures": "key_hash",
	"wallet_keycheck":        "",
	// Kept on purpose: the deleted account's random id (no username or other data), so
	// that late writes for it are refused.
	"wallet_deleted_accounts": "",
}

// tables lists the wallet_ tables in the database.
func tables(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'wallet%'"
	if db.Dialect() == sqldb.Postgres {
		q = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'wallet%'"
	}
	rows, err := db.QueryContext(t.Context(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = rows.Close() }()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != "goose_wallet" {
			out = append(out, n)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestDeleteAccountRows counts the rows of the deleted account in every table of the
// store: none remain, and the other account's rows are all still there.
func TestDeleteAccountRows(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := newStore(t, db, testKey(7))
		got := tables(t, db)
		want := make([]string, 0, len(walletTables))
		for n := range walletTables {
			want = append(want, n)
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("tables %v; the test knows %v: add the new table to walletTables", got, want)
		}
		count := func(acc *walletstore.Account) map[string]int {
			out := map[string]int{}
			for table, col := range walletTables {
				if col == "" {
					continue
				}
				v := acc.ID
				if col == "key_hash" {
					h := sha256.Sum256([]byte("user:" + acc.Username))
					v = hex.EncodeToString(h[:])
				}
				var n int
				if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE "+col+" = ?", v).Scan(&n); err != nil {
					t.Fatal(err)
				}
				out[table] = n
			}
			return out
		}
		var accs []*walletstore.Account
		for _, name := range []string{"a", "b"} {
			a, err := s.CreateAccount(ctx, name, walletstoretest.PasswordHash, t0)
			if err != nil {
				t.Fatal(err)
			}
			walletstoretest.Populate(t, s, a.ID)
			for range 2 {
				if _, err := s.CreateSession(ctx, a.ID, t0, t0.Add(time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.RecordFailedSignIn(ctx, name, "198.51.100.7", t0); err != nil {
				t.Fatal(err)
			}
			accs = append(accs, a)
		}
		full := map[string]int{"wallet_credentials": 2, "wallet_pending": 1, "wallet_presentations": 1,
			"wallet_accounts": 1, "wallet_sessions": 2, "wallet_signin_failures": 1}
		for _, a := range accs {
			if got := count(a); !mapsEqual(got, full) {
				t.Fatalf("rows of %s before: %v", a.Username, got)
			}
		}
		if err := s.DeleteAccount(ctx, accs[0].ID); err != nil {
			t.Fatal(err)
		}
		if got := count(accs[0]); !mapsEqual(got, map[string]int{"wallet_credentials": 0, "wallet_pending": 0,
			"wallet_presentations": 0, "wallet_accounts": 0, "wallet_sessions": 0, "wallet_signin_failures": 0}) {
			t.Fatalf("rows of the deleted account: %v", got)
		}
		if got := count(accs[1]); !mapsEqual(got, full) {
			t.Fatalf("rows of the other account: %v", got)
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestInvalidArguments: arguments refused before touching the database.
func TestInvalidArguments(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := newStore(t, db, testKey(8))
		long := string(bytes.Repeat([]byte("x"), walletstore.MaxIDLen+1))
		noRaw := walletstoretest.NewCredential("o", "c", t0)
		noRaw.Raw = nil
		noTime := walletstoretest.NewCredential("o", "c", time.Time{})
		bigRaw := walletstoretest.NewCredential("o", "c", t0)
		bigRaw.Raw = make(wallet.Secret, walletstore.MaxSecretLen+1)
		many := make([]wallet.Credential, walletstore.MaxBatch+1)
		for i := range many {
			many[i] = walletstoretest.NewCredential("o", walletstoretest.Rand("c-"), t0)
		}
		pNoTime := walletstoretest.NewPending("o", "p", time.Time{})
		pNeg := walletstoretest.NewPending("o", "p", t0)
		pNeg.Interval = -time.Second
		cases := []struct {
			name string
			err  error
		}{
			{"fail/empty owner", s.SaveCredentials(ctx, "", nil, "")},
			{"fail/long owner", s.SaveCredentials(ctx, long, nil, "")},
			{"fail/empty id", s.SaveCredentials(ctx, "o", []wallet.Credential{walletstoretest.NewCredential("o", "", t0)}, "")},
			{"fail/no raw", s.SaveCredentials(ctx, "o", []wallet.Credential{noRaw}, "")},
			{"fail/zero received", s.SaveCredentials(ctx, "o", []wallet.Credential{noTime}, "")},
			{"fail/huge raw", s.SaveCredentials(ctx, "o", []wallet.Credential{bigRaw}, "")},
			{"fail/batch too large", s.SaveCredentials(ctx, "o", many, "")},
			{"fail/other owner", s.SaveCredentials(ctx, "o", []wallet.Credential{walletstoretest.NewCredential("p", "c", t0)}, "")},
			{"fail/pending without time", s.PutPending(ctx, pNoTime)},
			{"fail/pending negative interval", s.PutPending(ctx, pNeg)},
			{"fail/pending without owner", s.PutPending(ctx, walletstoretest.NewPending("", "p", t0))},
			{"fail/presentation without time", s.AddPresentation(ctx, walletstoretest.NewPresentation("o", "h", time.Time{}))},
			{"fail/presentation without id", s.AddPresentation(ctx, walletstoretest.NewPresentation("o", "", t0))},
			{"fail/long username", func() error { _, err := s.CreateAccount(ctx, long, walletstoretest.PasswordHash, t0); return err }()},
			{"fail/account zero now", func() error {
				_, err := s.CreateAccount(ctx, "u", walletstoretest.PasswordHash, time.Time{})
				return err
			}()},
			{"fail/session zero now", func() error { _, err := s.Session(ctx, "x", time.Time{}); return err }()},
			{"fail/failures zero since", func() error { _, err := s.FailedSignIns(ctx, "u", "c", time.Time{}); return err }()},
			{"fail/record zero time", s.RecordFailedSignIn(ctx, "u", "c", time.Time{})},
			{"fail/sweep zero time", func() error { _, err := s.Sweep(ctx, time.Time{}, t0); return err }()},
		}
		for _, c := range cases {
			if !errors.Is(c.err, sqldb.ErrInvalid) {
				t.Errorf("%s: %v; want ErrInvalid", c.name, c.err)
			}
		}
	})
}

// TestSweep deletes expired sessions and old failures only.
func TestSweep(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		s := newStore(t, db, testKey(8))
		a, err := s.CreateAccount(ctx, "u", walletstoretest.PasswordHash, t0)
		if err != nil {
			t.Fatal(err)
		}
		old, err := s.CreateSession(ctx, a.ID, t0, t0.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		live, err := s.CreateSession(ctx, a.ID, t0, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []int{0, 5, 20} {
			if err := s.RecordFailedSignIn(ctx, "u", "c", t0.Add(time.Duration(m)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		now := t0.Add(30 * time.Minute)
		n, err := s.Sweep(ctx, now, now.Add(-15*time.Minute))
		if err != nil || n != 1+4 {
			t.Fatalf("sweep: %d, %v; want 5 rows", n, err)
		}
		if _, err := s.Session(ctx, old, t0); !errors.Is(err, sqldb.ErrNotFound) {
			t.Fatalf("swept session: %v", err)
		}
		if _, err := s.Session(ctx, live, now); err != nil {
			t.Fatalf("live session: %v", err)
		}
		if f, err := s.FailedSignIns(ctx, "u", "c", t0); err != nil || f != (walletstore.SignInFailures{ByUsername: 1, ByClient: 1}) {
			t.Fatalf("failures after sweep: %+v, %v", f, err)
		}
	})
}
