package issuerhttp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
	"github.com/hashi-vc/hashi/issuer"
)

// TestPagesBrowser drives the registrar pages in headless Chromium: sign in, switch
// languages, import, approve, make an offer with a PIN, let a wallet collect it, revoke.
func TestPagesBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	e := newPageEnv(t)
	b := webuitest.Browser(t)
	b.SetAcceptLanguage("en-GB,en;q=0.9")
	site := e.srv.URL + oost

	// An unauthenticated request lands on the sign-in page; a wrong token is refused.
	if st := b.Navigate(site + "/"); st != http.StatusOK {
		t.Fatalf("GET / = %d", st)
	}
	if loc := b.Location(); loc != site+"/sign-in" {
		t.Fatalf("not sent to sign in: %s", loc)
	}
	b.Fill("#token", "wrong")
	if st := b.ClickNavigate("#sign-in"); st != http.StatusUnauthorized {
		t.Fatalf("wrong token = %d", st)
	}
	if got := b.Text(".field-errors li"); !strings.Contains(got, "not correct") {
		t.Fatalf("error %q", got)
	}
	// The focus is on the field, which its error describes.
	if got := b.EvalString(`document.activeElement.id + " " + document.activeElement.getAttribute("aria-describedby")`); got != "token token-hint token-error" {
		t.Fatalf("focus after a failed sign-in: %q", got)
	}
	b.Fill("#token", adminToken("oostland"))
	if st := b.ClickNavigate("#sign-in"); st != http.StatusOK {
		t.Fatalf("sign in = %d", st)
	}
	if got := b.Text("#title"); got != "Overview" {
		t.Fatalf("title %q", got)
	}

	// 日本語 and back.
	b.ClickNavigate(`nav.langs a[lang="ja"]`)
	if got, lang := b.Text("#title"), b.Attr("html", "lang"); got != "概要" || lang != "ja" {
		t.Fatalf("ja: %q %q", got, lang)
	}
	b.ClickNavigate(`nav.langs a[lang="en"]`)
	if got := b.Text("#title"); got != "Overview" {
		t.Fatalf("back to en: %q", got)
	}

	// Import in Japanese: the bad row's reason is in Japanese.
	b.ClickNavigate(`.registrar-nav a[href$="/graduates"]`)
	b.ClickNavigate(`nav.langs a[lang="ja"]`)
	csv := filepath.Join(t.TempDir(), "graduates.csv")
	if err := os.WriteFile(csv, importCSV(t), 0o600); err != nil {
		t.Fatal(err)
	}
	b.Do("choose file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{csv}))
	if st := b.ClickNavigate("#import-submit"); st != http.StatusOK {
		t.Fatalf("import = %d", st)
	}
	if got := b.Text("#row-2"); !strings.Contains(got, "却下") || !strings.Contains(got, "整数で指定してください") {
		t.Fatalf("row 2: %q", got)
	}
	if got := b.Text("#row-1"); !strings.Contains(got, "追加") {
		t.Fatalf("row 1: %q", got)
	}

	// Approve s-1, then make an offer for it with a PIN.
	b.ClickNavigate("#graduate-s-1 button.approve")
	if got := b.Text(".flash"); got != "卒業生 s-1 の学位授与を承認しました。" {
		t.Fatalf("flash %q", got)
	}
	b.ClickNavigate("#graduate-s-1 a.button")
	if got := b.EvalString(`document.querySelector("#graduate_id").value + "/" + document.querySelector("#tx_code").checked`); got != "s-1/true" {
		t.Fatalf("form %q", got)
	}
	if st := b.ClickNavigate("#create-offer"); st != http.StatusOK {
		t.Fatalf("create offer = %d", st)
	}
	if got := b.Attr("svg.qr", "role"); got != "img" {
		t.Fatalf("QR code role %q", got)
	}
	pin := b.Text("#tx-code")
	if !regexp.MustCompile(`^\d{6}$`).MatchString(pin) {
		t.Fatalf("PIN %q", pin)
	}
	if got := b.EvalString(`getComputedStyle(document.querySelector("#tx-code")).fontSize`); got != "48px" {
		t.Errorf("PIN font size %q (registrar stylesheet not applied?)", got)
	}
	if got := b.Text("#offer-state"); got != "ウォレットの受け取り待ち" {
		t.Fatalf("state %q", got)
	}
	link := b.EvalString(`document.querySelector("#offer-link").value`)
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "openid-credential-offer" {
		t.Fatalf("offer link %q", link)
	}

	// The wallet collects it over HTTP; the page shows it after a reload.
	collect(t, e, u.Query().Get("credential_offer_uri"), pin)
	b.ClickNavigate("#reload")
	if got := b.Text("#offer-state"); got != "受け取り済み" {
		t.Fatalf("state after collection %q", got)
	}
	b.ClickNavigate("#offer-credentials")
	if got := b.Text("td.status .state"); got != "有効" {
		t.Fatalf("status %q", got)
	}

	// Revoke, confirming in the page.
	b.Click("td.actions details.confirm summary")
	if st := b.ClickNavigate("button.revoke"); st != http.StatusOK {
		t.Fatalf("revoke = %d", st)
	}
	if got := b.Text("td.status .state"); got != "失効" {
		t.Fatalf("status after revoke %q", got)
	}
	b.ClickNavigate(`nav.langs a[lang="en"]`)
	if got := b.Text("td.status .state"); got != "Revoked" {
		t.Fatalf("status in English %q", got)
	}
	if got := e.issuances("oostland"); len(got) != 1 || got[0].Status != "revoked" {
		t.Fatalf("issuances %+v", got)
	}
}

// layoutJS measures the page: the document's scroll width, the elements that reach past the
// viewport, and the number of lines of every status badge and date.
const layoutJS = `JSON.stringify((() => {
  const vw = document.documentElement.clientWidth, over = [];
  const main = document.querySelector("main"), edge = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
  for (const el of main.querySelectorAll("table")) {
    const r = el.getBoundingClientRect();
    if (r.right > edge + 0.5) over.push("table#" + el.id + " past the content's edge " + Math.round(edge) + ": " + Math.round(r.right));
  }
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width > 1 && r.right > vw + 0.5 && !el.closest("table.stack thead, .sr-only")) over.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\\s+/).join(".") : "") + " " + Math.round(r.left) + ".." + Math.round(r.right));
  }
  const lines = sel => [...document.querySelectorAll(sel)].filter(el => el.offsetParent !== null).map(el => {
    const cs = getComputedStyle(el);
    const h = el.getBoundingClientRect().height - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom) - parseFloat(cs.borderTopWidth) - parseFloat(cs.borderBottomWidth);
    return {text: el.textContent, lines: Math.round(h / parseFloat(cs.lineHeight))};
  });
  return {viewport: vw, scrollWidth: document.documentElement.scrollWidth, over: over.slice(0, 10), badges: lines(".state"), dates: lines("td time")};
})())`

type layout struct {
	Viewport    int      `json:"viewport"`
	ScrollWidth int      `json:"scrollWidth"`
	Over        []string `json:"over"`
	Badges      []struct {
		Text  string `json:"text"`
		Lines int    `json:"lines"`
	} `json:"badges"`
	Dates []struct {
		Text  string `json:"text"`
		Lines int    `json:"lines"`
	} `json:"dates"`
}

// checkFits fails t when the page is wider than the viewport (width, less a scroll bar), a badge takes more than one line or
// a date more than two.
func checkFits(t *testing.T, b *webuitest.B, width int, what string) {
	t.Helper()
	var l layout
	if err := json.Unmarshal([]byte(b.EvalString(layoutJS)), &l); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	// A desktop browser's scroll bar takes some of the width.
	if l.Viewport > width || l.Viewport < width-20 {
		t.Fatalf("%s: viewport %d, want %d", what, l.Viewport, width)
	}
	if l.ScrollWidth > l.Viewport || len(l.Over) > 0 {
		b.Screenshot(what)
		t.Errorf("%s: %d px wide in %d px; past the edge: %v", what, l.ScrollWidth, l.Viewport, l.Over)
	}
	for _, x := range l.Badges {
		if x.Lines != 1 {
			t.Errorf("%s: badge %q takes %d lines", what, x.Text, x.Lines)
		}
	}
	for _, x := range l.Dates {
		if x.Lines > 2 {
			t.Errorf("%s: date %q takes %d lines", what, x.Text, x.Lines)
		}
	}
}

// TestPagesBrowserLayout: on a phone (390 px) no registrar page is wider than the screen, an
// open revoke confirmation included, and neither is any on a desktop (1280 px); status
// badges keep to one line and dates to two.
func TestPagesBrowserLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	e := newPageEnv(t)
	ctx := t.Context()
	// Two graduates, one approved; a credential collected by a wallet and a pending offer.
	var rows []issuer.GraduateRow
	for _, g := range []struct {
		id       string
		d        academic.Diploma
		approved bool
	}{
		{"E23M-1187", academic.SampleJPMasterEngineering(), true},
		{"M19-0042-medicine-school-of-medicine-2025", academic.SampleJPMedicalBachelor(), false},
	} {
		rec, err := json.Marshal(g.d)
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, issuer.GraduateRow{ID: g.id, Record: rec, Approved: &g.approved})
	}
	if res, err := e.is.ImportGraduates(ctx, "sakuragaoka", rows); err != nil || res[0].Outcome != "created" || res[1].Outcome != "created" {
		t.Fatalf("import %+v %v", res, err)
	}
	pin := true
	offer := func(id string) *issuer.OfferResult {
		res, err := e.is.CreateOffer(ctx, "sakuragaoka", issuer.OfferRequest{CredentialConfigurationID: issuer.ConfigDiplomaSDJWT, GraduateID: id, TxCode: &pin})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	o := offer("E23M-1187")
	collectAndNotify(t, e, "sakuragaoka", o.CredentialOfferURI, o.TxCode)
	pending := offer(rows[1].ID)

	b := webuitest.Browser(t)
	b.SetAcceptLanguage("ja,en;q=0.5")
	site := e.srv.URL + saku
	for _, size := range []struct {
		w, h   int64
		mobile bool
	}{{390, 844, true}, {1280, 800, false}} {
		opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
		if size.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
		}
		b.Do("viewport", chromedp.EmulateViewport(size.w, size.h, opts...))
		for _, lang := range []string{"ja", "en"} {
			at := func(what string) string { return fmt.Sprintf("%s %s at %d px", what, lang, size.w) }
			w := int(size.w)
			b.Navigate(site + "/sign-in?lang=" + lang)
			checkFits(t, b, w, at("sign-in"))
			b.Fill("#token", "wrong")
			b.ClickNavigate("#sign-in")
			checkFits(t, b, w, at("failed sign-in"))
			b.Fill("#token", adminToken("sakuragaoka"))
			b.ClickNavigate("#sign-in")
			checkFits(t, b, w, at("overview"))
			for _, p := range []string{"/graduates", "/offers/new", "/offers", "/offers/" + o.OfferID, "/offers/" + pending.OfferID, "/audit"} {
				b.Navigate(site + p)
				checkFits(t, b, w, at(p))
			}
			// The import's results.
			b.Navigate(site + "/graduates")
			csv := filepath.Join(t.TempDir(), "graduates.csv")
			if err := os.WriteFile(csv, importCSV(t), 0o600); err != nil {
				t.Fatal(err)
			}
			b.Do("choose file", chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{csv}))
			b.ClickNavigate("#import-submit")
			checkFits(t, b, w, at("import results"))
			// The issued credentials, then with each confirmation open: it shows on screen.
			b.Navigate(site + "/credentials")
			checkFits(t, b, w, at("credentials"))
			for _, c := range []struct{ summary, button string }{
				{"td.actions details.confirm:nth-of-type(1) summary", "button.revoke"},
				{"td.actions details.confirm:nth-of-type(2) summary", "button.suspend"},
			} {
				b.Navigate(site + "/credentials")
				b.Click(c.summary)
				checkFits(t, b, w, at("credentials, "+c.button+" confirmation open"))
				got := b.EvalString(`(() => { const r = document.querySelector("` + c.button + `").getBoundingClientRect();
					return (r.left >= 0 && r.right <= document.documentElement.clientWidth && r.width > 0) + " " + Math.round(r.left) + ".." + Math.round(r.right); })()`)
				if !strings.HasPrefix(got, "true ") {
					t.Errorf("%s: the confirmation's button is at %s", at("credentials"), got)
				}
			}
			b.Navigate(site + "/audit")
			checkFits(t, b, w, at("audit after the import"))
			b.ClickNavigate("#sign-out")
		}
	}
}
