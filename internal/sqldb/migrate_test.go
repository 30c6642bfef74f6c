package sqldb_test

import (
	"errors"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// migrations is a store with a shared migration, a dialect-specific one (BLOB vs BYTEA) and
// another shared one after it.
var migrations = fstest.MapFS{
	"00001_notes.sql": {Data: []byte(`-- +goose Up
CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL);
-- +goose Down
DROP TABLE notes;
`)},
	"sqlite/00002_blobs.sql": {Data: []byte(`-- +goose Up
CREATE TABLE blobs (id TEXT PRIMARY KEY, data BLOB NOT NULL, dialect TEXT NOT NULL DEFAULT 'sqlite');
-- +goose Down
DROP TABLE blobs;
`)},
	"postgres/00002_blobs.sql": {Data: []byte(`-- +goose Up
CREATE TABLE blobs (id TEXT PRIMARY KEY, data BYTEA NOT NULL, dialect TEXT NOT NULL DEFAULT 'postgres');
-- +goose Down
DROP TABLE blobs;
`)},
	"00003_notes_index.sql": {Data: []byte(`-- +goose Up
CREATE INDEX notes_body ON notes (body);
-- +goose Down
DROP INDEX notes_body;
`)},
	"README.md": {Data: []byte("ignored")},
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		// Twice: the second run must be a no-op, not an error.
		for range 2 {
			if err := db.Migrate(ctx, "notes", migrations); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO blobs (id, data) VALUES (?, ?)", "b", []byte{0, 1, 2}); err != nil {
			t.Fatal(err)
		}
		var (
			dialect string
			data    []byte
		)
		if err := db.QueryRowContext(ctx, "SELECT dialect, data FROM blobs WHERE id = ?", "b").Scan(&dialect, &data); err != nil {
			t.Fatal(err)
		}
		if dialect != db.Dialect().String() || string(data) != "\x00\x01\x02" {
			t.Fatalf("ran the %s migration on %v; data %x", dialect, db.Dialect(), data)
		}
		// Exactly versions 1..3 recorded once each, in the store's own table.
		var n, maxV int64
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*), MAX(version_id) FROM goose_notes WHERE version_id > 0").Scan(&n, &maxV); err != nil {
			t.Fatal(err)
		}
		if n != 3 || maxV != 3 {
			t.Fatalf("goose_notes has %d versions, max %d", n, maxV)
		}
		// A new version added later is applied on the next start.
		more := fstest.MapFS{}
		for k, v := range migrations {
			more[k] = v
		}
		more["00004_more.sql"] = &fstest.MapFile{Data: []byte("-- +goose Up\nALTER TABLE notes ADD COLUMN extra TEXT;\n")}
		if err := db.Migrate(ctx, "notes", more); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO notes (id, body, extra) VALUES (?, ?, ?)", "n", "b", "e"); err != nil {
			t.Fatal(err)
		}
		// An older replica that does not know version 4 still starts.
		if err := db.Migrate(ctx, "notes", migrations); err != nil {
			t.Fatalf("older migration set after newer: %v", err)
		}
		// A second store in the same database migrates independently.
		other := fstest.MapFS{"00001_x.sql": {Data: []byte("-- +goose Up\nCREATE TABLE other_x (id TEXT PRIMARY KEY);\n")}}
		if err := db.Migrate(ctx, "other", other); err != nil {
			t.Fatal(err)
		}
	})
}

// replicaMigrations record each application in a table; the PostgreSQL version of 2 is slow,
// so that replicas starting together overlap while it runs.
var replicaMigrations = fstest.MapFS{
	"00001_applied.sql":       {Data: []byte("-- +goose Up\nCREATE TABLE applied (v INTEGER NOT NULL);\nINSERT INTO applied (v) VALUES (1);\n")},
	"sqlite/00002_slow.sql":   {Data: []byte("-- +goose Up\nINSERT INTO applied (v) VALUES (2);\n")},
	"postgres/00002_slow.sql": {Data: []byte("-- +goose Up\nSELECT pg_sleep(0.3);\nINSERT INTO applied (v) VALUES (2);\n")},
	"00003_more.sql":          {Data: []byte("-- +goose Up\nINSERT INTO applied (v) VALUES (3);\n")},
}

// TestMigrateReplicas starts several "replicas" at once against one fresh database: every
// Migrate succeeds and each migration runs exactly once.
func TestMigrateReplicas(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		const replicas = 4
		dbs := make([]*sqldb.DB, replicas)
		for i := range dbs {
			dbs[i] = sqldbtest.Open(t, dsn)
		}
		// Version 1 is already there (the version table exists), so that the replicas do not
		// serialise on creating it and all reach version 2 together.
		first := fstest.MapFS{"00001_applied.sql": replicaMigrations["00001_applied.sql"]}
		if err := dbs[0].Migrate(t.Context(), "replicas", first); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make([]error, replicas)
		for i, db := range dbs {
			wg.Go(func() {
				<-start
				errs[i] = db.Migrate(t.Context(), "replicas", replicaMigrations)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
		rows, err := dbs[0].QueryContext(t.Context(), "SELECT v, COUNT(*) FROM applied GROUP BY v ORDER BY v")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = rows.Close() }()
		var got []int64
		for rows.Next() {
			var v, n int64
			if err := rows.Scan(&v, &n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("migration %d ran %d times", v, n)
			}
			got = append(got, v)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("migrations applied: %v; want [1 2 3]", got)
		}
	})
}

func TestMigrateLayoutErrors(t *testing.T) {
	t.Parallel()
	up := func(sql string) *fstest.MapFile { return &fstest.MapFile{Data: []byte("-- +goose Up\n" + sql + "\n")} }
	tests := []struct {
		name  string
		store string
		fsys  fstest.MapFS
	}{
		{name: "fail/empty", store: "s", fsys: fstest.MapFS{"README.md": {Data: []byte("x")}}},
		{name: "fail/sqlite-without-postgres", store: "s", fsys: fstest.MapFS{
			"00001_a.sql": up("CREATE TABLE a (x TEXT);"), "sqlite/00002_b.sql": up("CREATE TABLE b (x BLOB);"),
		}},
		{name: "fail/postgres-without-sqlite", store: "s", fsys: fstest.MapFS{
			"postgres/00001_b.sql": up("CREATE TABLE b (x BYTEA);"),
		}},
		{name: "fail/shared-and-specific", store: "s", fsys: fstest.MapFS{
			"00001_a.sql": up("CREATE TABLE a (x TEXT);"), "sqlite/00001_a.sql": up("SELECT 1;"), "postgres/00001_a.sql": up("SELECT 1;"),
		}},
		{name: "fail/duplicate-version", store: "s", fsys: fstest.MapFS{
			"00001_a.sql": up("CREATE TABLE a (x TEXT);"), "001_b.sql": up("CREATE TABLE b (x TEXT);"),
		}},
		{name: "fail/unversioned-sql", store: "s", fsys: fstest.MapFS{"init.sql": up("CREATE TABLE a (x TEXT);")}},
		{name: "fail/unknown-directory", store: "s", fsys: fstest.MapFS{
			"00001_a.sql": up("CREATE TABLE a (x TEXT);"), "postgresql/00002_b.sql": up("SELECT 1;"),
		}},
		{name: "fail/nested-directory", store: "s", fsys: fstest.MapFS{
			"sqlite/x/00001_a.sql": up("SELECT 1;"), "postgres/00001_a.sql": up("SELECT 1;"),
		}},
		{name: "fail/store-empty", store: "", fsys: migrations},
		{name: "fail/store-upper", store: "Issuer", fsys: migrations},
		{name: "fail/store-injection", store: "x; DROP TABLE notes", fsys: migrations},
		{name: "fail/store-leading-digit", store: "1x", fsys: migrations},
		{name: "fail/store-too-long", store: "a234567890123456789012345678901234567890x", fsys: migrations},
	}
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := db.Migrate(t.Context(), tt.store, tt.fsys)
				if !errors.Is(err, sqldb.ErrInvalid) {
					t.Fatalf("Migrate = %v; want ErrInvalid", err)
				}
			})
		}
		// Nothing was created: the checks run before the database is touched.
		var n int
		q := "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
		if db.Dialect() == sqldb.Postgres {
			q = "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema()"
		}
		if err := db.QueryRowContext(t.Context(), q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("%d tables exist after failed migrations", n)
		}
	})
}

// TestMigrateBadSQL checks that a failing migration is reported and not recorded.
func TestMigrateBadSQL(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		bad := fstest.MapFS{
			"00001_ok.sql":  {Data: []byte("-- +goose Up\nCREATE TABLE ok_t (x TEXT);\n")},
			"00002_bad.sql": {Data: []byte("-- +goose Up\nCREATE TABLE bad_t (x TEXT);\nCREATE TABLE nonsense nonsense;\n")},
		}
		if err := db.Migrate(t.Context(), "bad", bad); err == nil {
			t.Fatal("bad migration succeeded")
		}
		var n int64
		if err := db.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM goose_bad WHERE version_id = 2").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatal("failed migration recorded as applied")
		}
		// Version 2 ran in a transaction: its first statement was rolled back too.
		if _, err := db.ExecContext(t.Context(), "SELECT x FROM bad_t"); err == nil {
			t.Fatal("half of a failed migration is visible")
		}
	})
}
