package httpx_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/labstack/echo/v4"
)

// FuzzRequestID checks that whatever X-Request-ID a client sends, the ID the server uses is
// safe to log and to echo (1-64 of [A-Za-z0-9._-]), and that a safe one is kept.
func FuzzRequestID(f *testing.F) {
	for _, seed := range []string{"", "a", "0f8fad5b-d9cb-469f-a165-70867728950e", "a b", "x\"y", "idé", "a\x00b"} {
		f.Add(seed)
	}
	s, err := httpx.New()
	if err != nil {
		f.Fatal(err)
	}
	s.Echo().GET("/", func(c echo.Context) error {
		return c.String(http.StatusOK, httpx.RequestID(c.Request().Context()))
	})
	f.Fuzz(func(t *testing.T, in string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header["X-Request-Id"] = []string{in}
		rec := httptest.NewRecorder()
		s.Echo().ServeHTTP(rec, req)
		got := rec.Header().Get("X-Request-ID")
		if !safeID(got) || rec.Body.String() != got {
			t.Fatalf("in %q: header %q, context %q", in, got, rec.Body.String())
		}
		if safeID(in) != (got == in) {
			t.Fatalf("in %q (safe=%v) gave %q", in, safeID(in), got)
		}
	})
}

// FuzzBodyLimit checks that a body is accepted exactly when it fits the limit, whatever its
// length and however it is framed.
func FuzzBodyLimit(f *testing.F) {
	f.Add(0, 16, false)
	f.Add(16, 16, true)
	f.Add(17, 16, false)
	f.Add(5000, 100, true)
	f.Fuzz(func(t *testing.T, n, limit int, chunked bool) {
		if n < 0 || n > 1<<16 || limit < 1 || limit > 1<<16 {
			return
		}
		s, err := httpx.New(httpx.WithBodyLimit(int64(limit)))
		if err != nil {
			t.Fatal(err)
		}
		s.Echo().POST("/", func(c echo.Context) error {
			b := make([]byte, 0, n)
			buf := make([]byte, 7)
			for {
				k, err := c.Request().Body.Read(buf)
				b = append(b, buf[:k]...)
				if err != nil {
					if errors.Is(err, io.EOF) {
						break
					}
					return err
				}
			}
			if len(b) != n {
				t.Fatalf("handler read %d bytes of %d", len(b), n)
			}
			return c.NoContent(http.StatusNoContent)
		})
		body := make([]byte, n)
		req := httptest.NewRequest(http.MethodPost, "/", &chunkReader{b: body})
		if !chunked {
			req.ContentLength = int64(n)
		} else {
			req.ContentLength = -1
		}
		rec := httptest.NewRecorder()
		s.Echo().ServeHTTP(rec, req)
		want := http.StatusNoContent
		if n > limit {
			want = http.StatusRequestEntityTooLarge
		}
		if rec.Code != want {
			t.Fatalf("n=%d limit=%d chunked=%v: status %d, want %d", n, limit, chunked, rec.Code, want)
		}
	})
}

// chunkReader returns its bytes in small reads.
type chunkReader struct{ b []byte }

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, errEOF
	}
	n := copy(p[:min(len(p), 5)], r.b)
	r.b = r.b[n:]
	return n, nil
}

var errEOF = io.EOF
