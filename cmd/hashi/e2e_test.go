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

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/wallet"
)

// pilot is the whole pilot on real listeners: the trust lists over HTTP, `hashi issuer serve`
// for both universities and `hashi verifier serve` for one desk, all over TLS from one pilot
// PKI, in this process.
type pilot struct {
	dir, pkiDir, tlsCA string
	issuerBase         string
	deskBase           string
	listsURL           string
	issuerOps, deskOps string      // ops listener addresses (of the first replica)
	issuerLB, deskLB   *roundRobin // with several replicas: the load balancers
	client             *http.Client
}

const pilotDeskToken = "desk-api-token-0123456789abcdef"

func listen(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func writeFile0600(t testing.TB, name, body string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func waitReady(t testing.TB, ops net.Listener) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + ops.Addr().String() + "/readyz") //nolint:noctx // test polling
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready: %v", ops.Addr(), err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// startPilot starts the lists, the issuer and a desk of jurisdiction deskID ("jp-desk" or
// "eu-desk") whose store is verifierDSN (a fresh SQLite file when empty).
func startPilot(t testing.TB, deskID, jurisdiction, verifierDSN string) *pilot {
	t.Helper()
	return startPilotReplicas(t, deskID, jurisdiction, sqldbtest.SQLiteDSN(t), verifierDSN, 1)
}

// startPilotReplicas is startPilot with n replicas of the issuer and of the desk, on the
// stores issuerDSN and verifierDSN. With n > 1 each service's base URL is a TLS-terminating
// load balancer (roundRobin) in front of replicas serving plain HTTP, as the README's
// deployment behind a proxy; pl.issuerLB and pl.deskLB record which replica served what.
func startPilotReplicas(t testing.TB, deskID, jurisdiction, issuerDSN, verifierDSN string, n int) *pilot {
	t.Helper()
	dir := t.TempDir()
	if verifierDSN == "" {
		verifierDSN = sqldbtest.SQLiteDSN(t)
	}
	iApp, vApp := listen(t), listen(t)
	pl := &pilot{dir: dir, pkiDir: filepath.Join(dir, "pki"), issuerBase: "https://" + iApp.Addr().String() + "/issuer",
		deskBase: "https://" + vApp.Addr().String() + "/verifier"}
	now := time.Now()
	if _, err := pki.Init(pl.pkiDir, pki.DefaultConfig(pl.issuerBase), now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	p, err := pki.Load(pl.pkiDir)
	if err != nil {
		t.Fatal(err)
	}
	pl.tlsCA = filepath.Join(pl.pkiDir, "tls", "ca", "cert.pem")
	lists := httptest.NewServer(nil)
	t.Cleanup(lists.Close)
	pl.listsURL = lists.URL + "/trust"
	files, err := pilotLists{trustBase: pl.listsURL, issued: now.Add(-time.Minute), next: now.AddDate(0, 6, 0), sequence: 1}.sign(p, now.Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	lists.Config.Handler = trustHandler(func() map[string][]byte { return files }, func() time.Time { return now })

	writeFile0600(t, filepath.Join(dir, "registrar.token"), testRegistrarToken)
	writeFile0600(t, filepath.Join(dir, "api.token"), pilotDeskToken)
	writeFile0600(t, filepath.Join(dir, "pages.key"), "0123456789abcdef0123456789abcdef-page-key")
	const serverTLS = "tls: {cert: pki/tls/hosts/localhost/cert.pem, key: pki/tls/hosts/localhost/key.pem}\n"
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2*n)
	started := 0 // servers running, each to report on done
	t.Cleanup(func() {
		cancel()
		for range started {
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		}
	})
	var issuerApps, deskApps []net.Listener
	for i := range n {
		ia, iOps, va, vo := iApp, listen(t), vApp, listen(t)
		tlsLine := serverTLS
		if n > 1 { // behind the load balancer, which terminates TLS
			ia, va, tlsLine = listen(t), listen(t), ""
		}
		issuerApps, deskApps = append(issuerApps, ia), append(deskApps, va)
		issuerFile, deskFile := filepath.Join(dir, fmt.Sprintf("issuer-%d.yaml", i)), filepath.Join(dir, fmt.Sprintf("verifier-%d.yaml", i))
		writeFile0600(t, issuerFile, fmt.Sprintf(`listen: %s
ops_listen: %s
base_url: %s
database: %q
pki_dir: pki
%sstatus_list_ttl: 1s
page_key_file: pages.key
tenants:
  - {id: oostland, admin_token_file: registrar.token}
  - {id: sakuragaoka, admin_token_file: registrar.token}
`, ia.Addr(), iOps.Addr(), pl.issuerBase, issuerDSN, tlsLine))
		writeFile0600(t, deskFile, fmt.Sprintf(`listen: %s
ops_listen: %s
base_url: %s
insecure_http: true
database: %q
jurisdiction: %s
pki_dir: pki
desk_id: %s
api_token_file: api.token
page_key_file: pages.key
%strust:
  ca_cert: pki/tls/ca/cert.pem
  lotl: {url: %s/eu-lotl.xml, signers: pki/eu/lotl-signer/cert.pem}
  lists: [{label: JP pilot LoTE, url: %s/jp-lote.jwt, format: lote, territory: JP, signers: pki/jp/tl-signer/cert.pem}]
`, va.Addr(), vo.Addr(), pl.deskBase, verifierDSN, jurisdiction, deskID, tlsLine, pl.listsURL, pl.listsURL))
		ic, err := loadIssuerConfig(issuerFile)
		if err != nil {
			t.Fatal(err)
		}
		vc, err := loadVerifierConfig(deskFile)
		if err != nil {
			t.Fatal(err)
		}
		go func() { done <- serveIssuer(ctx, ic, discardLogger(io.Discard), ia, iOps) }()
		started++
		// Replicas start one after another: they would only queue for the migration lock.
		waitReady(t, iOps)
		go func() { done <- serveVerifier(ctx, vc, discardLogger(io.Discard), va, vo) }()
		started++
		waitReady(t, vo)
		if i == 0 {
			pl.issuerOps, pl.deskOps = iOps.Addr().String(), vo.Addr().String()
		}
	}
	if n > 1 {
		cert := filepath.Join(pl.pkiDir, "tls", "hosts", "localhost")
		pl.issuerLB = serveRoundRobin(t, iApp, issuerApps, filepath.Join(cert, "cert.pem"), filepath.Join(cert, "key.pem"))
		pl.deskLB = serveRoundRobin(t, vApp, deskApps, filepath.Join(cert, "cert.pem"), filepath.Join(cert, "key.pem"))
	}
	roots := x509.NewCertPool()
	ca, err := os.ReadFile(pl.tlsCA)
	if err != nil {
		t.Fatal(err)
	}
	roots.AppendCertsFromPEM(ca)
	pl.client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}}}
	return pl
}

func (pl *pilot) call(t testing.TB, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(t.Context(), method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := pl.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// revokeOnly revokes, through the registrar API, the one credential tenant has issued.
func (pl *pilot) revokeOnly(t *testing.T, tenant string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", pl.issuerBase+"/"+tenant+"/admin/credentials", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testRegistrarToken)
	resp, err := pl.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var recs []struct {
		ID string `json:"id"`
	}
	err = json.NewDecoder(resp.Body).Decode(&recs)
	_ = resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(recs) != 1 {
		t.Fatalf("issued credentials: %d %+v %v", resp.StatusCode, recs, err)
	}
	if code, _ := pl.call(t, "POST", pl.issuerBase+"/"+tenant+"/admin/credentials/"+recs[0].ID+"/status", testRegistrarToken, map[string]string{"status": "revoked"}); code != http.StatusOK {
		t.Fatalf("revoke: %d", code)
	}
}

// holder runs `hashi wallet` with the pilot's TLS CA and trust lists.
func (pl *pilot) holder(t *testing.T, store string, args ...string) (int, string, string) {
	t.Helper()
	return pl.holderStdin(t, store, "", args...)
}

// holderStdin is holder with stdin as the student's typing.
func (pl *pilot) holderStdin(t *testing.T, store, stdin string, args ...string) (int, string, string) {
	t.Helper()
	base := []string{"wallet", "--store", store, "--tls-ca", pl.tlsCA,
		"--lotl", pl.listsURL + "/eu-lotl.xml", "--lotl-signers", filepath.Join(pl.pkiDir, "eu", "lotl-signer", "cert.pem"),
		"--list", pl.listsURL + "/jp-lote.jwt=" + filepath.Join(pl.pkiDir, "jp", "tl-signer", "cert.pem")}
	return runHashi(t, stdin, append(base, args...)...)
}

// TestWalletCLIPresentChosen: with two diplomas stored, `present --credential` shows the
// chosen diploma's claims before asking, and that diploma is the one the desk receives.
func TestWalletCLIPresentChosen(t *testing.T) {
	pl := startPilot(t, "eu-desk", "NL", "")
	store := filepath.Join(pl.dir, "student")
	var ids []string
	for _, record := range []string{"jp-master-engineering.json", "jp-medical-bachelor.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "internal", "academic", "testdata", "registrar", record))
		if err != nil {
			t.Fatal(err)
		}
		code, offer := pl.call(t, "POST", pl.issuerBase+"/sakuragaoka/admin/offers", testRegistrarToken,
			map[string]any{"credential_configuration_id": "hashi_diploma_sd_jwt", "claims": json.RawMessage(b), "tx_code": false})
		if code != http.StatusCreated {
			t.Fatalf("offer: %d %v", code, offer)
		}
		exit, out, stderr := pl.holder(t, store, "receive", offer["offer"].(string))
		var got struct {
			Credentials []credentialSummary `json:"credentials"`
		}
		if exit != 0 || json.Unmarshal([]byte(out), &got) != nil || len(got.Credentials) != 1 {
			t.Fatalf("receive %s: %d %s %s", record, exit, out, stderr)
		}
		ids = append(ids, got.Credentials[0].ID)
	}
	// The first stored diploma is the default; the student picks the second (Hanako YAMADA).
	_, created := pl.call(t, "POST", pl.deskBase+"/api/requests", pilotDeskToken, map[string]any{"profile": "diploma"})
	exit, out, stderr := pl.holderStdin(t, store, "y\n", "present", "--credential", ids[1], created["request"].(string))
	if exit != 0 {
		t.Fatalf("present: %d %s\n%s", exit, stderr, out)
	}
	shown := stderr[:strings.Index(stderr, "Share these claims?")]
	if !strings.Contains(shown, "YAMADA") || strings.Contains(shown, "SATO") {
		t.Fatalf("the consent shown is not the chosen diploma's:\n%s", shown)
	}
	_, report := pl.call(t, "GET", pl.deskBase+"/api/requests/"+created["id"].(string), pilotDeskToken, nil)
	b, _ := json.Marshal(report)
	if report["status"] != "verified" || !strings.Contains(string(b), "YAMADA") || strings.Contains(string(b), "SATO") {
		t.Fatalf("the desk did not receive the chosen diploma: %s", b)
	}
	// A credential that does not answer is refused before anything is shown or sent.
	_, created = pl.call(t, "POST", pl.deskBase+"/api/requests", pilotDeskToken, map[string]any{"profile": "diploma"})
	if exit, _, stderr := pl.holder(t, store, "present", "--yes", "--credential", "no-such-id", created["request"].(string)); exit != 2 || !strings.Contains(stderr, "does not answer") {
		t.Fatalf("present --credential no-such-id: %d %s", exit, stderr)
	}
}

// TestCrossBorderEndToEnd is the pilot's story over real HTTPS between real servers: a
// university issues through `hashi issuer serve`, the student receives with the CLI holder
// (which says what the trust lists say of the issuer), the desk in the other jurisdiction
// asks through `hashi verifier serve`, the holder shows what it will disclose and sends, and
// the desk's result is accepted with the trust path; after the registrar revokes, a new
// presentation is rejected as revoked.
func TestCrossBorderEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name, university, desk, jurisdiction, pathFragment, issuerName string
	}{
		{"eu-diploma-at-jp-desk", "oostland", "jp-desk", "JP", "NL trusted list", `"name_en":"Universiteit Oostland"`},
		{"jp-diploma-at-eu-desk", "sakuragaoka", "eu-desk", "NL", "JP pilot LoTE", `"name_ja":"桜ヶ丘大学"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pl := startPilot(t, tc.desk, tc.jurisdiction, "")
			store := filepath.Join(pl.dir, "student")
			// The registrar offers the diploma.
			claims := map[string]string{"oostland": "eu-master.json", "sakuragaoka": "jp-master-engineering.json"}[tc.university]
			record, err := os.ReadFile(filepath.Join("..", "..", "internal", "academic", "testdata", "registrar", claims))
			if err != nil {
				t.Fatal(err)
			}
			code, offer := pl.call(t, "POST", pl.issuerBase+"/"+tc.university+"/admin/offers", testRegistrarToken,
				map[string]any{"credential_configuration_id": "hashi_diploma_sd_jwt", "claims": json.RawMessage(record), "tx_code": true})
			if code != http.StatusCreated {
				t.Fatalf("offer: %d %v", code, offer)
			}
			// The student receives it.
			exit, out, stderr := pl.holder(t, store, "receive", "--tx-code", offer["tx_code"].(string), offer["offer"].(string))
			if exit != 0 {
				t.Fatalf("receive: %d %s", exit, stderr)
			}
			if !strings.Contains(out, "Listed by") && !strings.Contains(strings.ToLower(out), "listed") {
				t.Fatalf("receive did not report the issuer's listing: %s", out)
			}
			var received struct {
				Credentials []credentialSummary `json:"credentials"`
			}
			if json.Unmarshal([]byte(out), &received) != nil || len(received.Credentials) != 1 {
				t.Fatalf("receive output: %s", out)
			}
			credID := received.Credentials[0].ID
			// The holder sees what the issuer's status list says (fetched and verified).
			status := func() string {
				t.Helper()
				exit, out, stderr := pl.holder(t, store, "show", credID)
				var shown struct {
					Status wallet.CredentialStatus `json:"status"`
				}
				if exit != 0 || json.Unmarshal([]byte(out), &shown) != nil {
					t.Fatalf("show: %d %s %s", exit, out, stderr)
				}
				return shown.Status.String()
			}
			if st := status(); st != wallet.StatusValid {
				t.Fatalf("status after receiving: %s", st)
			}
			// The desk asks for a diploma; the student presents it.
			code, created := pl.call(t, "POST", pl.deskBase+"/api/requests", pilotDeskToken, map[string]any{"profile": "diploma"})
			if code != http.StatusCreated {
				t.Fatalf("desk request: %d %v", code, created)
			}
			exit, out, stderr = pl.holder(t, store, "present", "--yes", created["request"].(string))
			if exit != 0 {
				t.Fatalf("present: %d %s\n%s", exit, stderr, out)
			}
			code, report := pl.call(t, "GET", pl.deskBase+"/api/requests/"+created["id"].(string), pilotDeskToken, nil)
			b, _ := json.Marshal(report)
			if code != http.StatusOK || report["status"] != "verified" || !strings.Contains(string(b), tc.pathFragment) || !strings.Contains(string(b), tc.issuerName) {
				t.Fatalf("desk result: %d %s", code, b)
			}
			// The same with the unencrypted response mode.
			_, created = pl.call(t, "POST", pl.deskBase+"/api/requests", pilotDeskToken, map[string]any{"profile": "diploma", "response_mode": "direct_post"})
			if exit, _, stderr := pl.holder(t, store, "present", "--yes", created["request"].(string)); exit != 0 {
				t.Fatalf("present (direct_post): %d %s", exit, stderr)
			}
			if _, report := pl.call(t, "GET", pl.deskBase+"/api/requests/"+created["id"].(string), pilotDeskToken, nil); report["status"] != "verified" || report["response_mode"] != "direct_post" {
				t.Fatalf("desk result (direct_post): %v", report)
			}
			// The registrar revokes; the next presentation is rejected as revoked.
			pl.revokeOnly(t, tc.university)
			// The desk and the wallet cache a status list for its ttl (1 s here): let it lapse.
			time.Sleep(1100 * time.Millisecond)
			if st := status(); st != wallet.StatusRevoked {
				t.Fatalf("status after revocation: %s", st)
			}
			_, created = pl.call(t, "POST", pl.deskBase+"/api/requests", pilotDeskToken, map[string]any{"profile": "diploma"})
			if exit, _, stderr := pl.holder(t, store, "present", "--yes", created["request"].(string)); exit != 0 || !strings.Contains(stderr, "WARNING: the issuer's status list says this credential is revoked") {
				t.Fatalf("present after revocation (the student is warned): %d %s", exit, stderr)
			}
			_, report = pl.call(t, "GET", pl.deskBase+"/api/requests/"+created["id"].(string), pilotDeskToken, nil)
			b, _ = json.Marshal(report)
			if report["status"] != "rejected" || !strings.Contains(string(b), "status_revoked") {
				t.Fatalf("desk result after revocation: %s", b)
			}
			// The ops listeners count what happened and say how old the lists are.
			issuerMetrics, deskMetrics := scrape(t, pl.issuerOps), scrape(t, pl.deskOps)
			for _, want := range []string{
				`hashi_issuer_credentials_total{configuration="hashi_diploma_sd_jwt",outcome="issued",service="issuer",tenant="` + tc.university + `"} 1`,
			} {
				if !strings.Contains(issuerMetrics, want) {
					t.Errorf("issuer /metrics lacks %s", want)
				}
			}
			for _, want := range []string{
				`hashi_verifier_responses_total{outcome="verified",service="verifier"} 2`,
				`hashi_verifier_responses_total{outcome="rejected",service="verifier"} 1`,
				`hashi_trustlist_loaded{list="JP pilot LoTE",service="verifier",territory="JP",url="` + pl.listsURL + `/jp-lote.jwt"} 1`,
				`hashi_trustlist_sequence_number{list="JP pilot LoTE",service="verifier",territory="JP",url="` + pl.listsURL + `/jp-lote.jwt"} 1`,
				`hashi_trustlist_age_seconds{list="JP pilot LoTE",service="verifier",territory="JP",url="` + pl.listsURL + `/jp-lote.jwt"} `,
				`hashi_trustlist_next_update_seconds{list="EU LOTL → NL trusted list",service="verifier",territory="NL",url="` + pl.listsURL + `/tl-nl.xml"} 1.5`,
			} {
				if !strings.Contains(deskMetrics, want) {
					t.Errorf("desk /metrics lacks %s", want)
				}
			}
		})
	}
}

// scrape returns the text of an ops listener's /metrics.
func scrape(t testing.TB, ops string) string {
	t.Helper()
	resp, err := http.Get("http://" + ops + "/metrics") //nolint:noctx // test
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
