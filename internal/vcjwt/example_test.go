package vcjwt_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// ExampleVerify verifies the OpenID4VCI 1.0 jwt_vc_json example with the issuer's JWK Set.
func ExampleVerify() {
	raw, _ := os.ReadFile("../../testdata/vectors/oid4vci/credential_jwt_vc_json.jwt")
	jwks, _ := os.ReadFile("../../testdata/vectors/oid4vci/issuer_jwks.json")
	var wrapped struct {
		JWKS json.RawMessage `json:"jwks"`
	}
	_ = json.Unmarshal(jwks, &wrapped)
	keys, _ := jose.ParseKeys(wrapped.JWKS)

	res, err := vcjwt.Verify(string(raw), vcjwt.Policy{
		Now:        time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		Algorithms: []jose.Algorithm{jose.ES256},
		Keys:       keys,
	})
	if err != nil {
		fmt.Println(vcjwt.CodeOf(err))
		return
	}
	fmt.Println(res.Issuer)
	fmt.Println(res.Types)
	fmt.Println(res.IssuanceDate.Format(time.DateOnly), res.KeySource)
	fmt.Println(strings.HasPrefix(res.Subject, "did:jwk:"), res.HolderKey != nil)
	// Output:
	// https://credential-issuer.example.com
	// [VerifiableCredential UniversityDegreeCredential]
	// 2025-01-01 jwks
	// true true
}

// ExampleIssue issues a diploma to a did:jwk holder, presents it, and verifies the
// presentation.
func ExampleIssue() {
	issuerKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	holderKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	kid, _ := jose.ThumbprintURI(issuerKey.Public())
	issuer, _ := jose.NewSigner(issuerKey, vcjwt.IssuerHeader(kid, nil))
	holderDID, _ := vcjwt.DIDJWK(holderKey.Public())

	cred, err := vcjwt.Issue(issuer, map[string]any{
		"@context":     []string{vcjwt.ContextV1},
		"type":         []string{"VerifiableCredential", "UniversityDegreeCredential"},
		"issuer":       "https://registrar.example.ac.jp",
		"issuanceDate": "2026-03-24T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":     holderDID,
			"degree": map[string]any{"type": "MasterDegree", "name": "修士（工学）"},
		},
	}, vcjwt.IssueOptions{IssuedAt: time.Date(2026, 3, 24, 9, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}

	hh, _ := vcjwt.HolderHeader(holderKey.Public())
	holder, _ := jose.NewSigner(holderKey, hh)
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	vp, _ := vcjwt.CreatePresentation(holder, []string{cred}, vcjwt.PresentationOptions{
		Audience: "x509_hash:verifier", Nonce: "n-0S6_WzA2Mj", IssuedAt: now,
	})

	res, err := vcjwt.VerifyPresentation(vp, vcjwt.PresentationPolicy{
		Now: now, Audience: "x509_hash:verifier", Nonce: "n-0S6_WzA2Mj",
		Algorithms: []jose.Algorithm{jose.ES256},
		Credential: vcjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, Keys: []jose.KeyEntry{{Kid: kid, Key: issuerKey.Public()}}},
	})
	if err != nil {
		fmt.Println(vcjwt.CodeOf(err))
		return
	}
	c := res.Credentials[0]
	fmt.Println(c.Issuer, c.Subject == holderDID)
	fmt.Println(c.Credential["credentialSubject"].(map[string]any)["degree"].(map[string]any)["name"])
	for _, ch := range res.Checks[len(res.Checks)-2:] {
		fmt.Println(ch.Name, ch.OK)
	}
	// Output:
	// https://registrar.example.ac.jp true
	// 修士（工学）
	// credential true
	// holder_binding true
}
