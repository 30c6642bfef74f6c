package issuerhttp_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
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
