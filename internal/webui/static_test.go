package webui_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/labstack/echo/v4"
)

func TestStaticHandler(t *testing.T) {
	hashed, err := webui.StaticURL("hashi.css")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^/static/hashi\.[0-9a-f]{12}\.css$`).MatchString(hashed) {
		t.Fatalf("StaticURL = %q", hashed)
	}
	e := echo.New()
	e.GET(webui.StaticPrefix+"*", echo.WrapHandler(webui.StaticHandler()))
	e.HEAD(webui.StaticPrefix+"*", echo.WrapHandler(webui.StaticHandler()))
	tests := []struct {
		name   string
		method string
		path   string
		inm    string
		status int
		cache  string
	}{
		{"ok/hashed is immutable", http.MethodGet, hashed, "", 200, "public, max-age=31536000, immutable"},
		{"ok/HEAD", http.MethodHead, hashed, "", 200, "public, max-age=31536000, immutable"},
		{"ok/plain name revalidates", http.MethodGet, "/static/hashi.css", "", 200, "no-cache"},
		{"ok/conditional", http.MethodGet, hashed, `"` + hashed[len("/static/hashi."):len(hashed)-4] + `"`, 304, "public, max-age=31536000, immutable"},
		{"fail/stale hash", http.MethodGet, "/static/hashi.000000000000.css", "", 404, ""},
		{"fail/unknown", http.MethodGet, "/static/app.js", "", 404, ""},
		{"fail/traversal", http.MethodGet, "/static/../static/hashi.css", "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.inm != "" {
				req.Header.Set("If-None-Match", tt.inm)
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tt.cache)
			}
			if tt.status == 200 {
				if ct := rec.Header().Get("Content-Type"); ct != "text/css; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				body, _ := io.ReadAll(rec.Body)
				if tt.method == http.MethodGet && !strings.Contains(string(body), "min-height: 44px") {
					t.Errorf("body is not the stylesheet")
				}
			}
		})
	}
	rec := httptest.NewRecorder()
	webui.StaticHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, hashed, nil))
	if rec.Code != http.StatusMethodNotAllowed || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %q", rec.Code, rec.Header().Get("Allow"))
	}
	if _, err := webui.StaticURL("hashi.000000000000.css"); err == nil {
		t.Errorf("StaticURL accepted a hashed name")
	}
}

// TestFavicon: the pages name an icon that is served (browsers otherwise ask for
// /favicon.ico, which no service has, and log a 404 on every page).
func TestFavicon(t *testing.T) {
	u, err := webui.StaticURL("favicon.svg")
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	webui.StaticHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u, nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(rec.Body.String(), "<svg") {
		t.Fatalf("GET %s = %d %q", u, rec.Code, rec.Header().Get("Content-Type"))
	}
}
