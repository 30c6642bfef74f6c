package vcjwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

const vectorDir = "../../testdata/vectors/oid4vci"

// loadVector returns the OpenID4VCI jwt_vc_json example credential, byte for byte, and the
// keys of the example issuer_jwks.json (which wraps its JWK Set in a "jwks" member).
func loadVector(tb testing.TB) (string, []jose.KeyEntry) {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join(vectorDir, "credential_jwt_vc_json.jwt"))
	if err != nil {
		tb.Fatal(err)
	}
	jwks, err := os.ReadFile(filepath.Join(vectorDir, "issuer_jwks.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var wrapped struct {
		JWKS json.RawMessage `json:"jwks"`
	}
	if err := json.Unmarshal(jwks, &wrapped); err != nil {
		tb.Fatal(err)
	}
	keys, err := jose.ParseKeys(wrapped.JWKS)
	if err != nil {
		tb.Fatal(err)
	}
	return string(raw), keys
}

// vectorNBF is the example credential's nbf (2025-01-01T00:00:00Z).
var vectorNBF = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 64)
	for i, c := range h {
		out[2*i], out[2*i+1] = hexdigits[c>>4], hexdigits[c&15]
	}
	return string(out)
}

func newKey(tb testing.TB) *ecdsa.PrivateKey {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func newSigner(tb testing.TB, key crypto.Signer, h jose.SignHeader) *jose.Signer {
	tb.Helper()
	s, err := jose.NewSigner(key, h)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func didJWK(tb testing.TB, pub crypto.PublicKey) string {
	tb.Helper()
	d, err := vcjwt.DIDJWK(pub)
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

// signClaims signs an arbitrary claims set under h, for tokens Issue would never produce.
func signClaims(tb testing.TB, key crypto.Signer, h jose.SignHeader, claims map[string]any) string {
	tb.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		tb.Fatal(err)
	}
	tok, err := jose.Sign(key, h, b)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

// compact assembles a compact JWS from raw header and payload JSON, with an ES256 signature
// by key, or with sig as given when key is nil.
func compact(tb testing.TB, key *ecdsa.PrivateKey, header, payload string, sig []byte) string {
	tb.Helper()
	enc := base64.RawURLEncoding
	in := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	if key != nil {
		d := sha256.Sum256([]byte(in))
		r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
		if err != nil {
			tb.Fatal(err)
		}
		sig = append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	}
	return in + "." + enc.EncodeToString(sig)
}

// clone deep-copies a JSON-like value through encoding/json.
func clone(tb testing.TB, v map[string]any) map[string]any {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// diploma returns an academic-like VCDM 1.1 credential for subject (no subject id when
// subject is empty).
func diploma(subject string) map[string]any {
	cs := map[string]any{
		"givenName":  "Hanako",
		"familyName": "山田",
		"achievement": map[string]any{
			"type":        "Diploma",
			"title":       map[string]any{"en": "Master of Engineering", "ja": "修士（工学）"},
			"iscedfCode":  "0714",
			"eqfLevel":    7,
			"awardedOn":   "2026-03-24",
			"institution": map[string]any{"name": "Example University", "country": "JP"},
		},
	}
	if subject != "" {
		cs["id"] = subject
	}
	return map[string]any{
		"@context":          []any{vcjwt.ContextV1, "https://www.w3.org/2018/credentials/examples/v1"},
		"id":                "urn:uuid:6f1c0a5e-2c3a-4d8e-9b8e-0d4b0a1c2e3f",
		"type":              []any{"VerifiableCredential", "UniversityDegreeCredential"},
		"issuer":            map[string]any{"id": "https://registrar.example.ac.jp", "name": "Example University"},
		"issuanceDate":      "2026-03-24T00:00:00Z",
		"expirationDate":    "2036-03-24T00:00:00Z",
		"credentialSubject": cs,
		"credentialStatus": map[string]any{
			"id":   "https://registrar.example.ac.jp/status/1#94567",
			"type": "StatusList2021Entry",
		},
	}
}

var (
	issued  = time.Date(2026, 3, 24, 0, 0, 0, 0, time.UTC)
	expires = time.Date(2036, 3, 24, 0, 0, 0, 0, time.UTC)
	now     = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
)

// codeOf returns err's vcjwt code and checks that the sentinel matches too.
func codeOf(tb testing.TB, err error) vcjwt.Code {
	tb.Helper()
	if err == nil {
		return ""
	}
	e, ok := errors.AsType[*vcjwt.Error](err)
	if !ok {
		tb.Fatalf("error %v is not a *vcjwt.Error", err)
	}
	if !errors.Is(err, &vcjwt.Error{Code: e.Code}) {
		tb.Fatalf("errors.Is(%v, sentinel %s) is false", err, e.Code)
	}
	return e.Code
}
