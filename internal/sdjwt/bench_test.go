package sdjwt_test

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

// The benchmarks come in pairs so that `go test -bench . ./internal/sdjwt` shows the cost of
// the SD-JWT layer over the ECDSA work it cannot avoid:
//
//	BenchmarkVerifyPresentation  vs  BenchmarkRawECDSAVerifyTwice (issuer + KB-JWT signatures)
//	BenchmarkIssue               vs  BenchmarkRawECDSASign        (the issuer signature)
//
// Goal: each SD-JWT figure at most 1.3 times its raw counterpart.

type benchFixture struct {
	issuerKey, holderKey *ecdsa.PrivateKey
	issuer               *sdjwt.Issuer
	claims               map[string]any
	paths                []sdjwt.Path
	issued, presentation string
	policy               sdjwt.VCPolicy
}

func newBenchFixture(b *testing.B) *benchFixture {
	b.Helper()
	f := &benchFixture{issuerKey: newKey(b), holderKey: newKey(b)}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	jwk, err := jose.PublicJWK(&f.holderKey.PublicKey)
	if err != nil {
		b.Fatal(err)
	}
	f.claims = map[string]any{
		"iss": "https://registrar.univ.example",
		"vct": "https://registrar.univ.example/vct/diploma/v1",
		"iat": now.Unix(), "exp": now.AddDate(5, 0, 0).Unix(),
		"cnf":        map[string]any{"jwk": jwk},
		"status":     map[string]any{"status_list": map[string]any{"idx": 4711, "uri": "https://registrar.univ.example/statuslists/1"}},
		"given_name": "花子", "family_name": "山田", "birthdate": "2001-04-01",
		"email": "hanako@student.univ.example", "student_id": "S-2026-0042",
		"address":       map[string]any{"street_address": "1-1 Chiyoda", "locality": "東京都", "country": "JP"},
		"nationalities": []any{"JP", "FR"},
		"degree":        map[string]any{"title": "MSc Informatics", "level": "EQF 7"},
	}
	// 10 disclosures: 5 names, address with 2 members (recursive), 2 nationalities, and one decoy-free object
	f.paths = []sdjwt.Path{
		{"given_name"}, {"family_name"}, {"birthdate"}, {"email"}, {"student_id"},
		{"address"}, {"address", "street_address"}, {"address", "locality"},
		{"nationalities", nil},
	}
	if f.issuer, err = sdjwt.NewVCIssuer(f.issuerKey, jose.SignHeader{Kid: "seal-1"}); err != nil {
		b.Fatal(err)
	}
	if f.issued, err = f.issuer.Issue(f.claims, f.paths); err != nil {
		b.Fatal(err)
	}
	if n := strings.Count(f.issued, "~") - 1; n != 10 {
		b.Fatalf("%d disclosures, want 10", n)
	}
	holder, err := sdjwt.NewHolder(f.holderKey)
	if err != nil {
		b.Fatal(err)
	}
	if f.presentation, err = holder.Present(f.issued, f.paths, sdjwt.KBClaims{Nonce: fNonce, Audience: fAudience, IssuedAt: now}); err != nil {
		b.Fatal(err)
	}
	f.policy = sdjwt.VCPolicy{
		Policy:     sdjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, Nonce: fNonce, Audience: fAudience, Now: now},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata},
		IssuerKeys: staticKeys("https://registrar.univ.example", jose.KeyEntry{Kid: "seal-1", Key: &f.issuerKey.PublicKey}),
	}
	return f
}

// BenchmarkVerifyPresentation: parse and fully verify an SD-JWT VC presentation with 10
// disclosures and a KB-JWT (issuer key from JWT VC Issuer Metadata, already resolved).
func BenchmarkVerifyPresentation(b *testing.B) {
	f := newBenchFixture(b)
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		u, err := sdjwt.ParseUnverified(f.presentation)
		if err != nil {
			b.Fatal(err)
		}
		c, err := u.VerifyVC(ctx, f.policy)
		if err != nil {
			b.Fatal(err)
		}
		if len(c.Disclosures) != 10 {
			b.Fatal(len(c.Disclosures))
		}
	}
}

// BenchmarkRawECDSAVerifyTwice: crypto/ecdsa alone verifying the same two signatures over the
// same signing inputs, hashing included: the fastest raw form (VerifyASN1, with the DER
// signatures prepared outside the loop).
func BenchmarkRawECDSAVerifyTwice(b *testing.B) {
	f := newBenchFixture(b)
	type sig struct {
		input, der []byte
		key        *ecdsa.PublicKey
	}
	split := func(jwt string, key *ecdsa.PublicKey) sig {
		i := strings.LastIndexByte(jwt, '.')
		raw, err := base64.RawURLEncoding.DecodeString(jwt[i+1:])
		if err != nil || len(raw) != 64 {
			b.Fatal("signature", err)
		}
		der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(raw[:32]), new(big.Int).SetBytes(raw[32:])})
		if err != nil {
			b.Fatal(err)
		}
		return sig{input: []byte(jwt[:i]), der: der, key: key}
	}
	issuerJWT := f.presentation[:strings.IndexByte(f.presentation, '~')]
	kbJWT := f.presentation[strings.LastIndexByte(f.presentation, '~')+1:]
	sigs := []sig{split(issuerJWT, &f.issuerKey.PublicKey), split(kbJWT, &f.holderKey.PublicKey)}
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range sigs {
			h := sha256.Sum256(s.input)
			if !ecdsa.VerifyASN1(s.key, h[:], s.der) {
				b.Fatal("verify")
			}
		}
	}
}

// BenchmarkIssue: issue the SD-JWT VC above (10 disclosures, fresh salts, one signature).
func BenchmarkIssue(b *testing.B) {
	f := newBenchFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.issuer.Issue(f.claims, f.paths); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawECDSASign: crypto/ecdsa alone signing the same issuer JWT signing input,
// hashing included, in its fastest raw form (SignASN1).
func BenchmarkRawECDSASign(b *testing.B) {
	f := newBenchFixture(b)
	issuerJWT := f.issued[:strings.IndexByte(f.issued, '~')]
	input := []byte(issuerJWT[:strings.LastIndexByte(issuerJWT, '.')])
	b.ReportAllocs()
	for b.Loop() {
		h := sha256.Sum256(input)
		if _, err := ecdsa.SignASN1(rand.Reader, f.issuerKey, h[:]); err != nil {
			b.Fatal(err)
		}
	}
}
