package trustlist_test

import (
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

func FuzzParseXML(f *testing.F) {
	// The two smallest real signed lists; larger seeds make the fuzzer spend its time
	// minimizing (run with -fuzzminimizetime=0 to add bigger ones).
	for _, rel := range []string{
		"eu/tl-CY-seq31.xml",
		"mra/mra-zz-tl.xml",
	} {
		f.Add(readFixture(f, rel))
	}
	f.Add([]byte(minimalList("q", "")))
	f.Add([]byte(minimalList("", `<!DOCTYPE x [<!ENTITY a "b">]>`)))
	signers := pointerSigners(f, lotl248, "CY")
	at := time.Date(2019, 7, 17, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := trustlist.ParseXML(data)
		if err != nil {
			var e *trustlist.Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("error without a Code: %v", err)
			}
			if l != nil {
				t.Fatal("list returned with an error")
			}
		} else if l.Version == 0 || l.SequenceNumber == 0 || l.IssueDate.IsZero() {
			t.Fatalf("parsed list lacks required fields: %+v", l)
		}
		vl, err := trustlist.VerifyXML(data, trustlist.VerifyOptions{Signers: signers, At: at})
		if err == nil && (vl == nil || vl.Signature == nil) {
			t.Fatal("verified list without signature info")
		}
		if err != nil && trustlist.CodeOf(err) == "" {
			t.Fatalf("verify error without a Code: %v", err)
		}
	})
}

func BenchmarkVerifyLOTL(b *testing.B) {
	data := readFixture(b, lotl248)
	opts := trustlist.VerifyOptions{Signers: loadPEM(b, ojSet), At: time.Date(2019, 9, 4, 12, 0, 0, 0, time.UTC)}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := trustlist.VerifyXML(data, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseLOTL(b *testing.B) {
	data := readFixture(b, lotl248)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := trustlist.ParseXML(data); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzParseLoTE(f *testing.F) {
	for _, name := range []string{loteMockPID, "valid.json", "invalid.json"} {
		f.Add(readLoTE(f, name))
	}
	k := newLoTEKey(f, elliptic.P256())
	f.Add([]byte(jpLoTE(base64.StdEncoding.EncodeToString(k.cert.Raw))))
	f.Add([]byte(`{"LoTE":{"ListAndSchemeInformation":{"LoTEVersionIdentifier":1,"LoTESequenceNumber":1,"LoTESequenceNumber":2}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := trustlist.ParseLoTE(data)
		if err != nil {
			var e *trustlist.Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("error without a Code: %v", err)
			}
			if l != nil {
				t.Fatal("list returned with an error")
			}
			return
		}
		if l.Format != trustlist.FormatLoTE || l.Version != trustlist.LoTEVersion || l.SequenceNumber == 0 || l.IssueDate.IsZero() || l.NextUpdate.IsZero() || len(l.OperatorNames) == 0 {
			t.Fatalf("parsed list lacks required fields: %+v", l)
		}
		for _, p := range l.Providers {
			if len(p.Names) == 0 || len(p.Services) == 0 {
				t.Fatalf("entity without name or services: %+v", p)
			}
			for _, s := range p.Services {
				for _, h := range s.History {
					if h.Status == "" || h.StatusStart.IsZero() {
						t.Fatalf("history instance without status or start: %+v", h)
					}
				}
			}
		}
	})
}

// FuzzParseDescription: no panic, coded errors, and every description ParseDescription accepts
// signs as XML and verifies back with the same scheme facts (the round-trip property).
func FuzzParseDescription(f *testing.F) {
	f.Add([]byte(jpYAML))
	f.Add([]byte("territory: EU\nsequence: 1\n"))
	f.Add([]byte("providers: [{names: {en: x}, services: [{type: CA/QC, certificates: [certs/seal.pem]}]}]"))
	seal := newLeaf(f, "seal", nil)
	files := fstest.MapFS{"certs/seal.pem": {Data: []byte(pemOf(seal.cert))}}
	signer := newTestSigner(f, genEC(f, elliptic.P256()), "", crypto.SHA256, false)
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := trustlist.ParseDescription(data, files)
		if err != nil {
			if trustlist.CodeOf(err) == "" {
				t.Fatalf("error without a Code: %v", err)
			}
			return
		}
		s := signer.listSigner()
		out, err := trustlist.SignXML(d, s)
		if err != nil {
			t.Fatalf("accepted description does not sign: %v", err)
		}
		l, err := trustlist.VerifyXML(out, trustlist.VerifyOptions{Signers: []*x509.Certificate{signer.cert}, At: s.Time})
		if err != nil {
			t.Fatalf("signed list does not verify: %v", err)
		}
		if l.SequenceNumber != d.Sequence || l.Territory != d.Territory || !l.NextUpdate.Equal(d.NextUpdate) {
			t.Fatalf("round trip changed the scheme: %+v", l)
		}
	})
}
