package webui_test

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/hashi-vc/hashi/internal/webui"
)

func TestStylesheet(t *testing.T) {
	a, b := webui.NewStylesheet("desk", []byte("body{}")), webui.NewStylesheet("desk", []byte("body{color:red}"))
	if !regexp.MustCompile(`^desk\.[0-9a-f]{12}\.css$`).MatchString(a.Name) || a.Name == b.Name {
		t.Fatalf("names %q, %q: want desk.<12 hex>.css, different per content", a.Name, b.Name)
	}
	e := echo.New()
	e.GET("/assets/"+a.Name, a.Serve)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/assets/"+a.Name, nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "body{}" || rec.Header().Get("Content-Type") != "text/css; charset=utf-8" ||
		rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Fatalf("%d %q %v", rec.Code, rec.Body.String(), rec.Header())
	}
}
