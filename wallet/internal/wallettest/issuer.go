package wallettest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/vcjwt"
	"github.com/hashi-vc/hashi/wallet"
)

// FakeIssuer is a spec-shaped OpenID4VCI 1.0 issuer built from the internal packages: a
// credential offer with a pre-authorized code, issuer and authorization server metadata, a
// token endpoint with DPoP, nonce, credential, deferred credential and notification
// endpoints. It issues Hanako Yamada's diploma as an SD-JWT VC ("diploma") or a JWT VC
// ("diploma_jwt"), signed with the sakuragaoka seal re-issued to name the issuer.
//
// Signer, Chain and the fields from ConfigID to OfferRedirect are knobs a test sets before
// the wallet reaches the issuer; the fields after them record what happened, and are read
// under Mu.
type FakeIssuer struct {
	t   testing.TB
	now time.Time

	// Mu guards the recorded fields while the server runs.
	Mu sync.Mutex
	// ID is the credential issuer identifier, the base URL + "/sakuragaoka".
	ID string
	// Signer and Chain sign the credentials: by default the sakuragaoka seal, re-issued by
	// its seal CA to name ID.
	Signer crypto.Signer
	Chain  []*x509.Certificate

	// ConfigID is the credential configuration offered and expected: "diploma" (the
	// default), "diploma_jwt" or "mdl".
	ConfigID string
	// TxCode, when set, is the transaction code the offer asks for and the token endpoint
	// requires.
	TxCode string
	// RequireDPoPNonce makes the token and resource endpoints require the DPoP nonce "dn-1".
	RequireDPoPNonce bool
	// WholeDegree discloses "degree" as one object instead of its members one by one.
	WholeDegree bool
	// FailCredentials answers that many credential requests 500 after checking them, as an
	// issuer whose response was lost after it recorded the credential; FailedKeys are theirs.
	FailCredentials int
	// OnCredential and OnDeferred, when set, run as those endpoints are reached.
	OnCredential, OnDeferred func()
	// BatchSize, when 2 or more, is the batch size the metadata offers and the most proofs
	// a credential request may carry (one otherwise).
	BatchSize int
	// Deferred makes the credential endpoint answer with a transaction id (interval 5s);
	// the deferred endpoint issues once Ready is set and answers "not yet" (interval 60s)
	// before.
	Deferred bool
	Ready    bool
	// WrongKey binds every credential to a fresh key instead of the wallet's.
	WrongKey bool
	// CodeOnlyAS lists an authorization-code-only server first in the metadata.
	CodeOnlyAS bool
	// Tamper breaks the issuer signature of every SD-JWT VC.
	Tamper bool
	// MetadataIssuer, when set, is the credential_issuer the metadata claims instead of ID.
	MetadataIssuer string
	// OfferRedirect makes the credential offer URI answer with a redirect.
	OfferRedirect bool
	// WithStatus gives every SD-JWT VC the entry StatusIndex of the status list ID+"/status",
	// which the issuer serves: a 2-bit Token Status List Token (ttl 60 s) signed by Signer
	// with Chain as x5c, or by StatusSigner (with no x5c) when set, whose entry StatusIndex
	// is StatusValue (these four are read under Mu when served).
	WithStatus   bool
	StatusValue  statuslist.Status
	StatusSigner crypto.Signer

	// TokenCalls counts the requests to the token endpoint.
	TokenCalls int
	// Notifications are the bodies of the notification requests, in order.
	Notifications []map[string]any
	// FailedKeys are the holder keys of the requests FailCredentials failed.
	FailedKeys []crypto.PublicKey
	// IssuedKeys are the keys the credentials issued are bound to, in order.
	IssuedKeys []crypto.PublicKey

	cNonce      string
	token       string
	jkt         string
	pendingKeys []crypto.PublicKey
}

// NewFakeIssuer returns a FakeIssuer whose identifier is base + "/sakuragaoka", offering
// "diploma" at the pilot's time; Register serves it.
func NewFakeIssuer(t testing.TB, p *Pilot, base string) *FakeIssuer {
	f := &FakeIssuer{t: t, now: p.Now, ID: base + "/sakuragaoka", ConfigID: "diploma"}
	f.Signer, f.Chain = p.NamingSeal(t, f.ID)
	return f
}

// OfferLink returns a credential offer link by reference to the issuer's offer.
func (f *FakeIssuer) OfferLink() string {
	return "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(strings.TrimSuffix(f.ID, "/sakuragaoka")+"/offer/1")
}

// Offer returns the issuer's credential offer, for a link by value.
func (f *FakeIssuer) Offer() map[string]any {
	pre := map[string]any{"pre-authorized_code": "pac-1"}
	if f.TxCode != "" {
		pre["tx_code"] = map[string]any{"input_mode": "numeric", "length": len(f.TxCode), "description": "Code sent by e-mail"}
	}
	return map[string]any{"credential_issuer": f.ID, "credential_configuration_ids": []string{f.ConfigID},
		"grants": map[string]any{"urn:ietf:params:oauth:grant-type:pre-authorized_code": pre}}
}

// Register serves the issuer's endpoints on mux, which must serve the base URL.
func (f *FakeIssuer) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /sakuragaoka/status", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", statuslist.MediaType)
		_, _ = w.Write([]byte(f.statusToken()))
	})
	mux.HandleFunc("GET /offer/1", func(w http.ResponseWriter, r *http.Request) {
		if f.OfferRedirect {
			http.Redirect(w, r, "/offer/2", http.StatusFound)
			return
		}
		writeJSON(w, 200, f.Offer())
	})
	mux.HandleFunc("GET /.well-known/openid-credential-issuer/sakuragaoka", func(w http.ResponseWriter, _ *http.Request) {
		iss := f.ID
		if f.MetadataIssuer != "" {
			iss = f.MetadataIssuer
		}
		proof := map[string]any{"jwt": map[string]any{"proof_signing_alg_values_supported": []string{"ES256"}}}
		md := map[string]any{
			"credential_issuer": iss, "credential_endpoint": f.ID + "/credential", "nonce_endpoint": f.ID + "/nonce",
			"deferred_credential_endpoint": f.ID + "/deferred", "notification_endpoint": f.ID + "/notification",
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
		if f.BatchSize >= 2 {
			md["batch_credential_issuance"] = map[string]any{"batch_size": f.BatchSize}
		}
		if f.CodeOnlyAS {
			md["authorization_servers"] = []string{strings.TrimSuffix(f.ID, "/sakuragaoka") + "/sso", f.ID}
		}
		writeJSON(w, 200, md)
	})
	mux.HandleFunc("GET /.well-known/oauth-authorization-server/sakuragaoka", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, 200, map[string]any{"issuer": f.ID, "token_endpoint": f.ID + "/token", "dpop_signing_alg_values_supported": []string{"ES256"},
			"pre-authorized_grant_anonymous_access_supported": true})
	})
	// An authorization server for the authorization code grant only, listed first when
	// CodeOnlyAS: the wallet must pass it over.
	mux.HandleFunc("GET /.well-known/oauth-authorization-server/sso", func(w http.ResponseWriter, _ *http.Request) {
		sso := strings.TrimSuffix(f.ID, "/sakuragaoka") + "/sso"
		writeJSON(w, 200, map[string]any{"issuer": sso, "token_endpoint": sso + "/token", "grant_types_supported": []string{"authorization_code"}})
	})
	mux.HandleFunc("POST /sakuragaoka/token", f.handleToken)
	mux.HandleFunc("POST /sakuragaoka/nonce", func(w http.ResponseWriter, _ *http.Request) {
		f.Mu.Lock()
		f.cNonce = fmt.Sprintf("cn-%d", time.Now().UnixNano())
		n := f.cNonce
		f.Mu.Unlock()
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
		f.Mu.Lock()
		f.Notifications = append(f.Notifications, m)
		f.Mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
}

func (f *FakeIssuer) dpopPolicy(bound string) dpop.Policy {
	p := dpop.Policy{Now: f.now, BoundJKT: bound}
	if f.RequireDPoPNonce {
		p.ExpectedNonce = "dn-1"
	}
	return p
}

func (f *FakeIssuer) handleToken(w http.ResponseWriter, r *http.Request) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.TokenCalls++
	proof, err := dpop.VerifyHeader(r.Header.Values("DPoP"), dpop.Request{Method: "POST", URL: f.ID + "/token"}, f.dpopPolicy(""))
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
	if _, sent := r.PostForm["tx_code"]; sent != (f.TxCode != "") {
		writeJSON(w, 400, map[string]any{"error": "invalid_request"})
		return
	}
	if r.PostFormValue("tx_code") != f.TxCode {
		writeJSON(w, 400, map[string]any{"error": "invalid_grant"})
		return
	}
	f.jkt, f.token = proof.JKT, "at-"+proof.JKT
	writeJSON(w, 200, map[string]any{"access_token": f.token, "token_type": "DPoP", "expires_in": 3600})
}

func (f *FakeIssuer) authorized(w http.ResponseWriter, r *http.Request, path string) bool {
	f.Mu.Lock()
	token, jkt := f.token, f.jkt
	f.Mu.Unlock()
	if token == "" || r.Header.Get("Authorization") != "DPoP "+token {
		writeJSON(w, 401, map[string]any{"error": "invalid_token"})
		return false
	}
	if _, err := dpop.VerifyHeader(r.Header.Values("DPoP"), dpop.Request{Method: "POST", URL: f.ID + path, AccessToken: token}, f.dpopPolicy(jkt)); err != nil {
		if dpop.OAuthError(err) == dpop.OAuthUseDPoPNonce {
			w.Header().Set("DPoP-Nonce", "dn-1")
			w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
		}
		writeJSON(w, 401, map[string]any{"error": dpop.OAuthError(err)})
		return false
	}
	return true
}

func (f *FakeIssuer) handleCredential(w http.ResponseWriter, r *http.Request) {
	if f.OnCredential != nil {
		f.OnCredential()
	}
	if !f.authorized(w, r, "/credential") {
		return
	}
	var req struct {
		CredentialConfigurationID string              `json:"credential_configuration_id"`
		Proofs                    map[string][]string `json:"proofs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.CredentialConfigurationID != f.ConfigID || len(req.Proofs["jwt"]) == 0 {
		writeJSON(w, 400, map[string]any{"error": "invalid_credential_request"})
		return
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if len(req.Proofs["jwt"]) > max(f.BatchSize, 1) {
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
	if f.Deferred {
		f.pendingKeys = keys
		writeJSON(w, 202, map[string]any{"transaction_id": "tx-1", "interval": 5})
		return
	}
	if f.FailCredentials > 0 {
		f.FailCredentials--
		f.FailedKeys = append(f.FailedKeys, keys...)
		writeJSON(w, 500, map[string]any{"error": "server_error"})
		return
	}
	writeJSON(w, 200, f.issueAll(keys))
}

func (f *FakeIssuer) handleDeferred(w http.ResponseWriter, r *http.Request) {
	if f.OnDeferred != nil {
		f.OnDeferred()
	}
	if !f.authorized(w, r, "/deferred") {
		return
	}
	var req struct {
		TransactionID string `json:"transaction_id"`
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if json.NewDecoder(r.Body).Decode(&req) != nil || req.TransactionID != "tx-1" || f.pendingKeys == nil {
		writeJSON(w, 400, map[string]any{"error": "invalid_transaction_id"})
		return
	}
	if !f.Ready {
		writeJSON(w, 202, map[string]any{"transaction_id": "tx-1", "interval": 60})
		return
	}
	keys := f.pendingKeys
	f.pendingKeys = nil
	writeJSON(w, 200, f.issueAll(keys))
}

func (f *FakeIssuer) checkProof(p string) (crypto.PublicKey, error) {
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
	if c.Aud != f.ID || c.Nonce != f.cNonce || c.Iat != f.now.Unix() {
		return nil, fmt.Errorf("proof claims %+v", c)
	}
	return key, nil
}

func (f *FakeIssuer) issueAll(keys []crypto.PublicKey) map[string]any {
	var creds []any
	for _, k := range keys {
		if f.WrongKey {
			other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			k = other.Public()
		}
		f.IssuedKeys = append(f.IssuedKeys, k)
		creds = append(creds, map[string]any{"credential": f.Issue(k)})
	}
	return map[string]any{"credentials": creds, "notification_id": "notif-1"}
}

// Issue returns a credential of ConfigID ("diploma_jwt" for a JWT VC, an SD-JWT VC
// otherwise) bound to holder, as the credential endpoint would issue it.
func (f *FakeIssuer) Issue(holder crypto.PublicKey) string {
	t := f.t
	if f.ConfigID == "diploma_jwt" {
		s, err := jose.NewSigner(f.Signer, vcjwt.IssuerHeader("", f.Chain))
		if err != nil {
			t.Fatal(err)
		}
		cred := map[string]any{"@context": []any{vcjwt.ContextV1}, "type": []any{"VerifiableCredential", "UniversityDegreeCredential"},
			"issuer": f.ID, "issuanceDate": f.now.Add(-time.Hour).Format(time.RFC3339),
			"credentialSubject": map[string]any{"given_name": "Hanako", "degree": map[string]any{"type": "master"}}}
		raw, err := vcjwt.Issue(s, cred, vcjwt.IssueOptions{IssuedAt: f.now.Add(-time.Hour), Confirmation: holder})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	is, err := sdjwt.NewVCIssuer(f.Signer, jose.SignHeader{X5C: f.Chain})
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := jose.PublicJWK(holder)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{"iss": f.ID, "vct": academic.VCTHashiDiploma, "iat": f.now.Add(-time.Hour).Unix(),
		"exp": f.now.Add(365 * 24 * time.Hour).Unix(), "cnf": map[string]any{"jwk": jwk},
		"given_name": "Hanako", "family_name": "Yamada", "birthdate": "2000-04-01",
		"degree": map[string]any{"type": "master", "award_date": "2026-03-20"}}
	if f.WithStatus {
		claims["status"] = map[string]any{"status_list": map[string]any{"idx": StatusIndex, "uri": f.ID + "/status"}}
	}
	disclosable := []sdjwt.Path{{"given_name"}, {"family_name"}, {"birthdate"}, {"degree", "type"}, {"degree", "award_date"}}
	if f.WholeDegree {
		disclosable = []sdjwt.Path{{"given_name"}, {"family_name"}, {"birthdate"}, {"degree"}}
	}
	sd, err := is.Issue(claims, disclosable)
	if err != nil {
		t.Fatal(err)
	}
	if f.Tamper {
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

// StatusIndex is the status list entry of the credentials a FakeIssuer WithStatus issues.
const StatusIndex = 3

// statusToken signs the issuer's status list with entry StatusIndex set to StatusValue.
func (f *FakeIssuer) statusToken() string {
	t := f.t
	f.Mu.Lock()
	v, statusSigner, seal, chain := f.StatusValue, f.StatusSigner, f.Signer, f.Chain
	f.Mu.Unlock()
	l, err := statuslist.New(2, 16)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Set(StatusIndex, v); err != nil {
		t.Fatal(err)
	}
	signer, h := seal, jose.SignHeader{Typ: statuslist.TokenType, X5C: chain}
	if statusSigner != nil {
		signer, h = statusSigner, jose.SignHeader{Typ: statuslist.TokenType}
	}
	s, err := jose.NewSigner(signer, h)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := statuslist.Sign(s, &statuslist.Token{Subject: f.ID + "/status", IssuedAt: f.now, TTL: time.Minute, List: l})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
