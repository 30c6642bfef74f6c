package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

// runningIssuer is `hashi issuer serve` started in-process on real listeners, with TLS from
// the pilot PKI (the demo TLS CA) and the universities' seals.
type runningIssuer struct {
	base   string // https://127.0.0.1:PORT/issuer
	ops    string // http://127.0.0.1:PORT
	dir    string
	client *http.Client
	tlsCA  string // PEM file of the TLS CA
	done   chan error
	cancel context.CancelFunc
}

const testRegistrarToken = "registrar-token-for-tests-0123456789"

func startIssuer(t testing.TB, dsn string) *runningIssuer {
	t.Helper()
	dir := t.TempDir()
	app, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ops, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "https://" + app.Addr().String() + "/issuer"
	if _, err := pki.Init(filepath.Join(dir, "pki"), pki.DefaultConfig(base), time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "registrar.token"), []byte(testRegistrarToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pages.key"), []byte("0123456789abcdef0123456789abcdef-page-key"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`listen: %s
ops_listen: %s
base_url: %s
database: %q
pki_dir: pki
tls: {cert: pki/tls/hosts/localhost/cert.pem, key: pki/tls/hosts/localhost/key.pem}
require_dpop: false
page_key_file: pages.key
tenants:
  - {id: oostland, admin_token_file: registrar.token}
  - {id: sakuragaoka, admin_token_file: registrar.token}
`, app.Addr(), ops.Addr(), base, dsn)
	cfgPath := filepath.Join(dir, "issuer.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := loadIssuerConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, "pki", "tls", "ca", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningIssuer{
		base: base, ops: "http://" + ops.Addr().String(), dir: dir, tlsCA: filepath.Join(dir, "pki", "tls", "ca", "cert.pem"),
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}},
		done:   make(chan error, 1), cancel: cancel,
	}
	var logs bytes.Buffer
	go func() { r.done <- serveIssuer(ctx, c, discardLogger(&logs), app, ops) }()
	t.Cleanup(func() {
		r.cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("serve returned %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not stop after cancel")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(r.ops + "/readyz") //nolint:noctx // test polling
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return r
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("issuer not ready: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *runningIssuer) do(t testing.TB, method, url, contentType, token string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// offer creates an offer through the registrar API.
func (r *runningIssuer) offer(t testing.TB, tenant, config string, txCode bool) map[string]any {
	t.Helper()
	claims, err := os.ReadFile(filepath.Join("..", "..", "internal", "academic", "testdata", "registrar", "eu-master.json"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"credential_configuration_id": config, "claims": json.RawMessage(claims), "tx_code": txCode})
	code, out := r.do(t, "POST", r.base+"/"+tenant+"/admin/offers", "application/json", testRegistrarToken, body)
	if code != http.StatusCreated {
		t.Fatalf("create offer: %d %s", code, out)
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestIssuerServe(t *testing.T) {
	sqldbtest.RunBothDSN(t, func(t *testing.T, dsn string) {
		r := startIssuer(t, dsn)
		code, body := r.do(t, "GET", strings.Replace(r.base, "/issuer", "/.well-known/openid-credential-issuer/issuer", 1)+"/oostland", "", "", nil)
		if code != http.StatusOK || !strings.Contains(string(body), `"credential_issuer":"`+r.base+`/oostland"`) {
			t.Fatalf("metadata: %d %s", code, body)
		}
		if code, _ := r.do(t, "POST", r.base+"/oostland/admin/offers", "application/json", "wrong-token", []byte(`{}`)); code != http.StatusUnauthorized {
			t.Fatalf("admin without the registrar token: %d", code)
		}
		res := r.offer(t, "oostland", "hashi_diploma_sd_jwt", true)
		if !strings.HasPrefix(res["offer"].(string), "openid-credential-offer://?credential_offer_uri=") || res["tx_code"] == "" {
			t.Fatalf("offer %v", res)
		}
		if code, body := r.do(t, "GET", r.ops+"/metrics", "", "", nil); code != http.StatusOK || !strings.Contains(string(body), `route="/issuer/:tenant/admin/offers"`) {
			t.Fatalf("metrics: %d", code)
		}
		// The registrar pages are on (page_key_file): the sign-in page renders in Japanese.
		code, body = r.do(t, "GET", r.base+"/sakuragaoka/registrar/sign-in?lang=ja", "", "", nil)
		if code != http.StatusOK || !strings.Contains(string(body), `lang="ja"`) {
			t.Fatalf("registrar sign-in page: %d %.200s", code, body)
		}
	})
}

// TestInteropOpenID4VCIClient: Animo's @openid4vc/openid4vci wallet client (npm) completes the
// pre-authorized flow against `hashi issuer serve` over TLS — with and without tx_code, with
// and without DPoP, batch — and the SD-JWT VCs it receives verify with @sd-jwt/sd-jwt-vc.
func TestInteropOpenID4VCIClient(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "interop"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	case !exists(filepath.Join(dir, "node_modules", "@openid4vc", "openid4vci")):
		missing = "testdata/interop/node_modules is missing (npm ci --prefix testdata/interop)"
	}
	if missing != "" {
		if os.Getenv("HASHI_TEST_INTEROP") == "1" {
			t.Fatalf("interop test required (HASHI_TEST_INTEROP=1) but %s", missing)
		}
		t.Skipf("skipping OpenID4VCI interop: %s (set HASHI_TEST_INTEROP=1 to make this a failure)", missing)
	}
	r := startIssuer(t, sqldbtest.SQLiteDSN(t))
	for _, tc := range []struct {
		name     string
		config   string
		txCode   bool
		dpop     bool
		batch    int
		sdjwtVCT string
	}{
		{"diploma-tx-code-dpop", "hashi_diploma_sd_jwt", true, true, 1, "urn:hashi:diploma:1"},
		{"learning-no-tx-code-bearer", "eudi_learning_credential_sd_jwt", false, false, 1, "urn:eu.europa.ec.eudi:learning:credential:1"},
		{"diploma-batch-of-two", "hashi_diploma_sd_jwt", false, true, 2, "urn:hashi:diploma:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := r.offer(t, "oostland", tc.config, tc.txCode)
			var tx any
			if tc.txCode {
				tx = res["tx_code"]
			}
			in, _ := json.Marshal(map[string]any{"offer": res["offer"], "txCode": tx, "configurationId": tc.config, "dpop": tc.dpop, "batch": tc.batch})
			cmd := exec.CommandContext(t.Context(), node, "oid4vci.mjs") //nolint:gosec // node from PATH running the repository's fixed script
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+r.tlsCA)
			cmd.Stdin = bytes.NewReader(in)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, stderr.String())
			}
			var got struct {
				Credentials    []string         `json:"credentials"`
				NotificationID string           `json:"notificationId"`
				TokenType      string           `json:"tokenType"`
				Claims         []map[string]any `json:"claims"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			wantType := map[bool]string{true: "DPoP", false: "Bearer"}[tc.dpop]
			if len(got.Credentials) != tc.batch || len(got.Claims) != tc.batch || got.TokenType != wantType || got.NotificationID == "" {
				t.Fatalf("node saw %+v", got)
			}
			for _, c := range got.Claims {
				if c["vct"] != tc.sdjwtVCT || c["iss"] != r.base+"/oostland" {
					t.Fatalf("claims %v", c)
				}
			}
			// The issuer recorded the wallet's notification.
			code, body := r.do(t, "GET", r.base+"/oostland/admin/credentials?offer_id="+res["offer_id"].(string), "", testRegistrarToken, nil)
			if code != http.StatusOK || strings.Count(string(body), "credential_accepted") != tc.batch {
				t.Fatalf("issued credentials: %d %s", code, body)
			}
			if tc.batch != 1 {
				return
			}
			// The registrar revokes it: the npm library, fetching the status list itself, rejects it.
			var recs []struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(body, &recs); err != nil || len(recs) != 1 {
				t.Fatalf("%v %s", err, body)
			}
			if code, body := r.do(t, "POST", r.base+"/oostland/admin/credentials/"+recs[0].ID+"/status", "application/json", testRegistrarToken, []byte(`{"status":"revoked"}`)); code != http.StatusOK {
				t.Fatalf("revoke: %d %s", code, body)
			}
			in, _ = json.Marshal(map[string]any{"verify": got.Credentials[0]})
			cmd = exec.CommandContext(t.Context(), node, "oid4vci.mjs") //nolint:gosec // node from PATH running the repository's fixed script
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "NODE_EXTRA_CA_CERTS="+r.tlsCA)
			cmd.Stdin = bytes.NewReader(in)
			stderr.Reset()
			cmd.Stderr = &stderr
			if out, err := cmd.Output(); err == nil || !strings.Contains(stderr.String(), "Status") {
				t.Fatalf("revoked credential accepted by @sd-jwt/sd-jwt-vc: %s %s", out, stderr.String())
			}
			if i := strings.Index(stderr.String(), "Status"); i >= 0 {
				t.Logf("@sd-jwt/sd-jwt-vc after revocation: %.80s", stderr.String()[i:])
			}
		})
	}
}

// discardLogger keeps service logs in a buffer (printed only when debugging).
func discardLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}
