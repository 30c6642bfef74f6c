package sqldb_test

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// TestErrorTranslation provokes each kind of driver error on both databases and checks what
// it is translated to, and that the driver error is still reachable with errors.As.
func TestErrorTranslation(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		for _, stmt := range []string{
			"CREATE TABLE parent (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE)",
			"CREATE TABLE child (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL REFERENCES parent (id))",
			"INSERT INTO parent (id, email) VALUES ('p1', 'a@example.org')",
		} {
			if _, err := db.ExecContext(ctx, stmt); err != nil {
				t.Fatal(err)
			}
		}
		tests := []struct {
			name     string
			run      func() error
			wantErr  error // nil: neither ErrNotFound nor ErrConflict nor ErrBusy
			wantNoRw bool  // also errors.Is sql.ErrNoRows
		}{
			{
				name: "fail/primary-key",
				run: func() error {
					_, err := db.ExecContext(ctx, "INSERT INTO parent (id, email) VALUES (?, ?)", "p1", "b@example.org")
					return err
				},
				wantErr: sqldb.ErrConflict,
			},
			{
				name: "fail/unique",
				run: func() error {
					_, err := db.ExecContext(ctx, "INSERT INTO parent (id, email) VALUES (?, ?)", "p2", "a@example.org")
					return err
				},
				wantErr: sqldb.ErrConflict,
			},
			{
				name: "fail/unique-in-tx",
				run: func() error {
					return db.Tx(ctx, func(tx *sqldb.Tx) error {
						_, err := tx.ExecContext(ctx, "INSERT INTO parent (id, email) VALUES (?, ?)", "p1", "c@example.org")
						return err
					})
				},
				wantErr: sqldb.ErrConflict,
			},
			{
				name: "fail/no-rows",
				run: func() error {
					var s string
					return db.QueryRowContext(ctx, "SELECT email FROM parent WHERE id = ?", "nope").Scan(&s)
				},
				wantErr:  sqldb.ErrNotFound,
				wantNoRw: true,
			},
			{
				name: "fail/no-rows-in-tx",
				run: func() error {
					return db.Tx(ctx, func(tx *sqldb.Tx) error {
						var s string
						return tx.QueryRowContext(ctx, "SELECT email FROM parent WHERE id = ?", "nope").Scan(&s)
					})
				},
				wantErr:  sqldb.ErrNotFound,
				wantNoRw: true,
			},
			{
				// Proves foreign keys are enforced (PRAGMA foreign_keys on SQLite), and that a
				// foreign-key violation is not mistaken for a conflict.
				name: "fail/foreign-key",
				run: func() error {
					_, err := db.ExecContext(ctx, "INSERT INTO child (id, parent_id) VALUES (?, ?)", "c1", "missing")
					return err
				},
			},
			{
				name: "fail/not-null",
				run: func() error {
					_, err := db.ExecContext(ctx, "INSERT INTO parent (id, email) VALUES (?, NULL)", "p3")
					return err
				},
			},
			{
				name: "fail/syntax",
				run: func() error {
					_, err := db.ExecContext(ctx, "INSERT INTO nowhere VALUES (?)", 1)
					return err
				},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.run()
				if err == nil {
					t.Fatal("no error")
				}
				for _, s := range []error{sqldb.ErrNotFound, sqldb.ErrConflict, sqldb.ErrBusy} {
					if got, want := errors.Is(err, s), tt.wantErr != nil && errors.Is(tt.wantErr, s); got != want {
						t.Errorf("errors.Is(%v, %v) = %v; want %v", err, s, got, want)
					}
				}
				if tt.wantNoRw {
					if !errors.Is(err, sql.ErrNoRows) {
						t.Errorf("%v does not wrap sql.ErrNoRows", err)
					}
					return
				}
				switch db.Dialect() {
				case sqldb.SQLite:
					if _, ok := errors.AsType[*sqlite.Error](err); !ok {
						t.Errorf("%v does not wrap *sqlite.Error", err)
					}
				case sqldb.Postgres:
					if _, ok := errors.AsType[*pgconn.PgError](err); !ok {
						t.Errorf("%v does not wrap *pgconn.PgError", err)
					}
				}
			})
		}
		// The failed statements changed nothing.
		var n int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM parent").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("parent has %d rows", n)
		}
	})
}

func TestErrExpiredIsNotFound(t *testing.T) {
	t.Parallel()
	if !errors.Is(sqldb.ErrExpired, sqldb.ErrNotFound) {
		t.Fatal("ErrExpired does not wrap ErrNotFound")
	}
	if errors.Is(sqldb.ErrNotFound, sqldb.ErrExpired) {
		t.Fatal("ErrNotFound is ErrExpired")
	}
}
