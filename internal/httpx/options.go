package httpx

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"
)

// Check is a readiness check: it returns nil when the dependency it checks (a store ping,
// the trust-list state) is usable. It is called with a context that has a 3 s deadline and
// must return when that context is done. Its error text appears in the /readyz body and in
// the log, so it must not contain secrets such as DSN passwords.
type Check func(ctx context.Context) error

// Option configures New. Options check their arguments and New reports the first error.
type Option func(*config) error

type namedCheck struct {
	name  string
	check Check
}

type config struct {
	logger          *slog.Logger
	service         string
	mapper          ErrorMapper
	bodyLimit       int64
	checks          []namedCheck
	tls             *tls.Config
	csp             string
	shutdownTimeout time.Duration
}

func defaultConfig() config {
	return config{
		logger:          slog.New(slog.DiscardHandler),
		service:         "hashi",
		bodyLimit:       DefaultBodyLimit,
		csp:             DefaultContentSecurityPolicy,
		shutdownTimeout: DefaultShutdownTimeout,
	}
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidOption, fmt.Sprintf(format, args...))
}

// WithLogger sets the logger for request logs and server errors. New adds the attribute
// service=<name> to it. Default: a logger that discards everything.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return invalid("nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithServiceName names the service ("issuer", "wallet", "verifier"). The name is the
// "service" label on the HTTP metrics and on every metric registered through Registerer, and
// the "service" attribute on every log line. It must be
// 1–32 characters of a–z, 0–9 and '_', starting with a letter. Default: "hashi".
func WithServiceName(name string) Option {
	return func(c *config) error {
		if !validServiceName(name) {
			return invalid("service name %q: want 1-%d of [a-z0-9_] starting with a letter", name, maxServiceNameLen)
		}
		c.service = name
		return nil
	}
}

// WithErrorMapper sets the function that maps a handler's error to a status and body. It
// is consulted for every error except a request body over the limit (always 413). Errors it
// does not claim fall through to WireError, then to Echo's *echo.HTTPError, and otherwise
// become 500 {"error":"server_error"} with only the request ID; their text is logged, never
// sent. Default: none.
func WithErrorMapper(m ErrorMapper) Option {
	return func(c *config) error {
		if m == nil {
			return invalid("nil error mapper")
		}
		c.mapper = m
		return nil
	}
}

// WithBodyLimit sets the request-body limit for every route, in bytes (1 B to 64 MiB). A
// route group can raise or lower it with the BodyLimit middleware. Default: DefaultBodyLimit.
func WithBodyLimit(n int64) Option {
	return func(c *config) error {
		if n < 1 || n > maxBodyLimit {
			return invalid("body limit %d: want 1..%d", n, maxBodyLimit)
		}
		c.bodyLimit = n
		return nil
	}
}

// WithReadiness adds a named readiness check to /readyz on the ops listener. Names are
// 1–32 characters of a–z, 0–9, '_', '-' and '.', and unique. Default: no checks (always ready
// until shutdown begins).
func WithReadiness(name string, check Check) Option {
	return func(c *config) error {
		if !validCheckName(name) {
			return invalid("readiness check name %q: want 1-%d of [a-z0-9_.-]", name, maxCheckNameLen)
		}
		if check == nil {
			return invalid("readiness check %q is nil", name)
		}
		for _, nc := range c.checks {
			if nc.name == name {
				return invalid("readiness check %q registered twice", name)
			}
		}
		if len(c.checks) >= maxChecks {
			return invalid("more than %d readiness checks", maxChecks)
		}
		c.checks = append(c.checks, namedCheck{name: name, check: check})
		return nil
	}
}

// WithTLS makes the app listener serve TLS with a clone of cfg, which must carry a
// certificate (Certificates, GetCertificate or GetConfigForClient). Responses over TLS then
// carry Strict-Transport-Security. The ops listener stays plain HTTP: keep it off public
// networks. Default: plain HTTP.
func WithTLS(cfg *tls.Config) Option {
	return func(c *config) error {
		if cfg == nil {
			return invalid("nil TLS config")
		}
		if len(cfg.Certificates) == 0 && cfg.GetCertificate == nil && cfg.GetConfigForClient == nil {
			return invalid("TLS config has no certificate")
		}
		if cfg.MinVersion != 0 && cfg.MinVersion < tls.VersionTLS12 {
			return invalid("TLS MinVersion below TLS 1.2")
		}
		c.tls = cfg.Clone()
		if c.tls.MinVersion == 0 {
			c.tls.MinVersion = tls.VersionTLS12
		}
		return nil
	}
}

// WithContentSecurityPolicy replaces DefaultContentSecurityPolicy on every app response.
// Route groups can replace it again with the ContentSecurityPolicy middleware. The policy
// must be non-empty printable ASCII. Default: DefaultContentSecurityPolicy.
func WithContentSecurityPolicy(policy string) Option {
	return func(c *config) error {
		if !validHeaderValue(policy) || len(policy) > maxCSPLen {
			return invalid("content security policy must be 1-%d bytes of printable ASCII", maxCSPLen)
		}
		c.csp = policy
		return nil
	}
}

// WithShutdownTimeout sets how long Run waits for in-flight requests after its context is
// cancelled (1 ms to 5 min). Default: DefaultShutdownTimeout.
func WithShutdownTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond || d > maxShutdownTimeout {
			return invalid("shutdown timeout %v: want 1ms..%v", d, maxShutdownTimeout)
		}
		c.shutdownTimeout = d
		return nil
	}
}

func validServiceName(s string) bool {
	if len(s) == 0 || len(s) > maxServiceNameLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := range len(s) {
		b := s[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '_' {
			return false
		}
	}
	return true
}

func validCheckName(s string) bool {
	if len(s) == 0 || len(s) > maxCheckNameLen {
		return false
	}
	for i := range len(s) {
		b := s[i]
		if (b < 'a' || b > 'z') && (b < '0' || b > '9') && b != '_' && b != '-' && b != '.' {
			return false
		}
	}
	return true
}

// validHeaderValue reports whether s is non-empty printable ASCII (space allowed).
func validHeaderValue(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
