package webui_test

import (
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/labstack/echo/v4"
	qrcode "github.com/skip2/go-qrcode"
)

type demoData struct {
	Name  string
	Date  time.Time
	Count int
	QR    string
}

var demoDate = time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)

func renderIndex(t *testing.T, r *webui.Renderer, req *http.Request, p *webui.Page) *httptest.ResponseRecorder {
	t.Helper()
	return serve(t, req, "/*", func(c echo.Context) error {
		return r.Render(c, http.StatusOK, "index.html", p)
	}, r.Middleware()...)
}

func TestRenderLanguages(t *testing.T) {
	r := newRenderer(t)
	page := &webui.Page{Data: demoData{Name: "Aiko", Date: demoDate, Count: 2}}
	tests := []struct {
		name     string
		target   string
		accept   string
		cookie   string
		lang     string
		contains []string
		setsLang string // the hashi_lang cookie the response sets, "" for none
	}{
		{"ok/default English", "/apply", "", "", "en", []string{
			`<h1 id="title">Welcome</h1>`, `Hello, Aiko`, `<p id="date">28 November 2026</p>`, `2 credentials`,
			`<title>Welcome | Demo Registrar</title>`, `Submit`,
		}, ""},
		{"ok/Accept-Language ja", "/apply", "ja-JP,ja;q=0.9", "", "ja", []string{
			`<h1 id="title">ようこそ</h1>`, `こんにちは、Aikoさん`, `<p id="date">2026年11月28日</p>`, `証明書2件`,
			`<title>ようこそ | デモ教務</title>`, `送信`,
		}, ""},
		{"ok/switch link to ja sets the cookie", "/apply?step=2&lang=ja", "en", "", "ja", []string{`ようこそ`}, "ja"},
		{"ok/cookie remembered", "/apply", "en", "ja", "ja", []string{`ようこそ`}, ""},
		{"ok/switch back to en", "/apply?lang=en", "", "ja", "en", []string{`Welcome`}, "en"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: webui.LangCookie, Value: tt.cookie})
			}
			rec := renderIndex(t, r, req, page)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := rec.Body.String()
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if got := rec.Header().Get("Content-Language"); got != tt.lang {
				t.Errorf("Content-Language = %q, want %q", got, tt.lang)
			}
			if got := strings.Join(rec.Header().Values("Vary"), ","); got != "Accept-Language,Cookie" {
				t.Errorf("Vary = %q", got)
			}
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q", got)
			}
			if !strings.HasPrefix(body, "<!DOCTYPE html>\n<html lang=\""+tt.lang+"\">") {
				t.Errorf("document starts %q", body[:min(len(body), 40)])
			}
			for _, s := range tt.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q", s)
				}
			}
			var set string
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == webui.LangCookie {
					set = ck.Value
					if ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge <= 0 {
						t.Errorf("lang cookie %+v", ck)
					}
				}
			}
			if set != tt.setsLang {
				t.Errorf("lang cookie set to %q, want %q", set, tt.setsLang)
			}
		})
	}
}

var hrefRE = regexp.MustCompile(`<a href="([^"]*)" lang="(en|ja)" hreflang="(?:en|ja)" aria-label="([^"]*)"( aria-current="true")?>([^<]*)</a>`)

func TestLanguageSwitchLinks(t *testing.T) {
	r := newRenderer(t)
	tests := []struct {
		name   string
		target string
		wantEN string
		wantJA string
	}{
		{"ok/keeps path", "/registrar/students", "/registrar/students?lang=en", "/registrar/students?lang=ja"},
		{"ok/keeps query and replaces lang", "/registrar/students?page=2&q=%E5%A4%AA%E9%83%8E&lang=en", "/registrar/students?lang=en&page=2&q=%E5%A4%AA%E9%83%8E", "/registrar/students?lang=ja&page=2&q=%E5%A4%AA%E9%83%8E"},
		{"ok/root", "/", "/?lang=en", "/?lang=ja"},
		{"ok/protocol-relative path stays on site", "//evil.example/x", "/?lang=en", "/?lang=ja"},
		{"ok/backslash path stays on site", "/\\evil.example", "/?lang=en", "/?lang=ja"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://localhost"+tt.target, nil)
			if strings.HasPrefix(tt.target, "//") || strings.Contains(tt.target, "\\") {
				req.URL = &url.URL{Path: tt.target}
			}
			rec := renderIndex(t, r, req, &webui.Page{Data: demoData{Name: "x", Date: demoDate}})
			m := hrefRE.FindAllStringSubmatch(rec.Body.String(), -1)
			if len(m) != 2 {
				t.Fatalf("switch links: %q", m)
			}
			en, ja := template.HTMLEscapeString(tt.wantEN), template.HTMLEscapeString(tt.wantJA)
			if m[0][1] != en || m[0][5] != "EN" || m[0][3] != "English" || m[0][4] == "" {
				t.Errorf("EN link = %q, want %q", m[0], en)
			}
			if m[1][1] != ja || m[1][5] != "日本語" || m[1][3] != "日本語" || m[1][4] != "" {
				t.Errorf("ja link = %q, want %q", m[1], ja)
			}
		})
	}
}

func TestRenderFlashAndFieldErrors(t *testing.T) {
	type form struct {
		Email string `form:"email" validate:"required,email"`
	}
	v := validator.New()
	v.RegisterTagNameFunc(func(f reflect.StructField) string { return f.Tag.Get("form") })
	verr := v.Struct(form{})
	r := newRenderer(t)
	page := &webui.Page{
		Flash:  []webui.Flash{{Kind: webui.FlashSuccess, Key: "demo.hello", Args: []any{"Name", "<b>Ken</b>"}}},
		Errors: webui.ValidationErrors(fmt.Errorf("bind: %w", verr)),
		Data:   demoData{Name: "x", Date: demoDate},
	}
	for _, tc := range []struct{ accept, flash, fieldErr string }{
		{"en", `<p class="flash flash-success" role="status">Hello, &lt;b&gt;Ken&lt;/b&gt;</p>`, `<ul class="field-errors" role="alert"><li>Email address is required.</li></ul>`},
		{"ja", `<p class="flash flash-success" role="status">こんにちは、&lt;b&gt;Ken&lt;/b&gt;さん</p>`, `<ul class="field-errors" role="alert"><li>メールアドレスは必須です。</li></ul>`},
	} {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Language", tc.accept)
		body := renderIndex(t, r, req, page).Body.String()
		if !strings.Contains(body, tc.flash) {
			t.Errorf("%s: flash missing or unescaped:\n%s", tc.accept, body)
		}
		if !strings.Contains(body, tc.fieldErr) {
			t.Errorf("%s: field errors missing:\n%s", tc.accept, body)
		}
	}
	if got := webui.ValidationErrors(errors.New("other")); got != nil {
		t.Errorf("ValidationErrors(non-validator) = %v", got)
	}
	// Unknown rules and fields without a label fall back.
	page = &webui.Page{Errors: webui.FieldErrors{{Field: "email", Rule: "no_such_rule"}, {Field: "nickname", Rule: "max", Param: "8"}}, Data: demoData{Date: demoDate}}
	body := renderIndex(t, r, httptest.NewRequest(http.MethodGet, "/", nil), page).Body.String()
	if !strings.Contains(body, "<li>Email address is not valid.</li>") {
		t.Errorf("fallback rule text missing")
	}
	if strings.Contains(body, "nickname") {
		t.Errorf("errors of another field shown under email")
	}
	if got := page.Errors.For("nickname"); len(got) != 1 || got[0].Param != "8" {
		t.Errorf("For = %v", got)
	}
}

func TestRenderFailsWithoutWriting(t *testing.T) {
	pages := fstest.MapFS{
		"bad.html":       {Data: []byte(`{{define "content"}}<p>partial output</p>{{t "no.such.key"}}{{end}}`)},
		"nocsrf.html":    {Data: []byte(`{{define "content"}}<form>{{csrf_field}}</form>{{end}}`)},
		"badstatic.html": {Data: []byte(`{{define "content"}}{{static "nope.css"}}{{end}}`)},
	}
	r, err := webui.NewRenderer(newCatalog(t), pages)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		page string
		code webui.Code
	}{
		{"fail/missing message", "bad.html", webui.CodeMissingMessage},
		{"fail/csrf_field without middleware", "nocsrf.html", webui.CodeTemplate},
		{"fail/unknown static asset", "badstatic.html", webui.CodeTemplate},
		{"fail/unknown page", "nope.html", webui.CodeTemplate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := echo.New()
			rec := httptest.NewRecorder()
			c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
			err := r.Render(c, http.StatusOK, tt.page, nil)
			if webui.CodeOf(err) != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
			if c.Response().Committed || rec.Body.Len() != 0 {
				t.Fatalf("a failed render wrote %q", rec.Body)
			}
		})
	}
}

func TestNewRenderer(t *testing.T) {
	cat := newCatalog(t)
	tests := []struct {
		name  string
		pages fstest.MapFS
		opts  []webui.Option
		code  webui.Code
	}{
		{"ok/no pages", nil, nil, ""},
		{"ok/demo", demoPages, []webui.Option{webui.WithServiceName("demo.name"), webui.WithHomePath("/registrar/")}, ""},
		{"ok/own funcs", nil, []webui.Option{webui.WithFuncs(template.FuncMap{"upper": strings.ToUpper})}, ""},
		{"fail/page without content", fstest.MapFS{"a.html": {Data: []byte(`{{define "title"}}x{{end}}`)}}, nil, webui.CodeTemplate},
		{"fail/syntax error", fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}{{if}}{{end}}`)}}, nil, webui.CodeTemplate},
		{"fail/unknown func", fstest.MapFS{"a.html": {Data: []byte(`{{define "content"}}{{nofunc}}{{end}}`)}}, nil, webui.CodeTemplate},
		{"fail/unknown service name key", nil, []webui.Option{webui.WithServiceName("no.such")}, webui.CodeInvalidOption},
		{"fail/empty service name", nil, []webui.Option{webui.WithServiceName("")}, webui.CodeInvalidOption},
		{"fail/reserved func", nil, []webui.Option{webui.WithFuncs(template.FuncMap{"t": strings.ToUpper})}, webui.CodeInvalidOption},
		{"fail/home path off site", nil, []webui.Option{webui.WithHomePath("//evil.example")}, webui.CodeInvalidOption},
		{"fail/home path relative", nil, []webui.Option{webui.WithHomePath("home")}, webui.CodeInvalidOption},
		{"fail/nil status func", nil, []webui.Option{webui.WithErrorStatus(nil)}, webui.CodeInvalidOption},
		{"fail/nil option", nil, []webui.Option{nil}, webui.CodeInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.pages == nil {
				_, err = webui.NewRenderer(cat, nil, tt.opts...)
			} else {
				_, err = webui.NewRenderer(cat, tt.pages, tt.opts...)
			}
			if webui.CodeOf(err) != tt.code {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
		})
	}
	if _, err := webui.NewRenderer(nil, nil); webui.CodeOf(err) != webui.CodeInvalidOption {
		t.Errorf("nil catalog: %v", err)
	}
	r := newRenderer(t)
	if got := strings.Join(r.Pages(), ","); got != "index.html,thanks.html" {
		t.Errorf("Pages = %s (partials must not be pages)", got)
	}
}

// svgDoc is the structure QRSVG writes.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	ViewBox string   `xml:"viewBox,attr"`
	Role    string   `xml:"role,attr"`
	Label   string   `xml:"aria-label,attr"`
	Style   string   `xml:"style,attr"`
	Rect    struct {
		Width  int    `xml:"width,attr"`
		Height int    `xml:"height,attr"`
		Fill   string `xml:"fill,attr"`
	} `xml:"rect"`
	Path struct {
		Fill string `xml:"fill,attr"`
		D    string `xml:"d,attr"`
	} `xml:"path"`
	Script []struct{} `xml:"script"`
}

var runRE = regexp.MustCompile(`^M(\d+) (\d+)h(\d+)v1h-(\d+)z`)

// decodeQRSVG parses the SVG and rebuilds the module bitmap from its path.
func decodeQRSVG(t *testing.T, s string) (svgDoc, [][]bool) {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal([]byte(s), &doc); err != nil {
		t.Fatalf("SVG does not parse: %v\n%s", err, s)
	}
	var n int
	if _, err := fmt.Sscanf(doc.ViewBox, "0 0 %d %d", &n, &n); err != nil {
		t.Fatalf("viewBox %q", doc.ViewBox)
	}
	bm := make([][]bool, n)
	for i := range bm {
		bm[i] = make([]bool, n)
	}
	d := doc.Path.D
	for d != "" {
		m := runRE.FindStringSubmatch(d)
		if m == nil {
			t.Fatalf("path data not understood at %q", d[:min(len(d), 30)])
		}
		var x, y, w, w2 int
		fmt.Sscan(m[1], &x)
		fmt.Sscan(m[2], &y)
		fmt.Sscan(m[3], &w)
		fmt.Sscan(m[4], &w2)
		if w != w2 || y >= n || x+w > n {
			t.Fatalf("bad run %q", m[0])
		}
		for i := x; i < x+w; i++ {
			if bm[y][i] {
				t.Fatalf("module %d,%d drawn twice", i, y)
			}
			bm[y][i] = true
		}
		d = d[len(m[0]):]
	}
	return doc, bm
}

func TestQRSVG(t *testing.T) {
	content := "openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fissuer.example%2Foffers%2F7f3a"
	out, err := webui.QRSVG(content, `QR "code" <x>`)
	if err != nil {
		t.Fatal(err)
	}
	doc, got := decodeQRSVG(t, string(out))
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	want := q.Bitmap()
	if len(got) != len(want) {
		t.Fatalf("size %d, want %d", len(got), len(want))
	}
	dark := 0
	for y := range want {
		for x := range want[y] {
			if got[y][x] != want[y][x] {
				t.Fatalf("module %d,%d = %v, want %v", x, y, got[y][x], want[y][x])
			}
			if got[y][x] {
				dark++
			}
		}
	}
	// A version-5+ symbol with its 4-module quiet zone; a blank or full square would fail here.
	if n := len(want); n < 21+8 || dark == 0 || dark == n*n {
		t.Fatalf("implausible symbol: %d modules, %d dark", n, dark)
	}
	for x := range want {
		if got[0][x] || got[3][x] {
			t.Fatalf("quiet zone not blank at row 0/3, column %d", x)
		}
	}
	if doc.Role != "img" || doc.Label != `QR "code" <x>` || doc.Style != "" || len(doc.Script) != 0 ||
		doc.Rect.Fill != "#fff" || doc.Path.Fill != "#000" || doc.Rect.Width != len(want) || doc.Rect.Height != len(want) {
		t.Errorf("SVG structure: %+v", doc)
	}
	if _, err := webui.QRSVG(strings.Repeat("a", 2049), "x"); !errors.Is(err, webui.ErrQRTooLong) {
		t.Errorf("long content: %v", err)
	}
}

func TestRenderQR(t *testing.T) {
	r := newRenderer(t)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("Accept-Language", "ja")
	body := renderIndex(t, r, req, &webui.Page{Data: demoData{Date: demoDate, QR: "https://wallet.example/offer?id=1&x=<y>"}}).Body.String()
	i := strings.Index(body, "<svg")
	j := strings.Index(body, "</svg>")
	if i < 0 || j < i {
		t.Fatalf("no inline SVG in page")
	}
	doc, _ := decodeQRSVG(t, body[i:j+len("</svg>")])
	if doc.Label != "QRコード" {
		t.Errorf("aria-label = %q", doc.Label)
	}
	if !strings.Contains(body, "<figcaption>ウォレットアプリでこのコードを読み取ってください。</figcaption>") {
		t.Errorf("QR hint missing")
	}
	if strings.Contains(body, "data:image") || strings.Contains(body, "<script") || strings.Contains(body, " style=") {
		t.Errorf("page uses data: URL, script or style attribute")
	}
}

// TestRenderConcurrent renders from many goroutines at once (run with -race): each render
// binds its own language and token.
func TestRenderConcurrent(t *testing.T) {
	r := newRenderer(t)
	e := echo.New()
	e.GET("/", func(c echo.Context) error {
		return r.Render(c, http.StatusOK, "index.html", &webui.Page{Data: demoData{Date: demoDate}})
	}, r.Middleware()...)
	done := make(chan string, 16)
	for i := range 16 {
		go func() {
			lang := []string{"en", "ja"}[i%2]
			req := httptest.NewRequest(http.MethodGet, "/?lang="+lang, nil)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if !strings.Contains(rec.Body.String(), `<html lang="`+lang+`">`) {
				done <- "render in " + lang + " came out wrong"
				return
			}
			done <- ""
		}()
	}
	for range 16 {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
