package trustlist_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

// ExampleLoader loads the 2019 EU LOTL anchored in the Official Journal certificates and
// the Cypriot list it points to. The HTTP client is injected; here its transport serves
// the files of testdata instead of the network.
func ExampleLoader() {
	read := func(rel string) []byte {
		b, err := os.ReadFile(filepath.Join("../testdata/trustlists", rel))
		if err != nil {
			panic(err)
		}
		return b
	}
	var oj []*x509.Certificate
	for rest := read("eu/lotl-signers/oj-2019-c276.pem"); ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			panic(err)
		}
		oj = append(oj, c)
	}
	client := &http.Client{Transport: memTransport{
		"https://ec.europa.eu/tools/lotl/eu-lotl.xml":                                                      read("eu/eu-lotl-248.xml"),
		"http://www.mcw.gov.cy/mcw/dec/dec.nsf/all/B28C11BBFDBAC045C2257E0D002937E9/$file/TSL-CY-sign.xml": read("eu/tl-CY-seq31.xml"),
	}}
	loader, err := trustlist.NewLoader(client,
		trustlist.WithLOTL(trustlist.LOTLConfig{URL: "https://ec.europa.eu/tools/lotl/eu-lotl.xml", Signers: oj, Territories: []string{"CY", "MT"}}))
	if err != nil {
		panic(err)
	}
	snap, err := loader.Load(context.Background(), time.Date(2019, 9, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	for _, st := range snap.Lists {
		fmt.Printf("%s: seq %d, origin %q, error code %q\n", st.Label, st.SequenceNumber, st.Origin, st.Code())
	}
	// Output:
	// EU LOTL: seq 248, origin "network", error code ""
	// EU LOTL → CY trusted list: seq 31, origin "network", error code ""
	// EU LOTL → MT trusted list: seq 0, origin "", error code "fetch_failed"
}
