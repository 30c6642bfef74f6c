package walletstore_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/walletstore"
)

func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "walletstore-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	db, err := sqldb.Open(ctx, filepath.Join(dir, "wallet.db")) // or postgres://...
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = db.Close() }()

	key := bytes.Repeat([]byte{0x42}, walletstore.KeySize) // use walletstore.LoadKey(file, env)
	s, err := walletstore.New(ctx, db, key)
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	c := wallet.Credential{ID: "c1", Owner: "local", Format: "dc+sd-jwt", Issuer: "https://issuer.example",
		Raw: wallet.Secret("eyJ...~"), HolderKey: wallet.Secret(`{"kty":"EC",...}`), ReceivedAt: now}
	if err := s.SaveCredentials(ctx, "local", []wallet.Credential{c}, ""); err != nil {
		log.Fatal(err)
	}
	got, err := s.Credential(ctx, "local", "c1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Issuer, string(got.Raw), got.HolderKey) // a Secret prints redacted

	_, err = walletstore.New(ctx, db, bytes.Repeat([]byte{0x43}, walletstore.KeySize))
	fmt.Println(err)
	// Output:
	// https://issuer.example eyJ...~ [redacted]
	// walletstore: new: key check: wallet_keycheck.value: walletstore: wrong wallet key (the data was encrypted with another key)
}

func ExampleHashPassword() {
	h, err := walletstore.HashPassword("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	ok, err := walletstore.CheckPassword(h, "correct horse battery staple")
	fmt.Println(ok, err)
	ok, err = walletstore.CheckPassword(h, "Tr0ub4dor&3")
	fmt.Println(ok, err)
	fmt.Println(h[:31])
	// Output:
	// true <nil>
	// false <nil>
	// $argon2id$v=19$m=19456,t=2,p=1$
}

func ExampleStore_CreateSession() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "walletstore-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	db, err := sqldb.Open(ctx, filepath.Join(dir, "wallet.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	s, err := walletstore.New(ctx, db, bytes.Repeat([]byte{0x42}, walletstore.KeySize))
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	hash, err := walletstore.HashPassword("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	a, err := s.CreateAccount(ctx, "hanako", hash, now)
	if err != nil {
		log.Fatal(err)
	}
	token, err := s.CreateSession(ctx, a.ID, now, now.Add(8*time.Hour)) // the session cookie
	if err != nil {
		log.Fatal(err)
	}
	sess, err := s.Session(ctx, token, now.Add(time.Hour))
	fmt.Println(len(token), sess.AccountID == a.ID, err)
	_, err = s.Session(ctx, token, now.Add(9*time.Hour))
	fmt.Println(err)
	// Output:
	// 43 true <nil>
	// walletstore: session: sqldb: expired
}
