package httpx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/hashi-vc/hashi/internal/httpx"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a slog handler.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lines decodes the JSON log lines written so far.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		out = append(out, m)
	}
	return out
}

// requestLines returns the "request" log lines.
func (b *syncBuffer) requestLines(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, m := range b.lines(t) {
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

func jsonLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newServer builds a Server or fails the test.
func newServer(t *testing.T, opts ...httpx.Option) *httpx.Server {
	t.Helper()
	s, err := httpx.New(opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// serveApp serves s's Echo instance with httptest (no ops listener).
func serveApp(t *testing.T, s *httpx.Server) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(s.Echo())
	t.Cleanup(ts.Close)
	return ts
}

type response struct {
	status int
	header http.Header
	body   string
}

// do sends one request with client and reads the whole response.
func do(t *testing.T, client *http.Client, req *http.Request) response {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func newRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// get is a plain GET.
func get(t *testing.T, client *http.Client, url string) response {
	t.Helper()
	return do(t, client, newRequest(t, http.MethodGet, url, nil))
}

// listen opens a loopback listener on a free port.
func listen(t *testing.T) net.Listener {
	t.Helper()
	var lc net.ListenConfig
	l, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// running is a Server running on real loopback listeners.
type running struct {
	appURL, opsURL string
	client         *http.Client
	cancel         context.CancelFunc
	done           chan error
}

// start runs s on fresh loopback listeners and registers a cleanup that stops it and
// checks that Run returned nil.
func start(t *testing.T, s *httpx.Server) *running {
	t.Helper()
	app, ops := listen(t), listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{
		appURL: "http://" + app.Addr().String(),
		opsURL: "http://" + ops.Addr().String(),
		client: &http.Client{Transport: &http.Transport{}},
		cancel: cancel,
		done:   make(chan error, 1),
	}
	go func() { r.done <- s.Run(ctx, app, ops) }()
	t.Cleanup(func() {
		r.client.CloseIdleConnections()
		cancel()
		if err := <-r.done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return r
}

// decodeError decodes an error body.
func decodeError(t *testing.T, body string) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	return m
}
