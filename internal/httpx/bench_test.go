package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/labstack/echo/v4"
)

// BenchmarkServe measures the per-request cost of the server's middleware (request ID,
// headers, body limit, recovery, logging to a discarding handler, metrics) around a trivial
// handler, for a success and for a mapped error.
func BenchmarkServe(b *testing.B) {
	s, err := httpx.New(httpx.WithErrorMapper(mapper))
	if err != nil {
		b.Fatal(err)
	}
	s.Echo().GET("/ok/:id", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	s.Echo().GET("/err", func(echo.Context) error { return errStaleNonce })
	for _, path := range []string{"/ok/123", "/err"} {
		b.Run(path, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			b.ReportAllocs()
			for b.Loop() {
				s.Echo().ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
