package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/verifier"
)

// interopNode returns node and the absolute testdata/interop folder, or skips the test when
// node or the npm packages are missing (fails instead with HASHI_TEST_INTEROP=1).
func interopNode(t *testing.T) (node, dir string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "testdata", "interop"))
	if err != nil {
		t.Fatal(err)
	}
	node, err = exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	case !exists(filepath.Join(dir, "node_modules", "@openid4vc", "openid4vci")) ||
		!exists(filepath.Join(dir, "node_modules", "@openid4vc", "openid4vp")) ||
		!exists(filepath.Join(dir, "node_modules", "@sd-jwt", "sd-jwt-vc")) ||
		!exists(filepath.Join(dir, "node_modules", "jose")):
		missing = "testdata/interop/node_modules is missing or out of date (npm ci --prefix testdata/interop)"
	}
	if missing != "" {
		if os.Getenv("HASHI_TEST_INTEROP") == "1" {
			t.Fatalf("interop test required (HASHI_TEST_INTEROP=1) but %s", missing)
		}
		t.Skipf("skipping OpenID4VP wallet interop: %s (set HASHI_TEST_INTEROP=1 to make this a failure)", missing)
	}
	return node, dir
}

// nodeLines is a long-running interop script spoken to in JSON lines over stdin/stdout.
type nodeLines struct {
	in     io.WriteCloser
	lines  chan []byte // closed when stdout ends
	stderr syncBuffer
}

// startNodeLines runs `node script` in dir until the test ends.
func startNodeLines(t *testing.T, node, dir, script string) *nodeLines {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), node, script) //nolint:gosec // node from PATH running the repository's fixed script
	cmd.Dir = dir
	s := &nodeLines{lines: make(chan []byte, 4)}
	cmd.Stderr = &s.stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.in = in
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(s.lines)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for sc.Scan() {
			s.lines <- bytes.Clone(sc.Bytes())
		}
	})
	t.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Process.Kill()
		wg.Wait()
		_ = cmd.Wait()
	})
	return s
}

// call writes cmd as one line and decodes the answer line into v; an {"error"} answer fails
// t with the script's message.
func (s *nodeLines) call(t *testing.T, cmd, v any) {
	t.Helper()
	if msg := s.try(t, cmd, v); msg != "" {
		t.Fatalf("node script: %s", msg)
	}
}

// try is call that returns the script's {"error"} message instead of failing.
func (s *nodeLines) try(t *testing.T, cmd, v any) string {
	t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.in.Write(append(b, '\n')); err != nil {
		t.Fatalf("write to node: %v\n%s", err, s.stderr.String())
	}
	var line []byte
	ok := false
	select {
	case line, ok = <-s.lines:
	case <-time.After(30 * time.Second):
	}
	if !ok {
		t.Fatalf("node script ended or did not answer:\n%s", s.stderr.String())
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(line, &e) == nil && e.Error != "" {
		return e.Error
	}
	if err := json.Unmarshal(line, v); err != nil {
		t.Fatalf("node script said %q: %v", line, err)
	}
	return ""
}

// apiCall sends a JSON API request with a bearer token and returns the status and body.
func apiCall(t *testing.T, method, u, token string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// unsignedDesk is `hashi verifier serve` with allow_unsigned_requests, next to a running
// demo: the EU desk's access certificate and jurisdiction, the demo's trust lists.
type unsignedDesk struct {
	url, token string
}

const unsignedDeskToken = "unsigned-desk-token-0123456789abcdef"

// startUnsignedDesk writes the desk's YAML (http on loopback, allow_unsigned_requests: true)
// and serves it until the test ends.
func startUnsignedDesk(t *testing.T, data string, d *runningDemo) unsignedDesk {
	t.Helper()
	dir := t.TempDir()
	app, ops := listen(t), listen(t)
	base := "http://" + app.Addr().String() + "/verifier"
	pkiDir := filepath.Join(data, "pki")
	writeFile0600(t, filepath.Join(dir, "api.token"), unsignedDeskToken)
	writeFile0600(t, filepath.Join(dir, "verifier.yaml"), fmt.Sprintf(`listen: %s
ops_listen: %s
base_url: %s
insecure_http: true
database: %q
jurisdiction: NL
pki_dir: %q
desk_id: eu-desk
api_token_file: api.token
allow_unsigned_requests: true
trust:
  lotl: {url: %q, signers: %q}
  lists: [{label: JP pilot LoTE, url: %q, format: lote, territory: JP, signers: %q}]
`, app.Addr(), ops.Addr(), base, "sqlite:"+filepath.Join(dir, "verifier.db"), pkiDir,
		d.info.Trust.Lists[0].URL, filepath.Join(pkiDir, "eu", "lotl-signer", "cert.pem"),
		d.info.Trust.Lists[2].URL, filepath.Join(pkiDir, "jp", "tl-signer", "cert.pem")))
	c, err := loadVerifierConfig(filepath.Join(dir, "verifier.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !c.AllowUnsignedRequests {
		t.Fatal("allow_unsigned_requests: true was not read")
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveVerifier(ctx, c, discardLogger(io.Discard), app, ops) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("verifier serve: %v", err)
		}
	})
	waitReady(t, ops)
	return unsignedDesk{url: base, token: unsignedDeskToken}
}

// demoDesk returns the demo desk with id.
func demoDesk(t *testing.T, d *runningDemo, id string) demoVerifier {
	t.Helper()
	for _, v := range d.info.Verifiers {
		if v.ID == id {
			return v
		}
	}
	t.Fatalf("demo has no desk %s", id)
	return demoVerifier{}
}

// createDeskRequest creates a request through the desk API.
func createDeskRequest(t *testing.T, deskURL, token string, body map[string]any) (id, link string) {
	t.Helper()
	code, b := apiCall(t, "POST", deskURL+"/api/requests", token, body)
	var c struct {
		ID      string `json:"id"`
		Request string `json:"request"`
	}
	if code != http.StatusCreated || json.Unmarshal(b, &c) != nil {
		t.Fatalf("desk request %v: %d %s", body, code, b)
	}
	return c.ID, c.Request
}

// deskReport reads the desk's report of request id.
func deskReport(t *testing.T, deskURL, token, id string) verifier.Report {
	t.Helper()
	code, b := apiCall(t, "GET", deskURL+"/api/requests/"+id, token, nil)
	var rep verifier.Report
	if code != http.StatusOK || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("desk report: %d %s", code, b)
	}
	return rep
}

// TestDeskAllowUnsignedRequests: a desk with allow_unsigned_requests makes an unsigned request
// (client_id redirect_uri:<response_uri>, request object an unsecured JWT) when the API asks
// with "client_id_prefix": "redirect_uri"; the demo's desks, which do not allow them, refuse
// with 400 invalid_input.
func TestDeskAllowUnsignedRequests(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	d := startDemo(t, data, freePort(t), freePort(t))
	desk := startUnsignedDesk(t, data, d)

	eu := demoDesk(t, d, "eu-desk")
	code, b := apiCall(t, "POST", eu.URL+"/api/requests", eu.APIToken, map[string]any{"profile": "diploma", "client_id_prefix": "redirect_uri"})
	if code != http.StatusBadRequest || !strings.Contains(string(b), `"error":"invalid_input"`) || !strings.Contains(string(b), "unsigned requests are not enabled") {
		t.Fatalf("demo desk asked for an unsigned request: %d %s", code, b)
	}

	_, link := createDeskRequest(t, desk.url, desk.token, map[string]any{"profile": "diploma", "client_id_prefix": "redirect_uri", "request_uri_method": "get"})
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	if want := "redirect_uri:" + desk.url + verifier.PathResponse; u.Query().Get("client_id") != want {
		t.Fatalf("link %s: client_id is not %s", link, want)
	}
	code, _, obj := httpGet(t, u.Query().Get("request_uri"))
	parts := strings.Split(obj, ".")
	if code != http.StatusOK || len(parts) != 3 || parts[2] != "" {
		t.Fatalf("request object: %d %q", code, obj)
	}
	if hdr, _ := base64.RawURLEncoding.DecodeString(parts[0]); string(hdr) != `{"alg":"none","typ":"oauth-authz-req+jwt"}` {
		t.Fatalf("request object header %s", hdr)
	}
	// Without the member, the same desk still signs (x509_hash).
	if _, link := createDeskRequest(t, desk.url, desk.token, map[string]any{"profile": "diploma"}); !strings.HasPrefix(link, "openid4vp://?client_id=x509_hash%3A") {
		t.Fatalf("signed request link %s", link)
	}
}

// TestInteropNpmWalletPresentsToDesk: an independent OpenID4VP wallet (vp-wallet.mjs: Animo's
// @openid4vc/openid4vp with @sd-jwt/sd-jwt-vc and jose) presents a diploma that hashi's issuer
// issued (to oid4vci.mjs, Animo's @openid4vc/openid4vci) to hashi's desks, which verify it:
// unsigned requests by reference (redirect_uri prefix, a desk with allow_unsigned_requests) and
// signed ones (x509_hash, the demo's EU desk), each with direct_post and direct_post.jwt. A KB-JWT
// over another nonce is rejected as kb_nonce_mismatch, and a vp_token replayed to another
// request as presentation_replayed.
func TestInteropNpmWalletPresentsToDesk(t *testing.T) {
	node, dir := interopNode(t)
	data := filepath.Join(t.TempDir(), "data")
	d := startDemo(t, data, freePort(t), freePort(t))
	unsigned := startUnsignedDesk(t, data, d)
	eu := demoDesk(t, d, "eu-desk")

	// Sakuragaoka's registrar offers Kenji's diploma; the npm OpenID4VCI wallet receives it.
	var jp demoTenant
	for _, tn := range d.info.Issuer.Tenants {
		if tn.ID == "sakuragaoka" {
			jp = tn
		}
	}
	code, b := apiCall(t, "POST", jp.CredentialIssuer+"/admin/offers", jp.AdminToken,
		map[string]any{"credential_configuration_id": "hashi_diploma_sd_jwt", "graduate_id": "E23M-1187", "tx_code": true})
	var offer struct {
		Offer  string `json:"offer"`
		TxCode string `json:"tx_code"`
	}
	if code != http.StatusCreated || json.Unmarshal(b, &offer) != nil {
		t.Fatalf("offer: %d %s", code, b)
	}
	in, err := json.Marshal(map[string]any{"offer": offer.Offer, "txCode": offer.TxCode, "configurationId": "hashi_diploma_sd_jwt",
		"dpop": true, "batch": 1, "holderKeys": true, "insecureHttp": true})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), node, "oid4vci.mjs") //nolint:gosec // node from PATH running the repository's fixed script
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oid4vci.mjs: %v\n%s", err, stderr.String())
	}
	var got struct {
		Credentials []string          `json:"credentials"`
		Claims      []map[string]any  `json:"claims"`
		HolderKeys  []json.RawMessage `json:"holderKeys"`
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got.Credentials) != 1 || len(got.HolderKeys) != 1 || got.Claims[0]["iss"] != jp.CredentialIssuer {
		t.Fatalf("oid4vci.mjs said %v: %.300s", err, out)
	}

	// The npm OpenID4VP wallet holds it, pinning the EU access CA for signed requests.
	p, err := pki.Load(filepath.Join(data, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	access, err := p.Entity(pki.RoleAccess, "eu-desk")
	if err != nil {
		t.Fatal(err)
	}
	w := startNodeLines(t, node, dir, "vp-wallet.mjs")
	var ready struct {
		Ready bool `json:"ready"`
	}
	w.call(t, withPin(map[string]any{"credential": got.Credentials[0], "holderKey": got.HolderKeys[0]}, access.Anchor.Raw), &ready)
	if !ready.Ready {
		t.Fatal("vp-wallet.mjs not ready")
	}

	type presented struct {
		Status           int             `json:"status"`
		Body             json.RawMessage `json:"body"`
		ClientID         string          `json:"clientId"`
		ResponseMode     string          `json:"responseMode"`
		RequestURIMethod string          `json:"requestUriMethod"`
		QueryID          string          `json:"queryId"`
		Disclosed        [][]any         `json:"disclosed"`
		KBNonce          string          `json:"kbNonce"`
		KBAud            string          `json:"kbAud"`
		JWEEnc           string          `json:"jweEnc"`
		Workaround       string          `json:"workaround"`
	}
	// present has the npm wallet answer a new request of desk and returns what it did and the
	// desk's report.
	present := func(t *testing.T, deskURL, token string, req map[string]any, tamper string) (presented, verifier.Report) {
		t.Helper()
		id, link := createDeskRequest(t, deskURL, token, req)
		var r presented
		cmd := map[string]any{"present": link}
		if tamper != "" {
			cmd["tamper"] = tamper
		}
		w.call(t, cmd, &r)
		if r.Status != http.StatusOK {
			t.Fatalf("the desk answered the npm wallet's response with %d %s", r.Status, r.Body)
		}
		if r.KBAud != r.ClientID || r.ResponseMode != req["response_mode"] {
			t.Fatalf("npm wallet: %+v", r)
		}
		rep := deskReport(t, deskURL, token, id)
		if rep.ResponseMode != req["response_mode"] || rep.Result == nil || len(rep.Result.Credentials) != 1 {
			t.Fatalf("desk report %+v", rep)
		}
		return r, rep
	}

	for _, tc := range []struct {
		name, deskURL, token, prefix, mode, method string
	}{
		{"redirect_uri/direct_post", unsigned.url, unsigned.token, "redirect_uri", "direct_post", "get"},
		{"redirect_uri/direct_post.jwt", unsigned.url, unsigned.token, "redirect_uri", "direct_post.jwt", "post"},
		{"x509_hash/direct_post", eu.URL, eu.APIToken, "x509_hash", "direct_post", "get"},
		{"x509_hash/direct_post.jwt", eu.URL, eu.APIToken, "x509_hash", "direct_post.jwt", "post"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := map[string]any{"profile": "diploma", "response_mode": tc.mode, "request_uri_method": tc.method}
			if tc.prefix == "redirect_uri" {
				req["client_id_prefix"] = "redirect_uri"
			}
			r, rep := present(t, tc.deskURL, tc.token, req, "")
			if !strings.HasPrefix(r.ClientID, tc.prefix+":") || r.RequestURIMethod != tc.method || r.QueryID != "diploma" {
				t.Fatalf("npm wallet answered %+v", r)
			}
			if tc.mode == "direct_post.jwt" && r.JWEEnc == "" {
				t.Fatalf("npm wallet did not encrypt: %+v", r)
			}
			if tc.prefix == "x509_hash" && r.Workaround != "" {
				t.Fatalf("signed request not resolved by the library alone: %s", r.Workaround)
			}
			if r.Workaround != "" {
				t.Logf("npm wallet workaround: %s", r.Workaround)
			}
			cr := rep.Result.Credentials[0]
			if rep.Status != verifier.StatusVerified || rep.Result.Verdict != verifier.VerdictAccepted || !cr.HolderBound ||
				!strings.Contains(cr.TrustPath, "JP pilot LoTE") || cr.Issuer.ID != jp.CredentialIssuer {
				rb, _ := json.Marshal(rep)
				t.Fatalf("desk report: %s", rb)
			}
			// The desk saw exactly the claims the wallet chose from the query (and the plain ones).
			if len(r.Disclosed) < 7 {
				t.Fatalf("npm wallet disclosed only %v", r.Disclosed)
			}
			for _, path := range r.Disclosed {
				if !hasPath(cr.Claims, path) {
					t.Errorf("disclosed %v is not in the verified claims", path)
				}
			}
			top := map[string]bool{"iss": true, "iat": true, "vct": true, "cnf": true, "status": true, "degree": true, "awarding_body": true}
			degree := map[string]bool{}
			for _, path := range r.Disclosed {
				if len(path) == 2 && path[0] == "degree" {
					degree[path[1].(string)] = true
				} else {
					top[path[0].(string)] = true
				}
			}
			for k := range cr.Claims {
				if !top[k] && k != "exp" && k != "nbf" {
					t.Errorf("the desk saw %s, which the query did not ask for", k)
				}
			}
			deg, _ := cr.Claims["degree"].(map[string]any)
			for k := range deg {
				if !degree[k] {
					t.Errorf("the desk saw degree.%s, which the query did not ask for", k)
				}
			}
		})
	}

	t.Run("request object signed outside the pinned access CA", func(t *testing.T) {
		// Pinning another CA (the JP seal CA), the wallet refuses the EU desk's signed request
		// and answers nothing; the request stays pending.
		seal, err := p.Entity(pki.RoleSealCA, "jp")
		if err != nil {
			t.Fatal(err)
		}
		setup := map[string]any{"credential": got.Credentials[0], "holderKey": got.HolderKeys[0]}
		w.call(t, withPin(setup, seal.Certificate.Raw), &ready)
		defer w.call(t, withPin(setup, access.Anchor.Raw), &ready)
		id, link := createDeskRequest(t, eu.URL, eu.APIToken, map[string]any{"profile": "diploma", "response_mode": "direct_post"})
		var r presented
		if msg := w.try(t, map[string]any{"present": link}, &r); !strings.Contains(msg, "Error during verification of jwt") {
			t.Fatalf("npm wallet with a wrong pin: %q %+v", msg, r)
		}
		if rep := deskReport(t, eu.URL, eu.APIToken, id); rep.Status != verifier.StatusPending {
			t.Fatalf("desk report %+v", rep)
		}
	})
	t.Run("replayed vp_token", func(t *testing.T) {
		// The last vp_token (to the EU desk, direct_post.jwt) again, to a new request.
		_, rep := present(t, eu.URL, eu.APIToken, map[string]any{"profile": "diploma", "response_mode": "direct_post.jwt"}, "replay")
		if rep.Status != verifier.StatusRejected || rep.Result.Reason != verifier.CodePresentationReplayed || !hasFailedCheck(rep, verifier.CodeKBNonceMismatch) {
			rb, _ := json.Marshal(rep)
			t.Fatalf("desk report: %s", rb)
		}
	})
	t.Run("KB-JWT over another nonce", func(t *testing.T) {
		r, rep := present(t, unsigned.url, unsigned.token, map[string]any{"profile": "diploma", "response_mode": "direct_post", "client_id_prefix": "redirect_uri"}, "nonce")
		if !strings.HasSuffix(r.KBNonce, "-tampered") || rep.Status != verifier.StatusRejected || rep.Result.Reason != verifier.CodeKBNonceMismatch ||
			rep.Result.Credentials[0].Reason != verifier.CodeKBNonceMismatch {
			rb, _ := json.Marshal(rep)
			t.Fatalf("desk report: %s", rb)
		}
	})
}

// withPin returns vp-wallet.mjs's setup line with the access CA (DER) it pins.
func withPin(setup map[string]any, ca []byte) map[string]any {
	out := map[string]any{"accessCa": base64.StdEncoding.EncodeToString(ca)}
	for k, v := range setup {
		out[k] = v
	}
	return out
}

// hasPath reports whether the claims path pointer (strings only) names a claim.
func hasPath(claims map[string]any, path []any) bool {
	var v any = claims
	for _, p := range path {
		m, ok := v.(map[string]any)
		name, isString := p.(string)
		if !ok || !isString {
			return false
		}
		if v, ok = m[name]; !ok {
			return false
		}
	}
	return true
}

// hasFailedCheck reports whether a credential check of rep failed with code.
func hasFailedCheck(rep verifier.Report, code verifier.Code) bool {
	for _, cr := range rep.Result.Credentials {
		for _, c := range cr.Checks {
			if !c.OK && c.Code == code {
				return true
			}
		}
	}
	return false
}
