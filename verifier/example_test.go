package verifier_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"

	"github.com/hashi-vc/hashi/verifier"
)

// The EU–JP proof of concept's real learning credential, verified by an EU desk whose JP list
// of trusted entities lists the issuer's certificate directly (pocLoTE builds and signs that
// list; pocPolicy trusts EAA/Issuance services of JP, needs no holder binding and no status).
func ExampleVerifier_Verify() {
	cred, leaf := pocFiles()
	v, err := verifier.New(pocLoTE(leaf), verifier.StatusSourceFunc(func(context.Context, string) ([]byte, error) {
		return nil, fmt.Errorf("no status lists here")
	}))
	if err != nil {
		panic(err)
	}
	res, err := v.Verify(context.Background(), []byte(`{"learning":["`+cred+`"]}`), pocPolicy())
	if err != nil {
		panic(err)
	}
	fmt.Println("verdict:", res.Verdict)
	cr := res.Credentials[0]
	for _, c := range cr.Checks {
		fmt.Println(strings.TrimSpace(fmt.Sprintf("  %-14s ok=%v %s", c.Name, c.OK, c.Code)))
	}
	fmt.Println("issuer:", cr.Issuer.NameEN, "/", cr.Issuer.NameJA, "("+cr.Issuer.Country+")")
	fmt.Println("trust path:", cr.TrustPath)
	fmt.Println("title:", cr.Claims["achievement_title"], "EQF", cr.Qualification.EQFLevel)
	// Output:
	// verdict: accepted
	// format         ok=true
	// parse          ok=true
	// signature      ok=true
	// disclosures    ok=true
	// validity       ok=true
	// chain          ok=true
	// trust          ok=true
	// iss            ok=true
	// type           ok=true
	// holder_binding ok=true
	// status         ok=true
	// qualification  ok=true
	// level          ok=true
	// query          ok=true
	// issuer: Cyber Security Cloud, Inc. / 株式会社サイバーセキュリティクラウド (JP)
	// trust path: JP pilot LoTE → JP → Cyber Security Cloud, Inc. [en] / 株式会社サイバーセキュリティクラウド [ja] → Learning credential issuance [en] / 学修証明書の発行 [ja] → SERIALNUMBER=AATL20251110015175,CN=Cyber Security Cloud\, Inc.,OU=Marketing Dept,O=Cyber Security Cloud\, Inc.,L=Shinagawa-ku,ST=Tokyo,C=JP
	// title: TEST_ Credential_Title EQF 1
}

// Without a list that vouches for its certificate, the same credential is still authentic but
// its issuer is not trusted; Result.Err turns the verdict into an error for errors.Is.
func ExampleResult_Err() {
	cred, _ := pocFiles()
	other, _ := sealLike("https://other.example/", "JP", x509.KeyUsageDigitalSignature, nil, nil)
	v, err := verifier.New(pocLoTE(other), verifier.StatusSourceFunc(func(context.Context, string) ([]byte, error) {
		return nil, fmt.Errorf("no status lists here")
	}))
	if err != nil {
		panic(err)
	}
	res, err := v.Verify(context.Background(), []byte(`{"learning":["`+cred+`"]}`), pocPolicy())
	if err != nil {
		panic(err)
	}
	sig, _ := res.Credentials[0].Check(verifier.CheckSignature)
	fmt.Println("signature valid:", sig.OK)
	fmt.Println("verdict:", res.Verdict, res.Reason)
	fmt.Println("issuer not trusted:", errors.Is(res.Err(), verifier.ErrIssuerNotTrusted))
	// Output:
	// signature valid: true
	// verdict: rejected issuer_not_trusted
	// issuer not trusted: true
}
