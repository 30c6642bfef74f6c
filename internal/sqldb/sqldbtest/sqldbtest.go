package sqldbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
)

// EnvPostgres names the environment variable holding the admin DSN of the PostgreSQL server
// used by the "postgres" subtests.
const EnvPostgres = "HASHI_TEST_POSTGRES"

// setupTimeout bounds creating, opening and dropping a test database.
const setupTimeout = 30 * time.Second

// skipMessage is what a "postgres" subtest says when EnvPostgres is unset.
const skipMessage = "PostgreSQL tests skipped: " + EnvPostgres + " is not set; to run them, set it to " +
	"the DSN of a role that may create databases, e.g. " + EnvPostgres +
	"='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'"

// RunBoth runs fn as subtest "sqlite" and as subtest "postgres", each with a fresh, empty,
// open database that is closed (and, for PostgreSQL, dropped) when the subtest ends. opts
// are passed to sqldb.Open. See the package documentation for how PostgreSQL is found.
func RunBoth(t *testing.T, fn func(t *testing.T, db *sqldb.DB), opts ...sqldb.Option) {
	t.Helper()
	RunBothDSN(t, func(t *testing.T, dsn string) {
		t.Helper()
		fn(t, Open(t, dsn, opts...))
	})
}

// RunBothDSN is RunBoth for tests that open the database themselves, possibly several times
// (two "replicas", or Close and Open again): fn receives the DSN of a fresh, empty database.
func RunBothDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Helper()
		fn(t, SQLiteDSN(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Helper()
		fn(t, PostgresDSN(t))
	})
}

// SQLiteDSN returns the DSN of a new SQLite file in t.TempDir().
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	p := filepath.ToSlash(filepath.Join(t.TempDir(), "test.db"))
	return "sqlite:" + (&url.URL{Path: p}).EscapedPath()
}

// PostgresDSN creates a database with a random name (hashi_test_<hex>) on the server named
// by EnvPostgres and returns its DSN; the database is dropped, with its connections
// terminated, when the test ends. It skips the test if EnvPostgres is unset and fails it if
// the server cannot be reached or the database cannot be created.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	admin := os.Getenv(EnvPostgres)
	if admin == "" {
		t.Skip(skipMessage)
	}
	u, err := url.Parse(admin)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("%s must be a postgres:// URL", EnvPostgres)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	adb, err := sqldb.Open(ctx, admin, sqldb.WithMaxOpenConns(1))
	if err != nil {
		t.Fatalf("%s is set (%s) but PostgreSQL cannot be reached: %v", EnvPostgres, u.Redacted(), err)
	}
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	name := "hashi_test_" + hex.EncodeToString(b[:])
	if _, err := adb.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		_ = adb.Close()
		t.Fatalf("create test database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
		defer cancel()
		if _, err := adb.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database %s: %v", name, err)
		}
		if err := adb.Close(); err != nil {
			t.Errorf("close admin connection: %v", err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Open opens dsn with sqldb.Open and closes it when the test ends. It fails the test if the
// database cannot be opened.
func Open(t testing.TB, dsn string, opts ...sqldb.Option) *sqldb.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	db, err := sqldb.Open(ctx, dsn, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", redact(dsn), err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("close %s: %v", redact(dsn), err)
		}
	})
	return db
}

// redact hides a password in a postgres:// DSN for messages.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && strings.HasPrefix(u.Scheme, "postgres") {
		return u.Redacted()
	}
	return dsn
}
