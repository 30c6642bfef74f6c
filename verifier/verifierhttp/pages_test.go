package verifierhttp_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
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
	b.post(desk+"/requests", url.Values{"what": {"claims"}, "response_mode": {"direct_post"}}).want(t, http.StatusUnprocessableEntity, "field-errors", "autofocus")

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
	ja.get(loc).want(t, http.StatusOK, `<html lang="ja">`, ">受理<", "資格の比較", "発行者の署名", "オランダ",
		`<span class="trust-step" lang="en">Oostland University</span>`)

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

// TestPagesGetOnPostPaths: a page rendered in answer to a POST (the new-request form with its
// errors) has the POST's path, and so has its language switch; GET on each POST-only path of
// the desk answers 303 to the page its form is on, keeping lang, and that page answers in the
// language chosen. Signed out, the switch ends on the sign-in form in that language; GET on
// the sign-out path does not sign out.
func TestPagesGetOnPostPaths(t *testing.T) {
	t.Parallel()
	e := newEnv(t, verifierhttp.WithPageKey(pageKey))
	b := e.browser("en")
	b.signIn()
	// The walkthrough's case: a validation error on the new-request form, then the switch.
	b.post(desk+"/requests", url.Values{"what": {"claims"}, "response_mode": {"direct_post"}}).
		want(t, http.StatusUnprocessableEntity, `href="`+desk+`/requests?lang=ja"`)
	title := map[string]string{"en": "<h1 id=\"title\">New request</h1>", "ja": "<h1 id=\"title\">新しい提示要求</h1>"}
	for _, path := range []string{desk + "/requests", desk + "/sign-out"} {
		for _, lang := range []string{"ja", "en"} {
			p := b.get(path + "?lang=" + lang)
			if loc := p.header.Get("Location"); p.status != http.StatusSeeOther || loc != desk+"/?lang="+lang {
				t.Fatalf("GET %s?lang=%s: %d %q", path, lang, p.status, loc)
			}
			b.get(desk+"/?lang="+lang).want(t, http.StatusOK, `<html lang="`+lang+`">`, title[lang])
		}
	}
	// No lang, or one the pages do not serve: the page itself.
	for _, q := range []string{"", "?lang=xx", "?lang=ja-JP&x=1"} {
		if p := b.get(desk + "/requests" + q); p.status != http.StatusSeeOther || p.header.Get("Location") != desk+"/" {
			t.Fatalf("GET requests%s: %d %q", q, p.status, p.header.Get("Location"))
		}
	}
	// Still signed in.
	b.get(desk+"/").want(t, http.StatusOK, `id="sign-out"`)

	anon := e.browser("en")
	p := anon.get(desk + "/requests?lang=ja")
	p = anon.get(p.header.Get("Location"))
	if p.status != http.StatusSeeOther || p.header.Get("Location") != desk+"/sign-in" {
		t.Fatalf("signed out: %d %q", p.status, p.header.Get("Location"))
	}
	anon.get(desk+"/sign-in").want(t, http.StatusOK, `<html lang="ja">`, "ログイン")
}

// trustPathText is the text of the report's first trust path, tags removed.
func trustPathText(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<p class="trust-path" id="trust-path-0">(.*?)</p>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no trust path\n%s", body)
	}
	return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], ""))
}

// TestPagesReportDeskAndNames: the report names the desk that made the request (WithDeskName,
// in the page's language; else the BaseURL's host and path), says "checks of the whole
// response" once, and its trust path gives each step's names in the page's language (else
// English): never the list's "Name [en] / 名前 [ja]".
func TestPagesReportDeskAndNames(t *testing.T) {
	t.Parallel()
	if org := getPilot().access.Certificate.Subject.Organization; len(org) != 1 || org[0] != deskNames["en"] {
		t.Fatalf("the access certificate's organizationName %q is not the desk's English name", org)
	}
	e := newEnv(t, verifierhttp.WithPageKey(pageKey), verifierhttp.WithDeskName(deskNames))
	en, ja := e.browser("en"), e.browser("ja")
	en.signIn()
	ja.signIn()
	loc := en.post(desk+"/requests", url.Values{"what": {"diploma"}, "response_mode": {"direct_post"}}).header.Get("Location")
	if _, res := newTestWallet(e, getPilot().issueJP(statusIdx)).answer(t, e.report(strings.TrimPrefix(loc, desk+"/requests/")).Request); res.status != http.StatusOK {
		t.Fatalf("wallet: %d %s", res.status, res.body)
	}

	p := en.get(loc)
	p.want(t, http.StatusOK, `class="verdict verdict-accepted"`,
		`<p class="report-desk" id="report-desk">Requested by: <span class="desk-name" lang="en">Pilot Recruitment Desk JP</span></p>`,
		`<h2 id="resp-checks-h">Checks of the whole response</h2>`, `aria-labelledby="resp-checks-h"`)
	if n := strings.Count(p.body, "Checks of the whole response"); n != 1 {
		t.Errorf(`"Checks of the whole response" %d times`, n)
	}
	if got := trustPathText(t, p.body); !strings.Contains(got, "JP pilot LoTE → JP → Sakuragaoka University → Sakuragaoka University seal CA → CN=") ||
		strings.Contains(got, "桜ヶ丘大学") || strings.Contains(got, "[en]") || strings.Contains(got, " / ") {
		t.Errorf("en trust path %q", got)
	}

	p = ja.get(loc)
	p.want(t, http.StatusOK, `<span class="desk-name" lang="ja">パイロット採用窓口（日本）</span>`, `<h2 id="resp-checks-h">応答全体の確認</h2>`,
		`<span class="trust-step" lang="ja">桜ヶ丘大学</span>`)
	if n := strings.Count(p.body, "応答全体の確認"); n != 1 {
		t.Errorf(`"応答全体の確認" %d times`, n)
	}
	// The service has an English name only: English it is.
	if got := trustPathText(t, p.body); !strings.Contains(got, "JP pilot LoTE → JP → 桜ヶ丘大学 → Sakuragaoka University seal CA → CN=") ||
		strings.Contains(got, "[ja]") || strings.Contains(got, "[en]") {
		t.Errorf("ja trust path %q", got)
	}

	// Without WithDeskName the desk is its base URL's host and path; a list without the
	// page's language (the NL list: English and Dutch) gives the English name.
	e2 := newEnv(t, verifierhttp.WithPageKey(pageKey))
	b := e2.browser("ja")
	b.signIn()
	loc = b.post(desk+"/requests", url.Values{"what": {"diploma"}, "response_mode": {"direct_post"}}).header.Get("Location")
	newTestWallet(e2, getPilot().issueEU(statusIdx)).answer(t, e2.report(strings.TrimPrefix(loc, desk+"/requests/")).Request)
	p = b.get(loc)
	p.want(t, http.StatusOK, `要求元： <span class="desk-name">jp-desk.localhost/verifier</span>`)
	if got := trustPathText(t, p.body); !strings.Contains(got, "EU LOTL → NL trusted list → NL → Oostland University → Oostland University seal CA → CN=") ||
		strings.Contains(got, "Universiteit") {
		t.Errorf("EU trust path on a Japanese page %q", got)
	}

	for _, names := range []map[string]string{nil, {"en": ""}, {"": "Desk"}, {"en": "Desk\nB"}, {"en": strings.Repeat("d", verifierhttp.MaxDeskNameLen+1)}} {
		if _, err := verifierhttp.New(e.flow, verifierhttp.WithAPITokenSHA256([32]byte{1}), verifierhttp.WithDeskName(names)); err == nil {
			t.Errorf("desk name %q accepted", names)
		}
	}
}

// sameDevice makes a same-device request through the API, lets the wallet answer it (with
// its credentials, or with the error walletError) and returns the landing page's URL.
func sameDevice(t *testing.T, e *env, walletError string, creds ...string) string {
	t.Helper()
	c := e.create(map[string]any{"profile": "diploma", "same_device": true, "response_mode": "direct_post"})
	w := newTestWallet(e, creds...)
	var res response
	if walletError != "" {
		r := must1(w.fetch(c.Request))
		res = w.post(r, url.Values{"error": {walletError}, "state": {r.State}})
	} else {
		_, res = w.answer(t, c.Request)
	}
	var body map[string]string
	res.json(t, &body)
	if res.status != http.StatusOK || body["redirect_uri"] == "" {
		t.Fatalf("wallet response %d %s", res.status, res.body)
	}
	return body["redirect_uri"]
}

// studentPage gets the landing page u of e in lang, and fails t if it shows anything of the
// desk's report or advice meant for the desk's staff.
func studentPage(t *testing.T, e *env, u, lang string) page {
	t.Helper()
	r := e.do("GET", u, http.Header{"Accept-Language": {lang}}, nil)
	p := page{status: r.status, header: r.header, body: string(r.body)}
	for _, staff := range []string{"trust-path", `id="checks-`, "verdict-advice", "What to do:", "対応：", "Disclosed claims",
		"開示された項目", "Ask the student", "学生に", "IT support", "IT担当", `id="sign-out"`, `class="path">status_`, "access_denied"} {
		if strings.Contains(p.body, staff) {
			t.Errorf("the student's page shows %q\n%s", staff, p.body)
		}
	}
	return p
}

// TestPagesDoneForStudent: the same-device landing page is the student's: it says in their
// language what happened — shared and accepted, not accepted and why (and, for a reason only
// the university can change, to ask it), declined, not shared — and names the desk, without
// the desk's report or the advice for its staff.
func TestPagesDoneForStudent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, verifierhttp.WithDeskName(deskNames))
	page := func(u, lang string) page { t.Helper(); return studentPage(t, e, u, lang) }
	f := getPilot()

	accepted := sameDevice(t, e, "", f.issueEU(statusIdx))
	page(accepted, "en").want(t, http.StatusOK, `class="verdict verdict-accepted"`, `id="verdict-word">Accepted<`,
		"You shared your credential with Pilot Recruitment Desk JP. It was checked and accepted.", "You can close this page.",
		`class="done-credential">Diploma<`, `class="done-issuer" lang="en">Oostland University<`,
		`<dd id="done-desk"><span class="desk-name" lang="en">Pilot Recruitment Desk JP</span></dd>`)
	p := page(accepted, "ja")
	p.want(t, http.StatusOK, `id="verdict-word">受理<`, "パイロット採用窓口（日本）に証明書を提示しました。確認の結果、受理されました。",
		"このページは閉じてかまいません。", `class="done-credential">学位証明書<`)
	if strings.Contains(p.body, `id="done-university"`) || strings.Contains(p.body, `id="done-reason"`) {
		t.Errorf("accepted page with a reason\n%s", p.body)
	}
	// The Japanese issuer's name on a Japanese page.
	page(sameDevice(t, e, "", f.issueJP(statusIdx)), "ja").want(t, http.StatusOK, `class="done-issuer" lang="ja">桜ヶ丘大学<`)

	revoked := sameDevice(t, e, "", f.issueEU(revokedIdx))
	page(revoked, "en").want(t, http.StatusOK, `class="verdict verdict-rejected"`, `id="verdict-word">Not accepted<`,
		"You shared your credential with Pilot Recruitment Desk JP, but it was not accepted.",
		`<p id="done-reason"><strong>Reason:</strong> The issuer has revoked this credential.</p>`,
		"The desk staff see the details and will tell you what to do next.",
		`<p id="done-university">Please contact the university that issued your credential about this.</p>`)
	page(revoked, "ja").want(t, http.StatusOK, `id="verdict-word">不受理<`, "パイロット採用窓口（日本）に証明書を提示しましたが、受理されませんでした。",
		"発行者がこの証明書を失効させています。", "証明書を発行した大学にお問い合わせください。")

	declined := sameDevice(t, e, "access_denied")
	page(declined, "ja").want(t, http.StatusOK, `class="verdict verdict-declined"`, `id="verdict-word">お断りしました<`,
		"証明書の提示をお断りしました。パイロット採用窓口（日本）には何も送られていません。", "窓口の担当者に新しい要求を作成してもらってください。")
	page(declined, "en").want(t, http.StatusOK, `id="verdict-word">You declined<`, "You declined to share your credential. Nothing was sent to Pilot Recruitment Desk JP.")

	// Without WithDeskName the student reads "this desk" (not the desk's host and path).
	e2 := newEnv(t)
	p = studentPage(t, e2, sameDevice(t, e2, "", f.issueEU(statusIdx)), "en")
	p.want(t, http.StatusOK, "You shared your credential with this desk. It was checked and accepted.")
	if strings.Contains(p.body, `id="done-desk"`) || strings.Contains(p.body, "jp-desk.localhost") {
		t.Errorf("the desk's URL on the student's page\n%s", p.body)
	}
	studentPage(t, e2, sameDevice(t, e2, "access_denied"), "ja").want(t, http.StatusOK, "証明書の提示をお断りしました。この窓口には何も送られていません。")

	failed := sameDevice(t, e, "invalid_request_object")
	page(failed, "en").want(t, http.StatusOK, `class="verdict verdict-not_shared"`, `id="verdict-word">Not shared<`,
		"Your wallet could not answer this request, so nothing was sent to Pilot Recruitment Desk JP.")
	page(failed, "ja").want(t, http.StatusOK, "ウォレットがこの要求に応答できなかったため")
}
