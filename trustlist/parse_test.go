package trustlist_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/hashi-vc/hashi/trustlist"
)

const nsTSL = "http://uri.etsi.org/02231/v2#"

func minimalList(prefix, extra string) string {
	p := prefix
	if p != "" {
		p += ":"
	}
	decl := `xmlns="` + nsTSL + `"`
	if prefix != "" {
		decl = `xmlns:` + prefix + `="` + nsTSL + `"`
	}
	return `<?xml version="1.0" encoding="UTF-8"?>` + extra + `<` + p + `TrustServiceStatusList ` + decl + ` TSLTag="http://uri.etsi.org/19612/TSLTag">` +
		`<` + p + `SchemeInformation><` + p + `TSLVersionIdentifier>6</` + p + `TSLVersionIdentifier><` + p + `TSLSequenceNumber>7</` + p + `TSLSequenceNumber>` +
		`<` + p + `SchemeOperatorName><` + p + `Name xml:lang="ja">運営者</` + p + `Name></` + p + `SchemeOperatorName>` +
		`<` + p + `SchemeTerritory>JP</` + p + `SchemeTerritory>` +
		`<` + p + `ListIssueDateTime>2026-01-01T00:00:00Z</` + p + `ListIssueDateTime><` + p + `NextUpdate><` + p + `dateTime>2026-07-01T00:00:00Z</` + p + `dateTime></` + p + `NextUpdate>` +
		`</` + p + `SchemeInformation></` + p + `TrustServiceStatusList>`
}

func TestParseXMLStrict(t *testing.T) {
	cy := string(readFixture(t, "eu/tl-CY-seq31.xml"))
	afterDecl := func(s, insert string) string {
		i := strings.Index(s, "?>") + 2
		return s[:i] + insert + s[i:]
	}
	deep := minimalList("", "")
	deep = strings.Replace(deep, "<SchemeTerritory>JP</SchemeTerritory>", strings.Repeat("<x>", trustlist.MaxDepth)+strings.Repeat("</x>", trustlist.MaxDepth), 1)
	tests := []struct {
		name string
		in   string
		want trustlist.Code
	}{
		{"ok/minimal-default-namespace", minimalList("", ""), ""},
		{"ok/minimal-custom-prefix", minimalList("q", ""), ""},
		{"ok/real-cy", cy, ""},
		{"ok/bom-and-leading-space", "\xef\xbb\xbf \r\n" + minimalList("", ""), ""},
		{"fail/dtd", afterDecl(cy, `<!DOCTYPE TrustServiceStatusList>`), trustlist.CodeDTDNotAllowed},
		{"fail/internal-entity", afterDecl(minimalList("", ""), `<!DOCTYPE TrustServiceStatusList [<!ENTITY a "b">]>`), trustlist.CodeDTDNotAllowed},
		{"fail/external-entity", strings.Replace(afterDecl(minimalList("", ""), `<!DOCTYPE TrustServiceStatusList [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`), "運営者", "&xxe;", 1), trustlist.CodeDTDNotAllowed},
		{"fail/undeclared-entity", strings.Replace(minimalList("", ""), "運営者", "&xxe;", 1), trustlist.CodeMalformed},
		{"fail/processing-instruction", afterDecl(minimalList("", ""), `<?xml-stylesheet href="evil.xsl"?>`), trustlist.CodeDTDNotAllowed},
		{"fail/wrong-namespace", strings.Replace(minimalList("", ""), nsTSL, "urn:evil", 1), trustlist.CodeMalformed},
		{"fail/no-namespace", strings.Replace(minimalList("", ""), `xmlns="`+nsTSL+`"`, "", 1), trustlist.CodeMalformed},
		{"fail/two-roots", minimalList("", "") + "<TrustServiceStatusList/>", trustlist.CodeMalformed},
		{"fail/text-after-root", minimalList("", "") + "junk", trustlist.CodeMalformed},
		{"fail/not-xml", "{}", trustlist.CodeMalformed},
		{"fail/empty", "", trustlist.CodeMalformed},
		{"fail/missing-sequence", strings.Replace(minimalList("", ""), "<TSLSequenceNumber>7</TSLSequenceNumber>", "", 1), trustlist.CodeMalformed},
		{"fail/bad-issue-date", strings.Replace(minimalList("", ""), "2026-01-01T00:00:00Z", "yesterday", 1), trustlist.CodeMalformed},
		{"fail/too-deep", deep, trustlist.CodeTooLarge},
		{"fail/too-large", minimalList("", "") + strings.Repeat(" ", trustlist.MaxXMLSize), trustlist.CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := trustlist.ParseXML([]byte(tc.in))
			if got := trustlist.CodeOf(err); got != tc.want {
				t.Fatalf("ParseXML code = %q (%v), want %q", got, err, tc.want)
			}
			if tc.want == "" && l.Version == 0 {
				t.Fatal("no version parsed")
			}
			if tc.want == trustlist.CodeDTDNotAllowed || tc.want == trustlist.CodeTooLarge {
				// VerifyXML applies the same checks before looking at the signature.
				_, err := trustlist.VerifyXML([]byte(tc.in), trustlist.VerifyOptions{Signers: pointerSigners(t, lotl248, "CY"), At: time.Date(2019, 7, 17, 0, 0, 0, 0, time.UTC)})
				if got := trustlist.CodeOf(err); got != tc.want {
					t.Fatalf("VerifyXML code = %q (%v), want %q", got, err, tc.want)
				}
			}
		})
	}
}

func TestParseXMLMinimalFields(t *testing.T) {
	l, err := trustlist.ParseXML([]byte(minimalList("q", "")))
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != trustlist.FormatXML || l.Version != 6 || l.SequenceNumber != 7 || l.Territory != "JP" ||
		len(l.OperatorNames) != 1 || l.OperatorNames[0] != (trustlist.LangString{Lang: "ja", Value: "運営者"}) ||
		!l.NextUpdate.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) || l.Signature != nil {
		t.Fatalf("unexpected list %+v", l)
	}
}

// wrap builds signature-wrapping variants of the BE list, whose signed reference is
// URI="#TSL-BE-2019-T2v2" (the root Id): an attacker's root with a forged sequence number is
// what a parser would read, while the original signed element hides inside it.
func wrap(t *testing.T, variant string) []byte {
	t.Helper()
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(readFixture(t, "eu/tl-BE-seq43.xml")); err != nil {
		t.Fatal(err)
	}
	orig := doc.Root()
	var sig *etree.Element
	for _, c := range orig.ChildElements() {
		if c.Tag == "Signature" {
			sig = c
		}
	}
	if sig == nil {
		t.Fatal("no signature in BE list")
	}
	evil := etree.NewElement("TrustServiceStatusList")
	for _, a := range orig.Attr {
		if a.Key == "Id" {
			continue
		}
		evil.CreateAttr(a.FullKey(), a.Value)
	}
	switch variant {
	case "same-id":
		evil.CreateAttr("Id", "TSL-BE-2019-T2v2")
	default:
		evil.CreateAttr("Id", "evil")
	}
	forged := orig.SelectElement("SchemeInformation").Copy()
	forged.SelectElement("TSLSequenceNumber").SetText("9999")
	evil.AddChild(forged)
	holder := etree.NewElement("SchemeExtensions")
	evil.AddChild(holder)
	if variant != "signature-inside-hidden-copy" {
		orig.RemoveChild(sig)
		evil.AddChild(sig)
	}
	doc.RemoveChild(orig)
	holder.AddChild(orig)
	doc.SetRoot(evil)
	out, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyXMLRejectsWrapping(t *testing.T) {
	signers := pointerSigners(t, lotl248, "BE")
	at := time.Date(2019, 6, 14, 0, 0, 0, 0, time.UTC)
	cy := readFixture(t, "eu/tl-CY-seq31.xml")
	sigStart := bytes.Index(cy, []byte("<ds:Signature "))
	sigEnd := bytes.Index(cy, []byte("</ds:Signature>")) + len("</ds:Signature>")
	twoSigs := append(append(append([]byte{}, cy[:sigEnd]...), cy[sigStart:sigEnd]...), cy[sigEnd:]...)
	tests := []struct {
		name string
		in   []byte
		want trustlist.Code
	}{
		{"fail/reference-covers-hidden-copy", wrap(t, "moved-signature"), trustlist.CodeWrappedSignature},
		{"fail/duplicate-root-id", wrap(t, "same-id"), trustlist.CodeWrappedSignature},
		{"fail/signature-inside-hidden-copy", wrap(t, "signature-inside-hidden-copy"), trustlist.CodeWrappedSignature},
		{"fail/two-signatures", twoSigs, trustlist.CodeWrappedSignature},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The attacker's document is itself a parsable list with the forged sequence number.
			if strings.HasPrefix(tc.name, "fail/reference") || strings.HasPrefix(tc.name, "fail/duplicate") {
				p, err := trustlist.ParseXML(tc.in)
				if err != nil || p.SequenceNumber != 9999 {
					t.Fatalf("wrapped document does not parse as the forged list: %v", err)
				}
			}
			l, err := trustlist.VerifyXML(tc.in, trustlist.VerifyOptions{Signers: signers, At: at})
			if got := trustlist.CodeOf(err); got != tc.want || l != nil {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

func TestParseXMLFacts(t *testing.T) {
	t.Run("ok/SK-59-dss-expectations", func(t *testing.T) {
		l := parseFixture(t, "eu/tl-SK-seq59.xml")
		if l.Version != 5 || l.SequenceNumber != 59 || len(l.Providers) != 6 || len(l.Providers[0].Services) != 27 || len(l.Providers[1].Services) != 56 {
			t.Fatalf("v%d seq %d providers %d", l.Version, l.SequenceNumber, len(l.Providers))
		}
	})
	t.Run("ok/FI-v6-dss-expectations", func(t *testing.T) {
		l := parseFixture(t, "other/tl-FI-v6-seq49-testsigned.xml")
		if l.Version != 6 || l.SequenceNumber != 49 || l.Territory != "FI" || len(l.Providers) != 1 || len(l.Providers[0].Services) != 19 {
			t.Fatalf("v%d seq %d %s providers %d", l.Version, l.SequenceNumber, l.Territory, len(l.Providers))
		}
		granted, withdrawn := 0, 0
		for _, s := range l.Providers[0].Services {
			switch s.Status {
			case trustlist.StatusGranted:
				granted++
			case trustlist.StatusWithdrawn:
				withdrawn++
			}
			if s.Type != trustlist.ServiceTypeCAQC {
				t.Fatalf("service type %q", s.Type)
			}
		}
		if granted != 12 || withdrawn != 7 {
			t.Fatalf("granted %d withdrawn %d", granted, withdrawn)
		}
		if !l.IssueDate.Equal(time.Date(2024, 11, 14, 8, 11, 1, 0, time.UTC)) || !l.NextUpdate.Equal(time.Date(2025, 5, 14, 7, 11, 1, 0, time.UTC)) {
			t.Fatalf("dates %s %s", l.IssueDate, l.NextUpdate)
		}
	})
	t.Run("ok/LOTL-248-pointers", func(t *testing.T) {
		l := parseFixture(t, lotl248)
		if l.Type != trustlist.TSLTypeEUListOfLists || l.Territory != "EU" || len(l.Pointers) != 44 || len(l.Providers) != 0 {
			t.Fatalf("type %s territory %s pointers %d", l.Type, l.Territory, len(l.Pointers))
		}
		pdf, xmlNational := 0, 0
		for _, p := range l.Pointers {
			switch {
			case p.MimeType == "application/pdf":
				pdf++
			case p.MimeType == trustlist.MimeTypeTSLXML && p.Territory != "EU":
				xmlNational++
			}
		}
		if pdf != 12 || xmlNational != 31 {
			t.Fatalf("pdf %d xml %d", pdf, xmlNational)
		}
		self := l.XMLPointersTo("EU")
		if len(self) != 1 || len(self[0].Signers) != 8 || self[0].Type != trustlist.TSLTypeEUListOfLists {
			t.Fatalf("EU self-pointer %+v", self)
		}
		// The self-pointer announces exactly the OJ C 276/2019 set, in order.
		oj := loadPEM(t, ojSet)
		for i := range oj {
			if !oj[i].Equal(self[0].Signers[i]) {
				t.Fatalf("self-pointer cert %d differs from OJ set", i)
			}
		}
		de := l.XMLPointersTo("DE")
		if len(de) != 1 || len(de[0].UnparsedSigners) != 2 || len(de[0].Signers) != 3 {
			t.Fatalf("DE pointer: %d parsed, %d unparsed signers", len(de[0].Signers), len(de[0].UnparsedSigners))
		}
		be := l.XMLPointersTo("BE")
		if len(be) != 1 || be[0].Location != "https://tsl.belgium.be/tsl-be.xml" || be[0].Type != trustlist.TSLTypeEUGeneric || len(be[0].OperatorNames) == 0 {
			t.Fatalf("BE pointer %+v", be)
		}
	})
	t.Run("ok/MRA-pointer", func(t *testing.T) {
		xx := parseFixture(t, mraLOTL).XMLPointersTo("XX")
		if len(xx) != 1 || !xx[0].HasMRA {
			t.Fatalf("XX pointer %+v", xx)
		}
	})
	t.Run("ok/EWC-unsigned-parses", func(t *testing.T) {
		l := parseFixture(t, "other/EWC-TL.xml")
		n := 0
		for _, p := range l.Providers {
			n += len(p.Services)
		}
		if l.Territory != "TT" || len(l.Providers) != 17 || n != 25 || l.Type != "https://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric/" {
			t.Fatalf("%s %d providers %d services type %s", l.Territory, len(l.Providers), n, l.Type)
		}
	})
	t.Run("ok/brainpool-list-parses", func(t *testing.T) {
		l := parseFixture(t, "other/tl-DE-gematik-ecdsa-brainpool.xml")
		n, unparsed := 0, 0
		for _, p := range l.Providers {
			for _, s := range p.Services {
				n++
				unparsed += len(s.Identity.UnparsedCertificates)
			}
		}
		if l.Version != 3 || l.SequenceNumber != 10180 || l.Territory != "" || n != 148 || unparsed == 0 {
			t.Fatalf("v%d seq %d territory %q services %d unparsed %d", l.Version, l.SequenceNumber, l.Territory, n, unparsed)
		}
	})
	t.Run("ok/SE-2019-extensions", func(t *testing.T) {
		l := parseFixture(t, "eu/tl-SE-seq32.xml")
		s := l.Providers[0].Services[0]
		if len(s.Extensions.AdditionalServiceInformation) != 1 || s.Extensions.AdditionalServiceInformation[0] != trustlist.AdditionalInfoForeSignatures {
			t.Fatalf("ASI %v", s.Extensions.AdditionalServiceInformation)
		}
		if len(s.Extensions.Qualifications) == 0 || !s.Extensions.Qualifications[0].Critical ||
			s.Extensions.Qualifications[0].Qualifiers[0] != "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/QCNoQSCD" {
			t.Fatalf("qualifications %+v", s.Extensions.Qualifications)
		}
		if s.Extensions.HasUnknownCritical() {
			t.Fatal("unexpected unknown critical extension")
		}
		tw := l.Providers[1].Services[2]
		if len(tw.Extensions.AdditionalServiceInformation) != 2 || tw.Extensions.AdditionalServiceInformation[1] != trustlist.AdditionalInfoForeSeals {
			t.Fatalf("ASI %v", tw.Extensions.AdditionalServiceInformation)
		}
		if len(tw.Identity.Certificates) != 1 || len(tw.Identity.SKIs) != 1 || len(tw.Identity.SubjectNames) != 1 {
			t.Fatalf("identity %+v", tw.Identity)
		}
		if len(l.Providers[0].TradeNames) == 0 {
			t.Fatal("no trade names")
		}
	})
}

func TestUnknownCriticalExtension(t *testing.T) {
	svc := `<TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang="en">P</Name></TSPName></TSPInformation><TSPServices><TSPService><ServiceInformation>` +
		`<ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</ServiceTypeIdentifier><ServiceName><Name xml:lang="en">S</Name></ServiceName><ServiceDigitalIdentity/>` +
		`<ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</ServiceStatus><StatusStartingTime>2020-01-01T00:00:00Z</StatusStartingTime>` +
		`<ServiceInformationExtensions><Extension Critical="%s"><n:Thing xmlns:n="urn:national"/></Extension></ServiceInformationExtensions>` +
		`</ServiceInformation></TSPService></TSPServices></TrustServiceProvider></TrustServiceProviderList>`
	for _, tc := range []struct {
		name, critical string
		want           bool
		code           trustlist.Code
	}{
		{"ok/critical", "true", true, ""},
		{"ok/not-critical", "false", false, ""},
		{"fail/bad-flag", "maybe", false, trustlist.CodeMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := strings.Replace(minimalList("", ""), "</SchemeInformation>", "</SchemeInformation>"+strings.Replace(svc, "%s", tc.critical, 1), 1)
			l, err := trustlist.ParseXML([]byte(in))
			if got := trustlist.CodeOf(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, err, tc.code)
			}
			if err != nil {
				return
			}
			ext := l.Providers[0].Services[0].Extensions
			if ext.HasUnknownCritical() != tc.want || len(ext.Other) != 1 || ext.Other[0].Namespace != "urn:national" || ext.Other[0].Name != "Thing" {
				t.Fatalf("extensions %+v", ext)
			}
		})
	}
}

func TestServiceWindows(t *testing.T) {
	// FI v6, service 1 "VRK Gov. CA for Citizen Qualified Certificates": undersupervision from
	// 2003-03-31T10:00:00Z, granted from 2016-06-30T22:00:00Z, withdrawn from 2021-07-07T07:07:55Z.
	l := parseFixture(t, "other/tl-FI-v6-seq49-testsigned.xml")
	s := l.Providers[0].Services[0]
	if len(s.History) != 2 {
		t.Fatalf("history %d", len(s.History))
	}
	t0 := time.Date(2003, 3, 31, 10, 0, 0, 0, time.UTC)
	t1 := time.Date(2016, 6, 30, 22, 0, 0, 0, time.UTC)
	t2 := time.Date(2021, 7, 7, 7, 7, 55, 0, time.UTC)
	w := s.Windows()
	if len(w) != 3 ||
		!w[0].Start.Equal(t0) || !w[0].End.Equal(t1) || w[0].State.Status != "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision" ||
		!w[1].Start.Equal(t1) || !w[1].End.Equal(t2) || w[1].State.Status != trustlist.StatusGranted ||
		!w[2].Start.Equal(t2) || !w[2].End.IsZero() || w[2].State.Status != trustlist.StatusWithdrawn {
		t.Fatalf("windows %+v", w)
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		want string
	}{
		{"ok/before-history", t0.Add(-time.Second), ""},
		{"ok/first-instant", t0, "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision"},
		{"ok/granted-start-inclusive", t1, trustlist.StatusGranted},
		{"ok/granted-in-2019", time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC), trustlist.StatusGranted},
		{"ok/granted-end-exclusive", t2.Add(-time.Nanosecond), trustlist.StatusGranted},
		{"ok/withdrawn-at-t2", t2, trustlist.StatusWithdrawn},
		{"ok/withdrawn-now", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), trustlist.StatusWithdrawn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, ok := s.StateAt(tc.at)
			if tc.want == "" {
				if ok {
					t.Fatalf("state %q before the first window", st.Status)
				}
				return
			}
			if !ok || st.Status != tc.want {
				t.Fatalf("state at %s = %q, want %q", tc.at, st.Status, tc.want)
			}
		})
	}
	// Service 10 repeats its history instance with the same start twice: no empty windows.
	dup := l.Providers[0].Services[9]
	for _, w := range dup.Windows() {
		if !w.End.IsZero() && !w.End.After(w.Start) {
			t.Fatalf("empty window %+v", w)
		}
	}
	// Two history instances with one start: the one listed first (history is newest first)
	// is the newer and applied.
	at := func(m int) time.Time { return time.Date(2026, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	state := func(status string, start time.Time) trustlist.ServiceState {
		return trustlist.ServiceState{Status: status, StatusStart: start}
	}
	tie := trustlist.Service{ServiceState: state(trustlist.StatusGranted, at(6)),
		History: []trustlist.ServiceState{state(trustlist.StatusWithdrawn, at(3)), state(trustlist.StatusGranted, at(3)), state(trustlist.StatusGranted, at(1))}}
	if st, _ := tie.StateAt(at(4)); st.Status != trustlist.StatusWithdrawn {
		t.Fatalf("tied history instances: %q applied, want the newer (withdrawn)", st.Status)
	}
	if st, _ := tie.StateAt(at(2)); st.Status != trustlist.StatusGranted {
		t.Fatalf("before the tie: %q", st.Status)
	}
}
