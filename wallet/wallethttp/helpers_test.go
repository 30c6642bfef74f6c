package wallethttp_test

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/internal/wallettest"
	"github.com/hashi-vc/hashi/wallet/wallethttp"
	"github.com/hashi-vc/hashi/wallet/walletstore"
	"golang.org/x/crypto/argon2"
)

var (
	// testPilot is the pilot PKI of the test binary, made by TestMain.
	testPilot *wallettest.Pilot
	// testNow is testPilot.Now, the fixed wallet and counterpart time.
	testNow time.Time
)

func TestMain(m *testing.M) {
	wallettest.Main(m, func(p *wallettest.Pilot) { testPilot, testNow = p, p.Now })
}

func entity(t testing.TB, role pki.Role, id string) *pki.Entity {
	t.Helper()
	return testPilot.Entity(t, role, id)
}

// clock is the pages' and the wallet core's clock (sessions, rate limits, validity).
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// cheapHash is argon2id with test parameters, so tests do not spend 19 MiB per account.
func cheapHash(pw string) (string, error) {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	h := argon2.IDKey([]byte(pw), salt, 1, 64, 1, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=19$m=64,t=1,p=1$%s$%s", enc.EncodeToString(salt), enc.EncodeToString(h)), nil
}

type env struct {
	t      testing.TB
	vbase  string
	iss    *wallettest.FakeIssuer
	ver    *wallettest.FakeVerifier
	store  *walletstore.Store
	h      *wallethttp.Handler
	srv    *httptest.Server // the wallet pages over plain http on loopback
	clock  *clock
	wallet *wallet.Wallet
}

func newEnv(t testing.TB) *env { t.Helper(); return newEnvTrust(t, true) }

// newEnvTrust is newEnv whose issuer trust lists list the issuer or (listed false) nobody.
func newEnvTrust(t testing.TB, listed bool) *env {
	t.Helper()
	cp := wallettest.NewCounterparts(t, testPilot)
	e := &env{t: t, vbase: cp.VBase, iss: cp.Issuer, ver: cp.Verifier, clock: &clock{t: testNow}}

	var issuerAnchors []*x509.Certificate
	if listed {
		issuerAnchors = append(issuerAnchors, entity(t, pki.RoleSealCA, "jp").Certificate)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	var err error
	e.store, err = walletstore.New(t.Context(), sqldbtest.Open(t, sqldbtest.SQLiteDSN(t)), key)
	if err != nil {
		t.Fatal(err)
	}
	e.wallet, err = wallet.New(e.store, cp.Client, e.clock.Now,
		wallettest.TrustOptions(issuerAnchors, []*x509.Certificate{entity(t, pki.RoleAccessCA, "jp").Certificate})...)
	if err != nil {
		t.Fatal(err)
	}
	e.h, err = wallethttp.New(e.wallet, e.store, wallethttp.WithClock(e.clock.Now), wallethttp.WithPasswordHasherInsecure(cheapHash))
	if err != nil {
		t.Fatal(err)
	}
	s, err := httpx.New(httpx.WithServiceName("wallet"), httpx.WithLogger(testLogger()))
	if err != nil {
		t.Fatal(err)
	}
	e.h.Register(s.Echo())
	e.srv = httptest.NewServer(s.Echo())
	t.Cleanup(e.srv.Close)
	return e
}

// browserish is a cookie-keeping HTTP client that does not follow redirects.
type browserish struct {
	e    *env
	c    *http.Client
	lang string
}

func (e *env) browser(lang string) *browserish {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &browserish{e: e, lang: lang, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (p page) location() string { return p.header.Get("Location") }

func (b *browserish) send(req *http.Request) page {
	b.e.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *browserish) get(path string) page {
	b.e.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return b.send(req)
}

func (b *browserish) cookie(name string) string {
	u, _ := url.Parse(b.e.srv.URL + "/wallet/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// post posts a form with the CSRF token (unless form already has _csrf), after a GET that
// sets the CSRF cookie when there is none.
func (b *browserish) post(path string, form url.Values) page {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has(webui.CSRFField) {
		if b.cookie(webui.CSRFCookie) == "" {
			b.get("/wallet/sign-in")
		}
		form.Set(webui.CSRFField, b.cookie(webui.CSRFCookie))
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

func (b *browserish) signUp(username string) {
	b.e.t.Helper()
	p := b.post("/wallet/sign-up", url.Values{"username": {username}, "password": {"correct horse battery"}, "password2": {"correct horse battery"}})
	if p.status != http.StatusSeeOther || p.location() != "/wallet/credentials" {
		b.e.t.Fatalf("sign-up %s: %d %s\n%s", username, p.status, p.location(), p.body)
	}
}

var heldID = regexp.MustCompile(`name="id" value="([^"]+)"`)

// hidden returns the held id in a page.
func hidden(t testing.TB, p page) string {
	t.Helper()
	m := heldID.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no held id in page %d:\n%s", p.status, p.body)
	}
	return m[1]
}

// receive pastes the issuer's offer link and enters pin.
func (b *browserish) receive(pin string) page {
	b.e.t.Helper()
	p := b.post("/wallet/receive", url.Values{"link": {b.e.iss.OfferLink()}})
	if p.status != http.StatusOK {
		b.e.t.Fatalf("offer page %d:\n%s", p.status, p.body)
	}
	return b.post("/wallet/receive/accept", url.Values{"id": {hidden(b.e.t, p)}, "tx_code": {pin}})
}

// disclosed returns the claim names disclosed in the SD-JWT presentations the verifier
// got last, per query id.
func (e *env) disclosed() map[string][]string {
	e.t.Helper()
	e.ver.Mu.Lock()
	defer e.ver.Mu.Unlock()
	if len(e.ver.Decrypted) == 0 {
		e.t.Fatal("the verifier got nothing")
	}
	var resp struct {
		VPToken map[string][]string `json:"vp_token"`
	}
	if err := json.Unmarshal(e.ver.Decrypted[len(e.ver.Decrypted)-1], &resp); err != nil {
		e.t.Fatal(err)
	}
	out := map[string][]string{}
	for q, ps := range resp.VPToken {
		for _, p := range ps {
			parts := strings.Split(p, "~")
			for _, d := range parts[1 : len(parts)-1] {
				b, err := base64.RawURLEncoding.DecodeString(d)
				if err != nil {
					e.t.Fatal(err)
				}
				var arr []any
				if err := json.Unmarshal(b, &arr); err != nil {
					e.t.Fatal(err)
				}
				if len(arr) == 3 {
					out[q] = append(out[q], arr[1].(string))
				}
			}
		}
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

// lastResponse returns the last decrypted response the verifier got.
func (e *env) lastResponse() map[string]any {
	e.t.Helper()
	e.ver.Mu.Lock()
	defer e.ver.Mu.Unlock()
	if len(e.ver.Decrypted) == 0 {
		e.t.Fatal("the verifier got nothing")
	}
	var m map[string]any
	if err := json.Unmarshal(e.ver.Decrypted[len(e.ver.Decrypted)-1], &m); err != nil {
		e.t.Fatal(err)
	}
	return m
}

// testLogger discards, unless HASHI_TEST_LOG=1 asks for the server's log on stderr.
func testLogger() *slog.Logger {
	if os.Getenv("HASHI_TEST_LOG") == "1" {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

// addDiploma stores for owner a copy of its first credential issued again by the fake
// issuer's seal, bound to the same key, with claims set over Hanako's diploma (nil deletes
// one) and every personal claim and degree member disclosable. The card shows issuer as
// where it came from (the stored issuer, not the signed iss). It returns the new id.
func (e *env) addDiploma(t testing.TB, owner, issuer string, claims map[string]any) string {
	t.Helper()
	ctx := context.Background()
	cs, err := e.store.Credentials(ctx, owner)
	if err != nil || len(cs) == 0 {
		t.Fatalf("addDiploma: no credential to copy: %v", err)
	}
	e.iss.Mu.Lock()
	key := e.iss.IssuedKeys[0]
	e.iss.Mu.Unlock()
	jwk, err := jose.PublicJWK(key)
	if err != nil {
		t.Fatal(err)
	}
	all := map[string]any{"iss": e.iss.ID, "vct": academic.VCTHashiDiploma, "iat": testNow.Add(-time.Hour).Unix(),
		"exp": testNow.Add(365 * 24 * time.Hour).Unix(), "cnf": map[string]any{"jwk": jwk},
		"given_name": "Hanako", "family_name": "Yamada", "birthdate": "2000-04-01",
		"degree": map[string]any{"type": "master", "award_date": "2026-03-20"}}
	for k, v := range claims {
		if v == nil {
			delete(all, k)
			continue
		}
		all[k] = v
	}
	var sd []sdjwt.Path
	for _, k := range []string{"given_name", "family_name", "birthdate", "native_names"} {
		if _, ok := all[k]; ok {
			sd = append(sd, sdjwt.Path{k})
		}
	}
	deg, _ := all["degree"].(map[string]any)
	for k := range deg {
		sd = append(sd, sdjwt.Path{"degree", k})
	}
	is, err := sdjwt.NewVCIssuer(e.iss.Signer, jose.SignHeader{X5C: e.iss.Chain})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := is.Issue(all, sd)
	if err != nil {
		t.Fatal(err)
	}
	c := cs[0]
	c.ID, c.Raw, c.Issuer, c.BatchID = "copy-"+strings.ToLower(rand.Text()), wallet.Secret(raw), issuer, ""
	c.ReceivedAt = cs[len(cs)-1].ReceivedAt.Add(time.Minute) // listed after the others
	if issuer == "" {
		c.Issuer = cs[0].Issuer
	}
	if err := e.store.SaveCredentials(ctx, owner, []wallet.Credential{c}, ""); err != nil {
		t.Fatal(err)
	}
	return c.ID
}

// diplomaTitle is a hashi diploma's degree.title claim: the original and its translations.
func diplomaTitle(lang, value string, translations map[string]any) map[string]any {
	t := map[string]any{"lang": lang, "value": value}
	if translations != nil {
		t["translations"] = translations
	}
	return t
}
