package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing/fstest"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
)

// exampleDB opens a SQLite file in a fresh temporary directory.
func exampleDB(ctx context.Context) (*sqldb.DB, func()) {
	dir, err := os.MkdirTemp("", "sqldb-example-")
	if err != nil {
		log.Fatal(err)
	}
	db, err := sqldb.Open(ctx, "sqlite://"+filepath.ToSlash(filepath.Join(dir, "example.db")))
	if err != nil {
		log.Fatal(err)
	}
	return db, func() {
		_ = db.Close()
		_ = os.RemoveAll(dir)
	}
}

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqldb-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()

	// A bare path ending .db is a SQLite file; postgres://... would open PostgreSQL.
	db, err := sqldb.Open(ctx, filepath.Join(dir, "data", "issuer.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	fmt.Println(db.Dialect(), db.Ready(ctx) == nil)
	// Output: sqlite true
}

func ExampleDialect_Rebind() {
	q := "SELECT id FROM offers WHERE code = ? AND note <> 'why?' AND expires_at > ?"
	fmt.Println(sqldb.SQLite.Rebind(q))
	fmt.Println(sqldb.Postgres.Rebind(q))
	// Output:
	// SELECT id FROM offers WHERE code = ? AND note <> 'why?' AND expires_at > ?
	// SELECT id FROM offers WHERE code = $1 AND note <> 'why?' AND expires_at > $2
}

func ExampleDB_Migrate() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()

	// Usually an embed.FS narrowed with fs.Sub. Version 2 differs per database.
	migrations := fstest.MapFS{
		"00001_offers.sql":         {Data: []byte("-- +goose Up\nCREATE TABLE offers (id TEXT PRIMARY KEY, expires_at BIGINT NOT NULL);\n")},
		"sqlite/00002_keys.sql":    {Data: []byte("-- +goose Up\nCREATE TABLE keys (id TEXT PRIMARY KEY, der BLOB NOT NULL);\n")},
		"postgres/00002_keys.sql":  {Data: []byte("-- +goose Up\nCREATE TABLE keys (id TEXT PRIMARY KEY, der BYTEA NOT NULL);\n")},
		"00003_offers_exp_idx.sql": {Data: []byte("-- +goose Up\nCREATE INDEX offers_exp ON offers (expires_at);\n")},
	}
	for range 2 { // idempotent: run it at every start
		if err := db.Migrate(ctx, "example", migrations); err != nil {
			log.Fatal(err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM goose_example WHERE version_id > 0").Scan(&n); err != nil {
		log.Fatal(err)
	}
	fmt.Println("applied versions:", n)
	// Output: applied versions: 3
}

func ExampleDB_Tx() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	if _, err := db.ExecContext(ctx, "CREATE TABLE accounts (id TEXT PRIMARY KEY, balance BIGINT NOT NULL)"); err != nil {
		log.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO accounts (id, balance) VALUES ('a', 10), ('b', 0)"); err != nil {
		log.Fatal(err)
	}

	// fn may run more than once (on busy or serialization failures): it only touches tx.
	err := db.Tx(ctx, func(tx *sqldb.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE accounts SET balance = balance - ? WHERE id = ?", 3, "a"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "UPDATE accounts SET balance = balance + ? WHERE id = ?", 3, "b")
		return err
	})
	if err != nil {
		log.Fatal(err)
	}

	var balance int64
	err = db.QueryRowContext(ctx, "SELECT balance FROM accounts WHERE id = ?", "c").Scan(&balance)
	fmt.Println(errors.Is(err, sqldb.ErrNotFound))
	if err := db.QueryRowContext(ctx, "SELECT balance FROM accounts WHERE id = ?", "b").Scan(&balance); err != nil {
		log.Fatal(err)
	}
	fmt.Println(balance)
	// Output:
	// true
	// 3
}

func ExampleSingleUse() {
	ctx := context.Background()
	db, done := exampleDB(ctx)
	defer done()
	su, err := sqldb.NewSingleUse(ctx, db)
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	// The issuer hands out a c_nonce and later accepts it exactly once.
	_ = su.Issue(ctx, "issuer.c_nonce", "wKI4LT17ac15ES9bw8ac4", now.Add(5*time.Minute))
	fmt.Println(su.Redeem(ctx, "issuer.c_nonce", "wKI4LT17ac15ES9bw8ac4", now.Add(time.Minute)))
	err = su.Redeem(ctx, "issuer.c_nonce", "wKI4LT17ac15ES9bw8ac4", now.Add(time.Minute))
	fmt.Println(errors.Is(err, sqldb.ErrNotFound))

	// A DPoP proof's jti may be seen once while the proof is acceptable.
	fmt.Println(su.Remember(ctx, "issuer.dpop_jti", "e1j3V_bKic8-LAEB", now.Add(time.Minute), now))
	err = su.Remember(ctx, "issuer.dpop_jti", "e1j3V_bKic8-LAEB", now.Add(time.Minute), now.Add(time.Second))
	fmt.Println(errors.Is(err, sqldb.ErrConflict))
	// Output:
	// <nil>
	// true
	// <nil>
	// true
}
