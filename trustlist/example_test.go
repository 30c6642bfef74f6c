package trustlist_test

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"time"

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
