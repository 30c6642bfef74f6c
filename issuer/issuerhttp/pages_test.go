package issuerhttp_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/hashi-vc/hashi/issuer/issuerhttp"
	"github.com/hashi-vc/hashi/issuer/issuerstore"
)

var pageKey = bytes.Repeat([]byte("k"), 32)

// newPageEnv is newEnv with the registrar pages mounted, over SQLite, the session clock being
// the issuer's clock.
func newPageEnv(t *testing.T, mutate ...func(*issuer.Config)) *env {
	t.Helper()
	p := pilotPKI(t)
	st, err := issuerstore.New(t.Context(), sqldbtest.Open(t, sqldbtest.SQLiteDSN(t)))
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
	h, err := issuerhttp.New(is, issuerhttp.WithPageKey(pageKey), issuerhttp.WithPageClock(c.Now))
	if err != nil {
		t.Fatal(err)
	}
	s, err := httpx.New(httpx.WithServiceName("issuer"), httpx.WithErrorMapper(issuerhttp.ErrorMapper), httpx.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	h.Register(s.Echo())
	srv := httptest.NewServer(s.Echo())
	t.Cleanup(srv.Close)
	seal, _ := p.Entity(pki.RoleSeal, "oostland")
	return &env{t: t, is: is, h: h, echo: s.Echo(), srv: srv, clock: c, seal: seal, client: srv.Client()}
}

// browserish is a cookie-keeping HTTP client that does not follow redirects.
type browserish struct {
	e    *env
	c    *http.Client
	lang string // Accept-Language
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
	req, err := http.NewRequestWithContext(b.e.t.Context(), http.MethodGet, b.e.srv.URL+path, nil)
	if err != nil {
		b.e.t.Fatal(err)
	}
	return b.send(req)
}

// csrf returns the CSRF cookie's token (after a first GET).
func (b *browserish) csrf() string {
	u, _ := url.Parse(b.e.srv.URL + "/")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == webui.CSRFCookie {
			return c.Value
		}
	}
	b.e.t.Fatal("no CSRF cookie")
	return ""
}

// post posts a form with the CSRF token (unless form already has _csrf).
func (b *browserish) post(path string, form url.Values) page {
	b.e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has(webui.CSRFField) {
		form.Set(webui.CSRFField, b.csrf())
	}
	req, err := http.NewRequestWithContext(b.e.t.Context(), http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

// upload posts a multipart form with one file.
func (b *browserish) upload(path, name string, content []byte) page {
	b.e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField(webui.CSRFField, b.csrf())
	if name != "" {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			b.e.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req, err := http.NewRequestWithContext(b.e.t.Context(), http.MethodPost, b.e.srv.URL+path, &buf)
	if err != nil {
		b.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.send(req)
}

const oost = "/issuer/oostland/registrar"

// signIn signs the browser in to tenant and checks the redirect to the dashboard.
func (b *browserish) signIn(tenant string) {
	b.e.t.Helper()
	base := "/issuer/" + tenant + "/registrar"
	b.get(base + "/sign-in")
	p := b.post(base+"/sign-in", url.Values{"token": {adminToken(tenant)}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != base+"/" {
		b.e.t.Fatalf("sign in: %d %v", p.status, p.header)
	}
}

func (p page) want(t *testing.T, status int, texts ...string) {
	t.Helper()
	if p.status != status {
		t.Fatalf("status %d, want %d\n%s", p.status, status, p.body)
	}
	for _, s := range texts {
		if !strings.Contains(p.body, s) {
			t.Fatalf("page lacks %q\n%s", s, p.body)
		}
	}
}

func (p page) wantRedirect(t *testing.T, location string) {
	t.Helper()
	if p.status != http.StatusSeeOther || p.header.Get("Location") != location {
		t.Fatalf("got %d Location %q, want 303 %q\n%s", p.status, p.header.Get("Location"), location, p.body)
	}
}

func TestPagesCatalog(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	// The catalogue is internal; check it through a Catalog built from the same files.
	cat := pagesCatalog(t)
	webuitest.CheckCatalog(t, cat)
	// Every page renders in both languages (a missing message fails the render).
	b := e.browser("ja")
	b.signIn("oostland")
	for _, p := range []string{"/", "/graduates", "/offers", "/offers/new", "/credentials", "/audit"} {
		for _, lang := range []string{"en", "ja"} {
			b.get(oost+p+"?lang="+lang).want(t, http.StatusOK, `<html lang="`+lang+`">`)
		}
	}
}

func TestPagesSignIn(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("en-GB,en;q=0.9")

	// Every page but the sign-in page needs a session; forms too.
	for _, p := range []string{"", "/", "/graduates", "/offers", "/offers/new", "/offers/x", "/credentials", "/audit"} {
		b.get(oost+p).wantRedirect(t, oost+"/sign-in")
	}
	r := b.get(oost + "/sign-in")
	r.want(t, http.StatusOK, `<html lang="en">`, "Registrar token", "Oostland University", `name="_csrf"`)
	if ct, csp := r.header.Get("Content-Type"), r.header.Get("Content-Security-Policy"); ct != webui.ContentType || !strings.Contains(csp, "default-src 'self'") {
		t.Fatalf("content type %q, CSP %q", ct, csp)
	}
	if strings.Contains(r.body, "<script") || strings.Contains(r.body, "style=") {
		t.Fatal("page has a script or a style attribute")
	}
	b.post(oost+"/offers", url.Values{"credential_configuration_id": {issuer.ConfigDiplomaSDJWT}, "graduate_id": {"x"}}).wantRedirect(t, oost+"/sign-in")
	b.post(oost+"/graduates/x/approve", nil).wantRedirect(t, oost+"/sign-in")

	// Wrong and empty tokens, and another university's token.
	for _, tc := range []struct{ name, token, lang, text string }{
		{"fail/wrong-token", "nope", "en", "This Registrar token is not correct for this university."},
		{"fail/other-tenants-token", adminToken("sakuragaoka"), "en", "This Registrar token is not correct"},
		{"fail/empty", " ", "en", "Registrar token is required."},
		{"fail/wrong-token-ja", "nope", "ja", "教務担当者トークンがこの大学のものと一致しません。"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := b.post(oost+"/sign-in?lang="+tc.lang, url.Values{"token": {tc.token}})
			p.want(t, http.StatusUnauthorized, tc.text, `aria-invalid="true"`, `aria-describedby="token-hint token-error"`)
			if p.header.Get("Set-Cookie") != "" && strings.Contains(p.header.Get("Set-Cookie"), issuerhttp.SessionCookie) {
				t.Fatal("session cookie set after a failed sign-in")
			}
		})
	}
	b.get(oost+"/?lang=en").wantRedirect(t, oost+"/sign-in")

	// The right token: a session cookie scoped to the tenant's pages, for 8 hours.
	b.get(oost + "/sign-in")
	r = b.post(oost+"/sign-in", url.Values{"token": {adminToken("oostland")}})
	r.wantRedirect(t, oost+"/")
	var session *http.Cookie
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == issuerhttp.SessionCookie {
			session = c
		}
	}
	if session == nil || session.Path != oost || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.MaxAge != int((8*time.Hour).Seconds()) {
		t.Fatalf("session cookie %+v", session)
	}
	b.get(oost+"/").want(t, http.StatusOK, "Oostland University", "オーストランド大学", `id="sign-out"`)
	b.get(oost+"/sign-in").wantRedirect(t, oost+"/")
	b.get(oost+"/?lang=ja").want(t, http.StatusOK, "概要", "発行済み証明書")

	// Tenant isolation: the cookie is not sent to another tenant's pages, and its value, sent
	// by hand, does not open them; the API still wants its bearer token.
	b.get("/issuer/sakuragaoka/registrar/").wantRedirect(t, "/issuer/sakuragaoka/registrar/sign-in")
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, e.srv.URL+"/issuer/sakuragaoka/registrar/", nil)
	req.AddCookie(&http.Cookie{Name: issuerhttp.SessionCookie, Value: session.Value})
	e.browser("en").send(req).wantRedirect(t, "/issuer/sakuragaoka/registrar/sign-in")
	e.do("GET", "/issuer/oostland/admin/offers", hdrs("Cookie", issuerhttp.SessionCookie+"="+session.Value), nil).wantError(t, 401, "unauthorized")
	// A forged or altered cookie does not open the pages.
	req, _ = http.NewRequestWithContext(t.Context(), http.MethodGet, e.srv.URL+oost+"/", nil)
	req.AddCookie(&http.Cookie{Name: issuerhttp.SessionCookie, Value: strings.Replace(session.Value, "b29zdGxhbmQ", "c2FrdXJhZ2Fva2E", 1)})
	e.browser("en").send(req).wantRedirect(t, oost+"/sign-in")

	// Unknown pages are HTML 404s in the page language; the API's 404s stay JSON.
	b.get(oost+"/nope?lang=ja").want(t, http.StatusNotFound, "ページが見つかりません")
	r = b.get(oost + "/offers/nope?lang=en")
	r.want(t, http.StatusNotFound, "Page not found")
	if ct := r.header.Get("Content-Type"); ct != webui.ContentType {
		t.Fatalf("404 content type %q", ct)
	}
	e.do("GET", "/issuer/oostland/offers/nope", nil, nil).wantError(t, http.StatusNotFound, "not_found")
	if r := e.do("GET", "/issuer/oostland/nope", nil, nil); r.status != http.StatusNotFound || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("API 404: %d %v", r.status, r.header)
	}
	// The language switch after an import result leads back to the graduates.
	b.get(oost+"/graduates/import?lang=en").wantRedirect(t, oost+"/graduates")
	if r := e.do("GET", "/issuer/nowhere/registrar/", nil, nil); r.status != http.StatusNotFound || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("unknown tenant: %d %v", r.status, r.header)
	}

	// The stylesheets are served.
	css := regexp.MustCompile(`href="(` + oost + `/assets/registrar\.[0-9a-f]+\.css)"`).FindStringSubmatch(b.get(oost + "/").body)
	if css == nil {
		t.Fatal("no registrar stylesheet link")
	}
	if r := b.get(css[1]); r.status != 200 || r.header.Get("Content-Type") != "text/css; charset=utf-8" || !strings.Contains(r.body, ".pin") {
		t.Fatalf("stylesheet: %d %v", r.status, r.header)
	}

	// Sign out ends the session.
	b.post(oost+"/sign-out", nil).wantRedirect(t, oost+"/sign-in?signed_out=1")
	b.get(oost+"/").wantRedirect(t, oost+"/sign-in")
	b.get(oost+"/sign-in?signed_out=1").want(t, http.StatusOK, "You are signed out.")

	// The session expires after 8 hours.
	b.signIn("oostland")
	e.clock.Add(8*time.Hour - time.Second)
	b.get(oost+"/").want(t, http.StatusOK)
	e.clock.Add(time.Second)
	b.get(oost+"/").wantRedirect(t, oost+"/sign-in")
}

// TestPagesSessionReplicas: a session works on every replica with the same page key and
// registrar token, and ends when the token changes.
func TestPagesSessionReplicas(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("en")
	b.signIn("oostland")
	u, _ := url.Parse(e.srv.URL + oost + "/")
	var value string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == issuerhttp.SessionCookie {
			value = c.Value
		}
	}
	if value == "" {
		t.Fatal("no session cookie")
	}
	visit := func(other *env) page {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, other.srv.URL+oost+"/", nil)
		req.AddCookie(&http.Cookie{Name: issuerhttp.SessionCookie, Value: value})
		return other.browser("en").send(req)
	}
	visit(newPageEnv(t)).want(t, http.StatusOK, "Oostland University")
	rotated := newPageEnv(t, func(c *issuer.Config) { c.Tenants[0].AdminTokenSHA256 = sha256.Sum256([]byte("new token")) })
	visit(rotated).wantRedirect(t, oost+"/sign-in")
}

func TestPagesCSRF(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("ja")
	b.get(oost + "/sign-in")
	// Sign-in without the token, with a wrong one, from another site.
	b.post(oost+"/sign-in", url.Values{"token": {adminToken("oostland")}, "_csrf": {""}}).want(t, http.StatusForbidden, "アクセスできません")
	b.post(oost+"/sign-in", url.Values{"token": {adminToken("oostland")}, "_csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAA"}}).want(t, http.StatusForbidden)
	b.get(oost+"/").wantRedirect(t, oost+"/sign-in")

	b.signIn("oostland")
	res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, true)
	for _, p := range []string{"/offers", "/offers/" + res.OfferID + "/reoffer", "/sign-out", "/graduates/x/approve", "/credentials/x/status"} {
		b.post(oost+p, url.Values{"_csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAA"}, "status": {"revoked"}}).want(t, http.StatusForbidden)
	}
	// Nothing changed: the session still works and the offer is still the only one, pending.
	var offers []issuer.OfferView
	e.admin("GET", "oostland", "/offers", nil).json(t, &offers)
	if len(offers) != 1 || offers[0].State != "pending" {
		t.Fatalf("offers %+v", offers)
	}
	b.get(oost+"/").want(t, http.StatusOK)
}

// importCSV is a CSV of two graduates: s-1 valid and not yet approved, s-2 with a mistyped
// EQF level.
func importCSV(t testing.TB) []byte {
	t.Helper()
	var rec any
	dec := json.NewDecoder(bytes.NewReader(diploma(t)))
	dec.UseNumber()
	if err := dec.Decode(&rec); err != nil {
		t.Fatal(err)
	}
	cells := map[string]string{}
	flatten("", rec, cells)
	cols := make([]string, 0, len(cells))
	for k := range cells {
		cols = append(cols, k)
	}
	sort.Strings(cols)
	row := func(id, approved string, override map[string]string) string {
		vals := []string{id, approved}
		for _, c := range cols {
			v := cells[c]
			if o, ok := override[c]; ok {
				v = o
			}
			vals = append(vals, csvQuote(v))
		}
		return strings.Join(vals, ",")
	}
	return []byte(strings.Join([]string{
		strings.Join(append([]string{"graduate_id", "approved"}, cols...), ","),
		row("s-1", "false", nil),
		row("s-2", "true", map[string]string{"degree.eqf_level": "seven"}),
	}, "\r\n") + "\r\n")
}

func TestPagesImport(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("ja,en;q=0.5")
	b.signIn("oostland")
	b.get(oost+"/graduates").want(t, http.StatusOK, "まだ卒業生が登録されていません。", `enctype="multipart/form-data"`)

	// The CSV: one row in, one rejected with the reason in Japanese.
	r := b.upload(oost+"/graduates/import", "graduates.csv", importCSV(t))
	r.want(t, http.StatusOK, "追加 1 件、更新 0 件、却下 1 件", `id="row-1"`, `id="row-2"`, "整数で指定してください", "(degree.eqf_level)", `class="state state-rejected"`)
	// In English.
	b.lang = "en"
	r = b.upload(oost+"/graduates/import", "graduates.csv", importCSV(t))
	r.want(t, http.StatusOK, "0 added, 1 updated, 1 rejected", "must be an integer")
	// JSON lines, told by the content; one valid line and one that is not a record.
	jl := `{"graduate_id":"j-1","record":` + string(diploma(t)) + "}\n" + `{"graduate_id":"j-2","record":{"learner":{}}}` + "\n"
	b.upload(oost+"/graduates/import", "export.txt", []byte(jl)).want(t, http.StatusOK, "1 added, 0 updated, 1 rejected", `id="graduate-j-1"`)
	// A bad header rejects the file as a whole; no file is a field error.
	b.lang = "ja"
	b.upload(oost+"/graduates/import", "bad.csv", []byte("graduate_id,learner.nickname\ns-9,x\n")).
		want(t, http.StatusUnprocessableEntity, "ファイルを登録できませんでした。", "学位記の項目ではありません", "learner.nickname",
			`id="unknown-column-hint"`, `href="`+oost+issuerhttp.SampleCSVPath+`"`)
	b.upload(oost+"/graduates/import", "", nil).want(t, http.StatusUnprocessableEntity, "ファイルは必須です。")
	var grads []issuer.GraduateView
	e.admin("GET", "oostland", "/graduates", nil).json(t, &grads)
	if len(grads) != 2 || grads[0].ID != "j-1" || grads[1].ID != "s-1" || grads[1].Approved {
		t.Fatalf("graduates %+v", grads)
	}
	// Over the import limit: 413, in the page language.
	big := bytes.Repeat([]byte("x"), issuerhttp.DefaultImportBodyLimit+1)
	b.upload(oost+"/graduates/import", "big.csv", big).want(t, http.StatusRequestEntityTooLarge, "データが大きすぎます")

	// Approve s-1.
	r = b.get(oost + "/graduates")
	r.want(t, http.StatusOK, `action="`+oost+`/graduates/s-1/approve"`)
	b.post(oost+"/graduates/s-1/approve", nil).wantRedirect(t, oost+"/graduates?approved=s-1")
	r = b.get(oost + "/graduates?approved=s-1")
	r.want(t, http.StatusOK, "卒業生 s-1 の学位授与を承認しました。")
	if strings.Contains(r.body, "/graduates/s-1/approve") {
		t.Fatal("approve button still shown")
	}
	b.post(oost+"/graduates/nobody/approve", nil).want(t, http.StatusNotFound)
	// Sakuragaoka sees none of it.
	s := e.browser("en")
	s.signIn("sakuragaoka")
	s.get("/issuer/sakuragaoka/registrar/graduates").want(t, http.StatusOK, "No graduates have been imported yet.")
	s.post("/issuer/sakuragaoka/registrar/graduates/s-1/approve", nil).want(t, http.StatusNotFound)
	// The audit log shows the import and the approval.
	b.get(oost+"/audit").want(t, http.StatusOK, "卒業生を登録", "学位授与を承認", ">教務担当者</td>", ">学位授与を承認</td>")
	// Over the default 64 KiB body limit but within the import's.
	var many strings.Builder
	for i := range 120 {
		fmt.Fprintf(&many, `{"graduate_id":"bulk-%03d","record":%s}`+"\n", i, diploma(t))
	}
	many.WriteString(`{"graduate_id":"bulk-bad","record":{}}` + "\n")
	if many.Len() <= 64<<10 {
		t.Fatalf("bulk file only %d bytes", many.Len())
	}
	r = b.upload(oost+"/graduates/import", "bulk.jsonl", []byte(many.String()))
	r.want(t, http.StatusOK, "追加 120 件、更新 0 件、却下 1 件", `id="only-rejected"`, `id="row-121"`)
	if strings.Contains(r.body, `id="row-1"`) {
		t.Fatal("a long import lists its accepted rows")
	}
	b.get(oost+"/graduates").want(t, http.StatusOK, `id="graduate-bulk-049"`, `href="`+oost+`/graduates?after=bulk-049"`)
	r = b.get(oost + "/graduates?after=bulk-049")
	r.want(t, http.StatusOK, `id="graduate-bulk-050"`, `href="`+oost+`/graduates?after=bulk-099"`)
	if strings.Contains(r.body, `id="graduate-bulk-049"`) {
		t.Fatal("second page repeats the first")
	}
	r = b.get(oost + "/graduates?after=bulk-099")
	r.want(t, http.StatusOK, `id="graduate-bulk-119"`, `id="graduate-j-1"`, `id="graduate-s-1"`)
	if strings.Contains(r.body, "次のページ") {
		t.Fatal("the last page links to a next one")
	}
}

// collect redeems an offer with the test wallet and obtains one credential.
func collect(t *testing.T, e *env, uri, txCode string) {
	t.Helper()
	w := newWallet(e, "oostland")
	_, code := w.offer(uri)
	tok := w.token(code, txCode, true)
	k := newHolderKey(t)
	r := w.resource(issuer.PathCredential, tok, credentialBody(issuer.ConfigDiplomaSDJWT, w.proof(k, w.nonce(), nil)))
	if r.status != http.StatusOK {
		t.Fatalf("credential: %d %s", r.status, r.body)
	}
}

var pinRE = regexp.MustCompile(`<span id="tx-code" aria-hidden="true">(\d+)</span>`)

func TestPagesOffersAndCredentials(t *testing.T) {
	t.Parallel()
	e := newPageEnv(t)
	b := e.browser("en")
	b.signIn("oostland")
	b.upload(oost+"/graduates/import", "g.csv", importCSV(t)).want(t, http.StatusOK)

	// The form offers the three configurations with their display names.
	r := b.get(oost + "/offers/new?graduate_id=s-1")
	r.want(t, http.StatusOK, `value="s-1"`, `<option value="s-1">`, `type="checkbox" id="tx_code" name="tx_code" value="on" checked`)
	for _, c := range issuer.Configurations {
		r.want(t, http.StatusOK, `value="`+c.ID+`"`)
	}
	r.want(t, http.StatusOK, "SD-JWT VC", "JWT VC, W3C data model 1.1")
	// Field errors come back in the page language.
	b.post(oost+"/offers?lang=ja", url.Values{"credential_configuration_id": {issuer.ConfigDiplomaSDJWT}, "graduate_id": {"nobody"}, "tx_code": {"on"}}).
		want(t, http.StatusUnprocessableEntity, "このIDの卒業生は登録されていません", `value="nobody"`)
	b.post(oost+"/offers?lang=en", url.Values{"credential_configuration_id": {"nope"}, "graduate_id": {"s-1"}}).
		want(t, http.StatusUnprocessableEntity, "is not one of this issuer&#39;s credential configurations")

	// s-1 is not approved: the offer is deferred.
	r = b.post(oost+"/offers", url.Values{"credential_configuration_id": {issuer.ConfigDiplomaSDJWT}, "graduate_id": {"s-1"}, "tx_code": {"on"}})
	if r.status != http.StatusSeeOther || !strings.HasPrefix(r.header.Get("Location"), oost+"/offers/") {
		t.Fatalf("create offer: %d %v %s", r.status, r.header, r.body)
	}
	loc := r.header.Get("Location")
	id := strings.TrimSuffix(strings.TrimPrefix(loc, oost+"/offers/"), "?created=1")
	view, err := e.is.Offer(t.Context(), "oostland", id)
	if err != nil {
		t.Fatal(err)
	}
	r = b.get(loc)
	r.want(t, http.StatusOK, "The offer was created.", `<svg xmlns="http://www.w3.org/2000/svg" class="qr"`, "Waiting for the wallet",
		"The conferral is not approved yet.", ">"+view.Offer+"</textarea>", `href="`+strings.ReplaceAll(view.Offer, "&", "&amp;")+`"`, "1 July 2026")
	if m := pinRE.FindStringSubmatch(r.body); m == nil || m[1] != view.TxCode || len(m[1]) != 6 {
		t.Fatalf("PIN %v, want %s", m, view.TxCode)
	}
	r.want(t, http.StatusOK, `<span class="sr-only">PIN: `+strings.Join(strings.Split(view.TxCode, ""), " ")+`</span>`)

	// An offer without a PIN, re-offered with one: the first is withdrawn.
	r = b.post(oost+"/offers", url.Values{"credential_configuration_id": {issuer.ConfigDiplomaJWTVC}, "graduate_id": {"s-1"}})
	noPin := strings.TrimSuffix(strings.TrimPrefix(r.header.Get("Location"), oost+"/offers/"), "?created=1")
	b.get(oost+"/offers/"+noPin).want(t, http.StatusOK, "This offer has no PIN")
	r = b.post(oost+"/offers/"+noPin+"/reoffer", nil)
	if r.status != http.StatusSeeOther {
		t.Fatalf("reoffer: %d %s", r.status, r.body)
	}
	b.get(r.header.Get("Location")).want(t, http.StatusOK, `id="tx-code"`)
	b.get(oost+"/offers/"+noPin).want(t, http.StatusOK, "This offer was withdrawn")
	b.get(oost+"/offers?lang=ja").want(t, http.StatusOK, "取り下げ", "ウォレットの受け取り待ち", "学位証明書 <span class=\"muted\">（JWT VC・W3Cデータモデル1.1）</span>")

	// The graduate collects the first offer once approved.
	b.post(oost+"/graduates/s-1/approve", nil).wantRedirect(t, oost+"/graduates?approved=s-1")
	collect(t, e, view.CredentialOfferURI, view.TxCode)
	r = b.get(oost + "/offers/" + id + "?lang=en")
	r.want(t, http.StatusOK, "Collected", "The graduate&#39;s wallet has collected this offer.", oost+"/credentials?offer_id="+id)
	if strings.Contains(r.body, `class="qr"`) || strings.Contains(r.body, `id="tx-code"`) {
		t.Fatal("a redeemed offer still shows its QR code or PIN")
	}
	cs, err := e.is.ListIssuances(t.Context(), "oostland", id, time.Time{}, 0)
	if err != nil || len(cs) != 1 {
		t.Fatalf("issuances %+v %v", cs, err)
	}
	cid := cs[0].ID
	r = b.get(oost + "/credentials?offer_id=" + id)
	r.want(t, http.StatusOK, `id="credential-`+cid+`"`, ">Valid<", "s-1", "Revoke…", "Suspend…", "Revoke this credential?",
		`aria-label="Revoke the credential of Sanne de Vries (graduate s-1)"`) // each row's controls say whose they are

	// Suspend, reinstate, revoke; a revoked credential stays revoked.
	post := func(status string) page {
		return b.post(oost+"/credentials/"+cid+"/status", url.Values{"status": {status}})
	}
	post("suspended").wantRedirect(t, oost+"/credentials?changed=suspended")
	b.get(oost+"/credentials?changed=suspended").want(t, http.StatusOK, "The credential is suspended.", ">Suspended<", ">Reinstate<")
	post("valid").wantRedirect(t, oost+"/credentials?changed=valid")
	post("revoked").wantRedirect(t, oost+"/credentials?changed=revoked")
	r = b.get(oost + "/credentials?changed=revoked&lang=ja")
	r.want(t, http.StatusOK, "証明書を失効させました。", ">失効<", "失効済み（取り消し不可）")
	if strings.Contains(r.body, `/credentials/`+cid+`/status`) {
		t.Fatal("a revoked credential still has status buttons")
	}
	post("valid").want(t, http.StatusConflict, "失効した証明書は一時停止・復帰できません。", `id="credential-`+cid+`"`)
	post("deleted").want(t, http.StatusBadRequest)
	if got := e.issuances("oostland"); len(got) != 1 || got[0].Status != "revoked" {
		t.Fatalf("issuances %+v", got)
	}
	// Sakuragaoka cannot touch it.
	s := e.browser("en")
	s.signIn("sakuragaoka")
	s.post("/issuer/sakuragaoka/registrar/credentials/"+cid+"/status", url.Values{"status": {"valid"}}).want(t, http.StatusNotFound)
	s.get("/issuer/sakuragaoka/registrar/offers/"+id).want(t, http.StatusNotFound)

	// Dashboard counts and the audit trail.
	r = b.get(oost + "/?lang=en")
	for sel, n := range map[string]string{"count-graduates": "1", "count-offers": "3", "count-pending": "1", "count-redeemed": "1", "count-credentials": "1", "count-revoked": "1"} {
		r.want(t, http.StatusOK, fmt.Sprintf(`id="%s">%s<`, sel, n))
	}
	b.get(oost+"/audit?lang=en").want(t, http.StatusOK, "Credential revoked", "Credential suspended", "Credential reinstated", "Offer collected", "Credential issued", "Offer withdrawn", "Wallet")
}

// pagesCatalog builds a Catalog from the pages' message files.
func pagesCatalog(t *testing.T) *webui.Catalog {
	t.Helper()
	cat, err := webui.NewCatalog(os.DirFS("messages"))
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestPagesOptions(t *testing.T) {
	t.Parallel()
	e := newEnv(t, sqldbtest.Open(t, sqldbtest.SQLiteDSN(t)))
	for _, tc := range []struct {
		name string
		opt  issuerhttp.Option
	}{
		{"fail/short-key", issuerhttp.WithPageKey(make([]byte, 31))},
		{"fail/nil-clock", issuerhttp.WithPageClock(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := issuerhttp.New(e.is, tc.opt); err == nil {
				t.Fatal("no error")
			}
		})
	}
	// Without a page key there are no pages: the path is the API's JSON 404.
	r := e.do("GET", oost+"/sign-in", nil, nil)
	if r.status != http.StatusNotFound || r.header.Get("Content-Type") != "application/json" {
		t.Fatalf("pages without a key: %d %v %s", r.status, r.header, r.body)
	}
}
