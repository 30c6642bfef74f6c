package wallettest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/wallet"
)

// Nonce is the nonce of every request object a FakeVerifier serves.
const Nonce = "n-0S6_WzA2Mj-hashi-test"

// FakeVerifier is a spec-shaped OpenID4VP 1.0 verifier built from the internal packages: it
// serves a signed request object by reference (GET or POST request_uri_method) and takes
// the wallet's answer at its direct_post response URI, decrypting it when it is a JWE.
//
// Signer, Chain and the fields from ClientID to NoRedirect are knobs a test sets before the
// wallet reaches the verifier; the fields after them record what happened, and are read
// under Mu.
type FakeVerifier struct {
	t testing.TB

	// Mu guards the recorded fields while the server runs.
	Mu sync.Mutex
	// Base is the verifier's origin: the request object is at Base + "/req/1" and the
	// response URI is Base + "/post".
	Base string
	// Signer and Chain sign the request objects: the jp-desk access entity by default.
	Signer crypto.Signer
	Chain  []*x509.Certificate
	encKey *ecdsa.PrivateKey

	// ClientID is the client_id of the links and request objects: by default the
	// x509_hash of the jp-desk access certificate.
	ClientID string
	// ResponseMode is the response_mode asked for: direct_post.jwt by default.
	ResponseMode string
	// Query is the DCQL query asked: DiplomaQuery by default.
	Query map[string]any
	// Typ is the request object's typ header: wallet.RequestObjectType by default.
	Typ string
	// Tamper replaces the request object's nonce after it was signed.
	Tamper bool
	// Redirect makes the request URI answer with a redirect to a private address.
	Redirect bool
	// DropWalletNonce leaves the wallet_nonce of a POSTed request out of the request object.
	DropWalletNonce bool
	// Mutate, when set, changes the request object's payload before it is signed.
	Mutate func(map[string]any)
	// ReplyStatus is the status the response URI answers with: 200 (the default) with a
	// redirect_uri, any other with an invalid_request error.
	ReplyStatus int
	// NoRedirect makes the response URI answer 200 without a redirect_uri.
	NoRedirect bool

	// WalletNonces and WalletMeta are the wallet_nonce and wallet_metadata of each POST to
	// the request URI, in order.
	WalletNonces []string
	WalletMeta   []string
	// Posts are the forms posted to the response URI, in order.
	Posts []url.Values
	// Decrypted and JWEHeaders are the plaintexts and headers of the encrypted responses.
	Decrypted  [][]byte
	JWEHeaders []*jose.JWEHeader
}

// NewFakeVerifier returns a FakeVerifier at base, signing as the pilot's jp-desk access
// entity with a fresh response encryption key; Register serves it.
func NewFakeVerifier(t testing.TB, p *Pilot, base string) *FakeVerifier {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	access := p.Entity(t, pki.RoleAccess, "jp-desk")
	return &FakeVerifier{t: t, Base: base, Signer: access.Signer(), Chain: access.Chain, encKey: k, ClientID: "x509_hash:" + access.Info.X509Hash,
		ResponseMode: wallet.ResponseModeDirectPostJWT, Typ: wallet.RequestObjectType, Query: DiplomaQuery(), ReplyStatus: 200}
}

// DiplomaQuery returns a DCQL query for the family name and degree type of an SD-JWT VC
// diploma.
func DiplomaQuery() map[string]any {
	return map[string]any{"credentials": []any{map[string]any{
		"id": "diploma", "format": "dc+sd-jwt", "meta": map[string]any{"vct_values": []string{academic.VCTHashiDiploma}},
		"claims": []any{map[string]any{"path": []any{"family_name"}}, map[string]any{"path": []any{"degree", "type"}}},
	}}}
}

// Link returns an openid4vp link to the verifier's request object, with request_uri_method
// method unless it is empty.
func (f *FakeVerifier) Link(method string) string {
	q := url.Values{"client_id": {f.ClientID}, "request_uri": {f.Base + "/req/1"}}
	if method != "" {
		q.Set("request_uri_method", method)
	}
	return "openid4vp://?" + q.Encode()
}

func (f *FakeVerifier) payload() map[string]any {
	jwk, err := jose.PublicJWK(f.encKey.Public())
	if err != nil {
		f.t.Fatal(err)
	}
	jwk["kid"], jwk["use"], jwk["alg"] = "ac", "enc", "ECDH-ES"
	return map[string]any{
		"client_id": f.ClientID, "response_type": "vp_token", "response_mode": f.ResponseMode,
		"response_uri": f.Base + "/post", "nonce": Nonce, "state": "state-1", "dcql_query": f.Query,
		"aud": "https://self-issued.me/v2",
		"client_metadata": map[string]any{"jwks": map[string]any{"keys": []any{jwk}},
			"encrypted_response_enc_values_supported": []string{"A128GCM", "A256GCM"},
			"vp_formats_supported":                    map[string]any{"dc+sd-jwt": map[string]any{"sd-jwt_alg_values": []string{"ES256"}, "kb-jwt_alg_values": []string{"ES256"}}}},
	}
}

// RequestObject returns the signed request object the request URI serves, with
// walletNonce as its wallet_nonce unless it is empty.
func (f *FakeVerifier) RequestObject(walletNonce string) string {
	p := f.payload()
	if walletNonce != "" && !f.DropWalletNonce {
		p["wallet_nonce"] = walletNonce
	}
	if f.Mutate != nil {
		f.Mutate(p)
	}
	b, _ := json.Marshal(p)
	jwt, err := jose.Sign(f.Signer, jose.SignHeader{Typ: f.Typ, X5C: f.Chain}, b)
	if err != nil {
		f.t.Fatal(err)
	}
	if f.Tamper {
		p["nonce"] = "attacker-nonce"
		b, _ := json.Marshal(p)
		parts := strings.Split(jwt, ".")
		jwt = parts[0] + "." + b64(b) + "." + parts[2]
	}
	return jwt
}

// Register serves the verifier's request URI and response URI on mux, which must serve
// Base.
func (f *FakeVerifier) Register(mux *http.ServeMux) {
	serve := func(w http.ResponseWriter, r *http.Request) {
		if f.Redirect {
			http.Redirect(w, r, "https://10.0.0.1/req", http.StatusFound)
			return
		}
		wn := ""
		if r.Method == http.MethodPost {
			wn = r.PostFormValue("wallet_nonce")
			f.Mu.Lock()
			f.WalletNonces = append(f.WalletNonces, wn)
			f.WalletMeta = append(f.WalletMeta, r.PostFormValue("wallet_metadata"))
			f.Mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/oauth-authz-req+jwt")
		_, _ = w.Write([]byte(f.RequestObject(wn)))
	}
	mux.HandleFunc("GET /req/1", serve)
	mux.HandleFunc("POST /req/1", serve)
	mux.HandleFunc("POST /post", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			w.WriteHeader(400)
			return
		}
		f.Mu.Lock()
		defer f.Mu.Unlock()
		f.Posts = append(f.Posts, r.PostForm)
		if jwe := r.PostForm.Get("response"); jwe != "" {
			pt, h, err := jose.DecryptECDHES(jwe, f.encKey, jose.A128GCM, jose.A256GCM)
			if err != nil {
				writeJSON(w, 400, map[string]any{"error": "invalid_request"})
				return
			}
			f.Decrypted = append(f.Decrypted, pt)
			f.JWEHeaders = append(f.JWEHeaders, h)
		}
		if f.ReplyStatus != 200 {
			writeJSON(w, f.ReplyStatus, map[string]any{"error": "invalid_request"})
			return
		}
		if f.NoRedirect {
			writeJSON(w, 200, map[string]any{})
			return
		}
		writeJSON(w, 200, map[string]any{"redirect_uri": f.Base + "/done#response_code=rc-1"})
	})
}
