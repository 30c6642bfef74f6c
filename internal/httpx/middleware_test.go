package httpx_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/labstack/echo/v4"
)

// safeID reports whether id is what the server may send back: 1-64 of [A-Za-z0-9._-].
func safeID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	return strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == ""
}

func TestRequestID(t *testing.T) {
	s := newServer(t)
	s.Echo().GET("/id", func(c echo.Context) error {
		return c.String(http.StatusOK, httpx.RequestID(c.Request().Context()))
	})
	ts := serveApp(t, s)
	tests := []struct {
		name   string
		in     []string // X-Request-ID header values sent; nil sends none
		accept bool
	}{
		{name: "ok/uuid", in: []string{"0f8fad5b-d9cb-469f-a165-70867728950e"}, accept: true},
		{name: "ok/short", in: []string{"a"}, accept: true},
		{name: "ok/dots and underscores", in: []string{"svc.req_01"}, accept: true},
		{name: "ok/64 bytes", in: []string{strings.Repeat("a", 64)}, accept: true},
		{name: "fail/absent", in: nil},
		{name: "fail/empty", in: []string{""}},
		{name: "fail/65 bytes", in: []string{strings.Repeat("a", 65)}},
		{name: "fail/space", in: []string{"a b"}},
		{name: "fail/quote", in: []string{`a"b`}},
		{name: "fail/json injection", in: []string{`x","status":200,"y":"`}},
		{name: "fail/slash", in: []string{"../etc"}},
		{name: "fail/non-ascii", in: []string{"idé"}},
		{name: "fail/tab", in: []string{"a\tb"}},
		{name: "fail/equals", in: []string{"a=b"}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest(t, http.MethodGet, ts.URL+"/id", nil)
			for _, v := range tt.in {
				req.Header.Add("X-Request-ID", v)
			}
			res := do(t, ts.Client(), req)
			got := res.header.Get("X-Request-ID")
			if res.body != got {
				t.Errorf("RequestID(ctx) = %q, header = %q", res.body, got)
			}
			if tt.accept {
				if got != tt.in[0] {
					t.Errorf("X-Request-ID = %q, want %q echoed", got, tt.in[0])
				}
				return
			}
			if len(tt.in) > 0 && got == tt.in[0] {
				t.Errorf("X-Request-ID %q was accepted", got)
			}
			if !safeID(got) || len(got) != 26 {
				t.Errorf("generated X-Request-ID %q is not a 26-character safe ID", got)
			}
			if seen[got] {
				t.Errorf("generated X-Request-ID %q twice", got)
			}
			seen[got] = true
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	s := newServer(t)
	e := s.Echo()
	e.GET("/page", func(c echo.Context) error { return c.HTML(http.StatusOK, "<p>hi</p>") })
	e.GET("/custom", func(c echo.Context) error { return c.HTML(http.StatusOK, "<p>hi</p>") },
		httpx.ContentSecurityPolicy("default-src 'none'"))
	e.GET("/token", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"access_token": "t"}) },
		httpx.NoStore())
	ts := serveApp(t, s)
	want := map[string]string{
		"X-Content-Type-Options":    "nosniff",
		"Referrer-Policy":           "no-referrer",
		"X-Frame-Options":           "DENY",
		"Content-Security-Policy":   httpx.DefaultContentSecurityPolicy,
		"Strict-Transport-Security": "", // plain HTTP
		"Cache-Control":             "",
	}
	for _, p := range []string{"/page", "/nope"} {
		res := get(t, ts.Client(), ts.URL+p)
		for k, v := range want {
			if k == "Cache-Control" && p == "/nope" {
				continue // errors are no-store
			}
			if got := res.header.Get(k); got != v {
				t.Errorf("%s: %s = %q, want %q", p, k, got, v)
			}
		}
	}
	if got := get(t, ts.Client(), ts.URL+"/custom").header.Get("Content-Security-Policy"); got != "default-src 'none'" {
		t.Errorf("overridden CSP = %q", got)
	}
	if got := get(t, ts.Client(), ts.URL+"/token").header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("NoStore: Cache-Control = %q", got)
	}

	s2 := newServer(t, httpx.WithContentSecurityPolicy("default-src 'self'"))
	s2.Echo().GET("/page", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	ts2 := serveApp(t, s2)
	if got := get(t, ts2.Client(), ts2.URL+"/page").header.Get("Content-Security-Policy"); got != "default-src 'self'" {
		t.Errorf("WithContentSecurityPolicy: CSP = %q", got)
	}
}

func TestMiddlewarePanicsOnBadArguments(t *testing.T) {
	for name, f := range map[string]func(){
		"BodyLimit(0)":                func() { httpx.BodyLimit(0) },
		"BodyLimit(huge)":             func() { httpx.BodyLimit(1 << 40) },
		"ContentSecurityPolicy(\"\")": func() { httpx.ContentSecurityPolicy("") },
		"ContentSecurityPolicy(CRLF)": func() { httpx.ContentSecurityPolicy("a\r\nSet-Cookie: x") },
	} {
		t.Run("fail/"+name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
