package sdjwt_test

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

const (
	vecIssuerKey  = "vectors/sd-jwt/keys/issuer.public.jwk.json"
	vecHolderKey  = "vectors/sd-jwt/keys/holder.public.jwk.json"
	vecHolderPriv = "vectors/sd-jwt/keys/holder.private.jwk.json"
	vecNonce      = "1234567890"
	vecAudience   = "https://verifier.example.org"
)

// The RFC 9901 §4.2.1 disclosure vector, digest recomputed (standards.md §3.2).
func TestDigestVector(t *testing.T) {
	const d = "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0"
	if got, want := sdjwt.SHA256.Digest(d), "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0"; got != want {
		t.Fatalf("digest %s, want %s", got, want)
	}
	if got := sdjwt.HashAlgorithm("md5").Digest(d); got != "" {
		t.Fatalf("unknown hash gave %q", got)
	}
}

// OpenID4VCI 1.0 example credential: VALID with the SD-JWT examples issuer key, 9 disclosures.
func TestVectorOID4VCICredential(t *testing.T) {
	raw := readText(t, "vectors/oid4vci/credential_sd_jwt_vc.txt")
	key := publicKey(t, vecIssuerKey)
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) // inside iat 2023-05-02 .. exp 2029-09-01
	pol := sdjwt.VCPolicy{
		Policy:     sdjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: now},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata},
		IssuerKeys: staticKeys("https://example.com/issuer", jose.KeyEntry{Kid: "doc-signer-05-25-2022", Key: key}),
	}
	c, err := mustParse(t, raw).VerifyVC(t.Context(), pol)
	if err != nil {
		t.Fatalf("VerifyVC: %v", err)
	}
	if c.VCT != "https://credentials.example.com/identity_credential" || c.Issuer != "https://example.com/issuer" {
		t.Fatalf("vct %q iss %q", c.VCT, c.Issuer)
	}
	if c.KeySource != sdjwt.KeySourceIssuerMetadata || c.KeyID != "doc-signer-05-25-2022" {
		t.Fatalf("key source %q kid %q", c.KeySource, c.KeyID)
	}
	if len(c.Disclosures) != 9 {
		t.Fatalf("%d disclosures, want 9", len(c.Disclosures))
	}
	// Every digest is in the signed _sd array.
	in, err := sdjwt.Peek(raw)
	if err != nil {
		t.Fatal(err)
	}
	var sd []string
	for _, d := range in.Payload["_sd"].([]any) {
		sd = append(sd, d.(string))
	}
	for _, d := range c.Disclosures {
		if !slices.Contains(sd, d.Digest) || len(d.Path) != 1 || d.Path[0] != d.Name {
			t.Fatalf("disclosure %q: digest %s, path %s", d.Name, d.Digest, d.Path)
		}
	}
	if !keyEqual(c.Confirmation, publicKey(t, vecHolderKey)) {
		t.Fatal("cnf is not the SD-JWT examples holder key")
	}
	if c.IssuedAt != unix(1683000000) || c.ExpiresAt != unix(1883000000) {
		t.Fatalf("iat %v exp %v", c.IssuedAt, c.ExpiresAt)
	}
	addr := c.Claims["address"].(map[string]any)
	if addr["locality"] != "Anytown" || c.Claims["is_over_65"] != true {
		t.Fatalf("claims %v", c.Claims)
	}
	// The plain SD-JWT layer agrees, with the key given directly.
	if _, err := mustParse(t, raw).Verify(key, sdjwt.Policy{Type: "dc+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: now}); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// And nowhere else in time.
	pol.Now = unix(1883000000)
	_, err = mustParse(t, raw).VerifyVC(t.Context(), pol)
	wantCode(t, err, sdjwt.CodeExpired)
	// Not with the OID4VCI issuer_jwks.json key (another key, same kid would be required).
	pol.Now = now
	pol.IssuerKeys = staticKeys("https://example.com/issuer", jose.KeyEntry{Kid: "doc-signer-05-25-2022", Key: newKey(t).Public()})
	_, err = mustParse(t, raw).VerifyVC(t.Context(), pol)
	wantCode(t, err, sdjwt.CodeInvalidSignature)
}

// OpenID4VP 1.0 sd_jwt_vcld/01: issuance and presentation with KB-JWT.
func TestVectorOID4VPVCLD(t *testing.T) {
	issuance := readText(t, "vectors/oid4vp/sd_jwt_vcld/01/sd_jwt_issuance.compact.txt")
	presentation := readText(t, "vectors/oid4vp/sd_jwt_vcld/01/sd_jwt_presentation.compact.txt")
	key := publicKey(t, vecIssuerKey)
	kbIat := unix(1744743394) // 2025-04-15
	base := sdjwt.Policy{Type: "dc+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, Now: kbIat.Add(30 * time.Second)}

	t.Run("ok/issuance", func(t *testing.T) {
		p := base
		p.KeyBinding = sdjwt.KeyBindingForbidden
		v, err := mustParse(t, issuance).Verify(key, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Disclosures) != 3 {
			t.Fatalf("%d disclosures", len(v.Disclosures))
		}
		cs := v.Claims["ld"].(map[string]any)["credentialSubject"].(map[string]any)
		if cs["givenName"] != "John" || cs["familyName"] != "Doe" || cs["birthDate"] != "1978-07-17" {
			t.Fatalf("credentialSubject %v", cs)
		}
	})
	t.Run("ok/presentation", func(t *testing.T) {
		p := base
		p.Nonce, p.Audience = vecNonce, vecAudience
		v, err := mustParse(t, presentation).Verify(key, p)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := canonical(t, v.Claims), jsonFile(t, "vectors/oid4vp/sd_jwt_vcld/01/verified_contents.json"); got != want {
			t.Fatalf("claims\n got %s\nwant %s", got, want)
		}
		if v.KeyBinding == nil || v.KeyBinding.SDHash != "BojpuMvN94GsIX3Vh5yeRPBp1M-DwCJ8kxpCjU07lnU" || !v.KeyBinding.IssuedAt.Equal(kbIat) {
			t.Fatalf("kb %+v", v.KeyBinding)
		}
		kb := fmt.Sprintf(`{"nonce":%q,"aud":%q,"iat":%d,"sd_hash":%q}`, v.KeyBinding.Nonce, v.KeyBinding.Audience, v.KeyBinding.IssuedAt.Unix(), v.KeyBinding.SDHash)
		if got, want := canonical(t, []byte(kb)), jsonFile(t, "vectors/oid4vp/sd_jwt_vcld/01/kb_jwt_payload.json"); got != want {
			t.Fatalf("KB-JWT claims\n got %s\nwant %s", got, want)
		}
		if len(v.Disclosures) != 1 || v.Disclosures[0].Path.String() != `["ld","credentialSubject","givenName"]` {
			t.Fatalf("disclosures %+v", v.Disclosures)
		}
	})
	t.Run("ok/presentation-vc-layer", func(t *testing.T) {
		p := base
		p.Type, p.Nonce, p.Audience = "", vecNonce, vecAudience
		c, err := mustParse(t, presentation).VerifyVC(t.Context(), sdjwt.VCPolicy{
			Policy:     p,
			KeySources: []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata},
			IssuerKeys: staticKeys("https://issuer.example.com", jose.KeyEntry{Key: key}),
		})
		if err != nil {
			t.Fatal(err)
		}
		if c.VCT != "https://credentials.example.com/example_credential" {
			t.Fatal(c.VCT)
		}
	})
	t.Run("fail/stale-kb-at-real-now", func(t *testing.T) {
		p := base
		p.Nonce, p.Audience, p.Now = vecNonce, vecAudience, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		_, err := mustParse(t, presentation).Verify(key, p)
		wantCode(t, err, sdjwt.CodeStaleKeyBinding)
	})
}

// The EU-JP PoC learning credential: x5c leaf signature, disclosures, chain returned unjudged.
func TestVectorEUJPLearningCredential(t *testing.T) {
	raw := readText(t, "eujp-poc/learning-credential.sd-jwt.txt")
	pol := sdjwt.VCPolicy{
		Policy:     sdjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C},
	}
	c, err := mustParse(t, raw).VerifyVC(t.Context(), pol)
	if err != nil {
		t.Fatalf("VerifyVC: %v", err)
	}
	if c.KeySource != sdjwt.KeySourceX5C || len(c.X5C) != 1 {
		t.Fatalf("key source %q, %d certificates", c.KeySource, len(c.X5C))
	}
	pemBytes, err := os.ReadFile(testdata("eujp-poc/issuer-x5c-leaf.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(pemBytes)
	leaf, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !c.X5C[0].Equal(leaf) {
		t.Fatal("returned leaf is not the x5c[0] certificate")
	}
	if c.VCT != "urn:eu.europa.ec.eudi:learning:credential:1" || c.Issuer != "https://test.issuer.com/" {
		t.Fatalf("vct %q iss %q", c.VCT, c.Issuer)
	}
	if v, ok := c.Claims["given_name"]; !ok || v != nil {
		t.Fatalf("given_name = %v (present %v), want null", v, ok)
	}
	lo := c.Claims["learning_outcomes"].([]any)
	if lo[1] != "Test\u3000Learning Outcomes2" {
		t.Fatalf("learning_outcomes %q", lo)
	}
	var want []struct {
		Disclosure string `json:"disclosure"`
		SHA256     string `json:"sha256"`
	}
	b, err := os.ReadFile(testdata("eujp-poc/decoded/disclosures.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(c.Disclosures) || len(want) != 10 {
		t.Fatalf("%d disclosures, want %d", len(c.Disclosures), len(want))
	}
	for i, d := range c.Disclosures {
		if d.Raw != want[i].Disclosure || d.Digest != want[i].SHA256 {
			t.Fatalf("disclosure %d: %s / %s", i, d.Raw, d.Digest)
		}
	}
	// x5c not allowed: no other mechanism applies.
	pol.KeySources = []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata}
	pol.IssuerKeys = staticKeys("https://test.issuer.com/")
	_, err = mustParse(t, raw).VerifyVC(t.Context(), pol)
	wantCode(t, err, sdjwt.CodeUnknownIssuerKey)
}

// RFC 9901 §5 and Appendix A examples, byte for byte (see testdata/README.md for provenance).
func TestVectorRFC9901(t *testing.T) {
	key := publicKey(t, vecIssuerKey)
	kbNow := unix(1748537244).Add(time.Minute) // KB-JWTs were made 2025-05-29
	tests := []struct {
		name, file, processed string
		typ                   string
		kb                    sdjwt.KeyBindingMode
		disclosures           int
		sdHash                string
	}{
		{"ok/5.1-issuance", "s5.1-issuance.txt", "s5.1-processed.json", "example+sd-jwt", sdjwt.KeyBindingForbidden, 10, ""},
		{"ok/5.2-presentation-kb", "s5.2-presentation.txt", "s5.2-processed.json", "example+sd-jwt", sdjwt.KeyBindingRequired, 4, "0_Af-2B-EhLWX5ydh_w2xzwmO6iM66B_2QCEanI4fUY"},
		{"ok/A.1-simple-structured", "a1-presentation.txt", "a1-processed.json", "example+sd-jwt", sdjwt.KeyBindingOptional, 2, ""},
		{"ok/A.2-complex-structured", "a2-presentation.txt", "a2-processed.json", "example+sd-jwt", sdjwt.KeyBindingOptional, 6, ""},
		{"ok/A.3-sd-jwt-vc-legacy-typ", "a3-sd-jwt-vc-issuance.txt", "a3-processed.json", "vc+sd-jwt", sdjwt.KeyBindingForbidden, 21, ""},
		{"ok/A.4-vcdm-kb", "a4-presentation.txt", "a4-processed.json", "example+sd-jwt", sdjwt.KeyBindingRequired, 4, "IoWUH91llf3XErl42bQ3sx_53V1o1ujCz08hDqHK7Dk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := readText(t, "vectors/sd-jwt/rfc9901/"+tt.file)
			v, err := mustParse(t, raw).Verify(key, sdjwt.Policy{
				Type: tt.typ, Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: tt.kb,
				Nonce: vecNonce, Audience: vecAudience, Now: kbNow,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := canonical(t, v.Claims), jsonFile(t, "vectors/sd-jwt/rfc9901/"+tt.processed); got != want {
				t.Fatalf("processed payload\n got %s\nwant %s", got, want)
			}
			if len(v.Disclosures) != tt.disclosures {
				t.Fatalf("%d disclosures, want %d", len(v.Disclosures), tt.disclosures)
			}
			if tt.sdHash != "" && (v.KeyBinding == nil || v.KeyBinding.SDHash != tt.sdHash) {
				t.Fatalf("kb %+v", v.KeyBinding)
			}
		})
	}

	a3 := readText(t, "vectors/sd-jwt/rfc9901/a3-sd-jwt-vc-issuance.txt")
	pol := sdjwt.VCPolicy{
		Policy:     sdjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: kbNow},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata},
		IssuerKeys: staticKeys("https://issuer.example.com", jose.KeyEntry{Key: key}),
	}
	t.Run("fail/A.3-legacy-typ-by-default", func(t *testing.T) {
		_, err := mustParse(t, a3).VerifyVC(t.Context(), pol)
		wantCode(t, err, sdjwt.CodeWrongType)
	})
	t.Run("ok/A.3-legacy-typ-allowed", func(t *testing.T) {
		p := pol
		p.AllowLegacyTypUnsafe = true
		c, err := mustParse(t, a3).VerifyVC(t.Context(), p)
		if err != nil {
			t.Fatal(err)
		}
		if c.VCT != "https://bmi.bund.example/credential/pid/1.0" {
			t.Fatal(c.VCT)
		}
		var paths []string
		for _, d := range c.Disclosures {
			paths = append(paths, d.Path.String())
		}
		for _, want := range []string{`["address","street_address"]`, `["address"]`, `["nationalities"]`, `["age_equal_or_over","18"]`, `["place_of_birth","locality"]`} {
			if !slices.Contains(paths, want) {
				t.Fatalf("no disclosure at %s in %v", want, paths)
			}
		}
	})
}

// A holder re-presents the RFC 9901 §5.1 credential the way §5.2 does, with hashi's Select and
// KB-JWT, and the result verifies to the same processed payload.
func TestRFC9901PresentLikeSection52(t *testing.T) {
	issued := readText(t, "vectors/sd-jwt/rfc9901/s5.1-issuance.txt")
	paths := []sdjwt.Path{{"given_name"}, {"family_name"}, {"address"}, {"nationalities", 0}}
	sel, err := sdjwt.Select(issued, paths)
	if err != nil {
		t.Fatal(err)
	}
	rfc := readText(t, "vectors/sd-jwt/rfc9901/s5.2-presentation.txt")
	gotParts := strings.Split(strings.TrimSuffix(sel, "~"), "~")
	wantParts := strings.Split(rfc, "~")
	wantParts = wantParts[:len(wantParts)-1] // without the KB-JWT
	slices.Sort(gotParts)
	slices.Sort(wantParts)
	if !slices.Equal(gotParts, wantParts) {
		t.Fatalf("selected disclosures differ from RFC 9901 §5.2\n got %q\nwant %q", gotParts, wantParts)
	}
	h, err := sdjwt.NewHolder(privateKey(t, vecHolderPriv))
	if err != nil {
		t.Fatal(err)
	}
	now := unix(1748537244)
	pres, err := h.Present(issued, paths, sdjwt.KBClaims{Nonce: vecNonce, Audience: vecAudience, IssuedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	v, err := mustParse(t, pres).Verify(publicKey(t, vecIssuerKey), sdjwt.Policy{
		Type: "example+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, Nonce: vecNonce, Audience: vecAudience, Now: now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := canonical(t, v.Claims), jsonFile(t, "vectors/sd-jwt/rfc9901/s5.2-processed.json"); got != want {
		t.Fatalf("processed payload\n got %s\nwant %s", got, want)
	}
}
