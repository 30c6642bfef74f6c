package sdjwt

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"math"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hashi-vc/hashi/internal/jose"
)

// VCType is the "typ" of an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc-18 §2.2.1).
const VCType = "dc+sd-jwt"

// LegacyVCType is the "typ" SD-JWT VC drafts used from July 2023 to November 2024. It is
// accepted only with VCPolicy.AllowLegacyTypUnsafe and never emitted.
const LegacyVCType = "vc+sd-jwt"

// neverSD lists the claims that an SD-JWT VC must not disclose selectively, nor anything
// inside them (draft-ietf-oauth-sd-jwt-vc-18 §2.2.2.3).
var neverSD = []string{"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "aka_vcts"}

// KeySource names a mechanism by which VerifyVC finds the issuer's verification key
// (draft-ietf-oauth-sd-jwt-vc-18 §2.5). Which mechanisms apply to an issuer is the caller's
// policy.
type KeySource string

const (
	// KeySourceX5C takes the key from the end-entity certificate of the "x5c" protected
	// header. The certificate chain is returned for the caller to judge (trust lists); this
	// package does not validate it.
	KeySourceX5C KeySource = "x5c"
	// KeySourceIssuerMetadata takes the key from the issuer's JWT VC Issuer Metadata
	// (/.well-known/jwt-vc-issuer), through VCPolicy.IssuerKeys, selected by "kid".
	KeySourceIssuerMetadata KeySource = "jwt-vc-issuer"
)

// IssuerKeyResolver returns the public keys that an SD-JWT VC issuer publishes in its JWT
// VC Issuer Metadata: the "jwks" member, or the JWK Set behind "jwks_uri". An implementation
// fetches JWTVCIssuerMetadataURL(iss), decodes it with ParseJWTVCIssuerMetadata (which
// checks that "issuer" equals iss), and follows "jwks_uri" when present, over https only,
// bounded in size and time, with SSRF checks. This package does no I/O itself.
type IssuerKeyResolver interface {
	ResolveIssuerKeys(ctx context.Context, iss string) ([]jose.KeyEntry, error)
}

// IssuerKeyResolverFunc adapts a function to IssuerKeyResolver.
type IssuerKeyResolverFunc func(ctx context.Context, iss string) ([]jose.KeyEntry, error)

// ResolveIssuerKeys calls f.
func (f IssuerKeyResolverFunc) ResolveIssuerKeys(ctx context.Context, iss string) ([]jose.KeyEntry, error) {
	return f(ctx, iss)
}

// VCPolicy is what a verifier expects of one SD-JWT VC: the SD-JWT Policy plus the issuer
// key mechanisms it allows. A zero VCPolicy is rejected.
type VCPolicy struct {
	Policy
	// KeySources are the mechanisms allowed to find the issuer key. Required (non-empty).
	// When both are allowed and the header carries "x5c", x5c is used.
	KeySources []KeySource
	// IssuerKeys resolves JWT VC Issuer Metadata keys. Required when KeySources contains
	// KeySourceIssuerMetadata.
	IssuerKeys IssuerKeyResolver
	// AllowLegacyTypUnsafe also accepts typ "vc+sd-jwt".
	//
	// WARNING: the legacy type predates draft -06; only turn this on for a known issuer that
	// has not moved to "dc+sd-jwt" yet. Default: false.
	AllowLegacyTypUnsafe bool
}

// StatusReference is the "status.status_list" claim of a referenced token
// (draft-ietf-oauth-status-list-20, "Referenced Token" in JOSE). Checking it is the caller's job.
type StatusReference struct {
	Index uint64 `json:"idx"`
	URI   string `json:"uri"`
}

// Credential is a verified SD-JWT VC.
type Credential struct {
	Verified
	// Issuer is the "iss" claim, empty when absent (it is optional since draft -13).
	Issuer string `json:"iss,omitempty"`
	// VCT is the "vct" claim.
	VCT string `json:"vct"`
	// Status is the status list reference, nil when the credential has no "status".
	Status *StatusReference `json:"status,omitempty"`
	// KeySource is the mechanism that supplied the issuer key.
	KeySource KeySource `json:"key_source"`
	// KeyID is the "kid" of the issuer JWT header, empty when absent.
	KeyID string `json:"kid,omitempty"`
	// X5C is the decoded "x5c" chain (leaf first) when KeySource is KeySourceX5C. It has
	// NOT been validated: the caller must build it to a trust anchor (trust lists) and
	// decide whether the leaf may issue this vct.
	X5C []*x509.Certificate `json:"-"`
}

// VerifyVC verifies an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc-18, wire-compatible with -13)
// or its presentation:
//   - typ is "dc+sd-jwt" ("vc+sd-jwt" only with AllowLegacyTypUnsafe);
//   - the issuer key comes from a mechanism in KeySources: the leaf of the protected "x5c"
//     header, or the JWT VC Issuer Metadata keys of "iss" (an https URL) through
//     IssuerKeys, selected by "kid" (without kid only when exactly one key is published);
//   - everything Verify checks (signature, _sd_alg, disclosures, validity period, cnf and
//     the KB-JWT as the policy's KeyBinding says);
//   - "vct" is a non-empty string, "iss" (when present) a string, "vct#integrity" (when
//     present) a string, "status" (when present) holds status_list {idx: integer >= 0,
//     uri: string};
//   - iss, nbf, exp, cnf, vct, vct#integrity, status and aka_vcts, and anything inside
//     them, are not selectively disclosed.
//
// VerifyVC does NOT validate the x5c chain, does not check that "iss" matches the leaf
// certificate, and does not decide whether the issuer is trusted (the chain is returned in
// Credential.X5C for that), does not fetch or check the status list, does not
// fetch or process vct type metadata, and does not check nonce freshness. It performs no I/O
// except through IssuerKeys.
//
// On failure the error is an *Error whose Checks lists the checks performed so far.
//
// Specifications: draft-ietf-oauth-sd-jwt-vc-18 §2.2, §2.4, §2.5, §3
// (https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/), RFC 9901 §7.
func (u *Unverified) VerifyVC(ctx context.Context, p VCPolicy) (*Credential, error) {
	r := &run{checks: make([]Check, 0, 24)}
	if err := p.check(); err != nil {
		return nil, r.failErr("policy", err, CodeInvalidPolicy)
	}
	typ := u.jws.Header.Typ
	switch {
	case jose.TypeEqual(typ, VCType):
		r.pass("typ", typ)
	case p.AllowLegacyTypUnsafe && jose.TypeEqual(typ, LegacyVCType):
		r.pass("typ", typ+" (legacy, allowed by AllowLegacyTypUnsafe)")
	default:
		return nil, r.fail("typ", errorf(CodeWrongType, nil, "typ is %q, want %q", typ, VCType))
	}
	payload, err := decodeObject(u.jws.Payload, "issuer JWT payload")
	if err != nil {
		return nil, r.failErr("payload", err, CodeMalformed)
	}
	c := &Credential{KeyID: u.jws.Header.Kid}
	key, err := u.issuerKey(ctx, &p, payload, c)
	if err != nil {
		return nil, r.failErr("issuer_key", err, CodeUnknownIssuerKey)
	}
	detail := string(c.KeySource)
	if c.KeyID != "" {
		detail += " kid=" + c.KeyID
	}
	r.pass("issuer_key", detail)
	if err := u.verify(r, &c.Verified, key, &p.Policy, payload, &vcChecker{c: c}); err != nil {
		return nil, err
	}
	return c, nil
}

func (p *VCPolicy) check() error {
	if err := p.Policy.check(true); err != nil {
		return err
	}
	if p.Type != "" && p.Type != VCType {
		return errorf(CodeInvalidPolicy, nil, "VCPolicy.Type must be empty or %q", VCType)
	}
	if len(p.KeySources) == 0 {
		return errorf(CodeInvalidPolicy, nil, "VCPolicy.KeySources is empty: no mechanism may supply the issuer key")
	}
	for _, s := range p.KeySources {
		switch s {
		case KeySourceX5C:
		case KeySourceIssuerMetadata:
			if p.IssuerKeys == nil {
				return errorf(CodeInvalidPolicy, nil, "VCPolicy.IssuerKeys is nil but %s is allowed", s)
			}
		default:
			return errorf(CodeInvalidPolicy, nil, "unknown key source %q", s)
		}
	}
	return nil
}

// issuerKey finds the issuer verification key with an allowed mechanism.
func (u *Unverified) issuerKey(ctx context.Context, p *VCPolicy, payload map[string]any, c *Credential) (crypto.PublicKey, error) {
	h := &u.jws.Header
	if len(h.X5C) > 0 && slices.Contains(p.KeySources, KeySourceX5C) {
		certs, err := jose.ParseX5C(h.X5C)
		if err != nil {
			return nil, fromJOSE(err, CodeInvalidCertificate, "x5c header")
		}
		c.KeySource, c.X5C = KeySourceX5C, certs
		return certs[0].PublicKey, nil
	}
	if !slices.Contains(p.KeySources, KeySourceIssuerMetadata) {
		return nil, errorf(CodeUnknownIssuerKey, nil, "no allowed key source applies (the header has no x5c, and JWT VC Issuer Metadata is not allowed)")
	}
	iss, ok := payload["iss"].(string)
	if !ok {
		return nil, errorf(CodeUnknownIssuerKey, nil, "JWT VC Issuer Metadata needs an iss claim")
	}
	if !plausibleHTTPSURL(iss) {
		return nil, errorf(CodeUnknownIssuerKey, nil, "iss %q is not an https URL, so JWT VC Issuer Metadata cannot apply", iss)
	}
	keys, err := p.IssuerKeys.ResolveIssuerKeys(ctx, iss)
	if err != nil {
		return nil, errorf(CodeUnknownIssuerKey, err, "resolve JWT VC Issuer Metadata keys of %q", iss)
	}
	c.KeySource = KeySourceIssuerMetadata
	return selectKey(keys, h.Kid, h.Alg)
}

// plausibleHTTPSURL is a cheap screen for an issuer identifier usable with JWT VC Issuer
// Metadata: "https://", a non-empty host, no user info, query, fragment, space or control
// character. The resolver derives the metadata URL with JWTVCIssuerMetadataURL, which parses
// it fully.
func plausibleHTTPSURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok || rest == "" || rest[0] == '/' {
		return false
	}
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c <= ' ', c == 0x7f, c == '?', c == '#', c == '@', c == '\\':
			return false
		}
	}
	return true
}

// selectKey picks the issuer key by kid. Without a kid it takes the only usable key. Keys
// whose "use" is not "sig" or whose "alg" differs from the header's are not usable.
func selectKey(keys []jose.KeyEntry, kid, alg string) (crypto.PublicKey, error) {
	var (
		found crypto.PublicKey
		n     int
	)
	for _, k := range keys {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if k.Alg != "" && k.Alg != alg {
			continue
		}
		if kid != "" && k.Kid != kid {
			continue
		}
		found = k.Key
		n++
	}
	switch {
	case n == 1:
		return found, nil
	case n == 0 && kid != "":
		return nil, errorf(CodeUnknownIssuerKey, nil, "the issuer publishes no usable key with kid %q", kid)
	case n == 0:
		return nil, errorf(CodeUnknownIssuerKey, nil, "the issuer publishes no usable key")
	case kid != "":
		return nil, errorf(CodeUnknownIssuerKey, nil, "the issuer publishes %d keys with kid %q", n, kid)
	default:
		return nil, errorf(CodeUnknownIssuerKey, nil, "the issuer JWT has no kid and the issuer publishes %d keys", n)
	}
}

// vcChecker applies the SD-JWT VC claim rules inside Verify's sequence.
type vcChecker struct {
	c *Credential
}

func (vc *vcChecker) check(r *run, v *Verified, proc *processor) error {
	for i, d := range v.Disclosures {
		if !proc.used[i] || len(d.Path) == 0 {
			continue
		}
		if name, ok := d.Path[0].(string); ok && slices.Contains(neverSD, name) {
			return r.fail("sd_forbidden_claims", errorf(CodeForbiddenSDClaim, nil,
				"%s is selectively disclosed (disclosure %d), but SD-JWT VC requires it in plain text", d.Path, i))
		}
	}
	r.pass("sd_forbidden_claims", "")

	vct, ok := v.Claims["vct"].(string)
	if !ok || vct == "" {
		return r.fail("vct", errorf(CodeInvalidClaim, nil, "vct is missing or not a non-empty string"))
	}
	vc.c.VCT = vct
	r.pass("vct", vct)
	if integ, ok := v.Claims["vct#integrity"]; ok {
		if _, ok := integ.(string); !ok {
			return r.fail("vct", errorf(CodeInvalidClaim, nil, "vct#integrity is not a string"))
		}
	}

	if iss, ok := v.Claims["iss"]; ok {
		s, ok := iss.(string)
		if !ok || s == "" {
			return r.fail("iss", errorf(CodeInvalidClaim, nil, "iss is not a non-empty string"))
		}
		vc.c.Issuer = s
		r.pass("iss", s)
	}

	if st, ok := v.Claims["status"]; ok {
		ref, err := statusReference(st)
		if err != nil {
			return r.failErr("status", err, CodeInvalidClaim)
		}
		vc.c.Status = &ref
		r.pass("status", ref.URI+"#"+strconv.FormatUint(ref.Index, 10))
	}
	return nil
}

// statusReference reads {"status_list": {"idx": n, "uri": "..."}}. A status claim without a
// status_list (an unknown mechanism) is rejected: passing it on silently would let a
// revocable credential look unrevocable.
// It returns a value, not a pointer, so that issuance checks it without an allocation.
func statusReference(v any) (StatusReference, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return StatusReference{}, errorf(CodeInvalidClaim, nil, "status is not a JSON object")
	}
	sl, ok := m["status_list"].(map[string]any)
	if !ok {
		return StatusReference{}, errorf(CodeInvalidClaim, nil, "status has no status_list object (no other status mechanism is supported)")
	}
	idx, ok := asUint(sl["idx"])
	if !ok {
		return StatusReference{}, errorf(CodeInvalidClaim, nil, "status_list.idx is not a non-negative integer")
	}
	uri, ok := sl["uri"].(string)
	if !ok || uri == "" {
		return StatusReference{}, errorf(CodeInvalidClaim, nil, "status_list.uri is missing or not a string")
	}
	return StatusReference{Index: idx, URI: uri}, nil
}

// checkVCPaths applies the SD-JWT VC rule on the paths given to Issue: nothing in neverSD
// may be selectively disclosable.
func checkVCPaths(disclosable []Path) error {
	for _, p := range disclosable {
		if len(p) > 0 {
			if name, ok := p[0].(string); ok && slices.Contains(neverSD, name) {
				return errorf(CodeForbiddenSDClaim, nil, "%s may not be selectively disclosable in an SD-JWT VC", p)
			}
		}
	}
	return nil
}

// checkVCClaims applies the SD-JWT VC rules to the claims given to Issue. Issue calls it
// once its encoding walk has bounded their depth (normalize recurses).
func checkVCClaims(claims map[string]any) error {
	if vct, ok := claims["vct"].(string); !ok || vct == "" {
		return errorf(CodeInvalidClaim, nil, "an SD-JWT VC needs a vct string")
	}
	if iss, ok := claims["iss"]; ok {
		s, ok := iss.(string)
		if !ok {
			return errorf(CodeInvalidClaim, nil, "iss is not a string")
		}
		if ok, err := isHTTPSURL(s); !ok && !isLoopbackHTTPURL(s) {
			return errorf(CodeInvalidClaim, err, "iss %q is not an https URL (or an http URL on a loopback host)", s)
		}
	}
	for _, name := range [...]string{"iat", "nbf", "exp"} {
		if v, ok := claims[name]; ok && !isNumber(v) {
			return errorf(CodeInvalidClaim, nil, "%s is not a number", name)
		}
	}
	if cnf, ok := claims["cnf"]; ok && !isECConfirmationKey(cnf) {
		key, err := confirmationKey(cnf)
		if err != nil {
			// maybe only a Go type the decoder would not produce (map[string]string, ...)
			key, err = confirmationKey(normalize(cnf))
		}
		if err != nil {
			return err
		}
		if key == nil {
			return errorf(CodeInvalidClaim, nil, "cnf has no jwk")
		}
	}
	if st, ok := claims["status"]; ok {
		if _, err := statusReference(st); err != nil {
			if _, err := statusReference(normalize(st)); err != nil {
				return err
			}
		}
	}
	return nil
}

// isHTTPSURL reports whether url.Parse accepts s with scheme "https" and a non-empty host,
// returning the parse error if any. Plain URLs (see plainHTTPSURL) are accepted without
// parsing: url.Parse accepts all of them, and skipping it saves an allocation per issuance.
func isHTTPSURL(s string) (bool, error) {
	if plainHTTPSURL(s) {
		return true, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return false, err
	}
	return u.Scheme == "https" && u.Host != "", nil
}

// isLoopbackHTTPURL reports whether s is an http URL on localhost or a loopback address: an
// issuer running on the developer's machine (hashi demo), which the issuer's configuration
// allows only explicitly. SD-JWT VC does not require https for iss; only JWT VC Issuer
// Metadata does, and resolving it still requires https.
func isLoopbackHTTPURL(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "http" || u.Host == "" || u.User != nil {
		return false
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// plainHTTPSURL reports whether s is "https://host[/path]" with a non-empty host of ASCII
// letters, digits, '.' and '-', and a path of ASCII letters, digits, "-._~" and '/'.
func plainHTTPSURL(s string) bool {
	rest, ok := strings.CutPrefix(s, "https://")
	if !ok {
		return false
	}
	host, path, _ := strings.Cut(rest, "/")
	if host == "" {
		return false
	}
	for i := 0; i < len(host); i++ {
		if c := host[i]; !isAlnum(c) && c != '.' && c != '-' {
			return false
		}
	}
	for i := 0; i < len(path); i++ {
		if c := path[i]; !isAlnum(c) && !strings.ContainsRune("-._~/", rune(c)) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// isECConfirmationKey reports whether cnf is {"jwk": a public P-256/P-384 EC JWK whose point
// is on the curve}, validated without building the key (8 allocations fewer per issuance).
// Anything else, valid or not, is left to confirmationKey.
func isECConfirmationKey(cnf any) bool {
	c, ok := cnf.(map[string]any)
	if !ok {
		return false
	}
	m, ok := c["jwk"].(map[string]any)
	return ok && jose.IsPublicECJWK(m)
}

// asUint reads a non-negative integer from a decoded number or a Go integer.
func asUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.ParseUint(string(x), 10, 64)
		return n, err == nil
	case int:
		return asUint(int64(x))
	case int32:
		return asUint(int64(x))
	case int64:
		if x < 0 {
			return 0, false
		}
		return uint64(x), true
	case uint:
		return uint64(x), true
	case uint64:
		return x, true
	case uint32:
		return uint64(x), true
	case float64:
		if x >= 0 && x < 1<<63 && x == math.Trunc(x) {
			return uint64(x), true
		}
	}
	return 0, false
}

func isNumber(v any) bool {
	switch v.(type) {
	case json.Number, int, int32, int64, uint, uint32, uint64, float32, float64:
		return true
	}
	return false
}

// normalize turns a Go value into the generic form the decoder produces (numbers as
// json.Number), so that issuance checks the claims exactly as a verifier will read them.
func normalize(v any) any {
	b, err := appendJSON(nil, v)
	if err != nil {
		return v
	}
	out, err := decodeJSON(b)
	if err != nil {
		return v
	}
	return out
}
