package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
)

// freePort returns a port nothing listens on at the moment.
func freePort(t *testing.T) int {
	t.Helper()
	l := listen(t)
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port
}

// runningDemo is `hashi demo` running in this process.
type runningDemo struct {
	stop   context.CancelFunc
	done   chan int
	out    *syncBuffer
	ops    string
	info   demoInfo
	stderr *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startDemo runs `hashi demo --data dir --port port --ops-port opsPort` until the test ends
// and waits until it is ready. An empty dir leaves --data out: the default, ./hashi-data.
func startDemo(t *testing.T, dir string, port, opsPort int) *runningDemo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &runningDemo{stop: cancel, done: make(chan int, 1), out: &syncBuffer{}, stderr: &syncBuffer{}, ops: "127.0.0.1:" + strconv.Itoa(opsPort)}
	args := []string{"demo", "--port", strconv.Itoa(port), "--ops-port", strconv.Itoa(opsPort)}
	if dir == "" {
		dir = "hashi-data"
	} else {
		args = append(args, "--data", dir)
	}
	go func() {
		r.done <- run(ctx, args, strings.NewReader(""), r.out, r.stderr)
	}()
	t.Cleanup(func() { r.shutdown(t) })
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + r.ops + "/readyz") //nolint:noctx // test polling
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-r.done:
			cancel()
			r.stop = nil // nothing left to shut down
			t.Fatalf("demo exited with %d before it was ready: %s", code, r.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo not ready: %v\n%s", err, r.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, err := os.ReadFile(filepath.Join(dir, demoInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &r.info); err != nil {
		t.Fatal(err)
	}
	return r
}

// shutdown stops the demo (as SIGTERM would) and checks it exits 0.
func (r *runningDemo) shutdown(t *testing.T) {
	t.Helper()
	if r.stop == nil {
		return
	}
	r.stop()
	r.stop = nil
	select {
	case code := <-r.done:
		if code != 0 {
			t.Errorf("demo exit %d: %s", code, r.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Error("demo did not shut down within 30 s")
	}
}

func httpGet(t *testing.T, u string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(u) //nolint:noctx,gosec // test
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// TestDemoServe starts the demo, checks what it promises (guide, demo.json in its shape and
// mode, the lists, metadata, OpenAPI documents, readiness and metrics), restarts it on the
// same folder (secrets and data reused, lists re-signed) and refuses another port.
func TestDemoServe(t *testing.T) {
	// As the README runs it: from a working directory, with the default, relative data folder
	// (the configuration files the demo writes resolve their paths against their own folder).
	t.Chdir(t.TempDir())
	dir := "hashi-data"
	port, opsPort := freePort(t), freePort(t)
	d := startDemo(t, "", port, opsPort)
	base := "http://127.0.0.1:" + strconv.Itoa(port)

	fi, err := os.Stat(filepath.Join(dir, demoInfoFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("demo.json: %v mode %v", err, fi.Mode())
	}
	// The shape scripts rely on, key by key.
	var raw map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, demoInfoFile))
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	wantKeys := func(what string, v any, keys ...string) {
		m, ok := v.(map[string]any)
		if !ok {
			t.Fatalf("%s is not an object: %v", what, v)
		}
		for _, k := range keys {
			if s, ok := m[k].(string); ok && s == "" {
				t.Errorf("%s.%s is empty", what, k)
			} else if m[k] == nil {
				t.Errorf("%s lacks %s", what, k)
			}
		}
		if len(m) != len(keys) {
			t.Errorf("%s has keys %v, want exactly %v", what, m, keys)
		}
	}
	wantKeys("demo.json", raw, "issuer", "wallet", "verifiers", "trust")
	wantKeys("issuer", raw["issuer"], "url", "tenants")
	for _, tn := range raw["issuer"].(map[string]any)["tenants"].([]any) {
		wantKeys("tenant", tn, "id", "country", "credential_issuer", "admin_token", "graduates")
		for _, g := range tn.(map[string]any)["graduates"].([]any) {
			wantKeys("graduate", g, "id", "name")
		}
	}
	wantKeys("wallet", raw["wallet"], "url", "user", "password")
	for _, v := range raw["verifiers"].([]any) {
		wantKeys("verifier", v, "id", "country", "url", "api_token")
	}
	wantKeys("trust", raw["trust"], "lists")
	for _, l := range raw["trust"].(map[string]any)["lists"].([]any) {
		wantKeys("list", l, "url", "format", "territory")
	}
	if len(d.info.Issuer.Tenants) != 2 || d.info.Issuer.Tenants[1].Country != "JP" || len(d.info.Issuer.Tenants[1].Graduates) < 2 || len(d.info.Verifiers) != 2 {
		t.Fatalf("demo.json: %+v", d.info)
	}

	// The guide names every page and the wallet login.
	for _, want := range []string{d.info.Wallet.Password, d.info.Issuer.Tenants[0].CredentialIssuer + "/registrar", d.info.Verifiers[1].URL + "/desk/", "Kenji SATO"} {
		if !strings.Contains(d.out.String(), want) {
			t.Errorf("guide lacks %q:\n%s", want, d.out.String())
		}
	}
	// Every page the guide names opens (sign-in pages for the signed-in ones).
	for _, u := range regexp.MustCompile(`http://[^\s,()]+`).FindAllString(d.out.String(), -1) {
		u = strings.TrimRight(u, ".")
		if !strings.HasPrefix(u, base) {
			continue // the ops listener's /readyz and /metrics, checked below
		}
		if st, _, _ := httpGet(t, u); st != http.StatusOK {
			t.Errorf("the guide names %s, which answers %d", u, st)
		}
	}
	secrets := []string{d.info.Wallet.Password}
	for _, tn := range d.info.Issuer.Tenants {
		secrets = append(secrets, tn.AdminToken)
	}
	for _, v := range d.info.Verifiers {
		secrets = append(secrets, v.APIToken)
	}
	st, _, page := httpGet(t, base+"/")
	if st != http.StatusOK || !strings.Contains(page, d.info.Wallet.URL) {
		t.Errorf("GET / = %d (it must link the wallet)\n%s", st, page)
	}
	for _, sec := range secrets {
		if strings.Contains(page, sec) {
			t.Errorf("GET / shows a secret")
		}
	}
	// The lists, as the desks fetch them; the issuer's metadata; both OpenAPI documents.
	for _, l := range d.info.Trust.Lists {
		if st, h, _ := httpGet(t, l.URL); st != http.StatusOK || h.Get("ETag") == "" {
			t.Errorf("GET %s = %d %v", l.URL, st, h)
		}
	}
	for _, u := range []string{
		base + "/.well-known/openid-credential-issuer/issuer/sakuragaoka",
		d.info.Verifiers[0].URL + "/openapi.json",
		base + "/issuer/openapi.json",
	} {
		if st, _, body := httpGet(t, u); st != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(body), "{") {
			t.Errorf("GET %s = %d", u, st)
		}
	}
	// Readiness covers every store and both desks' lists; metrics say how old each list is.
	if _, _, body := httpGet(t, "http://"+d.ops+"/readyz"); !strings.Contains(body, `"jp-desk.trust"`) || !strings.Contains(body, `"wallet.store"`) || !strings.Contains(body, `"wallet.trust"`) {
		t.Errorf("readyz: %s", body)
	}
	if _, _, body := httpGet(t, "http://"+d.ops+"/metrics"); !strings.Contains(body, `hashi_trustlist_loaded{component="eu-desk",list="JP pilot LoTE",service="demo",territory="JP",url="`+base+`/trust/jp-lote.jwt"} 1`) {
		t.Errorf("metrics lack the desks' list state")
	}
	logs, err := os.ReadFile(filepath.Join(dir, demoLogFile))
	if err != nil || !bytes.Contains(logs, []byte(`"request_id"`)) {
		t.Errorf("demo.log: %v (JSON request logs)", err)
	}
	for _, sec := range secrets {
		if bytes.Contains(logs, []byte(sec)) {
			t.Errorf("demo.log holds a secret")
		}
	}
	// The student receives a diploma before the restart.
	var story bytes.Buffer
	sc := &scenario{d: &demo{dir: dir, info: d.info}, w: &story, client: http.DefaultClient, store: filepath.Join(t.TempDir(), "student")}
	cred, ok := sc.issueAndReceive(t.Context(), d.info.Issuer.Tenants[1], "M19-0042", "Sakuragaoka")
	if !ok {
		t.Fatalf("issue before restart:\n%s", story.String())
	}
	lists := readDir(t, filepath.Join(dir, demoTrustDir, "1"))
	seal := readDir(t, filepath.Join(dir, "pki", "jp", "universities", "sakuragaoka"))
	d.shutdown(t)

	// A second start reuses the folder: same secrets, keys and signed lists, and what was
	// issued is still there: the registrar lists it and it is accepted at the EU desk.
	d2 := startDemo(t, "", port, opsPort)
	if d2.info.Issuer.Tenants[0].AdminToken != d.info.Issuer.Tenants[0].AdminToken || d2.info.Wallet.Password != d.info.Wallet.Password {
		t.Errorf("secrets changed on restart")
	}
	for name, before := range lists {
		if after := readDir(t, filepath.Join(dir, demoTrustDir, "1"))[name]; after != before {
			t.Errorf("trust/%s changed on restart", name)
		}
	}
	for name, before := range seal {
		if after := readDir(t, filepath.Join(dir, "pki", "jp", "universities", "sakuragaoka"))[name]; after != before {
			t.Errorf("the seal's %s changed on restart", name)
		}
	}
	var issued []map[string]any
	if err := sc.call(t.Context(), http.MethodGet, d.info.Issuer.Tenants[1].CredentialIssuer+"/admin/credentials", d.info.Issuer.Tenants[1].AdminToken, nil, http.StatusOK, &issued); err != nil || len(issued) != 1 {
		t.Errorf("issued credentials after restart: %v %v", issued, err)
	}
	sc.present(t.Context(), cred, "eu-desk", "EU desk", "verified", "")
	if sc.failed != 0 {
		t.Errorf("presentation after restart:\n%s", story.String())
	}
	d2.shutdown(t)

	// Another port cannot reuse the folder: certificates and credentials name the old one.
	var errOut bytes.Buffer
	code := run(t.Context(), []string{"demo", "--data", dir, "--port", strconv.Itoa(freePort(t)), "--ops-port", strconv.Itoa(freePort(t))}, strings.NewReader(""), io.Discard, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), "was set up for "+base) {
		t.Errorf("other port: exit %d, %q", code, errOut.String())
	}
	// Only loopback addresses.
	if code, _, stderr := runHashi(t, "", "demo", "--listen", "0.0.0.0"); code != 2 || !strings.Contains(stderr, "loopback") {
		t.Errorf("--listen 0.0.0.0: exit %d %q", code, stderr)
	}
}

// TestDemoScenario plays `hashi demo --scenario` and checks every outcome it prints.
func TestDemoScenario(t *testing.T) {
	code, out, stderr := runHashi(t, "", "demo", "--scenario")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{
		"Listed by http://127.0.0.1:", // the wallet names the list of each issuer
		"trust path: JP pilot LoTE → JP",
		"trust path: EU LOTL → NL trusted list → NL",
		"reads here as: 修士 (master, ISCED 7, EQF 7)",
		"ISCED 766, EQF 7",
		"REJECTED (status_revoked)",
		"REJECTED (issuer_withdrawn)",
		"REJECTED (trust_list_stale)",
		"Every step went as expected.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("scenario output lacks %q", want)
		}
	}
	if n := strings.Count(out, "      ACCEPTED"); n != 3 {
		t.Errorf("%d accepted presentations, want 3:\n%s", n, out)
	}
	if strings.Contains(out, "FAILED") {
		t.Errorf("a step failed:\n%s", out)
	}
}

// TestDemoInBrowser is the newcomer's story in headless Chromium against `hashi demo`, once
// in English and once in Japanese: the Sakuragaoka registrar offers Kenji SATO's diploma, the
// student signs in to the web wallet, pastes the offer, enters the PIN and sees the card; the
// EU desk asks for a diploma on the same device; the student opens the desk's web-wallet
// link, sees who asks and what will be shared, shares, and lands on the desk's report, which
// says accepted with the trust path. Screenshots go to HASHI_SCREENSHOTS when set (the
// README's come from here).
func TestDemoInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	for _, tc := range []struct {
		lang, acceptLanguage, accepted, cardTitle, desk string
	}{
		{"en", "en-GB,en;q=0.9", "Accepted", "Received", "Pilot Admissions Desk NL"},
		{"ja", "ja-JP,ja;q=0.9", "受理", "受け取りました", "パイロット入学審査窓口（オランダ）"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			b := webuitest.Browser(t)
			b.SetAcceptLanguage(tc.acceptLanguage)
			d := startDemo(t, filepath.Join(t.TempDir(), "data"), freePort(t), freePort(t))
			jp, eu := d.info.Issuer.Tenants[1], d.info.Verifiers[0]

			// The guide page links every part of the demo.
			b.Navigate(strings.TrimSuffix(d.info.Issuer.URL, "/issuer") + "/")
			b.Screenshot("guide")

			// The registrar signs in and offers the diploma with a PIN.
			registrar := jp.CredentialIssuer + "/registrar"
			b.Navigate(registrar + "/")
			b.Fill("#token", jp.AdminToken)
			if st := b.ClickNavigate("#sign-in"); st != http.StatusOK {
				t.Fatalf("registrar sign-in = %d", st)
			}
			if lang := b.Attr("html", "lang"); lang != tc.lang {
				t.Fatalf("registrar page in %q, want %q", lang, tc.lang)
			}
			b.Navigate(registrar + "/graduates")
			b.ClickNavigate("#graduate-E23M-1187 a.button")
			if st := b.ClickNavigate("#create-offer"); st != http.StatusOK {
				t.Fatalf("create offer = %d", st)
			}
			pin := b.Text("#tx-code")
			offer := b.EvalString(`document.querySelector("#offer-link").value`)
			b.Screenshot("registrar-offer")

			// The student signs in to the wallet, pastes the offer, enters the PIN.
			b.Navigate(d.info.Wallet.URL + "/sign-in")
			b.Fill("#username", d.info.Wallet.User)
			b.Fill("#password", d.info.Wallet.Password)
			if st := b.ClickNavigate("#sign-in"); st != http.StatusOK {
				t.Fatalf("wallet sign-in = %d", st)
			}
			b.ClickNavigate(`nav.wallet-nav a[href$="/receive"]`)
			b.Fill("#link", offer)
			if st := b.ClickNavigate("#open-offer"); st != http.StatusOK {
				t.Fatalf("open offer = %d", st)
			}
			b.Fill("#tx_code", pin)
			if st := b.ClickNavigate("#accept-offer"); st != http.StatusOK {
				t.Fatalf("accept offer = %d", st)
			}
			if got := b.Text(".card-trust"); !strings.Contains(got, "hashi Pilot Trust Services JP") && !strings.Contains(got, "hashi パイロットトラストサービス") {
				t.Fatalf("card trust %q", got)
			}
			if got := b.Text("#title"); got != tc.cardTitle {
				t.Fatalf("wallet title %q, want %q", got, tc.cardTitle)
			}
			b.Screenshot("wallet-card")

			// The EU desk asks for a diploma, to be answered on this device.
			b.Navigate(eu.URL + "/desk/")
			b.Fill("#token", eu.APIToken)
			if st := b.ClickNavigate("#sign-in"); st != http.StatusOK {
				t.Fatalf("desk sign-in = %d", st)
			}
			b.Click("#what-diploma")
			b.Click("#same_device")
			if st := b.ClickNavigate("#create"); st != http.StatusOK {
				t.Fatalf("desk create = %d", st)
			}
			b.Screenshot("desk-request")

			// The student follows the desk's web-wallet link, sees who asks, and shares.
			if st := b.ClickNavigate("#request-open-web"); st != http.StatusOK {
				t.Fatalf("consent page = %d", st)
			}
			if got := b.Text("#verifier-name"); got != "Pilot Admissions Desk NL" {
				t.Fatalf("verifier name %q", got)
			}
			b.Screenshot("wallet-consent")

			// Sharing sends the presentation and returns to the desk's report.
			if st := b.ClickNavigate("#share"); st != http.StatusOK {
				t.Fatalf("share = %d", st)
			}
			loc := b.Location()
			if !strings.HasPrefix(loc, eu.URL+"/requests/done/") {
				t.Fatalf("after sharing the browser is at %s, want the desk's page for the student", loc)
			}
			b.Screenshot("student-done")
			if got := b.Text("#verdict-word"); got != tc.accepted {
				t.Fatalf("verdict %q, want %q", got, tc.accepted)
			}
			if got := b.Text("#done-desk"); got != tc.desk {
				t.Fatalf("the student's page names the desk %q, want %q", got, tc.desk)
			}
			// The staff's report of the same request, with the trust path.
			id, _, _ := strings.Cut(strings.TrimPrefix(loc, eu.URL+"/requests/done/"), "?")
			if st := b.Navigate(eu.URL + "/desk/requests/" + id); st != http.StatusOK {
				t.Fatalf("desk report = %d", st)
			}
			b.Screenshot("desk-report")
			if got := b.Text("#verdict-word"); got != tc.accepted {
				t.Fatalf("desk verdict %q, want %q", got, tc.accepted)
			}
			if got := b.Text("#trust-path-0"); !strings.Contains(got, "JP pilot LoTE") {
				t.Fatalf("trust path %q", got)
			}
		})
	}
}

// readDir returns the regular files of dir by name.
// TestDemoListFiles: each signed set of lists is written whole into DIR/trust/<sequence>/
// before state.json names it, so what an interrupted re-signing leaves is never served and
// is replaced by the next one; an older set is removed once a newer one is named; when
// DIR/trust is gone, the cached copies of the old lists are forgotten (the next set starts
// at sequence 1 again, which a cache holding a higher one would refuse as a rollback).
func TestDemoListFiles(t *testing.T) {
	dir := t.TempDir()
	base := "http://127.0.0.1:8080"
	now := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	if _, err := pki.Init(filepath.Join(dir, "pki"), pki.DefaultConfig(base+"/issuer"), now); err != nil {
		t.Fatal(err)
	}
	p, err := pki.Load(filepath.Join(dir, "pki"))
	if err != nil {
		t.Fatal(err)
	}
	d := &demo{dir: dir, base: base, logger: slog.New(slog.DiscardHandler), pki: p}
	for range 2 {
		if err := d.publish(now, time.Time{}, 0); err != nil {
			t.Fatal(err)
		}
	}
	trust := filepath.Join(dir, demoTrustDir)
	names := func() []string {
		var out []string
		entries, err := os.ReadDir(trust)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	}
	if got := strings.Join(names(), " "); got != "2 state.json" {
		t.Fatalf("DIR/trust holds %s, want the set of sequence 2 and state.json", got)
	}
	served := readDir(t, filepath.Join(trust, "2"))

	// An interrupted re-signing left a partial set 3: a start serves set 2 still.
	if err := os.MkdirAll(filepath.Join(trust, "3"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(trust, "3", pilotLOTLFile), []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	d2 := &demo{dir: dir, base: base, logger: d.logger, pki: p}
	if err := d2.loadLists(); err != nil {
		t.Fatal(err)
	}
	if d2.listSequence() != 2 || string(d2.listFiles()[pilotLOTLFile]) != served[pilotLOTLFile] {
		t.Fatalf("after an interrupted re-signing: sequence %d", d2.listSequence())
	}
	if err := d2.publish(now, time.Time{}, 0); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(names(), " "); got != "3 state.json" {
		t.Fatalf("DIR/trust holds %s, want the set of sequence 3 and state.json", got)
	}
	if b := readDir(t, filepath.Join(trust, "3"))[pilotLOTLFile]; b == "half" || b != string(d2.listFiles()[pilotLOTLFile]) {
		t.Fatal("set 3 is not the one signed")
	}

	// DIR/trust deleted: the desks' and the wallet's caches go with it.
	caches := []string{filepath.Join(dir, "trust-cache"), filepath.Join(dir, "eu-desk", "trust-cache"), filepath.Join(dir, "jp-desk", "trust-cache")}
	for _, c := range caches {
		if err := os.MkdirAll(c, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.RemoveAll(trust); err != nil {
		t.Fatal(err)
	}
	d3 := &demo{dir: dir, base: base, logger: d.logger, pki: p}
	if err := d3.loadLists(); err != nil || d3.listFiles() != nil {
		t.Fatalf("no lists: %v", err)
	}
	if err := d3.forgetCachedLists(); err != nil {
		t.Fatal(err)
	}
	for _, c := range caches {
		if _, err := os.Stat(c); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s is still there", c)
		}
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.Type().IsRegular() {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()] = string(b)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s is empty", dir)
	}
	return out
}
