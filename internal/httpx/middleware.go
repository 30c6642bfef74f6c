package httpx

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
)

// requestIDKey is the context key of the request ID.
type requestIDKey struct{}

// RequestID returns the request ID the server gave the request whose context is ctx, or ""
// outside a request. It is the X-Request-ID response header and the request_id log attribute.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// acceptRequestID returns the incoming X-Request-ID if it is 1–64 characters of
// [A-Za-z0-9._-], and otherwise a fresh random ID (128 bits, base32).
func acceptRequestID(in string) string {
	if validRequestID(in) {
		return in
	}
	return rand.Text()
}

func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > maxRequestIDLen {
		return false
	}
	for i := range len(s) {
		b := s[i]
		if (b < 'a' || b > 'z') && (b < 'A' || b > 'Z') && (b < '0' || b > '9') && b != '-' && b != '_' && b != '.' {
			return false
		}
	}
	return true
}

// core is the outermost middleware (registered with Echo's Pre, so it also covers 404 and
// 405). It assigns the request ID, sets the security headers, bounds the body, recovers
// panics, hands any error to the error handler, and then logs and counts the request with
// its final status.
func (s *Server) core(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		req := c.Request()
		id := acceptRequestID(req.Header.Get(echo.HeaderXRequestID))
		ctx := context.WithValue(req.Context(), requestIDKey{}, id)
		req = req.WithContext(ctx)
		var body *limitedBody
		if req.Body != nil && req.Body != http.NoBody {
			body = &limitedBody{rc: req.Body, limit: s.cfg.bodyLimit, contentLength: req.ContentLength}
			req.Body = body
		}
		c.SetRequest(req)

		h := c.Response().Header()
		h.Set(echo.HeaderXRequestID, id)
		h.Set(echo.HeaderXContentTypeOptions, "nosniff")
		h.Set(echo.HeaderReferrerPolicy, "no-referrer")
		h.Set(echo.HeaderXFrameOptions, "DENY")
		h.Set(echo.HeaderContentSecurityPolicy, s.cfg.csp)
		if s.cfg.tls != nil && req.TLS != nil {
			h.Set(echo.HeaderStrictTransportSecurity, hstsValue)
		}

		err := recoverPanic(next, c)
		if err != nil {
			s.handleError(err, c)
		}
		s.observe(c, start, body, err)
		return nil
	}
}

// observe writes the request's log line and metrics. It logs the method, the route template,
// the status, the latency, the request ID and the byte counts, and the error text if any;
// never the URL's path or query, headers, cookies or bodies.
func (s *Server) observe(c echo.Context, start time.Time, body *limitedBody, err error) {
	latency := time.Since(start)
	req := c.Request()
	res := c.Response()
	method := methodLabel(req.Method)
	route := c.Path()
	if route == "" {
		route = "unmatched"
	}
	status := res.Status
	code := strconv.Itoa(status)
	s.requests.WithLabelValues(method, route, code).Inc()
	s.duration.WithLabelValues(method, route, code).Observe(latency.Seconds())

	var bytesIn int64
	if body != nil {
		bytesIn = body.n
	}
	attrs := []slog.Attr{
		slog.String("request_id", RequestID(req.Context())),
		slog.String("method", method),
		slog.String("route", route),
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(latency.Microseconds())/1000),
		slog.Int64("bytes_in", bytesIn),
		slog.Int64("bytes_out", res.Size),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", truncate(err.Error(), maxLoggedErrorLen)))
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	s.logger.LogAttrs(req.Context(), level, "request", attrs...)
}

// methodLabel keeps the method label bounded: unknown methods become "OTHER".
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	default:
		return "OTHER"
	}
}

// limitedBody bounds a request body. Unlike http.MaxBytesReader its limit can be changed
// until the first read, so a route group can raise the server-wide limit. Reading past the
// limit, or a Content-Length above it, fails with *http.MaxBytesError, which the error
// handler answers with 413.
type limitedBody struct {
	rc            io.ReadCloser
	limit         int64
	contentLength int64
	n             int64 // bytes returned so far
	err           error // sticky
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.n == 0 && b.contentLength > b.limit {
		b.err = &http.MaxBytesError{Limit: b.limit}
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	// Read at most one byte more than allowed, to tell "exactly at the limit" from "over".
	if room := b.limit - b.n; int64(len(p)) > room+1 {
		p = p[:room+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) <= b.limit-b.n {
		b.n += int64(n)
		b.err = err
		return n, err
	}
	n = int(b.limit - b.n)
	b.n = b.limit
	b.err = &http.MaxBytesError{Limit: b.limit}
	return n, b.err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

// BodyLimit returns middleware that sets the request-body limit of the routes it wraps to n
// bytes, replacing the server-wide limit (it can raise it as well as lower it). Use it on a
// route group that takes larger uploads, such as a trusted list. It panics if n is not in
// 1 B..64 MiB, like Echo's own middleware constructors, because it runs at route setup.
func BodyLimit(n int64) echo.MiddlewareFunc {
	if n < 1 || n > maxBodyLimit {
		panic("httpx: BodyLimit: limit " + strconv.FormatInt(n, 10) + " out of range")
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			switch b := req.Body.(type) {
			case *limitedBody:
				if b.n == 0 && b.err == nil {
					b.limit = n
				}
			case nil:
			default:
				if b != http.NoBody {
					req.Body = &limitedBody{rc: b, limit: n, contentLength: req.ContentLength}
				}
			}
			return next(c)
		}
	}
}

// ContentSecurityPolicy returns middleware that replaces the Content-Security-Policy header
// on the routes it wraps, for pages that need a different policy from the server's. It
// panics on an empty or non-ASCII policy, because it runs at route setup.
func ContentSecurityPolicy(policy string) echo.MiddlewareFunc {
	if !validHeaderValue(policy) || len(policy) > maxCSPLen {
		panic("httpx: ContentSecurityPolicy: invalid policy")
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set(echo.HeaderContentSecurityPolicy, policy)
			return next(c)
		}
	}
}

// NoStore returns middleware that sets Cache-Control: no-store on the routes it wraps, as
// RFC 6749 §5.1 requires for token responses and OpenID4VCI for credential and nonce
// responses. Error responses carry it anyway.
func NoStore() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
			return next(c)
		}
	}
}
