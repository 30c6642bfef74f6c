package issuerstore_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerstore"
	"github.com/hashi-vc/hashi/issuer/issuerstore/issuerstoretest"
)

// databases are the benchmark targets: a SQLite file in b.TempDir(), and a fresh
// PostgreSQL database (skipped without HASHI_TEST_POSTGRES).
var databases = []struct {
	name string
	dsn  func(testing.TB) string
}{
	{"sqlite", sqldbtest.SQLiteDSN},
	{"postgres", sqldbtest.PostgresDSN},
}

func benchStore(b *testing.B, dsn func(testing.TB) string) *issuerstore.Store {
	b.Helper()
	return newStore(b, sqldbtest.Open(b, dsn(b)))
}

// BenchmarkRecordIssuance records batches of credentials into 2^17-entry status lists of one
// tenant: serially, and from parallel goroutines competing for the tenant's list lock.
func BenchmarkRecordIssuance(b *testing.B) {
	const listSize = 1 << 17
	for _, d := range databases {
		b.Run(d.name, func(b *testing.B) {
			s := benchStore(b, d.dsn)
			tenant := issuerstoretest.Rand("t-")
			o := issuerstoretest.NewOffer(tenant, t0)
			ev := issuer.AuditEvent{At: t0, Actor: "wallet", Action: "credential_issued"}
			for _, batch := range []int{1, 10} {
				b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
					for b.Loop() {
						recs := issuerstoretest.NewIssuances(o, "c1", batch, t0)
						if err := s.RecordIssuance(b.Context(), issuerstoretest.Rand("h-"), "", nil, issuerstoretest.T0, recs, listSize, ev); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			b.Run("batch=1/parallel", func(b *testing.B) {
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						recs := issuerstoretest.NewIssuances(o, "c1", 1, t0)
						if err := s.RecordIssuance(b.Context(), issuerstoretest.Rand("h-"), "", nil, issuerstoretest.T0, recs, listSize, ev); err != nil {
							b.Error(err)
							return
						}
					}
				})
			})
		})
	}
}

// BenchmarkRedeemOffer redeems pre-authorized codes with a tx_code check and a new access
// token, one offer per iteration (created before the timer starts).
func BenchmarkRedeemOffer(b *testing.B) {
	for _, d := range databases {
		b.Run(d.name, func(b *testing.B) {
			s := benchStore(b, d.dsn)
			tenant := issuerstoretest.Rand("t-")
			ev := issuer.AuditEvent{At: t0, Actor: "registrar", Action: "offer_created"}
			run := func(b *testing.B, parallel bool) {
				offers := make(chan issuer.Offer, b.N)
				for range b.N {
					o := issuerstoretest.NewOffer(tenant, t0)
					if err := s.CreateOffer(b.Context(), &o, ev); err != nil {
						b.Fatal(err)
					}
					offers <- o
				}
				close(offers)
				redeem := func() error {
					o := <-offers
					tok := issuerstoretest.NewToken(o, t0.Add(time.Second))
					_, err := s.RedeemOffer(b.Context(), o.PreAuthorizedCode, nil, issuerstoretest.T0, func(got issuer.Offer) issuer.Redemption {
						if got.TxCode != o.TxCode || got.State != issuer.OfferPending {
							return issuer.Redemption{State: got.State, TxCodeAttempts: got.TxCodeAttempts + 1, Err: fmt.Errorf("bad offer")}
						}
						return issuer.Redemption{State: issuer.OfferRedeemed, TxCodeAttempts: got.TxCodeAttempts, RedeemedAt: tok.IssuedAt, Token: tok}
					})
					return err
				}
				b.ResetTimer()
				if !parallel {
					for range b.N {
						if err := redeem(); err != nil {
							b.Fatal(err)
						}
					}
					return
				}
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						if err := redeem(); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			b.Run("serial", func(b *testing.B) { run(b, false) })
			b.Run("parallel", func(b *testing.B) { run(b, true) })
		})
	}
}
