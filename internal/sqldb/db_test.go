package sqldb_test

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

func TestOpenSQLiteForms(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	tests := []struct {
		name string
		dsn  string
		file string // expected file, relative to dir
	}{
		{name: "ok/sqlite-abs", dsn: "sqlite://" + filepath.ToSlash(filepath.Join(dir, "a", "abs.db")), file: "a/abs.db"},
		{name: "ok/sqlite-rel", dsn: "sqlite:b/rel.db", file: "b/rel.db"},
		{name: "ok/file-rel", dsn: "file:c/file.db", file: "c/file.db"},
		{name: "ok/bare-rel", dsn: "d/e/bare.db", file: "d/e/bare.db"},
		{name: "ok/escaped-name", dsn: "sqlite:" + (&url.URL{Path: "f/we?ird #%name.db"}).EscapedPath(), file: "f/we?ird #%name.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := sqldbtest.Open(t, tt.dsn)
			if db.Dialect() != sqldb.SQLite {
				t.Fatalf("dialect %v", db.Dialect())
			}
			if _, err := db.ExecContext(t.Context(), "CREATE TABLE t (x INTEGER)"); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatalf("database file not where expected: %v", err)
			}
			if st.Size() == 0 {
				// WAL mode: the table may still be in the -wal file; the header is written on
				// first checkpoint. Existence is what matters here.
				t.Logf("%s is empty before checkpoint", tt.file)
			}
		})
	}
}

func TestOpenFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dsn     string
		opts    []sqldb.Option
		wantErr error // nil: any error
	}{
		{name: "fail/empty", dsn: "", wantErr: sqldb.ErrInvalid},
		{name: "fail/unknown-scheme", dsn: "mysql://root@localhost/x", wantErr: sqldb.ErrInvalid},
		{name: "fail/memory", dsn: "sqlite::memory:", wantErr: sqldb.ErrInvalid},
		{name: "fail/sqlite-params", dsn: "sqlite:///tmp/x.db?_journal_mode=DELETE", wantErr: sqldb.ErrInvalid},
		{name: "fail/bad-busy-timeout", dsn: "x.db", opts: []sqldb.Option{sqldb.WithBusyTimeout(0)}, wantErr: sqldb.ErrInvalid},
		{name: "fail/bad-max-conns", dsn: "x.db", opts: []sqldb.Option{sqldb.WithMaxOpenConns(0)}, wantErr: sqldb.ErrInvalid},
		{name: "fail/bad-attempts", dsn: "x.db", opts: []sqldb.Option{sqldb.WithMaxAttempts(0)}, wantErr: sqldb.ErrInvalid},
		{name: "fail/nil-logger", dsn: "x.db", opts: []sqldb.Option{sqldb.WithLogger(nil)}, wantErr: sqldb.ErrInvalid},
		{name: "fail/nil-option", dsn: "x.db", opts: []sqldb.Option{nil}, wantErr: sqldb.ErrInvalid},
		{name: "fail/postgres-bad-dsn", dsn: "postgres://u:secret@h:notaport/db", wantErr: sqldb.ErrInvalid},
		// Port 1 on loopback: nothing listens, so the connection is refused at once.
		//nolint:gosec // G101: a fake password, to check that errors do not repeat it
		{name: "fail/postgres-unreachable", dsn: "postgres://u:secret@127.0.0.1:1/db?sslmode=disable&connect_timeout=5"},
		{name: "fail/sqlite-parent-is-file", dsn: "sqlite://" + filepath.ToSlash(filepath.Join(mustFile(t), "x.db"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			db, err := sqldb.Open(ctx, tt.dsn, tt.opts...)
			if err == nil {
				_ = db.Close()
				t.Fatalf("Open(%q) succeeded", tt.dsn)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open(%q) = %v; want %v", tt.dsn, err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Fatalf("error leaks the password: %v", err)
			}
		})
	}
}

// mustFile creates a regular file and returns its path.
func mustFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSQLiteSettings(t *testing.T) {
	t.Parallel()
	db := sqldbtest.Open(t, sqldbtest.SQLiteDSN(t), sqldb.WithBusyTimeout(1234*time.Millisecond), sqldb.WithMaxOpenConns(3))
	ctx := t.Context()
	// Check every pooled connection, not just the first: settings must be per connection.
	conns := make([]interface{ Close() error }, 0, 3)
	defer func() {
		for _, c := range conns {
			_ = c.Close()
		}
	}()
	for i := range 3 {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		for _, p := range []struct {
			pragma string
			want   string
		}{
			{"journal_mode", "wal"},
			{"synchronous", "2"}, // FULL
			{"foreign_keys", "1"},
			{"busy_timeout", "1234"},
		} {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != p.want {
				t.Errorf("conn %d: PRAGMA %s = %q; want %q", i, p.pragma, got, p.want)
			}
		}
		// Double-quoted strings are identifiers only, as on PostgreSQL.
		var s string
		if err := c.QueryRowContext(ctx, `SELECT "not a column"`).Scan(&s); err == nil {
			t.Errorf("conn %d: double-quoted string literal accepted", i)
		}
	}
}

func TestSQLiteFileModes(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "new", "data")
	path := filepath.Join(dir, "svc.db")
	db := sqldbtest.Open(t, "sqlite://"+filepath.ToSlash(path))
	if _, err := db.ExecContext(t.Context(), "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{
		{dir, 0o700 | os.ModeDir},
		{path, 0o600},
		{path + "-wal", 0o600},
		{path + "-shm", 0o600},
	} {
		st, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != c.want {
			t.Errorf("%s: mode %v; want %v", c.path, st.Mode(), c.want)
		}
	}
}

// TestDurability writes, closes, reopens and reads, on both databases.
func TestDurability(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		ctx := t.Context()
		db, err := sqldb.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "CREATE TABLE kept (k TEXT PRIMARY KEY, v BIGINT NOT NULL)"); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO kept (k, v) VALUES (?, ?)", "answer", 42)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db2 := sqldbtest.Open(t, dsn)
		var v int64
		if err := db2.QueryRowContext(ctx, "SELECT v FROM kept WHERE k = ?", "answer").Scan(&v); err != nil {
			t.Fatal(err)
		}
		if v != 42 {
			t.Fatalf("v = %d after reopen", v)
		}
	})
}

func TestReadyAndClose(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		db, err := sqldb.Open(t.Context(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Ready(t.Context()); err != nil {
			t.Fatalf("Ready: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if err := db.Ready(t.Context()); err == nil {
			t.Fatal("Ready succeeded on a closed DB")
		}
	})
}

func TestDialect(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		want := sqldb.SQLite
		if strings.HasPrefix(dsn, "postgres") {
			want = sqldb.Postgres
		}
		if db.Dialect() != want {
			t.Fatalf("Dialect() = %v; want %v", db.Dialect(), want)
		}
	})
}

// TestCommitAfterCancel: once fn has succeeded, its transaction commits even if the
// caller's context ended meanwhile (a client that disconnected while its request was being
// recorded): what was done is kept, and Tx reports it. A context ended before Tx runs
// nothing.
func TestCommitAfterCancel(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		db := sqldbtest.Open(t, dsn)
		if _, err := db.ExecContext(t.Context(), "CREATE TABLE kept_after_cancel (k TEXT PRIMARY KEY)"); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(t.Context())
		err := db.Tx(ctx, func(tx *sqldb.Tx) error {
			if _, err := tx.ExecContext(ctx, "INSERT INTO kept_after_cancel (k) VALUES (?)", "done"); err != nil {
				return err
			}
			cancel() // the caller goes away after the work, before the commit
			return nil
		})
		if err != nil {
			t.Fatalf("Tx after the caller's cancellation: %v", err)
		}
		var n int
		if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM kept_after_cancel").Scan(&n); err != nil || n != 1 {
			t.Fatalf("rows %d, %v; want the committed one", n, err)
		}
		ran := false
		if err := db.Tx(ctx, func(*sqldb.Tx) error { ran = true; return nil }); !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("Tx with an ended context: %v, ran %v", err, ran)
		}
	})
}
