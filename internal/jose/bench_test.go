package jose_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"testing"

	"github.com/hashi-vc/hashi/internal/jose"
)

// BenchmarkVerifyES256 and BenchmarkRawECDSAVerify measure the same signature so the cost of
// the JOSE layer over crypto/ecdsa is one command away.
func BenchmarkVerifyES256(b *testing.B) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tok, err := jose.Sign(key, jose.SignHeader{Typ: "kb+jwt"}, []byte(`{"nonce":"n","aud":"a","iat":1}`))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		j, err := jose.Parse(tok)
		if err != nil {
			b.Fatal(err)
		}
		if err := j.Verify(&key.PublicKey, jose.ES256); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawECDSAVerify(b *testing.B) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	h := sha256.Sum256([]byte("eyJhbGciOiJFUzI1NiIsInR5cCI6ImtiK2p3dCJ9.eyJub25jZSI6Im4iLCJhdWQiOiJhIiwiaWF0IjoxfQ"))
	sig, _ := ecdsa.SignASN1(rand.Reader, key, h[:])
	for b.Loop() {
		h := sha256.Sum256([]byte("eyJhbGciOiJFUzI1NiIsInR5cCI6ImtiK2p3dCJ9.eyJub25jZSI6Im4iLCJhdWQiOiJhIiwiaWF0IjoxfQ"))
		if !ecdsa.VerifyASN1(&key.PublicKey, h[:], sig) {
			b.Fatal("verify")
		}
	}
}

func BenchmarkSignES256(b *testing.B) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	s, err := jose.NewSigner(key, jose.SignHeader{Typ: "dc+sd-jwt"})
	if err != nil {
		b.Fatal(err)
	}
	payload := []byte(`{"iss":"https://issuer.example","vct":"urn:hashi:diploma:1","iat":1}`)
	for b.Loop() {
		if _, err := s.Sign(payload); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRawECDSASign(b *testing.B) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	msg := []byte("eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIiwidmN0IjoidXJuOmhhc2hpOmRpcGxvbWE6MSIsImlhdCI6MX0")
	for b.Loop() {
		h := sha256.Sum256(msg)
		if _, err := ecdsa.SignASN1(rand.Reader, key, h[:]); err != nil {
			b.Fatal(err)
		}
	}
}
