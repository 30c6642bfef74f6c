package verifier_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/verifier"
)

// Test times: the pilot PKI is made before the lists are issued; services are granted from
// grantedFrom; credentials are issued at issuedAt and presented at presentedAt.
var (
	pkiTime     = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	grantedFrom = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	listIssued  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	nextUpdate  = time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	issuedAt    = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	presentedAt = time.Date(2026, 12, 1, 9, 2, 0, 0, time.UTC)
)

const (
	jpDeskClientID = "x509_san_dns:jp-desk.localhost"
	euDeskClientID = "x509_san_dns:eu-desk.localhost"
	testNonce      = "n-0S6_WzA2Mj-hashi-test"
	svcEAAIssuance = "http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance"
	euLabel        = "EU LOTL → NL trusted list"
	jpLabel        = "JP pilot LoTE"
)

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func must1[T any](v T, err error) T {
	must(err)
	return v
}

// pilot is the pilot PKI, made once per test binary.
type pilot struct {
	p                      *pki.PKI
	euSeal, jpSeal         *pki.Entity
	euSealCA, jpSealCA     *pki.Entity
	lotlSigner, euTL, jpTL *pki.Entity
	euIssuer, jpIssuer     string
	holder                 *ecdsa.PrivateKey
}

var (
	pilotOnce sync.Once
	thePilot  *pilot
)

func getPilot() *pilot {
	pilotOnce.Do(func() {
		dir := must1(os.MkdirTemp("", "verifier-pki-"))
		pkiDir := filepath.Join(dir, "pki")
		_ = must1(pki.Init(pkiDir, pki.DefaultConfig(""), pkiTime))
		p := must1(pki.Load(pkiDir))
		f := &pilot{p: p}
		f.euSeal = must1(p.Entity(pki.RoleSeal, "oostland"))
		f.jpSeal = must1(p.Entity(pki.RoleSeal, "sakuragaoka"))
		f.euSealCA = must1(p.Entity(pki.RoleSealCA, "eu"))
		f.jpSealCA = must1(p.Entity(pki.RoleSealCA, "jp"))
		f.lotlSigner = must1(p.Entity(pki.RoleLOTLSigner, "eu"))
		f.euTL = must1(p.Entity(pki.RoleTLSigner, "eu"))
		f.jpTL = must1(p.Entity(pki.RoleTLSigner, "jp"))
		f.euIssuer = f.euSeal.Certificate.URIs[0].String()
		f.jpIssuer = f.jpSeal.Certificate.URIs[0].String()
		f.holder = must1(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
		thePilot = f
	})
	return thePilot
}

func pemOf(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

// serviceState describes the listed service: its current status from a time, and optionally
// the granted history before it.
type serviceState struct {
	status      string    // "granted", "withdrawn"
	since       time.Time // current status start
	grantedFrom time.Time // when set, a history entry "granted" from then
	nextUpdate  time.Time // list NextUpdate; default nextUpdate
}

func granted() serviceState { return serviceState{status: "granted", since: grantedFrom} }

func (s serviceState) service(typ string, names trustlist.Names, cert *x509.Certificate, ai []string) trustlist.ServiceDescription {
	sd := trustlist.ServiceDescription{StateDescription: trustlist.StateDescription{
		Type: typ, Names: names, Certificates: []string{pemOf(cert)}, Status: s.status, StatusStart: s.since,
		AdditionalInformation: ai,
	}}
	if !s.grantedFrom.IsZero() {
		sd.History = []trustlist.StateDescription{{Status: "granted", StatusStart: s.grantedFrom, AdditionalInformation: ai}}
	}
	return sd
}

// euList builds and verifies the pilot EU LOTL and the NL list it points to, listing the EU
// seal CA (CA/QC with ForeSeals), and returns the verified NL list.
func (f *pilot) euList(s serviceState) *trustlist.List {
	nu := s.nextUpdate
	if nu.IsZero() {
		nu = nextUpdate
	}
	lotl := &trustlist.Description{
		Territory: "EU", Sequence: 1, Issued: listIssued, NextUpdate: nu,
		Operator: trustlist.Party{Names: trustlist.Names{"en": "hashi pilot LOTL operator"},
			Address: trustlist.Address{Street: "Rue de la Loi 200", Locality: "Brussels", Country: "BE", URI: "https://pilot.hashi.example/lotl"}},
		Pointers: []trustlist.PointerDescription{
			{Location: "https://pilot.hashi.example/trust/eu-lotl.xml", Territory: "EU", Type: trustlist.TSLTypeEUListOfLists, Signers: []string{pemOf(f.lotlSigner.Certificate)}},
			{Location: "https://pilot.hashi.example/trust/tl-nl.xml", Territory: "NL", OperatorNames: trustlist.Names{"en": "hashi pilot scheme operator NL"}, Signers: []string{pemOf(f.euTL.Certificate)}},
		},
	}
	lotlXML := must1(trustlist.SignXML(lotl, trustlist.ListSigner{Key: f.lotlSigner.Signer(), Certificate: f.lotlSigner.Certificate, Time: listIssued}))
	lotlList := must1(trustlist.VerifyXML(lotlXML, trustlist.VerifyOptions{Signers: []*x509.Certificate{f.lotlSigner.Certificate}, At: listIssued}))
	ptrs := lotlList.XMLPointersTo("NL")
	if len(ptrs) != 1 {
		panic("no NL pointer")
	}
	nl := &trustlist.Description{
		Territory: "NL", Sequence: 1, Issued: listIssued, NextUpdate: nu,
		Operator: trustlist.Party{Names: trustlist.Names{"en": "hashi pilot scheme operator NL"},
			Address: trustlist.Address{Street: "Bezuidenhoutseweg 30", Locality: "Den Haag", Country: "NL", URI: "mailto:pilot-nl@hashi.example"}},
		Providers: []trustlist.ProviderDescription{{
			Party: trustlist.Party{Names: trustlist.Names{"en": "Oostland University", "nl": "Universiteit Oostland"},
				Address: trustlist.Address{Street: "Rapenburg 70", Locality: "Leiden", Country: "NL", URI: "https://oostland.example/"}},
			TradeNames: trustlist.Names{"en": "NTRNL-12345678"},
			Services: []trustlist.ServiceDescription{s.service("CA/QC", trustlist.Names{"en": "Oostland University seal CA"}, f.euSealCA.Certificate,
				[]string{trustlist.AdditionalInfoForeSeals})},
		}},
	}
	nlXML := must1(trustlist.SignXML(nl, trustlist.ListSigner{Key: f.euTL.Signer(), Certificate: f.euTL.Certificate, Time: listIssued}))
	return must1(trustlist.VerifyXML(nlXML, trustlist.VerifyOptions{Signers: ptrs[0].Signers, At: listIssued}))
}

// jpList builds and verifies the JP pilot LoTE listing cert under the EU–JP PoC's EAA issuance
// service type for a provider with English and Japanese names.
func jpList(signer crypto.Signer, signerCert, cert *x509.Certificate, s serviceState, issued time.Time, provider, service trustlist.Names) *trustlist.List {
	nu := s.nextUpdate
	if nu.IsZero() {
		nu = nextUpdate
	}
	d := &trustlist.Description{
		Territory: "JP", Sequence: 1, Issued: issued, NextUpdate: nu,
		LoTEType:                    "http://tl.eujp.ownd-project.com/19602/LoTEType/EAAProvidersList",
		StatusDeterminationApproach: "http://tl.eujp.ownd-project.com/19602/StatusDetn/pilot",
		Operator: trustlist.Party{Names: trustlist.Names{"en": "hashi pilot operator Japan", "ja": "hashi パイロット運営者"},
			Address: trustlist.Address{Street: "1-1 Chiyoda", Locality: "Chiyoda-ku", Country: "JP", URI: "https://pilot.hashi.example/jp"}},
		Providers: []trustlist.ProviderDescription{{
			Party: trustlist.Party{Names: provider,
				Address: trustlist.Address{Street: "1 Sakuragaoka", Locality: "Kyoto", Country: "JP", URI: "https://sakuragaoka.example/"}},
			TradeNames: trustlist.Names{"en": "JCN-1234567890123"},
			Services:   []trustlist.ServiceDescription{s.service(svcEAAIssuance, service, cert, nil)},
		}},
	}
	b := must1(trustlist.SignLoTE(d, trustlist.ListSigner{Key: signer, Certificate: signerCert, Time: issued}))
	return must1(trustlist.VerifyLoTE(b, trustlist.VerifyOptions{Signers: []*x509.Certificate{signerCert}, At: issued}))
}

func (f *pilot) jpList(s serviceState) *trustlist.List {
	return jpList(f.jpTL.Signer(), f.jpTL.Certificate, f.jpSealCA.Certificate, s, listIssued,
		trustlist.Names{"en": "Sakuragaoka University", "ja": "桜ヶ丘大学"}, trustlist.Names{"en": "Sakuragaoka University seal CA", "ja": "桜ヶ丘大学 電子印CA"})
}

// trustSet is the set both desks use: the EU lists and the JP LoTE.
func (f *pilot) trustSet(eu, jp serviceState) *trustlist.Set {
	return must1(trustlist.NewSet(trustlist.Labeled{Label: euLabel, List: f.euList(eu)}, trustlist.Labeled{Label: jpLabel, List: f.jpList(jp)}))
}

// memStatus is an in-memory StatusSource counting fetches.
type memStatus struct {
	mu      sync.Mutex
	tokens  map[string][]byte
	fetches atomic.Int64
}

func (m *memStatus) FetchStatusList(_ context.Context, uri string) ([]byte, error) {
	m.fetches.Add(1)
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.tokens[uri]
	if !ok {
		return nil, errors.New("404 not found")
	}
	return b, nil
}

func (m *memStatus) set(uri string, tok []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tokens == nil {
		m.tokens = map[string][]byte{}
	}
	m.tokens[uri] = tok
}

// statusURI is the status list of a university; index statusIdx is used by every test
// credential, statusRevokedIdx and statusSuspendedIdx hold those statuses.
const (
	statusIdx          = 7
	statusRevokedIdx   = 8
	statusSuspendedIdx = 9
)

func statusURI(issuer string) string { return issuer + "/status/1" }

// statusToken signs a 2-bit status list for uri with seal (x5c), valid around now.
func statusToken(seal *pki.Entity, uri string, now time.Time) []byte {
	l := must1(statuslist.New(2, 64))
	must(l.Set(statusRevokedIdx, statuslist.Invalid))
	must(l.Set(statusSuspendedIdx, statuslist.Suspended))
	s := must1(jose.NewSigner(seal.Signer(), jose.SignHeader{Typ: statuslist.TokenType, X5C: seal.Chain}))
	tok := must1(statuslist.Sign(s, &statuslist.Token{Subject: uri, IssuedAt: now.Add(-10 * time.Minute), ExpiresAt: now.Add(24 * time.Hour), TTL: time.Hour, List: l}))
	return []byte(tok)
}

// diploma is a test diploma to issue and present.
type diploma struct {
	seal      *pki.Entity // signer and x5c; default the university's
	key       crypto.Signer
	x5c       []*x509.Certificate
	record    academic.Diploma
	iss       string
	vct       string
	iat, exp  time.Time
	statusIdx int // -1: no status claim
	statusURI string
	plain     []string // top-level claims to keep plain although the builder makes them disclosable
	noCnf     bool
	learning  bool // issue the EUDI learning credential instead of urn:hashi:diploma:1
}

// euDiploma and jpDiploma are the two universities' diplomas with every default.
func (f *pilot) euDiploma() diploma {
	return diploma{seal: f.euSeal, record: awardedBy(academic.SampleEUMaster(), "Oostland University", "", "NL", f.euSeal.Info.OrganizationIdentifier), iss: f.euIssuer,
		iat: issuedAt, statusIdx: statusIdx, statusURI: statusURI(f.euIssuer)}
}

func (f *pilot) jpDiploma() diploma {
	return diploma{seal: f.jpSeal, record: awardedBy(academic.SampleJPMasterEngineering(), "Sakuragaoka University", "桜ヶ丘大学", "JP", f.jpSeal.Info.OrganizationIdentifier), iss: f.jpIssuer,
		iat: issuedAt, statusIdx: statusIdx, statusURI: statusURI(f.jpIssuer)}
}

func awardedBy(d academic.Diploma, en, ja, country, orgID string) academic.Diploma {
	body := academic.AwardingBody{Name: academic.LangMap{"en": en}, Country: country}
	if ja != "" {
		body.Name["ja"] = ja
	}
	scheme, value, _ := strings.Cut(orgID, "-")
	if scheme == "NTRJP" {
		body.Identifiers = []academic.Identifier{{Scheme: academic.SchemeJPCorporateNumber, Value: value}}
	} else {
		body.Identifiers = []academic.Identifier{{Scheme: academic.SchemeEIDASLegalIdentifier, Value: country + "/" + country + "/" + value}}
	}
	d.AwardingBody = body
	must(d.Validate())
	return d
}

// issue returns the SD-JWT VC (ending with '~').
func (f *pilot) issue(d diploma) string {
	var cs academic.ClaimSet
	if d.learning {
		cs = must1(d.record.LearningCredentialClaims(academic.LearningCredentialOptions{IssuanceDate: d.iat}))
	} else {
		cs = must1(d.record.HashiDiplomaClaims())
	}
	claims := cs.Claims
	claims["vct"] = cs.VCT
	if d.vct != "" {
		claims["vct"] = d.vct
	}
	if d.iss != "" {
		claims["iss"] = d.iss
	}
	claims["iat"] = d.iat.Unix()
	if !d.exp.IsZero() {
		claims["exp"] = d.exp.Unix()
	}
	if !d.noCnf {
		claims["cnf"] = map[string]any{"jwk": must1(jose.PublicJWK(&f.holder.PublicKey))}
	}
	if d.statusIdx >= 0 {
		claims["status"] = map[string]any{"status_list": map[string]any{"idx": d.statusIdx, "uri": d.statusURI}}
	}
	var paths []sdjwt.Path
	for _, p := range cs.Disclosable {
		if len(p) == 1 && contains(d.plain, p[0]) {
			continue
		}
		paths = append(paths, sdjwt.Path(p))
	}
	key, x5c := d.key, d.x5c
	if key == nil {
		key, x5c = d.seal.Signer(), d.seal.Chain
	}
	is := must1(sdjwt.NewVCIssuer(key, jose.SignHeader{X5C: x5c}, sdjwt.WithDecoys(2)))
	return must1(is.Issue(claims, paths))
}

func contains(ss []string, v any) bool {
	for _, s := range ss {
		if s == v {
			return true
		}
	}
	return false
}

// share are the claims the holder discloses by default.
var share = []sdjwt.Path{{"family_name"}, {"given_name"}, {"degree", "title"}, {"degree", "type"},
	{"degree", "level"}, {"degree", "credits"}, {"degree", "award_date"}}

// present returns an SD-JWT+KB for aud and nonce at kbTime.
func (f *pilot) present(cred string, paths []sdjwt.Path, aud, nonce string, kbTime time.Time) string {
	h := must1(sdjwt.NewHolder(f.holder))
	return must1(h.Present(cred, paths, sdjwt.KBClaims{Nonce: nonce, Audience: aud, IssuedAt: kbTime}))
}

func vpToken(id string, pres ...string) []byte {
	return must1(json.Marshal(map[string][]string{id: pres}))
}

// diplomaQuery asks for the hashi diploma's title and level.
func diplomaQuery(vcts ...string) *dcql.Query {
	if len(vcts) == 0 {
		vcts = []string{academic.VCTHashiDiploma}
	}
	q := &dcql.Query{Credentials: []dcql.CredentialQuery{{
		ID: "diploma", Format: dcql.FormatSDJWTVC, Meta: dcql.Meta{VCTValues: vcts},
		Claims: []dcql.ClaimsQuery{{Path: dcql.Path{"degree", "title"}}, {Path: dcql.Path{"degree", "level"}}},
	}}}
	must(q.Validate())
	return q
}

// euRule is the JP desk's rule for EU diplomas: CA/QC for e-seals through the EU lists,
// bachelor to doctorate, title disclosed.
func euRule() verifier.Rule {
	return verifier.Rule{
		Name: "EU diplomas through the EU trusted lists", Types: []string{academic.VCTHashiDiploma, academic.VCTLearningCredential},
		Jurisdictions: []string{"EU"},
		Trust:         trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeCAQC, AdditionalInfo: []string{trustlist.AdditionalInfoForeSeals}}}},
		EQFLevels:     []int{6, 7, 8}, RequiredClaims: []dcql.Path{{"degree", "title"}},
	}
}

// jpRule is the EU desk's rule for JP diplomas: EAA issuance services of the JP LoTE.
func jpRule() verifier.Rule {
	return verifier.Rule{
		Name: "JP diplomas through the JP LoTE", Types: []string{academic.VCTHashiDiploma, academic.VCTLearningCredential},
		Jurisdictions: []string{"JP"},
		Trust:         trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: svcEAAIssuance}}},
		EQFLevels:     []int{6, 7, 8}, RequiredClaims: []dcql.Path{{"degree", "title"}},
	}
}

func jpDeskPolicy(now time.Time, rules ...verifier.Rule) verifier.Policy {
	if rules == nil {
		rules = []verifier.Rule{euRule()}
	}
	return verifier.Policy{Now: now, ClientID: jpDeskClientID, Nonce: testNonce, Query: diplomaQuery(), Recognition: verifier.Recognition{Rules: rules}, Jurisdiction: "JP"}
}

func euDeskPolicy(now time.Time, rules ...verifier.Rule) verifier.Policy {
	if rules == nil {
		rules = []verifier.Rule{jpRule()}
	}
	return verifier.Policy{Now: now, ClientID: euDeskClientID, Nonce: testNonce, Query: diplomaQuery(), Recognition: verifier.Recognition{Rules: rules}, Jurisdiction: "EU"}
}

// newCert makes a certificate for tests that need one the pilot PKI would never issue. parent
// nil means self-signed.
func newCert(tmpl *x509.Certificate, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, *ecdsa.PrivateKey) {
	k := must1(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
	tmpl.SerialNumber = big.NewInt(time.Now().UnixNano())
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore, tmpl.NotAfter = pkiTime, pkiTime.AddDate(3, 0, 0)
	}
	signer := crypto.Signer(k)
	if parent == nil {
		parent = tmpl
	} else {
		signer = parentKey
	}
	der := must1(x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, signer))
	return must1(x509.ParseCertificate(der)), k
}

// sealLike returns a leaf certificate shaped like a pilot seal (C, O, URI SAN = iss,
// digitalSignature) issued by parent (self-signed when nil), with its key.
func sealLike(iss, country string, ku x509.KeyUsage, parent *x509.Certificate, parentKey crypto.Signer) (*x509.Certificate, *ecdsa.PrivateKey) {
	u := must1(url.Parse(iss))
	return newCert(&x509.Certificate{
		Subject: pkix.Name{Country: []string{country}, Organization: []string{"Stranger University"}, CommonName: "Stranger University seal"},
		URIs:    []*url.URL{u}, KeyUsage: ku,
		BasicConstraintsValid: true,
	}, parent, parentKey)
}

func caCert(cn, country string) (*x509.Certificate, *ecdsa.PrivateKey) {
	return newCert(&x509.Certificate{
		Subject: pkix.Name{Country: []string{country}, Organization: []string{cn}, CommonName: cn},
		IsCA:    true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}, nil, nil)
}

// sealLikeKey returns a fresh P-256 key.
func sealLikeKey() (crypto.Signer, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }
