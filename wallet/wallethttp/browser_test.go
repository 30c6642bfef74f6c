package wallethttp_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hashi-vc/hashi/internal/webui/webuitest"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/wallethttp"
)

// TestBrowser drives the wallet in headless Chromium, once in Japanese and once in English:
// sign up, receive a credential from a picture of its offer's QR code with a PIN (a wrong one
// first), open a presentation request by its same-device URL, leave the optional birthdate
// out, share, and read the history, then switch to the other language.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	for _, tc := range []struct {
		lang, accept, other                                        string
		signUpTitle, listTitle, pinHint, trust, consentTitle, sent string
		historySent, otherHistorySent, otherHistoryTitle           string
	}{
		{"ja", "ja,en;q=0.5", "en", "ウォレットのアカウントを作成", "証明書一覧", "PINは4文字です。",
			"JP pilot list に Sakura Trust（日本）（JP）として登録されています。", "証明書の提示を求められています",
			"Pilot Recruitment Desk JPに提示しました。", "提示済み", "shared", "History"},
		{"en", "en-GB,en;q=0.9", "ja", "Create your wallet account", "My credentials", "The PIN has 4 characters.",
			"Listed by JP pilot list as Sakura Trust (JP).", "Someone asks for your credentials",
			"Shared with Pilot Recruitment Desk JP.", "shared", "提示済み", "履歴"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			e := newEnv(t)
			e.iss.TxCode = "4711"
			e.ver.Query = optionalQuery()
			e.ver.NoRedirect = true
			b := webuitest.Browser(t)
			b.SetAcceptLanguage(tc.accept)
			site := e.srv.URL + "/wallet"

			// Sign up.
			b.Navigate(site + "/sign-up")
			if got := b.Text("#title"); got != tc.signUpTitle {
				t.Fatalf("sign-up title %q", got)
			}
			b.Fill("#username", "hanako")
			b.Fill("#password", "sakura sakura yayoi")
			b.Fill("#password2", "sakura sakura yayoi")
			if st := b.ClickNavigate("#sign-up"); st != http.StatusOK {
				t.Fatalf("sign-up = %d", st)
			}
			if got := b.Text("#title"); got != tc.listTitle {
				t.Fatalf("after sign-up %q", got)
			}
			if _, ok := b.Cookie("hashi_wallet"); !ok {
				t.Fatal("no session cookie")
			}

			// Receive with a PIN, the offer read from a picture of its QR code (the file
			// field a phone opens as its camera): the wrong PIN first.
			b.ClickNavigate(`nav.wallet-nav a[href$="/receive"]`)
			if got := b.Attr("#qr", "capture"); got != "environment" {
				t.Fatalf("the QR field does not ask for the camera: capture=%q", got)
			}
			picture := filepath.Join(t.TempDir(), "offer-qr.png")
			if err := os.WriteFile(picture, wallethttp.QRPNG(t, e.iss.OfferLink()), 0o600); err != nil {
				t.Fatal(err)
			}
			b.Do("choose the picture", chromedp.SetUploadFiles(chromedp.CSS("#qr"), []string{picture}))
			if st := b.ClickNavigate("#scan-offer"); st != http.StatusOK {
				t.Fatalf("offer = %d", st)
			}
			if got := b.Text("#tx-hint"); !strings.Contains(got, tc.pinHint) {
				t.Fatalf("PIN hint %q", got)
			}
			b.Fill("#tx_code", "0000")
			if st := b.ClickNavigate("#accept-offer"); st != http.StatusUnprocessableEntity {
				t.Fatalf("wrong PIN = %d", st)
			}
			if got := b.Text(".flash-error"); got != wallet.Message(wallet.CodeTokenRejected, tc.lang) {
				t.Fatalf("wrong PIN message %q", got)
			}
			b.Fill("#tx_code", "4711")
			if st := b.ClickNavigate("#accept-offer"); st != http.StatusOK {
				t.Fatalf("right PIN = %d", st)
			}
			if got := b.Text(".card-trust"); got != tc.trust {
				t.Fatalf("trust %q", got)
			}

			// The request opened as a link (the wallet's same-device URL).
			u, _ := url.Parse(e.ver.Link(""))
			if st := b.Navigate(site + "/present?" + u.RawQuery); st != http.StatusOK {
				t.Fatalf("consent = %d", st)
			}
			if got := b.Text("#title"); got != tc.consentTitle {
				t.Fatalf("consent title %q", got)
			}
			if got := b.Text("#verifier-name"); got != "Pilot Recruitment Desk JP" {
				t.Fatalf("verifier %q", got)
			}
			b.Screenshot("consent")
			// The optional birthdate: ticked, then unticked again by the student.
			b.Click("#include-birth")
			if b.EvalString(`document.getElementById("include-birth").checked ? "on" : "off"`) != "on" {
				t.Fatal("optional query not ticked")
			}
			b.Click("#include-birth")
			if st := b.ClickNavigate("#share"); st != http.StatusOK {
				t.Fatalf("share = %d", st)
			}
			if got := b.Text("#outcome"); got != tc.sent {
				t.Fatalf("outcome %q", got)
			}
			got := e.disclosed()
			if len(got) != 1 || strings.Join(got["diploma"], ",") != "family_name,type" {
				t.Fatalf("disclosed %v", got)
			}

			// The history, then in the other language.
			b.ClickNavigate("#to-history")
			if got := b.Text(".history-outcome"); got != tc.historySent {
				t.Fatalf("history outcome %q", got)
			}
			if got := b.Text(".history-claims"); strings.Contains(got, "birthdate") || !strings.Contains(got, "family_name") {
				t.Fatalf("history claims %q", got)
			}
			b.ClickNavigate(`nav.langs a[lang="` + tc.other + `"]`)
			if got := b.Text(".history-outcome"); got != tc.otherHistorySent {
				t.Fatalf("history outcome in %s %q", tc.other, got)
			}
			if got := b.Text("#title"); got != tc.otherHistoryTitle {
				t.Fatalf("title in %s %q", tc.other, got)
			}
		})
	}
}
