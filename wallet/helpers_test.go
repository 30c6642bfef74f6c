package wallet_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/vcjwt"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/wallet"
)

var (
	testPKI *pki.PKI
	// testNow is the fixed wallet and counterpart time. The pilot PKI and the TLS
	// certificates are made just before it, since crypto/tls judges them at the real time.
	testNow time.Time
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "wallet-pki-")
	if err != nil {
		panic(err)
	}
	start := time.Now().UTC().Truncate(time.Second)
	if _, err := pki.Init(dir+"/pki", pki.DefaultConfig("https://localhost/issuer"), start); err != nil {
		panic(err)
	}
	if testPKI, err = pki.Load(dir + "/pki"); err != nil {
		panic(err)
	}
	testNow = start.Add(time.Minute)
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func entity(t testing.TB, role pki.Role, id string) *pki.Entity {
	t.Helper()
	e, err := testPKI.Entity(role, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

const wrpacService = "http://uri.etsi.org/TrstSvc/Svctype/WRPAC/Issuance"

// fakeTrust stands in for trust lists: chains verifying to one of its anchors are listed.
type fakeTrust struct {
	anchors  []*x509.Certificate
	label    string
	provider string
}

func (f fakeTrust) Lookup(chain []*x509.Certificate, _, now time.Time, p trustlist.Policy) trustlist.Result {
	pool := x509.NewCertPool()
	for _, a := range f.anchors {
		pool.AddCert(a)
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return trustlist.Result{Reason: trustlist.ReasonNoAnchor, Detail: err.Error()}
	}
	return trustlist.Result{TrustedAtIssuance: true, TrustedNow: true, ListLabel: f.label, Territory: "JP",
		ProviderNames: []trustlist.LangString{{Lang: "en", Value: f.provider}, {Lang: "ja", Value: f.provider + "（日本）"}},
		ServiceType:   p.ServiceTypes[0].URI, Path: f.label + " → " + f.provider}
}

type env struct {
	t      testing.TB
	srv    *httptest.Server
	base   string // https://localhost:PORT
	vbase  string // https://jp-desk.localhost:PORT
	client *safehttp.Client
	store  *memStore
	iss    *fakeIssuer
	ver    *fakeVerifier
	wallet *wallet.Wallet
}

func newEnv(t testing.TB, opts ...wallet.Option) *env {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{entity(t, pki.RoleTLS, "localhost").TLSCertificate()}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	e := &env{t: t, srv: srv, base: "https://localhost:" + port, vbase: "https://jp-desk.localhost:" + port, store: newMemStore()}
	roots := x509.NewCertPool()
	roots.AddCert(entity(t, pki.RoleTLSCA, pki.TLSCAID).Certificate)
	var err error
	e.client, err = safehttp.New(safehttp.WithLoopbackInsecure(), safehttp.WithRootCAs(roots),
		safehttp.WithResolver(func(_ context.Context, host string) ([]netip.Addr, error) {
			if safehttp.IsLoopbackHost(host) {
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			}
			return nil, fmt.Errorf("unknown host %s", host)
		}))
	if err != nil {
		t.Fatal(err)
	}
	e.iss = newFakeIssuer(t, e.base)
	e.iss.register(mux)
	e.ver = newFakeVerifier(t, e.vbase)
	e.ver.register(mux)
	base := []wallet.Option{
		wallet.WithIssuerTrust(fakeTrust{anchors: []*x509.Certificate{entity(t, pki.RoleSealCA, "jp").Certificate}, label: "JP pilot list", provider: "Sakura Trust"},
			trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeEAAQ}}}),
		wallet.WithVerifierTrust(fakeTrust{anchors: []*x509.Certificate{entity(t, pki.RoleAccessCA, "jp").Certificate}, label: "JP pilot list", provider: "Sakura Trust"},
			trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: wrpacService}}}),
	}
	e.wallet = e.newWallet(append(base, opts...)...)
	return e
}

func (e *env) newWallet(opts ...wallet.Option) *wallet.Wallet {
	w, err := wallet.New(e.store, e.client, func() time.Time { return testNow }, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fakeIssuer is a spec-shaped OpenID4VCI 1.0 issuer built from the internal packages.
type fakeIssuer struct {
	t  testing.TB
	mu sync.Mutex
	id string
	// signer and chain sign the credentials (namingSeal).
	signer crypto.Signer
	chain  []*x509.Certificate

	configID         string
	txCode           string
	requireDPoPNonce bool
	// onCredential and onDeferred, when set, run as those endpoints are reached.
	// failCredentials answers that many credential requests 500 after checking them, as an
	// issuer whose response was lost after it recorded the credential; failedKeys are theirs.
	// wholeDegree discloses "degree" as one object instead of its members one by one.
	wholeDegree              bool
	failCredentials          int
	failedKeys               []crypto.PublicKey
	onCredential, onDeferred func()
	batchSize                int
	deferred                 bool
	ready                    bool
	wrongKey                 bool
	codeOnlyAS               bool // list an authorization-code-only server first
	tamper                   bool
	metadataIssuer           string
	offerRedirect            bool

	tokenCalls    int
	cNonce        string
	token         string
	jkt           string
	notifications []map[string]any
	pendingKeys   []crypto.PublicKey
	issuedKeys    []crypto.PublicKey
}

func newFakeIssuer(t testing.TB, base string) *fakeIssuer {
	f := &fakeIssuer{t: t, id: base + "/sakuragaoka", configID: "diploma"}
	f.signer, f.chain = namingSeal(t, f.id)
	return f
}

func (f *fakeIssuer) offerLink() string {
	return "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(strings.TrimSuffix(f.id, "/sakuragaoka")+"/offer/1")
}

func (f *fakeIssuer) offer() map[string]any {
	pre := map[string]any{"pre-authorized_code": "pac-1"}
	if f.txCode != "" {
		pre["tx_code"] = map[string]any{"input_mode": "numeric", "length": len(f.txCode), "description": "Code sent by e-mail"}
	}
	return map[string]any{"credential_issuer": f.id, "credential_configuration_ids": []string{f.configID},
		"grants": map[string]any{"urn:ietf:params:oauth:grant-type:pre-authorized_code": pre}}
}

func (f *fakeIssuer) register(mux *http.ServeMux) {
	mux.HandleFunc("GET /offer/1", func(w http.ResponseWriter, r *http.Request) {
		if f.offerRedirect {
			http.Redirect(w, r, "/offer/2", http.StatusFound)
			return
		}
		writeJSON(w, 200, f.offer())
	})
	mux.HandleFunc("GET /.well-known/openid-credential-issuer/sakuragaoka", func(w http.ResponseWriter, _ *http.Request) {
		iss := f.id
		if f.metadataIssuer != "" {
			iss = f.metadataIssuer
		}
		proof := map[string]any{"jwt": map[string]any{"proof_signing_alg_values_supported": []string{"ES256"}}}
		md := map[string]any{
			"credential_issuer": iss, "credential_endpoint": f.id + "/credential", "nonce_endpoint": f.id + "/nonce",
			"deferred_credential_endpoint": f.id + "/deferred", "notification_endpoint": f.id + "/notification",
			"display": []any{map[string]any{"name": "Sakuragaoka University", "locale": "en"}, map[string]any{"name": "桜ヶ丘大学", "locale": "ja"}},
			"credential_configurations_supported": map[string]any{
				"diploma": map[string]any{"format": "dc+sd-jwt", "scope": "diploma", "vct": academic.VCTHashiDiploma,
					"cryptographic_binding_methods_supported": []string{"jwk"}, "proof_types_supported": proof},
				"diploma_jwt": map[string]any{"format": "jwt_vc_json", "scope": "diploma_jwt",
					"credential_definition":                   map[string]any{"type": []string{"VerifiableCredential", "UniversityDegreeCredential"}},
					"cryptographic_binding_methods_supported": []string{"jwk"}, "proof_types_supported": proof},
				"mdl": map[string]any{"format": "mso_mdoc", "doctype": "org.iso.18013.5.1.mDL", "credential_signing_alg_values_supported": []int{-7}},
			},
		}
		if f.batchSize >= 2 {
			md["batch_credential_issuance"] = map[string]any{"batch_size": f.batchSize}
		}
		if f.codeOnlyAS {
			md["authorization_servers"] = []string{strings.TrimSuffix(f.id, "/sakuragaoka") + "/sso", f.id}
		}
		writeJSON(w, 200, md)
	})
	mux.HandleFunc("GET /.well-known/oauth-authorization-server/sakuragaoka", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"issuer": f.id, "token_endpoint": f.id + "/token", "dpop_signing_alg_values_supported": []string{"ES256"},
			"pre-authorized_grant_anonymous_access_supported": true})
	})
	// An authorization server for the authorization code grant only, listed first when
	// codeOnlyAS: the wallet must pass it over.
	mux.HandleFunc("GET /.well-known/oauth-authorization-server/sso", func(w http.ResponseWriter, _ *http.Request) {
		sso := strings.TrimSuffix(f.id, "/sakuragaoka") + "/sso"
		writeJSON(w, 200, map[string]any{"issuer": sso, "token_endpoint": sso + "/token", "grant_types_supported": []string{"authorization_code"}})
	})
	mux.HandleFunc("POST /sakuragaoka/token", f.handleToken)
	mux.HandleFunc("POST /sakuragaoka/nonce", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		f.cNonce = fmt.Sprintf("cn-%d", time.Now().UnixNano())
		n := f.cNonce
		f.mu.Unlock()
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, 200, map[string]any{"c_nonce": n})
	})
	mux.HandleFunc("POST /sakuragaoka/credential", f.handleCredential)
	mux.HandleFunc("POST /sakuragaoka/deferred", f.handleDeferred)
	mux.HandleFunc("POST /sakuragaoka/notification", func(w http.ResponseWriter, r *http.Request) {
		if !f.authorized(w, r, "/notification") {
			return
		}
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		f.mu.Lock()
		f.notifications = append(f.notifications, m)
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
}

func (f *fakeIssuer) dpopPolicy(bound string) dpop.Policy {
	p := dpop.Policy{Now: testNow, BoundJKT: bound}
	if f.requireDPoPNonce {
		p.ExpectedNonce = "dn-1"
	}
	return p
}

func (f *fakeIssuer) handleToken(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenCalls++
	proof, err := dpop.VerifyHeader(r.Header.Values("DPoP"), dpop.Request{Method: "POST", URL: f.id + "/token"}, f.dpopPolicy(""))
	if err != nil {
		if dpop.OAuthError(err) == dpop.OAuthUseDPoPNonce {
			w.Header().Set("DPoP-Nonce", "dn-1")
		}
		writeJSON(w, 400, map[string]any{"error": dpop.OAuthError(err)})
		return
	}
	if r.PostFormValue("grant_type") != wallet.GrantPreAuthorizedCode || r.PostFormValue("pre-authorized_code") != "pac-1" {
		writeJSON(w, 400, map[string]any{"error": "invalid_grant"})
		return
	}
	if _, sent := r.PostForm["tx_code"]; sent != (f.txCode != "") {
		writeJSON(w, 400, map[string]any{"error": "invalid_request"})
		return
	}
	if r.PostFormValue("tx_code") != f.txCode {
		writeJSON(w, 400, map[string]any{"error": "invalid_grant"})
		return
	}
	f.jkt, f.token = proof.JKT, "at-"+proof.JKT
	writeJSON(w, 200, map[string]any{"access_token": f.token, "token_type": "DPoP", "expires_in": 3600})
}

func (f *fakeIssuer) authorized(w http.ResponseWriter, r *http.Request, path string) bool {
	f.mu.Lock()
	token, jkt := f.token, f.jkt
	f.mu.Unlock()
	if token == "" || r.Header.Get("Authorization") != "DPoP "+token {
		writeJSON(w, 401, map[string]any{"error": "invalid_token"})
		return false
	}
	if _, err := dpop.VerifyHeader(r.Header.Values("DPoP"), dpop.Request{Method: "POST", URL: f.id + path, AccessToken: token}, f.dpopPolicy(jkt)); err != nil {
		if dpop.OAuthError(err) == dpop.OAuthUseDPoPNonce {
			w.Header().Set("DPoP-Nonce", "dn-1")
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
		}
		writeJSON(w, 401, map[string]any{"error": dpop.OAuthError(err)})
		return false
	}
	return true
}

func (f *fakeIssuer) handleCredential(w http.ResponseWriter, r *http.Request) {
	if f.onCredential != nil {
		f.onCredential()
	}
	if !f.authorized(w, r, "/credential") {
		return
	}
	var req struct {
		CredentialConfigurationID string              `json:"credential_configuration_id"`
		Proofs                    map[string][]string `json:"proofs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.CredentialConfigurationID != f.configID || len(req.Proofs["jwt"]) == 0 {
		writeJSON(w, 400, map[string]any{"error": "invalid_credential_request"})
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(req.Proofs["jwt"]) > max(f.batchSize, 1) {
		writeJSON(w, 400, map[string]any{"error": "invalid_proof"})
		return
	}
	var keys []crypto.PublicKey
	for _, p := range req.Proofs["jwt"] {
		k, err := f.checkProof(p)
		if err != nil {
			writeJSON(w, 400, map[string]any{"error": "invalid_proof", "error_description": err.Error()})
			return
		}
		keys = append(keys, k)
	}
	if f.deferred {
		f.pendingKeys = keys
		writeJSON(w, 202, map[string]any{"transaction_id": "tx-1", "interval": 5})
		return
	}
	if f.failCredentials > 0 {
		f.failCredentials--
		f.failedKeys = append(f.failedKeys, keys...)
		writeJSON(w, 500, map[string]any{"error": "server_error"})
		return
	}
	writeJSON(w, 200, f.issueAll(keys))
}

func (f *fakeIssuer) handleDeferred(w http.ResponseWriter, r *http.Request) {
	if f.onDeferred != nil {
		f.onDeferred()
	}
	if !f.authorized(w, r, "/deferred") {
		return
	}
	var req struct {
		TransactionID string `json:"transaction_id"`
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if json.NewDecoder(r.Body).Decode(&req) != nil || req.TransactionID != "tx-1" || f.pendingKeys == nil {
		writeJSON(w, 400, map[string]any{"error": "invalid_transaction_id"})
		return
	}
	if !f.ready {
		writeJSON(w, 202, map[string]any{"transaction_id": "tx-1", "interval": 60})
		return
	}
	keys := f.pendingKeys
	f.pendingKeys = nil
	writeJSON(w, 200, f.issueAll(keys))
}

func (f *fakeIssuer) checkProof(p string) (crypto.PublicKey, error) {
	jws, err := jose.Parse(p)
	if err != nil {
		return nil, err
	}
	if err := jws.CheckType("openid4vci-proof+jwt"); err != nil {
		return nil, err
	}
	key, err := jose.ParsePublicJWK(jws.Header.JWK)
	if err != nil {
		return nil, err
	}
	if err := jws.Verify(key, jose.ES256); err != nil {
		return nil, err
	}
	var c struct {
		Aud   string `json:"aud"`
		Nonce string `json:"nonce"`
		Iat   int64  `json:"iat"`
	}
	if err := json.Unmarshal(jws.Payload, &c); err != nil {
		return nil, err
	}
	if c.Aud != f.id || c.Nonce != f.cNonce || c.Iat != testNow.Unix() {
		return nil, fmt.Errorf("proof claims %+v", c)
	}
	return key, nil
}

func (f *fakeIssuer) issueAll(keys []crypto.PublicKey) map[string]any {
	var creds []any
	for _, k := range keys {
		if f.wrongKey {
			other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			k = other.Public()
		}
		f.issuedKeys = append(f.issuedKeys, k)
		creds = append(creds, map[string]any{"credential": f.issue(k)})
	}
	return map[string]any{"credentials": creds, "notification_id": "notif-1"}
}

func (f *fakeIssuer) issue(holder crypto.PublicKey) string {
	t := f.t
	if f.configID == "diploma_jwt" {
		s, err := jose.NewSigner(f.signer, vcjwt.IssuerHeader("", f.chain))
		if err != nil {
			t.Fatal(err)
		}
		cred := map[string]any{"@context": []any{vcjwt.ContextV1}, "type": []any{"VerifiableCredential", "UniversityDegreeCredential"},
			"issuer": f.id, "issuanceDate": testNow.Add(-time.Hour).Format(time.RFC3339),
			"credentialSubject": map[string]any{"given_name": "Hanako", "degree": map[string]any{"type": "master"}}}
		raw, err := vcjwt.Issue(s, cred, vcjwt.IssueOptions{IssuedAt: testNow.Add(-time.Hour), Confirmation: holder})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	is, err := sdjwt.NewVCIssuer(f.signer, jose.SignHeader{X5C: f.chain})
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := jose.PublicJWK(holder)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"iss": f.id, "vct": academic.VCTHashiDiploma, "iat": testNow.Add(-time.Hour).Unix(),
		"exp": testNow.Add(365 * 24 * time.Hour).Unix(), "cnf": map[string]any{"jwk": jwk},
		"given_name": "Hanako", "family_name": "Yamada", "birthdate": "2000-04-01",
		"degree": map[string]any{"type": "master", "award_date": "2026-03-20"}}
	disclosable := []sdjwt.Path{{"given_name"}, {"family_name"}, {"birthdate"}, {"degree", "type"}, {"degree", "award_date"}}
	if f.wholeDegree {
		disclosable = []sdjwt.Path{{"given_name"}, {"family_name"}, {"birthdate"}, {"degree"}}
	}
	sd, err := is.Issue(claims, disclosable)
	if err != nil {
		t.Fatal(err)
	}
	if f.tamper {
		jwt := sd[:strings.Index(sd, "~")]
		i := strings.LastIndex(jwt, ".") + 10
		c := byte('A')
		if jwt[i] == 'A' {
			c = 'B'
		}
		sd = jwt[:i] + string(c) + sd[i+1:]
	}
	return sd
}

// fakeVerifier is a spec-shaped OpenID4VP 1.0 verifier built from the internal packages.
type fakeVerifier struct {
	t    testing.TB
	mu   sync.Mutex
	base string
	// signer and chain sign the request objects: the jp-desk access entity by default.
	signer crypto.Signer
	chain  []*x509.Certificate
	encKey *ecdsa.PrivateKey

	clientID        string
	responseMode    string
	query           map[string]any
	typ             string
	tamper          bool
	redirect        bool
	dropWalletNonce bool
	mutate          func(map[string]any)
	replyStatus     int

	walletNonces []string
	walletMeta   []string
	posts        []url.Values
	decrypted    [][]byte
	jweHeaders   []*jose.JWEHeader
}

const testNonce = "n-0S6_WzA2Mj-hashi-test"

func newFakeVerifier(t testing.TB, base string) *fakeVerifier {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	access := entity(t, pki.RoleAccess, "jp-desk")
	return &fakeVerifier{t: t, base: base, signer: access.Signer(), chain: access.Chain, encKey: k, clientID: "x509_hash:" + access.Info.X509Hash,
		responseMode: wallet.ResponseModeDirectPostJWT, typ: wallet.RequestObjectType, query: diplomaQuery(), replyStatus: 200}
}

func diplomaQuery() map[string]any {
	return map[string]any{"credentials": []any{map[string]any{
		"id": "diploma", "format": "dc+sd-jwt", "meta": map[string]any{"vct_values": []string{academic.VCTHashiDiploma}},
		"claims": []any{map[string]any{"path": []any{"family_name"}}, map[string]any{"path": []any{"degree", "type"}}},
	}}}
}

func (f *fakeVerifier) link(method string) string {
	q := url.Values{"client_id": {f.clientID}, "request_uri": {f.base + "/req/1"}}
	if method != "" {
		q.Set("request_uri_method", method)
	}
	return "openid4vp://?" + q.Encode()
}

func (f *fakeVerifier) payload() map[string]any {
	jwk, err := jose.PublicJWK(f.encKey.Public())
	if err != nil {
		f.t.Fatal(err)
	}
	jwk["kid"], jwk["use"], jwk["alg"] = "ac", "enc", "ECDH-ES"
	return map[string]any{
		"client_id": f.clientID, "response_type": "vp_token", "response_mode": f.responseMode,
		"response_uri": f.base + "/post", "nonce": testNonce, "state": "state-1", "dcql_query": f.query,
		"aud": "https://self-issued.me/v2",
		"client_metadata": map[string]any{"jwks": map[string]any{"keys": []any{jwk}},
			"encrypted_response_enc_values_supported": []string{"A128GCM", "A256GCM"},
			"vp_formats_supported":                    map[string]any{"dc+sd-jwt": map[string]any{"sd-jwt_alg_values": []string{"ES256"}, "kb-jwt_alg_values": []string{"ES256"}}}},
	}
}

func (f *fakeVerifier) requestObject(walletNonce string) string {
	p := f.payload()
	if walletNonce != "" && !f.dropWalletNonce {
		p["wallet_nonce"] = walletNonce
	}
	if f.mutate != nil {
		f.mutate(p)
	}
	b, _ := json.Marshal(p)
	jwt, err := jose.Sign(f.signer, jose.SignHeader{Typ: f.typ, X5C: f.chain}, b)
	if err != nil {
		f.t.Fatal(err)
	}
	if f.tamper {
		p["nonce"] = "attacker-nonce"
		b, _ := json.Marshal(p)
		parts := strings.Split(jwt, ".")
		jwt = parts[0] + "." + b64(b) + "." + parts[2]
	}
	return jwt
}

func (f *fakeVerifier) register(mux *http.ServeMux) {
	serve := func(w http.ResponseWriter, r *http.Request) {
		if f.redirect {
			http.Redirect(w, r, "https://10.0.0.1/req", http.StatusFound)
			return
		}
		wn := ""
		if r.Method == http.MethodPost {
			wn = r.PostFormValue("wallet_nonce")
			f.mu.Lock()
			f.walletNonces = append(f.walletNonces, wn)
			f.walletMeta = append(f.walletMeta, r.PostFormValue("wallet_metadata"))
			f.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/oauth-authz-req+jwt")
		_, _ = w.Write([]byte(f.requestObject(wn)))
	}
	mux.HandleFunc("GET /req/1", serve)
	mux.HandleFunc("POST /req/1", serve)
	mux.HandleFunc("POST /post", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(400)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.posts = append(f.posts, r.PostForm)
		if jwe := r.PostForm.Get("response"); jwe != "" {
			pt, h, err := jose.DecryptECDHES(jwe, f.encKey, jose.A128GCM, jose.A256GCM)
			if err != nil {
				writeJSON(w, 400, map[string]any{"error": "invalid_request"})
				return
			}
			f.decrypted = append(f.decrypted, pt)
			f.jweHeaders = append(f.jweHeaders, h)
		}
		if f.replyStatus != 200 {
			writeJSON(w, f.replyStatus, map[string]any{"error": "invalid_request"})
			return
		}
		writeJSON(w, 200, map[string]any{"redirect_uri": f.base + "/done#response_code=rc-1"})
	})
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

type (
	trustPolicy = trustlist.Policy
	trustRule   = trustlist.ServiceTypeRule
)

func rootsOf(t testing.TB) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(entity(t, pki.RoleAccessCA, "jp").Certificate)
	return p
}

// namingSeal is the sakuragaoka seal, with its key, re-issued by its seal CA to name the
// fake issuer's identifier id (known only once the server listens): a wallet refuses a
// credential whose certificate does not name the issuer it came from.
func namingSeal(t testing.TB, id string) (crypto.Signer, []*x509.Certificate) {
	t.Helper()
	seal, ca := entity(t, pki.RoleSeal, "sakuragaoka"), entity(t, pki.RoleSealCA, "jp")
	u, err := url.Parse(id)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := *seal.Certificate
	tmpl.URIs, tmpl.SerialNumber = []*url.URL{u}, big.NewInt(time.Now().UnixNano())
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, ca.Certificate, seal.Certificate.PublicKey, ca.Signer())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return seal.Signer(), []*x509.Certificate{cert}
}
