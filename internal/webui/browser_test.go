package webui_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
	"github.com/labstack/echo/v4"
)

// demoServer serves the demo pages through internal/httpx, as a service would.
func demoServer(t *testing.T) *httptest.Server {
	t.Helper()
	r := newRenderer(t)
	s, err := httpx.New(httpx.WithServiceName("demo"), httpx.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	e := s.Echo()
	e.GET(webui.StaticPrefix+"*", echo.WrapHandler(webui.StaticHandler()))
	g := e.Group("", r.Middleware()...)
	index := func(c echo.Context, status int, errs webui.FieldErrors) error {
		return r.Render(c, status, "index.html", &webui.Page{Errors: errs, Data: demoData{
			Name: "Aiko", Date: demoDate, Count: 1, QR: "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Fo%2F1",
		}})
	}
	g.GET("/", func(c echo.Context) error { return index(c, http.StatusOK, nil) })
	g.POST("/form", func(c echo.Context) error {
		if _, err := mail.ParseAddress(c.FormValue("email")); err != nil {
			return index(c, http.StatusUnprocessableEntity, webui.FieldErrors{{Field: "email", Rule: "email"}})
		}
		return c.Redirect(http.StatusSeeOther, "/thanks")
	})
	g.GET("/thanks", func(c echo.Context) error { return r.Render(c, http.StatusOK, "thanks.html", nil) })
	ts := httptest.NewServer(e)
	t.Cleanup(ts.Close)
	return ts
}

// forgerServer serves a page on another port that posts a form with a made-up token to
// target, as a malicious page would.
func forgerServer(t *testing.T, target string) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body><form method="post" action="%s/form">`+
			`<input type="hidden" name="_csrf" value="AAAAAAAAAAAAAAAAAAAAAAAAAA">`+
			`<input type="hidden" name="email" value="evil@example.com">`+
			`<button type="submit" id="forge">Win a prize</button></form></body></html>`, target)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	ts := demoServer(t)
	forger := forgerServer(t, ts.URL)
	b := webuitest.Browser(t)
	b.SetAcceptLanguage("en-GB,en;q=0.9")

	// English by default, with the stylesheet and the QR code.
	if st := b.Navigate(ts.URL + "/?step=1"); st != http.StatusOK {
		t.Fatalf("GET / = %d", st)
	}
	if got := b.Text("#title"); got != "Welcome" {
		t.Fatalf("title = %q", got)
	}
	if got := b.Attr("html", "lang"); got != "en" {
		t.Errorf("html lang = %q", got)
	}
	if got := b.Attr("svg.qr", "role"); got != "img" {
		t.Errorf("QR svg role = %q", got)
	}
	if got := b.EvalString(`getComputedStyle(document.querySelector("button")).minHeight`); got != "44px" {
		t.Errorf("stylesheet not applied (button min-height %q)", got)
	}

	// Switch to Japanese: the link keeps the path and query, and the choice is remembered.
	if st := b.ClickNavigate(`nav.langs a[lang="ja"]`); st != http.StatusOK {
		t.Fatalf("switch = %d", st)
	}
	if loc := b.Location(); !strings.HasSuffix(loc, "/?lang=ja&step=1") {
		t.Errorf("switch link went to %s", loc)
	}
	if got := b.Text("#title"); got != "ようこそ" {
		t.Fatalf("title after switch = %q", got)
	}
	if v, ok := b.Cookie(webui.LangCookie); !ok || v != "ja" {
		t.Errorf("hashi_lang cookie = %q, %v", v, ok)
	}
	b.Navigate(ts.URL + "/")
	if got, lang := b.Text("#title"), b.Attr("html", "lang"); got != "ようこそ" || lang != "ja" {
		t.Fatalf("next page: title %q, lang %q (choice not remembered)", got, lang)
	}
	if got := b.Text("#date"); got != "2026年11月28日" {
		t.Errorf("date = %q", got)
	}

	// A bad address comes back with the field error in Japanese; a good one passes CSRF.
	b.Fill("#email", "not an address")
	if st := b.ClickNavigate("#submit"); st != http.StatusUnprocessableEntity {
		t.Fatalf("invalid form = %d", st)
	}
	if got := b.Text(".field-errors li"); got != "メールアドレスにはメールアドレスを入力してください。" {
		t.Errorf("field error = %q", got)
	}
	b.Fill("#email", "aiko@example.ac.jp")
	if st := b.ClickNavigate("#submit"); st != http.StatusOK {
		t.Fatalf("valid form = %d", st)
	}
	if got := b.Text("#title"); got != "保存しました。" {
		t.Fatalf("after submit: %q", got)
	}

	// A form from another page with a made-up token gets the 403 page in Japanese.
	b.Navigate(forger.URL + "/")
	if st := b.ClickNavigate("#forge"); st != http.StatusForbidden {
		t.Fatalf("forged form = %d", st)
	}
	if got := b.Text("h1"); got != "アクセスできません" {
		t.Errorf("403 heading = %q", got)
	}
	if loc := b.Location(); loc != ts.URL+"/form" {
		t.Errorf("403 at %s", loc)
	}
}
