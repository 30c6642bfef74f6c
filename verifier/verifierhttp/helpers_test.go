package verifierhttp_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierhttp"
	"github.com/hashi-vc/hashi/verifier/verifierstore"
	"github.com/labstack/echo/v4"
)

// Test times (as in package verifier's tests): the pilot PKI is made before the lists are
// issued; credentials are issued at issuedAt and presented at presentedAt.
var (
	pkiTime     = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	grantedFrom = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)
	listIssued  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	nextUpdate  = time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
	issuedAt    = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	presentedAt = time.Date(2026, 12, 1, 9, 2, 0, 0, time.UTC)
)

const (
	deskHost       = "https://jp-desk.localhost"
	deskBase       = deskHost + "/verifier"
	apiToken       = "desk-secret-token-0123456789"
	svcEAAIssuance = "http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance"
	euLabel        = "EU LOTL → NL trusted list"
	jpLabel        = "JP pilot LoTE"
	statusIdx      = 7
	revokedIdx     = 8
)

var pageKey = bytes.Repeat([]byte{7}, 32)

// deskNames are the JP desk's names (WithDeskName) as pki's default configuration gives them;
// the English one is its access certificate's organizationName.
var deskNames = map[string]string{"en": "Pilot Recruitment Desk JP", "ja": "パイロット採用窓口（日本）"}

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
	dir                    string
	euSeal, jpSeal         *pki.Entity
	euSealCA, jpSealCA     *pki.Entity
	lotlSigner, euTL, jpTL *pki.Entity
	access                 *pki.Entity
	euIssuer, jpIssuer     string
	holder                 *ecdsa.PrivateKey
	trust                  *trustlist.Set
}

var (
	pilotOnce sync.Once
	thePilot  *pilot
)

func TestMain(m *testing.M) {
	code := m.Run()
	if thePilot != nil {
		_ = os.RemoveAll(thePilot.dir)
	}
	os.Exit(code)
}

func getPilot() *pilot {
	pilotOnce.Do(func() {
		dir := must1(os.MkdirTemp("", "verifierhttp-pki-"))
		pkiDir := filepath.Join(dir, "pki")
		_ = must1(pki.Init(pkiDir, pki.DefaultConfig(""), pkiTime))
		p := must1(pki.Load(pkiDir))
		f := &pilot{p: p, dir: dir}
		f.euSeal = must1(p.Entity(pki.RoleSeal, "oostland"))
		f.jpSeal = must1(p.Entity(pki.RoleSeal, "sakuragaoka"))
		f.euSealCA = must1(p.Entity(pki.RoleSealCA, "eu"))
		f.jpSealCA = must1(p.Entity(pki.RoleSealCA, "jp"))
		f.lotlSigner = must1(p.Entity(pki.RoleLOTLSigner, "eu"))
		f.euTL = must1(p.Entity(pki.RoleTLSigner, "eu"))
		f.jpTL = must1(p.Entity(pki.RoleTLSigner, "jp"))
		f.access = must1(p.Entity(pki.RoleAccess, "jp-desk"))
		f.euIssuer = f.euSeal.Certificate.URIs[0].String()
		f.jpIssuer = f.jpSeal.Certificate.URIs[0].String()
		f.holder = must1(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
		f.trust = must1(trustlist.NewSet(trustlist.Labeled{Label: euLabel, List: f.euList()}, trustlist.Labeled{Label: jpLabel, List: f.jpList()}))
		thePilot = f
	})
	return thePilot
}

func pemOf(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

func grantedService(typ string, names trustlist.Names, cert *x509.Certificate, ai []string) trustlist.ServiceDescription {
	return trustlist.ServiceDescription{StateDescription: trustlist.StateDescription{
		Type: typ, Names: names, Certificates: []string{pemOf(cert)}, Status: "granted", StatusStart: grantedFrom, AdditionalInformation: ai,
	}}
}

// euList is the pilot EU LOTL and the NL list it points to, listing the EU seal CA.
func (f *pilot) euList() *trustlist.List {
	lotl := &trustlist.Description{
		Territory: "EU", Sequence: 1, Issued: listIssued, NextUpdate: nextUpdate,
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
	nl := &trustlist.Description{
		Territory: "NL", Sequence: 1, Issued: listIssued, NextUpdate: nextUpdate,
		Operator: trustlist.Party{Names: trustlist.Names{"en": "hashi pilot scheme operator NL"},
			Address: trustlist.Address{Street: "Bezuidenhoutseweg 30", Locality: "Den Haag", Country: "NL", URI: "mailto:pilot-nl@hashi.example"}},
		Providers: []trustlist.ProviderDescription{{
			Party: trustlist.Party{Names: trustlist.Names{"en": "Oostland University", "nl": "Universiteit Oostland"},
				Address: trustlist.Address{Street: "Rapenburg 70", Locality: "Leiden", Country: "NL", URI: "https://oostland.example/"}},
			TradeNames: trustlist.Names{"en": "NTRNL-12345678"},
			Services: []trustlist.ServiceDescription{grantedService("CA/QC", trustlist.Names{"en": "Oostland University seal CA"}, f.euSealCA.Certificate,
				[]string{trustlist.AdditionalInfoForeSeals})},
		}},
	}
	nlXML := must1(trustlist.SignXML(nl, trustlist.ListSigner{Key: f.euTL.Signer(), Certificate: f.euTL.Certificate, Time: listIssued}))
	return must1(trustlist.VerifyXML(nlXML, trustlist.VerifyOptions{Signers: ptrs[0].Signers, At: listIssued}))
}

// jpList is the JP pilot LoTE listing the JP seal CA under the PoC's EAA issuance type.
func (f *pilot) jpList() *trustlist.List {
	d := &trustlist.Description{
		Territory: "JP", Sequence: 1, Issued: listIssued, NextUpdate: nextUpdate,
		LoTEType:                    "http://tl.eujp.ownd-project.com/19602/LoTEType/EAAProvidersList",
		StatusDeterminationApproach: "http://tl.eujp.ownd-project.com/19602/StatusDetn/pilot",
		Operator: trustlist.Party{Names: trustlist.Names{"en": "hashi pilot operator Japan", "ja": "hashi パイロット運営者"},
			Address: trustlist.Address{Street: "1-1 Chiyoda", Locality: "Chiyoda-ku", Country: "JP", URI: "https://pilot.hashi.example/jp"}},
		Providers: []trustlist.ProviderDescription{{
			Party: trustlist.Party{Names: trustlist.Names{"en": "Sakuragaoka University", "ja": "桜ヶ丘大学"},
				Address: trustlist.Address{Street: "1 Sakuragaoka", Locality: "Kyoto", Country: "JP", URI: "https://sakuragaoka.example/"}},
			TradeNames: trustlist.Names{"en": "JCN-1234567890123"},
			Services:   []trustlist.ServiceDescription{grantedService(svcEAAIssuance, trustlist.Names{"en": "Sakuragaoka University seal CA"}, f.jpSealCA.Certificate, nil)},
		}},
	}
	b := must1(trustlist.SignLoTE(d, trustlist.ListSigner{Key: f.jpTL.Signer(), Certificate: f.jpTL.Certificate, Time: listIssued}))
	return must1(trustlist.VerifyLoTE(b, trustlist.VerifyOptions{Signers: []*x509.Certificate{f.jpTL.Certificate}, At: listIssued}))
}

// memStatus is an in-memory StatusSource.
type memStatus struct {
	mu     sync.Mutex
	tokens map[string][]byte
}

func (m *memStatus) FetchStatusList(_ context.Context, uri string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.tokens[uri]
	if !ok {
		return nil, errors.New("404 not found")
	}
	return b, nil
}

func statusURI(issuer string) string { return issuer + "/status/1" }

// statusToken signs a 2-bit status list for uri with seal, revokedIdx revoked.
func statusToken(seal *pki.Entity, uri string, now time.Time) []byte {
	l := must1(statuslist.New(2, 64))
	must(l.Set(revokedIdx, statuslist.Invalid))
	s := must1(jose.NewSigner(seal.Signer(), jose.SignHeader{Typ: statuslist.TokenType, X5C: seal.Chain}))
	return []byte(must1(statuslist.Sign(s, &statuslist.Token{Subject: uri, IssuedAt: now.Add(-10 * time.Minute), ExpiresAt: now.Add(24 * time.Hour), TTL: time.Hour, List: l})))
}

// issueEU issues Oostland University's sample master's diploma (urn:hashi:diploma:1) with
// the pilot seal, bound to the holder key, with status index idx.
func (f *pilot) issueEU(idx int) string {
	d := academic.SampleEUMaster()
	_, value, _ := strings.Cut(f.euSeal.Info.OrganizationIdentifier, "-")
	d.AwardingBody = academic.AwardingBody{Name: academic.LangMap{"en": "Oostland University"}, Country: "NL",
		Identifiers: []academic.Identifier{{Scheme: academic.SchemeEIDASLegalIdentifier, Value: "NL/NL/" + value}}}
	return f.issue(f.euSeal, f.euIssuer, d, idx)
}

// issueJP issues Sakuragaoka University's (桜ヶ丘大学) sample master's diploma, listed in the
// JP pilot LoTE under English and Japanese names, as issueEU does.
func (f *pilot) issueJP(idx int) string {
	d := academic.SampleJPMasterEngineering()
	_, value, _ := strings.Cut(f.jpSeal.Info.OrganizationIdentifier, "-")
	d.AwardingBody = academic.AwardingBody{Name: academic.LangMap{"en": "Sakuragaoka University", "ja": "桜ヶ丘大学"}, Country: "JP",
		Identifiers: []academic.Identifier{{Scheme: academic.SchemeJPCorporateNumber, Value: value}}}
	return f.issue(f.jpSeal, f.jpIssuer, d, idx)
}

func (f *pilot) issue(seal *pki.Entity, iss string, d academic.Diploma, idx int) string {
	must(d.Validate())
	cs := must1(d.HashiDiplomaClaims())
	claims := cs.Claims
	claims["vct"] = cs.VCT
	claims["iss"] = iss
	claims["iat"] = issuedAt.Unix()
	claims["cnf"] = map[string]any{"jwk": must1(jose.PublicJWK(&f.holder.PublicKey))}
	claims["status"] = map[string]any{"status_list": map[string]any{"idx": idx, "uri": statusURI(iss)}}
	var paths []sdjwt.Path
	for _, p := range cs.Disclosable {
		paths = append(paths, sdjwt.Path(p))
	}
	is := must1(sdjwt.NewVCIssuer(seal.Signer(), jose.SignHeader{X5C: seal.Chain}, sdjwt.WithDecoys(2)))
	return must1(is.Issue(claims, paths))
}

// euRule: the JP desk's rule for EU diplomas (CA/QC for e-seals through the EU lists).
func euRule() verifier.Rule {
	return verifier.Rule{
		Name: "EU diplomas through the EU trusted lists", Types: []string{academic.VCTHashiDiploma, academic.VCTLearningCredential},
		Jurisdictions: []string{"EU"},
		Trust:         trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeCAQC, AdditionalInfo: []string{trustlist.AdditionalInfoForeSeals}}}},
		EQFLevels:     []int{6, 7, 8}, RequiredClaims: []dcql.Path{{"degree", "title"}},
	}
}

func jpRule() verifier.Rule {
	return verifier.Rule{
		Name: "JP diplomas through the JP LoTE", Types: []string{academic.VCTHashiDiploma, academic.VCTLearningCredential},
		Jurisdictions: []string{"JP"},
		Trust:         trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: svcEAAIssuance}}},
		EQFLevels:     []int{6, 7, 8}, RequiredClaims: []dcql.Path{{"degree", "title"}},
	}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is the JP desk served over real HTTP, its flow over SQLite.
type env struct {
	t      testing.TB
	flow   *verifier.Flow
	h      *verifierhttp.Handler
	echo   *echo.Echo
	srv    *httptest.Server
	clock  *clock
	client *http.Client
}

func newEnv(t testing.TB, opts ...verifierhttp.Option) *env {
	t.Helper()
	return newEnvFlow(t, nil, opts...)
}

// newEnvFlow is newEnv with the flow's configuration changed by mod.
func newEnvFlow(t testing.TB, mod func(*verifier.FlowConfig), opts ...verifierhttp.Option) *env {
	t.Helper()
	f := getPilot()
	st := &memStatus{tokens: map[string][]byte{
		statusURI(f.euIssuer): statusToken(f.euSeal, statusURI(f.euIssuer), presentedAt),
		statusURI(f.jpIssuer): statusToken(f.jpSeal, statusURI(f.jpIssuer), presentedAt),
	}}
	v := must1(verifier.New(f.trust, st))
	db := sqldbtest.Open(t, sqldbtest.SQLiteDSN(t))
	store, err := verifierstore.New(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: presentedAt}
	cfg := verifier.FlowConfig{
		Key: f.access.Signer(), Chain: f.access.Chain, BaseURL: deskBase,
		Policies:      map[string]verifier.DeskPolicy{"default": {Recognition: verifier.Recognition{Rules: []verifier.Rule{euRule(), jpRule()}}, Jurisdiction: "JP"}},
		DefaultPolicy: "default", Now: c.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	fl, err := verifier.NewFlow(store, v, cfg)
	if err != nil {
		t.Fatal(err)
	}
	opts = append([]verifierhttp.Option{verifierhttp.WithAPITokenSHA256(sha256.Sum256([]byte(apiToken)))}, opts...)
	h, err := verifierhttp.New(fl, opts...)
	if err != nil {
		t.Fatal(err)
	}
	s, err := httpx.New(httpx.WithServiceName("verifier"), httpx.WithErrorMapper(verifierhttp.ErrorMapper))
	if err != nil {
		t.Fatal(err)
	}
	h.Register(s.Echo())
	srv := httptest.NewServer(s.Echo())
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &env{t: t, flow: fl, h: h, echo: s.Echo(), srv: srv, clock: c, client: client}
}

// response is a read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response body %q: %v", r.body, err)
	}
}

type errorBody struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// wantError asserts an error response's status, JSON content type and code.
func (r response) wantError(t testing.TB, status int, code string) errorBody {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d (body %s)", r.status, status, r.body)
	}
	var b errorBody
	r.json(t, &b)
	if b.Error != code {
		t.Fatalf("error %q, want %q (%s)", b.Error, code, b.ErrorDescription)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Fatalf("error content type %q", got)
	}
	return b
}

// local turns a desk URL into the test server's.
func (e *env) local(u string) string {
	rest, ok := strings.CutPrefix(u, deskHost+"/")
	if !ok {
		e.t.Fatalf("URL %q is not under %s", u, deskHost)
	}
	return e.srv.URL + "/" + rest
}

// do sends a request to a path of the server or to an absolute desk URL.
func (e *env) do(method, target string, hdr http.Header, body []byte) response {
	e.t.Helper()
	if strings.HasPrefix(target, "https://") {
		target = e.local(target)
	} else {
		target = e.srv.URL + target
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, target, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: b}
}

func form(v url.Values) (http.Header, []byte) {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}, []byte(v.Encode())
}

// api calls the desk API with the bearer token; body is marshalled unless it is []byte.
func (e *env) api(method, path string, body any) response {
	e.t.Helper()
	hdr := http.Header{"Authorization": {"Bearer " + apiToken}}
	var b []byte
	switch x := body.(type) {
	case nil:
	case []byte:
		b = x
	default:
		b = must1(json.Marshal(x))
	}
	if b != nil {
		hdr.Set("Content-Type", "application/json")
	}
	return e.do(method, "/verifier/api"+path, hdr, b)
}

// created is the answer of POST /api/requests.
type created struct {
	ID         string `json:"id"`
	Request    string `json:"request"`
	RequestURI string `json:"request_uri"`
	Status     string `json:"status"`
	StatusURL  string `json:"status_url"`
}

func (e *env) create(body any) created {
	e.t.Helper()
	r := e.api("POST", "/requests", body)
	if r.status != http.StatusCreated {
		e.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var c created
	r.json(e.t, &c)
	if c.StatusURL != deskBase+"/api/requests/"+c.ID || r.header.Get("Location") != c.StatusURL || c.Status != "pending" {
		e.t.Fatalf("created %+v, Location %q", c, r.header.Get("Location"))
	}
	return c
}

// report reads GET /api/requests/{id}.
func (e *env) report(id string) verifier.Report {
	e.t.Helper()
	r := e.api("GET", "/requests/"+id, nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("status: %d %s", r.status, r.body)
	}
	var rep verifier.Report
	r.json(e.t, &rep)
	return rep
}

// testWallet is a minimal OpenID4VP 1.0 wallet written from the spec (as in package
// verifier's tests), talking HTTP: it opens request links, fetches the request object by GET
// or POST (wallet_metadata, wallet_nonce), validates it (typ, x5c chain to the access CA,
// signature, x509_hash binding, aud, wallet_nonce, exp), presents its credential with a
// KB-JWT and answers with direct_post or direct_post.jwt.
type testWallet struct {
	e      *env
	creds  []string
	anchor *x509.Certificate
	now    time.Time
}

func newTestWallet(e *env, creds ...string) *testWallet {
	return &testWallet{e: e, creds: creds, anchor: getPilot().access.Anchor, now: presentedAt}
}

// authzRequest is a validated request object.
type authzRequest struct {
	ClientID, ResponseMode, ResponseURI, Nonce, State, WalletNonce string
	Query                                                          *dcql.Query
	Claims                                                         map[string]any
}

// fetchRaw fetches the request object of link over HTTP with the link's method.
func (w *testWallet) fetchRaw(link, walletMetadata string) (response, string, string) {
	u := must1(url.Parse(link))
	q := u.Query()
	walletNonce := ""
	if q.Get("request_uri_method") == "post" {
		walletNonce = "wn-" + q.Get("request_uri")[len(q.Get("request_uri"))-8:]
		v := url.Values{"wallet_nonce": {walletNonce}}
		if walletMetadata != "" {
			v.Set("wallet_metadata", walletMetadata)
		}
		h, b := form(v)
		return w.e.do("POST", q.Get("request_uri"), h, b), q.Get("client_id"), walletNonce
	}
	return w.e.do("GET", q.Get("request_uri"), nil, nil), q.Get("client_id"), walletNonce
}

func (w *testWallet) fetch(link string) (*authzRequest, error) {
	r, clientID, walletNonce := w.fetchRaw(link, `{"authorization_encryption_alg_values_supported":["ECDH-ES"],"authorization_encryption_enc_values_supported":["A256GCM"]}`)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != verifierhttp.ContentTypeRequestObject {
		return nil, fmt.Errorf("request object: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	return w.validate(string(r.body), clientID, walletNonce)
}

func (w *testWallet) validate(obj, clientID, walletNonce string) (*authzRequest, error) {
	jws, err := jose.Parse(obj)
	if err != nil {
		return nil, err
	}
	if err := jws.CheckType(verifier.RequestObjectType); err != nil {
		return nil, err
	}
	certs, err := jws.Header.Certificates()
	if err != nil || len(certs) == 0 {
		return nil, fmt.Errorf("no x5c: %w", err)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(w.anchor)
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	if _, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: w.now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return nil, fmt.Errorf("access certificate: %w", err)
	}
	if err := jws.Verify(certs[0].PublicKey, jose.ES256); err != nil {
		return nil, err
	}
	var claims map[string]any
	if err := json.Unmarshal(jws.Payload, &claims); err != nil {
		return nil, err
	}
	str := func(k string) string { s, _ := claims[k].(string); return s }
	r := &authzRequest{Claims: claims, ClientID: str("client_id"), ResponseMode: str("response_mode"), ResponseURI: str("response_uri"),
		Nonce: str("nonce"), State: str("state"), WalletNonce: str("wallet_nonce")}
	switch {
	case r.ClientID != clientID:
		return nil, fmt.Errorf("client_id %q is not the link's %q", r.ClientID, clientID)
	case str("aud") != verifier.RequestObjectAudience, str("response_type") != "vp_token":
		return nil, errors.New("wrong aud or response_type")
	case r.WalletNonce != walletNonce:
		return nil, fmt.Errorf("wallet_nonce %q; sent %q", r.WalletNonce, walletNonce)
	case len(r.Nonce) < 22 || len(r.State) < 22:
		return nil, errors.New("nonce or state below 128 bits")
	}
	if exp, _ := claims["exp"].(float64); int64(exp) <= w.now.Unix() {
		return nil, errors.New("request object expired")
	}
	prefix, orig, _ := strings.Cut(r.ClientID, ":")
	sum := sha256.Sum256(certs[0].Raw)
	if prefix != verifier.PrefixX509Hash || orig != base64.RawURLEncoding.EncodeToString(sum[:]) {
		return nil, errors.New("x509_hash does not match the leaf")
	}
	qb, _ := json.Marshal(claims["dcql_query"])
	if r.Query, err = dcql.Parse(qb); err != nil {
		return nil, err
	}
	return r, nil
}

// present answers the query with the default choice, with a KB-JWT for the request.
func (w *testWallet) present(r *authzRequest) []byte {
	f := getPilot()
	var cands []dcql.Credential
	for _, c := range w.creds {
		u := must1(sdjwt.ParseUnverified(c))
		hdr := u.Header()
		certs := must1(hdr.Certificates())
		v := must1(u.Verify(certs[0].PublicKey, sdjwt.Policy{Type: "dc+sd-jwt", Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: w.now}))
		vct, _ := v.Claims["vct"].(string)
		cands = append(cands, dcql.Credential{Format: dcql.FormatSDJWTVC, VCT: vct, Claims: v.Claims, HolderBinding: v.Confirmation != nil})
	}
	m := must1(r.Query.Match(cands))
	h := must1(sdjwt.NewHolder(f.holder))
	out := map[string][]string{}
	for id, choice := range m.DefaultChoice() {
		for _, cm := range choice {
			var paths []sdjwt.Path
			for _, p := range cm.Paths() {
				paths = append(paths, sdjwt.Path(p))
			}
			out[id] = append(out[id], must1(h.Present(w.creds[cm.Index], paths, sdjwt.KBClaims{Nonce: r.Nonce, Audience: r.ClientID, IssuedAt: w.now})))
		}
	}
	return must1(json.Marshal(out))
}

// form builds the response: direct_post (vp_token, state) or direct_post.jwt (encrypted).
func (w *testWallet) form(r *authzRequest, vpToken []byte) url.Values {
	if r.ResponseMode == verifier.ResponseModeDirectPost {
		return url.Values{"vp_token": {string(vpToken)}, "state": {r.State}}
	}
	payload := must1(json.Marshal(map[string]any{"vp_token": json.RawMessage(vpToken), "state": r.State}))
	meta := r.Claims["client_metadata"].(map[string]any)
	key := meta["jwks"].(map[string]any)["keys"].([]any)[0].(map[string]any)
	offered := meta["encrypted_response_enc_values_supported"].([]any)
	if !slices.Contains(offered, any("A256GCM")) {
		panic(fmt.Sprintf("enc values %v", offered))
	}
	pub := must1(jose.PublicKeyFromMap(key))
	return url.Values{"response": {must1(jose.EncryptECDHES(payload, pub, jose.A256GCM, key["kid"].(string)))}}
}

// post sends a response to the request's response_uri over HTTP.
func (w *testWallet) post(r *authzRequest, v url.Values) response {
	h, b := form(v)
	return w.e.do("POST", r.ResponseURI, h, b)
}

// answer fetches, presents and posts: the whole wallet side of a request link.
func (w *testWallet) answer(t testing.TB, link string) (*authzRequest, response) {
	t.Helper()
	r, err := w.fetch(link)
	if err != nil {
		t.Fatalf("wallet fetch: %v", err)
	}
	return r, w.post(r, w.form(r, w.present(r)))
}
