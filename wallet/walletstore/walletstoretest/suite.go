package walletstoretest

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/wallet"
)

// T0 is the suite's fixed "now". Times the suite stores are whole milliseconds after it.
var T0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Run runs the wallet.Store behaviour suite against s. Every subtest uses fresh random
// owners and ids, so Run may be called more than once on one store and next to other data.
func Run(t *testing.T, s wallet.Store) {
	t.Helper()
	t.Run("Credentials", func(t *testing.T) { testCredentials(t, s) })
	t.Run("CredentialsRoundTrip", func(t *testing.T) { testCredentialsRoundTrip(t, s) })
	t.Run("CredentialsOrder", func(t *testing.T) { testCredentialsOrder(t, s) })
	t.Run("SaveCredentialsConflict", func(t *testing.T) { testSaveConflict(t, s) })
	t.Run("SaveCredentialsOtherOwner", func(t *testing.T) { testSaveOtherOwner(t, s) })
	t.Run("SaveCredentialsResolvesPending", func(t *testing.T) { testSaveResolves(t, s) })
	t.Run("SaveCredentialsResolvesConcurrent", func(t *testing.T) { testSaveResolvesConcurrent(t, s) })
	t.Run("Pending", func(t *testing.T) { testPending(t, s) })
	t.Run("PendingReplace", func(t *testing.T) { testPendingReplace(t, s) })
	t.Run("Presentations", func(t *testing.T) { testPresentations(t, s) })
}

// Rand returns prefix followed by 64 random bits in hex.
func Rand(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b[:])
}

// at returns T0 plus n seconds.
func at(n int) time.Time { return T0.Add(time.Duration(n) * time.Second) }

// wantErr fails t unless err matches want: nil wants nil; otherwise errors.Is(err, want).
func wantErr(t testing.TB, what string, err, want error) {
	t.Helper()
	switch {
	case want == nil && err != nil:
		t.Fatalf("%s: unexpected error: %v", what, err)
	case want != nil && !errors.Is(err, want):
		t.Fatalf("%s: error %v; want %v", what, err, want)
	}
}

// equal fails t unless got and want are deeply equal.
func equal(t testing.TB, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got  %#v\n want %#v", what, got, want)
	}
}

// ids returns the ids of records in order.
func ids[T any](recs []T, id func(T) string) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = id(r)
	}
	return out
}

func credID(c wallet.Credential) string         { return c.ID }
func pendingID(p wallet.PendingIssuance) string { return p.ID }

// NewCredential returns a fully populated SD-JWT VC credential of owner received at
// received, with a holder key and random content.
func NewCredential(owner, id string, received time.Time) wallet.Credential {
	return wallet.Credential{
		ID:              id,
		Owner:           owner,
		Format:          "dc+sd-jwt",
		Issuer:          "https://issuer.example.ac.jp",
		ConfigurationID: "diploma_sd_jwt",
		VCT:             "https://credentials.example/diploma",
		BatchID:         "batch-" + id,
		Raw:             wallet.Secret("eyJhbGciOiJFUzI1NiJ9." + Rand("payload-") + ".sig~WyJzYWx0IiwiZGVncmVlIiwiQlNjIl0~"),
		HolderKey:       wallet.Secret(`{"kty":"EC","crv":"P-256","d":"` + Rand("d-") + `"}`),
		ReceivedAt:      received,
		IssuedAt:        received.Add(-time.Hour),
		ExpiresAt:       received.Add(365 * 24 * time.Hour),
		Status:          &wallet.StatusReference{URI: "https://issuer.example.ac.jp/status/1", Index: 4242},
		Display: wallet.Display{
			Name:        wallet.Names{"en": "Bachelor of Science", "ja": "学士（理学）"},
			Description: wallet.Names{"en": "Degree"},
			IssuerName:  wallet.Names{"ja": "桜大学", "en": "Sakura University"},
		},
		Trust: wallet.TrustSummary{Checked: true, Trusted: true, TrustedAtIssuance: true, ListLabel: "JP pilot list",
			Territory: "JP", Path: "seal → CA", ProviderNames: wallet.Names{"en": "Sakura Trust"},
			ServiceType: "http://uri.etsi.org/TrstSvc/Svctype/CA/QC", Subject: "CN=Sakura"},
	}
}

// NewPending returns a fully populated pending issuance of owner created at created.
func NewPending(owner, id string, created time.Time) wallet.PendingIssuance {
	return wallet.PendingIssuance{
		ID:                   id,
		Owner:                owner,
		Issuer:               "https://issuer.example.ac.jp",
		ConfigurationID:      "diploma_jwt_vc",
		Format:               "jwt_vc_json",
		Types:                []string{"VerifiableCredential", "DiplomaCredential"},
		TransactionID:        Rand("tx-"),
		DeferredEndpoint:     "https://issuer.example.ac.jp/deferred",
		NotificationEndpoint: "https://issuer.example.ac.jp/notification",
		AccessToken:          wallet.Secret(Rand("token-")),
		TokenType:            "DPoP",
		DPoPKey:              wallet.Secret(`{"kty":"EC","d":"` + Rand("dpop-") + `"}`),
		HolderKeys:           []wallet.Secret{wallet.Secret(Rand("k1-")), wallet.Secret(Rand("k2-"))},
		Interval:             5*time.Second + 250*time.Microsecond,
		NextPollAt:           created.Add(5 * time.Second),
		CreatedAt:            created,
		Display:              wallet.Display{Name: wallet.Names{"en": "Diploma"}},
	}
}

// NewPresentation returns a presentation history entry of owner at when.
func NewPresentation(owner, id string, when time.Time) wallet.PresentationRecord {
	return wallet.PresentationRecord{
		ID:            id,
		Owner:         owner,
		ClientID:      "x509_san_dns:verifier.example.eu",
		VerifierName:  wallet.Names{"en": "Example Employer"},
		VerifierTrust: wallet.TrustSummary{Checked: true, Reason: "not_listed"},
		ResponseURI:   "https://verifier.example.eu/response",
		Credentials: []wallet.DisclosedCredential{{QueryID: "diploma", CredentialID: "c1", Format: "dc+sd-jwt",
			Name: wallet.Names{"en": "Diploma"}, Claims: []string{`["degree","title"]`}}},
		At:      when,
		Outcome: wallet.OutcomeSent,
	}
}

// testCredentials: save, read, list, delete, and another owner sees none of it.
func testCredentials(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner, other := Rand("owner-"), Rand("owner-")
	c1, c2 := NewCredential(owner, Rand("c-"), at(1)), NewCredential(owner, Rand("c-"), at(1))
	wantErr(t, "save", s.SaveCredentials(ctx, owner, []wallet.Credential{c1, c2}, ""), nil)
	for _, c := range []wallet.Credential{c1, c2} {
		got, err := s.Credential(ctx, owner, c.ID)
		wantErr(t, "credential", err, nil)
		equal(t, "credential", *got, c)
		_, err = s.Credential(ctx, other, c.ID)
		wantErr(t, "credential of another owner", err, storeerr.ErrNotFound)
		wantErr(t, "delete by another owner", s.DeleteCredential(ctx, other, c.ID), storeerr.ErrNotFound)
	}
	list, err := s.Credentials(ctx, owner)
	wantErr(t, "credentials", err, nil)
	equal(t, "credentials", list, []wallet.Credential{c1, c2})
	list, err = s.Credentials(ctx, other)
	wantErr(t, "credentials of another owner", err, nil)
	equal(t, "credentials of another owner", len(list), 0)
	_, err = s.Credential(ctx, owner, "missing")
	wantErr(t, "missing credential", err, storeerr.ErrNotFound)

	wantErr(t, "delete", s.DeleteCredential(ctx, owner, c1.ID), nil)
	_, err = s.Credential(ctx, owner, c1.ID)
	wantErr(t, "deleted credential", err, storeerr.ErrNotFound)
	wantErr(t, "delete again", s.DeleteCredential(ctx, owner, c1.ID), storeerr.ErrNotFound)
	list, err = s.Credentials(ctx, owner)
	wantErr(t, "credentials after delete", err, nil)
	equal(t, "credentials after delete", ids(list, credID), []string{c2.ID})

	// Saving nothing is a no-op.
	wantErr(t, "save nothing", s.SaveCredentials(ctx, owner, nil, ""), nil)
}

// testCredentialsRoundTrip: optional fields come back as given (nil, zero, empty).
func testCredentialsRoundTrip(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner := Rand("owner-")
	bare := wallet.Credential{ID: Rand("c-"), Owner: owner, Format: "jwt_vc_json", Issuer: "https://i.example",
		Types: []string{"VerifiableCredential"}, Raw: wallet.Secret("eyJ.e30.sig"), ReceivedAt: at(2)}
	binary := NewCredential(owner, Rand("c-"), at(3))
	binary.Raw = wallet.Secret{0, 1, 2, 0xff, 0xfe, 0}
	binary.HolderKey = wallet.Secret{0}
	binary.Types = []string{}
	wantErr(t, "save", s.SaveCredentials(ctx, owner, []wallet.Credential{bare, binary}, ""), nil)
	for _, c := range []wallet.Credential{bare, binary} {
		got, err := s.Credential(ctx, owner, c.ID)
		wantErr(t, "credential", err, nil)
		equal(t, "credential", *got, c)
	}
}

// testCredentialsOrder: oldest first by ReceivedAt; within one call, the call's order.
func testCredentialsOrder(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner := Rand("owner-")
	late := NewCredential(owner, "a-late", at(10))
	batch := []wallet.Credential{NewCredential(owner, "z-first", at(5)), NewCredential(owner, "m-second", at(5)), NewCredential(owner, "b-third", at(5))}
	early := NewCredential(owner, "y-early", at(1))
	wantErr(t, "save late", s.SaveCredentials(ctx, owner, []wallet.Credential{late}, ""), nil)
	wantErr(t, "save batch", s.SaveCredentials(ctx, owner, batch, ""), nil)
	wantErr(t, "save early", s.SaveCredentials(ctx, owner, []wallet.Credential{early}, ""), nil)
	list, err := s.Credentials(ctx, owner)
	wantErr(t, "credentials", err, nil)
	equal(t, "order", ids(list, credID), []string{"y-early", "z-first", "m-second", "b-third", "a-late"})
}

// testSaveConflict: an existing id fails the whole call, which stores nothing; ids are per
// owner.
func testSaveConflict(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner, other := Rand("owner-"), Rand("owner-")
	c1 := NewCredential(owner, Rand("c-"), at(1))
	wantErr(t, "save", s.SaveCredentials(ctx, owner, []wallet.Credential{c1}, ""), nil)
	fresh := NewCredential(owner, Rand("c-"), at(2))
	again := NewCredential(owner, c1.ID, at(2))
	wantErr(t, "save with existing id", s.SaveCredentials(ctx, owner, []wallet.Credential{fresh, again}, ""), storeerr.ErrConflict)
	_, err := s.Credential(ctx, owner, fresh.ID)
	wantErr(t, "credential of the failed call", err, storeerr.ErrNotFound)
	got, err := s.Credential(ctx, owner, c1.ID)
	wantErr(t, "original", err, nil)
	equal(t, "original unchanged", *got, c1)

	dup := NewCredential(owner, Rand("c-"), at(3))
	wantErr(t, "save repeated id", s.SaveCredentials(ctx, owner, []wallet.Credential{dup, dup}, ""), storeerr.ErrConflict)
	_, err = s.Credential(ctx, owner, dup.ID)
	wantErr(t, "credential of the repeated call", err, storeerr.ErrNotFound)

	// Another owner may use the same id: its existence does not leak.
	mine := NewCredential(other, c1.ID, at(4))
	wantErr(t, "same id, other owner", s.SaveCredentials(ctx, other, []wallet.Credential{mine}, ""), nil)
	got, err = s.Credential(ctx, other, c1.ID)
	wantErr(t, "other owner's credential", err, nil)
	equal(t, "other owner's credential", *got, mine)
	got, err = s.Credential(ctx, owner, c1.ID)
	wantErr(t, "owner's credential", err, nil)
	equal(t, "owner's credential unchanged", *got, c1)
}

// testSaveOtherOwner: a credential whose Owner is not the owner argument is refused and
// nothing is stored.
func testSaveOtherOwner(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner, other := Rand("owner-"), Rand("owner-")
	ok := NewCredential(owner, Rand("c-"), at(1))
	foreign := NewCredential(other, Rand("c-"), at(1))
	if err := s.SaveCredentials(ctx, owner, []wallet.Credential{ok, foreign}, ""); err == nil {
		t.Fatal("saving a credential of another owner succeeded")
	}
	for _, o := range []string{owner, other} {
		list, err := s.Credentials(ctx, o)
		wantErr(t, "credentials", err, nil)
		equal(t, "credentials stored", len(list), 0)
	}
}

// testSaveResolves: resolving a pending issuance deletes it with the save; a gone one, or
// another owner's, fails the save, which stores nothing.
func testSaveResolves(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner, other := Rand("owner-"), Rand("owner-")
	p := NewPending(owner, Rand("p-"), at(1))
	wantErr(t, "put pending", s.PutPending(ctx, p), nil)
	c := NewCredential(owner, Rand("c-"), at(2))
	wantErr(t, "save resolving", s.SaveCredentials(ctx, owner, []wallet.Credential{c}, p.ID), nil)
	_, err := s.Pending(ctx, owner, p.ID)
	wantErr(t, "resolved pending", err, storeerr.ErrNotFound)
	_, err = s.Credential(ctx, owner, c.ID)
	wantErr(t, "credential", err, nil)

	c2 := NewCredential(owner, Rand("c-"), at(3))
	wantErr(t, "save resolving again", s.SaveCredentials(ctx, owner, []wallet.Credential{c2}, p.ID), storeerr.ErrNotFound)
	_, err = s.Credential(ctx, owner, c2.ID)
	wantErr(t, "credential of the failed call", err, storeerr.ErrNotFound)

	// Another owner's pending issuance cannot be resolved, and stays.
	theirs := NewPending(other, Rand("p-"), at(1))
	wantErr(t, "put their pending", s.PutPending(ctx, theirs), nil)
	wantErr(t, "resolve theirs", s.SaveCredentials(ctx, owner, []wallet.Credential{c2}, theirs.ID), storeerr.ErrNotFound)
	got, err := s.Pending(ctx, other, theirs.ID)
	wantErr(t, "their pending", err, nil)
	equal(t, "their pending", *got, theirs)

	// A conflict keeps the pending issuance.
	p2 := NewPending(owner, Rand("p-"), at(4))
	wantErr(t, "put pending 2", s.PutPending(ctx, p2), nil)
	wantErr(t, "save conflicting resolving", s.SaveCredentials(ctx, owner, []wallet.Credential{c}, p2.ID), storeerr.ErrConflict)
	_, err = s.Pending(ctx, owner, p2.ID)
	wantErr(t, "pending after a conflict", err, nil)

	// Resolving with no credentials (the issuer denied it) just deletes it.
	wantErr(t, "resolve with nothing", s.SaveCredentials(ctx, owner, nil, p2.ID), nil)
	_, err = s.Pending(ctx, owner, p2.ID)
	wantErr(t, "pending resolved with nothing", err, storeerr.ErrNotFound)
}

// testSaveResolvesConcurrent: of several pollers storing a deferred credential at once,
// exactly one succeeds and the others get ErrNotFound.
func testSaveResolvesConcurrent(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner := Rand("owner-")
	p := NewPending(owner, Rand("p-"), at(1))
	wantErr(t, "put pending", s.PutPending(ctx, p), nil)
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			c := NewCredential(owner, Rand("c-"), at(2))
			errs[i] = s.SaveCredentials(ctx, owner, []wallet.Credential{c}, p.ID)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, storeerr.ErrNotFound):
			t.Fatalf("concurrent resolve: %v", err)
		}
	}
	equal(t, "winners", won, 1)
	list, err := s.Credentials(ctx, owner)
	wantErr(t, "credentials", err, nil)
	equal(t, "credentials stored", len(list), 1)
}

// testPending: put, read, list (oldest first), another owner sees none, delete.
func testPending(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner, other := Rand("owner-"), Rand("owner-")
	late, early := NewPending(owner, "a-late", at(9)), NewPending(owner, "z-early", at(2))
	bare := wallet.PendingIssuance{ID: "m-bare", Owner: owner, Issuer: "https://i.example", TokenType: "Bearer",
		AccessToken: wallet.Secret("tok"), CreatedAt: at(5)}
	for _, p := range []wallet.PendingIssuance{late, early, bare} {
		wantErr(t, "put", s.PutPending(ctx, p), nil)
		got, err := s.Pending(ctx, owner, p.ID)
		wantErr(t, "pending", err, nil)
		equal(t, "pending", *got, p)
		_, err = s.Pending(ctx, other, p.ID)
		wantErr(t, "pending of another owner", err, storeerr.ErrNotFound)
		wantErr(t, "delete by another owner", s.DeletePending(ctx, other, p.ID), storeerr.ErrNotFound)
	}
	list, err := s.PendingIssuances(ctx, owner)
	wantErr(t, "pending issuances", err, nil)
	equal(t, "pending issuances", list, []wallet.PendingIssuance{early, bare, late})
	list, err = s.PendingIssuances(ctx, other)
	wantErr(t, "pending issuances of another owner", err, nil)
	equal(t, "pending issuances of another owner", len(list), 0)
	wantErr(t, "delete", s.DeletePending(ctx, owner, bare.ID), nil)
	_, err = s.Pending(ctx, owner, bare.ID)
	wantErr(t, "deleted", err, storeerr.ErrNotFound)
	wantErr(t, "delete again", s.DeletePending(ctx, owner, bare.ID), storeerr.ErrNotFound)
	list, err = s.PendingIssuances(ctx, owner)
	wantErr(t, "pending issuances after delete", err, nil)
	equal(t, "after delete", ids(list, pendingID), []string{"z-early", "a-late"})
}

// testPendingReplace: PutPending on an existing id replaces every field, secrets included;
// the same id under another owner is another record.
func testPendingReplace(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner, other := Rand("owner-"), Rand("owner-")
	p := NewPending(owner, Rand("p-"), at(1))
	wantErr(t, "put", s.PutPending(ctx, p), nil)
	theirs := NewPending(other, p.ID, at(1))
	wantErr(t, "put theirs", s.PutPending(ctx, theirs), nil)

	q := NewPending(owner, p.ID, at(1))
	q.Interval = 30 * time.Second
	q.NextPollAt = at(40)
	q.DPoPKey = nil
	q.HolderKeys = nil
	q.Types = nil
	q.VCT = "https://credentials.example/diploma"
	wantErr(t, "replace", s.PutPending(ctx, q), nil)
	got, err := s.Pending(ctx, owner, p.ID)
	wantErr(t, "replaced", err, nil)
	equal(t, "replaced", *got, q)
	got, err = s.Pending(ctx, other, p.ID)
	wantErr(t, "theirs", err, nil)
	equal(t, "theirs unchanged", *got, theirs)
}

// testPresentations: newest first, conflict on an existing id, per owner.
func testPresentations(t *testing.T, s wallet.Store) {
	ctx := t.Context()
	owner, other := Rand("owner-"), Rand("owner-")
	mid := NewPresentation(owner, "p-mid", at(5))
	old := NewPresentation(owner, "p-old", at(1))
	old.Outcome, old.Error, old.Credentials, old.VerifierName = wallet.OutcomeDeclined, "access_denied", nil, nil
	newest := NewPresentation(owner, "p-new", at(9))
	for _, r := range []wallet.PresentationRecord{mid, old, newest} {
		wantErr(t, "add", s.AddPresentation(ctx, r), nil)
	}
	list, err := s.Presentations(ctx, owner)
	wantErr(t, "presentations", err, nil)
	equal(t, "presentations", list, []wallet.PresentationRecord{newest, mid, old})

	dup := NewPresentation(owner, "p-mid", at(10))
	wantErr(t, "add existing id", s.AddPresentation(ctx, dup), storeerr.ErrConflict)
	list, err = s.Presentations(ctx, other)
	wantErr(t, "presentations of another owner", err, nil)
	equal(t, "presentations of another owner", len(list), 0)
	theirs := NewPresentation(other, "p-mid", at(2))
	wantErr(t, "same id, other owner", s.AddPresentation(ctx, theirs), nil)
	list, err = s.Presentations(ctx, owner)
	wantErr(t, "presentations", err, nil)
	equal(t, "presentations unchanged", len(list), 3)
}
