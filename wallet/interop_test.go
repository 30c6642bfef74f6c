package wallet_test

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/internal/wallettest"
	"github.com/hashi-vc/hashi/wallet/walletstore"
)

// interopNode returns the node binary and the absolute testdata/interop directory. Without
// node or `npm ci --prefix testdata/interop` the test skips, unless HASHI_TEST_INTEROP=1 (as
// in CI), in which case it fails.
func interopNode(t *testing.T) (node, dir string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "testdata", "interop"))
	if err != nil {
		t.Fatal(err)
	}
	node, err = exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	case !fileExists(filepath.Join(dir, "node_modules", "@openid4vc", "openid4vci")) ||
		!fileExists(filepath.Join(dir, "node_modules", "@openid4vc", "openid4vp")):
		missing = "testdata/interop/node_modules is missing or out of date"
	}
	if missing != "" {
		if os.Getenv("HASHI_TEST_INTEROP") == "1" {
			t.Fatalf("interop test required (HASHI_TEST_INTEROP=1) but %s; run `npm ci --prefix testdata/interop`", missing)
		}
		t.Skipf("skipping OpenID4VC interop: %s (install Node.js >= 20 and run `npm ci --prefix testdata/interop`; set HASHI_TEST_INTEROP=1 to make this a failure)", missing)
	}
	return node, dir
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// nodeScript is a long-running interop script spoken to in JSON lines over stdin/stdout.
type nodeScript struct {
	t      *testing.T
	in     io.WriteCloser
	lines  chan []byte // stdout lines; closed when stdout ends
	mu     sync.Mutex
	stderr bytes.Buffer
}

// nodeReplyTimeout only keeps a hung script from blocking the test binary until its
// timeout; replies normally take milliseconds.
const nodeReplyTimeout = time.Minute

// startNodeScript runs `node script` in dir until the test ends.
func startNodeScript(t *testing.T, script string) *nodeScript {
	t.Helper()
	node, dir := interopNode(t)
	cmd := exec.CommandContext(t.Context(), node, script) //nolint:gosec // node from PATH running the repository's fixed script
	cmd.Dir = dir
	s := &nodeScript{t: t}
	cmd.Stderr = lockedWriter{&s.mu, &s.stderr}
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	s.in, s.lines = in, make(chan []byte, 16)
	go func() {
		defer close(s.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
		for sc.Scan() {
			s.lines <- bytes.Clone(sc.Bytes())
		}
	}()
	return s
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// read decodes the script's next stdout line into v.
func (s *nodeScript) read(v any) {
	s.t.Helper()
	var line []byte
	var ok bool
	select {
	case line, ok = <-s.lines:
	case <-time.After(nodeReplyTimeout):
	}
	if !ok {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.t.Fatalf("node script ended or did not answer:\n%s", s.stderr.String())
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(line, &e) == nil && e.Error != "" {
		s.t.Fatalf("node script: %s", e.Error)
	}
	if err := json.Unmarshal(line, v); err != nil {
		s.t.Fatalf("node script said %q: %v", line, err)
	}
}

// call writes cmd as one line and decodes the answer line into v.
func (s *nodeScript) call(cmd, v any) {
	s.t.Helper()
	b, err := json.Marshal(cmd)
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.in.Write(append(b, '\n')); err != nil {
		s.t.Fatalf("write to node script: %v", err)
	}
	s.read(v)
}

type npmIssuerEvent struct {
	Event           string `json:"event"`
	Error           string `json:"error"`
	TokenType       string `json:"tokenType"`
	Scheme          string `json:"scheme"`
	DPoP            bool   `json:"dpop"`
	Count           int    `json:"count"`
	ConfigurationID string `json:"configurationId"`
	NotificationID  string `json:"notificationId"`
	Type            string `json:"type"`
	Deferred        bool   `json:"deferred"`
	Pending         bool   `json:"pending"`
}

// offer asks the npm issuer for an offer with a tx_code; flags are "deferred" and
// "invalidNonceOnce" (see vci-issuer.mjs).
func (s *nodeScript) offer(txCode string, flags ...string) string {
	s.t.Helper()
	var r struct {
		Offer string `json:"offer"`
	}
	o := map[string]any{"txCode": txCode}
	for _, f := range flags {
		o[f] = true
	}
	s.call(map[string]any{"offer": o}, &r)
	return r.Offer
}

func (s *nodeScript) events() []npmIssuerEvent {
	s.t.Helper()
	var r struct {
		Log []npmIssuerEvent `json:"log"`
	}
	s.call(map[string]bool{"log": true}, &r)
	return r.Log
}

// npmFixture is the npm issuer (configured with a pilot PKI made for its URL) and a real
// wallet core: SQLite walletstore, safehttp allowing loopback http (names under .localhost
// resolve to 127.0.0.1), the pilot seal CA and access CA standing in for the JP trusted lists.
type npmFixture struct {
	iss              *nodeScript
	pki              *pki.PKI
	seal             *pki.Entity
	credentialIssuer string
	wallet           *wallet.Wallet
}

func newNpmFixture(t *testing.T) *npmFixture {
	t.Helper()
	iss := startNodeScript(t, "vci-issuer.mjs")
	var hello struct {
		Base string `json:"base"`
	}
	iss.read(&hello)

	// A pilot PKI whose Sakuragaoka issuer URL is the npm issuer's credential issuer.
	start := time.Now().UTC().Truncate(time.Second)
	pkiDir := filepath.Join(t.TempDir(), "pki")
	if _, err := pki.Init(pkiDir, pki.DefaultConfig(hello.Base), start); err != nil {
		t.Fatal(err)
	}
	p, err := pki.Load(pkiDir)
	if err != nil {
		t.Fatal(err)
	}
	f := &npmFixture{iss: iss, pki: p, credentialIssuer: hello.Base + "/sakuragaoka"}
	f.seal = wallettest.Entity(t, p, pki.RoleSeal, "sakuragaoka")
	if len(f.seal.Certificate.URIs) != 1 || f.seal.Certificate.URIs[0].String() != f.credentialIssuer {
		t.Fatalf("seal certificate URIs %v, want %s", f.seal.Certificate.URIs, f.credentialIssuer)
	}
	keyPEM, x5c := entityKeyAndChain(t, f.seal)
	var ready struct {
		Ready bool `json:"ready"`
	}
	iss.call(map[string]any{"credentialIssuer": f.credentialIssuer, "keyPem": keyPEM, "x5c": x5c}, &ready)
	if !ready.Ready {
		t.Fatal("npm issuer not ready")
	}

	f.wallet = f.newWallet(t)
	return f
}

// newWallet returns a wallet core over a fresh SQLite walletstore.
func (f *npmFixture) newWallet(t *testing.T, opts ...wallet.Option) *wallet.Wallet {
	t.Helper()
	st, err := walletstore.New(t.Context(), sqldbtest.Open(t, sqldbtest.SQLiteDSN(t)), bytes.Repeat([]byte{0x5a}, walletstore.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	client, err := safehttp.New(safehttp.WithLoopbackInsecure(), safehttp.WithResolver(wallettest.LoopbackResolver))
	if err != nil {
		t.Fatal(err)
	}
	base := wallettest.TrustOptions([]*x509.Certificate{wallettest.Entity(t, f.pki, pki.RoleSealCA, "jp").Certificate},
		[]*x509.Certificate{wallettest.Entity(t, f.pki, pki.RoleAccessCA, "jp").Certificate})
	w, err := wallet.New(st, client, time.Now, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// entityKeyAndChain returns e's private key as PKCS#8 PEM and its chain as x5c values.
func entityKeyAndChain(t *testing.T, e *pki.Entity) (string, []string) {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(e.Signer())
	if err != nil {
		t.Fatal(err)
	}
	x5c := make([]string, len(e.Chain))
	for i, c := range e.Chain {
		x5c[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), x5c
}

// TestInteropReceiveFromNpmIssuer runs the wallet core (SQLite walletstore, safehttp) against
// an independent OpenID4VCI 1.0 issuer built with Animo's @openid4vc/openid4vci and
// @openid4vc/oauth2 0.4.6, issuing dc+sd-jwt credentials with @sd-jwt/sd-jwt-vc 0.20.0
// (testdata/interop/vci-issuer.mjs): offer by reference, path-inserted issuer and
// authorization-server metadata, pre-authorized code with tx_code, DPoP-bound access token
// after a use_dpop_nonce round, c_nonce from the nonce endpoint, jwt proof, a credential
// signed with the pilot seal key of Sakuragaoka University (x5c) and bound to the proof key,
// and the credential_accepted notification; a batch of two after an invalid_nonce retry;
// deferred issuance polled with PollDeferred (pending once, then issued). A wrong tx_code and
// a redeemed pre-authorized code are refused by the npm authorization server and nothing is
// stored.
//
// It needs node and `npm ci --prefix testdata/interop`; see interopNode.
func TestInteropReceiveFromNpmIssuer(t *testing.T) {
	f := newNpmFixture(t)
	iss, w, ctx, credentialIssuer, seal := f.iss, f.wallet, t.Context(), f.credentialIssuer, f.seal

	t.Run("fail/wrong tx_code is refused by the npm issuer", func(t *testing.T) {
		o, err := w.ParseOffer(ctx, iss.offer("493817"))
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.Receive(ctx, owner, o, "000000")
		if wallet.CodeOf(err) != wallet.CodeTokenRejected {
			t.Fatalf("err = %v, want %s", err, wallet.CodeTokenRejected)
		}
		ev := iss.events()
		if len(ev) != 2 || ev[0].Event != "token" || ev[0].Error != "use_dpop_nonce" ||
			ev[1].Event != "token" || ev[1].Error != "invalid_grant" {
			t.Fatalf("npm issuer log = %+v", ev)
		}
		cs, err := w.Credentials(ctx, owner)
		if err != nil || len(cs) != 0 {
			t.Fatalf("stored %d credentials (%v)", len(cs), err)
		}
	})

	t.Run("ok/pre-authorized code with tx_code and DPoP", func(t *testing.T) {
		o, err := w.ParseOffer(ctx, iss.offer("271828"))
		if err != nil {
			t.Fatal(err)
		}
		if tc := o.TxCode(); tc == nil || tc.InputMode != "numeric" || tc.Length != 6 {
			t.Fatalf("tx_code = %+v", tc)
		}
		if o.CredentialOffer.CredentialIssuer != credentialIssuer || o.TokenEndpoint != credentialIssuer+"/token" ||
			len(o.Credentials) != 1 || o.Credentials[0].ConfigurationID != "hashi_diploma" ||
			o.Credentials[0].VCT != "urn:hashi:diploma:1" || o.IssuerName["en"] != "Sakuragaoka University (npm issuer)" {
			t.Fatalf("offer = %+v / %+v", o.CredentialOffer, o.Credentials)
		}
		rec, err := w.Receive(ctx, owner, o, "271828")
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Credentials) != 1 || len(rec.Pending) != 0 {
			t.Fatalf("receipt = %+v", rec)
		}
		ev := iss.events()
		want := []npmIssuerEvent{
			{Event: "token", Error: "use_dpop_nonce"},
			{Event: "token", TokenType: "DPoP"},
			{Event: "credential", ConfigurationID: "hashi_diploma", Count: 1, Scheme: "DPoP", DPoP: true},
			{Event: "notification", Type: "credential_accepted"},
		}
		if len(ev) != len(want) {
			t.Fatalf("npm issuer log = %+v", ev)
		}
		for i := range want {
			got := ev[i]
			got.NotificationID = ""
			if got != want[i] {
				t.Fatalf("npm issuer event %d = %+v, want %+v", i, ev[i], want[i])
			}
		}
		if ev[2].NotificationID == "" || ev[3].NotificationID != ev[2].NotificationID {
			t.Fatalf("notification ids %q / %q", ev[2].NotificationID, ev[3].NotificationID)
		}

		cs, err := w.Credentials(ctx, owner)
		if err != nil || len(cs) != 1 {
			t.Fatalf("stored %d credentials (%v)", len(cs), err)
		}
		c := cs[0]
		if c.ID != rec.Credentials[0].ID || c.Format != wallet.FormatSDJWTVC || c.Issuer != credentialIssuer ||
			c.ConfigurationID != "hashi_diploma" || c.VCT != "urn:hashi:diploma:1" || len(c.HolderKey) == 0 ||
			string(c.Raw) != string(rec.Credentials[0].Raw) || c.ExpiresAt.Sub(c.IssuedAt) != 365*24*time.Hour {
			t.Fatalf("stored credential = %+v", c)
		}
		// Six disclosures (four top-level claims, two inside degree), none of them in the clear.
		parts := strings.Split(string(c.Raw), "~")
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(parts[0], ".")[1])
		if err != nil || len(parts) != 8 || parts[7] != "" || bytes.Contains(payload, []byte("Sato")) || bytes.Contains(payload, []byte("bachelor")) {
			t.Fatalf("SD-JWT VC with %d parts, payload %s (%v)", len(parts), payload, err)
		}
		if !c.Trust.Checked || !c.Trust.Trusted || c.Trust.ListLabel != "JP pilot list" || c.Trust.Subject != pki.NameString(seal.Certificate.Subject) {
			t.Fatalf("trust = %+v", c.Trust)
		}

		d, err := w.Details(ctx, owner, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Valid || d.Problem != "" {
			t.Fatalf("details: valid %v problem %q", d.Valid, d.Problem)
		}
		got := map[string]any{}
		labels := map[string]string{}
		for _, cl := range d.Claims {
			got[cl.PathJSON] = cl.Value
			labels[cl.PathJSON] = cl.Label["en"] + "|" + cl.Label["ja"]
		}
		wantClaims := map[string]any{
			`["family_name"]`:              "Sato",
			`["given_name"]`:               "Hanako",
			`["birthdate"]`:                "2001-04-02",
			`["learner_identification"]`:   "S-2026-0042",
			`["degree","type"]`:            "bachelor",
			`["degree","award_date"]`:      "2026-03-25",
			`["degree","field","isced_f"]`: "0613",
			`["degree","field","name"]`:    "Software development",
			`["awarding_body","name"]`:     "Sakuragaoka University",
			`["awarding_body","country"]`:  "JP",
			`["iss"]`:                      credentialIssuer,
			`["vct"]`:                      "urn:hashi:diploma:1",
		}
		for k, v := range wantClaims {
			if got[k] != v {
				t.Errorf("claim %s = %v, want %v", k, got[k], v)
			}
		}
		if len(got) != len(wantClaims)+2 { // + iat, exp
			t.Errorf("claims = %v", got)
		}
		if labels[`["family_name"]`] != "Family name|姓（ローマ字）" || labels[`["degree","type"]`] != "Degree type|学位の種類" {
			t.Errorf("labels = %v", labels)
		}
	})

	t.Run("fail/a redeemed pre-authorized code is refused by the npm issuer", func(t *testing.T) {
		o, err := w.ParseOffer(ctx, iss.offer("141421"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Receive(ctx, owner, o, "141421"); err != nil {
			t.Fatal(err)
		}
		_ = iss.events()
		_, err = w.Receive(ctx, owner, o, "141421")
		if wallet.CodeOf(err) != wallet.CodeTokenRejected {
			t.Fatalf("err = %v, want %s", err, wallet.CodeTokenRejected)
		}
		if ev := iss.events(); len(ev) != 2 || ev[1].Error != "invalid_grant" {
			t.Fatalf("npm issuer log = %+v", ev)
		}
		if cs, err := w.Credentials(ctx, owner); err != nil || len(cs) != 2 {
			t.Fatalf("stored %d credentials (%v)", len(cs), err)
		}
	})

	t.Run("ok/batch of two after an invalid_nonce", func(t *testing.T) {
		bw := f.newWallet(t, wallet.WithBatchSize(2))
		o, err := bw.ParseOffer(ctx, iss.offer("161803", "invalidNonceOnce"))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := bw.Receive(ctx, owner, o, "161803")
		if err != nil {
			t.Fatal(err)
		}
		ev := iss.events()
		if len(ev) != 5 || ev[2].Event != "credential" || ev[2].Error != "invalid_nonce" ||
			ev[3].Event != "credential" || ev[3].Count != 2 || ev[4].Type != "credential_accepted" {
			t.Fatalf("npm issuer log = %+v", ev)
		}
		if len(rec.Credentials) != 2 {
			t.Fatalf("receipt = %+v", rec)
		}
		a, b := rec.Credentials[0], rec.Credentials[1]
		if a.BatchID == "" || a.BatchID != b.BatchID || string(a.HolderKey) == string(b.HolderKey) || string(a.Raw) == string(b.Raw) {
			t.Fatalf("batch %q/%q, same key %v", a.BatchID, b.BatchID, string(a.HolderKey) == string(b.HolderKey))
		}
		if cs, err := bw.Credentials(ctx, owner); err != nil || len(cs) != 2 {
			t.Fatalf("stored %d credentials (%v)", len(cs), err)
		}
	})

	t.Run("ok/deferred issuance polled until ready", func(t *testing.T) {
		dw := f.newWallet(t)
		o, err := dw.ParseOffer(ctx, iss.offer("314159", "deferred"))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := dw.Receive(ctx, owner, o, "314159")
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Credentials) != 0 || len(rec.Pending) != 1 || rec.Pending[0].Interval != 5*time.Second {
			t.Fatalf("receipt = %+v", rec)
		}
		id := rec.Pending[0].ID
		if ev := iss.events(); len(ev) != 3 || !ev[2].Deferred || ev[2].Scheme != "DPoP" {
			t.Fatalf("npm issuer log = %+v", ev)
		}
		rec, err = dw.PollDeferred(ctx, owner, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Credentials) != 0 || len(rec.Pending) != 1 {
			t.Fatalf("first poll = %+v", rec)
		}
		rec, err = dw.PollDeferred(ctx, owner, id)
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Credentials) != 1 || rec.Credentials[0].VCT != "urn:hashi:diploma:1" {
			t.Fatalf("second poll = %+v", rec)
		}
		if ev := iss.events(); len(ev) != 2 || !ev[0].Pending || ev[1].Event != "deferred" || ev[1].Count != 1 {
			t.Fatalf("npm issuer log = %+v", ev)
		}
		if ps, err := dw.PendingIssuances(ctx, owner); err != nil || len(ps) != 0 {
			t.Fatalf("pending = %+v (%v)", ps, err)
		}
		d, err := dw.Details(ctx, owner, rec.Credentials[0].ID)
		if err != nil || !d.Valid {
			t.Fatalf("details = %+v (%v)", d, err)
		}
	})
}

type npmVerifierResult struct {
	Error        string `json:"error"`
	ResponseMode string `json:"responseMode"`
	State        string `json:"state"`
	JARM         string `json:"jarm"`
	JWEEnc       string `json:"jweEnc"`
	Fetched      int    `json:"fetched"`
	WalletNonce  string `json:"walletNonce"`
	Declined     string `json:"declined"`
	// WalletMetadata is wallet_metadata as the library's schema parsed it.
	WalletMetadata map[string]any `json:"walletMetadata"`
	Presentations  map[string][]struct {
		Claims      map[string]any `json:"claims"`
		KBAud       string         `json:"kbAud"`
		KBNonce     string         `json:"kbNonce"`
		HolderBound bool           `json:"holderBound"`
	} `json:"presentations"`
}

// TestInteropPresentToNpmVerifier presents a credential received from the npm issuer (see
// TestInteropReceiveFromNpmIssuer) to an independent OpenID4VP 1.0 verifier built with Animo's
// @openid4vc/openid4vp 0.4.6 (testdata/interop/vp-verifier.mjs) through ParseRequest, Match
// and Present: unsigned requests (redirect_uri client_id prefix) and signed request objects
// by reference (x509_san_dns and x509_hash, with the pilot access certificate of
// jp-desk.localhost), each with direct_post and direct_post.jwt (ECDH-ES JWE). The npm side
// parses the response with the library, decrypts the JWE with panva's jose, and verifies the
// SD-JWT VC (seal CA chain) and KB-JWT (nonce, aud = client_id, iat) with @sd-jwt/sd-jwt-vc;
// it must see exactly the requested claims disclosed.
//
// It needs node and `npm ci --prefix testdata/interop`; see interopNode.
func TestInteropPresentToNpmVerifier(t *testing.T) {
	f := newNpmFixture(t)
	ctx := t.Context()
	o, err := f.wallet.ParseOffer(ctx, f.iss.offer("271828"))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.wallet.Receive(ctx, owner, o, "271828")
	if err != nil {
		t.Fatal(err)
	}
	credID := rec.Credentials[0].ID

	ver := startNodeScript(t, "vp-verifier.mjs")
	var hello struct {
		Port int `json:"port"`
	}
	ver.read(&hello)
	access := wallettest.Entity(t, f.pki, pki.RoleAccess, "jp-desk")
	const host = "jp-desk.localhost"
	if len(access.Certificate.DNSNames) != 1 || access.Certificate.DNSNames[0] != host {
		t.Fatalf("access certificate DNS names %v", access.Certificate.DNSNames)
	}
	keyPEM, x5c := entityKeyAndChain(t, access)
	var ready struct {
		Ready bool `json:"ready"`
	}
	ver.call(map[string]any{"host": host, "keyPem": keyPEM, "x5c": x5c,
		"issuerCa": base64.StdEncoding.EncodeToString(wallettest.Entity(t, f.pki, pki.RoleSealCA, "jp").Certificate.Raw)}, &ready)
	if !ready.Ready {
		t.Fatal("npm verifier not ready")
	}
	base := fmt.Sprintf("http://%s:%d", host, hello.Port)

	result := func(t *testing.T, id string) npmVerifierResult {
		t.Helper()
		var got struct {
			Result npmVerifierResult `json:"result"`
		}
		ver.call(map[string]string{"result": id}, &got)
		return got.Result
	}
	for _, tc := range []struct {
		prefix, mode, method string
	}{
		{wallet.PrefixRedirectURI, wallet.ResponseModeDirectPost, ""},
		{wallet.PrefixRedirectURI, wallet.ResponseModeDirectPostJWT, ""},
		{wallet.PrefixX509SANDNS, wallet.ResponseModeDirectPost, ""},
		{wallet.PrefixX509SANDNS, wallet.ResponseModeDirectPostJWT, ""},
		{wallet.PrefixX509Hash, wallet.ResponseModeDirectPost, ""},
		{wallet.PrefixX509Hash, wallet.ResponseModeDirectPostJWT, ""},
		{wallet.PrefixX509SANDNS, wallet.ResponseModeDirectPostJWT, "post"},
		{wallet.PrefixX509Hash, wallet.ResponseModeDirectPost, "post"},
	} {
		name := "ok/" + tc.prefix + "/" + tc.mode
		if tc.method != "" {
			name += "/request_uri_method=" + tc.method
		}
		t.Run(name, func(t *testing.T) {
			var nr struct {
				ID       string `json:"id"`
				Link     string `json:"link"`
				ClientID string `json:"clientId"`
			}
			ver.call(map[string]any{"request": map[string]string{"clientIdPrefix": tc.prefix, "responseMode": tc.mode, "requestUriMethod": tc.method}}, &nr)
			req, err := f.wallet.ParseRequest(ctx, nr.Link)
			if err != nil {
				t.Fatalf("ParseRequest(%s): %v", nr.Link, err)
			}
			signed := tc.prefix != wallet.PrefixRedirectURI
			if req.ClientID != nr.ClientID || req.ClientIDPrefix != tc.prefix || req.Signed != signed ||
				req.ResponseMode != tc.mode || req.ResponseURI != base+"/response/"+nr.ID || req.State == "" {
				t.Fatalf("request = %+v", req)
			}
			if signed && (!req.Verifier.Trust.Trusted || req.Verifier.Subject != pki.NameString(access.Certificate.Subject)) {
				t.Fatalf("verifier = %+v", req.Verifier)
			}
			if (tc.mode == wallet.ResponseModeDirectPostJWT) != (req.Encryption != nil) {
				t.Fatalf("encryption = %+v", req.Encryption)
			}
			consent, err := f.wallet.Match(ctx, owner, req)
			if err != nil {
				t.Fatal(err)
			}
			if !consent.Satisfiable || len(consent.Queries) != 1 || len(consent.Queries[0].Candidates) != 1 ||
				consent.Queries[0].Candidates[0].CredentialID != credID || len(consent.Queries[0].Candidates[0].Claims) != 3 {
				t.Fatalf("consent = %+v", consent)
			}
			res, err := f.wallet.Present(ctx, owner, req, consent.Default)
			if err != nil {
				t.Fatalf("Present: %v (npm verifier: %s)", err, result(t, nr.ID).Error)
			}
			if res.RedirectURI != base+"/done/"+nr.ID {
				t.Errorf("redirect_uri = %q", res.RedirectURI)
			}
			r := result(t, nr.ID)
			if r.Error != "" {
				t.Fatalf("npm verifier: %s", r.Error)
			}
			wantFetched := 0
			if signed {
				wantFetched = 1
			}
			if r.ResponseMode != tc.mode || r.State != req.State || r.Fetched != wantFetched {
				t.Fatalf("npm verifier result = %+v", r)
			}
			if tc.method == "post" {
				prefixes, _ := r.WalletMetadata["client_id_prefixes_supported"].([]any)
				if r.WalletNonce == "" || len(prefixes) != 3 || r.WalletMetadata["vp_formats_supported"] == nil {
					t.Fatalf("wallet_nonce %q, wallet_metadata %v", r.WalletNonce, r.WalletMetadata)
				}
			}
			if tc.mode == wallet.ResponseModeDirectPostJWT && (r.JARM != "Encrypted" || r.JWEEnc != "A256GCM") {
				t.Fatalf("npm verifier JARM %q enc %q", r.JARM, r.JWEEnc)
			}
			ps := r.Presentations["diploma"]
			if len(r.Presentations) != 1 || len(ps) != 1 {
				t.Fatalf("presentations = %+v", r.Presentations)
			}
			p := ps[0]
			if !p.HolderBound || p.KBAud != nr.ClientID || p.KBNonce != req.Nonce {
				t.Fatalf("presentation = %+v", p)
			}
			c := p.Claims
			degree, _ := c["degree"].(map[string]any)
			if c["family_name"] != "Sato" || c["given_name"] != "Hanako" || degree["type"] != "bachelor" ||
				c["iss"] != f.credentialIssuer || c["vct"] != "urn:hashi:diploma:1" {
				t.Fatalf("claims = %v", c)
			}
			for _, k := range []string{"birthdate", "learner_identification"} {
				if _, ok := c[k]; ok {
					t.Errorf("%s disclosed: %v", k, c)
				}
			}
			if _, ok := degree["award_date"]; ok {
				t.Errorf("degree.award_date disclosed: %v", c)
			}
		})
	}
	t.Run("fail/x509_san_dns client_id not in the access certificate", func(t *testing.T) {
		var nr struct {
			ID   string `json:"id"`
			Link string `json:"link"`
		}
		ver.call(map[string]any{"request": map[string]string{"clientIdPrefix": wallet.PrefixX509SANDNS,
			"responseMode": wallet.ResponseModeDirectPost, "dnsName": "eu-desk.localhost"}}, &nr)
		_, err := f.wallet.ParseRequest(ctx, nr.Link)
		if wallet.CodeOf(err) != wallet.CodeClientIDMismatch {
			t.Fatalf("err = %v, want %s", err, wallet.CodeClientIDMismatch)
		}
		if r := result(t, nr.ID); r.Fetched != 1 || r.Error != "no response" {
			t.Fatalf("npm verifier result = %+v", r)
		}
	})
	for _, tc := range []struct{ prefix, mode string }{
		{wallet.PrefixRedirectURI, wallet.ResponseModeDirectPost},
		{wallet.PrefixX509Hash, wallet.ResponseModeDirectPostJWT},
	} {
		t.Run("ok/decline/"+tc.prefix+"/"+tc.mode, func(t *testing.T) {
			var nr struct {
				ID   string `json:"id"`
				Link string `json:"link"`
			}
			ver.call(map[string]any{"request": map[string]string{"clientIdPrefix": tc.prefix, "responseMode": tc.mode}}, &nr)
			req, err := f.wallet.ParseRequest(ctx, nr.Link)
			if err != nil {
				t.Fatal(err)
			}
			res, err := f.wallet.Decline(ctx, owner, req)
			if err != nil {
				t.Fatalf("Decline: %v (npm verifier: %s)", err, result(t, nr.ID).Error)
			}
			if res.Record.Outcome != wallet.OutcomeDeclined {
				t.Fatalf("record = %+v", res.Record)
			}
			r := result(t, nr.ID)
			if r.Error != "" || r.Declined != "access_denied" || r.State != req.State || r.ResponseMode != tc.mode {
				t.Fatalf("npm verifier result = %+v", r)
			}
		})
	}
}
