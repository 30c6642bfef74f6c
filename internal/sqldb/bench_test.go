package sqldb_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// BenchmarkRedeem measures Redeem on a SQLite file (WAL, synchronous=FULL: every redeem is a
// durable commit). Setup issues the values outside the timer.
func BenchmarkRedeem(b *testing.B) {
	db := sqldbtest.Open(b, sqldbtest.SQLiteDSN(b))
	su, err := sqldb.NewSingleUse(b.Context(), db)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	values := make([]string, b.N)
	for i := range values {
		values[i] = "nonce-" + strconv.Itoa(i)
		if err := su.Issue(b.Context(), "bench", values[i], now.Add(time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if err := su.Redeem(b.Context(), "bench", values[i], now); err != nil {
			b.Fatal(err)
		}
	}
}
