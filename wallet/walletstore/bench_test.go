package walletstore_test

import (
	"testing"

	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/walletstore/walletstoretest"
)

// BenchmarkSaveCredential measures sealing and storing one credential on SQLite.
func BenchmarkSaveCredential(b *testing.B) {
	db := sqldbtest.Open(b, sqldbtest.SQLiteDSN(b))
	s := newStore(b, db, testKey(1))
	ctx := b.Context()
	for b.Loop() {
		c := walletstoretest.NewCredential("local", walletstoretest.Rand("c-"), t0)
		if err := s.SaveCredentials(ctx, "local", []wallet.Credential{c}, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCredentials measures listing (and opening) 50 credentials on SQLite.
func BenchmarkCredentials(b *testing.B) {
	db := sqldbtest.Open(b, sqldbtest.SQLiteDSN(b))
	s := newStore(b, db, testKey(1))
	ctx := b.Context()
	creds := make([]wallet.Credential, 50)
	for i := range creds {
		creds[i] = walletstoretest.NewCredential("local", walletstoretest.Rand("c-"), t0)
	}
	if err := s.SaveCredentials(ctx, "local", creds, ""); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if got, err := s.Credentials(ctx, "local"); err != nil || len(got) != 50 {
			b.Fatal(err)
		}
	}
}
