package trustlist_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashi-vc/hashi/trustlist"
)

const tlDir = "../testdata/trustlists"

func readFixture(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(tlDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadPEM(t testing.TB, rel string) []*x509.Certificate {
	t.Helper()
	rest := readFixture(t, rel)
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no certificates", rel)
	}
	return out
}

var (
	parsedMu sync.Mutex
	parsed   = map[string]*trustlist.List{}
)

// parseFixture parses a fixture once per test binary; callers must not modify the result.
func parseFixture(t testing.TB, rel string) *trustlist.List {
	t.Helper()
	parsedMu.Lock()
	defer parsedMu.Unlock()
	if l, ok := parsed[rel]; ok {
		return l
	}
	l, err := trustlist.ParseXML(readFixture(t, rel))
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	parsed[rel] = l
	return l
}

// pointerSigners returns the signer certificates the XML pointer of lotl announces for
// territory, failing the test if there is not exactly one such pointer.
func pointerSigners(t testing.TB, lotl, territory string) []*x509.Certificate {
	t.Helper()
	ps := parseFixture(t, lotl).XMLPointersTo(territory)
	if len(ps) != 1 {
		t.Fatalf("%s: %d XML pointers for %s", lotl, len(ps), territory)
	}
	if len(ps[0].Signers) == 0 {
		t.Fatalf("%s: pointer for %s announces no parsable signer", lotl, territory)
	}
	return ps[0].Signers
}

var keyInfoCertRE = regexp.MustCompile(`(?s)<(?:\w+:)?KeyInfo[^>]*>.*?<(?:\w+:)?X509Certificate>([^<]+)</`)

// keyInfoCert extracts the KeyInfo certificate of a signed file (test-side, independent of
// the package) for lists trusted by their own certificate.
func keyInfoCert(t testing.TB, rel string) []*x509.Certificate {
	t.Helper()
	m := keyInfoCertRE.FindSubmatch(readFixture(t, rel))
	if m == nil {
		t.Fatalf("%s: no KeyInfo certificate", rel)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(m[1])), ""))
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return []*x509.Certificate{c}
}
