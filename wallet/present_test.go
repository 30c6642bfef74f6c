package wallet_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/vcjwt"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/internal/wallettest"
)

// receive stores one credential of configuration configID and returns it.
func receive(t *testing.T, e *env, configID string) wallet.Credential {
	t.Helper()
	e.iss.ConfigID = configID
	o, err := e.wallet.ParseOffer(t.Context(), e.iss.OfferLink())
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.wallet.Receive(t.Context(), owner, o, "")
	if err != nil {
		t.Fatal(err)
	}
	return r.Credentials[0]
}

func TestPresent(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(e *env)
		method string
		check  func(t *testing.T, e *env, vpToken map[string][]string)
	}{
		{name: "ok/x509_hash, request_uri post, direct_post.jwt", method: "post", check: func(t *testing.T, e *env, _ map[string][]string) {
			if len(e.ver.WalletNonces) != 1 || e.ver.WalletNonces[0] == "" {
				t.Errorf("wallet_nonce = %v", e.ver.WalletNonces)
			}
			var md map[string]any
			if err := json.Unmarshal([]byte(e.ver.WalletMeta[0]), &md); err != nil || md["vp_formats_supported"] == nil {
				t.Errorf("wallet_metadata = %s", e.ver.WalletMeta[0])
			}
			if h := e.ver.JWEHeaders[0]; h.Alg != "ECDH-ES" || h.Enc != "A256GCM" || h.Kid != "ac" {
				t.Errorf("JWE header = %+v", h)
			}
		}},
		{name: "ok/x509_san_dns, request_uri get, direct_post", setup: func(e *env) {
			e.ver.ClientID, e.ver.ResponseMode = "x509_san_dns:jp-desk.localhost", wallet.ResponseModeDirectPost
		}},
		{name: "ok/request by value", setup: func(e *env) { e.ver.ResponseMode = wallet.ResponseModeDirectPost }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			cred := receive(t, e, "diploma")
			if tt.setup != nil {
				tt.setup(e)
			}
			link := e.ver.Link(tt.method)
			if strings.Contains(tt.name, "by value") {
				link = "openid4vp://?client_id=" + e.ver.ClientID + "&request=" + e.ver.RequestObject("")
			}
			req, err := e.wallet.ParseRequest(t.Context(), link)
			if err != nil {
				t.Fatal(err)
			}
			if !req.Signed || req.ClientID != e.ver.ClientID || req.Verifier.Name.In("en") == "" || !req.Verifier.Trust.Trusted ||
				!strings.Contains(req.Verifier.Trust.Message("en"), "Sakura Trust") {
				t.Fatalf("request = %+v", req)
			}
			consent, err := e.wallet.Match(t.Context(), owner, req)
			if err != nil {
				t.Fatal(err)
			}
			if !consent.Satisfiable || len(consent.Queries) != 1 || len(consent.Queries[0].Candidates) != 1 {
				t.Fatalf("consent = %+v", consent)
			}
			cand := consent.Queries[0].Candidates[0]
			var paths []string
			for _, c := range cand.Claims {
				paths = append(paths, c.PathJSON)
			}
			if !slices.Equal(paths, []string{`["family_name"]`, `["degree","type"]`}) || cand.Claims[0].Label["ja"] == "" || cand.Claims[0].Value != "Yamada" {
				t.Fatalf("claims = %+v", cand.Claims)
			}
			if !slices.Contains(cand.AlwaysDisclosed, "vct") || slices.Contains(cand.AlwaysDisclosed, "given_name") {
				t.Errorf("always disclosed = %v", cand.AlwaysDisclosed)
			}
			if consent.Default["diploma"][0] != cred.ID {
				t.Fatalf("default = %v", consent.Default)
			}
			res, err := e.wallet.Present(t.Context(), owner, req, consent.Default)
			if err != nil {
				t.Fatal(err)
			}
			if res.RedirectURI != e.ver.Base+"/done#response_code=rc-1" {
				t.Errorf("redirect = %q", res.RedirectURI)
			}
			vpToken := receivedVPToken(t, e)
			pres := vpToken["diploma"]
			if len(vpToken) != 1 || len(pres) != 1 {
				t.Fatalf("vp_token = %v", vpToken)
			}
			vc := verifyPresentation(t, pres[0], req.ClientID)
			disclosed := map[string]bool{}
			for _, d := range vc.Disclosures {
				disclosed[d.Path.String()] = true
			}
			if len(disclosed) != 2 || !disclosed[`["family_name"]`] || !disclosed[`["degree","type"]`] {
				t.Fatalf("disclosed = %v", disclosed)
			}
			if _, ok := vc.Claims["given_name"]; ok {
				t.Fatal("given_name disclosed")
			}
			hist, _ := e.store.Presentations(t.Context(), owner)
			if len(hist) != 1 || hist[0].Outcome != wallet.OutcomeSent || hist[0].ClientID != req.ClientID ||
				len(hist[0].Credentials) != 1 || !slices.Equal(hist[0].Credentials[0].Claims, paths) {
				t.Fatalf("history = %+v", hist)
			}
			if tt.check != nil {
				tt.check(t, e, vpToken)
			}
		})
	}
}

// receivedVPToken returns the vp_token the verifier received, checking for direct_post.jwt
// that the decrypted payload is exactly {vp_token, state}.
func receivedVPToken(t *testing.T, e *env) map[string][]string {
	t.Helper()
	if len(e.ver.Posts) != 1 {
		t.Fatalf("%d posts", len(e.ver.Posts))
	}
	form := e.ver.Posts[0]
	var raw string
	if len(e.ver.Decrypted) == 1 {
		if len(form) != 1 || form.Get("response") == "" {
			t.Fatalf("direct_post.jwt form = %v", form)
		}
		var payload map[string]json.RawMessage
		if err := json.Unmarshal(e.ver.Decrypted[0], &payload); err != nil {
			t.Fatal(err)
		}
		if len(payload) != 2 || string(payload["state"]) != `"state-1"` {
			t.Fatalf("payload = %s", e.ver.Decrypted[0])
		}
		raw = string(payload["vp_token"])
	} else {
		if len(form) != 2 || form.Get("state") != "state-1" {
			t.Fatalf("direct_post form = %v", form)
		}
		raw = form.Get("vp_token")
	}
	var vp map[string][]string
	if err := json.Unmarshal([]byte(raw), &vp); err != nil {
		t.Fatal(err)
	}
	return vp
}

func verifyPresentation(t *testing.T, pres, aud string) *sdjwt.Credential {
	t.Helper()
	u, err := sdjwt.ParseUnverified(pres)
	if err != nil {
		t.Fatal(err)
	}
	vc, err := u.VerifyVC(t.Context(), sdjwt.VCPolicy{
		Policy:     sdjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, Nonce: wallettest.Nonce, Audience: aud, Now: testNow},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C},
	})
	if err != nil {
		t.Fatal(err)
	}
	if vc.KeyBinding == nil || vc.KeyBinding.Audience != aud || vc.KeyBinding.Nonce != wallettest.Nonce {
		t.Fatalf("kb = %+v", vc.KeyBinding)
	}
	return vc
}

func TestPresentJWTVC(t *testing.T) {
	e := newEnv(t)
	cred := receive(t, e, "diploma_jwt")
	e.ver.Query = map[string]any{"credentials": []any{map[string]any{"id": "degree", "format": "jwt_vc_json",
		"meta":   map[string]any{"type_values": []any{[]any{"UniversityDegreeCredential"}}},
		"claims": []any{map[string]any{"path": []any{"credentialSubject", "degree", "type"}}}}}}
	req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
	if err != nil {
		t.Fatal(err)
	}
	consent, err := e.wallet.Match(t.Context(), owner, req)
	if err != nil {
		t.Fatal(err)
	}
	if !consent.Satisfiable || !consent.Queries[0].Candidates[0].WholeCredential {
		t.Fatalf("consent = %+v", consent)
	}
	if _, err := e.wallet.Present(t.Context(), owner, req, wallet.Choice{"degree": {cred.ID}}); err != nil {
		t.Fatal(err)
	}
	vp := receivedVPToken(t, e)["degree"]
	sealCA := x509.NewCertPool()
	sealCA.AddCert(entity(t, pki.RoleSealCA, "jp").Certificate)
	r, err := vcjwt.VerifyPresentation(vp[0], vcjwt.PresentationPolicy{Now: testNow, Audience: req.ClientID, Nonce: wallettest.Nonce,
		Algorithms: []jose.Algorithm{jose.ES256}, Credential: vcjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, AllowX5C: true}})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Credentials) != 1 || r.Credentials[0].Raw != string(cred.Raw) {
		t.Fatalf("presentation = %+v", r)
	}
}

// TestPresentUnboundJWTVC: a jwt_vc_json credential issued without holder binding, asked for
// without it, is offered and can be sent: the VP JWT is signed with a key of that
// presentation only.
func TestPresentUnboundJWTVC(t *testing.T) {
	e := newEnv(t)
	e.iss.ConfigID = "diploma_jwt"
	raw := e.iss.Issue(nil)
	if err := e.store.SaveCredentials(t.Context(), owner, []wallet.Credential{{ID: "unbound", Owner: owner, Format: wallet.FormatJWTVCJSON,
		Issuer: e.iss.ID, ConfigurationID: "diploma_jwt", Types: []string{"VerifiableCredential", "UniversityDegreeCredential"},
		Raw: wallet.Secret(raw), ReceivedAt: testNow}}, ""); err != nil {
		t.Fatal(err)
	}
	e.ver.Query = map[string]any{"credentials": []any{map[string]any{"id": "degree", "format": "jwt_vc_json", "require_cryptographic_holder_binding": false,
		"meta": map[string]any{"type_values": []any{[]any{"UniversityDegreeCredential"}}}}}}
	req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
	if err != nil {
		t.Fatal(err)
	}
	if consent, err := e.wallet.Match(t.Context(), owner, req); err != nil || !consent.Satisfiable {
		t.Fatalf("consent = %+v, %v", consent, err)
	}
	if _, err := e.wallet.Present(t.Context(), owner, req, wallet.Choice{"degree": {"unbound"}}); err != nil {
		t.Fatal(err)
	}
	vp := receivedVPToken(t, e)["degree"]
	r, err := vcjwt.VerifyPresentation(vp[0], vcjwt.PresentationPolicy{Now: testNow, Audience: req.ClientID, Nonce: wallettest.Nonce,
		Algorithms: []jose.Algorithm{jose.ES256}, Credential: vcjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, AllowX5C: true},
		SkipHolderBindingUnsafe: true})
	if err != nil || len(r.Credentials) != 1 || r.Credentials[0].Raw != raw {
		t.Fatalf("presentation = %+v, %v", r, err)
	}
}

// TestParseRequestChecks: what ParseRequest refuses, with its code, and what it must still accept.
func TestParseRequestChecks(t *testing.T) {
	selfSignedCert, selfSignedKey := selfSignedAccess(t)
	selfSignedPool := x509.NewCertPool()
	selfSignedPool.AddCert(selfSignedCert)
	tests := []struct {
		name     string
		setup    func(e *env)
		link     func(e *env) string
		opts     []wallet.Option
		wantCode wallet.Code
		wantHTTP safehttp.Code
	}{
		{name: "fail/tampered request object", setup: func(e *env) { e.ver.Tamper = true }, wantCode: wallet.CodeInvalidRequestObject},
		{name: "fail/wrong typ", setup: func(e *env) { e.ver.Typ = "JWT" }, wantCode: wallet.CodeInvalidRequestObject},
		{name: "fail/x509_hash of another certificate", wantCode: wallet.CodeClientIDMismatch,
			setup: func(e *env) { e.ver.ClientID = "x509_hash:" + entity(t, pki.RoleAccess, "eu-desk").Info.X509Hash }},
		{name: "fail/x509_san_dns not in the certificate", wantCode: wallet.CodeClientIDMismatch,
			setup: func(e *env) { e.ver.ClientID = "x509_san_dns:eu-desk.localhost" }},
		{name: "fail/x509_san_dns with response_uri elsewhere", wantCode: wallet.CodeClientIDMismatch, setup: func(e *env) {
			e.ver.ClientID = "x509_san_dns:jp-desk.localhost"
			e.ver.Mutate = func(p map[string]any) {
				p["response_uri"] = strings.Replace(e.ver.Base, "jp-desk", "eu-desk", 1) + "/post"
			}
		}},
		{name: "fail/no state with a credential asked without holder binding", wantCode: wallet.CodeInvalidRequest, setup: func(e *env) {
			e.ver.Mutate = func(p map[string]any) {
				delete(p, "state")
				q := wallettest.DiplomaQuery()
				q["credentials"].([]any)[0].(map[string]any)["require_cryptographic_holder_binding"] = false
				p["dcql_query"] = q
			}
		}},
		{name: "fail/client_id claim differs from the link", wantCode: wallet.CodeClientIDMismatch, setup: func(e *env) {
			e.ver.Mutate = func(p map[string]any) { p["client_id"] = "x509_san_dns:jp-desk.localhost" }
		}},
		{name: "fail/unsupported prefix", wantCode: wallet.CodeUnsupportedClientID, setup: func(e *env) {
			e.ver.ClientID = "decentralized_identifier:did:example:123"
		}},
		// A self-signed access certificate without the CA flag (crypto/x509's
		// CheckSignatureFrom does not see those), even one the wallet's roots contain.
		{name: "fail/self-signed end-entity access certificate", wantCode: wallet.CodeUntrustedVerifier,
			opts: []wallet.Option{wallet.WithVerifierRoots(selfSignedPool)}, setup: func(e *env) {
				e.ver.Signer, e.ver.Chain = selfSignedKey, []*x509.Certificate{selfSignedCert}
				e.ver.ClientID = "x509_san_dns:" + selfSignedCert.DNSNames[0]
			}},
		{name: "fail/untrusted chain", wantCode: wallet.CodeUntrustedVerifier,
			opts: []wallet.Option{wallet.WithVerifierTrust(wallettest.FakeTrust{Label: "x"}, accessPolicy())}},
		{name: "fail/wallet_nonce not echoed", link: func(e *env) string { return e.ver.Link("post") },
			setup: func(e *env) { e.ver.DropWalletNonce = true }, wantCode: wallet.CodeInvalidRequestObject},
		{name: "fail/bad request_uri_method", link: func(e *env) string { return e.ver.Link("put") }, wantCode: wallet.CodeInvalidRequestURIMethod},
		{name: "fail/request_uri redirects", setup: func(e *env) { e.ver.Redirect = true }, wantCode: wallet.CodeUnreachable, wantHTTP: safehttp.CodeRedirectRefused},
		{name: "fail/request_uri on a private address", wantCode: wallet.CodeBlockedURL, wantHTTP: safehttp.CodeBlockedAddress,
			link: func(*env) string {
				return "openid4vp://?client_id=x509_hash:abc&request_uri=https%3A%2F%2F192.168.0.5%2Freq"
			}},
		{name: "fail/response_uri on a private address", wantCode: wallet.CodeBlockedURL, setup: func(e *env) {
			e.ver.Mutate = func(p map[string]any) { p["response_uri"] = "https://172.16.0.1/post" }
		}},
		{name: "fail/redirect_uri prefix with request_uri", wantCode: wallet.CodeInvalidRequest,
			link: func(e *env) string {
				return "openid4vp://?client_id=redirect_uri:x&request_uri=" + e.ver.Base + "/req/1"
			}},
		{name: "fail/unsigned request with x509_hash prefix", wantCode: wallet.CodeInvalidRequest, link: func(e *env) string {
			return "openid4vp://?client_id=x509_hash:abc&response_type=vp_token&response_mode=direct_post&response_uri=" + e.ver.Base +
				"/post&nonce=n&state=s&dcql_query=" + url.QueryEscape(wallettest.MustJSON(wallettest.DiplomaQuery()))
		}},
		{name: "fail/unsigned request with response_uri not the client id", wantCode: wallet.CodeInvalidRequest, link: func(e *env) string {
			return "openid4vp://?client_id=redirect_uri:" + e.ver.Base + "/other&response_type=vp_token&response_mode=direct_post&response_uri=" + e.ver.Base +
				"/post&nonce=n&state=s&dcql_query=" + url.QueryEscape(wallettest.MustJSON(wallettest.DiplomaQuery()))
		}},
		{name: "fail/fragment response mode", wantCode: wallet.CodeUnsupportedResponseMode,
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["response_mode"] = "fragment" } }},
		{name: "fail/no nonce", wantCode: wallet.CodeInvalidRequest, setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { delete(p, "nonce") } }},
		{name: "fail/invalid dcql", wantCode: wallet.CodeInvalidRequest,
			setup: func(e *env) {
				e.ver.Mutate = func(p map[string]any) { p["dcql_query"] = map[string]any{"credentials": []any{}} }
			}},
		{name: "fail/transaction_data", wantCode: wallet.CodeUnsupportedTransactionData,
			setup: func(e *env) {
				e.ver.Mutate = func(p map[string]any) { p["transaction_data"] = []string{"eyJ0eXBlIjoieCJ9"} }
			}},
		{name: "fail/no encryption key for direct_post.jwt", wantCode: wallet.CodeInvalidRequest, setup: func(e *env) {
			e.ver.Mutate = func(p map[string]any) { p["client_metadata"] = map[string]any{"jwks": map[string]any{"keys": []any{}}} }
		}},
		{name: "fail/expired request object", wantCode: wallet.CodeInvalidRequestObject,
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["exp"] = testNow.Unix() } }},
		{name: "fail/request object valid only in a far future", wantCode: wallet.CodeInvalidRequestObject,
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["nbf"] = 1e300 } }},
		{name: "fail/request object not yet valid", wantCode: wallet.CodeInvalidRequestObject,
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["nbf"] = testNow.Add(time.Hour).Unix() } }},
		{name: "fail/request object issued in the future", wantCode: wallet.CodeInvalidRequestObject,
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["iat"] = testNow.Add(time.Hour).Unix() } }},
		{name: "ok/request object issued within the clock skew",
			setup: func(e *env) {
				e.ver.Mutate = func(p map[string]any) { p["iat"] = testNow.Add(30 * time.Second).Unix() }
			}},
		{name: "fail/request object for another wallet", wantCode: wallet.CodeInvalidRequestObject,
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["aud"] = "https://other-wallet.example" } }},
		{name: "fail/request object aud not a string", wantCode: wallet.CodeInvalidRequestObject,
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["aud"] = 7 } }},
		{name: "ok/request object without aud (RFC 9101 does not require it)",
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { delete(p, "aud") } }},
		{name: "ok/request object aud as an array",
			setup: func(e *env) {
				e.ver.Mutate = func(p map[string]any) { p["aud"] = []string{"https://other.example", wallet.RequestObjectAudience} }
			}},
		{name: "ok/request object whose aud is its own request_uri (as @openid4vc/openid4vp sets it)",
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["aud"] = e.ver.Base + "/req/1" } }},
		{name: "ok/request object for the wallet's own issuer", opts: []wallet.Option{wallet.WithWalletIssuer("https://wallet.example")},
			setup: func(e *env) { e.ver.Mutate = func(p map[string]any) { p["aud"] = "https://wallet.example" } }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			if tt.setup != nil {
				tt.setup(e)
			}
			link := e.ver.Link("")
			if tt.link != nil {
				link = tt.link(e)
			}
			_, err := e.wallet.ParseRequest(t.Context(), link)
			if got := wallet.CodeOf(err); got != tt.wantCode {
				t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
			}
			if tt.wantHTTP != "" && safehttp.CodeOf(err) != tt.wantHTTP {
				t.Fatalf("safehttp code = %q", safehttp.CodeOf(err))
			}
			if len(e.ver.Posts) != 0 {
				t.Fatal("something was posted to the verifier")
			}
		})
	}
}

func TestUnsignedRedirectURIRequest(t *testing.T) {
	e := newEnv(t)
	receive(t, e, "diploma")
	link := "openid4vp://?client_id=redirect_uri:" + e.ver.Base + "/post&response_type=vp_token&response_mode=direct_post&nonce=" + wallettest.Nonce +
		"&state=state-1&dcql_query=" + url.QueryEscape(wallettest.MustJSON(wallettest.DiplomaQuery()))
	req, err := e.wallet.ParseRequest(t.Context(), link)
	if err != nil {
		t.Fatal(err)
	}
	if req.Signed || req.ResponseURI != e.ver.Base+"/post" || req.Verifier.Trust.Checked {
		t.Fatalf("request = %+v", req)
	}
	consent, err := e.wallet.Match(t.Context(), owner, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wallet.Present(t.Context(), owner, req, consent.Default); err != nil {
		t.Fatal(err)
	}
	verifyPresentation(t, receivedVPToken(t, e)["diploma"][0], req.ClientID)
}

func TestUnsatisfiableDeclines(t *testing.T) {
	for _, mode := range []string{wallet.ResponseModeDirectPost, wallet.ResponseModeDirectPostJWT} {
		t.Run("ok/"+mode, func(t *testing.T) {
			e := newEnv(t)
			receive(t, e, "diploma")
			e.ver.ResponseMode = mode
			e.ver.Query = map[string]any{"credentials": []any{map[string]any{"id": "pid", "format": "dc+sd-jwt",
				"meta": map[string]any{"vct_values": []string{"urn:eudi:pid:1"}}}}}
			req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
			if err != nil {
				t.Fatal(err)
			}
			consent, err := e.wallet.Match(t.Context(), owner, req)
			if err != nil || consent.Satisfiable || consent.Default != nil {
				t.Fatalf("consent = %+v, %v", consent, err)
			}
			if _, err := e.wallet.Present(t.Context(), owner, req, wallet.Choice{}); !errors.Is(err, wallet.ErrUnsatisfiable) {
				t.Fatalf("Present = %v", err)
			} else if we, _ := errors.AsType[*wallet.Error](err); we.OAuth != "access_denied" {
				t.Fatalf("oauth = %q", we.OAuth)
			}
			res, err := e.wallet.Decline(t.Context(), owner, req)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			if mode == wallet.ResponseModeDirectPostJWT {
				if err := json.Unmarshal(e.ver.Decrypted[0], &got); err != nil {
					t.Fatal(err)
				}
			} else {
				for k := range e.ver.Posts[0] {
					got[k] = e.ver.Posts[0].Get(k)
				}
			}
			if len(got) != 2 || got["error"] != "access_denied" || got["state"] != "state-1" {
				t.Fatalf("posted = %v", got)
			}
			if res.Record.Outcome != wallet.OutcomeDeclined || len(res.Record.Credentials) != 0 {
				t.Fatalf("record = %+v", res.Record)
			}
		})
	}
}

func TestPresentChoice(t *testing.T) {
	e := newEnv(t)
	cred := receive(t, e, "diploma")
	jwtCred := receive(t, e, "diploma_jwt")
	e.ver.ResponseMode = wallet.ResponseModeDirectPost
	req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]wallet.Choice{
		"fail/empty":                {},
		"fail/unknown query":        {"diploma": {cred.ID}, "other": {cred.ID}},
		"fail/not a candidate":      {"diploma": {jwtCred.ID}},
		"fail/unknown credential":   {"diploma": {"nope"}},
		"fail/two without multiple": {"diploma": {cred.ID, cred.ID}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := e.wallet.Present(t.Context(), owner, req, c); wallet.CodeOf(err) != wallet.CodeInvalidChoice {
				t.Fatalf("err = %v", err)
			}
		})
	}
	if len(e.ver.Posts) != 0 {
		t.Fatal("posted despite invalid choices")
	}
	t.Run("fail/verifier rejects", func(t *testing.T) {
		e.ver.ReplyStatus = 400
		_, err := e.wallet.Present(t.Context(), owner, req, wallet.Choice{"diploma": {cred.ID}})
		if wallet.CodeOf(err) != wallet.CodeResponseRejected {
			t.Fatalf("err = %v", err)
		}
		hist, _ := e.store.Presentations(t.Context(), owner)
		if len(hist) != 1 || hist[0].Outcome != wallet.OutcomeRejected || hist[0].Error != "invalid_request" {
			t.Fatalf("history = %+v", hist)
		}
	})
}

// TestUndeliveredDecline: a decline the verifier refuses (here the request had ended there)
// stays a decline in the history — nothing was shared — with why the verifier was not told;
// so does an error reply (Reject) that cannot be delivered.
func TestUndeliveredDecline(t *testing.T) {
	t.Run("fail/decline refused", func(t *testing.T) {
		e := newEnv(t)
		e.ver.ResponseMode = wallet.ResponseModeDirectPost
		req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
		if err != nil {
			t.Fatal(err)
		}
		e.ver.ReplyStatus = 400
		if _, err := e.wallet.Decline(t.Context(), owner, req); wallet.CodeOf(err) != wallet.CodeResponseRejected {
			t.Fatalf("err = %v", err)
		}
		hist, _ := e.store.Presentations(t.Context(), owner)
		if len(hist) != 1 || hist[0].Outcome != wallet.OutcomeDeclined || hist[0].Error != "not delivered: invalid_request" || len(hist[0].Credentials) != 0 {
			t.Fatalf("history = %+v", hist)
		}
	})
	t.Run("fail/error reply refused", func(t *testing.T) {
		e := newEnv(t)
		e.ver.ResponseMode = wallet.ResponseModeDirectPost
		e.ver.Mutate = func(p map[string]any) { p["transaction_data"] = []string{"e30"} }
		_, perr := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
		e.ver.ReplyStatus = 400
		if _, err := e.wallet.Reject(t.Context(), owner, perr); wallet.CodeOf(err) != wallet.CodeResponseRejected {
			t.Fatalf("err = %v", err)
		}
		hist, _ := e.store.Presentations(t.Context(), owner)
		if len(hist) != 1 || hist[0].Outcome != wallet.OutcomeError || hist[0].Error != "invalid_transaction_data, not delivered: invalid_request" {
			t.Fatalf("history = %+v", hist)
		}
	})
}

func accessPolicy() trustPolicy {
	return trustPolicy{ServiceTypes: []trustRule{{URI: wallettest.WRPACService}}}
}

// TestConsentShowsWholeDisclosures: when the issuer disclosed an object as one (here
// "degree"), asking for one of its members shares all of them; the consent page and the
// history list every claim the verifier will see, not only the one asked for.
func TestConsentShowsWholeDisclosures(t *testing.T) {
	e := newEnv(t)
	e.iss.WholeDegree = true
	receive(t, e, "diploma")
	req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
	if err != nil {
		t.Fatal(err)
	}
	consent, err := e.wallet.Match(t.Context(), owner, req)
	if err != nil || !consent.Satisfiable {
		t.Fatalf("consent %+v %v", consent, err)
	}
	var shown []string
	for _, c := range consent.Queries[0].Candidates[0].Claims {
		shown = append(shown, c.PathJSON)
	}
	// The claims asked for first, in the query's order; then what comes with them.
	want := []string{`["family_name"]`, `["degree","type"]`, `["degree","award_date"]`}
	if !slices.Equal(shown, want) {
		t.Fatalf("consent shows %v, want %v (the whole degree disclosure)", shown, want)
	}
	res, err := e.wallet.Present(t.Context(), owner, req, consent.Default)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Record.Credentials[0].Claims; !slices.Equal(got, want) {
		t.Fatalf("history lists %v, want %v", got, want)
	}
}

// TestRequestWithoutState: state is only recommended when every credential is requested with
// holder binding (OpenID4VP 1.0 §5.2): such a request is served, and the response carries no
// state.
func TestRequestWithoutState(t *testing.T) {
	e := newEnv(t)
	receive(t, e, "diploma")
	e.ver.ResponseMode = wallet.ResponseModeDirectPost
	e.ver.Mutate = func(p map[string]any) { delete(p, "state") }
	req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
	if err != nil {
		t.Fatalf("request without state: %v", err)
	}
	consent, err := e.wallet.Match(t.Context(), owner, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.wallet.Present(t.Context(), owner, req, consent.Default); err != nil {
		t.Fatal(err)
	}
	if len(e.ver.Posts) != 1 || e.ver.Posts[0].Has("state") || e.ver.Posts[0].Get("vp_token") == "" {
		t.Fatalf("response %v", e.ver.Posts)
	}
}

// selfSignedAccess is a self-signed end-entity certificate for the jp-desk host.
func selfSignedAccess(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "jp-desk.localhost"}, DNSNames: []string{"jp-desk.localhost"},
		NotBefore: testNow.Add(-time.Hour), NotAfter: testNow.Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c, k
}
