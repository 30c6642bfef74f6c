package safehttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Resolver looks up the addresses of a host name. The default uses net.DefaultResolver.
type Resolver func(ctx context.Context, host string) ([]netip.Addr, error)

type config struct {
	loopback    bool
	private     bool
	roots       *x509.CertPool
	timeout     time.Duration
	maxBody     int64
	resolver    Resolver
	dialTimeout time.Duration
}

// Option configures a Client.
type Option func(*config) error

// WithLoopbackInsecure allows connections to loopback addresses (127.0.0.0/8, ::1) and plain
// http to loopback hosts ("localhost", names under ".localhost", loopback IP literals).
//
// WARNING: a hosted wallet must not set it outside development: it lets a link make the
// server talk to services listening on its own loopback interface. The CLI holder sets it so
// that it works against `hashi demo`.
func WithLoopbackInsecure() Option {
	return func(c *config) error { c.loopback = true; return nil }
}

// WithPrivateNetworksInsecure allows connections to private and other special-purpose
// address ranges (RFC 1918, RFC 4193, 100.64.0.0/10, ...), for a pilot whose parties live on
// an internal network. Link-local (cloud metadata endpoints), unspecified and multicast
// addresses stay refused.
//
// WARNING: a link can then make the wallet reach any host of that network.
func WithPrivateNetworksInsecure() Option {
	return func(c *config) error { c.private = true; return nil }
}

// WithRootCAs sets the certificate pool that server certificates must chain to (the demo's
// TLS CA). Default: the system roots.
func WithRootCAs(pool *x509.CertPool) Option {
	return func(c *config) error {
		if pool == nil {
			return errors.New("safehttp: WithRootCAs: nil pool")
		}
		c.roots = pool
		return nil
	}
}

// WithTimeout bounds each whole exchange. Default: DefaultTimeout (10 s). At most 2 minutes.
func WithTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 || d > 2*time.Minute {
			return fmt.Errorf("safehttp: WithTimeout: %v out of range (0, 2m]", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxBodySize sets the default response body limit. Default: DefaultMaxBodySize (1 MiB).
func WithMaxBodySize(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return fmt.Errorf("safehttp: WithMaxBodySize: %d must be positive", n)
		}
		c.maxBody = n
		return nil
	}
}

// WithResolver replaces DNS resolution, e.g. to map demo host names in tests. The addresses
// it returns are checked like any other.
func WithResolver(r Resolver) Option {
	return func(c *config) error {
		if r == nil {
			return errors.New("safehttp: WithResolver: nil resolver")
		}
		c.resolver = r
		return nil
	}
}

// Client fetches untrusted URLs. It is safe for concurrent use.
type Client struct {
	cfg config
	hc  *http.Client
}

type plainKey struct{}

// New returns a Client with the options applied.
func New(opts ...Option) (*Client, error) {
	cfg := config{timeout: DefaultTimeout, maxBody: DefaultMaxBodySize, dialTimeout: dialTimeout}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.resolver == nil {
		cfg.resolver = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	c := &Client{cfg: cfg}
	dialer := &net.Dialer{
		Timeout: cfg.dialTimeout,
		// The last line of defence: whatever name resolution happened, the address actually
		// connected to is checked here.
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return errorf(CodeBlockedAddress, err, "unparsable dial address")
			}
			return c.checkIP(ap.Addr(), false)
		},
	}
	tr := &http.Transport{
		Proxy: nil, // a proxy would connect on our behalf, past the address checks
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return c.dial(ctx, dialer, network, addr)
		},
		TLSClientConfig:        &tls.Config{RootCAs: cfg.roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    tlsHandshakeTimeout,
		ResponseHeaderTimeout:  min(responseHeaderTimeout, cfg.timeout),
		MaxResponseHeaderBytes: 64 << 10,
		ForceAttemptHTTP2:      true,
		IdleConnTimeout:        30 * time.Second,
		MaxIdleConns:           16,
	}
	c.hc = &http.Client{
		Transport: guard{c: c, next: tr},
		Timeout:   cfg.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return c, nil
}

// HTTPClient returns the underlying *http.Client for libraries that take one (the trust
// list loader). It applies the same URL, address and redirect rules, but not the body limit:
// callers read bodies with their own limit.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// AllowsLoopback reports whether the client was built with WithLoopbackInsecure.
func (c *Client) AllowsLoopback() bool { return c.cfg.loopback }

type guard struct {
	c    *Client
	next http.RoundTripper
}

func (g guard) RoundTrip(req *http.Request) (*http.Response, error) {
	if _, err := g.c.CheckURL(req.URL.String()); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	if req.URL.Scheme == "http" {
		req = req.WithContext(context.WithValue(req.Context(), plainKey{}, true))
	}
	return g.next.RoundTrip(req)
}

// CheckURL parses raw and checks that the client may fetch it: an absolute https URL, or
// plain http to a loopback host when WithLoopbackInsecure is set; no user info; an IP
// literal host of an allowed class. It returns the parsed URL. Host names are resolved and
// checked later, when connecting.
func (c *Client) CheckURL(raw string) (*url.URL, error) {
	if len(raw) > MaxURLLength {
		return nil, errorf(CodeInvalidURL, nil, "URL longer than %d bytes", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errorf(CodeInvalidURL, err, "unparsable URL")
	}
	if !u.IsAbs() || u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
		return nil, errorf(CodeInvalidURL, nil, "not an absolute URL with a host")
	}
	if u.User != nil {
		return nil, errorf(CodeInvalidURL, nil, "URL with user info")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errorf(CodeInvalidURL, nil, "bad port %q", p)
		}
	}
	host := strings.ToLower(u.Hostname())
	switch u.Scheme {
	case "https":
	case "http":
		if !c.cfg.loopback || !IsLoopbackHost(host) {
			return nil, errorf(CodeInvalidURL, nil, "plain http is allowed only to loopback hosts in development")
		}
	default:
		return nil, errorf(CodeInvalidURL, nil, "scheme %q is not https", u.Scheme)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if err := c.checkIP(ip, u.Scheme == "http"); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// IsLoopbackHost reports whether host (without port) names the loopback interface: a
// loopback IP literal, "localhost" or a name under ".localhost" (RFC 6761 §6.3).
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

func (c *Client) dial(ctx context.Context, d *net.Dialer, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, errorf(CodeInvalidURL, err, "bad address")
	}
	pn, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return nil, errorf(CodeInvalidURL, err, "bad port")
	}
	plain := ctx.Value(plainKey{}) != nil
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = c.cfg.resolver(ctx, host)
		if err != nil {
			return nil, errorf(CodeNetwork, err, "resolve %s", host)
		}
	}
	var firstErr error
	for _, ip := range ips {
		if err := c.checkIP(ip, plain); err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip.Unmap(), uint16(pn)).String())
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = errorf(CodeNetwork, nil, "no address for %s", host)
	}
	return nil, firstErr
}

// special-purpose ranges treated like private networks (allowed only with
// WithPrivateNetworksInsecure).
var specialPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/23"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
}

// checkIP decides whether the client may connect to ip; plain is true for plain http.
func (c *Client) checkIP(ip netip.Addr, plain bool) error {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), ip.IsMulticast(), ip.IsLinkLocalUnicast(),
		ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(), ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return errorf(CodeBlockedAddress, nil, "address %s is never allowed", ip)
	case ip.IsLoopback():
		if !c.cfg.loopback {
			return errorf(CodeBlockedAddress, nil, "loopback address %s refused", ip)
		}
		return nil
	case plain:
		return errorf(CodeBlockedAddress, nil, "plain http to non-loopback address %s refused", ip)
	}
	private := ip.IsPrivate()
	for _, p := range specialPrefixes {
		if p.Contains(ip) {
			private = true
		}
	}
	if private && !c.cfg.private {
		return errorf(CodeBlockedAddress, nil, "private or special-purpose address %s refused", ip)
	}
	return nil
}

// Response is a fetched response with its body read (up to the limit).
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Expect returns nil when the status is one of statuses, and an error with CodeBadStatus
// otherwise.
func (r *Response) Expect(statuses ...int) error {
	for _, s := range statuses {
		if r.StatusCode == s {
			return nil
		}
	}
	return &Error{Code: CodeBadStatus, Status: r.StatusCode, Msg: fmt.Sprintf("unexpected status %d", r.StatusCode)}
}

// CallOption adjusts one call.
type CallOption func(*callConfig)

type callConfig struct{ maxBody int64 }

// MaxBody sets the body limit of one call (positive; other values keep the default).
func MaxBody(n int64) CallOption {
	return func(c *callConfig) {
		if n > 0 {
			c.maxBody = n
		}
	}
}

// Do sends req and reads the response body up to the limit. A 3xx answer is an error with
// CodeRedirectRefused; every other status is returned for the caller to judge.
func (c *Client) Do(req *http.Request, opts ...CallOption) (*Response, error) {
	cc := callConfig{maxBody: c.cfg.maxBody}
	for _, o := range opts {
		o(&cc)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, classify(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, &Error{Code: CodeRedirectRefused, Status: resp.StatusCode, Msg: fmt.Sprintf("redirect (%d) not followed", resp.StatusCode)}
	}
	if resp.ContentLength > cc.maxBody {
		return nil, errorf(CodeTooLarge, nil, "body of %d bytes exceeds %d", resp.ContentLength, cc.maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, cc.maxBody+1))
	if err != nil {
		return nil, classify(err)
	}
	if int64(len(body)) > cc.maxBody {
		return nil, errorf(CodeTooLarge, nil, "body exceeds %d bytes", cc.maxBody)
	}
	return &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

func classify(err error) error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errorf(CodeTimeout, err, "timed out")
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return errorf(CodeTimeout, err, "timed out")
	}
	if errors.Is(err, context.Canceled) {
		return errorf(CodeNetwork, err, "cancelled")
	}
	return errorf(CodeNetwork, err, "request failed")
}

func (c *Client) newRequest(ctx context.Context, method, rawURL string, body []byte, header http.Header) (*http.Request, error) {
	if _, err := c.CheckURL(rawURL); err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, errorf(CodeInvalidURL, err, "bad request")
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req, nil
}

// Get fetches rawURL with the given Accept header (none when empty).
func (c *Client) Get(ctx context.Context, rawURL, accept string, opts ...CallOption) (*Response, error) {
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	req, err := c.newRequest(ctx, http.MethodGet, rawURL, nil, h)
	if err != nil {
		return nil, err
	}
	return c.Do(req, opts...)
}

// PostForm posts form as application/x-www-form-urlencoded, with the extra header fields.
func (c *Client) PostForm(ctx context.Context, rawURL string, form url.Values, header http.Header, opts ...CallOption) (*Response, error) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/x-www-form-urlencoded")
	req, err := c.newRequest(ctx, http.MethodPost, rawURL, []byte(form.Encode()), h)
	if err != nil {
		return nil, err
	}
	return c.Do(req, opts...)
}

// PostJSON posts the JSON encoding of v (nil posts an empty body without a content type),
// with the extra header fields.
func (c *Client) PostJSON(ctx context.Context, rawURL string, v any, header http.Header, opts ...CallOption) (*Response, error) {
	h := header.Clone()
	if h == nil {
		h = http.Header{}
	}
	var body []byte
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("safehttp: encode body: %w", err)
		}
		body = b
		h.Set("Content-Type", "application/json")
	}
	req, err := c.newRequest(ctx, http.MethodPost, rawURL, body, h)
	if err != nil {
		return nil, err
	}
	if body == nil {
		req.ContentLength = 0
		req.Body = http.NoBody
	}
	return c.Do(req, opts...)
}
