package webui_test

import (
	"bytes"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/labstack/echo/v4"
)

const goodToken = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" // 26 base32 characters

func TestCSRF(t *testing.T) {
	r := newRenderer(t)
	form := func(tok string) (string, string) {
		return url.Values{webui.CSRFField: {tok}, "email": {"a@b.example"}}.Encode(), "application/x-www-form-urlencoded"
	}
	multi := func(tok string) (string, string) {
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		_ = w.WriteField(webui.CSRFField, tok)
		_ = w.Close()
		return b.String(), w.FormDataContentType()
	}
	tests := []struct {
		name     string
		method   string
		cookie   string
		body     func(string) (string, string)
		token    string // sent in the body
		header   string // sent in X-CSRF-Token
		query    string // sent in the query string
		fetch    string // Sec-Fetch-Site
		accept   string
		wantCode int
		wantText string
	}{
		{name: "ok/GET exempt without cookie", method: http.MethodGet, wantCode: 200},
		{name: "ok/HEAD exempt", method: http.MethodHead, wantCode: 200},
		{name: "ok/POST form token", method: http.MethodPost, cookie: goodToken, body: form, token: goodToken, wantCode: 200},
		{name: "ok/POST multipart token", method: http.MethodPost, cookie: goodToken, body: multi, token: goodToken, wantCode: 200},
		{name: "ok/PUT header token", method: http.MethodPut, cookie: goodToken, header: goodToken, wantCode: 200},
		{name: "ok/same-origin fetch", method: http.MethodPost, cookie: goodToken, body: form, token: goodToken, fetch: "same-origin", wantCode: 200},
		{name: "fail/POST without token", method: http.MethodPost, cookie: goodToken, body: form, wantCode: 403, wantText: "Access denied"},
		{name: "fail/POST without cookie", method: http.MethodPost, body: form, token: goodToken, wantCode: 403},
		{name: "fail/POST wrong token", method: http.MethodPost, cookie: goodToken, body: form, token: "ZBCDEFGHIJKLMNOPQRSTUVWXYZ", wantCode: 403},
		{name: "fail/POST token prefix", method: http.MethodPost, cookie: goodToken, body: form, token: goodToken[:25], wantCode: 403},
		{name: "fail/POST token longer", method: http.MethodPost, cookie: goodToken, body: form, token: goodToken + "A", wantCode: 403},
		{name: "fail/malformed cookie matched by token", method: http.MethodPost, cookie: "short", body: form, token: "short", wantCode: 403},
		{name: "fail/token in query only", method: http.MethodPost, cookie: goodToken, body: form, query: goodToken, wantCode: 403},
		{name: "fail/DELETE without token", method: http.MethodDelete, cookie: goodToken, wantCode: 403},
		{name: "fail/PATCH wrong header", method: http.MethodPatch, cookie: goodToken, header: "nope", wantCode: 403},
		{name: "fail/cross-site even with token", method: http.MethodPost, cookie: goodToken, body: form, token: goodToken, fetch: "cross-site", wantCode: 403},
		{name: "fail/403 page in Japanese", method: http.MethodPost, cookie: goodToken, body: form, token: "x", accept: "ja", wantCode: 403, wantText: "アクセスできません"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body, ctype string
			if tt.body != nil {
				body, ctype = tt.body(tt.token)
			}
			target := "/form"
			if tt.query != "" {
				target += "?" + webui.CSRFField + "=" + tt.query
			}
			req := httptest.NewRequest(tt.method, target, strings.NewReader(body))
			if ctype != "" {
				req.Header.Set("Content-Type", ctype)
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: webui.CSRFCookie, Value: tt.cookie})
			}
			if tt.header != "" {
				req.Header.Set(webui.CSRFHeader, tt.header)
			}
			if tt.fetch != "" {
				req.Header.Set("Sec-Fetch-Site", tt.fetch)
			}
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			var handlerErr error
			e := echo.New()
			e.HTTPErrorHandler = func(err error, c echo.Context) {
				handlerErr = err
				e.DefaultHTTPErrorHandler(err, c)
			}
			reached := false
			e.Any("/form", func(c echo.Context) error {
				reached = true
				if webui.CSRFToken(c) == "" {
					t.Error("no token in context")
				}
				return c.String(http.StatusOK, "ok")
			}, r.Middleware()...)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.wantCode {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantCode, rec.Body)
			}
			if reached != (tt.wantCode == 200) {
				t.Fatalf("handler reached = %v", reached)
			}
			if tt.wantCode == 403 {
				if !errors.Is(handlerErr, webui.ErrCSRF) {
					t.Errorf("error = %v, want ErrCSRF", handlerErr)
				}
				if ct := rec.Header().Get("Content-Type"); ct != webui.ContentType {
					t.Errorf("403 Content-Type = %q", ct)
				}
				if !strings.Contains(rec.Body.String(), tt.wantText) {
					t.Errorf("403 page lacks %q", tt.wantText)
				}
			}
		})
	}
}

func TestCSRFCookie(t *testing.T) {
	r := newRenderer(t)
	h := func(c echo.Context) error {
		return r.Render(c, http.StatusOK, "index.html", &webui.Page{Data: demoData{Date: demoDate}})
	}
	tests := []struct {
		name, host string
		tls        bool
		cookie     string
		wantSet    bool
		wantSecure bool
	}{
		{"ok/new token on loopback http", "127.0.0.1:8080", false, "", true, false},
		{"ok/localhost", "localhost", false, "", true, false},
		{"ok/ipv6 loopback", "[::1]:80", false, "", true, false},
		{"ok/secure elsewhere", "registrar.example", false, "", true, true},
		{"ok/secure over TLS", "127.0.0.1", true, "", true, true},
		{"ok/existing token kept", "localhost", false, goodToken, false, false},
		{"ok/malformed token replaced", "localhost", false, "<script>", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Host = tt.host
			if !tt.tls {
				req.TLS = nil
			}
			if tt.tls {
				req.TLS = httptestTLS()
			}
			if tt.cookie != "" {
				req.AddCookie(&http.Cookie{Name: webui.CSRFCookie, Value: tt.cookie})
			}
			rec := serve(t, req, "/", h, r.Middleware()...)
			var set *http.Cookie
			for _, ck := range rec.Result().Cookies() {
				if ck.Name == webui.CSRFCookie {
					set = ck
				}
			}
			if (set != nil) != tt.wantSet {
				t.Fatalf("cookie set = %v", set)
			}
			want := tt.cookie
			if set != nil {
				want = set.Value
				if !set.HttpOnly || set.SameSite != http.SameSiteLaxMode || set.Secure != tt.wantSecure || set.Path != "/" || len(set.Value) != 26 {
					t.Errorf("cookie %+v", set)
				}
			}
			if !strings.Contains(rec.Body.String(), `<input type="hidden" name="_csrf" value="`+want+`">`) {
				t.Errorf("form lacks the token %q", want)
			}
		})
	}
}
