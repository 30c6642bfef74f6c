package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// TestVerifierServe starts `hashi verifier serve` as the JP desk over TLS with the pilot's
// trust lists served over HTTP: readiness waits for the lists, the desk API creates a diploma
// request, and the request object it points to is signed with the desk's access certificate.
func TestVerifierServe(t *testing.T) {
	dir := t.TempDir()
	app, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if _, err := pki.Init(filepath.Join(dir, "pki"), pki.DefaultConfig("https://127.0.0.1:8443/issuer"), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	p, err := pki.Load(filepath.Join(dir, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	lists := httptest.NewServer(nil)
	defer lists.Close()
	files, err := pilotLists{trustBase: lists.URL + "/trust", issued: now.Add(-time.Minute), next: now.AddDate(0, 6, 0), sequence: 1}.sign(p, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	lists.Config.Handler = trustHandler(func() map[string][]byte { return files }, func() time.Time { return now })
	writeDeskFile := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeDeskFile("api.token", "desk-api-token-0123456789abcdef\n")
	writeDeskFile("pages.key", "0123456789abcdef0123456789abcdef-desk-pages")
	base := "https://" + app.Addr().String() + "/verifier"
	writeDeskFile("verifier.yaml", fmt.Sprintf(`listen: %s
ops_listen: %s
base_url: %s
insecure_http: true
database: %q
jurisdiction: JP
pki_dir: pki
desk_id: jp-desk
api_token_file: api.token
page_key_file: pages.key
tls: {cert: pki/tls/hosts/localhost/cert.pem, key: pki/tls/hosts/localhost/key.pem}
trust:
  lotl: {url: %s/trust/eu-lotl.xml, signers: pki/eu/lotl-signer/cert.pem}
  lists: [{label: JP pilot LoTE, url: %s/trust/jp-lote.jwt, format: lote, territory: JP, signers: pki/jp/tl-signer/cert.pem}]
`, app.Addr(), ops.Addr(), base, sqldbtest.SQLiteDSN(t), lists.URL, lists.URL))
	c, err := loadVerifierConfig(filepath.Join(dir, "verifier.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveVerifier(ctx, c, discardLogger(io.Discard), app, ops) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	roots := x509.NewCertPool()
	tlsCA, _ := os.ReadFile(filepath.Join(dir, "pki", "tls", "ca", "cert.pem"))
	roots.AppendCertsFromPEM(tlsCA)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get("http://" + ops.Addr().String() + "/readyz") //nolint:noctx // test polling
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("verifier not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"/api/requests", bytes.NewReader([]byte(`{"profile":"diploma"}`)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer desk-api-token-0123456789abcdef")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	var created struct {
		ID         string `json:"id"`
		Request    string `json:"request"`
		RequestURI string `json:"request_uri"`
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(body, &created) != nil || !strings.HasPrefix(created.Request, "openid4vp://?client_id=x509_hash%3A") {
		t.Fatalf("create request: %d %s", resp.StatusCode, body)
	}
	resp, err = client.Get(created.RequestURI) //nolint:noctx // test
	if err != nil {
		t.Fatal(err)
	}
	obj, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	j, err := jose.Parse(string(obj))
	if resp.StatusCode != http.StatusOK || err != nil || j.Header.Typ != "oauth-authz-req+jwt" {
		t.Fatalf("request object: %d %v %.100s", resp.StatusCode, err, obj)
	}
	desk, _ := p.Entity(pki.RoleAccess, "jp-desk")
	chain, err := j.Header.Certificates()
	if err != nil || !chain[0].Equal(desk.Certificate) {
		t.Fatalf("request object not signed by the JP desk's access certificate: %v", err)
	}
	if err := j.Verify(desk.Certificate.PublicKey, jose.ES256); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(j.Payload), `"urn:hashi:diploma:1"`) {
		t.Fatalf("request object payload %s", j.Payload)
	}
}

// TestDeskFetchClientLoopback: a desk reaches loopback addresses (lists, status lists,
// webhooks) only with insecure_http.
func TestDeskFetchClientLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	t.Cleanup(srv.Close)
	for _, insecure := range []bool{false, true} {
		c := &verifierFileConfig{InsecureHTTP: insecure}
		client, err := c.fetchClient()
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.Get(t.Context(), srv.URL+"/status", "application/statuslist+jwt")
		if (err == nil) != insecure {
			t.Errorf("insecure_http %v: GET %s: %v", insecure, srv.URL, err)
		}
	}
}

// TestTrustListTerritoryRequired: a list with pinned signers must name the territory it is
// for; without it (or with a malformed one) the service does not start, so a list signed by
// its key but declaring another territory can never pass (trustlist refuses the mismatch).
func TestTrustListTerritoryRequired(t *testing.T) {
	for _, territory := range []string{"", "jp", "JPN"} {
		var c trustFileConfig
		if err := yaml.Unmarshal(fmt.Appendf(nil, `lists: [{label: JP pilot LoTE, url: https://lists.example/jp-lote.jwt, format: lote, territory: %q, signers: jp.pem}]`, territory), &c); err != nil {
			t.Fatal(err)
		}
		_, err := c.loader(func(s string) string { return s }, nil, "")
		if err == nil || !strings.Contains(err.Error(), "trust.lists[0].territory") {
			t.Errorf("territory %q: %v", territory, err)
		}
	}
}
