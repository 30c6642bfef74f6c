package trustlist_test

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/trustlist"
)

const (
	loteDir      = "../testdata/lote"
	loteMockPID  = "Mock_PID_Provider_List_v0.0.2.json"
	svcJPEAA     = "http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance"
	svcPIDIssue  = "http://uri.etsi.org/19602/SvcType/PID/Issuance"
	loteTypePID  = "http://uri.etsi.org/19602/LoTEType/EUPIDProvidersList"
	statusGrantd = "http://uri.etsi.org/19602/SvcStatus/granted"
	statusWdrawn = "http://uri.etsi.org/19602/SvcStatus/withdrawn"
)

func readLoTE(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(loteDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// jpLoTE is a minimal list shaped like the EU–JP PoC's JP EAA-providers LoTE: one entity
// with one direct-trust issuance service whose certificate is certB64, without ServiceStatus.
func jpLoTE(certB64 string) string {
	return `{"LoTE":{"ListAndSchemeInformation":{` +
		`"LoTEVersionIdentifier":1,"LoTESequenceNumber":3,` +
		`"LoTEType":"http://tl.eujp.ownd-project.com/19602/LoTEType/EAAProvidersList",` +
		`"SchemeOperatorName":[{"lang":"ja","value":"hashi パイロット運営者"},{"lang":"en","value":"hashi pilot operator"}],` +
		`"SchemeTerritory":"JP",` +
		`"ListIssueDateTime":"2026-03-01T00:00:00Z","NextUpdate":"2026-09-01T00:00:00Z"},` +
		`"TrustedEntitiesList":[{"TrustedEntityInformation":{` +
		`"TEName":[{"lang":"ja","value":"大阪大学"},{"lang":"en","value":"Osaka University"}],` +
		`"TETradeName":[{"lang":"en","value":"JCN-4120905002554"}],` +
		`"TEAddress":{"TEPostalAddress":[{"lang":"en","StreetAddress":"1-1 Yamadaoka","Locality":"Suita","Country":"JP"}],` +
		`"TEElectronicAddress":[{"lang":"en","uriValue":"https://www.osaka-u.ac.jp/"}]},` +
		`"TEInformationURI":[{"lang":"en","uriValue":"https://www.osaka-u.ac.jp/en"}]},` +
		`"TrustedEntityServices":[{"ServiceInformation":{` +
		`"ServiceName":[{"lang":"en","value":"Diploma issuance"}],` +
		`"ServiceDigitalIdentity":{"X509Certificates":[{"val":"` + certB64 + `"}]},` +
		`"ServiceTypeIdentifier":"` + svcJPEAA + `"}}]}]}}`
}

// loteKey is a generated P-256 list signer with a self-signed certificate valid in 2026.
type loteKey struct {
	key  *ecdsa.PrivateKey
	cert *x509.Certificate
}

func newLoTEKey(t testing.TB, c elliptic.Curve) loteKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7),
		Subject:      pkix.Name{CommonName: "hashi JP pilot LoTE signer", Country: []string{"JP"}},
		NotBefore:    time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return loteKey{key: k, cert: cert}
}

var b64u = base64.RawURLEncoding

// forgeJWS builds a compact JWS by hand (independently of internal/jose's signer): header
// members as given, the payload, and an ECDSA r||s signature with key over SHA-256 (P-256)
// or a fixed junk signature when key is nil.
func forgeJWS(t testing.TB, header map[string]any, payload []byte, key *ecdsa.PrivateKey) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	input := b64u.EncodeToString(h) + "." + b64u.EncodeToString(payload)
	if key == nil {
		return input + "." + b64u.EncodeToString([]byte("not a signature"))
	}
	d := sha256.Sum256([]byte(input))
	r, s, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return input + "." + b64u.EncodeToString(sig)
}

func x5c(c *x509.Certificate) []string {
	return []string{base64.StdEncoding.EncodeToString(c.Raw)}
}

func TestParseLoTEFixtures(t *testing.T) {
	t.Run("ok/mock-pid-providers", func(t *testing.T) {
		l, err := trustlist.ParseLoTE(readLoTE(t, loteMockPID))
		if err != nil {
			t.Fatal(err)
		}
		if l.Format != trustlist.FormatLoTE || l.Territory != "EU" || l.Type != loteTypePID || l.Version != 1 || l.SequenceNumber != 1 {
			t.Fatalf("scheme = %v %q %q v%d seq %d", l.Format, l.Territory, l.Type, l.Version, l.SequenceNumber)
		}
		if want := time.Date(2025, 12, 1, 13, 10, 57, 0, time.UTC); !l.IssueDate.Equal(want) {
			t.Errorf("IssueDate = %v, want %v", l.IssueDate, want)
		}
		if want := time.Date(2026, 6, 1, 13, 10, 57, 0, time.UTC); !l.NextUpdate.Equal(want) {
			t.Errorf("NextUpdate = %v, want %v", l.NextUpdate, want)
		}
		if l.StatusDeterminationApproach != "http://uri.etsi.org/19602/PIDProvidersList/StatusDetn/EU" {
			t.Errorf("StatusDeterminationApproach = %q", l.StatusDeterminationApproach)
		}
		if len(l.OperatorNames) != 23 || l.OperatorNames[0] != (trustlist.LangString{Lang: "en", Value: "European Commission"}) {
			t.Errorf("OperatorNames = %d, first %+v", len(l.OperatorNames), l.OperatorNames[0])
		}
		if len(l.Providers) != 15 {
			t.Fatalf("%d entities, want 15", len(l.Providers))
		}
		if got := l.Providers[0].TradeNames; len(got) != 1 || got[0].Value != "VATFR-2356568" {
			t.Errorf("first entity trade names = %+v", got)
		}
		services := 0
		for _, p := range l.Providers {
			for _, s := range p.Services {
				services++
				if s.Type != svcPIDIssue {
					t.Errorf("%s: service type %q", p.Names[0].Value, s.Type)
				}
				// No ServiceStatus in the list: none is invented.
				if s.Status != "" || !s.StatusStart.IsZero() || len(s.History) != 0 {
					t.Errorf("%s: status %q start %v history %d", p.Names[0].Value, s.Status, s.StatusStart, len(s.History))
				}
				if n := len(s.Identity.Certificates) + len(s.Identity.UnparsedCertificates); n == 0 {
					t.Errorf("%s: service without certificates", p.Names[0].Value)
				}
			}
		}
		if services != 17 {
			t.Errorf("%d services, want 17", services)
		}
		if c := l.Providers[0].Services[0].Identity.Certificates; len(c) != 1 || !c[0].IsCA {
			t.Errorf("first service certificate = %+v", c)
		}
	})
	t.Run("ok/valid-unparsable-certificate-kept", func(t *testing.T) {
		l, err := trustlist.ParseLoTE(readLoTE(t, "valid.json"))
		if err != nil {
			t.Fatal(err)
		}
		if l.SequenceNumber != 42 || len(l.Providers) != 1 || len(l.Providers[0].Services) != 1 {
			t.Fatalf("seq %d, %d providers", l.SequenceNumber, len(l.Providers))
		}
		id := l.Providers[0].Services[0].Identity
		if len(id.Certificates) != 0 || len(id.UnparsedCertificates) != 1 || string(id.UnparsedCertificates[0]) != "samplecertificate" {
			t.Fatalf("identity = %d parsed, unparsed %q", len(id.Certificates), id.UnparsedCertificates)
		}
	})
	t.Run("fail/invalid-no-LoTE-root", func(t *testing.T) {
		_, err := trustlist.ParseLoTE(readLoTE(t, "invalid.json"))
		if trustlist.CodeOf(err) != trustlist.CodeMalformed {
			t.Fatalf("err = %v, want malformed", err)
		}
	})
}

func TestParseLoTEStrict(t *testing.T) {
	k := newLoTEKey(t, elliptic.P256())
	base := jpLoTE(x5c(k.cert)[0])
	rep := func(old, repl string) string {
		if !strings.Contains(base, old) {
			t.Fatalf("test bug: %q not in base", old)
		}
		return strings.Replace(base, old, repl, 1)
	}
	cut := func(from, to string) string {
		i, j := strings.Index(base, from), strings.Index(base, to)
		if i < 0 || j < i {
			t.Fatalf("test bug: cut %q..%q", from, to)
		}
		return base[:i] + base[j:]
	}
	svcEnd := `"ServiceTypeIdentifier":"` + svcJPEAA + `"}}`
	withHistory := func(instance string) string {
		return rep(svcEnd, `"ServiceTypeIdentifier":"`+svcJPEAA+`","ServiceStatus":"`+statusWdrawn+`","StatusStartingTime":"2026-05-01T00:00:00Z"},`+
			`"ServiceHistory":[`+instance+`]}`)
	}
	const histName = `"ServiceName":[{"lang":"en","value":"Diploma issuance"}],"ServiceDigitalIdentity":{"X509SKIs":["AQID"]},`
	tests := []struct {
		name string
		in   string
		want trustlist.Code
	}{
		{"ok/jp-minimal", base, ""},
		{"ok/bom-and-space", "\xef\xbb\xbf \n" + base + "\n", ""},
		{"ok/no-entities", base[:strings.Index(base, `,"TrustedEntitiesList"`)] + "}}", ""},
		{"ok/status-and-history", withHistory(`{` + histName + `"ServiceStatus":"` + statusGrantd + `","StatusStartingTime":"2026-02-01T00:00:00Z"}`), ""},
		{"ok/jwk-and-other-ids", rep(`{"X509Certificates":[{"val":"`+x5c(k.cert)[0]+`"}]}`,
			`{"PublicKeyValues":[`+mustJWK(t, k.key.Public())+`,{"kty":"oct","k":"AAAA"}],"OtherIds":["did:web:osaka-u.ac.jp"],"X509SubjectNames":["CN=x"]}`), ""},
		{"fail/duplicate-member", rep(`"LoTESequenceNumber":3,`, `"LoTESequenceNumber":3,"LoTESequenceNumber":4,`), trustlist.CodeMalformed},
		{"fail/invalid-utf8", rep("大阪大学", "\xff\xfe"), trustlist.CodeMalformed},
		{"fail/trailing-data", base + "{}", trustlist.CodeMalformed},
		{"fail/not-json", "<LoTE/>", trustlist.CodeMalformed},
		{"fail/empty", "", trustlist.CodeMalformed},
		{"fail/array-root", "[" + base + "]", trustlist.CodeMalformed},
		{"fail/unknown-scheme-member", rep(`"SchemeTerritory":"JP",`, `"SchemeTerritory":"JP","Trusted":true,`), trustlist.CodeMalformed},
		{"fail/member-name-case", rep(`"SchemeTerritory"`, `"schemeTerritory"`), trustlist.CodeMalformed},
		{"fail/unknown-identity-member", rep(`"X509Certificates"`, `"X509Certificates2":[],"X509Certificates"`), trustlist.CodeMalformed},
		{"fail/unknown-entity-member", rep(`"TETradeName"`, `"TEStatus":"ok","TETradeName"`), trustlist.CodeMalformed},
		{"fail/missing-next-update", rep(`,"NextUpdate":"2026-09-01T00:00:00Z"`, ``), trustlist.CodeMalformed},
		{"fail/missing-operator-name", rep(`"SchemeOperatorName"`, `"SchemeName"`), trustlist.CodeMalformed},
		{"fail/missing-te-address", cut(`"TEAddress"`, `"TEInformationURI"`), trustlist.CodeMalformed},
		{"fail/missing-service-identity", cut(`"ServiceDigitalIdentity"`, `"ServiceTypeIdentifier"`), trustlist.CodeMalformed},
		{"fail/missing-entity-services", cut(`,"TrustedEntityServices"`, `}]}}`), trustlist.CodeMalformed},
		{"fail/sequence-string", rep(`"LoTESequenceNumber":3`, `"LoTESequenceNumber":"3"`), trustlist.CodeMalformed},
		{"fail/sequence-float", rep(`"LoTESequenceNumber":3`, `"LoTESequenceNumber":3.5`), trustlist.CodeMalformed},
		{"fail/sequence-zero", rep(`"LoTESequenceNumber":3`, `"LoTESequenceNumber":0`), trustlist.CodeMalformed},
		{"fail/version-2", rep(`"LoTEVersionIdentifier":1`, `"LoTEVersionIdentifier":2`), trustlist.CodeMalformed},
		{"fail/territory-3-letters", rep(`"SchemeTerritory":"JP"`, `"SchemeTerritory":"JPN"`), trustlist.CodeMalformed},
		{"fail/territory-lower-case", rep(`"SchemeTerritory":"JP"`, `"SchemeTerritory":"jp"`), trustlist.CodeMalformed},
		{"fail/territory-number", rep(`"SchemeTerritory":"JP"`, `"SchemeTerritory":81`), trustlist.CodeMalformed},
		{"fail/lote-type-not-uri", rep(`"LoTEType":"http://tl.eujp.ownd-project.com/19602/LoTEType/EAAProvidersList"`, `"LoTEType":"EAAProvidersList"`), trustlist.CodeMalformed},
		{"fail/service-type-not-uri", rep(`"ServiceTypeIdentifier":"`+svcJPEAA+`"`, `"ServiceTypeIdentifier":"EAA Issuance"`), trustlist.CodeMalformed},
		{"fail/service-type-not-string", rep(`"ServiceTypeIdentifier":"`+svcJPEAA+`"`, `"ServiceTypeIdentifier":["`+svcJPEAA+`"]`), trustlist.CodeMalformed},
		{"fail/issue-date-not-rfc3339", rep(`"ListIssueDateTime":"2026-03-01T00:00:00Z"`, `"ListIssueDateTime":"2026-03-01"`), trustlist.CodeMalformed},
		{"fail/issue-date-no-zone", rep(`"ListIssueDateTime":"2026-03-01T00:00:00Z"`, `"ListIssueDateTime":"2026-03-01T00:00:00"`), trustlist.CodeMalformed},
		{"fail/operator-name-not-array", rep(`"SchemeOperatorName":[{"lang":"ja","value":"hashi パイロット運営者"},{"lang":"en","value":"hashi pilot operator"}]`, `"SchemeOperatorName":"hashi"`), trustlist.CodeMalformed},
		{"fail/operator-name-empty", rep(`"SchemeOperatorName":[{"lang":"ja","value":"hashi パイロット運営者"},{"lang":"en","value":"hashi pilot operator"}]`, `"SchemeOperatorName":[]`), trustlist.CodeMalformed},
		{"fail/name-without-lang", rep(`{"lang":"en","value":"Osaka University"}`, `{"value":"Osaka University"}`), trustlist.CodeMalformed},
		{"fail/services-empty", base[:strings.Index(base, `"TrustedEntityServices":[`)] + `"TrustedEntityServices":[]}]}}`, trustlist.CodeMalformed},
		{"fail/certificate-not-base64", rep(`{"val":"`+x5c(k.cert)[0]+`"}`, `{"val":"not base64!"}`), trustlist.CodeMalformed},
		{"fail/certificate-val-number", rep(`{"val":"`+x5c(k.cert)[0]+`"}`, `{"val":1}`), trustlist.CodeMalformed},
		{"fail/jwk-without-kty", rep(`{"X509Certificates":[{"val":"`+x5c(k.cert)[0]+`"}]}`, `{"PublicKeyValues":[{"crv":"P-256"}]}`), trustlist.CodeMalformed},
		{"fail/history-without-status", withHistory(`{` + histName + `"StatusStartingTime":"2026-02-01T00:00:00Z"}`), trustlist.CodeMalformed},
		{"fail/history-without-start", withHistory(`{` + histName + `"ServiceStatus":"` + statusGrantd + `"}`), trustlist.CodeMalformed},
		{"fail/history-unknown-member", withHistory(`{` + histName + `"ServiceStatus":"` + statusGrantd + `","StatusStartingTime":"2026-02-01T00:00:00Z","ServiceSupplyPoints":[]}`), trustlist.CodeMalformed},
		{"fail/history-empty", withHistory(``), trustlist.CodeMalformed},
		{"fail/status-not-uri", rep(`"ServiceTypeIdentifier":"`+svcJPEAA+`"}}`, `"ServiceTypeIdentifier":"`+svcJPEAA+`","ServiceStatus":"granted"}}`), trustlist.CodeMalformed},
		{"fail/too-deep", strings.Repeat("[", jose.MaxJSONDepth+2) + strings.Repeat("]", jose.MaxJSONDepth+2), trustlist.CodeMalformed},
		{"fail/too-large", base + strings.Repeat(" ", trustlist.MaxLoTESize), trustlist.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := trustlist.ParseLoTE([]byte(tc.in))
			if got := trustlist.CodeOf(err); got != tc.want {
				t.Fatalf("ParseLoTE code = %q (%v), want %q", got, err, tc.want)
			}
			if tc.want == "" && (l.Format != trustlist.FormatLoTE || l.Territory != "JP" || l.SequenceNumber != 3) {
				t.Fatalf("parsed %+v", l)
			}
		})
	}
}

func mustJWK(t testing.TB, pub crypto.PublicKey) string {
	t.Helper()
	b, err := jose.MarshalPublicJWK(pub, "")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseLoTEModel(t *testing.T) {
	k := newLoTEKey(t, elliptic.P256())
	base := jpLoTE(x5c(k.cert)[0])
	l, err := trustlist.ParseLoTE([]byte(base))
	if err != nil {
		t.Fatal(err)
	}
	p := l.Providers[0]
	if p.Names[0] != (trustlist.LangString{Lang: "ja", Value: "大阪大学"}) || p.TradeNames[0].Value != "JCN-4120905002554" || p.InformationURIs[0].Value != "https://www.osaka-u.ac.jp/en" {
		t.Errorf("provider = %+v", p)
	}
	s := p.Services[0]
	if s.Type != svcJPEAA || s.Status != "" || len(s.Identity.Certificates) != 1 || !bytes.Equal(s.Identity.Certificates[0].Raw, k.cert.Raw) {
		t.Errorf("service = %+v", s)
	}

	t.Run("ok/public-keys", func(t *testing.T) {
		in := strings.Replace(base, `{"X509Certificates":[{"val":"`+x5c(k.cert)[0]+`"}]}`,
			`{"PublicKeyValues":[`+mustJWK(t, k.key.Public())+`,{"kty":"oct","k":"AAAA"}],"OtherIds":["did:web:osaka-u.ac.jp"]}`, 1)
		l, err := trustlist.ParseLoTE([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		id := l.Providers[0].Services[0].Identity
		if len(id.PublicKeys) != 1 || !k.key.PublicKey.Equal(id.PublicKeys[0]) || len(id.UnparsedPublicKeys) != 1 || len(id.OtherIDs) != 1 {
			t.Fatalf("identity = %+v", id)
		}
	})

	t.Run("ok/pointers-and-optional-members", func(t *testing.T) {
		ptrs := `"PointersToOtherLoTE":[{"LoTELocation":"https://tl.example.jp/wrpac.jwt",` +
			`"ServiceDigitalIdentities":[{"X509Certificates":[{"val":"` + x5c(k.cert)[0] + `"}]},{"X509Certificates":[{"val":"c2FtcGxlY2VydGlmaWNhdGU="}]}],` +
			`"LoTEQualifiers":[{"LoTEType":"http://tl.eujp.ownd-project.com/19602/LoTEType/WRPACProvidersList","SchemeOperatorName":[{"lang":"en","value":"op"}],"SchemeTerritory":"JP","MimeType":"application/jwt"},` +
			`{"LoTEType":"http://tl.eujp.ownd-project.com/19602/LoTEType/WRPACProvidersList","SchemeOperatorName":[{"lang":"en","value":"op"}],"MimeType":"application/json"}]}],` +
			`"DistributionPoints":["https://tl.example.jp/eaa.jwt"],"HistoricalInformationPeriod":65535,` +
			`"PolicyOrLegalNotice":[{"LoTELegalNotice":"pilot only"}],"SchemeExtensions":[{"x":1}],`
		in := strings.Replace(base, `"ListIssueDateTime"`, ptrs+`"ListIssueDateTime"`, 1)
		in = strings.Replace(in, `"ServiceTypeIdentifier":"`+svcJPEAA+`"}}`, `"ServiceTypeIdentifier":"`+svcJPEAA+`",`+
			`"ServiceSupplyPoints":[{"ServiceType":"urn:oid:1.2.3","uriValue":"https://issuer.osaka-u.ac.jp/"}],`+
			`"ServiceInformationExtensions":[{"ServiceUniqueIdentifier":"urn:uuid:7a0e1f3c-0000-4000-8000-000000000001"},{"Critical":true,"FutureThing":{}}]}}`, 1)
		l, err := trustlist.ParseLoTE([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if len(l.Pointers) != 2 || l.Pointers[0].MimeType != "application/jwt" || l.Pointers[0].Territory != "JP" || l.Pointers[1].MimeType != "application/json" {
			t.Fatalf("pointers = %+v", l.Pointers)
		}
		for _, p := range l.Pointers {
			if p.Location != "https://tl.example.jp/wrpac.jwt" || len(p.Signers) != 1 || !bytes.Equal(p.Signers[0].Raw, k.cert.Raw) || len(p.UnparsedSigners) != 1 {
				t.Fatalf("pointer = %+v", p)
			}
		}
		if len(l.DistributionPoints) != 1 || l.HistoricalInformationPeriod != 65535 {
			t.Errorf("distribution points %v, historical period %d", l.DistributionPoints, l.HistoricalInformationPeriod)
		}
		s := l.Providers[0].Services[0]
		if len(s.SupplyPoints) != 1 || s.SupplyPoints[0] != "https://issuer.osaka-u.ac.jp/" {
			t.Errorf("supply points = %v", s.SupplyPoints)
		}
		want := []trustlist.OtherExtension{{Name: "ServiceUniqueIdentifier"}, {Name: "FutureThing", Critical: true}}
		if len(s.Extensions.Other) != 2 || s.Extensions.Other[0] != want[0] || s.Extensions.Other[1] != want[1] || !s.Extensions.HasUnknownCritical() {
			t.Errorf("extensions = %+v", s.Extensions.Other)
		}

		for name, bad := range map[string][2]string{
			"critical-null":         {`"Critical":true`, `"Critical":null`},
			"extension-not-object":  {`{"ServiceUniqueIdentifier":"urn:uuid:7a0e1f3c-0000-4000-8000-000000000001"}`, `"urn:x"`},
			"policy-mixed":          {`[{"LoTELegalNotice":"pilot only"}]`, `[{"LoTELegalNotice":"pilot only"},{"LoTEPolicy":{"lang":"en","uriValue":"https://x.jp/p"}}]`},
			"policy-neither":        {`[{"LoTELegalNotice":"pilot only"}]`, `[{"Notice":"pilot only"}]`},
			"qualifier-no-mimetype": {`,"MimeType":"application/json"}`, `}`},
			"pointer-no-location":   {`"LoTELocation":"https://tl.example.jp/wrpac.jwt",`, ``},
			"supply-point-no-uri":   {`"uriValue":"https://issuer.osaka-u.ac.jp/"`, `"uri":"https://issuer.osaka-u.ac.jp/"`},
			"distribution-not-uri":  {`"DistributionPoints":["https://tl.example.jp/eaa.jwt"]`, `"DistributionPoints":["eaa.jwt"]`},
			"historical-negative":   {`65535`, `-1`},
		} {
			if !strings.Contains(in, bad[0]) {
				t.Fatalf("%s: test bug", name)
			}
			_, err := trustlist.ParseLoTE([]byte(strings.Replace(in, bad[0], bad[1], 1)))
			if trustlist.CodeOf(err) != trustlist.CodeMalformed {
				t.Errorf("fail/%s: err = %v, want malformed", name, err)
			}
		}
	})

	t.Run("ok/history-granted-then-withdrawn", func(t *testing.T) {
		in := strings.Replace(base, `"ServiceTypeIdentifier":"`+svcJPEAA+`"}}`,
			`"ServiceTypeIdentifier":"`+svcJPEAA+`","ServiceStatus":"`+statusWdrawn+`","StatusStartingTime":"2026-05-01T00:00:00Z"},`+
				`"ServiceHistory":[{"ServiceName":[{"lang":"en","value":"Diploma issuance"}],"ServiceDigitalIdentity":{"X509SKIs":["AQID"]},`+
				`"ServiceStatus":"`+statusGrantd+`","StatusStartingTime":"2026-02-01T00:00:00Z","ServiceTypeIdentifier":"`+svcJPEAA+`"}]}`, 1)
		l, err := trustlist.ParseLoTE([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		s := l.Providers[0].Services[0]
		for _, c := range []struct {
			at   time.Time
			want string
			ok   bool
		}{
			{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), "", false},
			{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), statusGrantd, true},
			{time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), statusWdrawn, true},
		} {
			st, ok := s.StateAt(c.at)
			if ok != c.ok || st.Status != c.want {
				t.Errorf("StateAt(%v) = %q %v, want %q %v", c.at, st.Status, ok, c.want, c.ok)
			}
		}
		if len(s.History) != 1 || !bytes.Equal(s.History[0].Identity.SKIs[0], []byte{1, 2, 3}) {
			t.Errorf("history = %+v", s.History)
		}
	})
}

func TestVerifyLoTE(t *testing.T) {
	signer := newLoTEKey(t, elliptic.P256())
	other := newLoTEKey(t, elliptic.P256())
	p384 := newLoTEKey(t, elliptic.P384())
	payload := []byte(jpLoTE(x5c(signer.cert)[0]))
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	sign := func(k loteKey, typ string, p []byte) string {
		s, err := jose.Sign(k.key, jose.SignHeader{Typ: typ, X5C: []*x509.Certificate{k.cert}}, p)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := sign(signer, "JWT", payload)
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + b64u.EncodeToString(bytes.Replace(payload, []byte(`"LoTESequenceNumber":3`), []byte(`"LoTESequenceNumber":4`), 1)) + "." + parts[2]
	hdr := func(alg string) map[string]any {
		return map[string]any{"alg": alg, "typ": "JWT", "x5c": x5c(signer.cert)}
	}
	pinned := []*x509.Certificate{signer.cert}

	tests := []struct {
		name    string
		jws     string
		signers []*x509.Certificate
		at      time.Time
		want    trustlist.Code
	}{
		{"ok/pinned", good, pinned, at, ""},
		{"ok/pinned-among-several", good, []*x509.Certificate{other.cert, signer.cert}, at, ""},
		{"ok/trailing-newline", good + "\n", pinned, at, ""},
		{"ok/typ-absent", sign(signer, "", payload), pinned, at, ""},
		{"ok/typ-application-jwt", sign(signer, "application/jwt", payload), pinned, at, ""},
		{"ok/es384", sign(p384, "JWT", payload), []*x509.Certificate{p384.cert}, at, ""},
		{"ok/hand-built", forgeJWS(t, hdr("ES256"), payload, signer.key), pinned, at, ""},
		{"ok/at-not-before", good, pinned, signer.cert.NotBefore, ""},
		{"fail/other-pinned", good, []*x509.Certificate{other.cert}, at, trustlist.CodeUntrustedSigner},
		{"fail/tampered-payload", tampered, pinned, at, trustlist.CodeSignatureInvalid},
		{"fail/signature-from-other-key", forgeJWS(t, hdr("ES256"), payload, other.key), pinned, at, trustlist.CodeSignatureInvalid},
		{"fail/alg-none", forgeJWS(t, hdr("none"), payload, nil), pinned, at, trustlist.CodeUnsupportedAlgorithm},
		{"fail/alg-HS256", forgeJWS(t, hdr("HS256"), payload, nil), pinned, at, trustlist.CodeUnsupportedAlgorithm},
		{"fail/alg-RS256", forgeJWS(t, hdr("RS256"), payload, nil), pinned, at, trustlist.CodeUnsupportedAlgorithm},
		{"fail/alg-EdDSA", forgeJWS(t, hdr("EdDSA"), payload, nil), pinned, at, trustlist.CodeUnsupportedAlgorithm},
		{"fail/es256-header-p384-key", forgeJWS(t, map[string]any{"alg": "ES256", "x5c": x5c(p384.cert)}, payload, nil), []*x509.Certificate{p384.cert}, at, trustlist.CodeSignatureInvalid},
		{"fail/before-not-before", good, pinned, signer.cert.NotBefore.Add(-time.Second), trustlist.CodeUntrustedSigner},
		{"fail/after-not-after", good, pinned, signer.cert.NotAfter.Add(time.Second), trustlist.CodeUntrustedSigner},
		{"fail/payload-not-lote", sign(signer, "JWT", []byte(`{"iss":"https://tl.example.jp","iat":1770000000}`)), pinned, at, trustlist.CodeMalformed},
		{"fail/payload-not-json", sign(signer, "JWT", []byte("LoTE")), pinned, at, trustlist.CodeMalformed},
		{"fail/typ-sd-jwt", sign(signer, "dc+sd-jwt", payload), pinned, at, trustlist.CodeMalformed},
		{"fail/typ-statuslist", sign(signer, "statuslist+jwt", payload), pinned, at, trustlist.CodeMalformed},
		{"fail/no-x5c", forgeJWS(t, map[string]any{"alg": "ES256", "typ": "JWT"}, payload, signer.key), pinned, at, trustlist.CodeSignatureInvalid},
		{"fail/x5c-not-certificate", forgeJWS(t, map[string]any{"alg": "ES256", "x5c": []string{"c2FtcGxlY2VydGlmaWNhdGU="}}, payload, signer.key), pinned, at, trustlist.CodeSignatureInvalid},
		{"fail/crit-header", forgeJWS(t, map[string]any{"alg": "ES256", "x5c": x5c(signer.cert), "crit": []string{"sigD"}, "sigD": map[string]any{}}, payload, signer.key), pinned, at, trustlist.CodeMalformed},
		{"fail/bad-sigT", forgeJWS(t, map[string]any{"alg": "ES256", "x5c": x5c(signer.cert), "sigT": "yesterday"}, payload, signer.key), pinned, at, trustlist.CodeMalformed},
		{"fail/xml-list", string(readFixture(t, "eu/tl-CY-seq31.xml")), pinned, at, trustlist.CodeMalformed},
		{"fail/not-jws", "a.b", pinned, at, trustlist.CodeMalformed},
		{"fail/too-large", good + strings.Repeat(" ", trustlist.MaxLoTEJWSSize), pinned, at, trustlist.CodeTooLarge},
		{"fail/no-signers", good, nil, at, trustlist.CodeInvalidArgument},
		{"fail/zero-time", good, pinned, time.Time{}, trustlist.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := trustlist.VerifyLoTE([]byte(tc.jws), trustlist.VerifyOptions{Signers: tc.signers, At: tc.at})
			if got := trustlist.CodeOf(err); got != tc.want {
				t.Fatalf("VerifyLoTE code = %q (%v), want %q", got, err, tc.want)
			}
			if tc.want != "" {
				if l != nil {
					t.Fatal("list returned with an error")
				}
				return
			}
			if l.Signature == nil || l.Signature.Signer == nil || l.Territory != "JP" || l.Providers[0].Services[0].Type != svcJPEAA {
				t.Fatalf("verified list = %+v", l)
			}
			if !bytes.Equal(l.Signature.Signer.Raw, tc.signers[len(tc.signers)-1].Raw) {
				t.Fatal("Signature.Signer is not the pinned certificate")
			}
		})
	}

	t.Run("ok/sigT", func(t *testing.T) {
		jws := forgeJWS(t, map[string]any{"alg": "ES256", "x5c": x5c(signer.cert), "sigT": "2026-03-01T09:00:00+09:00"}, payload, signer.key)
		l, err := trustlist.VerifyLoTE([]byte(jws), trustlist.VerifyOptions{Signers: pinned, At: at})
		if err != nil {
			t.Fatal(err)
		}
		if want := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC); !l.Signature.SigningTime.Equal(want) || l.Signature.Method != "ES256" {
			t.Fatalf("signature = %+v", l.Signature)
		}
	})
}
