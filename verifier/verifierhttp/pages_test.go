package verifierhttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierhttp"
)

const desk = "/verifier/desk"

// browserish is an HTTP client with cookies that does not follow redirects.
type browserish struct {
	e    *env
	lang string
	c    *http.Client
}

func (e *env) browser(lang string) *browserish {
	jar := must1(cookiejar.New(nil))
	return &browserish{e: e, lang: lang, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browserish) send(method, path string, form url.Values) page {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		if !form.Has(webui.CSRFField) {
			form.Set(webui.CSRFField, b.csrf())
		}
		body = strings.NewReader(form.Encode())
	}
	req := must1(http.NewRequestWithContext(context.Background(), method, b.e.srv.URL+path, body))
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatal(err)
	}
	defer res.Body.Close()
	return page{status: res.StatusCode, header: res.Header, body: string(must1(io.ReadAll(res.Body)))}
}

func (b *browserish) get(path string) page { b.e.t.Helper(); return b.send("GET", path, nil) }
func (b *browserish) post(path string, form url.Values) page {
	b.e.t.Helper()
	return b.send("POST", path, form)
}

func (b *browserish) csrf() string {
	u := must1(url.Parse(b.e.srv.URL + "/"))
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == webui.CSRFCookie {
			return c.Value
		}
	}
	b.e.t.Fatal("no CSRF cookie")
	return ""
}

func (p page) want(t testing.TB, status int, texts ...string) {
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

func (b *browserish) signIn() {
	b.e.t.Helper()
	b.get(desk+"/sign-in").want(b.e.t, http.StatusOK)
	if p := b.post(desk+"/sign-in", url.Values{"token": {apiToken}}); p.status != http.StatusSeeOther || p.header.Get("Location") != desk+"/" {
		b.e.t.Fatalf("sign in: %d %q", p.status, p.header.Get("Location"))
	}
}

func TestPagesCatalog(t *testing.T) {
	t.Parallel()
	e := newEnv(t, verifierhttp.WithPageKey(pageKey))
	webuitest.CheckCatalog(t, e.h.Catalog())
	// Every reason a report can give comes with what the desk officer should do next.
	cat := e.h.Catalog()
	for _, k := range cat.Keys(webui.English) {
		if code, ok := strings.CutPrefix(k, "reason."); ok && code != "unknown" && !cat.Has(webui.English, "advice."+code) {
			t.Errorf("reason %s has no advice", code)
		}
	}
	if _, err := verifierhttp.New(e.flow, verifierhttp.WithPageKey([]byte("short"))); err == nil {
		t.Fatal("short page key accepted")
	}
}

// TestPagesWithoutKey: without WithPageKey there are no desk pages, but the landing page is.
func TestPagesWithoutKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if p := e.browser("en").get(desk + "/sign-in"); p.status != http.StatusNotFound {
		t.Fatalf("desk pages without a key: %d", p.status)
	}
}

// TestPagesWebWallet: with WithWebWallet the pending request also links the web wallet's
// same-device URL, carrying the request's own query; without it there is no such link.
func TestPagesWebWallet(t *testing.T) {
	t.Parallel()
	if _, err := verifierhttp.New(newEnv(t).flow, verifierhttp.WithWebWallet("wallet.example")); err == nil {
		t.Fatal("a relative web wallet URL was accepted")
	}
	for _, wallet := range []string{"", "https://wallet.example/wallet/"} {
		opts := []verifierhttp.Option{verifierhttp.WithPageKey(pageKey)}
		if wallet != "" {
			opts = append(opts, verifierhttp.WithWebWallet(wallet))
		}
		e := newEnv(t, opts...)
		b := e.browser("ja")
		b.signIn()
		loc := b.post(desk+"/requests", url.Values{"what": {"diploma"}, "response_mode": {"direct_post"}}).header.Get("Location")
		page := b.get(loc)
		query := e.report(strings.TrimPrefix(loc, desk+"/requests/")).Request
		query = query[strings.Index(query, "?")+1:]
		has := strings.Contains(page.body, `id="request-open-web"`)
		if wallet == "" {
			if has {
				t.Fatal("web wallet link without WithWebWallet")
			}
			continue
		}
		page.want(t, http.StatusOK, `href="https://wallet.example/wallet/present?`+strings.ReplaceAll(query, "&", "&amp;")+`"`, "Webウォレットで開く")
	}
}

// TestPagesDesk drives the desk pages over HTTP: sign in (a wrong token is refused), make a
// request of chosen claims (the checkboxes build the DCQL query), see the pending page with
// its QR code, link and Refresh header, let the wallet answer, and read the report in both
// languages.
func TestPagesDesk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, verifierhttp.WithPageKey(pageKey))
	b := e.browser("en")
	if p := b.get(desk + "/"); p.status != http.StatusSeeOther || p.header.Get("Location") != desk+"/sign-in" {
		t.Fatalf("unsigned: %d %q", p.status, p.header.Get("Location"))
	}
	b.get(desk+"/sign-in").want(t, http.StatusOK, `<html lang="en">`, "Desk token", `name="_csrf"`)
	b.post(desk+"/sign-in", url.Values{"token": {"wrong"}}).want(t, http.StatusUnauthorized, "not correct for this desk")
	b.post(desk+"/sign-in", url.Values{"token": {apiToken}, webui.CSRFField: {"AAAAAAAAAAAAAAAAAAAAAAAAAA"}}).want(t, http.StatusForbidden)
	b.signIn()
	b.get(desk+"/").want(t, http.StatusOK, "New request", `id="claim-title" name="claim" value="title" checked`)

	// Claims chosen without any: the form comes back with the error.
	b.post(desk+"/requests", url.Values{"what": {"claims"}, "response_mode": {"direct_post"}}).want(t, http.StatusUnprocessableEntity, "field-errors")

	p := b.post(desk+"/requests", url.Values{"what": {"claims"}, "claim": {"title", "type", "level", "credits"}, "response_mode": {"direct_post"}})
	loc := p.header.Get("Location")
	id, ok := strings.CutPrefix(loc, desk+"/requests/")
	if p.status != http.StatusSeeOther || !ok {
		t.Fatalf("create: %d %q", p.status, loc)
	}
	pending := b.get(loc)
	pending.want(t, http.StatusOK, "<svg", `id="request-link"`, "openid4vp://?client_id=x509_hash%3A", `href="openid4vp://`)
	if pending.header.Get("Refresh") != "3" {
		t.Fatalf("Refresh %q", pending.header.Get("Refresh"))
	}
	pending.want(t, http.StatusOK, `id="refresh-off"`)
	// Automatic updates can be stopped (screen readers, copying the link) and started again.
	stopped := b.get(loc + "?refresh=off")
	stopped.want(t, http.StatusOK, `id="refresh-stopped"`, `id="refresh-on"`, `?refresh=off" id="reload"`)
	if stopped.header.Get("Refresh") != "" {
		t.Fatalf("Refresh %q after stopping", stopped.header.Get("Refresh"))
	}
	rep := e.report(id)
	w := newTestWallet(e, getPilot().issueEU(statusIdx))
	r, res := w.answer(t, rep.Request)
	var paths []string
	for _, c := range r.Query.Credentials[0].Claims {
		paths = append(paths, c.Path.String())
	}
	if strings.Join(paths, " ") != `["degree","title"] ["degree","type"] ["degree","level"] ["degree","credits"]` || r.ResponseMode != "direct_post" || res.status != 200 {
		t.Fatalf("query %v mode %q response %d", paths, r.ResponseMode, res.status)
	}

	done := b.get(loc)
	done.want(t, http.StatusOK, `class="verdict verdict-accepted"`, ">Accepted<", "EU LOTL → NL trusted list",
		`lang="nl">Master of Science in de Informatica`, "Master&#39;s degree", "ECTS", "Oostland University", "Netherlands (NL)",
		"Issuer&#39;s signature", "Passed", `class="desk-view"`, "Awarding institution (en)")
	if done.header.Get("Refresh") != "" {
		t.Fatal("the report still refreshes")
	}
	ja := e.browser("ja")
	ja.signIn()
	ja.get(loc).want(t, http.StatusOK, `<html lang="ja">`, ">受理<", "資格の比較", "発行者の署名", "オランダ")

	// A rejected report explains the reason: the desk's policy needs the EQF level.
	p = b.post(desk+"/requests", url.Values{"what": {"claims"}, "claim": {"title"}, "response_mode": {"direct_post.jwt"}, "same_device": {"on"}})
	loc = p.header.Get("Location")
	id = strings.TrimPrefix(loc, desk+"/requests/")
	_, res = w.answer(t, e.report(id).Request)
	if res.status != 200 || !strings.Contains(string(res.body), "redirect_uri") {
		t.Fatalf("same-device response %d %s", res.status, res.body)
	}
	b.get(loc).want(t, http.StatusOK, `class="verdict verdict-rejected"`, ">Rejected<", "does not recognise qualifications at this level", "recognition_level", "Failed",
		`id="verdict-advice"`, "Refer the case to manual credential evaluation.")
	ja.get(loc).want(t, http.StatusOK, "個別の資格審査に回してください")

	// A declined request says what the wallet's answer means and what to do.
	p = b.post(desk+"/requests", url.Values{"what": {"diploma"}, "response_mode": {"direct_post"}})
	declined := p.header.Get("Location")
	r, err := w.fetch(e.report(strings.TrimPrefix(declined, desk+"/requests/")).Request)
	if err != nil {
		t.Fatal(err)
	}
	if res := w.post(r, url.Values{"error": {"access_denied"}, "state": {r.State}}); res.status != 200 {
		t.Fatalf("decline: %d %s", res.status, res.body)
	}
	b.get(declined).want(t, http.StatusOK, `class="verdict verdict-declined"`, "The student declined, or their wallet has no credential that answers this request.", "access_denied")

	// A request nobody answers expires; its page says so.
	p = b.post(desk+"/requests", url.Values{"what": {"learning"}, "response_mode": {"direct_post.jwt"}})
	expired := p.header.Get("Location")
	b.get(expired).want(t, http.StatusOK, "<svg")
	e.clock.Add(11 * time.Minute)
	b.get(expired).want(t, http.StatusOK, `class="verdict verdict-expired"`, ">Expired<", "Create a new request")

	// Sign out ends the session.
	if p := b.post(desk+"/sign-out", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("sign out: %d", p.status)
	}
	if p := b.get(loc); p.status != http.StatusSeeOther {
		t.Fatalf("after sign out: %d", p.status)
	}
	if got := e.report(id).Status; got != verifier.StatusRejected {
		t.Fatalf("status %q", got)
	}
}
