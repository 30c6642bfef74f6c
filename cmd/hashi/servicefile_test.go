package main

import (
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServiceFileChecks: every serve command's configuration file gets the same checks of
// its listeners and TLS pair, and refuses unknown fields.
func TestServiceFileChecks(t *testing.T) {
	loaders := map[string]func(string) (serviceConfig, error){
		"issuer":   func(p string) (serviceConfig, error) { return loadIssuerConfig(p) },
		"verifier": func(p string) (serviceConfig, error) { return loadVerifierConfig(p) },
		"wallet":   func(p string) (serviceConfig, error) { return loadWalletConfig(p) },
	}
	tests := []struct {
		name, body, want string
	}{
		{"fail/same address", "listen: 127.0.0.1:9000\nops_listen: 127.0.0.1:9000\n", "listen and ops_listen must differ"},
		{"fail/same as a default", "ops_listen: 127.0.0.1:844%d\n", "listen and ops_listen must differ"},
		{"fail/no port", "listen: localhost\n", `listen address "localhost"`},
		{"fail/tls without key", "tls: {cert: cert.pem}\n", "tls needs cert and key"},
		{"fail/unknown field", "listen_addr: 127.0.0.1:9000\n", "listen_addr"},
	}
	for service, load := range loaders {
		port := map[string]string{"issuer": "3", "verifier": "4", "wallet": "5"}[service]
		for _, tc := range tests {
			t.Run(service+"/"+tc.name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), service+".yaml")
				if err := os.WriteFile(path, []byte(strings.ReplaceAll(tc.body, "%d", port)), 0o600); err != nil {
					t.Fatal(err)
				}
				_, err := load(path)
				if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
					t.Fatalf("err = %v, want one naming the file and %q", err, tc.want)
				}
			})
		}
	}
}

// TestServiceFileOpenDB: a relative SQLite path in a configuration file is relative to the
// file's folder, like the file's other paths, whatever the working directory.
func TestServiceFileOpenDB(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "conf")
	t.Chdir(t.TempDir())
	s := &ServiceFile{dir: conf}
	db, err := s.openDB(t.Context(), "sqlite:data/x.db", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(conf, "data", "x.db")); err != nil {
		t.Fatalf("database not next to the file: %v", err)
	}
	if _, err := os.Stat("data"); !os.IsNotExist(err) {
		t.Fatalf("database folder made in the working directory: %v", err)
	}
}

// TestTokenRef: a bearer token is given in exactly one of three ways; a token file is
// relative to the configuration file; errors name the key they are about.
func TestTokenRef(t *testing.T) {
	dir := t.TempDir()
	token := "a-registrar-token-of-some-length"
	if err := os.WriteFile(filepath.Join(dir, "token.txt"), []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HASHI_TEST_TOKEN", token)
	t.Setenv("HASHI_TEST_SHORT", "short")
	want := sha256.Sum256([]byte(token))
	s := &ServiceFile{dir: dir}
	tests := []struct {
		name    string
		ref     tokenRef
		wantErr string
	}{
		{name: "ok/sha256", ref: tokenRef{key: "api_token", sum: hex.EncodeToString(want[:])}},
		{name: "ok/file", ref: tokenRef{key: "api_token", file: "token.txt"}},
		{name: "ok/env", ref: tokenRef{key: "api_token", env: "HASHI_TEST_TOKEN"}},
		{name: "fail/none", ref: tokenRef{key: "api_token"}, wantErr: "give exactly one of api_token_sha256, api_token_file, api_token_env"},
		{name: "fail/two", ref: tokenRef{key: "admin_token", file: "token.txt", env: "HASHI_TEST_TOKEN"}, wantErr: "give exactly one of admin_token_sha256"},
		{name: "fail/bad hex", ref: tokenRef{key: "admin_token", sum: "abc"}, wantErr: "admin_token_sha256 must be 64 hex digits"},
		{name: "fail/missing file", ref: tokenRef{key: "api_token", file: "nope.txt"}, wantErr: "api_token_file: open"},
		{name: "fail/short", ref: tokenRef{key: "api_token", env: "HASHI_TEST_SHORT"}, wantErr: "api_token: the token must have at least 16 characters"},
		{name: "fail/unset env", ref: tokenRef{key: "admin_token", env: "HASHI_TEST_UNSET"}, wantErr: "admin_token_env: the environment variable HASHI_TEST_UNSET is not set"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.ref.check()
			var got [sha256.Size]byte
			if err == nil {
				got, err = s.tokenHash(tc.ref)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != want {
				t.Fatalf("tokenHash = %x, %v; want %x", got, err, want)
			}
		})
	}
}

// TestCheckURLs: base_url and webhook_url are checked with the key's name in the error.
func TestCheckURLs(t *testing.T) {
	tests := []struct {
		url      string
		webhook  bool
		insecure bool
		want     string // "" for accepted
	}{
		{url: "https://uni.example/issuer"},
		{url: "http://127.0.0.1:8080/issuer", insecure: true},
		{url: "http://desk.localhost:8080", insecure: true},
		{url: "http://127.0.0.1:8080/issuer", want: "http is allowed only on a loopback address, with insecure_http: true"},
		{url: "http://uni.example/issuer", insecure: true, want: "http is allowed only on a loopback address"},
		{url: "ftp://uni.example", want: "must be an https URL"},
		{url: "/issuer", want: "must be an absolute URL"},
		{url: "https://uni.example/?a=b", want: "without query"},
		{url: "https://uni.example/issuer/", want: "trailing slash"},
		{url: "https://user@uni.example", want: "user info"},
		{url: "https://hooks.example/x?token=abc", webhook: true},
		{url: "https://hooks.example/", webhook: true},
		{url: "http://127.0.0.1:9000/hook", webhook: true, insecure: true, want: "must be an absolute https URL"},
		{url: "https://hooks.example/#x", webhook: true, want: "without fragment"},
		{url: "hooks.example/x", webhook: true, want: "absolute https"},
	}
	for _, tc := range tests {
		key, check := "base_url", func() error { return checkBaseURL(tc.url, tc.insecure) }
		if tc.webhook {
			key, check = "webhook_url", func() error { return checkWebhookURL(tc.url) }
		}
		err := check()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), key)) {
			t.Errorf("%s %q (insecure %v): %v, want %q", key, tc.url, tc.insecure, err, tc.want)
		}
	}
}

// TestServiceFileOpenDBMoved: a relative SQLite path that earlier versions resolved against
// the working directory, where the database still is, stops the service instead of opening
// a new, empty database next to the file.
func TestServiceFileOpenDBMoved(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "conf")
	t.Chdir(t.TempDir())
	logger := slog.New(slog.DiscardHandler)
	old, err := (&ServiceFile{dir: "."}).openDB(t.Context(), "sqlite:data/x.db", logger)
	if err != nil {
		t.Fatal(err)
	}
	_ = old.Close()
	s := &ServiceFile{dir: conf}
	if _, err := s.openDB(t.Context(), "sqlite:data/x.db", logger); err == nil || !strings.Contains(err.Error(), "relative to the working directory") {
		t.Fatalf("openDB with the database only in the working directory: %v", err)
	}
	if _, err := os.Stat(filepath.Join(conf, "data", "x.db")); !os.IsNotExist(err) {
		t.Fatalf("a new database was made next to the file: %v", err)
	}
}
