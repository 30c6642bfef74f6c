package sdjwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

// testChain makes a CA and a leaf certificate for key (the trust decision is not this
// package's, so nothing here is trusted; the chain only has to decode).
func testChain(t testing.TB, key *ecdsa.PrivateKey) []*x509.Certificate {
	t.Helper()
	caKey := newKey(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Test CA"},
		NotBefore: now, NotAfter: now.AddDate(5, 0, 0), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "Test University seal"},
		NotBefore: now, NotAfter: now.AddDate(2, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature,
		DNSNames: []string{"issuer.univ.example"},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(leafDER)
	return []*x509.Certificate{leaf, ca}
}

const testIss = "https://issuer.univ.example/tenant/7"

// diplomaClaims is an SD-JWT VC diploma with every registered claim.
func diplomaClaims(t testing.TB, holder *ecdsa.PrivateKey, now time.Time) map[string]any {
	jwk, err := jose.PublicJWK(&holder.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]any{
		"iss": testIss,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": now.AddDate(1, 0, 0).Unix(),
		"vct": "https://issuer.univ.example/vct/diploma/v1",
		"cnf": map[string]any{"jwk": jwk},
		"status": map[string]any{"status_list": map[string]any{
			"idx": 4711, "uri": "https://issuer.univ.example/statuslists/1",
		}},
		"given_name":  "花子",
		"family_name": "山田",
		"birthdate":   "2001-04-01",
		"address": map[string]any{
			"street_address": "1-1 Chiyoda",
			"locality":       "東京都",
			"country":        "JP",
		},
		"degrees": []any{
			map[string]any{"type": "Bachelor of Science", "university": "Tokyo", "honours": true},
			map[string]any{"type": "Master of Science", "university": "Kyoto", "gpa": 3.75},
		},
		"nationalities": []any{"JP", "FR"},
	}
}

var diplomaPaths = []sdjwt.Path{
	{"given_name"}, {"family_name"}, {"birthdate"},
	{"address"}, {"address", "street_address"}, {"address", "locality"},
	{"degrees", nil}, {"degrees", nil, "type"},
	{"nationalities", nil},
}

type vcFixture struct {
	issuerKey, holderKey *ecdsa.PrivateKey
	chain                []*x509.Certificate
	now                  time.Time
	issued               string
	holder               *sdjwt.Holder
}

func newVCFixture(t testing.TB, opts ...sdjwt.IssuerOption) *vcFixture {
	f := &vcFixture{issuerKey: newKey(t), holderKey: newKey(t), now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	f.chain = testChain(t, f.issuerKey)
	is, err := sdjwt.NewVCIssuer(f.issuerKey, jose.SignHeader{X5C: f.chain, Kid: "seal-1"}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if f.issued, err = is.Issue(diplomaClaims(t, f.holderKey, f.now), diplomaPaths); err != nil {
		t.Fatal(err)
	}
	if f.holder, err = sdjwt.NewHolder(f.holderKey); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *vcFixture) policy(sources ...sdjwt.KeySource) sdjwt.VCPolicy {
	return sdjwt.VCPolicy{
		Policy: sdjwt.Policy{
			Algorithms: []jose.Algorithm{jose.ES256}, Nonce: fNonce, Audience: fAudience,
			Now: f.now.Add(time.Minute), ClockSkew: 5 * time.Second,
		},
		KeySources: sources,
		IssuerKeys: staticKeys(testIss, jose.KeyEntry{Kid: "seal-1", Key: &f.issuerKey.PublicKey}),
	}
}

func (f *vcFixture) present(t testing.TB, paths ...sdjwt.Path) string {
	t.Helper()
	p, err := f.holder.Present(f.issued, paths, sdjwt.KBClaims{Nonce: fNonce, Audience: fAudience, IssuedAt: f.now.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyVC(t *testing.T) {
	f := newVCFixture(t)
	pres := f.present(t, sdjwt.Path{"address", "locality"}, sdjwt.Path{"degrees", 1, "type"})

	for _, src := range []sdjwt.KeySource{sdjwt.KeySourceX5C, sdjwt.KeySourceIssuerMetadata} {
		t.Run("ok/"+string(src), func(t *testing.T) {
			c, err := mustParse(t, pres).VerifyVC(t.Context(), f.policy(src))
			if err != nil {
				t.Fatal(err)
			}
			if c.KeySource != src || c.KeyID != "seal-1" || c.Issuer != testIss || c.VCT != "https://issuer.univ.example/vct/diploma/v1" {
				t.Fatalf("%+v", c)
			}
			if (src == sdjwt.KeySourceX5C) != (len(c.X5C) == 2) {
				t.Fatalf("x5c chain %d for %s", len(c.X5C), src)
			}
			if c.Status == nil || c.Status.Index != 4711 || c.Status.URI != "https://issuer.univ.example/statuslists/1" {
				t.Fatalf("status %+v", c.Status)
			}
			if !keyEqual(c.Confirmation, &f.holderKey.PublicKey) || c.KeyBinding == nil {
				t.Fatal("cnf / kb")
			}
			if !c.NotBefore.Equal(f.now) || !c.ExpiresAt.Equal(f.now.AddDate(1, 0, 0)) {
				t.Fatalf("nbf %v exp %v", c.NotBefore, c.ExpiresAt)
			}
			want := map[string]any{
				"address": map[string]any{"country": "JP", "locality": "東京都"},
				"degrees": []any{map[string]any{"type": "Master of Science", "university": "Kyoto", "gpa": 3.75}},
			}
			for k, v := range want {
				if canonical(t, c.Claims[k]) != canonical(t, v) {
					t.Fatalf("%s = %s, want %s", k, canonical(t, c.Claims[k]), canonical(t, v))
				}
			}
			for _, hidden := range []string{"given_name", "family_name", "birthdate"} {
				if _, ok := c.Claims[hidden]; ok {
					t.Fatalf("%s was not selected but is disclosed", hidden)
				}
			}
			if canonical(t, c.Claims["nationalities"]) != "[]" {
				t.Fatal(c.Claims["nationalities"])
			}
		})
	}

	t.Run("ok/result-marshals-for-the-cli", func(t *testing.T) {
		c, err := mustParse(t, pres).VerifyVC(t.Context(), f.policy(sdjwt.KeySourceX5C))
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{`"vct":"https://issuer.univ.example/vct/diploma/v1"`, `"key_source":"x5c"`, `"status":{"idx":4711`, `{"name":"kb_sd_hash","ok":true}`, `"path":["address","locality"]`} {
			if !strings.Contains(string(b), want) {
				t.Fatalf("%s missing from %s", want, b)
			}
		}
	})
	t.Run("ok/holder-accepts-issued-credential", func(t *testing.T) {
		p := f.policy(sdjwt.KeySourceX5C)
		p.KeyBinding = sdjwt.KeyBindingForbidden
		c, err := mustParse(t, f.issued).VerifyVC(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Disclosures) != 12 { // 3 names + address + 2 address parts + 2 degrees + 2 types + 2 nationalities
			t.Fatalf("%d disclosures", len(c.Disclosures))
		}
	})
}

func TestVerifyVCRejections(t *testing.T) {
	f := newVCFixture(t)
	pres := f.present(t, sdjwt.Path{"given_name"})
	forge := &forge{t: t, issuer: f.issuerKey, holder: f.holderKey, now: f.now.Add(time.Minute)}
	signVC := func(payload string, discs ...string) string {
		t.Helper()
		payload = strings.ReplaceAll(payload, "%CNF%", forge.cnf())
		s, err := jose.Sign(f.issuerKey, jose.SignHeader{Typ: "dc+sd-jwt", X5C: f.chain}, []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		return sdJWT(s, discs...)
	}
	const vct = `"vct":"urn:test:1"`
	sdVCT := disc(t, "s", "vct", "urn:test:1")
	sdCNF := disc(t, "s", "cnf", map[string]any{"jwk": map[string]any{"kty": "EC"}})
	sdIdx := disc(t, "s", "idx", 3)
	sdIss := disc(t, "s", "iss", testIss)

	tests := []struct {
		name   string
		token  func() string
		policy func(*sdjwt.VCPolicy)
		want   sdjwt.Code
	}{
		{name: "fail/sd-vct", token: func() string {
			return signVC(fmt.Sprintf(`{"cnf":%%CNF%%,"_sd":[%q]}`, dg(sdVCT)), sdVCT)
		}, policy: noKB, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-cnf", token: func() string {
			return signVC(fmt.Sprintf(`{%s,"_sd":[%q]}`, vct, dg(sdCNF)), sdCNF)
		}, policy: noKB, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-iss", token: func() string {
			return signVC(fmt.Sprintf(`{%s,"_sd":[%q]}`, vct, dg(sdIss)), sdIss)
		}, policy: noKB, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-inside-status", token: func() string {
			return signVC(fmt.Sprintf(`{%s,"status":{"status_list":{"uri":"https://x.example/1","_sd":[%q]}}}`, vct, dg(sdIdx)), sdIdx)
		}, policy: noKB, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/missing-vct", token: func() string { return signVC(`{"iss":"https://a.example"}`) }, policy: noKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/vct-not-string", token: func() string { return signVC(`{"vct":7}`) }, policy: noKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/iss-not-string", token: func() string { return signVC(`{"vct":"a","iss":["x"]}`) }, policy: noKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/vct-integrity-not-string", token: func() string { return signVC(`{"vct":"a","vct#integrity":1}`) }, policy: noKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/status-negative-idx", token: func() string {
			return signVC(`{"vct":"a","status":{"status_list":{"idx":-1,"uri":"https://x.example/1"}}}`)
		}, policy: noKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/status-fractional-idx", token: func() string {
			return signVC(`{"vct":"a","status":{"status_list":{"idx":1.5,"uri":"https://x.example/1"}}}`)
		}, policy: noKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/status-without-uri", token: func() string { return signVC(`{"vct":"a","status":{"status_list":{"idx":1}}}`) }, policy: noKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/status-unknown-mechanism", token: func() string { return signVC(`{"vct":"a","status":{"other":{}}}`) }, policy: noKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/wrong-typ", token: func() string {
			s, _ := jose.Sign(f.issuerKey, jose.SignHeader{Typ: "example+sd-jwt", X5C: f.chain}, []byte(`{"vct":"a"}`))
			return s + "~"
		}, policy: noKB, want: sdjwt.CodeWrongType},
		{name: "fail/legacy-typ-without-flag", token: func() string {
			s, _ := jose.Sign(f.issuerKey, jose.SignHeader{Typ: "vc+sd-jwt", X5C: f.chain}, []byte(`{"vct":"a"}`))
			return s + "~"
		}, policy: noKB, want: sdjwt.CodeWrongType},
		{name: "fail/holder-receives-sd-jwt-kb-from-issuer", token: func() string { return pres }, policy: noKB, want: sdjwt.CodeUnexpectedKeyBinding},
		{name: "fail/kb-required-but-missing", token: func() string { return f.issued }, want: sdjwt.CodeKeyBindingRequired},
		{name: "fail/x5c-not-allowed-and-no-metadata", token: func() string { return f.issued }, policy: func(p *sdjwt.VCPolicy) {
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
			p.IssuerKeys = staticKeys("https://someone.else.example")
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/metadata-kid-unknown", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) {
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
			p.IssuerKeys = staticKeys(testIss, jose.KeyEntry{Kid: "seal-2", Key: &f.issuerKey.PublicKey})
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/metadata-key-alg-mismatch", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) {
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
			p.IssuerKeys = staticKeys(testIss, jose.KeyEntry{Kid: "seal-1", Alg: "ES384", Key: &f.issuerKey.PublicKey})
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/metadata-key-for-encryption", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) {
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
			p.IssuerKeys = staticKeys(testIss, jose.KeyEntry{Kid: "seal-1", Use: "enc", Key: &f.issuerKey.PublicKey})
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/metadata-wrong-key", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) {
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
			p.IssuerKeys = staticKeys(testIss, jose.KeyEntry{Kid: "seal-1", Key: &newKey(t).PublicKey})
		}, want: sdjwt.CodeInvalidSignature},
		{name: "fail/metadata-resolver-error", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) {
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
			p.IssuerKeys = sdjwt.IssuerKeyResolverFunc(func(context.Context, string) ([]jose.KeyEntry, error) {
				return nil, errors.New("connection refused")
			})
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/metadata-without-kid-two-keys", token: func() string {
			s, _ := jose.Sign(f.issuerKey, jose.SignHeader{Typ: "dc+sd-jwt"}, []byte(`{"vct":"a","iss":"`+testIss+`"}`))
			return s + "~"
		}, policy: func(p *sdjwt.VCPolicy) {
			noKB(p)
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
			p.IssuerKeys = staticKeys(testIss, jose.KeyEntry{Kid: "a", Key: &f.issuerKey.PublicKey}, jose.KeyEntry{Kid: "b", Key: &f.issuerKey.PublicKey})
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/metadata-iss-not-https", token: func() string {
			s, _ := jose.Sign(f.issuerKey, jose.SignHeader{Typ: "dc+sd-jwt", Kid: "seal-1"}, []byte(`{"vct":"a","iss":"http://issuer.univ.example"}`))
			return s + "~"
		}, policy: func(p *sdjwt.VCPolicy) {
			noKB(p)
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/metadata-iss-with-query", token: func() string {
			s, _ := jose.Sign(f.issuerKey, jose.SignHeader{Typ: "dc+sd-jwt", Kid: "seal-1"}, []byte(`{"vct":"a","iss":"https://issuer.univ.example/?tenant=7"}`))
			return s + "~"
		}, policy: func(p *sdjwt.VCPolicy) {
			noKB(p)
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/metadata-iss-with-userinfo", token: func() string {
			s, _ := jose.Sign(f.issuerKey, jose.SignHeader{Typ: "dc+sd-jwt", Kid: "seal-1"}, []byte(`{"vct":"a","iss":"https://evil@issuer.univ.example/tenant/7"}`))
			return s + "~"
		}, policy: func(p *sdjwt.VCPolicy) {
			noKB(p)
			p.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
		}, want: sdjwt.CodeUnknownIssuerKey},
		{name: "fail/x5c-not-base64", token: func() string {
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","typ":"dc+sd-jwt","x5c":["not base64!"]}`))
			return h + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"vct":"a"}`)) + ".AAAA~"
		}, policy: noKB, want: sdjwt.CodeInvalidCertificate},
		{name: "fail/x5c-leaf-is-another-key", token: func() string {
			other := newKey(t)
			s, _ := jose.Sign(other, jose.SignHeader{Typ: "dc+sd-jwt"}, []byte(`{"vct":"a"}`))
			parts := strings.Split(s, ".")
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","typ":"dc+sd-jwt","x5c":["` + base64.StdEncoding.EncodeToString(f.chain[0].Raw) + `"]}`))
			return h + "." + parts[1] + "." + parts[2] + "~"
		}, policy: noKB, want: sdjwt.CodeInvalidSignature},
		{name: "fail/policy-no-key-sources", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) { p.KeySources = nil }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/policy-metadata-without-resolver", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) {
			p.KeySources, p.IssuerKeys = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}, nil
		}, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/policy-unknown-key-source", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) {
			p.KeySources = []sdjwt.KeySource{"did"}
		}, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/policy-other-type", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) { p.Type = "example+sd-jwt" }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/policy-zero-now", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) { p.Now = time.Time{} }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/expired", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) { p.Now = f.now.AddDate(2, 0, 0) }, want: sdjwt.CodeExpired},
		{name: "fail/not-yet-valid", token: func() string { return pres }, policy: func(p *sdjwt.VCPolicy) { p.Now = f.now.Add(-time.Hour) }, want: sdjwt.CodeNotYetValid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := f.policy(sdjwt.KeySourceX5C)
			if tt.policy != nil {
				tt.policy(&p)
			}
			u, err := sdjwt.ParseUnverified(tt.token())
			if err == nil {
				_, err = u.VerifyVC(t.Context(), p)
			}
			wantCode(t, err, tt.want)
		})
	}
}

func noKB(p *sdjwt.VCPolicy) { p.KeyBinding = sdjwt.KeyBindingForbidden }

func TestVerifyVCLegacyTypAllowed(t *testing.T) {
	key := newKey(t)
	s, err := jose.Sign(key, jose.SignHeader{Typ: "vc+sd-jwt", X5C: testChain(t, key)}, []byte(`{"vct":"a"}`))
	if err != nil {
		t.Fatal(err)
	}
	c, err := mustParse(t, s+"~").VerifyVC(t.Context(), sdjwt.VCPolicy{
		Policy:               sdjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: time.Now()},
		KeySources:           []sdjwt.KeySource{sdjwt.KeySourceX5C},
		AllowLegacyTypUnsafe: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Checks[0].Name != "typ" || !strings.Contains(c.Checks[0].Detail, "legacy") {
		t.Fatalf("the typ check does not say it accepted a legacy type: %+v", c.Checks)
	}
}

func TestVCIssueRejections(t *testing.T) {
	key, holder := newKey(t), newKey(t)
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	is, err := sdjwt.NewVCIssuer(key, jose.SignHeader{Kid: "k"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		mutate func(map[string]any)
		paths  []sdjwt.Path
		want   sdjwt.Code
	}{
		{name: "fail/sd-vct", paths: []sdjwt.Path{{"vct"}}, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-iss", paths: []sdjwt.Path{{"iss"}}, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-exp", paths: []sdjwt.Path{{"exp"}}, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-nbf", paths: []sdjwt.Path{{"nbf"}}, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-cnf-jwk", paths: []sdjwt.Path{{"cnf", "jwk"}}, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-status-idx", paths: []sdjwt.Path{{"status", "status_list", "idx"}}, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-vct-integrity", mutate: func(c map[string]any) { c["vct#integrity"] = "sha256-x" }, paths: []sdjwt.Path{{"vct#integrity"}}, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/sd-aka-vcts", mutate: func(c map[string]any) { c["aka_vcts"] = []any{"urn:x"} }, paths: []sdjwt.Path{{"aka_vcts", 0}}, want: sdjwt.CodeForbiddenSDClaim},
		{name: "fail/no-vct", mutate: func(c map[string]any) { delete(c, "vct") }, want: sdjwt.CodeInvalidClaim},
		{name: "fail/iss-not-https", mutate: func(c map[string]any) { c["iss"] = "http://issuer.example" }, want: sdjwt.CodeInvalidClaim},
		{name: "fail/iss-http-private", mutate: func(c map[string]any) { c["iss"] = "http://10.0.0.1/issuer" }, want: sdjwt.CodeInvalidClaim},
		{name: "fail/iss-not-url", mutate: func(c map[string]any) { c["iss"] = "issuer" }, want: sdjwt.CodeInvalidClaim},
		{name: "ok/iss-http-loopback", mutate: func(c map[string]any) { c["iss"] = "http://127.0.0.1:8080/issuer/oostland" }},
		{name: "ok/iss-http-localhost", mutate: func(c map[string]any) { c["iss"] = "http://localhost:8080/issuer" }},
		{name: "fail/exp-string", mutate: func(c map[string]any) { c["exp"] = "2027-01-01" }, want: sdjwt.CodeInvalidClaim},
		{name: "fail/cnf-without-jwk", mutate: func(c map[string]any) { c["cnf"] = map[string]any{"kid": "x"} }, want: sdjwt.CodeInvalidClaim},
		{name: "fail/cnf-private-key", mutate: func(c map[string]any) {
			c["cnf"] = map[string]any{"jwk": map[string]any{"kty": "EC", "crv": "P-256", "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc", "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ", "d": "5K5SCos8zf9zRemGGUl6yfok-_NiiryNZsvANWMhF-I"}}
		}, want: sdjwt.CodeInvalidClaim},
		{name: "fail/status-negative", mutate: func(c map[string]any) {
			c["status"] = map[string]any{"status_list": map[string]any{"idx": -3, "uri": "https://x.example"}}
		}, want: sdjwt.CodeInvalidClaim},
		{name: "fail/reserved-name", mutate: func(c map[string]any) { c["address"].(map[string]any)["_sd"] = []any{} }, want: sdjwt.CodeInvalidClaim},
		{name: "fail/reserved-ellipsis", mutate: func(c map[string]any) { c["degrees"].([]any)[0].(map[string]any)["..."] = "x" }, want: sdjwt.CodeInvalidClaim},
		{name: "fail/path-into-string", paths: []sdjwt.Path{{"given_name", "x"}}, want: sdjwt.CodeInvalidPath},
		{name: "fail/path-selects-nothing", paths: []sdjwt.Path{{"no_such_claim"}}, want: sdjwt.CodeInvalidPath},
		{name: "fail/path-empty", paths: []sdjwt.Path{{}}, want: sdjwt.CodeInvalidPath},
		{name: "fail/path-negative-index", paths: []sdjwt.Path{{"degrees", -1}}, want: sdjwt.CodeInvalidPath},
		{name: "fail/path-bad-component", paths: []sdjwt.Path{{"degrees", 1.5}}, want: sdjwt.CodeInvalidPath},
		{name: "fail/null-on-object", paths: []sdjwt.Path{{"address", nil}}, want: sdjwt.CodeInvalidPath},
		{name: "fail/invalid-utf8", mutate: func(c map[string]any) { c["given_name"] = "\xff" }, want: sdjwt.CodeInvalidClaim},
		{name: "fail/unencodable", mutate: func(c map[string]any) { c["given_name"] = make(chan int) }, want: sdjwt.CodeInvalidClaim},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := diplomaClaims(t, holder, now)
			if tt.mutate != nil {
				tt.mutate(c)
			}
			_, err := is.Issue(c, tt.paths)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tt.want)
		})
	}
	t.Run("fail/legacy-typ-never-emitted", func(t *testing.T) {
		_, err := sdjwt.NewVCIssuer(key, jose.SignHeader{Typ: "vc+sd-jwt"})
		wantCode(t, err, sdjwt.CodeInvalidPolicy)
	})
	t.Run("fail/plain-issuer-needs-typ", func(t *testing.T) {
		_, err := sdjwt.NewIssuer(key, jose.SignHeader{})
		wantCode(t, err, sdjwt.CodeInvalidPolicy)
	})
	t.Run("fail/x5c-leaf-not-the-key", func(t *testing.T) {
		_, err := sdjwt.NewVCIssuer(key, jose.SignHeader{X5C: testChain(t, newKey(t))})
		wantCode(t, err, sdjwt.CodeKeyMismatch)
	})
	t.Run("fail/bad-decoys", func(t *testing.T) {
		_, err := sdjwt.NewVCIssuer(key, jose.SignHeader{}, sdjwt.WithDecoys(-1))
		wantCode(t, err, sdjwt.CodeInvalidPolicy)
		_, err = sdjwt.NewVCIssuer(key, jose.SignHeader{}, sdjwt.WithRandom(nil))
		wantCode(t, err, sdjwt.CodeInvalidPolicy)
	})
}

func TestJWTVCIssuerMetadataURL(t *testing.T) {
	tests := []struct {
		iss, want string
		code      sdjwt.Code
	}{
		{"https://example.com/tenant/1234", "https://example.com/.well-known/jwt-vc-issuer/tenant/1234", ""},
		{"https://example.com", "https://example.com/.well-known/jwt-vc-issuer", ""},
		{"https://example.com/", "https://example.com/.well-known/jwt-vc-issuer", ""},
		{"https://test.issuer.com/", "https://test.issuer.com/.well-known/jwt-vc-issuer", ""},
		{"https://example.com:8443/a/b/", "https://example.com:8443/.well-known/jwt-vc-issuer/a/b", ""},
		{"https://example.com/%E5%A4%A7%E5%AD%A6", "https://example.com/.well-known/jwt-vc-issuer/%E5%A4%A7%E5%AD%A6", ""},
		{"http://example.com", "", sdjwt.CodeInvalidMetadata},
		{"https://", "", sdjwt.CodeInvalidMetadata},
		{"https://example.com/?q=1", "", sdjwt.CodeInvalidMetadata},
		{"https://example.com/#f", "", sdjwt.CodeInvalidMetadata},
		{"https://user@example.com/", "", sdjwt.CodeInvalidMetadata},
		{"urn:example:issuer", "", sdjwt.CodeInvalidMetadata},
		{"example.com/issuer", "", sdjwt.CodeInvalidMetadata},
		{"https://exa mple.com", "", sdjwt.CodeInvalidMetadata},
	}
	for _, tt := range tests {
		got, err := sdjwt.JWTVCIssuerMetadataURL(tt.iss)
		if tt.code != "" {
			wantCode(t, err, tt.code)
			continue
		}
		if err != nil || got != tt.want {
			t.Fatalf("%s: %q %v, want %q", tt.iss, got, err, tt.want)
		}
	}
}

func TestParseJWTVCIssuerMetadata(t *testing.T) {
	key := newKey(t)
	jwk, err := jose.MarshalPublicJWK(&key.PublicKey, "doc-signer-05-25-2022")
	if err != nil {
		t.Fatal(err)
	}
	const iss = "https://example.com"
	tests := []struct {
		name, doc string
		code      sdjwt.Code
	}{
		{"ok/jwks", `{"issuer":"https://example.com","jwks":{"keys":[` + string(jwk) + `]}}`, ""},
		{"ok/jwks_uri", `{"issuer":"https://example.com","jwks_uri":"https://jwt-vc-issuer.example.org/my_public_keys.jwks","extra":1}`, ""},
		{"fail/other-issuer", `{"issuer":"https://example.com/","jwks":{"keys":[` + string(jwk) + `]}}`, sdjwt.CodeInvalidMetadata},
		{"fail/no-issuer", `{"jwks":{"keys":[` + string(jwk) + `]}}`, sdjwt.CodeInvalidMetadata},
		{"fail/both", `{"issuer":"https://example.com","jwks":{"keys":[` + string(jwk) + `]},"jwks_uri":"https://a.example/k"}`, sdjwt.CodeInvalidMetadata},
		{"fail/neither", `{"issuer":"https://example.com"}`, sdjwt.CodeInvalidMetadata},
		{"fail/jwks-uri-http", `{"issuer":"https://example.com","jwks_uri":"http://a.example/k"}`, sdjwt.CodeInvalidMetadata},
		{"fail/jwks-single-jwk", `{"issuer":"https://example.com","jwks":` + string(jwk) + `}`, sdjwt.CodeInvalidMetadata},
		{"fail/jwks-no-usable-key", `{"issuer":"https://example.com","jwks":{"keys":[{"kty":"oct","k":"AAAA"}]}}`, sdjwt.CodeInvalidMetadata},
		{"fail/duplicate-member", `{"issuer":"https://example.com","issuer":"https://example.com","jwks_uri":"https://a.example/k"}`, sdjwt.CodeInvalidMetadata},
		{"fail/not-object", `[]`, sdjwt.CodeInvalidMetadata},
		{"fail/too-large", `{"issuer":"` + strings.Repeat("a", sdjwt.MaxMetadataSize) + `"}`, sdjwt.CodeLimitExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md, err := sdjwt.ParseJWTVCIssuerMetadata([]byte(tt.doc), iss)
			if tt.code != "" {
				wantCode(t, err, tt.code)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if md.Issuer != iss {
				t.Fatal(md.Issuer)
			}
			if md.JWKSURI == "" && (len(md.JWKS) != 1 || md.JWKS[0].Kid != "doc-signer-05-25-2022" || !keyEqual(md.JWKS[0].Key, &key.PublicKey)) {
				t.Fatalf("%+v", md)
			}
		})
	}
}
