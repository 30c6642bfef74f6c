package httpx_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

func TestNewOptions(t *testing.T) {
	noop := func(context.Context) error { return nil }
	tooMany := make([]httpx.Option, 0, 33)
	for i := range 33 {
		tooMany = append(tooMany, httpx.WithReadiness("c"+string(rune('a'+i%26))+string(rune('a'+i/26)), noop))
	}
	tests := []struct {
		name string
		opts []httpx.Option
		ok   bool
	}{
		{name: "ok/defaults", ok: true},
		{name: "ok/all options", ok: true, opts: []httpx.Option{
			httpx.WithLogger(jsonLogger(&syncBuffer{})), httpx.WithServiceName("verifier_2"),
			httpx.WithErrorMapper(mapper), httpx.WithBodyLimit(1), httpx.WithReadiness("store", noop),
			httpx.WithReadiness("trust-list.eu", noop), httpx.WithTLS(&tls.Config{Certificates: []tls.Certificate{{}}}),
			httpx.WithContentSecurityPolicy("default-src 'none'"), httpx.WithShutdownTimeout(time.Second),
		}},
		{name: "fail/nil option", opts: []httpx.Option{nil}},
		{name: "fail/nil logger", opts: []httpx.Option{httpx.WithLogger(nil)}},
		{name: "fail/empty service name", opts: []httpx.Option{httpx.WithServiceName("")}},
		{name: "fail/upper-case service name", opts: []httpx.Option{httpx.WithServiceName("Issuer")}},
		{name: "fail/service name with space", opts: []httpx.Option{httpx.WithServiceName("is suer")}},
		{name: "fail/service name too long", opts: []httpx.Option{httpx.WithServiceName(strings.Repeat("a", 33))}},
		{name: "fail/nil mapper", opts: []httpx.Option{httpx.WithErrorMapper(nil)}},
		{name: "fail/zero body limit", opts: []httpx.Option{httpx.WithBodyLimit(0)}},
		{name: "fail/huge body limit", opts: []httpx.Option{httpx.WithBodyLimit(1 << 40)}},
		{name: "fail/nil check", opts: []httpx.Option{httpx.WithReadiness("store", nil)}},
		{name: "fail/bad check name", opts: []httpx.Option{httpx.WithReadiness("Store DB", noop)}},
		{name: "fail/duplicate check", opts: []httpx.Option{httpx.WithReadiness("store", noop), httpx.WithReadiness("store", noop)}},
		{name: "fail/too many checks", opts: tooMany},
		{name: "fail/nil TLS", opts: []httpx.Option{httpx.WithTLS(nil)}},
		{name: "fail/TLS without certificate", opts: []httpx.Option{httpx.WithTLS(&tls.Config{})}},
		{name: "fail/TLS 1.1", opts: []httpx.Option{httpx.WithTLS(&tls.Config{Certificates: []tls.Certificate{{}}, MinVersion: tls.VersionTLS11})}},
		{name: "fail/empty CSP", opts: []httpx.Option{httpx.WithContentSecurityPolicy("")}},
		{name: "fail/CSP with newline", opts: []httpx.Option{httpx.WithContentSecurityPolicy("a\nb")}},
		{name: "fail/zero shutdown timeout", opts: []httpx.Option{httpx.WithShutdownTimeout(0)}},
		{name: "fail/huge shutdown timeout", opts: []httpx.Option{httpx.WithShutdownTimeout(time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := httpx.New(tt.opts...)
			if tt.ok {
				if err != nil || s == nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, httpx.ErrInvalidOption) {
				t.Fatalf("New: err = %v, want ErrInvalidOption", err)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	s := newServer(t, httpx.WithServiceName("issuer"))
	issued := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "hashi_credentials_issued_total", Help: "Credentials issued.",
	}, []string{"format"})
	s.Registerer().MustRegister(issued)
	s.Echo().GET("/credential_offer/:id", func(c echo.Context) error {
		issued.WithLabelValues("dc+sd-jwt").Inc()
		return c.NoContent(http.StatusNoContent)
	})
	s.Echo().POST("/credential_offer/:id", func(echo.Context) error { return errors.New("boom") })

	// A second service in the same process registers the same metric names without a
	// collision, and its metrics do not show up on the first one's listener.
	other := newServer(t, httpx.WithServiceName("verifier"))
	other.Echo().GET("/other", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })

	r := start(t, s)
	r2 := start(t, other)
	get(t, r2.client, r2.appURL+"/other")
	for _, id := range []string{"abc123secret", "def456secret"} {
		if res := get(t, r.client, r.appURL+"/credential_offer/"+id+"?pre-authorized_code=qqq"); res.status != 204 {
			t.Fatalf("status %d", res.status)
		}
	}
	do(t, r.client, newRequest(t, http.MethodPost, r.appURL+"/credential_offer/x1secret", nil))
	get(t, r.client, r.appURL+"/no/such/secretpath")
	do(t, r.client, newRequest(t, "BREW", r.appURL+"/credential_offer/x2secret", nil))

	res := get(t, r.client, r.opsURL+"/metrics")
	if res.status != 200 {
		t.Fatalf("/metrics: %d %q", res.status, res.body)
	}
	for _, want := range []string{
		`hashi_http_requests_total{code="204",method="GET",route="/credential_offer/:id",service="issuer"} 2`,
		`hashi_http_requests_total{code="500",method="POST",route="/credential_offer/:id",service="issuer"} 1`,
		`hashi_http_requests_total{code="404",method="GET",route="unmatched",service="issuer"} 1`,
		`hashi_http_requests_total{code="405",method="OTHER",route="/credential_offer/:id",service="issuer"} 1`,
		`hashi_http_request_duration_seconds_count{code="204",method="GET",route="/credential_offer/:id",service="issuer"} 2`,
		`hashi_http_request_duration_seconds_bucket{code="204",method="GET",route="/credential_offer/:id",service="issuer",le="+Inf"} 2`,
		`hashi_credentials_issued_total{format="dc+sd-jwt",service="issuer"} 2`,
		`go_goroutines `,
	} {
		if !strings.Contains(res.body, want+"\n") && !strings.Contains(res.body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	for _, leak := range []string{"secret", "qqq", `service="verifier"`, `route="/other"`} {
		if strings.Contains(res.body, leak) {
			t.Errorf("/metrics contains %q", leak)
		}
	}
	res2 := get(t, r2.client, r2.opsURL+"/metrics")
	if !strings.Contains(res2.body, `hashi_http_requests_total{code="204",method="GET",route="/other",service="verifier"} 1`) {
		t.Errorf("second service's /metrics lacks its request:\n%s", res2.body)
	}
	// Metrics are not served on the app listener.
	if res := get(t, r.client, r.appURL+"/metrics"); res.status != 404 {
		t.Errorf("app /metrics: %d", res.status)
	}
}

func TestRequestLogs(t *testing.T) {
	logs := &syncBuffer{}
	s := newServer(t, httpx.WithServiceName("wallet"), httpx.WithLogger(jsonLogger(logs)))
	s.Echo().POST("/token", func(c echo.Context) error {
		if err := c.Request().ParseForm(); err != nil {
			return err
		}
		return c.JSON(http.StatusOK, map[string]string{"ok": "yes"})
	})
	r := start(t, s)
	req := newRequest(t, http.MethodPost, r.appURL+"/token?code=QUERYSECRET&state=STATESECRET",
		strings.NewReader("pre-authorized_code=BODYSECRET&tx_code=123456"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "DPoP AUTHSECRET")
	req.Header.Set("DPoP", "eyJDPOPSECRET")
	req.Header.Set("Cookie", "session=COOKIESECRET")
	req.Header.Set("X-Request-ID", "req-log-1")
	req.Header.Set("X-Forwarded-For", "203.0.113.9")
	if res := do(t, r.client, req); res.status != 200 {
		t.Fatalf("status %d %q", res.status, res.body)
	}
	lines := logs.requestLines(t)
	if len(lines) != 1 {
		t.Fatalf("request log lines = %d, want 1:\n%s", len(lines), logs.String())
	}
	l := lines[0]
	want := map[string]any{
		"level": "INFO", "msg": "request", "service": "wallet", "request_id": "req-log-1", "method": "POST",
		"route": "/token", "status": float64(200), "bytes_in": float64(len("pre-authorized_code=BODYSECRET&tx_code=123456")),
		"bytes_out": float64(len(`{"ok":"yes"}` + "\n")),
	}
	for k, v := range want {
		if l[k] != v {
			t.Errorf("log %s = %v, want %v", k, l[k], v)
		}
	}
	if _, ok := l["latency_ms"].(float64); !ok {
		t.Errorf("log latency_ms = %v", l["latency_ms"])
	}
	if _, ok := l["error"]; ok {
		t.Errorf("log has an error: %v", l["error"])
	}
	all := logs.String()
	for _, leak := range []string{"SECRET", "123456", "203.0.113.9", "127.0.0.1"} {
		if strings.Contains(all, leak) {
			t.Errorf("logs contain %q:\n%s", leak, all)
		}
	}
}

func TestReadiness(t *testing.T) {
	storeErr := errors.New("store: ping: connection refused")
	var storeDown, trustDown atomic.Bool
	s := newServer(t,
		httpx.WithReadiness("store", func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("no deadline")
			}
			if storeDown.Load() {
				return storeErr
			}
			return nil
		}),
		httpx.WithReadiness("trustlist", func(context.Context) error {
			if trustDown.Load() {
				panic("trust list state corrupt")
			}
			return nil
		}),
	)
	r := start(t, s)
	tests := []struct {
		name                 string
		storeDown, trustDown bool
		wantStatus           int
		want                 httpx.Readiness
	}{
		{name: "ok/all checks pass", wantStatus: 200, want: httpx.Readiness{Status: "ready", Checks: []httpx.CheckResult{
			{Name: "store", Status: "ok"}, {Name: "trustlist", Status: "ok"}}}},
		{name: "fail/store down", storeDown: true, wantStatus: 503, want: httpx.Readiness{Status: "not_ready", Checks: []httpx.CheckResult{
			{Name: "store", Status: "fail", Error: storeErr.Error()}, {Name: "trustlist", Status: "ok"}}}},
		{name: "fail/check panics", trustDown: true, wantStatus: 503, want: httpx.Readiness{Status: "not_ready", Checks: []httpx.CheckResult{
			{Name: "store", Status: "ok"}, {Name: "trustlist", Status: "fail", Error: "check panicked: trust list state corrupt"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			storeDown.Store(tt.storeDown)
			trustDown.Store(tt.trustDown)
			res := get(t, r.client, r.opsURL+"/readyz")
			if res.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.status, tt.wantStatus, res.body)
			}
			var got httpx.Readiness
			if err := json.Unmarshal([]byte(res.body), &got); err != nil {
				t.Fatal(err)
			}
			if !equalReadiness(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if res.header.Get("Cache-Control") != "no-store" || res.header.Get("Content-Type") != "application/json" {
				t.Errorf("headers %v", res.header)
			}
		})
	}
	t.Run("ok/healthz", func(t *testing.T) {
		res := get(t, r.client, r.opsURL+"/healthz")
		if res.status != 200 || res.body != `{"status":"ok"}` {
			t.Errorf("healthz: %d %q", res.status, res.body)
		}
	})
}

func equalReadiness(a, b httpx.Readiness) bool {
	if a.Status != b.Status || len(a.Checks) != len(b.Checks) {
		return false
	}
	for i := range a.Checks {
		if a.Checks[i] != b.Checks[i] {
			return false
		}
	}
	return true
}

func TestRunGracefulShutdown(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	s := newServer(t)
	s.Echo().GET("/slow", func(c echo.Context) error {
		close(started)
		<-release
		return c.String(http.StatusOK, "done")
	})
	app, ops := listen(t), listen(t)
	appAddr, opsURL := app.Addr().String(), "http://"+ops.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, app, ops) }()

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	type result struct {
		res response
		err error
	}
	slow := make(chan result, 1)
	go func() {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+appAddr+"/slow", nil)
		if err != nil {
			slow <- result{err: err}
			return
		}
		res, err := client.Do(req)
		if err != nil {
			slow <- result{err: err}
			return
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		slow <- result{res: response{status: res.StatusCode, body: string(b)}, err: err}
	}()
	<-started
	cancel()

	// Wait until shutdown has begun: readiness reports it, then the app listener refuses
	// new connections, while /slow is still in flight.
	waitFor(t, func() bool {
		res, err := client.Get(opsURL + "/readyz")
		if err != nil {
			return false
		}
		defer res.Body.Close()
		return res.StatusCode == http.StatusServiceUnavailable
	})
	waitFor(t, func() bool {
		var d net.Dialer
		conn, err := d.DialContext(t.Context(), "tcp", appAddr)
		if err != nil {
			return true
		}
		_ = conn.Close()
		return false
	})
	select {
	case err := <-done:
		t.Fatalf("Run returned %v before the in-flight request finished", err)
	default:
	}
	close(release)
	got := <-slow
	if got.err != nil || got.res.status != 200 || got.res.body != "done" {
		t.Fatalf("in-flight request: %+v", got)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

func TestRunShutdownTimeout(t *testing.T) {
	started := make(chan struct{})
	release := make(chan struct{})
	s := newServer(t, httpx.WithShutdownTimeout(time.Millisecond))
	s.Echo().GET("/stuck", func(c echo.Context) error {
		close(started)
		<-release
		return c.NoContent(http.StatusNoContent)
	})
	app := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, app, nil) }()
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	reqDone := make(chan struct{})
	go func() {
		defer close(reqDone)
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+app.Addr().String()+"/stuck", nil)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	<-started
	cancel()
	err := <-done
	close(release)
	<-reqDone
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run: %v, want a shutdown error wrapping context.DeadlineExceeded", err)
	}
}

func TestRunErrors(t *testing.T) {
	t.Run("fail/nil app listener", func(t *testing.T) {
		ops := listen(t)
		err := newServer(t).Run(t.Context(), nil, ops)
		if !errors.Is(err, httpx.ErrInvalidListener) {
			t.Fatalf("Run: %v", err)
		}
		if _, err := ops.Accept(); err == nil {
			t.Error("ops listener left open")
		}
	})
	t.Run("fail/second Run", func(t *testing.T) {
		s := newServer(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := s.Run(ctx, listen(t), nil); err != nil {
			t.Fatalf("first Run: %v", err)
		}
		if err := s.Run(t.Context(), listen(t), nil); !errors.Is(err, httpx.ErrAlreadyRunning) {
			t.Fatalf("second Run: %v", err)
		}
	})
	t.Run("fail/listener fails", func(t *testing.T) {
		app := listen(t)
		_ = app.Close()
		err := newServer(t).Run(t.Context(), app, listen(t))
		if err == nil || !strings.Contains(err.Error(), "httpx: serve") {
			t.Fatalf("Run: %v", err)
		}
	})
	t.Run("fail/address in use", func(t *testing.T) {
		l := listen(t)
		defer l.Close()
		err := newServer(t).ListenAndRun(t.Context(), l.Addr().String(), "")
		if err == nil || !strings.Contains(err.Error(), "httpx: listen") {
			t.Fatalf("ListenAndRun: %v", err)
		}
	})
	t.Run("ok/ListenAndRun", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := newServer(t).ListenAndRun(ctx, "127.0.0.1:0", "127.0.0.1:0"); err != nil {
			t.Fatalf("ListenAndRun: %v", err)
		}
	})
}

func TestRunTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	s := newServer(t, httpx.WithTLS(&tls.Config{Certificates: []tls.Certificate{cert}}))
	s.Echo().GET("/x", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	r := start(t, s)
	r.client.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	res := get(t, r.client, strings.Replace(r.appURL, "http://", "https://", 1)+"/x")
	if res.status != 204 || res.header.Get("Strict-Transport-Security") != "max-age=31536000" {
		t.Fatalf("TLS: %d %v", res.status, res.header)
	}
	// The ops listener stays plain HTTP.
	if res := get(t, r.client, r.opsURL+"/healthz"); res.status != 200 {
		t.Fatalf("ops over TLS server: %d", res.status)
	}
}

// selfSigned makes a P-256 certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "httpx test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// waitFor polls cond until it holds, failing the test after 10 s. It only waits for a state
// change that is certain to come; no assertion depends on how long it takes.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
