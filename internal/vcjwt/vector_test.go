package vcjwt_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// TestVectorOID4VCI verifies the OpenID4VCI 1.0 jwt_vc_json example exactly as published.
func TestVectorOID4VCI(t *testing.T) {
	raw, keys := loadVector(t)
	b, err := os.ReadFile(filepath.Join(vectorDir, "credential_jwt_vc_json.jwt"))
	if err != nil {
		t.Fatal(err)
	}
	// Byte for byte the file of the shared testdata MANIFEST.json.
	if got := sha256Hex(b); got != "924238fdfb639e67ea7d5a983e8315fc7e3faf4efabd0336b320ec9d7e45e32b" {
		t.Fatalf("vector sha256 = %s", got)
	}
	res, err := vcjwt.Verify(raw, vcjwt.Policy{Now: vectorNBF.Add(24 * time.Hour), Algorithms: []jose.Algorithm{jose.ES256}, Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	const issuer = "https://credential-issuer.example.com"
	if res.Issuer != issuer || res.ID != issuer+"/credentials/3732" {
		t.Errorf("issuer %q id %q", res.Issuer, res.ID)
	}
	if !strings.HasPrefix(res.Subject, "did:jwk:") {
		t.Errorf("subject %q", res.Subject)
	}
	if !slices.Equal(res.Types, []string{"VerifiableCredential", "UniversityDegreeCredential"}) {
		t.Errorf("types %v", res.Types)
	}
	if !res.IssuanceDate.Equal(vectorNBF) || !res.ExpirationDate.IsZero() || !res.IssuedAt.IsZero() {
		t.Errorf("dates %v %v %v", res.IssuanceDate, res.ExpirationDate, res.IssuedAt)
	}
	if res.KeySource != vcjwt.KeySourceKeySet || res.Algorithm != jose.ES256 || res.Chain != nil || res.Raw != raw {
		t.Errorf("key source %s alg %s chain %v", res.KeySource, res.Algorithm, res.Chain)
	}
	// The kid is the RFC 9278 thumbprint URI of the key that verified.
	tp, err := jose.ThumbprintURI(res.Key)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kid != tp || keys[0].Kid != tp {
		t.Errorf("kid %q, jwks kid %q, thumbprint %q", res.Kid, keys[0].Kid, tp)
	}
	// The holder key is the did:jwk subject's P-256 key.
	hk, ok := res.HolderKey.(*ecdsa.PublicKey)
	if !ok || hk.Curve != elliptic.P256() {
		t.Errorf("holder key %T", res.HolderKey)
	}
	// The merged credential keeps vc's issuer and issuanceDate and has the subject id.
	if res.Credential["issuer"] != issuer || res.Credential["issuanceDate"] != "2025-01-01T00:00:00Z" {
		t.Errorf("credential %v", res.Credential)
	}
	cs, _ := res.Credential["credentialSubject"].(map[string]any)
	if cs["id"] != res.Subject {
		t.Errorf("credentialSubject.id %v", cs["id"])
	}
	wantChecks := []string{vcjwt.CheckJWS, vcjwt.CheckType, vcjwt.CheckShape, vcjwt.CheckExclusive, vcjwt.CheckAlgorithm,
		vcjwt.CheckKey, vcjwt.CheckSignature, vcjwt.CheckClaims, vcjwt.CheckHolderKey, vcjwt.CheckValidity}
	var names []string
	for _, c := range res.Checks {
		if !c.OK || c.Code != "" {
			t.Errorf("check %+v not OK", c)
		}
		names = append(names, c.Name)
	}
	if !slices.Equal(names, wantChecks) {
		t.Errorf("checks %v, want %v", names, wantChecks)
	}
}

// TestVectorSubjectDIDJWK decodes the example's did:jwk subject: a P-256 key whose RFC 7638
// thumbprint URI is the "kid" inside the encoded JWK.
func TestVectorSubjectDIDJWK(t *testing.T) {
	raw, _ := loadVector(t)
	u, err := vcjwt.ParseUnverified(raw)
	if err != nil {
		t.Fatal(err)
	}
	sub, _ := u.Claims["sub"].(string)
	pub, err := vcjwt.ParseDIDJWK(sub)
	if err != nil {
		t.Fatal(err)
	}
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || k.Curve != elliptic.P256() {
		t.Fatalf("did:jwk key %T", pub)
	}
	if _, err := k.ECDH(); err != nil { // the point is on the curve
		t.Fatal(err)
	}
	tp, err := jose.ThumbprintURI(k)
	if err != nil {
		t.Fatal(err)
	}
	if tp != "urn:ietf:params:oauth:jwk-thumbprint:sha-256:VbJOSvjxU6L8C7GUO4dshIYV3zbvFwkYB43YJ5Ktt8E" {
		t.Errorf("thumbprint %s", tp)
	}
	if u.Issuer() != "https://credential-issuer.example.com" || u.Raw() != raw {
		t.Errorf("unverified issuer %q", u.Issuer())
	}
}

func TestVectorPolicies(t *testing.T) {
	raw, keys := loadVector(t)
	other := newKey(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	renamed := []jose.KeyEntry{keys[0]}
	renamed[0].Kid = "other"
	es256 := []jose.Algorithm{jose.ES256}
	after := vectorNBF.Add(time.Hour)
	tests := []struct {
		name      string
		pol       vcjwt.Policy
		wantCode  vcjwt.Code
		wantClaim string
	}{
		{name: "ok/jwks after nbf", pol: vcjwt.Policy{Now: after, Algorithms: es256, Keys: keys}},
		{name: "ok/exactly at nbf", pol: vcjwt.Policy{Now: vectorNBF, Algorithms: es256, Keys: keys}},
		{name: "ok/before nbf within skew", pol: vcjwt.Policy{Now: vectorNBF.Add(-30 * time.Second), ClockSkew: time.Minute, Algorithms: es256, Keys: keys}},
		{name: "ok/single key ignores kid", pol: vcjwt.Policy{Now: after, Algorithms: es256, Key: keys[0].Key}},
		{name: "ok/years later (no exp)", pol: vcjwt.Policy{Now: after.AddDate(30, 0, 0), Algorithms: []jose.Algorithm{jose.EdDSA, jose.ES256}, Keys: keys}},
		{name: "fail/before nbf", pol: vcjwt.Policy{Now: vectorNBF.Add(-time.Second), Algorithms: es256, Keys: keys}, wantCode: vcjwt.CodeNotYetValid, wantClaim: "nbf"},
		{name: "fail/wrong key", pol: vcjwt.Policy{Now: after, Algorithms: es256, Key: other.Public()}, wantCode: vcjwt.CodeInvalidSignature},
		{name: "fail/key of another curve", pol: vcjwt.Policy{Now: after, Algorithms: es256, Key: p384.Public()}, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/kid not in set", pol: vcjwt.Policy{Now: after, Algorithms: es256, Keys: renamed}, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/alg not allowed", pol: vcjwt.Policy{Now: after, Algorithms: []jose.Algorithm{jose.ES384}, Keys: keys}, wantCode: vcjwt.CodeUnsupportedAlgorithm},
		{name: "fail/x5c only, token has none", pol: vcjwt.Policy{Now: after, Algorithms: es256, AllowX5C: true}, wantCode: vcjwt.CodeUnknownKey},
		{name: "fail/zero now", pol: vcjwt.Policy{Algorithms: es256, Keys: keys}, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/no algorithms", pol: vcjwt.Policy{Now: after, Keys: keys}, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/no key source", pol: vcjwt.Policy{Now: after, Algorithms: es256}, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/key and keys", pol: vcjwt.Policy{Now: after, Algorithms: es256, Key: keys[0].Key, Keys: keys}, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/skew too large", pol: vcjwt.Policy{Now: after, Algorithms: es256, Keys: keys, ClockSkew: vcjwt.MaxClockSkew + time.Second}, wantCode: vcjwt.CodeInvalidPolicy},
		{name: "fail/negative skew", pol: vcjwt.Policy{Now: after, Algorithms: es256, Keys: keys, ClockSkew: -time.Second}, wantCode: vcjwt.CodeInvalidPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := vcjwt.Verify(raw, tt.pol)
			if got := codeOf(t, err); got != tt.wantCode {
				t.Fatalf("code %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if e, ok := errors.AsType[*vcjwt.Error](err); ok && e.Claim != tt.wantClaim {
				t.Errorf("claim %q, want %q", e.Claim, tt.wantClaim)
			}
		})
	}
}
