package safehttp_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/safehttp"
)

func resolverMap(m map[string]string) safehttp.Resolver {
	return func(_ context.Context, host string) ([]netip.Addr, error) {
		if a, ok := m[host]; ok {
			return []netip.Addr{netip.MustParseAddr(a)}, nil
		}
		return nil, errors.New("no such host")
	}
}

func mustNew(t *testing.T, opts ...safehttp.Option) *safehttp.Client {
	t.Helper()
	c, err := safehttp.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetch(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello")) })
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/big", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(strings.Repeat("x", 2048))) })
	mux.HandleFunc("/bigchunked", func(w http.ResponseWriter, _ *http.Request) {
		for range 4 {
			_, _ = w.Write([]byte(strings.Repeat("x", 512)))
			w.(http.Flusher).Flush()
		}
	})
	mux.HandleFunc("/fail", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "no", http.StatusInternalServerError) })
	mux.HandleFunc("/form", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(r.PostFormValue("a"))) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	tlsSrv := httptest.NewTLSServer(mux)
	t.Cleanup(tlsSrv.Close)
	pool := x509.NewCertPool()
	pool.AddCert(tlsSrv.Certificate())
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	tlsPort := tlsSrv.URL[strings.LastIndex(tlsSrv.URL, ":")+1:]

	loop := safehttp.WithLoopbackInsecure()
	res := safehttp.WithResolver(resolverMap(map[string]string{
		"rebind.example": "127.0.0.1", "demo.localhost": "127.0.0.1", "evil.localhost": "10.1.2.3",
		"meta.example": "169.254.169.254", "lan.example": "192.168.1.10",
	}))
	tests := []struct {
		name     string
		opts     []safehttp.Option
		url      string
		call     []safehttp.CallOption
		wantCode safehttp.Code
		wantBody string
	}{
		{name: "ok/loopback http", opts: []safehttp.Option{loop}, url: srv.URL + "/ok", wantBody: "hello"},
		{name: "ok/localhost name", opts: []safehttp.Option{loop, res}, url: "http://demo.localhost:" + port + "/ok", wantBody: "hello"},
		{name: "ok/https with injected roots", opts: []safehttp.Option{loop, safehttp.WithRootCAs(pool)}, url: tlsSrv.URL + "/ok", wantBody: "hello"},
		{name: "ok/body at the limit", opts: []safehttp.Option{loop}, url: srv.URL + "/big", call: []safehttp.CallOption{safehttp.MaxBody(2048)}, wantBody: strings.Repeat("x", 2048)},
		{name: "fail/http without loopback option", url: srv.URL + "/ok", wantCode: safehttp.CodeInvalidURL},
		{name: "fail/http to a public name", opts: []safehttp.Option{loop, res}, url: "http://rebind.example:" + port + "/ok", wantCode: safehttp.CodeInvalidURL},
		{name: "fail/https to loopback without option", opts: []safehttp.Option{safehttp.WithRootCAs(pool)}, url: tlsSrv.URL + "/ok", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/dns rebinding to loopback", opts: []safehttp.Option{res}, url: "https://rebind.example:" + tlsPort + "/ok", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/localhost name resolving elsewhere over http", opts: []safehttp.Option{loop, res, safehttp.WithPrivateNetworksInsecure()}, url: "http://evil.localhost:" + port + "/ok", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/private literal", url: "https://10.0.0.1/x", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/private name", opts: []safehttp.Option{res}, url: "https://lan.example/x", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/link-local even with private allowed", opts: []safehttp.Option{res, safehttp.WithPrivateNetworksInsecure()}, url: "https://meta.example/latest", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/unspecified", url: "https://0.0.0.0/", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/ipv6 unique local", url: "https://[fd00::1]/", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/mapped loopback", url: "https://[::ffff:127.0.0.1]/", wantCode: safehttp.CodeBlockedAddress},
		{name: "fail/scheme", opts: []safehttp.Option{loop}, url: "ftp://localhost/x", wantCode: safehttp.CodeInvalidURL},
		{name: "fail/user info", url: "https://user@example.com/", wantCode: safehttp.CodeInvalidURL},
		{name: "fail/relative", url: "/ok", wantCode: safehttp.CodeInvalidURL},
		{name: "fail/redirect", opts: []safehttp.Option{loop}, url: srv.URL + "/redirect", wantCode: safehttp.CodeRedirectRefused},
		{name: "fail/too large", opts: []safehttp.Option{loop}, url: srv.URL + "/big", call: []safehttp.CallOption{safehttp.MaxBody(1024)}, wantCode: safehttp.CodeTooLarge},
		{name: "fail/too large chunked", opts: []safehttp.Option{loop, safehttp.WithMaxBodySize(1024)}, url: srv.URL + "/bigchunked", wantCode: safehttp.CodeTooLarge},
		{name: "fail/unknown TLS root", opts: []safehttp.Option{loop}, url: tlsSrv.URL + "/ok", wantCode: safehttp.CodeNetwork},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustNew(t, tt.opts...)
			resp, err := c.Get(t.Context(), tt.url, "", tt.call...)
			if tt.wantCode != "" {
				if got := safehttp.CodeOf(err); got != tt.wantCode {
					t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(resp.Body) != tt.wantBody {
				t.Fatalf("body = %q", resp.Body)
			}
		})
	}

	t.Run("ok/redirect status is reported", func(t *testing.T) {
		_, err := mustNew(t, loop).Get(t.Context(), srv.URL+"/redirect", "")
		e, ok := errors.AsType[*safehttp.Error](err)
		if !ok || e.Status != http.StatusFound || !errors.Is(err, safehttp.ErrRedirectRefused) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("fail/bad status", func(t *testing.T) {
		resp, err := mustNew(t, loop).Get(t.Context(), srv.URL+"/fail", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := resp.Expect(http.StatusOK); safehttp.CodeOf(err) != safehttp.CodeBadStatus {
			t.Fatalf("Expect = %v", err)
		}
	})
	t.Run("ok/post form", func(t *testing.T) {
		resp, err := mustNew(t, loop).PostForm(t.Context(), srv.URL+"/form", url.Values{"a": {"b"}}, nil)
		if err != nil || string(resp.Body) != "b" {
			t.Fatalf("resp = %v, %v", resp, err)
		}
	})
	t.Run("fail/http client also guarded", func(t *testing.T) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "https://10.0.0.1/", nil)
		resp, err := mustNew(t).HTTPClient().Do(req)
		if err == nil {
			_ = resp.Body.Close()
		}
		if safehttp.CodeOf(err) != safehttp.CodeBlockedAddress {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c := mustNew(t, safehttp.WithLoopbackInsecure(), safehttp.WithTimeout(100*time.Millisecond))
	_, err := c.Get(t.Context(), srv.URL, "")
	if safehttp.CodeOf(err) != safehttp.CodeTimeout {
		t.Fatalf("err = %v", err)
	}
}

func TestOptions(t *testing.T) {
	for name, o := range map[string]safehttp.Option{
		"fail/nil roots": safehttp.WithRootCAs(nil), "fail/zero timeout": safehttp.WithTimeout(0),
		"fail/negative body": safehttp.WithMaxBodySize(-1), "fail/nil resolver": safehttp.WithResolver(nil),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := safehttp.New(o); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestIsLoopbackHost(t *testing.T) {
	for h, want := range map[string]bool{"localhost": true, "jp-desk.localhost": true, "127.0.0.2": true, "[::1]": true,
		"localhost.example": false, "10.0.0.1": false, "example.com": false} {
		if got := safehttp.IsLoopbackHost(h); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v", h, got)
		}
	}
}

func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://example.com/x", "http://localhost:8080/", "https://[::1]/", "https://10.0.0.1", "http://a.localhost"} {
		f.Add(s)
	}
	c, err := safehttp.New(safehttp.WithLoopbackInsecure())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := c.CheckURL(s)
		if err == nil && u.Scheme != "https" && !(u.Scheme == "http" && safehttp.IsLoopbackHost(u.Hostname())) {
			t.Fatalf("accepted %q", s)
		}
	})
}

func TestCheckURLAddressClasses(t *testing.T) {
	priv := mustNew(t, safehttp.WithPrivateNetworksInsecure())
	strict := mustNew(t)
	for _, tt := range []struct {
		url              string
		strictOK, privOK bool
	}{
		{"https://10.1.2.3/", false, true},
		{"https://[::ffff:192.168.0.1]/", false, true},
		{"https://100.64.0.1/", false, true},
		{"https://[fe80::1]/", false, false},
		{"https://224.0.0.1/", false, false},
		{"https://127.0.0.1/", false, false},
		{"https://93.184.215.14/", true, true},
		{"https://issuer.example/", true, true},
	} {
		_, errS := strict.CheckURL(tt.url)
		_, errP := priv.CheckURL(tt.url)
		if (errS == nil) != tt.strictOK || (errP == nil) != tt.privOK {
			t.Errorf("%s: strict %v, private %v", tt.url, errS, errP)
		}
	}
}
