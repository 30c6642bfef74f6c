package trustlist_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/trustlist"
)

// Verify the 2019 EU LOTL against the Official Journal signer set, then the Cypriot list
// against the certificates the LOTL's CY pointer announces.
func ExampleVerifyXML() {
	oj := mustPEM("../testdata/trustlists/eu/lotl-signers/oj-2019-c276.pem")
	lotlXML, _ := os.ReadFile("../testdata/trustlists/eu/eu-lotl-248.xml")
	lotl, err := trustlist.VerifyXML(lotlXML, trustlist.VerifyOptions{Signers: oj, At: time.Date(2019, 9, 5, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(lotl.Territory, lotl.SequenceNumber, len(lotl.Pointers))

	cy := lotl.XMLPointersTo("CY")[0]
	cyXML, _ := os.ReadFile("../testdata/trustlists/eu/tl-CY-seq31.xml")
	tl, err := trustlist.VerifyXML(cyXML, trustlist.VerifyOptions{Signers: cy.Signers, At: time.Date(2019, 7, 18, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tl.Territory, tl.SequenceNumber, tl.Signature.Signer.Subject.CommonName)
	for _, s := range tl.Providers[0].Services {
		fmt.Println(s.Type)
	}

	// The same list with its sequence number changed fails closed.
	tampered := []byte(strings.Replace(string(cyXML), "<TSLSequenceNumber>31<", "<TSLSequenceNumber>32<", 1))
	_, err = trustlist.VerifyXML(tampered, trustlist.VerifyOptions{Signers: cy.Signers, At: time.Date(2019, 7, 18, 0, 0, 0, 0, time.UTC)})
	fmt.Println(trustlist.CodeOf(err))
	// Output:
	// EU 248 44
	// CY 31 CY-TSL Signer2
	// http://uri.etsi.org/TrstSvc/Svctype/CA/QC
	// http://uri.etsi.org/TrstSvc/Svctype/CA/QC
	// digest_mismatch
}

func mustPEM(path string) []*x509.Certificate {
	rest, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			return out
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			panic(err)
		}
		out = append(out, c)
	}
}

// Sign a Japanese pilot LoTE as a compact JWS (as hashi's list operators do), then verify it
// against the pinned signer certificate. The service carries no ServiceStatus, and none is
// invented.
func ExampleVerifyLoTE() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "JP pilot LoTE signer"},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	cert, _ := x509.ParseCertificate(der)

	payload := `{"LoTE":{"ListAndSchemeInformation":{"LoTEVersionIdentifier":1,"LoTESequenceNumber":1,` +
		`"SchemeOperatorName":[{"lang":"en","value":"hashi pilot operator"}],"SchemeTerritory":"JP",` +
		`"ListIssueDateTime":"2026-03-01T00:00:00Z","NextUpdate":"2026-09-01T00:00:00Z"},` +
		`"TrustedEntitiesList":[{"TrustedEntityInformation":{"TEName":[{"lang":"ja","value":"大阪大学"}],` +
		`"TEAddress":{"TEPostalAddress":[{"lang":"en","StreetAddress":"1-1 Yamadaoka","Country":"JP"}],` +
		`"TEElectronicAddress":[{"lang":"en","uriValue":"https://www.osaka-u.ac.jp/"}]},` +
		`"TEInformationURI":[{"lang":"en","uriValue":"https://www.osaka-u.ac.jp/en"}]},` +
		`"TrustedEntityServices":[{"ServiceInformation":{"ServiceName":[{"lang":"en","value":"Diplomas"}],` +
		`"ServiceDigitalIdentity":{"X509Certificates":[{"val":"` + base64.StdEncoding.EncodeToString(cert.Raw) + `"}]},` +
		`"ServiceTypeIdentifier":"http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance"}}]}]}}`
	jws, _ := jose.Sign(key, jose.SignHeader{Typ: "JWT", X5C: []*x509.Certificate{cert}}, []byte(payload))

	opts := trustlist.VerifyOptions{Signers: []*x509.Certificate{cert}, At: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}
	l, err := trustlist.VerifyLoTE([]byte(jws), opts)
	if err != nil {
		fmt.Println(err)
		return
	}
	svc := l.Providers[0].Services[0]
	fmt.Println(l.Territory, l.SequenceNumber, l.NextUpdate.Format(time.DateOnly), l.Signature.Method)
	fmt.Println(l.Providers[0].Names[0].Value, svc.Type)
	fmt.Printf("status %q\n", svc.Status)

	// After the signer certificate expired, the list is not accepted.
	_, err = trustlist.VerifyLoTE([]byte(jws), trustlist.VerifyOptions{Signers: opts.Signers, At: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)})
	fmt.Println(trustlist.CodeOf(err))
	// Output:
	// JP 1 2026-09-01 ES256
	// 大阪大学 http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance
	// status ""
	// untrusted_signer
}
