package dpop_test

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/dpop"
)

// BenchmarkVerify and BenchmarkRawECDSAVerify check the same proof, so the cost of DPoP
// verification (parsing, JWK decoding, claims, htu normalization, thumbprint) over the
// bare signature check is one command away:
//
//	go test -run '^$' -bench 'Verify$' ./internal/dpop
func BenchmarkVerify(b *testing.B) {
	key := newKey(b)
	tok, err := dpop.NewProof(key, "POST", credentialURL, dpop.ProofOptions{IssuedAt: now, AccessToken: accessToken})
	if err != nil {
		b.Fatal(err)
	}
	req := dpop.Request{Method: "POST", URL: credentialURL, AccessToken: accessToken}
	pol := dpop.Policy{Now: now, BoundJKT: thumbprint(b, &key.PublicKey)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := dpop.Verify(tok, req, pol); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawECDSAVerify(b *testing.B) {
	key := newKey(b)
	tok, err := dpop.NewProof(key, "POST", credentialURL, dpop.ProofOptions{IssuedAt: now, AccessToken: accessToken})
	if err != nil {
		b.Fatal(err)
	}
	i := strings.LastIndexByte(tok, '.')
	input := tok[:i]
	sig, err := b64.DecodeString(tok[i+1:])
	if err != nil {
		b.Fatal(err)
	}
	// Encode r‖s as DER once: VerifyASN1 is crypto/ecdsa's fast path, the one jose uses.
	der, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])})
	if err != nil {
		b.Fatal(err)
	}
	pub := &key.PublicKey
	b.ReportAllocs()
	for b.Loop() {
		h := sha256.Sum256([]byte(input))
		if !ecdsa.VerifyASN1(pub, h[:], der) {
			b.Fatal("verify")
		}
	}
}

func BenchmarkProof(b *testing.B) {
	p, err := dpop.NewProver(newKey(b))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Proof("POST", credentialURL, dpop.ProofOptions{IssuedAt: now, AccessToken: accessToken}); err != nil {
			b.Fatal(err)
		}
	}
}
