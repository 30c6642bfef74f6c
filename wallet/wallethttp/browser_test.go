package wallethttp_test

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/hashi-vc/hashi/internal/academic"
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
		{"ja", "ja,en;q=0.5", "en", "ウォレットのアカウントを作成", "証明書一覧", "PINは4桁です。",
			"JP pilot list に Sakura Trust（日本）（JP）として登録されています。", "証明書の提示を求められています",
			"Pilot Recruitment Desk JPに提示しました。", "提示済み", "shared", "History"},
		{"en", "en-GB,en;q=0.9", "ja", "Create your wallet account", "My credentials", "The PIN has 4 digits.",
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
			// The claims shared, by their labels in the page's language, their paths only
			// as tooltips.
			famLabel, _ := academic.ClaimLabel(academic.VCTHashiDiploma, []any{"family_name"}, tc.lang)
			birthLabel, _ := academic.ClaimLabel(academic.VCTHashiDiploma, []any{"birthdate"}, tc.lang)
			if got := b.Text(".history-claims"); strings.Contains(got, birthLabel) || !strings.Contains(got, famLabel) || strings.Contains(got, "family_name") {
				t.Fatalf("history claims %q", got)
			}
			if got := b.EvalString(`[...document.querySelectorAll(".history-claims .claim")].map(e => e.title).join("|")`); got != "family_name|degree › type" {
				t.Fatalf("history claim tooltips %q", got)
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

// overflowJS lists what sticks out, in the page shown: the page itself wider than the
// viewport, any element or text right of the viewport, and any element or text of a
// card outside the card's border (into its neighbour). "" when nothing does.
const overflowJS = `(() => {
  const vw = document.documentElement.clientWidth, out = [];
  const name = n => { const el = n.nodeType === 1 ? n : n.parentElement;
    return el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).trim().replace(/ +/g, ".") : "") +
      (n.nodeType === 3 ? ' text "' + n.textContent.trim().slice(0, 40) + '"' : ""); };
  const rect = n => { if (n.nodeType === 1) return n.getBoundingClientRect();
    const r = document.createRange(); r.selectNodeContents(n); return r.getBoundingClientRect(); };
  const nodes = root => { const all = [], w = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode()) if (n.nodeType === 1 || n.textContent.trim()) all.push(n); return all; };
  if (document.documentElement.scrollWidth > vw) out.push("page scrollWidth " + document.documentElement.scrollWidth + " > " + vw);
  for (const n of nodes(document.body)) { const r = rect(n); if (r.width && r.right > vw + 0.5) out.push(name(n) + " ends at " + Math.round(r.right)); }
  for (const card of document.querySelectorAll(".card")) { const c = card.getBoundingClientRect();
    for (const n of nodes(card)) { const r = rect(n);
      if (r.width && (r.right > c.right + 0.5 || r.left < c.left - 0.5)) out.push(name(n) + " outside " + name(card)); } }
  return out.slice(0, 8).join("; ");
})()`

// TestBrowserLayout opens, in headless Chromium at a phone's width (390 px) and a
// desktop's (1280 px), in Japanese and English, the pages where long unbroken text (an
// issuer URL, a verifier's x509_hash client id, claim values) made the page wider than
// the screen or ran out of a card into its neighbour: the list with three diplomas of
// one university, a diploma's details, the consent page and the history. It also reads
// what tells the three cards apart.
func TestBrowserLayout(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	e := newEnv(t)
	e.ver.Query = optionalQuery()
	e.ver.NoRedirect = true
	b := webuitest.Browser(t)
	b.SetAcceptLanguage("ja")
	site := e.srv.URL + "/wallet"

	// Hanako's diploma, received; two more from the same university at a long address.
	b.Navigate(site + "/sign-up")
	b.Fill("#username", "hanako")
	b.Fill("#password", "sakura sakura yayoi")
	b.Fill("#password2", "sakura sakura yayoi")
	if st := b.ClickNavigate("#sign-up"); st != http.StatusOK {
		t.Fatalf("sign-up = %d", st)
	}
	b.Navigate(site + "/receive")
	b.Fill("#link", e.iss.OfferLink())
	if st := b.ClickNavigate("#open-offer"); st != http.StatusOK {
		t.Fatalf("offer = %d", st)
	}
	if st := b.ClickNavigate("#accept-offer"); st != http.StatusOK {
		t.Fatalf("receive = %d", st)
	}
	owner := ownerOf(t, e, "hanako")
	long := "https://registrar.sakuragaoka-university.example.ac.jp/openid4vci/credential-issuer/diplomas/2026"
	natives := []any{map[string]any{"lang": "ja", "family_name": "山田", "given_name": "花子"}}
	e.addDiploma(t, owner, long, map[string]any{"native_names": natives, "degree": map[string]any{"type": "bachelor", "award_date": "2024-03-20",
		"title": diplomaTitle("ja", "学士（工学）", map[string]any{"en": "Bachelor of Engineering"})}})
	detail := e.addDiploma(t, owner, long, map[string]any{"native_names": natives, "degree": map[string]any{"type": "master", "award_date": "2026-03-20",
		"title":           diplomaTitle("ja", "修士（情報科学・情報システム学専攻・先端ソフトウェア工学コース）", map[string]any{"en": "Master of Science in Information Science and Advanced Software Engineering"}),
		"document_number": "SKR-2026-DIPLOMA-0000000000000000000000000000001234567"}})

	// One presentation, so the history shows the verifier's x509_hash client id.
	u, _ := url.Parse(e.ver.Link(""))
	consent := site + "/present?" + u.RawQuery
	b.Navigate(consent)
	if st := b.ClickNavigate("#share"); st != http.StatusOK {
		t.Fatalf("share = %d", st)
	}

	for _, vp := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"phone", 390, 844, true}, {"desktop", 1280, 800, false}} {
		b.Do("viewport "+vp.name, chromedp.EmulateViewport(vp.width, vp.height, func(p1 *emulation.SetDeviceMetricsOverrideParams, p2 *emulation.SetTouchEmulationEnabledParams) {
			if vp.mobile {
				chromedp.EmulateMobile(p1, p2)
			}
		}))
		for _, lang := range []string{"ja", "en"} {
			for _, pg := range []struct{ name, url string }{
				{"credentials", site + "/credentials?lang=" + lang},
				{"details", site + "/credentials/" + detail + "?lang=" + lang},
				{"consent", consent + "&lang=" + lang},
				{"history", site + "/history?lang=" + lang},
			} {
				if st := b.Navigate(pg.url); st != http.StatusOK {
					t.Fatalf("%s %s %s = %d", vp.name, lang, pg.name, st)
				}
				if w, _ := strconv.ParseInt(b.EvalString(`String(document.documentElement.scrollWidth)`), 10, 64); w > vp.width {
					t.Errorf("%s %s %s: document scrollWidth %d > %d", vp.name, lang, pg.name, w, vp.width)
				}
				if got := b.EvalString(overflowJS); got != "" {
					b.Screenshot(vp.name + "-" + lang + "-" + pg.name)
					t.Errorf("%s %s %s overflows: %s", vp.name, lang, pg.name, got)
				}
			}
		}
	}

	// The three cards tell themselves apart, in the page's language.
	b.Navigate(site + "/credentials?lang=ja")
	if got := b.EvalString(`[...document.querySelectorAll(".card-title")].map(e => e.textContent).join("|")`); got != "学士（工学）|修士（情報科学・情報システム学専攻・先端ソフトウェア工学コース）" {
		t.Errorf("titles in Japanese %q", got)
	}
	if got := b.EvalString(`[...document.querySelectorAll(".card-holder")].map(e => e.textContent).join("|")`); got != "Hanako Yamada|山田 花子|山田 花子" {
		t.Errorf("holders in Japanese %q", got)
	}
	b.Navigate(site + "/credentials?lang=en")
	if got := b.EvalString(`[...document.querySelectorAll(".card-title")].map(e => e.textContent).join("|")`); got != "Bachelor of Engineering|Master of Science in Information Science and Advanced Software Engineering" {
		t.Errorf("titles in English %q", got)
	}
}
