package vcjwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/vcjwt"
)

func TestDIDJWKRoundTrip(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, pub := range map[string]crypto.PublicKey{"P-256": newKey(t).Public(), "P-384": p384.Public(), "Ed25519": edPub} {
		t.Run("ok/"+name, func(t *testing.T) {
			did, err := vcjwt.DIDJWK(pub)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(did, vcjwt.DIDJWKPrefix) || strings.ContainsAny(did[len(vcjwt.DIDJWKPrefix):], "=+/") {
				t.Fatalf("did %q", did)
			}
			back, err := vcjwt.ParseDIDJWK(did)
			if err != nil {
				t.Fatal(err)
			}
			if !back.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
				t.Fatal("round trip changed the key")
			}
		})
	}
	t.Run("ok/private key reduced to public", func(t *testing.T) {
		k := newKey(t)
		a, err := vcjwt.DIDJWK(k)
		if err != nil {
			t.Fatal(err)
		}
		if b := didJWK(t, k.Public()); a != b {
			t.Fatalf("%q != %q", a, b)
		}
	})
	t.Run("fail/RSA", func(t *testing.T) {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := vcjwt.DIDJWK(k.Public()); codeOf(t, err) != vcjwt.CodeInvalidDID {
			t.Fatalf("err %v", err)
		}
	})
}

func TestParseDIDJWK(t *testing.T) {
	k := newKey(t)
	did := didJWK(t, k.Public())
	enc := func(s string) string { return vcjwt.DIDJWKPrefix + base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jwk, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(did, vcjwt.DIDJWKPrefix))
	withMember := func(m string) string { return enc(strings.Replace(string(jwk), "{", "{"+m+",", 1)) }
	tests := []struct {
		name string
		did  string
		ok   bool
	}{
		{name: "ok/plain", did: did, ok: true},
		{name: "ok/with kid, alg and use sig", did: withMember(`"kid":"1","alg":"ES256","use":"sig"`), ok: true},
		{name: "fail/empty", did: ""},
		{name: "fail/other method", did: "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv"},
		{name: "fail/no identifier", did: vcjwt.DIDJWKPrefix},
		{name: "fail/DID URL", did: did + "#0"},
		{name: "fail/padded", did: vcjwt.DIDJWKPrefix + base64.URLEncoding.EncodeToString(jwk[:len(jwk)-1])},
		{name: "fail/standard base64", did: vcjwt.DIDJWKPrefix + base64.StdEncoding.EncodeToString([]byte(`{"kty":"EC"}>>>?`))},
		{name: "fail/not JSON", did: enc("not json")},
		{name: "fail/JSON array", did: enc(`[1]`)},
		{name: "fail/JSON null", did: enc(`null`)},
		{name: "fail/duplicate member", did: withMember(`"kty":"EC"`)},
		{name: "fail/private key", did: withMember(`"d":"` + base64.RawURLEncoding.EncodeToString(mustBytes(k)) + `"`)},
		{name: "fail/use enc", did: withMember(`"use":"enc"`)},
		{name: "fail/JWK Set", did: enc(`{"keys":[` + string(jwk) + `]}`)},
		{name: "fail/symmetric", did: enc(`{"kty":"oct","k":"c2VjcmV0"}`)},
		{name: "fail/too long", did: vcjwt.DIDJWKPrefix + strings.Repeat("A", vcjwt.MaxDIDLength)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := vcjwt.ParseDIDJWK(tt.did)
			if tt.ok {
				if err != nil || !k.PublicKey.Equal(pub) {
					t.Fatalf("err %v", err)
				}
				return
			}
			if codeOf(t, err) != vcjwt.CodeInvalidDID {
				t.Fatalf("err %v, want invalid_did", err)
			}
		})
	}
}

// mustBytes returns the private scalar of k, fixed-length as a JWK "d" member wants it.
func mustBytes(k *ecdsa.PrivateKey) []byte {
	b, err := k.Bytes()
	if err != nil {
		panic(err)
	}
	return b
}
