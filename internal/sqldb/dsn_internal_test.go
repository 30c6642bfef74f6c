package sqldb

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseDSN(t *testing.T) {
	t.Parallel()
	wd, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		dsn         string
		base        string // WithBaseDir
		wantDialect Dialect
		wantPath    string
	}{
		{name: "ok/postgres", dsn: "postgres://u@h:5432/db?sslmode=disable", wantDialect: Postgres},
		{name: "ok/postgresql", dsn: "postgresql://u@h/db", wantDialect: Postgres},
		{name: "ok/postgres-upper-scheme", dsn: "POSTGRES://u@h/db", wantDialect: Postgres},
		{name: "ok/sqlite-abs", dsn: "sqlite:///var/lib/hashi/a.db", wantDialect: SQLite, wantPath: "/var/lib/hashi/a.db"},
		{name: "ok/sqlite-abs-single-slash", dsn: "sqlite:/var/a.db", wantDialect: SQLite, wantPath: "/var/a.db"},
		{name: "ok/sqlite-rel", dsn: "sqlite:data/a.db", wantDialect: SQLite, wantPath: filepath.Join(wd, "data/a.db")},
		{name: "ok/sqlite-escaped", dsn: "sqlite:///tmp/a%20b%3Fc.db", wantDialect: SQLite, wantPath: "/tmp/a b?c.db"},
		{name: "ok/sqlite-any-extension", dsn: "sqlite:///tmp/store", wantDialect: SQLite, wantPath: "/tmp/store"},
		{name: "ok/file-abs", dsn: "file:///tmp/a.db", wantDialect: SQLite, wantPath: "/tmp/a.db"},
		{name: "ok/file-rel", dsn: "file:a.db", wantDialect: SQLite, wantPath: filepath.Join(wd, "a.db")},
		{name: "ok/bare-abs", dsn: "/tmp/x/a.db", wantDialect: SQLite, wantPath: "/tmp/x/a.db"},
		{name: "ok/bare-rel", dsn: "a.sqlite3", wantDialect: SQLite, wantPath: filepath.Join(wd, "a.sqlite3")},
		{name: "ok/bare-cleaned", dsn: "x/../b.sqlite", wantDialect: SQLite, wantPath: filepath.Join(wd, "b.sqlite")},
		{name: "ok/base-sqlite-rel", dsn: "sqlite:a.db", base: "/etc/hashi", wantDialect: SQLite, wantPath: "/etc/hashi/a.db"},
		{name: "ok/base-file-rel", dsn: "file:../data/a.db", base: "/etc/hashi", wantDialect: SQLite, wantPath: "/etc/data/a.db"},
		{name: "ok/base-bare-rel", dsn: "a.db", base: "/etc/hashi", wantDialect: SQLite, wantPath: "/etc/hashi/a.db"},
		{name: "ok/base-relative", dsn: "sqlite:a.db", base: "conf", wantDialect: SQLite, wantPath: filepath.Join(wd, "conf/a.db")},
		{name: "ok/base-abs-unaffected", dsn: "sqlite:///var/a.db", base: "/etc/hashi", wantDialect: SQLite, wantPath: "/var/a.db"},
		{name: "ok/base-postgres-unaffected", dsn: "postgres://u@h/db", base: "/etc/hashi", wantDialect: Postgres},
		{name: "fail/empty", dsn: ""},
		{name: "fail/mysql", dsn: "mysql://u@h/db"},
		{name: "fail/bare-no-extension", dsn: "/tmp/a"},
		{name: "fail/bare-with-query", dsn: "/tmp/a.db?mode=memory"},
		{name: "fail/memory", dsn: "sqlite::memory:"},
		{name: "fail/file-memory", dsn: "file::memory:"},
		{name: "fail/sqlite-query", dsn: "sqlite:///tmp/a.db?_pragma=foo"},
		{name: "fail/sqlite-fragment", dsn: "sqlite:///tmp/a.db#x"},
		{name: "fail/sqlite-host", dsn: "sqlite://host/a.db"},
		{name: "fail/sqlite-empty-path", dsn: "sqlite:"},
		{name: "fail/sqlite-dir", dsn: "sqlite:///tmp/"},
		{name: "fail/sqlite-bad-escape", dsn: "sqlite:///tmp/%zz.db"},
		{name: "fail/nul", dsn: "sqlite:///tmp/a\x00.db"},
		{name: "fail/too-long", dsn: "sqlite:///" + strings.Repeat("a", maxDSNLen) + ".db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseDSN(tt.dsn, tt.base)
			if tt.wantDialect == 0 {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("parseDSN(%q) = %+v, %v; want ErrInvalid", tt.dsn, got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseDSN(%q): %v", tt.dsn, err)
			}
			if got.dialect != tt.wantDialect || got.path != tt.wantPath {
				t.Fatalf("parseDSN(%q) = %v %q; want %v %q", tt.dsn, got.dialect, got.path, tt.wantDialect, tt.wantPath)
			}
			if got.dialect == Postgres && got.dsn != tt.dsn {
				t.Fatalf("postgres DSN changed: %q", got.dsn)
			}
		})
	}
}

func FuzzParseDSN(f *testing.F) {
	for _, s := range []string{
		"postgres://u@h/db", "sqlite:///a/b.db", "sqlite:a.db", "file:a.db", "a.db",
		"sqlite:///a%2Fb.db", "sqlite::memory:", "sqlite://h/x", "x.db?y",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, dsn string) {
		got, err := parseDSN(dsn, "")
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		switch got.dialect {
		case SQLite:
			if !filepath.IsAbs(got.path) {
				t.Fatalf("relative SQLite path %q", got.path)
			}
			if _, err := sqliteURI(got.path, 1000); err != nil {
				t.Fatalf("sqliteURI(%q): %v", got.path, err)
			}
		case Postgres:
			if got.dsn != dsn {
				t.Fatalf("postgres DSN changed")
			}
		default:
			t.Fatalf("dialect %v", got.dialect)
		}
	})
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	for attempt := 1; attempt <= maxMaxAttempts; attempt++ {
		for range 50 {
			d := backoff(attempt)
			if d < 0 || d > retryMaxDelay {
				t.Fatalf("backoff(%d) = %v, outside [0, %v]", attempt, d, retryMaxDelay)
			}
			if attempt == 1 && d > retryBaseDelay {
				t.Fatalf("backoff(1) = %v > %v", d, retryBaseDelay)
			}
		}
	}
}

func TestMigrationLockIDPerStore(t *testing.T) {
	t.Parallel()
	a, b, again := migrationLockID("issuer"), migrationLockID("verifier"), migrationLockID("issuer")
	if a == b {
		t.Fatal("stores share a migration lock id")
	}
	if a != again {
		t.Fatal("lock id not stable")
	}
}
