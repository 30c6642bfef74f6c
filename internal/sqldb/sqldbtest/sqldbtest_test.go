package sqldbtest_test

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// helperEnv makes TestHelperRunBoth do its work; it is set only in the child processes
// started by the tests below.
const helperEnv = "SQLDBTEST_HELPER"

// TestHelperRunBoth is run in a child process to observe RunBoth's skip and fail behaviour
// from outside.
func TestHelperRunBoth(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper for TestSkipWithoutPostgres and TestFailWhenUnreachable")
	}
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		t.Logf("ran on %v", db.Dialect())
	})
}

func runHelper(t *testing.T, postgresDSN string) (string, error) {
	t.Helper()
	args := []string{"-test.run=^TestHelperRunBoth$", "-test.v", "-test.count=1"}
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...) //nolint:gosec // G204: re-runs this test binary
	env := []string{helperEnv + "=1"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, sqldbtest.EnvPostgres+"=") && !strings.HasPrefix(kv, helperEnv+"=") {
			env = append(env, kv)
		}
	}
	if postgresDSN != "" {
		env = append(env, sqldbtest.EnvPostgres+"="+postgresDSN)
	}
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestSkipWithoutPostgres(t *testing.T) {
	t.Parallel()
	out, err := runHelper(t, "")
	if err != nil {
		t.Fatalf("child failed without %s: %v\n%s", sqldbtest.EnvPostgres, err, out)
	}
	for _, want := range []string{
		"--- PASS: TestHelperRunBoth/sqlite",
		"ran on sqlite",
		"--- SKIP: TestHelperRunBoth/postgres",
		"PostgreSQL tests skipped: HASHI_TEST_POSTGRES is not set",
		"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}

func TestFailWhenUnreachable(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1 of the loopback interface.
	out, err := runHelper(t, "postgres://postgres:hunter2@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=5")
	if err == nil {
		t.Fatalf("child passed with an unreachable server:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: TestHelperRunBoth/postgres",
		"HASHI_TEST_POSTGRES is set",
		"cannot be reached",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("child output leaks the password:\n%s", out)
	}
}

// TestFreshDatabases checks that every run gets its own empty database and that it is
// removed afterwards.
func TestFreshDatabases(t *testing.T) {
	t.Parallel()
	var dsns []string
	for range 2 {
		sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
			dsns = append(dsns, dsn)
			db := sqldbtest.Open(t, dsn)
			// Empty: creating a table with a fixed name works every time.
			if _, err := db.ExecContext(t.Context(), "CREATE TABLE fresh (x TEXT)"); err != nil {
				t.Fatalf("database not fresh: %v", err)
			}
		})
	}
	seen := map[string]bool{}
	for _, dsn := range dsns {
		if seen[dsn] {
			t.Fatalf("DSN %s used twice", dsn)
		}
		seen[dsn] = true
		if strings.HasPrefix(dsn, "sqlite:") {
			if _, err := os.Stat(filepath.Dir(strings.TrimPrefix(dsn, "sqlite:"))); !os.IsNotExist(err) {
				t.Errorf("SQLite directory of %s still exists: %v", dsn, err)
			}
			continue
		}
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(u.Path, "/")
		if !strings.HasPrefix(name, "hashi_test_") || len(name) != len("hashi_test_")+16 {
			t.Errorf("database name %q", name)
		}
		admin, err := sqldb.Open(context.Background(), os.Getenv(sqldbtest.EnvPostgres))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		err = admin.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM pg_database WHERE datname = ?", name).Scan(&n)
		_ = admin.Close()
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("database %s was not dropped", name)
		}
	}
}

// TestDropsDatabaseWithOpenConnections leaves a connection open past the end of the test:
// the cleanup must still drop the database (WITH (FORCE)).
func TestDropsDatabaseWithOpenConnections(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("postgres", func(t *testing.T) {
		dsn := sqldbtest.PostgresDSN(t)
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatal(err)
		}
		name = strings.TrimPrefix(u.Path, "/")
		db, err := sqldb.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		// Closed only after the database is gone.
		t.Cleanup(func() { _ = db.Close() })
	})
	if name == "" {
		return // skipped
	}
	admin := sqldbtest.Open(t, os.Getenv(sqldbtest.EnvPostgres))
	var n int
	if err := admin.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM pg_database WHERE datname = ?", name).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database %s survived", name)
	}
}
