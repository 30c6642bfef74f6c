package sdjwt_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

// forge builds SD-JWTs by hand, including broken ones, signed with real keys.
type forge struct {
	t      testing.TB
	issuer *ecdsa.PrivateKey
	holder *ecdsa.PrivateKey
	now    time.Time
}

const (
	fNonce    = "n-0S6_WzA2Mj"
	fAudience = "x509_hash:Sxm9WwB7zSz9dz36nI4wJtRUAQ_kcGqRK6Dq2PHt4t4"
	fTyp      = "example+sd-jwt"
)

func newForge(t testing.TB) *forge {
	return &forge{t: t, issuer: newKey(t), holder: newKey(t), now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

// disc encodes a disclosure of the given JSON array elements.
func disc(t testing.TB, elems ...any) string {
	t.Helper()
	b, err := json.Marshal(elems)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func dg(d string) string { return sdjwt.SHA256.Digest(d) }

func (f *forge) cnf() string {
	b, err := jose.MarshalPublicJWK(&f.holder.PublicKey, "")
	if err != nil {
		f.t.Fatal(err)
	}
	return `{"jwk":` + string(b) + `}`
}

// jwt signs payload (JSON text, %CNF% replaced by the holder cnf) with the issuer key.
func (f *forge) jwt(typ, payload string) string {
	f.t.Helper()
	payload = strings.ReplaceAll(payload, "%CNF%", f.cnf())
	s, err := jose.Sign(f.issuer, jose.SignHeader{Typ: typ}, []byte(payload))
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// sdjwt assembles <jwt>~<d1>~...~.
func sdJWT(jwt string, discs ...string) string {
	var b strings.Builder
	b.WriteString(jwt)
	b.WriteByte('~')
	for _, d := range discs {
		b.WriteString(d)
		b.WriteByte('~')
	}
	return b.String()
}

// kb appends a KB-JWT signed by signer over the presented text with the given claims; the
// placeholder %SDHASH% in payload is replaced by the correct sd_hash.
func (f *forge) kb(presented string, signer *ecdsa.PrivateKey, typ, payload string) string {
	f.t.Helper()
	payload = strings.ReplaceAll(payload, "%SDHASH%", sdjwt.SHA256.Digest(presented))
	s, err := jose.Sign(signer, jose.SignHeader{Typ: typ}, []byte(payload))
	if err != nil {
		f.t.Fatal(err)
	}
	return presented + s
}

func (f *forge) kbClaims(iat time.Time, nonce, aud string) string {
	return fmt.Sprintf(`{"iat":%d,"aud":%q,"nonce":%q,"sd_hash":"%%SDHASH%%"}`, iat.Unix(), aud, nonce)
}

// good returns a valid SD-JWT+KB with an object, a nested and an array disclosure.
func (f *forge) good() string {
	given := disc(f.t, "salt-1", "given_name", "Hanako")
	street := disc(f.t, "salt-2", "street_address", "1-1 Chiyoda")
	addr := disc(f.t, "salt-3", "address", map[string]any{"_sd": []string{dg(street)}, "country": "JP"})
	nat := disc(f.t, "salt-4", "JP")
	payload := fmt.Sprintf(`{"iss":"https://issuer.example","iat":%d,"exp":%d,"cnf":%%CNF%%,"_sd_alg":"sha-256",
		"_sd":[%q,%q],"nationalities":[{"...":%q},"FR"]}`, f.now.Add(-time.Hour).Unix(), f.now.Add(time.Hour).Unix(), dg(given), dg(addr), dg(nat))
	pres := sdJWT(f.jwt(fTyp, payload), given, street, addr, nat)
	return f.kb(pres, f.holder, "kb+jwt", f.kbClaims(f.now, fNonce, fAudience))
}

func (f *forge) policy() sdjwt.Policy {
	return sdjwt.Policy{Type: fTyp, Algorithms: []jose.Algorithm{jose.ES256}, Nonce: fNonce, Audience: fAudience, Now: f.now}
}

// payloadWith signs a payload with the given _sd digests and extra members.
func (f *forge) payloadWith(extra string) string {
	return fmt.Sprintf(`{"iss":"https://issuer.example","cnf":%%CNF%%%s}`, extra)
}

// withKB appends a correct KB-JWT.
func (f *forge) withKB(presented string) string {
	return f.kb(presented, f.holder, "kb+jwt", f.kbClaims(f.now, fNonce, fAudience))
}

func TestVerifyGood(t *testing.T) {
	f := newForge(t)
	v, err := mustParse(t, f.good()).Verify(&f.issuer.PublicKey, f.policy())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"address":{"country":"JP","street_address":"1-1 Chiyoda"},"cnf":` + f.cnf() + `,"exp":` +
		fmt.Sprint(f.now.Add(time.Hour).Unix()) + `,"given_name":"Hanako","iat":` + fmt.Sprint(f.now.Add(-time.Hour).Unix()) +
		`,"iss":"https://issuer.example","nationalities":["JP","FR"]}`
	if got := canonical(t, v.Claims); got != canonical(t, []byte(want)) {
		t.Fatalf("claims\n got %s\nwant %s", got, want)
	}
	var names []string
	for _, c := range v.Checks {
		if !c.OK {
			t.Fatalf("check %+v not OK", c)
		}
		names = append(names, c.Name)
	}
	for _, n := range []string{"typ", "signature", "sd_alg", "disclosures", "disclosures_referenced", "validity_period", "cnf", "key_binding", "kb_typ", "kb_signature", "kb_claims", "kb_nonce", "kb_audience", "kb_iat", "kb_sd_hash"} {
		if !strings.Contains(strings.Join(names, ","), n) {
			t.Fatalf("check %s missing from %v", n, names)
		}
	}
	paths := map[string]string{}
	for _, d := range v.Disclosures {
		paths[d.Salt] = d.Path.String()
	}
	if paths["salt-2"] != `["address","street_address"]` || paths["salt-4"] != `["nationalities",0]` {
		t.Fatalf("paths %v", paths)
	}
	if v.KeyBinding.Nonce != fNonce || v.KeyBinding.Audience != fAudience || v.KeyBinding.Algorithm != jose.ES256 {
		t.Fatalf("kb %+v", v.KeyBinding)
	}
}

// Every rejection of RFC 9901 §7 and RFC 8725 that applies to SD-JWT, one row each.
func TestVerifyRejections(t *testing.T) {
	f := newForge(t)
	other := newKey(t)
	good := f.good()
	parts := strings.Split(good, "~")
	jwtPart, kbPart := parts[0], parts[len(parts)-1]
	presented := good[:strings.LastIndexByte(good, '~')+1]

	hsToken := func() string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"example+sd-jwt"}`))
		p := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://issuer.example"}`))
		// The classic confusion: the public key bytes used as the HMAC secret.
		secret := elliptic.Marshal(elliptic.P256(), f.issuer.X, f.issuer.Y) //nolint:staticcheck // the attack uses these bytes
		m := hmac.New(sha256.New, secret)
		m.Write([]byte(h + "." + p))
		return h + "." + p + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil)) + "~"
	}
	noneToken := func() string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"example+sd-jwt"}`))
		p := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://issuer.example"}`))
		return h + "." + p + ".~"
	}
	one := disc(t, "s1", "given_name", "Hanako")
	arr := disc(t, "s2", "JP")

	tests := []struct {
		name   string
		token  func() string
		policy func(*sdjwt.Policy)
		want   sdjwt.Code
	}{
		// RFC 8725: algorithms and explicit typing
		{name: "fail/alg-none", token: noneToken, policy: forbidKB, want: sdjwt.CodeUnsupportedAlgorithm},
		{name: "fail/hs256-with-public-key-as-secret", token: hsToken, policy: forbidKB, want: sdjwt.CodeUnsupportedAlgorithm},
		{name: "fail/alg-not-in-allow-list", token: f.good, policy: func(p *sdjwt.Policy) { p.Algorithms = []jose.Algorithm{jose.EdDSA} }, want: sdjwt.CodeUnsupportedAlgorithm},
		{name: "fail/wrong-typ", token: func() string { return sdJWT(f.jwt("JWT", `{}`)) }, policy: forbidKB, want: sdjwt.CodeWrongType},
		{name: "fail/missing-typ", token: func() string { return sdJWT(f.jwt("", `{}`)) }, policy: forbidKB, want: sdjwt.CodeWrongType},
		{name: "fail/other-issuer-key", token: func() string {
			s, _ := jose.Sign(other, jose.SignHeader{Typ: fTyp}, []byte(`{}`))
			return s + "~"
		}, policy: forbidKB, want: sdjwt.CodeInvalidSignature},
		{name: "fail/tampered-payload", token: func() string {
			p := strings.Split(jwtPart, ".")
			p[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"https://evil.example"}`))
			return strings.Join(p, ".") + "~"
		}, policy: forbidKB, want: sdjwt.CodeInvalidSignature},
		// validity period
		{name: "fail/expired", token: f.good, policy: func(p *sdjwt.Policy) { p.Now = f.now.Add(2 * time.Hour) }, want: sdjwt.CodeExpired},
		{name: "fail/not-yet-valid-nbf", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"nbf":%d`, f.now.Add(time.Minute).Unix())))))
		}, want: sdjwt.CodeNotYetValid},
		{name: "fail/issued-in-the-future", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"iat":%d`, f.now.Add(time.Minute).Unix())))))
		}, want: sdjwt.CodeNotYetValid},
		{name: "fail/exp-not-a-number", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"exp":"tomorrow"`))))
		}, want: sdjwt.CodeInvalidClaim},
		// key binding (RFC 9901 §7.3)
		{name: "fail/wrong-nonce", token: f.good, policy: func(p *sdjwt.Policy) { p.Nonce = "another" }, want: sdjwt.CodeWrongNonce},
		{name: "fail/wrong-audience", token: f.good, policy: func(p *sdjwt.Policy) { p.Audience = "redirect_uri:https://rp.example" }, want: sdjwt.CodeWrongAudience},
		{name: "fail/stale-kb-iat", token: func() string {
			return f.kb(presented, f.holder, "kb+jwt", f.kbClaims(f.now.Add(-10*time.Minute), fNonce, fAudience))
		}, want: sdjwt.CodeStaleKeyBinding},
		{name: "fail/future-kb-iat", token: func() string {
			return f.kb(presented, f.holder, "kb+jwt", f.kbClaims(f.now.Add(time.Minute), fNonce, fAudience))
		}, want: sdjwt.CodeStaleKeyBinding},
		{name: "fail/kb-required-but-missing", token: func() string { return presented }, want: sdjwt.CodeKeyBindingRequired},
		{name: "fail/kb-signed-by-another-key", token: func() string {
			return f.kb(presented, other, "kb+jwt", f.kbClaims(f.now, fNonce, fAudience))
		}, want: sdjwt.CodeInvalidKeyBinding},
		{name: "fail/kb-wrong-typ", token: func() string {
			return f.kb(presented, f.holder, "JWT", f.kbClaims(f.now, fNonce, fAudience))
		}, want: sdjwt.CodeInvalidKeyBinding},
		{name: "fail/kb-alg-none", token: func() string {
			h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"kb+jwt"}`))
			p := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"iat":%d,"aud":%q,"nonce":%q,"sd_hash":%q}`, f.now.Unix(), fAudience, fNonce, sdjwt.SHA256.Digest(presented))))
			return presented + h + "." + p + "."
		}, want: sdjwt.CodeUnsupportedAlgorithm},
		{name: "fail/kb-aud-array", token: func() string {
			return f.kb(presented, f.holder, "kb+jwt", fmt.Sprintf(`{"iat":%d,"aud":[%q],"nonce":%q,"sd_hash":"%%SDHASH%%"}`, f.now.Unix(), fAudience, fNonce))
		}, want: sdjwt.CodeInvalidKeyBinding},
		{name: "fail/kb-without-sd-hash", token: func() string {
			return f.kb(presented, f.holder, "kb+jwt", fmt.Sprintf(`{"iat":%d,"aud":%q,"nonce":%q}`, f.now.Unix(), fAudience, fNonce))
		}, want: sdjwt.CodeInvalidKeyBinding},
		{name: "fail/sd-hash-mismatch-disclosure-dropped-after-signing", token: func() string {
			// drop the nationality disclosure (still a valid SD-JWT) but keep the KB-JWT
			return strings.Replace(good, parts[4]+"~", "", 1)
		}, want: sdjwt.CodeSDHashMismatch},
		{name: "fail/sd-hash-without-trailing-tilde", token: func() string {
			p := strings.TrimSuffix(presented, "~")
			kb := f.kb(p, f.holder, "kb+jwt", f.kbClaims(f.now, fNonce, fAudience))
			return presented + kb[len(p):]
		}, want: sdjwt.CodeSDHashMismatch},
		{name: "fail/kb-presented-to-holder-at-issuance", token: f.good, policy: forbidKB, want: sdjwt.CodeUnexpectedKeyBinding},
		// serialization (RFC 9901 §4, §7.1 step 1)
		{name: "fail/sd-jwt-without-trailing-tilde", token: func() string { return strings.TrimSuffix(presented, "~") }, policy: forbidKB, want: sdjwt.CodeMalformed},
		{name: "fail/bare-jwt", token: func() string { return jwtPart }, policy: forbidKB, want: sdjwt.CodeMalformed},
		{name: "fail/sd-jwt-kb-with-trailing-tilde", token: func() string { return good + "~" }, want: sdjwt.CodeMalformed},
		{name: "fail/empty-disclosure", token: func() string { return jwtPart + "~~" + kbPart }, want: sdjwt.CodeMalformed},
		{name: "fail/kb-not-a-jws", token: func() string { return presented + "a.b" }, want: sdjwt.CodeInvalidKeyBinding},
		// disclosures (RFC 9901 §7.1 steps 3-5)
		{name: "fail/tampered-disclosure-one-byte", token: func() string {
			raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
			raw[len(raw)-3]++ // "Hanako" -> "Hanakp"
			return strings.Replace(good, parts[1], base64.RawURLEncoding.EncodeToString(raw), 1)
		}, want: sdjwt.CodeUnreferencedDisclosure},
		{name: "fail/duplicated-disclosure", token: func() string {
			return f.withKB(strings.Replace(presented, parts[1]+"~", parts[1]+"~"+parts[1]+"~", 1))
		}, want: sdjwt.CodeDuplicateDigest},
		{name: "fail/duplicate-digest-in-sd", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q,%q]`, dg(one), dg(one)))), one))
		}, want: sdjwt.CodeDuplicateDigest},
		{name: "fail/duplicate-decoy-digest", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"_sd":["decoy"],"a":{"_sd":["decoy"]}`))))
		}, want: sdjwt.CodeDuplicateDigest},
		{name: "fail/digest-in-sd-and-array", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q],"a":[{"...":%q}]`, dg(arr), dg(arr)))), arr))
		}, want: sdjwt.CodeDuplicateDigest},
		{name: "fail/duplicated-disclosure-among-many", token: func() string {
			var ds, dgs []string
			for i := range 20 {
				d := disc(t, fmt.Sprint("s", i), fmt.Sprint("c", i), i)
				ds, dgs = append(ds, d), append(dgs, fmt.Sprintf("%q", dg(d)))
			}
			ds = append(ds, ds[7])
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"_sd":[`+strings.Join(dgs, ",")+`]`)), ds...))
		}, want: sdjwt.CodeDuplicateDigest},
		{name: "fail/duplicate-decoy-among-many", token: func() string {
			var dgs []string
			for i := range 20 {
				dgs = append(dgs, fmt.Sprintf("%q", sdjwt.SHA256.Digest(fmt.Sprint("decoy", i))))
			}
			dgs = append(dgs, dgs[3])
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"_sd":[`+strings.Join(dgs, ",")+`]`))))
		}, want: sdjwt.CodeDuplicateDigest},
		{name: "fail/unreferenced-disclosure", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(one)))), one, disc(t, "s9", "extra", 1)))
		}, want: sdjwt.CodeUnreferencedDisclosure},
		{name: "fail/disclosure-name-sd", token: func() string {
			d := disc(t, "s", "_sd", []string{"x"})
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-name-ellipsis", token: func() string {
			d := disc(t, "s", "...", "x")
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-value-with-ellipsis-object", token: func() string {
			d := disc(t, "s", "a", map[string]any{"...": "x"})
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/array-disclosure-value-is-digest-object", token: func() string {
			d := disc(t, "s", map[string]any{"...": dg(one)})
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"a":[{"...":%q}]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-value-sd-not-array", token: func() string {
			d := disc(t, "s", "a", map[string]any{"_sd": "x"})
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/object-disclosure-in-array", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"a":[{"...":%q}]`, dg(one)))), one))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/array-disclosure-in-sd", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(arr)))), arr))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-4-elements", token: func() string {
			d := disc(t, "s", "a", 1, 2)
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-1-element", token: func() string {
			d := disc(t, "s")
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"a":[{"...":%q}]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-not-array", token: func() string {
			d := base64.RawURLEncoding.EncodeToString([]byte(`{"salt":"s"}`))
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"_sd":[]`)), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/non-string-salt", token: func() string {
			d := disc(t, 42, "a", "b")
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/non-string-claim-name", token: func() string {
			d := disc(t, "s", 7, "b")
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-bad-base64url", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(``)), "WyJz!!"))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-padded-base64", token: func() string {
			d := base64.URLEncoding.EncodeToString([]byte(`["s","a","bc"]`))
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-duplicate-member", token: func() string {
			d := base64.RawURLEncoding.EncodeToString([]byte(`["s","a",{"x":1,"x":2}]`))
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/disclosure-invalid-utf8", token: func() string {
			d := base64.RawURLEncoding.EncodeToString([]byte("[\"s\",\"a\",\"\xff\"]"))
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q]`, dg(d)))), d))
		}, want: sdjwt.CodeInvalidDisclosure},
		{name: "fail/claim-name-clash-with-plaintext", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"given_name":"Taro","_sd":[%q]`, dg(one)))), one))
		}, want: sdjwt.CodeClaimClash},
		{name: "fail/claim-name-clash-between-disclosures", token: func() string {
			two := disc(t, "s3", "given_name", "Jiro")
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q,%q]`, dg(one), dg(two)))), one, two))
		}, want: sdjwt.CodeClaimClash},
		{name: "fail/payload-duplicate-member", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, `{"iss":"a","iss":"b"}`)))
		}, want: sdjwt.CodeMalformed},
		{name: "fail/payload-not-object", token: func() string { return f.withKB(sdJWT(f.jwt(fTyp, `[1]`))) }, want: sdjwt.CodeMalformed},
		{name: "fail/sd-not-array", token: func() string { return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"_sd":"x"`)))) }, want: sdjwt.CodeMalformed},
		{name: "fail/sd-holds-number", token: func() string { return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"_sd":[1]`)))) }, want: sdjwt.CodeMalformed},
		{name: "fail/ellipsis-member-in-plain-object", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"a":{"...":"x","b":1}`))))
		}, want: sdjwt.CodeMalformed},
		{name: "fail/array-digest-with-extra-member", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"a":[{"...":"x","b":1}]`))))
		}, want: sdjwt.CodeMalformed},
		{name: "fail/sd-alg-below-top-level", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"a":{"_sd_alg":"sha-256"}`))))
		}, want: sdjwt.CodeMalformed},
		{name: "fail/unknown-sd-alg", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"_sd_alg":"md5"`))))
		}, want: sdjwt.CodeUnsupportedAlgorithm},
		{name: "fail/cnf-jwk-not-a-key", token: func() string {
			return sdJWT(f.jwt(fTyp, `{"cnf":{"jwk":{"kty":"oct","k":"c2VjcmV0"}}}`))
		}, policy: forbidKB, want: sdjwt.CodeInvalidClaim},
		{name: "fail/kb-but-no-cnf", token: func() string {
			return f.withKB(sdJWT(f.jwt(fTyp, `{"iss":"https://issuer.example"}`)))
		}, want: sdjwt.CodeInvalidKeyBinding},
		{name: "fail/too-deep", token: func() string {
			deep := strings.Repeat(`{"a":`, sdjwt.MaxDepth+2) + "1" + strings.Repeat("}", sdjwt.MaxDepth+2)
			return f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(`,"d":`+deep))))
		}, want: sdjwt.CodeLimitExceeded},
		{name: "fail/too-many-disclosures", token: func() string {
			ds := make([]string, sdjwt.MaxDisclosures+1)
			for i := range ds {
				ds[i] = one
			}
			return sdJWT(jwtPart, ds...)
		}, policy: forbidKB, want: sdjwt.CodeLimitExceeded},
		{name: "fail/too-large", token: func() string { return jwtPart + "~" + strings.Repeat("A", sdjwt.MaxSize) + "~" }, policy: forbidKB, want: sdjwt.CodeLimitExceeded},
		// policy (fail closed)
		{name: "fail/zero-now", token: f.good, policy: func(p *sdjwt.Policy) { p.Now = time.Time{} }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/no-algorithms", token: f.good, policy: func(p *sdjwt.Policy) { p.Algorithms = nil }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/no-type", token: f.good, policy: func(p *sdjwt.Policy) { p.Type = "" }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/kb-required-without-nonce", token: f.good, policy: func(p *sdjwt.Policy) { p.Nonce = "" }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/kb-optional-without-audience", token: f.good, policy: func(p *sdjwt.Policy) { p.KeyBinding, p.Audience = sdjwt.KeyBindingOptional, "" }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/negative-skew", token: f.good, policy: func(p *sdjwt.Policy) { p.ClockSkew = -time.Second }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/unknown-kb-mode", token: f.good, policy: func(p *sdjwt.Policy) { p.KeyBinding = 7 }, want: sdjwt.CodeInvalidPolicy},
		{name: "fail/optional-kb-still-verified", token: func() string {
			return f.kb(presented, other, "kb+jwt", f.kbClaims(f.now, fNonce, fAudience))
		}, policy: func(p *sdjwt.Policy) { p.KeyBinding = sdjwt.KeyBindingOptional }, want: sdjwt.CodeInvalidKeyBinding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := f.policy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			u, err := sdjwt.ParseUnverified(tt.token())
			if err == nil {
				_, err = u.Verify(&f.issuer.PublicKey, p)
				if e, ok := errors.AsType[*sdjwt.Error](err); ok {
					if len(e.Checks) == 0 || e.Checks[len(e.Checks)-1].OK || e.Checks[len(e.Checks)-1].Code != e.Code {
						t.Fatalf("checks of a failed verification: %+v", e.Checks)
					}
				}
			}
			wantCode(t, err, tt.want)
		})
	}
}

func forbidKB(p *sdjwt.Policy) { p.KeyBinding = sdjwt.KeyBindingForbidden }

// The cases that must pass: decoys and unmatched array digests, optional key binding, skew.
func TestVerifyAccepts(t *testing.T) {
	f := newForge(t)
	good := f.good()
	presented := good[:strings.LastIndexByte(good, '~')+1]
	one := disc(t, "s1", "given_name", "Hanako")
	decoy := sdjwt.SHA256.Digest("decoy")
	tests := []struct {
		name   string
		token  string
		policy func(*sdjwt.Policy)
		check  func(*testing.T, *sdjwt.Verified)
	}{
		{name: "ok/kb-optional-absent", token: presented, policy: func(p *sdjwt.Policy) { p.KeyBinding = sdjwt.KeyBindingOptional }, check: func(t *testing.T, v *sdjwt.Verified) {
			if v.KeyBinding != nil {
				t.Fatal("no KB-JWT was presented")
			}
		}},
		{name: "ok/kb-optional-present", token: good, policy: func(p *sdjwt.Policy) { p.KeyBinding = sdjwt.KeyBindingOptional }, check: func(t *testing.T, v *sdjwt.Verified) {
			if v.KeyBinding == nil {
				t.Fatal("the KB-JWT was not verified")
			}
		}},
		{name: "ok/undisclosed-and-decoys-dropped", token: f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd":[%q,%q],"a":[{"...":%q},1]`, dg(one), decoy, sdjwt.SHA256.Digest("decoy2")))), one)), check: func(t *testing.T, v *sdjwt.Verified) {
			if canonical(t, v.Claims["a"]) != "[1]" || v.Claims["given_name"] != "Hanako" {
				t.Fatalf("claims %v", v.Claims)
			}
			if _, ok := v.Claims["_sd"]; ok {
				t.Fatal("_sd left in the processed payload")
			}
		}},
		{name: "ok/no-disclosures-at-all", token: f.withKB(sdJWT(f.jwt(fTyp, f.payloadWith(``)))), check: func(t *testing.T, v *sdjwt.Verified) {
			if len(v.Disclosures) != 0 {
				t.Fatal(v.Disclosures)
			}
		}},
		{name: "ok/expiry-within-skew", token: good, policy: func(p *sdjwt.Policy) { p.Now, p.ClockSkew, p.KBMaxAge = f.now.Add(time.Hour), time.Minute, 2*time.Hour }},
		{name: "ok/sha-512-sd-alg", token: func() string {
			d := disc(t, "s", "a", 1)
			pres := sdJWT(f.jwt(fTyp, f.payloadWith(fmt.Sprintf(`,"_sd_alg":"sha-512","_sd":[%q]`, sdjwt.SHA512.Digest(d)))), d)
			// sd_hash uses the _sd_alg hash too (RFC 9901 §4.3.1)
			claims := strings.ReplaceAll(f.kbClaims(f.now, fNonce, fAudience), "%SDHASH%", sdjwt.SHA512.Digest(pres))
			return f.kb(pres, f.holder, "kb+jwt", claims)
		}(), check: func(t *testing.T, v *sdjwt.Verified) {
			if v.HashAlgorithm != sdjwt.SHA512 || v.Claims["a"] == nil || v.KeyBinding == nil {
				t.Fatal(v.Claims)
			}
		}},
		{name: "ok/typ-with-application-prefix", token: f.withKB(sdJWT(f.jwt("application/example+sd-jwt", f.payloadWith(``))))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := f.policy()
			if tt.policy != nil {
				tt.policy(&p)
			}
			v, err := mustParse(t, tt.token).Verify(&f.issuer.PublicKey, p)
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, v)
			}
		})
	}
}

// Verifying twice from one Unverified gives the same result: processing does not mutate it.
func TestVerifyIsRepeatable(t *testing.T) {
	f := newForge(t)
	u := mustParse(t, f.good())
	a, err := u.Verify(&f.issuer.PublicKey, f.policy())
	if err != nil {
		t.Fatal(err)
	}
	b, err := u.Verify(&f.issuer.PublicKey, f.policy())
	if err != nil {
		t.Fatal(err)
	}
	if canonical(t, a.Claims) != canonical(t, b.Claims) {
		t.Fatal("second verification differs")
	}
	for _, d := range u.Disclosures() {
		if d.Salt == "salt-3" {
			if _, ok := d.Value.(map[string]any)["_sd"]; !ok {
				t.Fatal("the recursive disclosure value lost its _sd")
			}
		}
	}
}

func TestPeek(t *testing.T) {
	f := newForge(t)
	in, err := sdjwt.Peek(f.good())
	if err != nil {
		t.Fatal(err)
	}
	if in.Header["typ"] != fTyp || in.Payload["iss"] != "https://issuer.example" || len(in.Disclosures) != 4 || in.KeyBinding == nil {
		t.Fatalf("%+v", in)
	}
	if in.KeyBinding.Payload["nonce"] != fNonce || in.Disclosures[0].Digest != dg(in.Disclosures[0].Raw) {
		t.Fatalf("%+v", in)
	}
	// Peek trusts nothing: a bad signature still decodes.
	other := newKey(t)
	s, _ := jose.Sign(other, jose.SignHeader{Typ: "whatever"}, []byte(`{"_sd_alg":"sha-999"}`))
	in, err = sdjwt.Peek(s + "~" + disc(t, "s", "a", 1) + "~")
	if err != nil || in.Disclosures[0].Digest != "" {
		t.Fatalf("%v %+v", err, in)
	}
	_, err = sdjwt.Peek("not an sd-jwt")
	wantCode(t, err, sdjwt.CodeMalformed)
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		in   string
		want string
		code sdjwt.Code
	}{
		{`["a",0,null,"b"]`, `["a",0,null,"b"]`, ""},
		{`["日本"]`, `["日本"]`, ""},
		{`[]`, "", sdjwt.CodeInvalidPath},
		{`["a",-1]`, "", sdjwt.CodeInvalidPath},
		{`["a",1.5]`, "", sdjwt.CodeInvalidPath},
		{`["a",true]`, "", sdjwt.CodeInvalidPath},
		{`{"a":1}`, "", sdjwt.CodeInvalidPath},
		{`["a","a"`, "", sdjwt.CodeInvalidPath},
	}
	for _, tt := range tests {
		p, err := sdjwt.ParsePath([]byte(tt.in))
		if tt.code != "" {
			wantCode(t, err, tt.code)
			continue
		}
		if err != nil || p.String() != tt.want {
			t.Fatalf("%s: %v %v", tt.in, p, err)
		}
	}
}

func TestErrorSentinels(t *testing.T) {
	_, err := sdjwt.ParseUnverified("x")
	wantCode(t, err, sdjwt.CodeMalformed)
	if !strings.HasPrefix(err.Error(), "sdjwt: malformed: ") {
		t.Fatal(err.Error())
	}
	if sdjwt.CodeOf(fmt.Errorf("wrapped: %w", err)) != sdjwt.CodeMalformed {
		t.Fatal("CodeOf does not unwrap")
	}
	if sdjwt.CodeOf(fmt.Errorf("plain")) != "" {
		t.Fatal("CodeOf of a foreign error")
	}
	_ = rand.Reader
}

// TestIssueLimits: claims nested past MaxDepth are refused, and a self-referencing claims
// value (impossible in JSON, possible in Go) fails instead of recursing forever.
func TestIssueLimits(t *testing.T) {
	is, err := sdjwt.NewIssuer(newKey(t), jose.SignHeader{Typ: "example+sd-jwt"})
	if err != nil {
		t.Fatal(err)
	}
	deep := map[string]any{"v": 1}
	for range sdjwt.MaxDepth + 2 {
		deep = map[string]any{"n": deep}
	}
	if _, err := is.Issue(map[string]any{"deep": deep}, nil); sdjwt.CodeOf(err) != sdjwt.CodeLimitExceeded {
		t.Errorf("deep claims: %v, want limit_exceeded", err)
	}
	deepArr := []any{1}
	for range sdjwt.MaxDepth + 2 {
		deepArr = []any{deepArr}
	}
	if _, err := is.Issue(map[string]any{"deep": deepArr}, nil); sdjwt.CodeOf(err) != sdjwt.CodeLimitExceeded {
		t.Errorf("deep arrays: %v, want limit_exceeded", err)
	}
	self := map[string]any{}
	self["self"] = self
	if _, err := is.Issue(map[string]any{"loop": self}, []sdjwt.Path{{"loop"}}); err == nil {
		t.Error("self-referencing claims issued")
	}
	for _, name := range []string{"_sd", "...", "_sd_alg"} {
		nested := map[string]any{"a": []any{map[string]any{name: 1}}}
		if _, err := is.Issue(nested, nil); sdjwt.CodeOf(err) != sdjwt.CodeInvalidClaim {
			t.Errorf("reserved %q deep in claims: %v, want invalid_claim", name, err)
		}
	}
}
