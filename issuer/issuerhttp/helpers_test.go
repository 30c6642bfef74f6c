package issuerhttp_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerhttp"
	"github.com/hashi-vc/hashi/issuer/issuerstore"
	"github.com/labstack/echo/v4"
)

const (
	host = "https://127.0.0.1:8443"
	base = host + "/issuer"
)

func adminToken(tenant string) string { return "registrar-secret-" + tenant }

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

var (
	pkiOnce sync.Once
	pkiDir  string
	errPKI  error
	pkiVal  *pki.PKI
)

// pilotPKI generates the pilot PKI once per test binary.
func pilotPKI(t testing.TB) *pki.PKI {
	t.Helper()
	pkiOnce.Do(func() {
		if pkiDir, errPKI = os.MkdirTemp("", "hashi-issuerhttp-pki-"); errPKI != nil {
			return
		}
		if _, errPKI = pki.Init(pkiDir, pki.DefaultConfig(base), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); errPKI != nil {
			return
		}
		pkiVal, errPKI = pki.Load(pkiDir)
	})
	if errPKI != nil {
		t.Fatal(errPKI)
	}
	return pkiVal
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pkiDir != "" {
		_ = os.RemoveAll(pkiDir)
	}
	os.Exit(code)
}

// env is an issuer served over real HTTP.
type env struct {
	t      *testing.T
	is     *issuer.Issuer
	h      *issuerhttp.Handler
	echo   *echo.Echo
	srv    *httptest.Server
	clock  *clock
	seal   *pki.Entity
	client *http.Client
}

func newEnv(t *testing.T, db *sqldb.DB, mutate ...func(*issuer.Config)) *env {
	t.Helper()
	p := pilotPKI(t)
	st, err := issuerstore.New(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	var tenants []issuer.Tenant
	for _, u := range []struct{ id, en, ja, country string }{
		{"oostland", "Oostland University", "オーストランド大学", "NL"},
		{"sakuragaoka", "Sakuragaoka University", "桜ヶ丘大学", "JP"},
	} {
		e, err := p.Entity(pki.RoleSeal, u.id)
		if err != nil {
			t.Fatal(err)
		}
		tenants = append(tenants, issuer.Tenant{ID: u.id, NameEN: u.en, NameJA: u.ja, Country: u.country,
			Seal: e.Signer(), Chain: e.Chain, AdminTokenSHA256: sha256.Sum256([]byte(adminToken(u.id)))})
	}
	c := &clock{t: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	cfg := issuer.Config{BaseURL: base, Tenants: tenants, Clock: c.Now, StatusListSize: 1024}
	for _, m := range mutate {
		m(&cfg)
	}
	is, err := issuer.New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	h, err := issuerhttp.New(is)
	if err != nil {
		t.Fatal(err)
	}
	s, err := httpx.New(httpx.WithServiceName("issuer"), httpx.WithErrorMapper(issuerhttp.ErrorMapper))
	if err != nil {
		t.Fatal(err)
	}
	h.Register(s.Echo())
	srv := httptest.NewServer(s.Echo())
	t.Cleanup(srv.Close)
	seal, _ := p.Entity(pki.RoleSeal, "oostland")
	return &env{t: t, is: is, h: h, echo: s.Echo(), srv: srv, clock: c, seal: seal, client: srv.Client()}
}

// runBoth runs fn against SQLite and PostgreSQL, each with its own server.
func runBoth(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		t.Parallel()
		fn(t, newEnv(t, db))
	})
}

// response is a read HTTP response.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response body %q: %v", r.body, err)
	}
}

// errorBody is the error JSON.
type errorBody struct {
	Error            string                `json:"error"`
	ErrorDescription string                `json:"error_description"`
	Fields           []academic.FieldError `json:"fields"`
}

// wantError asserts an error response's status and code.
func (r response) wantError(t *testing.T, status int, code string) errorBody {
	t.Helper()
	var b errorBody
	if r.status != status {
		t.Fatalf("status %d, want %d (body %s)", r.status, status, r.body)
	}
	r.json(t, &b)
	if b.Error != code {
		t.Fatalf("error %q, want %q (%s)", b.Error, code, b.ErrorDescription)
	}
	if got := r.header.Get("Content-Type"); got != "application/json" {
		t.Fatalf("error content type %q", got)
	}
	return b
}

// local turns an issuer URL (https://127.0.0.1:8443/...) into the test server's.
func (e *env) local(u string) string {
	if !strings.HasPrefix(u, host+"/") {
		e.t.Fatalf("URL %q is not under %s", u, host)
	}
	return e.srv.URL + strings.TrimPrefix(u, host)
}

// do sends a request to path (relative to the server) or to an absolute issuer URL.
func (e *env) do(method, target string, hdr map[string][]string, body []byte) response {
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
	req, err := http.NewRequestWithContext(e.t.Context(), method, target, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
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

func hdrs(kv ...string) map[string][]string {
	m := map[string][]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = append(m[kv[i]], kv[i+1])
	}
	return m
}

// admin calls the registrar API of tenant with its token.
func (e *env) admin(method, tenant, path string, body any) response {
	e.t.Helper()
	var b []byte
	h := hdrs("Authorization", "Bearer "+adminToken(tenant))
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			e.t.Fatal(err)
		}
		h["Content-Type"] = []string{"application/json"}
	}
	return e.do(method, "/issuer/"+tenant+"/admin"+path, h, b)
}

// createOffer makes an offer from claims through the registrar API.
func (e *env) createOffer(tenant, config string, txCode bool) issuer.OfferResult {
	e.t.Helper()
	r := e.admin("POST", tenant, "/offers", map[string]any{"credential_configuration_id": config, "claims": diploma(e.t), "tx_code": txCode})
	if r.status != http.StatusCreated {
		e.t.Fatalf("create offer: %d %s", r.status, r.body)
	}
	var res issuer.OfferResult
	r.json(e.t, &res)
	return res
}

// issuances lists the tenant's issued credentials through the registrar API.
func (e *env) issuances(tenant string) []issuer.IssuanceView {
	e.t.Helper()
	r := e.admin("GET", tenant, "/credentials", nil)
	if r.status != http.StatusOK {
		e.t.Fatalf("list credentials: %d %s", r.status, r.body)
	}
	var out []issuer.IssuanceView
	r.json(e.t, &out)
	return out
}

func diploma(t testing.TB) json.RawMessage {
	b, err := json.Marshal(academic.SampleEUMaster())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wallet is an OpenID4VCI client speaking HTTP to the test server.
type wallet struct {
	e      *env
	tenant string
	dpop   *dpop.Prover
}

func newWallet(e *env, tenant string) *wallet {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		e.t.Fatal(err)
	}
	p, err := dpop.NewProver(k)
	if err != nil {
		e.t.Fatal(err)
	}
	return &wallet{e: e, tenant: tenant, dpop: p}
}

// ci is the credential issuer identifier (what htu and aud use).
func (w *wallet) ci() string { return base + "/" + w.tenant }

func (w *wallet) dpopProof(method, path, token string) string {
	w.e.t.Helper()
	p, err := w.dpop.Proof(method, w.ci()+path, dpop.ProofOptions{IssuedAt: w.e.clock.Now(), AccessToken: token})
	if err != nil {
		w.e.t.Fatal(err)
	}
	return p
}

// offer fetches the credential offer and returns its pre-authorized code.
func (w *wallet) offer(uri string) (issuer.CredentialOffer, string) {
	w.e.t.Helper()
	r := w.e.do("GET", uri, nil, nil)
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" || r.header.Get("Content-Type") != "application/json" {
		w.e.t.Fatalf("offer: %d %v %s", r.status, r.header, r.body)
	}
	var o issuer.CredentialOffer
	r.json(w.e.t, &o)
	g, _ := o.Grants[issuer.GrantPreAuthorizedCode].(map[string]any)
	code, _ := g["pre-authorized_code"].(string)
	if code == "" {
		w.e.t.Fatalf("offer without a pre-authorized code: %s", r.body)
	}
	return o, code
}

// tokenRequest posts the token request; withDPoP adds a fresh proof.
func (w *wallet) tokenRequest(code, txCode string, withDPoP bool) response {
	w.e.t.Helper()
	form := url.Values{"grant_type": {issuer.GrantPreAuthorizedCode}, "pre-authorized_code": {code}}
	if txCode != "" {
		form.Set("tx_code", txCode)
	}
	h := hdrs("Content-Type", "application/x-www-form-urlencoded")
	if withDPoP {
		h["DPoP"] = []string{w.dpopProof("POST", issuer.PathToken, "")}
	}
	return w.e.do("POST", "/issuer/"+w.tenant+"/token", h, []byte(form.Encode()))
}

func (w *wallet) token(code, txCode string, withDPoP bool) issuer.TokenResponse {
	w.e.t.Helper()
	r := w.tokenRequest(code, txCode, withDPoP)
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
		w.e.t.Fatalf("token: %d %v %s", r.status, r.header, r.body)
	}
	var tok issuer.TokenResponse
	r.json(w.e.t, &tok)
	return tok
}

func (w *wallet) nonce() string {
	w.e.t.Helper()
	r := w.e.do("POST", "/issuer/"+w.tenant+"/nonce", nil, nil)
	if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
		w.e.t.Fatalf("nonce: %d %v %s", r.status, r.header, r.body)
	}
	var n issuer.NonceResponse
	r.json(w.e.t, &n)
	return n.CNonce
}

type holderKey struct{ key *ecdsa.PrivateKey }

func newHolderKey(t *testing.T) holderKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return holderKey{key: k}
}

// proof builds an openid4vci-proof+jwt; mutate may change the header or claims.
func (w *wallet) proof(k holderKey, nonce string, mutate func(h *jose.SignHeader, claims map[string]any)) string {
	w.e.t.Helper()
	h := jose.SignHeader{Typ: issuer.ProofType, JWK: k.key.Public()}
	claims := map[string]any{"aud": w.ci(), "iat": w.e.clock.Now().Unix(), "nonce": nonce}
	if mutate != nil {
		mutate(&h, claims)
	}
	b, _ := json.Marshal(claims)
	s, err := jose.Sign(k.key, h, b)
	if err != nil {
		w.e.t.Fatal(err)
	}
	return s
}

// resource posts body to a resource endpoint (credential, deferred_credential,
// notification) with the token and, for a DPoP token, a fresh proof.
func (w *wallet) resource(path string, tok issuer.TokenResponse, body any) response {
	w.e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		w.e.t.Fatal(err)
	}
	h := hdrs("Content-Type", "application/json", "Authorization", tok.TokenType+" "+tok.AccessToken)
	if tok.TokenType == "DPoP" {
		h["DPoP"] = []string{w.dpopProof("POST", path, tok.AccessToken)}
	}
	return w.e.do("POST", "/issuer/"+w.tenant+path, h, b)
}

func credentialBody(config string, proofs ...string) map[string]any {
	return map[string]any{"credential_configuration_id": config, "proofs": map[string]any{"jwt": proofs}}
}
