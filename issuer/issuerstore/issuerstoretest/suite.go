package issuerstoretest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/issuer"
)

// T0 is the suite's fixed "now". Times the suite stores are whole milliseconds after it.
var T0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Run runs the behaviour suite against s. The subtests share s and keep out of each other's
// way (and out of the way of data already in s) with a fresh random tenant, and random IDs,
// codes and hashes, each; so Run may be called more than once on one store.
func Run(t *testing.T, s issuer.Store) {
	t.Helper()
	t.Run("Graduates", func(t *testing.T) { testGraduates(t, s) })
	t.Run("ApproveGraduate", func(t *testing.T) { testApproveGraduate(t, s) })
	t.Run("Offers", func(t *testing.T) { testOffers(t, s) })
	t.Run("ListOffers", func(t *testing.T) { testListOffers(t, s) })
	t.Run("RedeemOffer", func(t *testing.T) { testRedeemOffer(t, s) })
	t.Run("RedeemOfferConcurrent", func(t *testing.T) { testRedeemOfferConcurrent(t, s) })
	t.Run("RedeemOfferAttemptsCounted", func(t *testing.T) { testRedeemOfferAttempts(t, s) })
	t.Run("RedeemOfferAudit", func(t *testing.T) { testRedeemOfferAudit(t, s) })
	t.Run("WithdrawOffer", func(t *testing.T) { testWithdrawOffer(t, s) })
	t.Run("RecordIssuance", func(t *testing.T) { testRecordIssuance(t, s) })
	t.Run("RecordIssuanceDeferred", func(t *testing.T) { testRecordIssuanceDeferred(t, s) })
	t.Run("RecordIssuanceRollover", func(t *testing.T) { testRecordIssuanceRollover(t, s) })
	t.Run("RecordIssuanceRolloverLarge", func(t *testing.T) { testRecordIssuanceRolloverLarge(t, s) })
	t.Run("RecordIssuanceConcurrent", func(t *testing.T) { testRecordIssuanceConcurrent(t, s) })
	t.Run("ListIssuances", func(t *testing.T) { testListIssuances(t, s) })
	t.Run("SetStatus", func(t *testing.T) { testSetStatus(t, s) })
	t.Run("Deferred", func(t *testing.T) { testDeferred(t, s) })
	t.Run("Notify", func(t *testing.T) { testNotify(t, s) })
	t.Run("AuditLog", func(t *testing.T) { testAuditLog(t, s) })
	t.Run("Remember", func(t *testing.T) { testRemember(t, s) })
	t.Run("RememberBatch", func(t *testing.T) { testRememberBatch(t, s) })
	t.Run("UsesInWrites", func(t *testing.T) { testUsesInWrites(t, s) })
	t.Run("Secret", func(t *testing.T) { testSecret(t, s) })
}

// Rand returns prefix followed by 64 random bits in hex: IDs, codes and tenants that no
// other subtest uses.
func Rand(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b[:])
}

// at returns T0 plus n seconds.
func at(n int) time.Time { return T0.Add(time.Duration(n) * time.Second) }

// audit returns an audit event for tenant at time at.
func audit(tenant string, when time.Time, action, object string) issuer.AuditEvent {
	return issuer.AuditEvent{Tenant: tenant, At: when, Actor: "registrar", Action: action, Object: object, Detail: "test"}
}

// wantErr fails t unless err matches want: nil wants nil; otherwise errors.Is(err, want).
func wantErr(t testing.TB, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("unexpected error: %v", err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("error %v; want %v", err, want)
	}
}

// equal fails t unless got and want are deeply equal.
func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

// NewGraduate returns a graduate of tenant created at T0.
func NewGraduate(tenant, id string) issuer.Graduate {
	return issuer.Graduate{
		Tenant:    tenant,
		ID:        id,
		Name:      "Hanako Yamada",
		Record:    []byte(`{"name":"` + id + `"}`),
		CreatedAt: T0,
		UpdatedAt: T0,
	}
}

// NewOffer returns a pending offer of tenant with a random ID and code, created at created
// and expiring ten minutes later.
func NewOffer(tenant string, created time.Time) issuer.Offer {
	return issuer.Offer{
		ID:                Rand("offer-"),
		Tenant:            tenant,
		ConfigurationIDs:  []string{"diploma_sd_jwt", "diploma_jwt_vc"},
		GraduateID:        "g1",
		Record:            []byte(`{"degree":"BSc"}`),
		Approved:          true,
		PreAuthorizedCode: Rand("code-"),
		TxCode:            "493536",
		State:             issuer.OfferPending,
		CreatedAt:         created,
		ExpiresAt:         created.Add(10 * time.Minute),
	}
}

// NewToken returns an access token for offer o with a random hash.
func NewToken(o issuer.Offer, issued time.Time) *issuer.AccessToken {
	return &issuer.AccessToken{
		Hash:             Rand("hash-"),
		Tenant:           o.Tenant,
		OfferID:          o.ID,
		ConfigurationIDs: o.ConfigurationIDs,
		JKT:              Rand("jkt-"),
		IssuedAt:         issued,
		ExpiresAt:        issued.Add(5 * time.Minute),
	}
}

// NewIssuances returns n records of one configuration of offer o, issued at issued, sharing a
// random notification ID.
func NewIssuances(o issuer.Offer, config string, n int, issued time.Time) []issuer.Issuance {
	nid := Rand("nid-")
	recs := make([]issuer.Issuance, n)
	for i := range recs {
		recs[i] = issuer.Issuance{
			ID:              Rand("iss-"),
			Tenant:          o.Tenant,
			OfferID:         o.ID,
			GraduateID:      o.GraduateID,
			ConfigurationID: config,
			NotificationID:  nid,
			HolderJKT:       fmt.Sprintf("holder-%d", i),
			IssuedAt:        issued,
		}
	}
	return recs
}

// mustCreateOffer stores o.
func mustCreateOffer(t testing.TB, s issuer.Store, o issuer.Offer) {
	t.Helper()
	if err := s.CreateOffer(t.Context(), &o, audit(o.Tenant, o.CreatedAt, "offer_created", o.ID)); err != nil {
		t.Fatalf("create offer: %v", err)
	}
}

// mustRecord records recs under a fresh token hash with list size listSize.
func mustRecord(t testing.TB, s issuer.Store, recs []issuer.Issuance, listSize int) {
	t.Helper()
	if err := s.RecordIssuance(t.Context(), Rand("hash-"), "", nil, T0, recs, listSize,
		audit(recs[0].Tenant, recs[0].IssuedAt, "credential_issued", recs[0].ID)); err != nil {
		t.Fatalf("record issuance: %v", err)
	}
}

// notFound and friends name the sentinels the contract uses.
var (
	errNotFound = sqldb.ErrNotFound
	errConflict = sqldb.ErrConflict
	errExpired  = sqldb.ErrExpired
	errInvalid  = sqldb.ErrInvalid
)

// isExpired reports whether err is sqldb.ErrExpired.
func isExpired(err error) bool { return errors.Is(err, errExpired) }
