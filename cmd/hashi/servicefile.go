package main

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/hashi-vc/hashi/internal/sqldb"
)

// ServiceFile is what the configuration file of every `serve` command has: the two
// listeners, the optional server certificate, and the file's folder, to which relative paths
// in the file are relative. Each service's file type embeds it (yaml ",inline").
type ServiceFile struct {
	// Listen is the address of the service's pages and protocol endpoints; OpsListen that of
	// /healthz, /readyz and /metrics. Each service has its own defaults.
	Listen    string `yaml:"listen"`
	OpsListen string `yaml:"ops_listen"`
	// TLS names the server certificate and key (PEM). Without it the listener speaks plain
	// HTTP, which is right only behind a TLS-terminating proxy (or for local development).
	TLS *struct {
		Cert string `yaml:"cert"`
		Key  string `yaml:"key"`
	} `yaml:"tls"`

	dir string
}

// serviceConfig is a service's configuration file type.
type serviceConfig interface {
	file() *ServiceFile
	// Validate fills defaults and checks the file-level rules.
	Validate() error
}

func (s *ServiceFile) file() *ServiceFile { return s }

// rel resolves p against the configuration file's folder.
func (s *ServiceFile) rel(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(s.dir, p)
}

// openDB opens the database of dsn, a relative SQLite path being relative to the file's
// folder like every other path in it. Earlier versions took such a path from the working
// directory: when only that file exists, openDB refuses to start rather than open a new,
// empty database next to the file (an issuer would then hand out status list entries
// again).
func (s *ServiceFile) openDB(ctx context.Context, dsn string, logger *slog.Logger) (*sqldb.DB, error) {
	here, isSQLite, err := sqldb.SQLitePath(dsn, s.dir)
	if err != nil {
		return nil, err
	}
	if isSQLite {
		old, _, err := sqldb.SQLitePath(dsn, "")
		if err != nil {
			return nil, err
		}
		if old != here && !exists(here) && exists(old) {
			return nil, fmt.Errorf("database %q: a relative path is relative to the configuration file, so it names %s, which does not exist; "+
				"%s (relative to the working directory) does: move it there, or give an absolute path", dsn, here, old)
		}
	}
	return sqldb.Open(ctx, dsn, sqldb.WithLogger(logger), sqldb.WithBaseDir(s.dir))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkBaseURL checks a service's base_url before the service's own constructor does, so
// that the error names the key: an absolute https URL without query, fragment, user info or
// trailing slash; http only on a loopback host and only with insecure_http.
func checkBaseURL(s string, insecure bool) error {
	const key = "base_url"
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(s, "/") {
		return fmt.Errorf("%s %q must be an absolute URL without query, fragment, user info or trailing slash", key, s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if !insecure || !(host == "localhost" || strings.HasSuffix(host, ".localhost") || (ip != nil && ip.IsLoopback())) {
			return fmt.Errorf("%s %q: http is allowed only on a loopback address, with insecure_http: true", key, s)
		}
		return nil
	}
	return fmt.Errorf("%s %q must be an https URL", key, s)
}

// checkWebhookURL checks webhook_url: an absolute https URL (a query is fine), whatever
// insecure_http says.
func checkWebhookURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("webhook_url %q must be an absolute https URL without fragment or user info (also with insecure_http)", s)
	}
	return nil
}

// tokenRef is a bearer token as a serve file gives it, in exactly one of three ways: its
// SHA-256 in hex (<key>_sha256), a file holding the token (<key>_file) or an environment
// variable holding it (<key>_env). The service keeps only the hash.
type tokenRef struct {
	key            string // the keys' stem: "admin_token", "api_token"
	sum, file, env string
}

// check says whether exactly one way is given.
func (r tokenRef) check() error {
	n := 0
	for _, s := range []string{r.sum, r.file, r.env} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("give exactly one of %[1]s_sha256, %[1]s_file, %[1]s_env", r.key)
	}
	return nil
}

// tokenHash returns the SHA-256 of the token r names; a token file is relative to s's folder.
func (s *ServiceFile) tokenHash(r tokenRef) ([sha256.Size]byte, error) {
	var out [sha256.Size]byte
	var token string
	switch {
	case r.sum != "":
		b, err := hex.DecodeString(r.sum)
		if err != nil || len(b) != sha256.Size {
			return out, fmt.Errorf("%s_sha256 must be 64 hex digits", r.key)
		}
		copy(out[:], b)
		return out, nil
	case r.file != "":
		b, err := os.ReadFile(s.rel(r.file))
		if err != nil {
			return out, fmt.Errorf("%s_file: %w", r.key, err)
		}
		token = strings.TrimSpace(string(b))
	default:
		token = os.Getenv(r.env)
		if token == "" {
			return out, fmt.Errorf("%s_env: the environment variable %s is not set", r.key, r.env)
		}
	}
	if len(token) < minTokenLen {
		return out, fmt.Errorf("%s: the token must have at least %d characters", r.key, minTokenLen)
	}
	return sha256.Sum256([]byte(token)), nil
}

// minTokenLen is the shortest bearer token a serve file accepts.
const minTokenLen = 16

// checkListeners fills the listeners' defaults and checks them and the TLS pair.
func (s *ServiceFile) checkListeners(listen, ops string) error {
	if s.Listen == "" {
		s.Listen = listen
	}
	if s.OpsListen == "" {
		s.OpsListen = ops
	}
	for _, a := range []string{s.Listen, s.OpsListen} {
		if _, _, err := net.SplitHostPort(a); err != nil {
			return fmt.Errorf("listen address %q: %w", a, err)
		}
	}
	if s.Listen == s.OpsListen {
		return errors.New("listen and ops_listen must differ")
	}
	if s.TLS != nil && (s.TLS.Cert == "" || s.TLS.Key == "") {
		return errors.New("tls needs cert and key")
	}
	return nil
}

// serverTLS loads the server certificate; nil without tls.
func (s *ServiceFile) serverTLS() (*tls.Config, error) {
	if s.TLS == nil {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(s.rel(s.TLS.Cert), s.rel(s.TLS.Key))
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// loadServiceConfig reads the configuration file at path strictly (unknown fields are
// errors) and validates it.
func loadServiceConfig[C any, P interface {
	*C
	serviceConfig
}](path string) (P, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, err
	}
	c := P(new(C))
	if err := yaml.UnmarshalWithOptions(b, c, yaml.Strict(), yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("%s: %s", path, yaml.FormatError(err, false, false))
	}
	c.file().dir = filepath.Dir(path)
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// serveService builds the service of c with build and serves it on app and ops (with c's
// certificate when it names one) until ctx is done; the listeners are closed on any error.
// args describe the service in the "serving" log line.
func serveService(ctx context.Context, c serviceConfig, logger *slog.Logger, app, ops net.Listener, name string,
	build func() (*service, error), args ...any,
) error {
	closeAll := func(err error) error { _ = app.Close(); _ = ops.Close(); return err }
	tlsCfg, err := c.file().serverTLS()
	if err != nil {
		return closeAll(err)
	}
	svc, err := build()
	if err != nil {
		return closeAll(err)
	}
	logger.Info(name+" serving", append([]any{"listen", app.Addr().String(), "ops", ops.Addr().String()}, args...)...)
	return runServices(ctx, logger, name, tlsCfg, app, ops, svc)
}
