package dpop_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/dpop"
)

// now is the fixed verification time of the tests.
var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	tokenURL      = "https://issuer.example/token"
	credentialURL = "https://issuer.example/credential"
	accessToken   = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
)

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

var b64 = base64.RawURLEncoding

// publicJWK returns the public JWK members of an EC key, built by hand from the point.
func publicJWK(t testing.TB, k *ecdsa.PublicKey) map[string]any {
	t.Helper()
	pt, err := k.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	size := (len(pt) - 1) / 2
	return map[string]any{
		"kty": "EC",
		"crv": k.Curve.Params().Name,
		"x":   b64.EncodeToString(pt[1 : 1+size]),
		"y":   b64.EncodeToString(pt[1+size:]),
	}
}

// handProof builds and signs an ES256 (P-256) or ES384 (P-384) JWS with crypto/ecdsa and
// encoding/base64 only, independently of internal/jose's signer.
func handProof(t testing.TB, key *ecdsa.PrivateKey, header, claims map[string]any) string {
	t.Helper()
	hb, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	return handSign(t, key, b64.EncodeToString(hb)+"."+b64.EncodeToString(cb))
}

// handSign signs a JWS signing input with key (SHA-256 for P-256, SHA-384 for P-384) and
// appends the r‖s signature.
func handSign(t testing.TB, key *ecdsa.PrivateKey, input string) string {
	t.Helper()
	var digest []byte
	size := 32
	if key.Curve == elliptic.P384() {
		h := sha512.Sum384([]byte(input))
		digest, size = h[:], 48
	} else {
		h := sha256.Sum256([]byte(input))
		digest = h[:]
	}
	der, err := ecdsa.SignASN1(rand.Reader, key, digest)
	if err != nil {
		t.Fatal(err)
	}
	var rs struct{ R, S *big.Int }
	if _, err := asn1.Unmarshal(der, &rs); err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 2*size)
	rs.R.FillBytes(sig[:size])
	rs.S.FillBytes(sig[size:])
	return input + "." + b64.EncodeToString(sig)
}

// goodHeader and goodClaims describe a valid proof for a POST to tokenURL at now.
func goodHeader(t testing.TB, key *ecdsa.PrivateKey) map[string]any {
	return map[string]any{"typ": "dpop+jwt", "alg": "ES256", "jwk": publicJWK(t, &key.PublicKey)}
}

func goodClaims() map[string]any {
	return map[string]any{"jti": "jti-1", "htm": "POST", "htu": tokenURL, "iat": now.Unix()}
}

func thumbprint(t testing.TB, k *ecdsa.PublicKey) string {
	t.Helper()
	j := publicJWK(t, k)
	// RFC 7638 §3.2: required members in lexicographic order, no whitespace.
	s := `{"crv":"` + j["crv"].(string) + `","kty":"EC","x":"` + j["x"].(string) + `","y":"` + j["y"].(string) + `"}`
	h := sha256.Sum256([]byte(s))
	return b64.EncodeToString(h[:])
}

func wantCode(t *testing.T, err error, want dpop.Code) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if got := dpop.CodeOf(err); got != want {
		t.Fatalf("code = %q (%v), want %q", got, err, want)
	}
}

// verifyRS checks an ES256 r‖s signature with crypto/ecdsa directly.
func verifyRS(k *ecdsa.PublicKey, input string, sig []byte) bool {
	h := sha256.Sum256([]byte(input))
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(k, h[:], r, s)
}
