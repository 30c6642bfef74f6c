package sdjwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
)

func check(err error) {
	if err != nil {
		panic(err)
	}
}

// A registrar issues a diploma, the student presents only the degree title to a verifier,
// and the verifier checks it.
func Example() {
	issuerKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	holderKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	check(err)
	holderJWK, err := jose.PublicJWK(&holderKey.PublicKey)
	check(err)

	// Issuer: every personal claim is selectively disclosable; the grade is disclosable
	// on its own inside the disclosable degree (a recursive disclosure).
	issuer, err := sdjwt.NewVCIssuer(issuerKey, jose.SignHeader{Kid: "seal-2026"}, sdjwt.WithDecoys(2))
	check(err)
	issued, err := issuer.Issue(map[string]any{
		"iss":         "https://registrar.univ.example",
		"vct":         "https://registrar.univ.example/vct/diploma/v1",
		"iat":         1772323200,
		"cnf":         map[string]any{"jwk": holderJWK},
		"given_name":  "Hanako",
		"family_name": "Yamada",
		"degree":      map[string]any{"title": "MSc Informatics", "grade": "A"},
	}, []sdjwt.Path{{"given_name"}, {"family_name"}, {"degree"}, {"degree", "grade"}})
	check(err)

	// Holder: present the degree title only, bound to the verifier's nonce and client_id.
	holder, err := sdjwt.NewHolder(holderKey)
	check(err)
	now := time.Unix(1772323800, 0)
	presentation, err := holder.Present(issued, []sdjwt.Path{{"degree", "title"}}, sdjwt.KBClaims{
		Nonce: "n-0S6_WzA2Mj", Audience: "x509_hash:Sxm9WwB7zSz9dz36nI4wJtRUAQ_kcGqRK6Dq2PHt4t4", IssuedAt: now,
	})
	check(err)

	// Verifier: parse, then verify under its policy; the issuer key comes from JWT VC Issuer
	// Metadata (here a fixed resolver instead of an HTTP one).
	u, err := sdjwt.ParseUnverified(presentation)
	check(err)
	cred, err := u.VerifyVC(context.Background(), sdjwt.VCPolicy{
		Policy: sdjwt.Policy{
			Algorithms: []jose.Algorithm{jose.ES256},
			KeyBinding: sdjwt.KeyBindingRequired,
			Nonce:      "n-0S6_WzA2Mj",
			Audience:   "x509_hash:Sxm9WwB7zSz9dz36nI4wJtRUAQ_kcGqRK6Dq2PHt4t4",
			Now:        now,
		},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceIssuerMetadata},
		IssuerKeys: sdjwt.IssuerKeyResolverFunc(func(context.Context, string) ([]jose.KeyEntry, error) {
			return []jose.KeyEntry{{Kid: "seal-2026", Key: &issuerKey.PublicKey}}, nil
		}),
	})
	check(err)

	fmt.Println("vct:", cred.VCT)
	fmt.Println("degree:", cred.Claims["degree"])
	_, hasName := cred.Claims["given_name"]
	fmt.Println("given_name disclosed:", hasName)
	for _, d := range cred.Disclosures {
		fmt.Println("disclosure at", d.Path)
	}
	var names []string
	for _, c := range cred.Checks {
		names = append(names, c.Name)
	}
	fmt.Println("checks:", strings.Join(names, " "))
	// Output:
	// vct: https://registrar.univ.example/vct/diploma/v1
	// degree: map[title:MSc Informatics]
	// given_name disclosed: false
	// disclosure at ["degree"]
	// checks: typ issuer_key signature sd_alg disclosures disclosures_referenced sd_forbidden_claims vct iss validity_period cnf key_binding kb_typ kb_signature kb_claims kb_sd_hash kb_nonce kb_audience kb_iat
}

// Verifying the RFC 9901 §5.2 presentation with the example issuer key.
func ExampleUnverified_Verify() {
	raw, err := os.ReadFile("../../testdata/vectors/sd-jwt/rfc9901/s5.2-presentation.txt")
	check(err)
	jwk, err := os.ReadFile("../../testdata/vectors/sd-jwt/keys/issuer.public.jwk.json")
	check(err)
	key, err := jose.ParsePublicJWK(jwk)
	check(err)

	u, err := sdjwt.ParseUnverified(strings.TrimSpace(string(raw)))
	check(err)
	v, err := u.Verify(key, sdjwt.Policy{
		Type:       "example+sd-jwt",
		Algorithms: []jose.Algorithm{jose.ES256},
		Nonce:      "1234567890",
		Audience:   "https://verifier.example.org",
		Now:        time.Unix(1748537244, 0),
	})
	check(err)
	fmt.Println(v.Claims["given_name"], v.Claims["family_name"], v.Claims["nationalities"])
	fmt.Println("sd_hash:", v.KeyBinding.SDHash)
	// Output:
	// John Doe [US]
	// sd_hash: 0_Af-2B-EhLWX5ydh_w2xzwmO6iM66B_2QCEanI4fUY
}

func ExampleJWTVCIssuerMetadataURL() {
	u, err := sdjwt.JWTVCIssuerMetadataURL("https://example.com/tenant/1234/")
	check(err)
	fmt.Println(u)
	// Output: https://example.com/.well-known/jwt-vc-issuer/tenant/1234
}

func ExampleParsePath() {
	p, err := sdjwt.ParsePath([]byte(`["degrees", null, "type"]`))
	check(err)
	fmt.Println(len(p), p)
	// Output: 3 ["degrees",null,"type"]
}

func ExampleSelect() {
	raw, err := os.ReadFile("../../testdata/vectors/sd-jwt/rfc9901/s5.1-issuance.txt")
	check(err)
	presentation, err := sdjwt.Select(strings.TrimSpace(string(raw)), []sdjwt.Path{{"nationalities", 1}})
	check(err)
	in, err := sdjwt.Peek(presentation)
	check(err)
	for _, d := range in.Disclosures {
		fmt.Println(d.Element, d.Value)
	}
	// Output: true DE
}
