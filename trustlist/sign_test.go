package trustlist_test

import (
	"bytes"
	"crypto"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

func pemOf(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

var signTime = day(2026, 11, 1)

// nlDescription is a pilot member-state list: one university CA (CA/QC for e-seals) granted
// since 2026-06-01 after being under supervision from 2026-01-01, and one service withdrawn.
func nlDescription(ca, other *x509.Certificate) *trustlist.Description {
	return &trustlist.Description{
		Territory: "NL", Sequence: 7, Issued: day(2026, 11, 1), NextUpdate: day(2027, 5, 1),
		Operator: trustlist.Party{
			Names:   trustlist.Names{"en": "Pilot scheme operator NL", "nl": "Pilot toezichthouder"},
			Address: trustlist.Address{Street: "Bezuidenhoutseweg 30", Locality: "Den Haag", PostalCode: "2594 AV", Country: "NL", URI: "mailto:pilot@example.nl"},
		},
		DistributionPoints: []string{"https://trust.pilot.example/tl-nl.xml"},
		Providers: []trustlist.ProviderDescription{{
			Party: trustlist.Party{
				Names:   trustlist.Names{"en": "Oostland University", "nl": "Universiteit Oostland"},
				Address: trustlist.Address{Street: "Rapenburg 70", Locality: "Leiden", Country: "NL", URI: "https://oostland.example/"},
			},
			TradeNames: trustlist.Names{"en": "VATNL-123456789B01"},
			Services: []trustlist.ServiceDescription{
				{
					StateDescription: trustlist.StateDescription{
						Type: "CA/QC", Names: trustlist.Names{"en": "Oostland seal CA"},
						Certificates: []string{pemOf(ca)}, Status: "granted", StatusStart: day(2026, 6, 1),
						AdditionalInformation: []string{trustlist.AdditionalInfoForeSeals},
					},
					History: []trustlist.StateDescription{{Status: statusUnderSupervision, StatusStart: day(2026, 1, 1), AdditionalInformation: []string{trustlist.AdditionalInfoForeSeals}}},
				},
				{
					StateDescription: trustlist.StateDescription{
						Type: trustlist.ServiceTypeEAAQ, Names: trustlist.Names{"en": "Old attestation service"},
						Certificates: []string{pemOf(other)}, Status: "withdrawn", StatusStart: day(2026, 9, 1),
					},
					History: []trustlist.StateDescription{{Status: "granted", StatusStart: day(2026, 2, 1)}},
				},
			},
		}},
	}
}

// jpDescription is the JP pilot list: one university with a direct-trust issuance service.
func jpDescription(seal *x509.Certificate, status string) *trustlist.Description {
	d := &trustlist.Description{
		Territory: "JP", Sequence: 3, Issued: day(2026, 11, 1), NextUpdate: day(2027, 5, 1),
		LoTEType:                    "http://tl.eujp.ownd-project.com/19602/LoTEType/EAAProvidersList",
		StatusDeterminationApproach: "http://tl.eujp.ownd-project.com/19602/StatusDetn/pilot",
		Operator: trustlist.Party{
			Names:   trustlist.Names{"en": "hashi pilot operator", "ja": "hashi パイロット運営者"},
			Address: trustlist.Address{Street: "1-1 Chiyoda", Locality: "Tokyo", Country: "JP", URI: "https://pilot.example/"},
		},
		Providers: []trustlist.ProviderDescription{{
			Party: trustlist.Party{
				Names:   trustlist.Names{"en": "Sakuragaoka University", "ja": "桜ヶ丘大学"},
				Address: trustlist.Address{Street: "1 Sakuragaoka", Locality: "Kyoto", Country: "JP", URI: "https://sakuragaoka.example/"},
			},
			TradeNames: trustlist.Names{"en": "JCN-1234567890123"},
			Services: []trustlist.ServiceDescription{{StateDescription: trustlist.StateDescription{
				Type: jpEAAIssuance, Names: trustlist.Names{"en": "Diploma seal", "ja": "学位記の電子印"},
				Certificates: []string{pemOf(seal)}, Status: status,
			}}},
		}},
	}
	if status != "" {
		d.Providers[0].Services[0].StatusStart = day(2026, 6, 1)
	}
	return d
}

type signerCase struct {
	name   string
	signer *testSigner
}

func listSigners(t *testing.T) []signerCase {
	return []signerCase{
		{"p256", newTestSigner(t, genEC(t, elliptic.P256()), "", crypto.SHA256, false)},
		{"p384", newTestSigner(t, genEC(t, elliptic.P384()), "", crypto.SHA384, false)},
		{"rsa2048", newTestSigner(t, genRSA(t), "", crypto.SHA256, false)},
	}
}

func (s *testSigner) listSigner() trustlist.ListSigner {
	return trustlist.ListSigner{Key: s.key, Certificate: s.cert, Time: signTime}
}

func TestSignXMLRoundTrip(t *testing.T) {
	root, _ := newCA(t, "Oostland Root CA", nil)
	inter, _ := newCA(t, "Oostland Seal CA", root)
	leaf := newLeaf(t, "Oostland University diploma seal", inter)
	other, _ := newCA(t, "Old CA", nil)
	otherLeaf := newLeaf(t, "Old attestation", other)
	stranger := newTestSigner(t, genEC(t, elliptic.P256()), "", crypto.SHA256, false)
	policy := trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{
		{URI: trustlist.ServiceTypeCAQC, AdditionalInfo: []string{trustlist.AdditionalInfoForeSeals}},
		{URI: trustlist.ServiceTypeEAAQ},
	}}

	for _, sc := range listSigners(t) {
		for _, version := range []int{5, 6} {
			t.Run(sc.name+"/v"+string(rune('0'+version)), func(t *testing.T) {
				d := nlDescription(inter.cert, other.cert)
				d.Version = version
				out, err := trustlist.SignXML(d, sc.signer.listSigner())
				if err != nil {
					t.Fatal(err)
				}
				l, err := trustlist.VerifyXML(out, trustlist.VerifyOptions{Signers: []*x509.Certificate{sc.signer.cert}, At: signTime})
				if err != nil {
					t.Fatal(err)
				}
				checkNLModel(t, l, version, inter.cert)
				v2 := bytes.Contains(out, []byte("SigningCertificateV2"))
				if v2 != (version == 6) {
					t.Errorf("SigningCertificateV2 present = %v for version %d", v2, version)
				}

				set := newSet(t, trustlist.Labeled{Label: "pilot NL list", List: l})
				r := set.Lookup([]*x509.Certificate{leaf.cert, inter.cert}, day(2026, 7, 1), day(2026, 12, 1), policy)
				if !r.TrustedNow || r.Match != trustlist.MatchCA || !strings.Contains(r.Path, "pilot NL list → NL → Oostland University [en] / Universiteit Oostland [nl] → Oostland seal CA [en]") {
					t.Fatalf("lookup: %+v", r)
				}
				// The same path step by step, names by language.
				if len(r.Steps) != 5 || r.Steps[0].Text != "pilot NL list" || r.Steps[1].Text != "NL" ||
					!reflect.DeepEqual(r.Steps[2].Names, map[string]string{"en": "Oostland University", "nl": "Universiteit Oostland"}) ||
					!reflect.DeepEqual(r.Steps[3].Names, map[string]string{"en": "Oostland seal CA"}) || !strings.HasSuffix(r.Path, " → "+r.Steps[4].Text) {
					t.Fatalf("steps: %+v", r.Steps)
				}
				// Under supervision (not granted) at issuance in March: not trusted then.
				if r := set.Lookup([]*x509.Certificate{leaf.cert, inter.cert}, day(2026, 3, 1), day(2026, 12, 1), policy); r.Reason != trustlist.ReasonNotGrantedAtIssuance {
					t.Fatalf("issued under supervision: %+v", r)
				}
				// Granted at t1 (March), withdrawn at t2 (September).
				if r := set.Lookup([]*x509.Certificate{otherLeaf.cert}, day(2026, 3, 1), day(2026, 12, 1), policy); r.Reason != trustlist.ReasonWithdrawnSince || !r.TrustedAtIssuance {
					t.Fatalf("withdrawn service: %+v", r)
				}
				if r := set.Lookup([]*x509.Certificate{leaf.cert, inter.cert}, day(2026, 7, 1), day(2027, 5, 1), policy); r.Reason != trustlist.ReasonStaleList {
					t.Fatalf("at NextUpdate: %+v", r)
				}

				tampered := bytes.Replace(out, []byte("Oostland University"), []byte("Oostland Universitx"), 1)
				if _, err := trustlist.VerifyXML(tampered, trustlist.VerifyOptions{Signers: []*x509.Certificate{sc.signer.cert}, At: signTime}); trustlist.CodeOf(err) != trustlist.CodeDigestMismatch {
					t.Errorf("tampered: %v, want digest_mismatch", err)
				}
				if _, err := trustlist.VerifyXML(out, trustlist.VerifyOptions{Signers: []*x509.Certificate{stranger.cert}, At: signTime}); trustlist.CodeOf(err) != trustlist.CodeUntrustedSigner {
					t.Errorf("other signer: %v, want untrusted_signer", err)
				}
			})
		}
	}
}

func checkNLModel(t *testing.T, l *trustlist.List, version int, ca *x509.Certificate) {
	t.Helper()
	if l.Version != version || l.SequenceNumber != 7 || l.Territory != "NL" || l.Type != trustlist.TSLTypeEUGeneric ||
		!l.IssueDate.Equal(day(2026, 11, 1)) || !l.NextUpdate.Equal(day(2027, 5, 1)) {
		t.Fatalf("scheme: %+v", l)
	}
	if want := []trustlist.LangString{{Lang: "en", Value: "Pilot scheme operator NL"}, {Lang: "nl", Value: "Pilot toezichthouder"}}; !slices.Equal(l.OperatorNames, want) {
		t.Errorf("operator names %v", l.OperatorNames)
	}
	if !slices.Equal(l.DistributionPoints, []string{"https://trust.pilot.example/tl-nl.xml"}) {
		t.Errorf("distribution points %v", l.DistributionPoints)
	}
	if len(l.Providers) != 1 || len(l.Providers[0].Services) != 2 {
		t.Fatalf("providers: %+v", l.Providers)
	}
	p := l.Providers[0]
	if !slices.Equal(p.TradeNames, []trustlist.LangString{{Lang: "en", Value: "VATNL-123456789B01"}}) {
		t.Errorf("trade names %v", p.TradeNames)
	}
	s := p.Services[0]
	if s.Type != trustlist.ServiceTypeCAQC || s.Status != trustlist.StatusGranted || !s.StatusStart.Equal(day(2026, 6, 1)) ||
		!slices.Equal(s.Extensions.AdditionalServiceInformation, []string{trustlist.AdditionalInfoForeSeals}) ||
		len(s.Identity.Certificates) != 1 || !s.Identity.Certificates[0].Equal(ca) {
		t.Errorf("service: %+v", s.ServiceState)
	}
	if len(s.History) != 1 || s.History[0].Status != statusUnderSupervision || !s.History[0].StatusStart.Equal(day(2026, 1, 1)) ||
		s.History[0].Type != trustlist.ServiceTypeCAQC || len(s.History[0].Identity.Certificates) != 1 {
		t.Errorf("history: %+v", s.History)
	}
}

func TestSignXMLLOTLPointers(t *testing.T) {
	lotlSigner := newTestSigner(t, genEC(t, elliptic.P256()), "", crypto.SHA256, false)
	nlSigner := newTestSigner(t, genRSA(t), "", crypto.SHA256, false)
	ca, _ := newCA(t, "Oostland Seal CA", nil)
	lotl := &trustlist.Description{
		Territory: "EU", Sequence: 2, Issued: day(2026, 11, 1), NextUpdate: day(2027, 5, 1),
		Operator: trustlist.Party{
			Names:   trustlist.Names{"en": "hashi pilot LOTL operator"},
			Address: trustlist.Address{Street: "Rue de la Loi 200", Locality: "Brussels", Country: "BE", URI: "https://pilot.example/lotl"},
		},
		Pointers: []trustlist.PointerDescription{
			{Location: "https://trust.pilot.example/lotl.xml", Territory: "EU", Type: trustlist.TSLTypeEUListOfLists, Signers: []string{pemOf(lotlSigner.cert)}},
			{Location: "https://trust.pilot.example/tl-nl.xml", Territory: "NL", OperatorNames: trustlist.Names{"en": "Pilot scheme operator NL"}, Signers: []string{pemOf(nlSigner.cert)}},
		},
	}
	out, err := trustlist.SignXML(lotl, lotlSigner.listSigner())
	if err != nil {
		t.Fatal(err)
	}
	l, err := trustlist.VerifyXML(out, trustlist.VerifyOptions{Signers: []*x509.Certificate{lotlSigner.cert}, At: signTime})
	if err != nil {
		t.Fatal(err)
	}
	if l.Type != trustlist.TSLTypeEUListOfLists || len(l.Providers) != 0 {
		t.Fatalf("LOTL: %+v", l)
	}
	ptrs := l.XMLPointersTo("NL")
	if len(ptrs) != 1 || ptrs[0].Location != "https://trust.pilot.example/tl-nl.xml" || len(ptrs[0].Signers) != 1 || !ptrs[0].Signers[0].Equal(nlSigner.cert) {
		t.Fatalf("NL pointer: %+v", ptrs)
	}
	nl, err := trustlist.SignXML(nlDescription(ca.cert, ca.cert), nlSigner.listSigner())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := trustlist.VerifyXML(nl, trustlist.VerifyOptions{Signers: ptrs[0].Signers, At: signTime}); err != nil {
		t.Fatalf("NL list against its pointer: %v", err)
	}
	if _, err := trustlist.VerifyXML(nl, trustlist.VerifyOptions{Signers: l.XMLPointersTo("EU")[0].Signers, At: signTime}); trustlist.CodeOf(err) != trustlist.CodeUntrustedSigner {
		t.Fatalf("NL list against the EU pointer: %v, want untrusted_signer", err)
	}
}

func TestSignLoTERoundTrip(t *testing.T) {
	seal := newLeaf(t, "Sakuragaoka University seal", nil)
	signer := newTestSigner(t, genEC(t, elliptic.P256()), "", crypto.SHA256, false)
	for _, status := range []string{"", "granted"} {
		t.Run("status="+status, func(t *testing.T) {
			out, err := trustlist.SignLoTE(jpDescription(seal.cert, status), signer.listSigner())
			if err != nil {
				t.Fatal(err)
			}
			l, err := trustlist.VerifyLoTE(out, trustlist.VerifyOptions{Signers: []*x509.Certificate{signer.cert}, At: signTime})
			if err != nil {
				t.Fatal(err)
			}
			if l.Format != trustlist.FormatLoTE || l.Territory != "JP" || l.SequenceNumber != 3 || !l.Signature.SigningTime.Equal(signTime) || l.Signature.Method != "ES256" {
				t.Fatalf("list: %+v %+v", l, l.Signature)
			}
			if want := []trustlist.LangString{{Lang: "en", Value: "Sakuragaoka University"}, {Lang: "ja", Value: "桜ヶ丘大学"}}; !slices.Equal(l.Providers[0].Names, want) {
				t.Errorf("names %v", l.Providers[0].Names)
			}
			pol := trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: jpEAAIssuance}}, AcceptNoStatus: status == ""}
			set := newSet(t, trustlist.Labeled{Label: "JP pilot LoTE", List: l})
			r := set.Lookup([]*x509.Certificate{seal.cert}, day(2026, 7, 1), day(2026, 12, 1), pol)
			if !r.TrustedNow || r.Match != trustlist.MatchDirect || !strings.Contains(r.Path, "桜ヶ丘大学 [ja]") {
				t.Fatalf("lookup: %+v", r)
			}
			pol.AcceptNoStatus = false
			if r := set.Lookup([]*x509.Certificate{seal.cert}, day(2026, 7, 1), day(2026, 12, 1), pol); r.TrustedNow != (status != "") {
				t.Fatalf("without AcceptNoStatus: %+v", r)
			}
		})
	}
	// The same description as XML (for verifiers that only read XML): TSLType JPlist.
	x, err := trustlist.SignXML(jpDescription(seal.cert, "granted"), signer.listSigner())
	if err != nil {
		t.Fatal(err)
	}
	l, err := trustlist.VerifyXML(x, trustlist.VerifyOptions{Signers: []*x509.Certificate{signer.cert}, At: signTime})
	if err != nil {
		t.Fatal(err)
	}
	if l.Type != "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/JPlist" || l.Providers[0].Services[0].Type != jpEAAIssuance {
		t.Fatalf("JP XML: %s %+v", l.Type, l.Providers[0].Services[0].ServiceState)
	}
}

func TestSignArguments(t *testing.T) {
	seal := newLeaf(t, "seal", nil)
	signer := newTestSigner(t, genEC(t, elliptic.P256()), "", crypto.SHA256, false)
	other := newTestSigner(t, genEC(t, elliptic.P256()), "", crypto.SHA256, false)
	good := func() *trustlist.Description { return jpDescription(seal.cert, "granted") }
	tests := []struct {
		name   string
		mutate func(*trustlist.Description, *trustlist.ListSigner)
		lote   bool
		want   trustlist.Code
		msg    string
	}{
		{"fail/no-key", func(_ *trustlist.Description, s *trustlist.ListSigner) { s.Key = nil }, false, trustlist.CodeInvalidArgument, "key"},
		{"fail/key-cert-mismatch", func(_ *trustlist.Description, s *trustlist.ListSigner) { s.Key = other.key }, false, trustlist.CodeInvalidArgument, "does not match"},
		{"fail/zero-time", func(_ *trustlist.Description, s *trustlist.ListSigner) { s.Time = time.Time{} }, false, trustlist.CodeInvalidArgument, "time"},
		{"fail/cert-expired", func(_ *trustlist.Description, s *trustlist.ListSigner) { s.Time = day(2031, 1, 1) }, false, trustlist.CodeInvalidArgument, "not valid"},
		{"fail/territory", func(d *trustlist.Description, _ *trustlist.ListSigner) { d.Territory = "Japan" }, false, trustlist.CodeInvalidArgument, "territory"},
		{"fail/sequence", func(d *trustlist.Description, _ *trustlist.ListSigner) { d.Sequence = 0 }, false, trustlist.CodeInvalidArgument, "sequence"},
		{"fail/next-update-before-issue", func(d *trustlist.Description, _ *trustlist.ListSigner) { d.NextUpdate = d.Issued }, false, trustlist.CodeInvalidArgument, "next_update"},
		{"fail/version", func(d *trustlist.Description, _ *trustlist.ListSigner) { d.Version = 4 }, false, trustlist.CodeInvalidArgument, "version"},
		{"fail/xml-status-required", func(d *trustlist.Description, _ *trustlist.ListSigner) { d.Providers[0].Services[0].Status = "" }, false, trustlist.CodeInvalidArgument, "status"},
		{"fail/no-certificates", func(d *trustlist.Description, _ *trustlist.ListSigner) { d.Providers[0].Services[0].Certificates = nil }, false, trustlist.CodeInvalidArgument, "certificates"},
		{"fail/bad-pem", func(d *trustlist.Description, _ *trustlist.ListSigner) {
			d.Providers[0].Services[0].Certificates = []string{"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}
		}, false, trustlist.CodeInvalidArgument, "certificate"},
		{"fail/history-order", func(d *trustlist.Description, _ *trustlist.ListSigner) {
			d.Providers[0].Services[0].History = []trustlist.StateDescription{{Status: "granted", StatusStart: day(2026, 7, 1)}}
		}, false, trustlist.CodeInvalidArgument, "newest first"},
		{"fail/no-address", func(d *trustlist.Description, _ *trustlist.ListSigner) { d.Operator.Address = trustlist.Address{} }, false, trustlist.CodeInvalidArgument, "operator.address"},
		{"fail/lote-type", func(d *trustlist.Description, _ *trustlist.ListSigner) { d.LoTEType = "" }, true, trustlist.CodeInvalidArgument, "lote_type"},
		{"fail/lote-asi", func(d *trustlist.Description, _ *trustlist.ListSigner) {
			d.Providers[0].Services[0].AdditionalInformation = []string{trustlist.AdditionalInfoForeSeals}
		}, true, trustlist.CodeInvalidArgument, "additional_information"},
		{"fail/lote-rsa", func(_ *trustlist.Description, s *trustlist.ListSigner) {
			r := newTestSigner(t, genRSA(t), "", crypto.SHA256, false)
			s.Key, s.Certificate = r.key, r.cert
		}, true, trustlist.CodeUnsupportedAlgorithm, "signer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, s := good(), signer.listSigner()
			tc.mutate(d, &s)
			var err error
			if tc.lote {
				_, err = trustlist.SignLoTE(d, s)
			} else {
				_, err = trustlist.SignXML(d, s)
			}
			if trustlist.CodeOf(err) != tc.want || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want code %s mentioning %q", err, tc.want, tc.msg)
			}
		})
	}
}

const jpYAML = `# JP pilot list
territory: JP
sequence: 3
issued: 2026-11-01T00:00:00Z
next_update: 2027-05-01T00:00:00Z
lote_type: http://tl.eujp.ownd-project.com/19602/LoTEType/EAAProvidersList
status_determination_approach: http://tl.eujp.ownd-project.com/19602/StatusDetn/pilot
operator:
  names: {en: hashi pilot operator, ja: hashi パイロット運営者}
  address: {street: 1-1 Chiyoda, locality: Tokyo, country: JP, uri: "https://pilot.example/"}
providers:
  - names: {en: Sakuragaoka University, ja: 桜ヶ丘大学}
    address: {street: 1 Sakuragaoka, locality: Kyoto, country: JP, uri: "https://sakuragaoka.example/"}
    services:
      - type: http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance
        names: {en: Diploma seal}
        certificates: [certs/seal.pem]
        status: granted
        status_start: 2026-06-01T00:00:00Z
        history:
          - status: withdrawn
            status_start: 2026-03-01T00:00:00Z
`

func TestParseDescription(t *testing.T) {
	seal := newLeaf(t, "seal", nil)
	files := fstest.MapFS{"certs/seal.pem": {Data: []byte(pemOf(seal.cert))}}
	d, err := trustlist.ParseDescription([]byte(jpYAML), files)
	if err != nil {
		t.Fatal(err)
	}
	l, err := d.List(trustlist.FormatLoTE)
	if err != nil {
		t.Fatal(err)
	}
	s := l.Providers[0].Services[0]
	if s.Status != trustlist.StatusGranted || !s.Identity.Certificates[0].Equal(seal.cert) || len(s.History) != 1 ||
		s.History[0].Status != trustlist.StatusWithdrawn || s.History[0].Type != jpEAAIssuance || !s.History[0].Identity.Certificates[0].Equal(seal.cert) {
		t.Fatalf("service: %+v", s)
	}
	if w, ok := s.StateAt(day(2026, 4, 1)); !ok || w.Status != trustlist.StatusWithdrawn {
		t.Fatalf("state in April: %+v", w)
	}

	tests := []struct {
		name  string
		yaml  string
		files fstest.MapFS
		want  trustlist.Code
	}{
		{"fail/unknown-field", jpYAML + "colour: blue\n", files, trustlist.CodeMalformed},
		{"fail/not-yaml", "territory: [", files, trustlist.CodeMalformed},
		{"fail/missing-file", jpYAML, fstest.MapFS{}, trustlist.CodeInvalidArgument},
		{"fail/paths-not-allowed", jpYAML, nil, trustlist.CodeInvalidArgument},
		{"fail/bad-time", strings.Replace(jpYAML, "2027-05-01T00:00:00Z", "next spring", 1), files, trustlist.CodeMalformed},
		{"fail/invalid", strings.Replace(jpYAML, "sequence: 3", "sequence: 0", 1), files, trustlist.CodeInvalidArgument},
		{"fail/too-large", strings.Repeat("#", 1<<20+1), files, trustlist.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fsys = tc.files
			var err error
			if fsys == nil {
				_, err = trustlist.ParseDescription([]byte(tc.yaml), nil)
			} else {
				_, err = trustlist.ParseDescription([]byte(tc.yaml), fsys)
			}
			if trustlist.CodeOf(err) != tc.want {
				t.Fatalf("err = %v, want %s", err, tc.want)
			}
		})
	}
}

// interopRequired reports whether missing interop tools must fail the test (CI) or skip it.
func interopSkip(t *testing.T, missing string) {
	t.Helper()
	if os.Getenv("HASHI_TEST_INTEROP") == "1" {
		t.Fatalf("interop test required (HASHI_TEST_INTEROP=1) but %s", missing)
	}
	t.Skipf("skipping: %s (set HASHI_TEST_INTEROP=1 to make this a failure)", missing)
}

// TestSignXMLXmlsec1 checks signed lists with an independent XML-DSig implementation:
// xmlsec1 (Debian package xmlsec1, OpenSSL backend) must verify them with only the signer
// certificate trusted, and must reject a tampered copy.
func TestSignXMLXmlsec1(t *testing.T) {
	xmlsec, err := exec.LookPath("xmlsec1")
	if err != nil {
		interopSkip(t, "xmlsec1 is not installed (apt-get install xmlsec1)")
	}
	ca, _ := newCA(t, "Oostland Seal CA", nil)
	for _, sc := range listSigners(t) {
		for _, version := range []int{5, 6} {
			d := nlDescription(ca.cert, ca.cert)
			d.Version = version
			out, err := trustlist.SignXML(d, sc.signer.listSigner())
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			signerPEM := filepath.Join(dir, "signer.pem")
			list := filepath.Join(dir, "list.xml")
			bad := filepath.Join(dir, "tampered.xml")
			writeFile(t, signerPEM, []byte(pemOf(sc.signer.cert)))
			writeFile(t, list, out)
			writeFile(t, bad, bytes.Replace(out, []byte("Leiden"), []byte("Delft"), 1))
			verify := func(file string) (string, error) {
				cmd := exec.CommandContext(t.Context(), xmlsec, "--verify", //nolint:gosec // fixed tool, test-generated files
					"--trusted-pem", signerPEM,
					"--verification-time", signTime.Add(time.Hour).Format("2006-01-02 15:04:05"),
					"--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties",
					"--enabled-reference-uris", "empty,same-doc",
					file)
				b, err := cmd.CombinedOutput()
				return string(b), err
			}
			name := sc.name + "/v" + string(rune('0'+version))
			if msg, err := verify(list); err != nil {
				t.Errorf("%s: xmlsec1 rejects hashi's signed list: %v\n%s", name, err, msg)
			}
			if msg, err := verify(bad); err == nil {
				t.Errorf("%s: xmlsec1 accepts a tampered list:\n%s", name, msg)
			}
		}
	}
}

func writeFile(t *testing.T, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestSignLoTEInterop verifies a signed LoTE with panva's jose (npm, testdata/interop/lote.mjs).
func TestSignLoTEInterop(t *testing.T) {
	dir, err := filepath.Abs("../testdata/interop")
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		interopSkip(t, "node is not installed")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "jose")); err != nil {
		interopSkip(t, "testdata/interop/node_modules is missing (npm ci --prefix testdata/interop)")
	}
	seal := newLeaf(t, "seal", nil)
	for _, curve := range []elliptic.Curve{elliptic.P256(), elliptic.P384()} {
		signer := newTestSigner(t, genEC(t, curve), "", crypto.SHA256, false)
		jws, err := trustlist.SignLoTE(jpDescription(seal.cert, ""), signer.listSigner())
		if err != nil {
			t.Fatal(err)
		}
		run := func(jws string) (map[string]any, string, error) {
			in, _ := json.Marshal(map[string]string{"jws": jws, "signerPem": pemOf(signer.cert)})
			cmd := exec.CommandContext(t.Context(), node, "lote.mjs") //nolint:gosec // node from PATH running the repository's fixed script
			cmd.Dir = dir
			cmd.Stdin = bytes.NewReader(in)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				return nil, stderr.String(), err
			}
			var res map[string]any
			return res, "", json.Unmarshal(out, &res)
		}
		res, stderr, err := run(string(jws))
		if err != nil {
			t.Fatalf("jose rejects hashi's LoTE: %v %s", err, stderr)
		}
		wantAlg := map[elliptic.Curve]string{elliptic.P256(): "ES256", elliptic.P384(): "ES384"}[curve]
		if res["alg"] != wantAlg || res["typ"] != "JWT" || res["x5cLeafMatches"] != true {
			t.Fatalf("jose saw %v", res)
		}
		parts := strings.Split(string(jws), ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var want any
		if err := json.Unmarshal(payload, &want); err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(res["payload"])
		wantJSON, _ := json.Marshal(want)
		if !bytes.Equal(got, wantJSON) {
			t.Fatalf("jose payload differs:\n%s\n%s", got, wantJSON)
		}
		// A changed payload with the old signature must fail there too.
		forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString(bytes.Replace(payload, []byte("Sakuragaoka"), []byte("Sakuragaokb"), 1)) + "." + parts[2]
		if _, _, err := run(forged); err == nil {
			t.Fatal("jose accepts a forged LoTE")
		}
	}
}
