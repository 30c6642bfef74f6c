package verifierhttp_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
	"github.com/hashi-vc/hashi/verifier/verifierhttp"
)

// TestDeskBrowser drives the desk in headless Chromium: sign in, ask for a diploma, see the
// QR code and the link, let the test wallet answer over HTTP, watch the page turn into the
// accepted report by itself (Refresh, no scripts), read the trust path and the qualification
// comparison, check the print stylesheet, and switch to Japanese.
func TestDeskBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	e := newEnv(t, verifierhttp.WithPageKey(pageKey))
	b := webuitest.Browser(t)
	b.SetAcceptLanguage("en-GB,en;q=0.9")
	site := e.srv.URL + desk

	if st := b.Navigate(site + "/"); st != http.StatusOK {
		t.Fatalf("GET desk = %d", st)
	}
	if loc := b.Location(); loc != site+"/sign-in" {
		t.Fatalf("not sent to sign in: %s", loc)
	}
	b.Fill("#token", "wrong")
	if st := b.ClickNavigate("#sign-in"); st != http.StatusUnauthorized {
		t.Fatalf("wrong token = %d", st)
	}
	b.Fill("#token", apiToken)
	if st := b.ClickNavigate("#sign-in"); st != http.StatusOK {
		t.Fatalf("sign in = %d", st)
	}
	if got := b.Text("#title"); got != "New request" {
		t.Fatalf("title %q", got)
	}

	b.Click("#what-diploma")
	if st := b.ClickNavigate("#create"); st != http.StatusOK {
		t.Fatalf("create = %d", st)
	}
	if got := b.Attr("figure.qr-figure svg", "role"); got != "img" {
		t.Fatalf("QR code role %q", got)
	}
	link := b.EvalString(`document.querySelector("#request-link").value`)
	if href := b.Attr("#request-open", "href"); href != link || !strings.HasPrefix(link, "openid4vp://?client_id=") {
		t.Fatalf("link %q href %q", link, href)
	}
	b.Screenshot("pending")
	if got := b.Text("#request-status"); !strings.Contains(got, "No answer yet") {
		t.Fatalf("status %q", got)
	}

	// The wallet answers over HTTP; the page reloads itself into the report.
	if _, res := newTestWallet(e, getPilot().issueEU(statusIdx)).answer(t, link); res.status != http.StatusOK {
		t.Fatalf("wallet response %d %s", res.status, res.body)
	}
	b.Do("wait for the report", chromedp.WaitVisible(chromedp.CSS("#verdict")))
	b.Screenshot("report")
	if got := b.Text("#verdict-word"); got != "Accepted" {
		t.Fatalf("verdict %q", got)
	}
	if got := b.EvalString(`getComputedStyle(document.querySelector("#verdict")).backgroundColor`); got != "rgb(230, 244, 234)" {
		t.Errorf("verdict background %q (desk stylesheet not applied?)", got)
	}
	if got := b.Text("#trust-path-0"); !strings.Contains(got, "EU LOTL → NL trusted list → NL → Oostland University") {
		t.Fatalf("trust path %q", got)
	}
	for sel, want := range map[string]string{
		"#qualification-0 .degree-title": "Master of Science in de Informatica",
		"#qualification-0 .degree-type":  "Master's degree (master)",
		"#qualification-0 .eqf":          "7",
		"#qualification-0 .isced":        "7",
		"#qualification-0 .ects":         "120 ECTS (native ECTS credits, not converted)",
		"#issuer-0 .issuer-country":      "Netherlands (NL)",
	} {
		if got := b.Text(sel); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}

	// Printed: no navigation, black on white.
	media(t, b, "print")
	if got := b.EvalString(`getComputedStyle(document.querySelector("header.site")).display + " " + getComputedStyle(document.querySelector("#verdict")).color + " " + getComputedStyle(document.querySelector("#verdict")).backgroundColor`); got != "none rgb(0, 0, 0) rgb(255, 255, 255)" {
		t.Errorf("print styles %q", got)
	}
	media(t, b, "")

	// 日本語.
	b.ClickNavigate(`nav.langs a[lang="ja"]`)
	if got, lang := b.Text("#verdict-word"), b.Attr("html", "lang"); got != "受理" || lang != "ja" {
		t.Fatalf("ja: %q %q", got, lang)
	}
	b.Screenshot("report-ja")
	if got := b.Text("#qualification-0 .degree-type"); got != "修士 (master)" {
		t.Errorf("ja degree type %q", got)
	}
	if u := must1(url.Parse(b.Location())); u.Query().Get("lang") != "ja" {
		t.Errorf("location %s", b.Location())
	}
}

// media emulates a CSS media type ("" for the default).
func media(t *testing.T, b *webuitest.B, m string) {
	t.Helper()
	if _, err := chromedp.Call(b.Context(), emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m}); err != nil {
		t.Fatalf("emulate media %q: %v", m, err)
	}
}

// TestDeskBrowserPhone walks the desk on a phone (390×844, mobile viewport) in English and
// Japanese: no page is wider than the screen — sign-in, new request, the pending request,
// the report (its summary lists stack label over answer, its checks table reflows), the
// student's same-device page, the list of recent requests (each request a block) and the
// new-request page with the newest under its form — the report names the desk, printing
// still lays the checks out as a table, and the list's link opens the report.
func TestDeskBrowserPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	e := newEnv(t, verifierhttp.WithPageKey(pageKey), verifierhttp.WithDeskName(deskNames))
	b := webuitest.Browser(t)
	b.SetAcceptLanguage("en-GB,en;q=0.9")
	if _, err := chromedp.Call(b.Context(), emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{Width: 390, Height: 844, DeviceScaleFactor: 3, Mobile: true}); err != nil {
		t.Fatalf("phone viewport: %v", err)
	}
	site := e.srv.URL + desk
	fits := func(page string) {
		t.Helper()
		// The document's width, and the right edge of the furthest element of the content
		// (which catches content cut off by overflow as well).
		got := b.EvalString(`String(document.documentElement.scrollWidth) + " " + String(Math.ceil(Math.max(...Array.from(document.querySelectorAll("main *"), el => el.getBoundingClientRect().right))))`)
		var width, right int
		if _, err := fmt.Sscan(got, &width, &right); err != nil {
			t.Fatalf("%s: %q: %v", page, got, err)
		}
		if width > 390 || right > 390 {
			b.Screenshot("too-wide-" + page)
			t.Errorf("%s at 390 px: document %d px wide, content reaches %d px", page, width, right)
		}
	}

	b.Navigate(site + "/sign-in")
	fits("sign-in")
	b.Fill("#token", apiToken)
	if st := b.ClickNavigate("#sign-in"); st != http.StatusOK {
		t.Fatalf("sign in = %d", st)
	}
	fits("new-request")
	b.Click("#what-diploma")
	if st := b.ClickNavigate("#create"); st != http.StatusOK {
		t.Fatalf("create = %d", st)
	}
	fits("pending")
	link := b.EvalString(`document.querySelector("#request-link").value`)
	if _, res := newTestWallet(e, getPilot().issueJP(statusIdx)).answer(t, link); res.status != http.StatusOK {
		t.Fatalf("wallet response %d %s", res.status, res.body)
	}
	b.Do("wait for the report", chromedp.WaitVisible(chromedp.CSS("#verdict")))
	b.Screenshot("phone-report")
	fits("report-en")
	if got := b.Text("#report-desk"); got != "Requested by: Pilot Recruitment Desk JP" {
		t.Errorf("desk %q", got)
	}
	// The summary lists stack: the answer starts under its label, at the left.
	if got := b.EvalString(`String(document.querySelector("#credential-0 .facts dd").getBoundingClientRect().left === document.querySelector("#credential-0 .facts dt").getBoundingClientRect().left)`); got != "true" {
		t.Errorf("label and answer not stacked on the phone")
	}

	// Printed: the checks are a table again, the desk is named, black on white.
	media(t, b, "print")
	if got := b.EvalString(`getComputedStyle(document.querySelector("#checks-0 tbody tr")).display + " " + getComputedStyle(document.querySelector("#report-desk")).display + " " + getComputedStyle(document.querySelector("#verdict")).color`); got != "table-row block rgb(0, 0, 0)" {
		t.Errorf("print styles on the phone %q", got)
	}
	media(t, b, "")

	b.ClickNavigate(`nav.langs a[lang="ja"]`)
	b.Screenshot("phone-report-ja")
	fits("report-ja")
	if got := b.Text("#report-desk"); got != "要求元： パイロット採用窓口（日本）" {
		t.Errorf("ja desk %q", got)
	}
	if got := b.Text("#trust-path-0"); !strings.Contains(got, "JP pilot LoTE → JP → 桜ヶ丘大学 → Sakuragaoka University seal CA → ") {
		t.Errorf("ja trust path %q", got)
	}

	// The student's page after a same-device answer (to a request made a second later).
	e.clock.Add(time.Second)
	c := e.create(map[string]any{"profile": "diploma", "same_device": true})
	_, res := newTestWallet(e, getPilot().issueJP(statusIdx)).answer(t, c.Request)
	var body map[string]string
	res.json(t, &body)
	b.Navigate(e.local(body["redirect_uri"]))
	b.Screenshot("phone-done-ja")
	fits("done-ja")
	if got := b.Text("#verdict-word"); got != "受理" {
		t.Errorf("done verdict %q", got)
	}

	// The list of recent requests, from the desk's menu: the two requests, newest first, each
	// a block on the phone.
	b.Navigate(site + "/")
	fits("new-request-with-recent-ja")
	if st := b.ClickNavigate("#nav-recent"); st != http.StatusOK {
		t.Fatalf("recent = %d", st)
	}
	b.Screenshot("phone-recent-ja")
	fits("recent-ja")
	if got := b.EvalString(`Array.from(document.querySelectorAll("#recent tbody tr"), tr => getComputedStyle(tr).display + ":" + tr.dataset.status).join(" ")`); got != "block:verified block:verified" {
		t.Errorf("rows on the phone %q", got)
	}
	if got := b.Text("#recent tbody tr .state"); got != "受理" {
		t.Errorf("ja badge %q", got)
	}
	if got := b.Attr("#recent tbody tr", "data-id"); got != c.ID {
		t.Errorf("newest row %s; want the same-device request %s", got, c.ID)
	}
	b.ClickNavigate(`nav.langs a[lang="en"]`)
	fits("recent-en")
	if got := b.Text("#recent tbody tr .state"); got != "Accepted" {
		t.Errorf("en badge %q", got)
	}
	if got := b.Text("#recent tbody tr:last-child .recent-link"); !strings.HasSuffix(got, " UTC") || !strings.Contains(got, "December 2026") {
		t.Errorf("en time %q", got)
	}
	// The oldest is the request made at the desk: its link opens the report.
	if st := b.ClickNavigate("#recent tbody tr:last-child .recent-link"); st != http.StatusOK {
		t.Fatalf("open from the list = %d", st)
	}
	if got := b.Text("#report-desk"); got != "Requested by: Pilot Recruitment Desk JP" {
		t.Errorf("report from the list: %q", got)
	}
	if !strings.HasPrefix(b.Location(), site+"/requests/") {
		t.Errorf("report location %s", b.Location())
	}
}
