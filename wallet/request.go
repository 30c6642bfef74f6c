package wallet

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
)

// Protocol names of OpenID4VP 1.0.
const (
	RequestObjectType         = "oauth-authz-req+jwt"
	PrefixX509SANDNS          = "x509_san_dns"
	PrefixX509Hash            = "x509_hash"
	PrefixRedirectURI         = "redirect_uri"
	ResponseModeDirectPost    = "direct_post"
	ResponseModeDirectPostJWT = "direct_post.jwt"
)

// RequestLink is a parsed openid4vp:// link (or the wallet's same-device URL): the
// authorization request parameters before any fetching or verification.
type RequestLink struct {
	ClientID string
	// RequestURI and RequestURIMethod ("get" or "post") pass the request object by reference.
	RequestURI       string
	RequestURIMethod string
	// Request is a request object passed by value.
	Request string
	// Params are all query parameters (for an unsigned request).
	Params url.Values
}

// ParseRequestLink parses an OpenID4VP authorization request link: client_id is required;
// request and request_uri exclude each other; request_uri_method is "get" (default) or
// "post" (CodeInvalidRequestURIMethod otherwise) and only comes with request_uri; no
// parameter may repeat. It does no I/O and verifies nothing.
func ParseRequestLink(raw string) (*RequestLink, error) {
	if len(raw) > MaxLinkLength {
		return nil, errorf(CodeInvalidRequest, nil, "link longer than %d bytes", MaxLinkLength)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errorf(CodeInvalidRequest, err, "unparsable link")
	}
	switch u.Scheme {
	case "openid4vp", "haip-vp", "https", "http":
	default:
		return nil, errorf(CodeInvalidRequest, nil, "scheme %q is not a presentation request link", u.Scheme)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errorf(CodeInvalidRequest, err, "unparsable query")
	}
	for k, v := range q {
		if len(v) != 1 {
			return nil, errorf(CodeInvalidRequest, nil, "parameter %q repeated", k)
		}
	}
	l := &RequestLink{ClientID: q.Get("client_id"), RequestURI: q.Get("request_uri"), Request: q.Get("request"), Params: q}
	if l.ClientID == "" {
		return nil, errorf(CodeInvalidRequest, nil, "client_id missing")
	}
	if l.Request != "" && l.RequestURI != "" {
		return nil, errorf(CodeInvalidRequest, nil, "both request and request_uri")
	}
	if q.Has("request_uri_method") {
		if l.RequestURI == "" {
			return nil, errorf(CodeInvalidRequest, nil, "request_uri_method without request_uri")
		}
		l.RequestURIMethod = q.Get("request_uri_method")
		if l.RequestURIMethod != "get" && l.RequestURIMethod != "post" {
			return nil, errorf(CodeInvalidRequestURIMethod, nil, "request_uri_method %q", l.RequestURIMethod)
		}
	} else if l.RequestURI != "" {
		l.RequestURIMethod = "get"
	}
	return l, nil
}

// Request is a verified OpenID4VP authorization request. It is plain data (JSON-encodable)
// so the hosted wallet can keep it between the consent page and Present; a decoded Request
// is trusted as it stands, so keep it server-side only.
type Request struct {
	// ClientID is the full client_id, prefix included; ClientIDPrefix its prefix.
	ClientID       string `json:"client_id"`
	ClientIDPrefix string `json:"client_id_prefix"`
	// Signed reports a verified request object.
	Signed       bool        `json:"signed"`
	ResponseMode string      `json:"response_mode"`
	ResponseURI  string      `json:"response_uri"`
	Nonce        string      `json:"nonce"`
	State        string      `json:"state"`
	Query        *dcql.Query `json:"dcql_query"`
	// Verifier is who asks and what the trust lists say of its access certificate.
	Verifier VerifierInfo `json:"verifier"`
	// Encryption is the response encryption for direct_post.jwt, nil for direct_post.
	Encryption *ResponseEncryption `json:"encryption,omitempty"`
}

// VerifierInfo describes the requester for the consent page.
type VerifierInfo struct {
	// Name is the organization of the access certificate (or the response_uri host for an
	// unsigned request).
	Name Names `json:"name"`
	// DNSNames are the access certificate's dNSName SANs.
	DNSNames []string `json:"dns_names,omitempty"`
	// Subject is the access certificate's subject.
	Subject string `json:"subject,omitempty"`
	// Trust is what the trust lists (or configured roots) say of the access certificate.
	Trust TrustSummary `json:"trust"`
}

// ResponseEncryption is the key and content encryption of a direct_post.jwt response.
type ResponseEncryption struct {
	// JWK is the verifier's public key (from client_metadata.jwks) with its kid.
	JWK json.RawMessage        `json:"jwk"`
	Kid string                 `json:"kid"`
	Enc jose.ContentEncryption `json:"enc"`
}

type requestParams struct {
	ClientID               string          `json:"client_id"`
	ResponseType           string          `json:"response_type"`
	ResponseMode           string          `json:"response_mode"`
	ResponseURI            string          `json:"response_uri"`
	RedirectURI            string          `json:"redirect_uri"`
	Nonce                  string          `json:"nonce"`
	State                  string          `json:"state"`
	WalletNonce            string          `json:"wallet_nonce"`
	DCQLQuery              json.RawMessage `json:"dcql_query"`
	Scope                  string          `json:"scope"`
	ClientMetadata         json.RawMessage `json:"client_metadata"`
	TransactionData        json.RawMessage `json:"transaction_data"`
	PresentationDefinition json.RawMessage `json:"presentation_definition"`
	Request                json.RawMessage `json:"request"`
	RequestURI             json.RawMessage `json:"request_uri"`
	Exp                    *float64        `json:"exp"`
	Nbf                    *float64        `json:"nbf"`
	Iat                    *float64        `json:"iat"`
	Aud                    json.RawMessage `json:"aud"`
}

// RequestObjectAudience is the aud of a request object under static discovery (OpenID4VP
// 1.0 §5.8); under dynamic discovery it is the issuer the wallet's metadata names.
const RequestObjectAudience = "https://self-issued.me/v2"

// audienceOK reports whether a request object's aud, when present, names this wallet (see
// VerifyRequestObject).
func (w *Wallet) audienceOK(raw json.RawMessage, requestURI string) bool {
	if len(raw) == 0 || string(raw) == "null" {
		return true
	}
	var auds []string
	var one string
	if json.Unmarshal(raw, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(raw, &auds) != nil {
		return false
	}
	return slices.ContainsFunc(auds, func(a string) bool {
		return a == RequestObjectAudience || (w.cfg.walletIssuer != "" && a == w.cfg.walletIssuer) || (requestURI != "" && a == requestURI)
	})
}

type clientMetadata struct {
	JWKS                                json.RawMessage `json:"jwks"`
	EncryptedResponseEncValuesSupported []string        `json:"encrypted_response_enc_values_supported"`
}

// ParseRequest resolves and verifies an OpenID4VP 1.0 authorization request from a link:
//   - ParseRequestLink;
//   - a request object by reference is fetched through the wallet's client (https, or
//     loopback http where allowed; no redirects, CodeUnreachable on any; MaxRequestObjectSize):
//     GET with Accept application/oauth-authz-req+jwt, or, with request_uri_method=post, a
//     form POST of wallet_metadata and a fresh wallet_nonce, which the object must echo;
//   - a request object (by reference or value) is verified by VerifyRequestObject;
//   - without a request object the query parameters are the request, accepted only with the
//     redirect_uri client_id prefix, whose value must equal response_uri (CodeInvalidRequest
//     otherwise).
//
// The checks common to both kinds: response_type vp_token; response_mode direct_post or
// direct_post.jwt (CodeUnsupportedResponseMode); response_uri present and fetchable, and no
// redirect_uri; nonce and state present; dcql_query present and valid (dcql.Parse; scope
// aliases and presentation_definition are refused); no transaction_data
// (CodeUnsupportedTransactionData); for direct_post.jwt a P-256 ECDH-ES key with a kid in
// client_metadata.jwks (use enc or absent) and an enc of A256GCM or A128GCM (A128GCM when
// encrypted_response_enc_values_supported is absent).
func (w *Wallet) ParseRequest(ctx context.Context, link string) (*Request, error) {
	now, err := w.clock()
	if err != nil {
		return nil, err
	}
	l, err := ParseRequestLink(link)
	if err != nil {
		return nil, err
	}
	switch {
	case l.RequestURI != "":
		if prefixOf(l.ClientID) == PrefixRedirectURI {
			return nil, errorf(CodeInvalidRequest, nil, "a redirect_uri client cannot send a signed request")
		}
		var resp *safehttp.Response
		walletNonce := ""
		if l.RequestURIMethod == "post" {
			walletNonce = newID()
			form := url.Values{"wallet_metadata": {string(w.walletMetadata())}, "wallet_nonce": {walletNonce}}
			h := map[string][]string{"Accept": {"application/" + RequestObjectType}}
			resp, err = w.client.PostForm(ctx, l.RequestURI, form, h, safehttp.MaxBody(MaxRequestObjectSize))
		} else {
			resp, err = w.client.Get(ctx, l.RequestURI, "application/"+RequestObjectType, safehttp.MaxBody(MaxRequestObjectSize))
		}
		if err != nil {
			return nil, fetchErr(err, "fetch request object")
		}
		if err := resp.Expect(200); err != nil {
			return nil, errorf(CodeUnreachable, err, "fetch request object")
		}
		return w.verifyRequestObject(string(bytes.TrimSpace(resp.Body)), l.ClientID, walletNonce, l.RequestURI, now)
	case l.Request != "":
		return w.verifyRequestObject(l.Request, l.ClientID, "", "", now)
	default:
		return w.unsignedRequest(l)
	}
}

// VerifyRequestObject verifies a request object for the client_id of the link:
//   - a compact JWS of at most MaxRequestObjectSize, typ oauth-authz-req+jwt, alg ES256,
//     ES384 or EdDSA, signed by the leaf of its x5c header (CodeInvalidRequestObject);
//   - the chain (leaf not self-signed) is trusted now by the verifier trust lists or
//     verifies with crypto/x509 to WithVerifierRoots at now (CodeUntrustedVerifier);
//   - the client_id claim equals clientID, and the prefix binds it to the certificate:
//     x509_san_dns: a dNSName SAN equals the id and so does the response_uri host;
//     x509_hash: the id is base64url(SHA-256(leaf DER)) (CodeClientIDMismatch); other
//     prefixes fail with CodeUnsupportedClientID;
//   - wallet_nonce equals walletNonce when one was sent; exp, when present, is after now;
//     nbf and iat, when present, are not after now (give or take clockSkew);
//   - aud, when present (RFC 9101 does not require it), names this wallet: a string or an
//     array with RequestObjectAudience or the wallet's issuer (WithWalletIssuer) — or, for
//     an object fetched by reference, its own request_uri, which @openid4vc/openid4vp sets
//     and which names no other wallet (CodeInvalidRequestObject otherwise);
//   - the parameters as ParseRequest lists them.
//
// The requester is authenticated (signature, binding, chain) before anything else is
// judged; errors found after that carry Error.ReplyTo so the caller can Reject the request.
// It does not check iss of the request object, does not check that the x5c chain leaves
// out the trust anchor, and ignores verifier_info.
func (w *Wallet) VerifyRequestObject(jwt, clientID, walletNonce string) (*Request, error) {
	now, err := w.clock()
	if err != nil {
		return nil, err
	}
	return w.verifyRequestObject(jwt, clientID, walletNonce, "", now)
}

// verifyRequestObject is VerifyRequestObject; requestURI is where the object was fetched
// from ("" when it came by value).
func (w *Wallet) verifyRequestObject(jwt, clientID, walletNonce, requestURI string, now time.Time) (*Request, error) {
	if len(jwt) > MaxRequestObjectSize {
		return nil, errorf(CodeInvalidRequestObject, nil, "request object too large")
	}
	jws, err := jose.Parse(jwt)
	if err != nil {
		return nil, errorf(CodeInvalidRequestObject, err, "parse request object")
	}
	if err := jws.CheckType(RequestObjectType); err != nil {
		return nil, errorf(CodeInvalidRequestObject, err, "request object typ")
	}
	certs, err := jws.Header.Certificates()
	if err != nil || len(certs) == 0 {
		return nil, errorf(CodeInvalidRequestObject, err, "request object without a usable x5c")
	}
	leaf := certs[0]
	if err := jws.Verify(leaf.PublicKey, algorithms...); err != nil {
		return nil, errorf(CodeInvalidRequestObject, err, "request object signature")
	}
	var p requestParams
	if err := jose.DecodeJSON(jws.Payload, &p); err != nil {
		return nil, errorf(CodeInvalidRequestObject, err, "request object claims")
	}
	if p.ClientID != clientID {
		return nil, errorf(CodeClientIDMismatch, nil, "client_id claim %q is not the link's %q", p.ClientID, clientID)
	}
	// Authenticate the requester first: the prefix binds the client_id to the certificate,
	// and the chain must be trusted. Only then may the wallet answer it, even with an error.
	prefix, id, _ := strings.Cut(clientID, ":")
	switch prefix {
	case PrefixX509SANDNS:
		if !slices.ContainsFunc(leaf.DNSNames, func(n string) bool { return strings.EqualFold(n, id) }) {
			return nil, errorf(CodeClientIDMismatch, nil, "%q is not a dNSName of the certificate", id)
		}
		ru, err := url.Parse(p.ResponseURI)
		if err != nil || !strings.EqualFold(ru.Hostname(), id) {
			return nil, errorf(CodeClientIDMismatch, err, "response_uri host is not %q", id)
		}
	case PrefixX509Hash:
		sum := sha256.Sum256(leaf.Raw)
		if base64.RawURLEncoding.EncodeToString(sum[:]) != id {
			return nil, errorf(CodeClientIDMismatch, nil, "x509_hash does not match the certificate")
		}
	default:
		return nil, errorf(CodeUnsupportedClientID, nil, "client_id prefix %q", prefix)
	}
	if pki.SelfSigned(leaf) || leaf.IsCA {
		return nil, errorf(CodeUntrustedVerifier, nil, "the access certificate is self-signed or a CA certificate")
	}
	trust, ok := w.verifierTrust(certs, now)
	if !ok {
		return nil, errorf(CodeUntrustedVerifier, nil, "access certificate chain not trusted: %s", trust.Reason)
	}
	verifier := VerifierInfo{Name: certName(leaf), DNSNames: leaf.DNSNames, Subject: pki.NameString(leaf.Subject), Trust: trust}
	var perr *Error
	switch {
	case walletNonce != "" && p.WalletNonce != walletNonce:
		perr = errorf(CodeInvalidRequestObject, nil, "wallet_nonce not echoed")
	case p.Exp != nil && *p.Exp <= float64(now.Unix()): // numbers, like nbf and iat below
		perr = errorf(CodeInvalidRequestObject, nil, "request object expired")
	case p.Nbf != nil && *p.Nbf > float64(now.Add(clockSkew).Unix()): // compared as numbers: a huge one must not wrap
		perr = errorf(CodeInvalidRequestObject, nil, "request object not yet valid")
	case p.Iat != nil && *p.Iat > float64(now.Add(clockSkew).Unix()):
		perr = errorf(CodeInvalidRequestObject, nil, "request object issued in the future")
	case !w.audienceOK(p.Aud, requestURI):
		perr = errorf(CodeInvalidRequestObject, nil, "request object aud names another wallet")
	case len(p.Request) > 0 || len(p.RequestURI) > 0:
		perr = errorf(CodeInvalidRequestObject, nil, "request object names another request")
	}
	var r *Request
	if perr == nil {
		var err error
		if r, err = checkParams(w, &p); err != nil {
			perr, _ = errors.AsType[*Error](err)
		}
	}
	if perr != nil {
		perr.ReplyTo = w.replyTo(&p, clientID, prefix, verifier)
		return nil, perr
	}
	r.ClientID, r.ClientIDPrefix, r.Signed, r.Verifier = clientID, prefix, true, verifier
	return r, nil
}

// replyTo returns where an authenticated but unusable request may be answered with an
// error: its response_uri (when the client may fetch it) and state, with the response
// encryption when the request asked for direct_post.jwt and named a usable key.
func (w *Wallet) replyTo(p *requestParams, clientID, prefix string, v VerifierInfo) *Request {
	if p.ResponseURI == "" || p.State == "" {
		return nil
	}
	if _, err := w.client.CheckURL(p.ResponseURI); err != nil {
		return nil
	}
	r := &Request{ClientID: clientID, ClientIDPrefix: prefix, Signed: true, ResponseMode: ResponseModeDirectPost,
		ResponseURI: p.ResponseURI, Nonce: p.Nonce, State: p.State, Verifier: v}
	if p.ResponseMode == ResponseModeDirectPostJWT {
		if enc, err := responseEncryption(p.ClientMetadata); err == nil {
			r.ResponseMode, r.Encryption = ResponseModeDirectPostJWT, enc
		}
	}
	return r
}

func certName(c *x509.Certificate) Names {
	if len(c.Subject.Organization) > 0 {
		return Names{"en": c.Subject.Organization[0]}
	}
	return Names{"en": c.Subject.CommonName}
}

func (w *Wallet) verifierTrust(chain []*x509.Certificate, now time.Time) (TrustSummary, bool) {
	s := TrustSummary{Subject: pki.NameString(chain[0].Subject)}
	if w.cfg.verifierTrust != nil {
		s = trustSummary(w.cfg.verifierTrust.Lookup(chain, now, now, w.cfg.verifierPolicy), chain[0])
		if s.Trusted {
			return s, true
		}
	}
	if w.cfg.verifierRoots != nil {
		inter := x509.NewCertPool()
		for _, c := range chain[1:] {
			inter.AddCert(c)
		}
		_, err := chain[0].Verify(x509.VerifyOptions{
			Roots: w.cfg.verifierRoots, Intermediates: inter, CurrentTime: now,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
		})
		if err == nil {
			s.RootsOnly = true
			return s, true
		}
	}
	return s, false
}

func prefixOf(clientID string) string {
	p, _, ok := strings.Cut(clientID, ":")
	if !ok {
		return ""
	}
	return p
}

func (w *Wallet) unsignedRequest(l *RequestLink) (*Request, error) {
	prefix, id, _ := strings.Cut(l.ClientID, ":")
	if prefix != PrefixRedirectURI {
		return nil, errorf(CodeInvalidRequest, nil, "an unsigned request needs the redirect_uri client_id prefix, not %q", prefix)
	}
	q := l.Params
	p := requestParams{
		ClientID: l.ClientID, ResponseType: q.Get("response_type"), ResponseMode: q.Get("response_mode"),
		ResponseURI: q.Get("response_uri"), RedirectURI: q.Get("redirect_uri"), Nonce: q.Get("nonce"),
		State: q.Get("state"), Scope: q.Get("scope"),
	}
	if p.ResponseURI == "" {
		p.ResponseURI = id
	}
	for name, dst := range map[string]*json.RawMessage{"dcql_query": &p.DCQLQuery, "client_metadata": &p.ClientMetadata,
		"transaction_data": &p.TransactionData, "presentation_definition": &p.PresentationDefinition} {
		if v := q.Get(name); v != "" {
			*dst = json.RawMessage(v)
		}
	}
	if p.ResponseURI != id {
		return nil, errorf(CodeInvalidRequest, nil, "response_uri is not the redirect_uri client id")
	}
	r, err := checkParams(w, &p)
	if err != nil {
		return nil, err
	}
	ru, _ := url.Parse(r.ResponseURI)
	r.ClientID, r.ClientIDPrefix = l.ClientID, PrefixRedirectURI
	r.Verifier = VerifierInfo{Name: Names{"en": ru.Hostname()}}
	return r, nil
}

func checkParams(w *Wallet, p *requestParams) (*Request, error) {
	if p.ResponseType != "vp_token" {
		return nil, errorf(CodeUnsupportedResponseMode, nil, "response_type %q", p.ResponseType)
	}
	if p.ResponseMode != ResponseModeDirectPost && p.ResponseMode != ResponseModeDirectPostJWT {
		return nil, errorf(CodeUnsupportedResponseMode, nil, "response_mode %q", p.ResponseMode)
	}
	if p.RedirectURI != "" {
		return nil, errorf(CodeInvalidRequest, nil, "redirect_uri with a direct_post response mode")
	}
	if p.ResponseURI == "" {
		return nil, errorf(CodeInvalidRequest, nil, "response_uri missing")
	}
	if _, err := w.client.CheckURL(p.ResponseURI); err != nil {
		return nil, errorf(CodeBlockedURL, err, "response_uri")
	}
	if p.Nonce == "" {
		return nil, errorf(CodeInvalidRequest, nil, "nonce is required")
	}
	if len(p.TransactionData) > 0 {
		return nil, errorf(CodeUnsupportedTransactionData, nil, "transaction_data is not supported")
	}
	if len(p.PresentationDefinition) > 0 || p.Scope != "" {
		return nil, errorf(CodeInvalidRequest, nil, "only dcql_query is supported")
	}
	if len(p.DCQLQuery) == 0 {
		return nil, errorf(CodeInvalidRequest, nil, "dcql_query missing")
	}
	q, err := dcql.Parse(p.DCQLQuery)
	if err != nil {
		return nil, errorf(CodeInvalidRequest, err, "dcql_query")
	}
	// state is required when a credential may be presented without holder binding (nothing
	// else would tie the response to this request), and otherwise recommended (OpenID4VP 1.0
	// §5.2).
	if p.State == "" && slices.ContainsFunc(q.Credentials, func(c dcql.CredentialQuery) bool { return !c.HolderBindingRequired() }) {
		return nil, errorf(CodeInvalidRequest, nil, "state is required when a credential is requested without holder binding")
	}
	r := &Request{ResponseMode: p.ResponseMode, ResponseURI: p.ResponseURI, Nonce: p.Nonce, State: p.State, Query: q}
	if p.ResponseMode == ResponseModeDirectPostJWT {
		enc, err := responseEncryption(p.ClientMetadata)
		if err != nil {
			return nil, err
		}
		r.Encryption = enc
	}
	return r, nil
}

func responseEncryption(raw json.RawMessage) (*ResponseEncryption, error) {
	var md clientMetadata
	if len(raw) == 0 {
		return nil, errorf(CodeInvalidRequest, nil, "direct_post.jwt without client_metadata")
	}
	if err := jose.DecodeJSON(raw, &md); err != nil || len(md.JWKS) == 0 {
		return nil, errorf(CodeInvalidRequest, err, "client_metadata without jwks")
	}
	keys, err := jose.ParseKeys(md.JWKS)
	if err != nil {
		return nil, errorf(CodeInvalidRequest, err, "client_metadata.jwks")
	}
	enc := jose.A128GCM
	if md.EncryptedResponseEncValuesSupported != nil {
		switch {
		case slices.Contains(md.EncryptedResponseEncValuesSupported, string(jose.A256GCM)):
			enc = jose.A256GCM
		case slices.Contains(md.EncryptedResponseEncValuesSupported, string(jose.A128GCM)):
		default:
			return nil, errorf(CodeInvalidRequest, nil, "no supported enc value")
		}
	}
	for _, k := range keys {
		pub, ok := k.Key.(*ecdsa.PublicKey)
		if !ok || pub.Curve != elliptic.P256() || k.Alg != "ECDH-ES" || (k.Use != "" && k.Use != "enc") || k.Kid == "" {
			continue
		}
		jwk, err := jose.MarshalPublicJWK(pub, k.Kid)
		if err != nil {
			continue
		}
		return &ResponseEncryption{JWK: jwk, Kid: k.Kid, Enc: enc}, nil
	}
	return nil, errorf(CodeInvalidRequest, nil, "no P-256 ECDH-ES encryption key with a kid in client_metadata.jwks")
}

func (w *Wallet) walletMetadata() []byte {
	algs := []string{"ES256", "ES384", "EdDSA"}
	md := map[string]any{
		"vp_formats_supported": map[string]any{
			FormatSDJWTVC:   map[string]any{"sd-jwt_alg_values": algs, "kb-jwt_alg_values": []string{"ES256"}},
			FormatJWTVCJSON: map[string]any{"alg_values": algs},
		},
		"client_id_prefixes_supported":                  []string{PrefixX509SANDNS, PrefixX509Hash, PrefixRedirectURI},
		"response_modes_supported":                      []string{ResponseModeDirectPost, ResponseModeDirectPostJWT},
		"request_object_signing_alg_values_supported":   algs,
		"authorization_encryption_alg_values_supported": []string{"ECDH-ES"},
		"authorization_encryption_enc_values_supported": []string{string(jose.A128GCM), string(jose.A256GCM)},
	}
	if w.cfg.walletIssuer != "" {
		md["issuer"] = w.cfg.walletIssuer
	}
	b, _ := json.Marshal(md)
	return b
}
