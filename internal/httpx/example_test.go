package httpx_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/labstack/echo/v4"
)

// errInvalidNonce stands in for a domain sentinel such as issuer.ErrInvalidNonce.
var errInvalidNonce = errors.New("issuer: invalid nonce")

// A service builds its Server with an error mapper, registers routes whose handlers return
// errors, and lets the one error handler write the spec's error JSON.
func Example() {
	s, err := httpx.New(
		httpx.WithServiceName("issuer"),
		httpx.WithErrorMapper(func(err error) (int, any, bool) {
			if errors.Is(err, errInvalidNonce) {
				return http.StatusBadRequest, httpx.ErrorResponse{
					Error:            "invalid_nonce",
					ErrorDescription: "c_nonce is missing or stale",
				}, true
			}
			return 0, nil, false // not ours: 500 server_error, detail only in the log
		}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Echo().POST("/credential", func(echo.Context) error {
		return fmt.Errorf("credential request: %w", errInvalidNonce)
	})
	s.Echo().POST("/notification", func(echo.Context) error {
		return errors.New("store: disk full")
	})

	ts := httptest.NewServer(s.Echo())
	defer ts.Close()
	for _, path := range []string{"/credential", "/notification"} {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, ts.URL+path, strings.NewReader("{}"))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Request-ID", "req-1")
		res, err := ts.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(res.Body)
		_ = res.Body.Close()
		fmt.Println(res.StatusCode, res.Header.Get("Cache-Control"), string(body))
	}
	// Output:
	// 400 no-store {"error":"invalid_nonce","error_description":"c_nonce is missing or stale"}
	// 500 no-store {"error":"server_error","error_description":"internal error (request id req-1)"}
}

// Run serves the app and the ops listener until its context is cancelled; cmd builds that
// context with signal.NotifyContext. Tests and the demo pass loopback listeners on port 0.
func ExampleServer_Run() {
	s, err := httpx.New(httpx.WithServiceName("verifier"),
		httpx.WithReadiness("store", func(context.Context) error { return nil }))
	if err != nil {
		fmt.Println(err)
		return
	}
	var lc net.ListenConfig
	app, _ := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	ops, _ := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, app, ops) }()

	client := &http.Client{Transport: &http.Transport{}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+ops.Addr().String()+"/readyz", nil)
	res, err := client.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	client.CloseIdleConnections()
	fmt.Println(res.StatusCode, string(body))

	cancel() // SIGTERM in production
	fmt.Println("Run returned:", <-done)
	// Output:
	// 200 {"status":"ready","checks":[{"name":"store","status":"ok"}]}
	// Run returned: <nil>
}
