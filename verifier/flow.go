package verifier

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
)

// Client identifier prefixes (OpenID4VP 1.0 §5.9.3) a Flow can use. Both sign the request
// object with the desk's access certificate in "x5c".
const (
	// PrefixX509Hash: client_id "x509_hash:" + base64url(SHA-256(DER of the leaf)). HAIP's
	// prefix for signed requests; the default.
	PrefixX509Hash = "x509_hash"
	// PrefixX509SANDNS: client_id "x509_san_dns:" + the host of BaseURL, which must be a
	// dNSName SAN of the leaf.
	PrefixX509SANDNS = "x509_san_dns"
	// PrefixRedirectURI: client_id "redirect_uri:" + the response_uri, for unsigned requests
	// (RequestInput.UnsignedUnsafe); the request object is an unsecured JWT (alg "none").
	PrefixRedirectURI = "redirect_uri"
)

// Response modes (OpenID4VP 1.0 §8.2, §8.3).
const (
	ResponseModeDirectPost    = "direct_post"
	ResponseModeDirectPostJWT = "direct_post.jwt"
)

// Values and paths of the request object. The HTTP edge serves the request object at
// BaseURL+PathRequestObject+id (GET and POST), the response endpoint at BaseURL+PathResponse
// (POST) and the same-device landing page at BaseURL+PathDone+id+"?response_code=…".
const (
	// RequestObjectType is the "typ" of signed request objects (OpenID4VP 1.0 §5.1, RFC 9101).
	RequestObjectType = "oauth-authz-req+jwt"
	// RequestObjectAudience is the "aud" of request objects under static discovery (§5.8).
	RequestObjectAudience = "https://self-issued.me/v2"
	PathRequestObject     = "/oid4vp/requests/"
	PathResponse          = "/oid4vp/response"
	PathDone              = "/requests/done/"
)

// DeskPolicy is what a desk judges responses by: its recognition rules and its jurisdiction
// (Policy.Recognition and Policy.Jurisdiction).
type DeskPolicy struct {
	Recognition  Recognition
	Jurisdiction string
}

// FlowConfig is the deployment-wide configuration of a Flow.
type FlowConfig struct {
	// Key signs request objects (and webhook bodies); Chain is the desk's access certificate
	// followed by its intermediates, without the trust anchor (HAIP). The leaf must hold Key's
	// public key and must not be self-signed. Required.
	Key   crypto.Signer
	Chain []*x509.Certificate
	// BaseURL is the desk's public https base URL (no query, no fragment); request_uri,
	// response_uri and the same-device redirect live under it. Required.
	BaseURL string
	// AllowInsecureHTTP allows an http BaseURL on a loopback address (development and the
	// demo, whose wallet runs on the same machine). Never in production. Default: false.
	AllowInsecureHTTP bool
	// ClientIDPrefix is PrefixX509Hash or PrefixX509SANDNS. Default: PrefixX509Hash.
	ClientIDPrefix string
	// Policies are the desk policies by name; DefaultPolicy names the one used when a
	// request names none. At least one policy is required; DefaultPolicy must name one.
	Policies      map[string]DeskPolicy
	DefaultPolicy string
	// Now is the clock. Required.
	Now func() time.Time
	// Rand is the randomness of ids, state, nonce, keys and response codes. Default:
	// crypto/rand.Reader.
	Rand io.Reader
	// RequestTTL is how long a request can be answered. Default: DefaultRequestTTL; at most
	// MaxRequestTTL.
	RequestTTL time.Duration
	// ReplayWindow is how long presentation digests are remembered. Default:
	// DefaultReplayWindow; at least the verifier's key-binding age plus clock skew, at most
	// MaxReplayWindow.
	ReplayWindow time.Duration
	// WebhookURL, when set, receives every result (through the outbox, DeliverWebhooks).
	// Must be an absolute https URL. Default: none.
	WebhookURL string
	// UnsignedRequestsUnsafe lets CreateRequest make unsigned requests
	// (RequestInput.UnsignedUnsafe, client_id prefix redirect_uri). Default: false.
	//
	// WARNING: a wallet cannot authenticate an unsigned request; it sees only the
	// response_uri. Enable it for wallets that support nothing else.
	UnsignedRequestsUnsafe bool
}

// Flow is the OpenID4VP 1.0 verifier flow of one desk: it creates requests, serves signed
// request objects, handles direct_post and direct_post.jwt responses by running Verify, and
// keeps everything in a Store so replicas can share a flow. It is safe for concurrent use.
type Flow struct {
	st       Store
	v        *Verifier
	cfg      FlowConfig
	signer   *jose.Signer
	clientID string
	base     string
}

// NewFlow checks cfg and returns the flow of one desk, verifying responses with v.
func NewFlow(st Store, v *Verifier, cfg FlowConfig) (*Flow, error) {
	switch {
	case st == nil:
		return nil, policyErr("NewFlow: nil store")
	case v == nil:
		return nil, policyErr("NewFlow: nil verifier")
	case cfg.Key == nil || len(cfg.Chain) == 0:
		return nil, policyErr("NewFlow: no key or certificate chain")
	case cfg.Now == nil:
		return nil, policyErr("NewFlow: no clock")
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.ClientIDPrefix == "" {
		cfg.ClientIDPrefix = PrefixX509Hash
	}
	if cfg.RequestTTL == 0 {
		cfg.RequestTTL = DefaultRequestTTL
	}
	if cfg.RequestTTL < time.Minute || cfg.RequestTTL > MaxRequestTTL {
		return nil, policyErr("NewFlow: RequestTTL %s is outside [1m, %s]", cfg.RequestTTL, MaxRequestTTL)
	}
	if cfg.ReplayWindow == 0 {
		cfg.ReplayWindow = DefaultReplayWindow
	}
	if cfg.ReplayWindow < v.cfg.kbMaxAge+v.cfg.skew || cfg.ReplayWindow > MaxReplayWindow {
		return nil, policyErr("NewFlow: ReplayWindow %s is outside [%s, %s]", cfg.ReplayWindow, v.cfg.kbMaxAge+v.cfg.skew, MaxReplayWindow)
	}
	leaf := cfg.Chain[0]
	if pki.SelfSigned(leaf) {
		return nil, policyErr("NewFlow: the access certificate is self-signed (HAIP forbids it)")
	}
	if pk, ok := leaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pk.Equal(cfg.Key.Public()) {
		return nil, policyErr("NewFlow: Key does not belong to the access certificate")
	}
	base, err := url.Parse(cfg.BaseURL)
	if err != nil || !(base.Scheme == "https" || (cfg.AllowInsecureHTTP && base.Scheme == "http" && isLoopback(base.Hostname()))) ||
		base.Host == "" || base.RawQuery != "" || base.Fragment != "" || base.User != nil {
		return nil, policyErr("NewFlow: BaseURL %q is not an absolute https URL without query and fragment (http only on loopback with AllowInsecureHTTP)", cfg.BaseURL)
	}
	f := &Flow{st: st, v: v, cfg: cfg, base: strings.TrimSuffix(base.String(), "/")}
	switch cfg.ClientIDPrefix {
	case PrefixX509Hash:
		sum := sha256.Sum256(leaf.Raw)
		f.clientID = PrefixX509Hash + ":" + base64.RawURLEncoding.EncodeToString(sum[:])
	case PrefixX509SANDNS:
		host := base.Hostname()
		if !slices.Contains(leaf.DNSNames, host) {
			return nil, policyErr("NewFlow: %s is not a dNSName of the access certificate (%v)", host, leaf.DNSNames)
		}
		f.clientID = PrefixX509SANDNS + ":" + host
	default:
		return nil, policyErr("NewFlow: unknown client_id prefix %q", cfg.ClientIDPrefix)
	}
	if len(cfg.Policies) == 0 {
		return nil, policyErr("NewFlow: no desk policy")
	}
	if _, ok := cfg.Policies[cfg.DefaultPolicy]; !ok {
		return nil, policyErr("NewFlow: DefaultPolicy %q is not among the policies", cfg.DefaultPolicy)
	}
	probe, _ := ProfileQuery(ProfileDiploma)
	for name, dp := range cfg.Policies {
		p := Policy{Now: time.Unix(1, 0), ClientID: f.clientID, Nonce: "n", Query: probe, Recognition: dp.Recognition}
		if err := p.validate(); err != nil {
			return nil, &Error{Code: CodeInvalidPolicy, Msg: "NewFlow: policy " + name, Err: err}
		}
	}
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			return nil, policyErr("NewFlow: WebhookURL is not an absolute https URL")
		}
	}
	f.signer, err = jose.NewSigner(cfg.Key, jose.SignHeader{Typ: RequestObjectType, X5C: cfg.Chain})
	if err != nil {
		return nil, &Error{Code: CodeInvalidPolicy, Msg: "NewFlow: request object signer", Err: err}
	}
	return f, nil
}

// ClientID returns the desk's full client_id, prefix included.
func (f *Flow) ClientID() string { return f.clientID }

// ResponseURI returns the response_uri of every request.
func (f *Flow) ResponseURI() string { return f.base + PathResponse }

// RequestURI returns the request_uri of request id.
func (f *Flow) RequestURI(id string) string { return f.base + PathRequestObject + id }

// RequestInput says what CreateRequest asks for.
type RequestInput struct {
	// Profile (ProfileDiploma, ProfileLearning) or Query: exactly one is required.
	Profile string
	Query   *dcql.Query
	// ResponseMode is ResponseModeDirectPost or ResponseModeDirectPostJWT. Default:
	// ResponseModeDirectPostJWT (HAIP).
	ResponseMode string
	// RequestURIMethod is "post" (the wallet POSTs wallet_metadata and wallet_nonce) or
	// "get". Default: "post".
	RequestURIMethod string
	// SameDevice: the response URI answers with a redirect_uri carrying a response_code.
	SameDevice bool
	// Policy names the desk policy. Default: FlowConfig.DefaultPolicy.
	Policy string
	// UnsignedUnsafe makes an unsigned request: client_id "redirect_uri:" + the response_uri,
	// request object by reference as an unsecured JWT (alg "none"). It needs
	// FlowConfig.UnsignedRequestsUnsafe. Default: false (signed, FlowConfig.ClientIDPrefix).
	//
	// WARNING: the wallet cannot tell who is asking; see FlowConfig.UnsignedRequestsUnsafe.
	UnsignedUnsafe bool
}

// Created is a new request as CreateRequest returns it.
type Created struct {
	ID string `json:"id"`
	// Request is the link a wallet opens (as a QR code or on the same device):
	// openid4vp://?client_id=…&request_uri=…&request_uri_method=….
	Request    string        `json:"request"`
	RequestURI string        `json:"request_uri"`
	Status     RequestStatus `json:"status"`
	ExpiresAt  time.Time     `json:"expires_at"`
}

// CreateRequest creates and stores a pending request: fresh id, state and nonce (256 bits
// each), the DCQL query of the profile or the one given (validated), and for
// direct_post.jwt a fresh ephemeral ECDH-ES P-256 key. Errors: CodeInvalidInput for bad
// input; CodeServerError or CodeUnavailable when the store fails.
func (f *Flow) CreateRequest(ctx context.Context, in RequestInput) (*Created, error) {
	q := in.Query
	switch {
	case in.Profile != "" && q != nil:
		return nil, flowErr(CodeInvalidInput, "give a profile or a DCQL query, not both")
	case in.Profile != "":
		var ok bool
		if q, ok = ProfileQuery(in.Profile); !ok {
			return nil, flowErr(CodeInvalidInput, "unknown profile %q", in.Profile)
		}
	case q == nil:
		return nil, flowErr(CodeInvalidInput, "a profile or a DCQL query is required")
	}
	if err := q.Validate(); err != nil {
		return nil, &Error{Code: CodeInvalidInput, Msg: "DCQL query: " + err.Error()}
	}
	// The verifier re-checks trusted_authorities on every response (§6.1.1); an entry of a
	// type it cannot evaluate would never match, rejecting answers it should accept, so the
	// request is refused now.
	for _, cq := range q.Credentials {
		for _, ta := range cq.TrustedAuthorities {
			if ta.Type != dcql.AuthorityAKI {
				return nil, flowErr(CodeInvalidInput, "DCQL query: credentials %q: trusted_authorities of type %q are not supported by this verifier (only %q); its trust lists decide trust already", cq.ID, ta.Type, dcql.AuthorityAKI)
			}
		}
	}
	query, err := q.Marshal()
	if err != nil {
		return nil, &Error{Code: CodeInvalidInput, Msg: "DCQL query", Err: err}
	}
	mode := in.ResponseMode
	if mode == "" {
		mode = ResponseModeDirectPostJWT
	}
	if mode != ResponseModeDirectPost && mode != ResponseModeDirectPostJWT {
		return nil, flowErr(CodeInvalidInput, "unknown response mode %q", in.ResponseMode)
	}
	method := in.RequestURIMethod
	if method == "" {
		method = "post"
	}
	if method != "post" && method != "get" {
		return nil, flowErr(CodeInvalidInput, "request_uri_method %q is neither get nor post", in.RequestURIMethod)
	}
	policy := in.Policy
	if policy == "" {
		policy = f.cfg.DefaultPolicy
	}
	if _, ok := f.cfg.Policies[policy]; !ok {
		return nil, flowErr(CodeInvalidInput, "unknown desk policy %q", in.Policy)
	}
	clientID := f.clientID
	if in.UnsignedUnsafe {
		if !f.cfg.UnsignedRequestsUnsafe {
			return nil, flowErr(CodeInvalidInput, "unsigned requests are not enabled on this desk")
		}
		clientID = PrefixRedirectURI + ":" + f.ResponseURI()
	}
	now := f.cfg.Now()
	r := &Request{
		ClientID: clientID, ResponseMode: mode, RequestURIMethod: method, Query: query,
		Policy: policy, SameDevice: in.SameDevice, Status: StatusPending,
		CreatedAt: now, ExpiresAt: now.Add(f.cfg.RequestTTL),
	}
	if r.ID, err = f.random(); err != nil {
		return nil, err
	}
	if r.State, err = f.random(); err != nil {
		return nil, err
	}
	if r.Nonce, err = f.random(); err != nil {
		return nil, err
	}
	if mode == ResponseModeDirectPostJWT {
		k, err := ecdsa.GenerateKey(elliptic.P256(), f.cfg.Rand)
		if err != nil {
			return nil, &Error{Code: CodeServerError, Msg: "encryption key", Err: err}
		}
		if r.EncryptionKey, err = x509.MarshalPKCS8PrivateKey(k); err != nil {
			return nil, &Error{Code: CodeServerError, Msg: "encryption key", Err: err}
		}
		if r.EncryptionKeyID, err = f.random(); err != nil {
			return nil, err
		}
	}
	if err := f.st.CreateRequest(ctx, r); err != nil {
		return nil, storeErr("create request", err)
	}
	return &Created{ID: r.ID, Request: f.link(r), RequestURI: f.RequestURI(r.ID), Status: StatusPending, ExpiresAt: r.ExpiresAt}, nil
}

func (f *Flow) link(r *Request) string {
	v := url.Values{"client_id": {r.ClientID}, "request_uri": {f.RequestURI(r.ID)}, "request_uri_method": {r.RequestURIMethod}}
	return "openid4vp://?" + v.Encode()
}

// random returns randomBytes from the flow's source, base64url: [A-Za-z0-9_-], the nonce
// alphabet of OpenID4VP 1.0 §5.2.
func (f *Flow) random() (string, error) {
	var b [randomBytes]byte
	if _, err := io.ReadFull(f.cfg.Rand, b[:]); err != nil {
		return "", &Error{Code: CodeServerError, Msg: "randomness", Err: err}
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// RequestObject returns the signed request object of request id (OpenID4VP 1.0 §5, RFC 9101)
// as the request_uri answers it (content type application/oauth-authz-req+jwt). method is
// the HTTP method the wallet used: "GET", or "POST" with the form parameters wallet_metadata
// (a JSON object, optional) and wallet_nonce (optional; echoed in the object).
//
// The object's header has typ oauth-authz-req+jwt, alg ES256 and x5c (the access certificate
// chain), or alg "none" and no signature for an unsigned request (redirect_uri prefix); its
// claims are client_id (with prefix), response_type vp_token, response_mode,
// response_uri, nonce, state, dcql_query, client_metadata (vp_formats_supported and, for
// direct_post.jwt, jwks with the request's ephemeral ECDH-ES P-256 key — kid, alg ECDH-ES,
// use enc — and encrypted_response_enc_values_supported [A128GCM, A256GCM], narrowed to what
// wallet_metadata says the wallet supports), wallet_nonce when given, aud
// https://self-issued.me/v2, iat and exp (the request's expiry).
//
// Errors: CodeInvalidRequestURIMethod for another method, or POST to a request whose link
// said get; CodeRequestNotFound, CodeRequestExpired, CodeRequestAnswered; CodeInvalidRequest
// for wallet_metadata that is not a JSON object (within MaxWalletMetadataSize) or rules out
// this verifier's client_id prefix, ES256 request signatures or (direct_post.jwt) ECDH-ES with
// A128GCM or A256GCM, and for a wallet_nonce over MaxWalletNonceLen or with characters
// outside printable ASCII.
func (f *Flow) RequestObject(ctx context.Context, id, method, walletMetadata, walletNonce string) (string, error) {
	r, err := f.pendingRequest(ctx, id)
	if err != nil {
		return "", err
	}
	switch method {
	case "GET":
		walletMetadata, walletNonce = "", ""
	case "POST":
		if r.RequestURIMethod != "post" {
			return "", flowErr(CodeInvalidRequestURIMethod, "this request_uri is fetched with GET")
		}
	default:
		return "", flowErr(CodeInvalidRequestURIMethod, "request_uri method %q is neither GET nor POST", method)
	}
	// HAIP 1.0 §5: the verifier lists both, whatever the wallet said; a wallet that
	// supports neither was refused above.
	encs := []string{string(jose.A128GCM), string(jose.A256GCM)}
	if walletMetadata != "" {
		if err := f.checkWalletMetadata(r, walletMetadata, encs); err != nil {
			return "", err
		}
	}
	if len(walletNonce) > MaxWalletNonceLen || !printableASCII(walletNonce) {
		return "", flowErr(CodeInvalidRequest, "wallet_nonce is longer than %d characters or not printable ASCII", MaxWalletNonceLen)
	}
	algs := make([]string, len(f.v.cfg.algorithms))
	for i, a := range f.v.cfg.algorithms {
		algs[i] = string(a)
	}
	meta := map[string]any{"vp_formats_supported": map[string]any{
		dcql.FormatSDJWTVC:   map[string]any{"sd-jwt_alg_values": algs, "kb-jwt_alg_values": algs},
		dcql.FormatJWTVCJSON: map[string]any{"alg_values": algs},
	}}
	if r.ResponseMode == ResponseModeDirectPostJWT {
		key, err := parseEncryptionKey(r.EncryptionKey)
		if err != nil {
			return "", &Error{Code: CodeServerError, Msg: "stored encryption key", Err: err}
		}
		jwk, err := jose.PublicJWK(&key.PublicKey)
		if err != nil {
			return "", &Error{Code: CodeServerError, Msg: "encryption JWK", Err: err}
		}
		jwk["kid"], jwk["alg"], jwk["use"] = r.EncryptionKeyID, "ECDH-ES", "enc"
		meta["jwks"] = map[string]any{"keys": []any{jwk}}
		meta["encrypted_response_enc_values_supported"] = encs
	}
	now := f.cfg.Now()
	claims := map[string]any{
		"client_id": r.ClientID, "response_type": "vp_token", "response_mode": r.ResponseMode,
		"response_uri": f.ResponseURI(), "nonce": r.Nonce, "state": r.State,
		"dcql_query": json.RawMessage(r.Query), "client_metadata": meta,
		"aud": RequestObjectAudience, "iat": now.Unix(), "exp": r.ExpiresAt.Unix(),
	}
	if walletNonce != "" {
		claims["wallet_nonce"] = walletNonce
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", &Error{Code: CodeServerError, Msg: "request object", Err: err}
	}
	if strings.HasPrefix(r.ClientID, PrefixRedirectURI+":") {
		return unsecuredJWT(payload), nil
	}
	jws, err := f.signer.Sign(payload)
	if err != nil {
		return "", &Error{Code: CodeServerError, Msg: "sign request object", Err: err}
	}
	return jws, nil
}

// pendingRequest loads request id and checks that it can still be answered.
func (f *Flow) pendingRequest(ctx context.Context, id string) (*Request, error) {
	r, err := f.load(ctx, id)
	if err != nil {
		return nil, err
	}
	return r, f.checkPending(r)
}

func (f *Flow) checkPending(r *Request) error {
	if r.Status != StatusPending {
		return flowErr(CodeRequestAnswered, "the request was answered already")
	}
	if !f.cfg.Now().Before(r.ExpiresAt) {
		return flowErr(CodeRequestExpired, "the request has expired")
	}
	return nil
}

// checkWalletMetadata reads the wallet_metadata members that constrain the request object
// (OpenID4VP 1.0 §5.10, §10): it refuses a wallet that cannot take this request or encrypt
// with one of encs.
func (f *Flow) checkWalletMetadata(r *Request, raw string, encs []string) error {
	if len(raw) > MaxWalletMetadataSize {
		return flowErr(CodeInvalidRequest, "wallet_metadata is larger than %d bytes", MaxWalletMetadataSize)
	}
	if err := jose.CheckJSON([]byte(raw)); err != nil {
		return flowErr(CodeInvalidRequest, "wallet_metadata is not valid JSON")
	}
	var m struct {
		Prefixes []string `json:"client_id_prefixes_supported"`
		SignAlgs []string `json:"request_object_signing_alg_values_supported"`
		EncAlgs  []string `json:"authorization_encryption_alg_values_supported"`
		Encs     []string `json:"authorization_encryption_enc_values_supported"`
	}
	if !strings.HasPrefix(strings.TrimSpace(raw), "{") {
		return flowErr(CodeInvalidRequest, "wallet_metadata is not a JSON object")
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return flowErr(CodeInvalidRequest, "wallet_metadata: %v", err)
	}
	prefix, _, _ := strings.Cut(r.ClientID, ":")
	if m.Prefixes != nil && !slices.Contains(m.Prefixes, prefix) {
		return flowErr(CodeInvalidRequest, "the wallet does not support the client_id prefix %s", prefix)
	}
	if m.SignAlgs != nil && prefix != PrefixRedirectURI && !slices.Contains(m.SignAlgs, string(f.signer.Algorithm())) {
		return flowErr(CodeInvalidRequest, "the wallet does not accept %s request objects", f.signer.Algorithm())
	}
	if r.ResponseMode != ResponseModeDirectPostJWT {
		return nil
	}
	if m.EncAlgs != nil && !slices.Contains(m.EncAlgs, "ECDH-ES") {
		return flowErr(CodeInvalidRequest, "the wallet does not support ECDH-ES response encryption")
	}
	if m.Encs != nil && !slices.ContainsFunc(encs, func(e string) bool { return slices.Contains(m.Encs, e) }) {
		return flowErr(CodeInvalidRequest, "the wallet supports neither A128GCM nor A256GCM")
	}
	return nil
}

// unsecuredJWT is an unsigned request object (RFC 9101 §4, RFC 7519 §6: alg "none", empty
// signature) for the redirect_uri client_id prefix, which OpenID4VP 1.0 §5.9.3 forbids to sign.
func unsecuredJWT(payload []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(`{"alg":"none","typ":"`+RequestObjectType+`"}`)) + "." + enc.EncodeToString(payload) + "."
}

func parseEncryptionKey(der []byte) (*ecdsa.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, err
	}
	ek, ok := k.(*ecdsa.PrivateKey)
	if !ok || ek.Curve != elliptic.P256() {
		return nil, fmt.Errorf("stored encryption key is %T, not P-256", k)
	}
	return ek, nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
