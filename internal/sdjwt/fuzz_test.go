package sdjwt_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

// fuzzSeeds are every SD-JWT and SD-JWT+KB of the repository's testdata.
var fuzzSeeds = []string{
	"vectors/oid4vci/credential_sd_jwt_vc.txt",
	"vectors/oid4vp/sd_jwt_vcld/01/sd_jwt_issuance.compact.txt",
	"vectors/oid4vp/sd_jwt_vcld/01/sd_jwt_presentation.compact.txt",
	"eujp-poc/learning-credential.sd-jwt.txt",
	"vectors/sd-jwt/rfc9901/s5.1-issuance.txt",
	"vectors/sd-jwt/rfc9901/s5.2-presentation.txt",
	"vectors/sd-jwt/rfc9901/a1-presentation.txt",
	"vectors/sd-jwt/rfc9901/a2-presentation.txt",
	"vectors/sd-jwt/rfc9901/a3-sd-jwt-vc-issuance.txt",
	"vectors/sd-jwt/rfc9901/a4-presentation.txt",
}

func seedTexts(f *testing.F) []string {
	var out []string
	for _, s := range fuzzSeeds {
		b, err := os.ReadFile(testdata(s))
		if err != nil {
			f.Fatal(err)
		}
		out = append(out, strings.TrimSpace(string(b)))
	}
	return out
}

// checkErr asserts that a failure is an *sdjwt.Error with a code.
func checkErr(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if e, ok := errors.AsType[*sdjwt.Error](err); !ok || e.Code == "" {
		t.Fatalf("error without an sdjwt code: %v", err)
	}
}

// FuzzParse: parsing and verifying never panic, failures carry a code, and a parsed input
// round-trips (its disclosures are the received text, in order).
func FuzzParse(f *testing.F) {
	for _, s := range seedTexts(f) {
		f.Add(s)
	}
	f.Add("")
	f.Add("~")
	f.Add("a.b.c~~")
	key := publicKey(f, vecIssuerKey)
	pol := sdjwt.Policy{
		Type: "example+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingOptional,
		Nonce: vecNonce, Audience: vecAudience, Now: unix(1748537244),
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := sdjwt.ParseUnverified(s)
		checkErr(t, err)
		_, perr := sdjwt.Peek(s)
		checkErr(t, perr)
		if err != nil {
			return
		}
		var b strings.Builder
		b.WriteString(s[:strings.IndexByte(s, '~')+1])
		for _, d := range u.Disclosures() {
			b.WriteString(d.Raw)
			b.WriteByte('~')
		}
		if !strings.HasPrefix(s, b.String()) {
			t.Fatalf("disclosures do not round-trip: %q vs %q", b.String(), s)
		}
		_, err = u.Verify(key, pol)
		checkErr(t, err)
		for _, typ := range []string{"dc+sd-jwt", "vc+sd-jwt"} {
			p := pol
			p.Type = typ
			_, err = u.Verify(key, p)
			checkErr(t, err)
		}
	})
}

// FuzzKBJWT: any KB-JWT after the RFC 9901 §5.2 presentation is either rejected with a code
// or has exactly the signed header and claims of the real one.
func FuzzKBJWT(f *testing.F) {
	rfc := seedTexts(f)[5]
	cut := strings.LastIndexByte(rfc, '~') + 1
	presented, realKB := rfc[:cut], rfc[cut:]
	f.Add(realKB)
	f.Add("eyJhbGciOiJub25lIiwidHlwIjoia2Irand0In0.e30.")
	f.Add(realKB + "~")
	f.Add("")
	key := publicKey(f, vecIssuerKey)
	pol := sdjwt.Policy{
		Type: "example+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256},
		Nonce: vecNonce, Audience: vecAudience, Now: unix(1748537244),
	}
	signed := realKB[:strings.LastIndexByte(realKB, '.')]
	f.Fuzz(func(t *testing.T, kb string) {
		u, err := sdjwt.ParseUnverified(presented + kb)
		checkErr(t, err)
		if err != nil {
			return
		}
		v, err := u.Verify(key, pol)
		checkErr(t, err)
		if err == nil && !strings.HasPrefix(kb, signed+".") {
			t.Fatalf("a KB-JWT other than the holder's verified: %q", kb)
		}
		if err == nil && v.KeyBinding == nil {
			t.Fatal("required key binding passed without a KB-JWT")
		}
	})
}

// FuzzDisclosure: a fuzzed disclosure, referenced from a freshly signed payload both as an
// object property and as an array element, is embedded or rejected with a code, never
// mis-embedded.
func FuzzDisclosure(f *testing.F) {
	for _, s := range seedTexts(f) {
		parts := strings.Split(s, "~")
		for _, d := range parts[1 : len(parts)-1] {
			f.Add(d)
		}
	}
	f.Add("WyJzIiwgIl9zZCIsIFtdXQ")
	f.Add("WyJzIiwgeyIuLi4iOiAiYSJ9XQ")
	signer := privateKey(f, "vectors/sd-jwt/keys/issuer.private.jwk.json")
	key := signer.Public()
	pol := sdjwt.Policy{Type: "example+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: time.Unix(1748537244, 0)}
	f.Fuzz(func(t *testing.T, d string) {
		if strings.ContainsAny(d, "~") || len(d) > 4096 {
			return
		}
		dg := sdjwt.SHA256.Digest(d)
		for _, payload := range []string{`{"_sd":["` + dg + `"]}`, `{"a":[{"...":"` + dg + `"},1]}`} {
			jwt, err := jose.Sign(signer, jose.SignHeader{Typ: "example+sd-jwt"}, []byte(payload))
			if err != nil {
				t.Fatal(err)
			}
			u, err := sdjwt.ParseUnverified(jwt + "~" + d + "~")
			checkErr(t, err)
			if err != nil {
				continue
			}
			v, err := u.Verify(key, pol)
			checkErr(t, err)
			if err != nil {
				continue
			}
			dd := u.Disclosures()[0]
			switch {
			case strings.HasPrefix(payload, `{"_sd"`):
				if _, ok := v.Claims[dd.Name]; dd.Element || !ok || len(v.Claims) != 1 {
					t.Fatalf("object disclosure %q embedded as %v", d, v.Claims)
				}
			default:
				if a, ok := v.Claims["a"].([]any); !dd.Element || !ok || len(a) != 2 {
					t.Fatalf("array disclosure %q embedded as %v", d, v.Claims)
				}
			}
		}
	})
}
