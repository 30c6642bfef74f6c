package webui_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/labstack/echo/v4"
)

var errNoStudent = errors.New("demo: no such student")

func TestErrorPages(t *testing.T) {
	r := newRenderer(t, webui.WithErrorStatus(func(err error) (int, bool) {
		if errors.Is(err, errNoStudent) {
			return http.StatusNotFound, true
		}
		return 0, false
	}))
	tests := []struct {
		name    string
		err     error
		accept  string
		status  int
		heading string
	}{
		{"ok/404 en", echo.ErrNotFound, "en", 404, "Page not found"},
		{"ok/404 ja", echo.ErrNotFound, "ja", 404, "ページが見つかりません"},
		{"ok/service mapping", fmt.Errorf("load: %w", errNoStudent), "ja", 404, "ページが見つかりません"},
		{"ok/403", echo.ErrForbidden, "en", 403, "Access denied"},
		{"ok/405", echo.ErrMethodNotAllowed, "ja", 405, "この操作はできません"},
		{"ok/413", &http.MaxBytesError{Limit: 10}, "en", 413, "Too much data"},
		{"ok/415 uses the 400 text", echo.ErrUnsupportedMediaType, "en", 415, "The request could not be understood"},
		{"ok/500 en", errors.New("db down"), "en", 500, "Something went wrong"},
		{"ok/500 ja", errors.New("db down"), "ja", 500, "問題が発生しました"},
		{"ok/503 uses the 500 text", echo.ErrServiceUnavailable, "en", 503, "Something went wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/x", nil)
			req.Header.Set("Accept-Language", tt.accept)
			var got error
			e := echo.New()
			e.HTTPErrorHandler = func(err error, c echo.Context) { got = err; e.DefaultHTTPErrorHandler(err, c) }
			e.GET("/x", func(c echo.Context) error {
				c.Response().Header().Set(echo.HeaderLocation, "/elsewhere")
				return tt.err
			}, r.Middleware()...)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			body := rec.Body.String()
			if !strings.Contains(body, "<h1>"+tt.heading+"</h1>") || !strings.Contains(body, `<html lang="`+tt.accept+`">`) {
				t.Errorf("page lacks heading %q:\n%s", tt.heading, body)
			}
			if rec.Header().Get("Content-Type") != webui.ContentType || rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Location") != "" {
				t.Errorf("headers %v", rec.Header())
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("the error handler saw %v, want the handler's error", got)
			}
			if strings.Contains(body, "db down") {
				t.Errorf("internal error text on the page")
			}
		})
	}
}

// TestErrorPagesWithHTTPX checks the hand-over to internal/httpx: the page is HTML, httpx
// writes nothing more, logs the error and the request ID shows on 5xx pages.
type result struct {
	StatusCode int
	Header     http.Header
}

func TestErrorPagesWithHTTPX(t *testing.T) {
	r := newRenderer(t)
	var logs strings.Builder
	s, err := httpx.New(httpx.WithServiceName("demo"), httpx.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	e := s.Echo()
	g := e.Group("/pages", r.Middleware()...)
	g.GET("/boom", func(echo.Context) error { return errors.New("secret detail") })
	g.POST("/form", func(c echo.Context) error { return c.String(200, "ok") })
	g.GET("/ok", func(c echo.Context) error { return r.Render(c, 200, "thanks.html", nil) })
	e.GET("/api", func(echo.Context) error { return echo.ErrNotFound })
	ts := httptest.NewServer(e)
	defer ts.Close()

	get := func(method, path, accept string) (result, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		req.Header.Set("Accept-Language", accept)
		req.Header.Set("X-Request-ID", "req-12345")
		res, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return result{StatusCode: res.StatusCode, Header: res.Header}, string(b)
	}

	res, body := get(http.MethodGet, "/pages/boom", "ja")
	if res.StatusCode != 500 || res.Header.Get("Content-Type") != webui.ContentType || !strings.Contains(body, "問題が発生しました") || !strings.Contains(body, "req-12345") {
		t.Errorf("500 page: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	if strings.Contains(body, "secret detail") || strings.Contains(body, `"error"`) {
		t.Errorf("500 page leaks or has JSON appended:\n%s", body)
	}
	if !strings.Contains(logs.String(), "secret detail") {
		t.Errorf("httpx did not log the error: %s", logs.String())
	}
	if res.Header.Get("Content-Security-Policy") != httpx.DefaultContentSecurityPolicy {
		t.Errorf("CSP = %q", res.Header.Get("Content-Security-Policy"))
	}

	res, body = get(http.MethodPost, "/pages/form", "en")
	if res.StatusCode != 403 || !strings.Contains(body, "Access denied") || strings.Contains(body, "req-12345") {
		t.Errorf("CSRF page: %d\n%s", res.StatusCode, body)
	}

	res, body = get(http.MethodGet, "/pages/nope", "en")
	if res.StatusCode != 404 || !strings.Contains(body, "Page not found") {
		t.Errorf("router 404 in the page group: %d\n%s", res.StatusCode, body)
	}

	res, body = get(http.MethodGet, "/pages/ok", "en")
	if res.StatusCode != 200 || !strings.Contains(body, "Saved.") {
		t.Errorf("page: %d\n%s", res.StatusCode, body)
	}

	// API routes outside the page group keep httpx's JSON errors.
	res, body = get(http.MethodGet, "/api", "en")
	if res.StatusCode != 404 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"error"`) {
		t.Errorf("API 404: %d %s", res.StatusCode, body)
	}
}
