package trustlist_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/trustlist"
)

const (
	statusUnderSupervision = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/undersupervision"
	jpEAAIssuance          = "http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance"
)

var (
	caQCSignatures = trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeCAQC, AdditionalInfo: []string{trustlist.AdditionalInfoForeSignatures}}}}
	caQC           = trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeCAQC}}}
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// verifiedNL and verifiedFIv6 are real lists verified the way TestVerifyXML does.
func verifiedNL(t testing.TB) *trustlist.List {
	t.Helper()
	return verifiedFixture(t, "eu/tl-NL-seq41.xml", pointerSigners(t, lotl248, "NL"))
}

func verifiedFIv6(t testing.TB) *trustlist.List {
	t.Helper()
	const f = "other/tl-FI-v6-seq49-testsigned.xml"
	return verifiedFixture(t, f, keyInfoCert(t, f))
}

func verifiedFixture(t testing.TB, rel string, signers []*x509.Certificate) *trustlist.List {
	t.Helper()
	l, err := trustlist.VerifyXML(readFixture(t, rel), trustlist.VerifyOptions{Signers: signers, At: parseFixture(t, rel).IssueDate})
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return l
}

func newSet(t testing.TB, srcs ...trustlist.Labeled) *trustlist.Set {
	t.Helper()
	s, err := trustlist.NewSet(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type lookupCase struct {
	name          string
	chain         []*x509.Certificate
	issued, now   time.Time
	policy        trustlist.Policy
	want          trustlist.Reason
	atIssuance    bool // expected TrustedAtIssuance
	wantMatch     trustlist.MatchKind
	pathFragments []string
}

func runLookups(t *testing.T, set *trustlist.Set, tests []lookupCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := set.Lookup(tc.chain, tc.issued, tc.now, tc.policy)
			if r.Reason != tc.want {
				t.Fatalf("reason = %q (%s), want %q", r.Reason, r.Detail, tc.want)
			}
			wantNow := tc.want == ""
			wantIss := wantNow || tc.want == trustlist.ReasonWithdrawnSince || tc.atIssuance
			if r.TrustedNow != wantNow || r.TrustedAtIssuance != wantIss {
				t.Fatalf("trusted at issuance %v now %v, want %v %v (%s)", r.TrustedAtIssuance, r.TrustedNow, wantIss, wantNow, r.Detail)
			}
			if r.Match != tc.wantMatch {
				t.Fatalf("match = %q, want %q", r.Match, tc.wantMatch)
			}
			for _, f := range tc.pathFragments {
				if !strings.Contains(r.Path, f) {
					t.Fatalf("path %q lacks %q", r.Path, f)
				}
			}
		})
	}
}

func TestLookupRealLists(t *testing.T) {
	nl, fi := verifiedNL(t), verifiedFIv6(t)
	set := newSet(t,
		trustlist.Labeled{Label: "EU LOTL 248 → NL trusted list", List: nl},
		trustlist.Labeled{Label: "FI v6 test list", List: fi})
	// NL provider 0, service 0: "UZI-register Medewerker op naam CA G21", CA/QC ForeSignatures,
	// granted since 2016-06-30T22:00:00Z; certificate valid 2010-03-18 .. 2020-03-22. The NL
	// list was issued 2019-01-24 with NextUpdate 2019-07-24T08:00:00Z.
	nlSvc := nl.Providers[0].Services[0]
	nlCert := nlSvc.Identity.Certificates[0]
	if nlSvc.Status != trustlist.StatusGranted || !strings.Contains(nlCert.Subject.CommonName, "Medewerker op naam CA G21") {
		t.Fatalf("unexpected NL service %q %s", nlSvc.Status, nlCert.Subject)
	}
	nlNext := nl.NextUpdate
	if !nlNext.Equal(time.Date(2019, 7, 24, 8, 0, 0, 0, time.UTC)) {
		t.Fatalf("NL NextUpdate %s", nlNext)
	}
	// FI v6 service 0: "VRK Gov. CA for Citizen Qualified Certificates": undersupervision from
	// 2003-03-31T10:00:00Z, granted from 2016-06-30T22:00:00Z (t1), withdrawn from
	// 2021-07-07T07:07:55Z (t2); certificate valid 2003-01-10 .. 2019-01-09. The list is fresh
	// from 2024-11-14 to 2025-05-14.
	fiCert := fi.Providers[0].Services[0].Identity.Certificates[0]
	t1 := time.Date(2016, 6, 30, 22, 0, 0, 0, time.UTC)
	fiNow := day(2025, 1, 1)
	withUnderSupervision := caQC
	withUnderSupervision.Statuses = []string{trustlist.StatusGranted, statusUnderSupervision}
	graced := caQCSignatures
	graced.Grace = 24 * time.Hour
	nlIssued := day(2019, 2, 1)
	unknownCA, _ := newCA(t, "unknown CA", nil)
	unknownLeaf := newLeaf(t, "unknown leaf", unknownCA)

	runLookups(t, set, []lookupCase{
		{"ok/nl-direct", []*x509.Certificate{nlCert}, nlIssued, day(2019, 3, 1), caQCSignatures, "", false, trustlist.MatchDirect,
			[]string{"EU LOTL 248 → NL trusted list → NL → ", "[nl]", "Medewerker op naam CA G21"}},
		{"fail/nl-listed-ca-in-chain-did-not-sign-leaf", []*x509.Certificate{unknownLeaf.cert, nlCert}, nlIssued, day(2019, 3, 1), caQCSignatures, trustlist.ReasonChainInvalid, false, trustlist.MatchCA, nil},
		{"fail/nl-wrong-service-type-eaa", []*x509.Certificate{nlCert}, nlIssued, day(2019, 3, 1),
			trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeEAAQ}}}, trustlist.ReasonWrongServiceType, false, trustlist.MatchDirect, nil},
		{"fail/nl-wrong-additional-info-foreseals", []*x509.Certificate{nlCert}, nlIssued, day(2019, 3, 1),
			trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeCAQC, AdditionalInfo: []string{trustlist.AdditionalInfoForeSeals}}}}, trustlist.ReasonWrongServiceType, false, trustlist.MatchDirect, nil},
		{"ok/nl-just-before-next-update", []*x509.Certificate{nlCert}, nlIssued, nlNext.Add(-time.Second), caQCSignatures, "", false, trustlist.MatchDirect, nil},
		{"fail/nl-stale-at-next-update", []*x509.Certificate{nlCert}, nlIssued, nlNext, caQCSignatures, trustlist.ReasonStaleList, false, trustlist.MatchDirect, nil},
		{"fail/nl-stale-after-next-update", []*x509.Certificate{nlCert}, nlIssued, nlNext.Add(12 * time.Hour), caQCSignatures, trustlist.ReasonStaleList, false, trustlist.MatchDirect, nil},
		{"ok/nl-stale-within-grace", []*x509.Certificate{nlCert}, nlIssued, nlNext.Add(12 * time.Hour), graced, "", false, trustlist.MatchDirect, nil},
		{"fail/nl-stale-past-grace", []*x509.Certificate{nlCert}, nlIssued, nlNext.Add(24 * time.Hour), graced, trustlist.ReasonStaleList, false, trustlist.MatchDirect, nil},
		{"fail/nl-leaf-expired-at-issuance", []*x509.Certificate{nlCert}, day(2009, 1, 1), day(2019, 3, 1), caQCSignatures, trustlist.ReasonChainInvalid, false, trustlist.MatchDirect, nil},
		{"fail/unknown-chain", []*x509.Certificate{unknownLeaf.cert, unknownCA.cert}, nlIssued, day(2019, 3, 1), caQCSignatures, trustlist.ReasonNoAnchor, false, "", nil},

		{"ok/fi-granted-at-issuance-withdrawn-now", []*x509.Certificate{fiCert}, day(2018, 1, 1), fiNow, caQC, trustlist.ReasonWithdrawnSince, true, trustlist.MatchDirect,
			[]string{"FI v6 test list → FI → ", "VRK Gov. CA for Citizen Qualified Certificates"}},
		{"ok/fi-granted-at-t1", []*x509.Certificate{fiCert}, t1, fiNow, caQC, trustlist.ReasonWithdrawnSince, true, trustlist.MatchDirect, nil},
		{"fail/fi-before-t1-under-supervision", []*x509.Certificate{fiCert}, t1.Add(-time.Second), fiNow, caQC, trustlist.ReasonNotGrantedAtIssuance, false, trustlist.MatchDirect, nil},
		{"ok/fi-under-supervision-accepted-by-policy", []*x509.Certificate{fiCert}, day(2010, 1, 1), fiNow, withUnderSupervision, trustlist.ReasonWithdrawnSince, true, trustlist.MatchDirect, nil},
		{"fail/fi-fresh-list-stale-now", []*x509.Certificate{fiCert}, day(2018, 1, 1), day(2025, 6, 1), caQC, trustlist.ReasonStaleList, false, trustlist.MatchDirect, nil},
		{"fail/fi-issued-before-history", []*x509.Certificate{fiCert}, day(2003, 2, 1), fiNow, withUnderSupervision, trustlist.ReasonNotGrantedAtIssuance, false, trustlist.MatchDirect, nil},

		{"fail/empty-chain", nil, nlIssued, day(2019, 3, 1), caQC, trustlist.ReasonInvalidArgument, false, "", nil},
		{"fail/nil-certificate", []*x509.Certificate{nil}, nlIssued, day(2019, 3, 1), caQC, trustlist.ReasonInvalidArgument, false, "", nil},
		{"fail/issued-after-now", []*x509.Certificate{nlCert}, day(2019, 3, 1), nlIssued, caQC, trustlist.ReasonInvalidArgument, false, "", nil},
		{"fail/zero-now", []*x509.Certificate{nlCert}, nlIssued, time.Time{}, caQC, trustlist.ReasonInvalidArgument, false, "", nil},
		{"fail/no-service-types", []*x509.Certificate{nlCert}, nlIssued, day(2019, 3, 1), trustlist.Policy{}, trustlist.ReasonInvalidArgument, false, "", nil},
		{"fail/negative-grace", []*x509.Certificate{nlCert}, nlIssued, day(2019, 3, 1), trustlist.Policy{ServiceTypes: caQC.ServiceTypes, Grace: -time.Hour}, trustlist.ReasonInvalidArgument, false, "", nil},
	})

	// Granted at t1, withdrawn at t2 (2021-07-07T07:07:55Z): the statuses at both times.
	fr := set.Lookup([]*x509.Certificate{fiCert}, day(2018, 1, 1), fiNow, caQC)
	if fr.StatusAtIssuance != trustlist.StatusGranted || fr.StatusNow != trustlist.StatusWithdrawn || fr.Territory != "FI" {
		t.Fatalf("FI result %+v", fr)
	}
	// The provider names come in every language the list gives.
	r := set.Lookup([]*x509.Certificate{nlCert}, nlIssued, day(2019, 3, 1), caQCSignatures)
	if len(r.ProviderNames) != len(nl.Providers[0].Names) || len(r.ProviderNames) < 2 || r.ServiceType != trustlist.ServiceTypeCAQC ||
		r.Territory != "NL" || r.StatusAtIssuance != trustlist.StatusGranted || r.StatusNow != trustlist.StatusGranted || !r.Anchor.Equal(nlCert) {
		t.Fatalf("result %+v", r)
	}
}

// testCA is a generated certificate with its key.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newCA(t testing.TB, cn string, parent *testCA) (*testCA, []byte) {
	t.Helper()
	return issue(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: cn}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, parent, nil)
}

func newLeaf(t testing.TB, cn string, parent *testCA) *testCA {
	t.Helper()
	c, _ := issue(t, &x509.Certificate{Subject: pkix.Name{CommonName: cn}, KeyUsage: x509.KeyUsageDigitalSignature}, parent, nil)
	return c
}

// issue signs tmpl with parent (self-signed when nil); ski, if set, is the SubjectKeyId.
func issue(t testing.TB, tmpl *x509.Certificate, parent *testCA, ski []byte) (*testCA, []byte) {
	t.Helper()
	key := genEC(t, elliptic.P256())
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	tmpl.NotBefore, tmpl.NotAfter = day(2025, 1, 1), day(2035, 1, 1)
	tmpl.SubjectKeyId = ski
	signer, signerCert := key, tmpl
	if parent != nil {
		signer, signerCert = parent.key, parent.cert
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signer)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testCA{cert: c, key: key}, der
}

// pilotList is a JP pilot list model (as VerifyLoTE would return) with one provider whose
// issuance service lists root: granted from 2026-01-01, withdrawn from 2026-06-01.
func pilotList(root *x509.Certificate, status string, next time.Time) *trustlist.List {
	svc := trustlist.Service{ServiceState: trustlist.ServiceState{
		Type: jpEAAIssuance, Names: []trustlist.LangString{{Lang: "en", Value: "Diploma issuance"}},
		Status: status, Identity: trustlist.DigitalIdentity{Certificates: []*x509.Certificate{root}},
	}}
	if status != "" {
		svc.StatusStart = day(2026, 6, 1)
		svc.History = []trustlist.ServiceState{{Type: jpEAAIssuance, Status: trustlist.StatusGranted, StatusStart: day(2026, 1, 1)}}
	}
	return &trustlist.List{
		Format: trustlist.FormatLoTE, Version: 1, SequenceNumber: 1, Territory: "JP",
		IssueDate: day(2026, 1, 1), NextUpdate: next,
		Providers: []trustlist.Provider{{
			Names:    []trustlist.LangString{{Lang: "ja", Value: "大阪大学"}, {Lang: "en", Value: "Osaka University"}},
			Services: []trustlist.Service{svc},
		}},
		Signature: &trustlist.Signature{Method: "ES256"},
	}
}

func TestLookupCATrust(t *testing.T) {
	root, _ := newCA(t, "Pilot Root CA", nil)
	inter, _ := newCA(t, "Pilot Issuing CA", root)
	leaf := newLeaf(t, "Osaka University diploma seal", inter)
	direct := newLeaf(t, "Osaka University direct", root)
	// A forger's CA with the listed root's subject and SKI, and a leaf it signed.
	forged, _ := issue(t, &x509.Certificate{Subject: root.cert.Subject, IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}, nil, root.cert.SubjectKeyId)
	forgedLeaf := newLeaf(t, "forged", forged)
	stranger, _ := newCA(t, "Stranger CA", nil)
	strangerLeaf := newLeaf(t, "stranger", stranger)

	set := newSet(t,
		trustlist.Labeled{Label: "JP pilot LoTE", List: pilotList(root.cert, trustlist.StatusWithdrawn, day(2027, 1, 1))},
		trustlist.Labeled{Label: "JP pilot LoTE without status", List: pilotList(inter.cert, "", day(2027, 1, 1))},
	)
	closed := newSet(t, trustlist.Labeled{Label: "JP closed", List: pilotList(root.cert, trustlist.StatusWithdrawn, time.Time{})})
	jp := trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: jpEAAIssuance}}}
	jpNoStatus := jp
	jpNoStatus.AcceptNoStatus = true
	issued, now := day(2026, 3, 1), day(2026, 9, 1)

	runLookups(t, set, []lookupCase{
		{"ok/ca-via-aki-granted-then-withdrawn", []*x509.Certificate{leaf.cert, inter.cert}, issued, now, jp, trustlist.ReasonWithdrawnSince, true, trustlist.MatchCA,
			[]string{"JP pilot LoTE → JP → 大阪大学 [ja] / Osaka University [en] → Diploma issuance [en] → CN=Pilot Root CA"}},
		{"ok/ca-root-in-chain", []*x509.Certificate{leaf.cert, inter.cert, root.cert}, issued, now, jp, trustlist.ReasonWithdrawnSince, true, trustlist.MatchCA, nil},
		{"ok/ca-one-level", []*x509.Certificate{direct.cert}, issued, day(2026, 5, 1), jp, "", false, trustlist.MatchCA, nil},
		{"fail/ca-issued-after-withdrawal", []*x509.Certificate{direct.cert}, day(2026, 7, 1), now, jp, trustlist.ReasonNotGrantedAtIssuance, false, trustlist.MatchCA, nil},
		{"fail/ca-before-history", []*x509.Certificate{direct.cert}, day(2025, 6, 1), now, jp, trustlist.ReasonNotGrantedAtIssuance, false, trustlist.MatchCA, nil},
		{"fail/missing-intermediate", []*x509.Certificate{leaf.cert}, issued, now, jp, trustlist.ReasonNotGrantedAtIssuance, false, trustlist.MatchCA, []string{"without status"}},
		{"ok/no-status-accepted-by-policy", []*x509.Certificate{leaf.cert}, issued, now, jpNoStatus, "", false, trustlist.MatchCA, []string{"Pilot Issuing CA"}},
		// Two anchors (the intermediate in one list, the root in the other): the best answer wins.
		{"ok/best-of-two-anchors", []*x509.Certificate{leaf.cert, inter.cert}, issued, now, jpNoStatus, "", false, trustlist.MatchCA, []string{"without status", "Pilot Issuing CA"}},
		{"fail/forged-ca-same-subject-and-ski", []*x509.Certificate{forgedLeaf.cert}, issued, now, jp, trustlist.ReasonChainInvalid, false, trustlist.MatchCA, nil},
		{"fail/forged-ca-in-chain", []*x509.Certificate{forgedLeaf.cert, forged.cert}, issued, now, jp, trustlist.ReasonChainInvalid, false, trustlist.MatchCA, nil},
		{"fail/unknown-chain", []*x509.Certificate{strangerLeaf.cert, stranger.cert}, issued, now, jp, trustlist.ReasonNoAnchor, false, "", nil},
		{"fail/chain-expired-at-issuance", []*x509.Certificate{direct.cert}, day(2036, 1, 1), day(2036, 2, 1), jp, trustlist.ReasonChainInvalid, false, trustlist.MatchCA, nil},
		{"fail/wrong-service-type", []*x509.Certificate{direct.cert}, issued, now, caQC, trustlist.ReasonWrongServiceType, false, trustlist.MatchCA, nil},
	})
	accept := jp
	accept.AcceptClosedLists = true
	runLookups(t, closed, []lookupCase{
		{"fail/closed-list", []*x509.Certificate{direct.cert}, issued, day(2026, 5, 1), jp, trustlist.ReasonClosedList, false, trustlist.MatchCA, nil},
		{"ok/closed-list-accepted-by-policy", []*x509.Certificate{direct.cert}, issued, day(2026, 5, 1), accept, "", false, trustlist.MatchCA, nil},
	})
}

func TestPolicyFreshness(t *testing.T) {
	next := day(2026, 7, 1)
	l := &trustlist.List{NextUpdate: next}
	closed := &trustlist.List{}
	tests := []struct {
		name string
		p    trustlist.Policy
		l    *trustlist.List
		now  time.Time
		want trustlist.Reason
	}{
		{"ok/before-next-update", trustlist.Policy{}, l, next.Add(-time.Nanosecond), ""},
		{"fail/at-next-update", trustlist.Policy{}, l, next, trustlist.ReasonStaleList},
		{"ok/within-grace", trustlist.Policy{Grace: 24 * time.Hour}, l, next.Add(23 * time.Hour), ""},
		{"fail/at-grace-end", trustlist.Policy{Grace: 24 * time.Hour}, l, next.Add(24 * time.Hour), trustlist.ReasonStaleList},
		{"fail/closed", trustlist.Policy{}, closed, next, trustlist.ReasonClosedList},
		{"ok/closed-accepted", trustlist.Policy{AcceptClosedLists: true}, closed, next, ""},
		{"fail/negative-grace", trustlist.Policy{Grace: -1}, l, next.Add(-time.Hour), trustlist.ReasonInvalidArgument},
		{"fail/nil-list", trustlist.Policy{}, nil, next, trustlist.ReasonInvalidArgument},
		{"fail/zero-now", trustlist.Policy{}, l, time.Time{}, trustlist.ReasonInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Freshness(tc.l, tc.now); got != tc.want {
				t.Fatalf("Freshness = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNewSetArguments(t *testing.T) {
	root, _ := newCA(t, "root", nil)
	unsigned := pilotList(root.cert, trustlist.StatusGranted, day(2027, 1, 1))
	unsigned.Signature = nil
	tests := []struct {
		name string
		src  trustlist.Labeled
		want trustlist.Code
	}{
		{"ok/verified", trustlist.Labeled{Label: "JP", List: pilotList(root.cert, trustlist.StatusGranted, day(2027, 1, 1))}, ""},
		{"fail/no-label", trustlist.Labeled{List: pilotList(root.cert, trustlist.StatusGranted, day(2027, 1, 1))}, trustlist.CodeInvalidArgument},
		{"fail/nil-list", trustlist.Labeled{Label: "JP"}, trustlist.CodeInvalidArgument},
		{"fail/unverified-list", trustlist.Labeled{Label: "JP", List: unsigned}, trustlist.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trustlist.NewSet(tc.src)
			if got := trustlist.CodeOf(err); got != tc.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}
