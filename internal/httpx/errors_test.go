package httpx_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/labstack/echo/v4"
)

// errStaleNonce stands in for a domain sentinel such as issuer.ErrInvalidNonce.
var errStaleNonce = errors.New("issuer: c_nonce is stale")

// tokenError stands in for a domain error type with a stable code.
type tokenError struct{ code string }

func (e *tokenError) Error() string { return "issuer: token: " + e.code }

// wireError is an error that renders itself.
type wireError struct{}

func (wireError) Error() string   { return "wallet: busy" }
func (wireError) HTTPStatus() int { return http.StatusConflict }
func (wireError) WireBody() any {
	return httpx.ErrorResponse{Error: "conflict", ErrorDescription: "try again"}
}

type badStatusError struct{}

func (badStatusError) Error() string   { return "bad status" }
func (badStatusError) HTTPStatus() int { return http.StatusOK }
func (badStatusError) WireBody() any   { return httpx.ErrorResponse{Error: "x"} }

var errOutOfRange = errors.New("mapped to 200")

func mapper(err error) (int, any, bool) {
	if errors.Is(err, errStaleNonce) {
		return http.StatusBadRequest, httpx.ErrorResponse{Error: "invalid_nonce", ErrorDescription: "c_nonce is stale"}, true
	}
	if e, ok := errors.AsType[*tokenError](err); ok {
		return http.StatusUnauthorized, httpx.ErrorResponse{
			Error:  e.code,
			Header: http.Header{"Www-Authenticate": {`DPoP error="` + e.code + `"`}},
		}, true
	}
	if errors.Is(err, errOutOfRange) {
		return http.StatusOK, nil, true
	}
	return 0, nil, false
}

func TestErrorHandler(t *testing.T) {
	logs := &syncBuffer{}
	s := newServer(t, httpx.WithServiceName("issuer"), httpx.WithLogger(jsonLogger(logs)), httpx.WithErrorMapper(mapper),
		httpx.WithBodyLimit(1024))
	e := s.Echo()
	e.POST("/credential", func(echo.Context) error { return fmt.Errorf("credential: %w", errStaleNonce) })
	e.POST("/token", func(echo.Context) error { return &tokenError{code: "invalid_dpop_proof"} })
	e.GET("/wire", func(echo.Context) error { return fmt.Errorf("wrapped: %w", wireError{}) })
	e.GET("/badwire", func(echo.Context) error { return badStatusError{} })
	e.GET("/range", func(echo.Context) error { return errOutOfRange })
	e.GET("/unknown", func(c echo.Context) error {
		c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="x.pdf"`)
		return errors.New("db: connection to 10.0.0.7 refused")
	})
	e.HEAD("/unknown", func(echo.Context) error { return errors.New("db: connection to 10.0.0.7 refused") })
	e.GET("/panic", func(echo.Context) error { panic("secret state 42") })
	e.GET("/echo418", func(echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "internal hint") })
	e.GET("/echo500", func(echo.Context) error { return echo.NewHTTPError(http.StatusInternalServerError, "internal hint") })
	e.GET("/echo503", func(echo.Context) error { return echo.ErrServiceUnavailable })
	e.GET("/committed", func(c echo.Context) error {
		if err := c.String(http.StatusOK, "partial"); err != nil {
			return err
		}
		return errors.New("late failure")
	})
	type payload struct {
		A string `json:"a"`
	}
	e.POST("/bind", func(c echo.Context) error {
		var p payload
		if err := c.Bind(&p); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, p)
	})
	big := e.Group("/upload", httpx.BodyLimit(4096))
	big.POST("", func(c echo.Context) error {
		var p payload
		if err := c.Bind(&p); err != nil {
			return err
		}
		return c.String(http.StatusOK, fmt.Sprint(len(p.A)))
	})
	ts := serveApp(t, s)
	client := ts.Client()

	jsonBody := func(n int) string { return `{"a":"` + strings.Repeat("x", n) + `"}` }
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		chunked    bool // send without Content-Length
		ctype      string
		wantStatus int
		wantError  string // "" means no body expected
		wantDesc   string
		wantHeader map[string]string
	}{
		{name: "fail/domain sentinel via mapper", method: "POST", path: "/credential", wantStatus: 400,
			wantError: "invalid_nonce", wantDesc: "c_nonce is stale"},
		{name: "fail/domain type via mapper with header", method: "POST", path: "/token", wantStatus: 401,
			wantError: "invalid_dpop_proof", wantHeader: map[string]string{"WWW-Authenticate": `DPoP error="invalid_dpop_proof"`}},
		{name: "fail/wire error in chain", method: "GET", path: "/wire", wantStatus: 409, wantError: "conflict", wantDesc: "try again"},
		{name: "fail/wire error with non-error status", method: "GET", path: "/badwire", wantStatus: 500, wantError: "server_error"},
		{name: "fail/mapper status out of range", method: "GET", path: "/range", wantStatus: 500, wantError: "server_error"},
		{name: "fail/unknown error", method: "GET", path: "/unknown", wantStatus: 500, wantError: "server_error",
			wantHeader: map[string]string{"Content-Disposition": ""}},
		{name: "fail/unknown error on HEAD has no body", method: "HEAD", path: "/unknown", wantStatus: 500},
		{name: "fail/panic", method: "GET", path: "/panic", wantStatus: 500, wantError: "server_error"},
		{name: "fail/route not found", method: "GET", path: "/nope", wantStatus: 404, wantError: "not_found", wantDesc: "no such endpoint"},
		{name: "fail/method not allowed", method: "DELETE", path: "/credential", wantStatus: 405, wantError: "method_not_allowed",
			wantDesc: "method not allowed", wantHeader: map[string]string{"Allow": "OPTIONS, POST"}},
		{name: "fail/echo 4xx message not sent", method: "GET", path: "/echo418", wantStatus: 418, wantError: "invalid_request",
			wantDesc: "i'm a teapot"},
		{name: "fail/echo 500 is internal", method: "GET", path: "/echo500", wantStatus: 500, wantError: "server_error"},
		{name: "fail/echo 503", method: "GET", path: "/echo503", wantStatus: 503, wantError: "temporarily_unavailable",
			wantDesc: "service unavailable"},
		{name: "fail/malformed JSON", method: "POST", path: "/bind", body: `{"a":`, ctype: "application/json", wantStatus: 400,
			wantError: "invalid_request", wantDesc: "malformed request"},
		{name: "fail/unsupported media type", method: "POST", path: "/bind", body: `a=b`, ctype: "text/plain", wantStatus: 415,
			wantError: "invalid_request", wantDesc: "unsupported media type"},
		{name: "fail/body over limit by Content-Length", method: "POST", path: "/bind", body: jsonBody(2000),
			ctype: "application/json", wantStatus: 413, wantError: "invalid_request", wantDesc: "request body too large"},
		{name: "fail/body over limit chunked", method: "POST", path: "/bind", body: jsonBody(2000), chunked: true,
			ctype: "application/json", wantStatus: 413, wantError: "invalid_request", wantDesc: "request body too large"},
		{name: "fail/form body over limit", method: "POST", path: "/bind", body: "a=" + strings.Repeat("x", 2000),
			ctype: "application/x-www-form-urlencoded", wantStatus: 413, wantError: "invalid_request", wantDesc: "request body too large"},
		{name: "fail/group limit still applies", method: "POST", path: "/upload", body: jsonBody(5000),
			ctype: "application/json", wantStatus: 413, wantError: "invalid_request", wantDesc: "request body too large"},
		{name: "ok/group limit raised", method: "POST", path: "/upload", body: jsonBody(3000), chunked: true,
			ctype: "application/json", wantStatus: 200},
		{name: "ok/body at limit", method: "POST", path: "/bind", body: jsonBody(1024 - len(jsonBody(0))),
			ctype: "application/json", wantStatus: 200},
		{name: "fail/body one byte over limit", method: "POST", path: "/bind", body: jsonBody(1025 - len(jsonBody(0))), chunked: true,
			ctype: "application/json", wantStatus: 413, wantError: "invalid_request", wantDesc: "request body too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req *http.Request
			if tt.body != "" {
				var r = strings.NewReader(tt.body)
				if tt.chunked {
					req = newRequest(t, tt.method, ts.URL+tt.path, struct{ *strings.Reader }{r})
				} else {
					req = newRequest(t, tt.method, ts.URL+tt.path, r)
				}
				req.Header.Set("Content-Type", tt.ctype)
			} else {
				req = newRequest(t, tt.method, ts.URL+tt.path, nil)
			}
			res := do(t, client, req)
			if res.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d (body %q)", res.status, tt.wantStatus, res.body)
			}
			id := res.header.Get("X-Request-ID")
			if id == "" {
				t.Error("no X-Request-ID")
			}
			for k, v := range tt.wantHeader {
				if got := res.header.Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if tt.wantStatus < 400 {
				return
			}
			if got := res.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			if tt.wantError == "" {
				if res.body != "" {
					t.Errorf("body = %q, want none", res.body)
				}
				return
			}
			if got := res.header.Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q", got)
			}
			m := decodeError(t, res.body)
			if m["error"] != tt.wantError {
				t.Errorf("error = %q, want %q", m["error"], tt.wantError)
			}
			if tt.wantError == "server_error" {
				want := "internal error (request id " + id + ")"
				if m["error_description"] != want {
					t.Errorf("error_description = %q, want %q", m["error_description"], want)
				}
			} else if tt.wantDesc != "" && m["error_description"] != tt.wantDesc {
				t.Errorf("error_description = %q, want %q", m["error_description"], tt.wantDesc)
			}
			if len(m) > 2 {
				t.Errorf("extra members in %q", res.body)
			}
			for _, leak := range []string{"10.0.0.7", "secret state", "internal hint", "issuer:", "panic"} {
				if strings.Contains(res.body, leak) {
					t.Errorf("body %q leaks %q", res.body, leak)
				}
			}
		})
	}

	t.Run("ok/committed response is left alone", func(t *testing.T) {
		res := get(t, client, ts.URL+"/committed")
		if res.status != 200 || res.body != "partial" {
			t.Fatalf("got %d %q, want 200 \"partial\"", res.status, res.body)
		}
	})

	t.Run("ok/internal detail is logged with the request id", func(t *testing.T) {
		req := newRequest(t, http.MethodGet, ts.URL+"/unknown", nil)
		req.Header.Set("X-Request-ID", "trace-unknown-1")
		res := do(t, client, req)
		if !strings.Contains(res.body, "trace-unknown-1") {
			t.Fatalf("body %q lacks the request id", res.body)
		}
		var found bool
		for _, l := range logs.requestLines(t) {
			if l["request_id"] == "trace-unknown-1" {
				found = true
				if l["status"] != float64(500) || l["level"] != "ERROR" || l["route"] != "/unknown" || l["service"] != "issuer" {
					t.Errorf("log line %v", l)
				}
				if l["error"] != "db: connection to 10.0.0.7 refused" {
					t.Errorf("logged error = %v", l["error"])
				}
			}
		}
		if !found {
			t.Fatalf("no request log line with the request id in %s", logs.String())
		}
	})

	t.Run("ok/panic is logged with its stack", func(t *testing.T) {
		req := newRequest(t, http.MethodGet, ts.URL+"/panic", nil)
		req.Header.Set("X-Request-ID", "trace-panic-1")
		do(t, client, req)
		var found bool
		for _, l := range logs.lines(t) {
			if l["msg"] == "panic recovered" && l["request_id"] == "trace-panic-1" {
				found = true
				if l["panic"] != "secret state 42" || !strings.Contains(fmt.Sprint(l["stack"]), "errors_test.go") {
					t.Errorf("panic log line %v", l)
				}
			}
		}
		if !found {
			t.Fatalf("no panic log line in %s", logs.String())
		}
	})
}

func TestWriteError(t *testing.T) {
	s := newServer(t)
	e := s.Echo()
	e.GET("/ok", func(c echo.Context) error {
		c.Response().Header().Set("ETag", `"v1"`)
		return httpx.WriteError(c, http.StatusBadRequest, httpx.ErrorResponse{Error: "invalid_request"})
	})
	e.GET("/range", func(c echo.Context) error {
		if err := httpx.WriteError(c, http.StatusOK, httpx.ErrorResponse{Error: "x"}); err == nil {
			return errors.New("WriteError accepted status 200")
		}
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/unmarshalable", func(c echo.Context) error {
		if err := httpx.WriteError(c, http.StatusBadRequest, map[string]any{"f": func() {}}); err == nil {
			return errors.New("WriteError accepted a func")
		}
		if c.Response().Committed {
			return errors.New("WriteError wrote part of a response")
		}
		return c.NoContent(http.StatusNoContent)
	})
	ts := serveApp(t, s)
	res := get(t, ts.Client(), ts.URL+"/ok")
	if res.status != 400 || res.body != `{"error":"invalid_request"}` || res.header.Get("ETag") != "" ||
		res.header.Get("Cache-Control") != "no-store" {
		t.Errorf("ok: %d %q %v", res.status, res.body, res.header)
	}
	for _, p := range []string{"/range", "/unmarshalable"} {
		if res := get(t, ts.Client(), ts.URL+p); res.status != http.StatusNoContent {
			t.Errorf("%s: %d %q", p, res.status, res.body)
		}
	}
}
