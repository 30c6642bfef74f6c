package issuerstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerstore"
)

func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "issuerstore-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	db, err := sqldb.Open(ctx, filepath.Join(dir, "issuer.db")) // or postgres://...
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = db.Close() }()

	s, err := issuerstore.New(ctx, db) // migrates; idempotent
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	o := issuer.Offer{
		ID: "o1", Tenant: "uni-a", ConfigurationIDs: []string{"diploma"}, Record: []byte(`{}`),
		PreAuthorizedCode: "code-1", State: issuer.OfferPending, CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute),
	}
	err = s.CreateOffer(ctx, &o, issuer.AuditEvent{At: now, Actor: "registrar", Action: "offer_created", Object: o.ID})
	if err != nil {
		log.Fatal(err)
	}
	redeem := func(o issuer.Offer) issuer.Redemption {
		if o.State != issuer.OfferPending {
			return issuer.Redemption{State: o.State, TxCodeAttempts: o.TxCodeAttempts, RedeemedAt: o.RedeemedAt,
				Err: fmt.Errorf("offer is %s", o.State)}
		}
		tok := &issuer.AccessToken{Hash: "sha256-of-token", ConfigurationIDs: o.ConfigurationIDs,
			IssuedAt: now, ExpiresAt: now.Add(5 * time.Minute)}
		return issuer.Redemption{State: issuer.OfferRedeemed, RedeemedAt: now, Token: tok}
	}
	got, err := s.RedeemOffer(ctx, "code-1", nil, now, redeem)
	fmt.Println(got.State, err)
	got, err = s.RedeemOffer(ctx, "code-1", nil, now, redeem)
	fmt.Println(got.State, err)
	tok, err := s.AccessToken(ctx, "sha256-of-token")
	fmt.Println(tok.Tenant, tok.OfferID, err)
	// Output:
	// redeemed <nil>
	// redeemed offer is redeemed
	// uni-a o1 <nil>
}
