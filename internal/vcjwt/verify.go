package vcjwt

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/statuslist"
)

// TypeJWT is the only "typ" a jwt_vc_json credential or presentation may carry (VCDM 1.1
// §6.3.1); it may also be absent.
const TypeJWT = "JWT"

// KeySource says where the key that verified a token came from.
type KeySource string

// The key sources.
const (
	KeySourceKey       KeySource = "key"     // Policy.Key
	KeySourceKeySet    KeySource = "jwks"    // Policy.Keys, selected by kid
	KeySourceX5C       KeySource = "x5c"     // the leaf of the token's x5c header (Policy.AllowX5C)
	KeySourceDIDJWK    KeySource = "did:jwk" // presentation: the holder's did:jwk in iss
	KeySourceHeaderJWK KeySource = "jwk"     // presentation: the "jwk" header
)

// Policy holds what the caller expects of a credential. The zero Policy rejects every token.
type Policy struct {
	// Now is the instant validity is judged at. Required: a zero Now is an error.
	Now time.Time
	// Algorithms is the allow-list of signature algorithms (e.g. jose.ES256). Required.
	// "none" and HMAC algorithms are never accepted.
	Algorithms []jose.Algorithm
	// ClockSkew is tolerated on every time comparison. Default: 0. At most MaxClockSkew.
	ClockSkew time.Duration

	// Key, when set, is the issuer's public key, and verifies every token whatever its
	// "kid" says. Key and Keys are mutually exclusive.
	Key crypto.PublicKey
	// Keys is a set of issuer keys, e.g. from the issuer's JWK Set. The token's "kid"
	// selects the entry with exactly that kid; a token without kid may use the set only
	// when it holds one key. Entries whose "use" is not "sig", or whose "alg" differs from
	// the token's, are not used.
	Keys []jose.KeyEntry
	// AllowX5C lets the leaf certificate of the token's "x5c" header supply the key when
	// neither Key nor Keys selects one.
	//
	// WARNING: Verify decodes the chain but does not judge it: the caller must decide
	// whether Result.Chain is trusted (e.g. against a trust list, at Result.IssuanceDate and
	// at Now) whenever Result.KeySource is KeySourceX5C. Until then the credential is only
	// self-consistent.
	AllowX5C bool
}

func (p *Policy) check() *Error {
	switch {
	case p.Now.IsZero():
		return errorf(CodeInvalidPolicy, nil, "Policy.Now is zero")
	case len(p.Algorithms) == 0:
		return errorf(CodeInvalidPolicy, nil, "Policy.Algorithms is empty")
	case p.ClockSkew < 0 || p.ClockSkew > MaxClockSkew:
		return errorf(CodeInvalidPolicy, nil, "Policy.ClockSkew %s is outside [0, %s]", p.ClockSkew, MaxClockSkew)
	case p.Key != nil && len(p.Keys) > 0:
		return errorf(CodeInvalidPolicy, nil, "Policy.Key and Policy.Keys are both set")
	case p.Key == nil && len(p.Keys) == 0 && !p.AllowX5C:
		return errorf(CodeInvalidPolicy, nil, "Policy has no key source (Key, Keys or AllowX5C)")
	}
	return nil
}

// Result is a verified jwt_vc_json credential.
type Result struct {
	// Raw is the compact JWS as received.
	Raw string
	// Credential is the VCDM 1.1 decoding of the token (§6.3.1): the "vc" claim with iss,
	// sub, jti, nbf and exp inserted as issuer, credentialSubject.id, id, issuanceDate and
	// expirationDate where the vc lacks them. JSON numbers are json.Number values.
	Credential map[string]any
	// Claims is the JWT claims set exactly as signed.
	Claims map[string]any

	Issuer  string   // iss, or vc.issuer (its id when an object)
	Subject string   // sub, or vc.credentialSubject.id; empty for bearer credentials
	ID      string   // jti, or vc.id; may be empty
	Types   []string // vc.type

	IssuanceDate   time.Time // nbf, or vc.issuanceDate (UTC, whole seconds from nbf)
	ExpirationDate time.Time // exp, or vc.expirationDate; zero when the credential does not expire
	IssuedAt       time.Time // iat; zero when absent

	Algorithm jose.Algorithm
	Kid       string              // the "kid" header, if any
	KeySource KeySource           // where the verifying key came from
	Key       crypto.PublicKey    // the key that verified the signature
	Chain     []*x509.Certificate // the decoded x5c chain, leaf first, when KeySource is KeySourceX5C; NOT judged

	// HolderKey is the key the credential binds its holder to: cnf.jwk, or the public key of
	// a did:jwk subject; nil for a bearer credential or a subject of another DID method.
	HolderKey crypto.PublicKey

	// Status is the Token Status List reference of a "status" claim; nil when absent. Verify
	// checks its shape only: fetching the list and reading the entry is the caller's job.
	Status *statuslist.Reference

	// Checks lists every check performed, in order, all OK.
	Checks []Check
}

// Unverified is a parsed jwt_vc_json credential whose signature and claims have not been
// checked. Nothing in it is trustworthy until Verify succeeds; use it to choose keys (Header.Kid,
// Header.X5C, Issuer) or to display a credential as "unverified".
type Unverified struct {
	Header jose.Header
	// Claims is the JWT claims set as received.
	Claims map[string]any

	jws    *jose.JWS
	view   *vcView
	checks []Check
}

// Raw returns the compact JWS as received.
func (u *Unverified) Raw() string { return u.jws.Raw() }

// Issuer returns the unverified issuer: iss, else vc.issuer (or its id).
func (u *Unverified) Issuer() string {
	if s, ok := u.Claims["iss"].(string); ok {
		return s
	}
	return u.view.issuer
}

// ParseUnverified decodes a jwt_vc_json credential and checks its form, not its signature:
// a compact JWS (jose.Parse) of at most MaxCredentialSize bytes whose payload is a strict
// JSON object; "typ" absent or "JWT" and no "cty" (VCDM 1.1 §6.3.1); a "vc" claim that is a
// VCDM 1.1 credential (@context starting with ContextV1, type including
// "VerifiableCredential", credentialSubject a single object, issuer/id/issuanceDate/
// expirationDate/credentialSubject.id of the right types); and, since a VCDM 1.1 JWT cannot
// be explicitly typed, that it carries no claim of another token kind (RFC 8725 §3.12: "vct",
// "vp", "status_list", "sd_hash", "@context", "credentialSubject", "htm", "htu",
// "response_type", "nonce" together with "aud", or "_sd"/"_sd_alg"/"..." at any depth).
func ParseUnverified(raw string) (*Unverified, error) {
	var c checker
	j, claims, err := c.parseTyped(raw, MaxCredentialSize, "credential")
	if err != nil {
		return nil, err
	}
	vc, ok := claims["vc"]
	if !ok {
		return nil, c.fail(CheckShape, claimErrorf(CodeNotAVC, "vc", `no "vc" claim`))
	}
	w, verr := viewVC(vc)
	if verr != nil {
		return nil, c.fail(CheckShape, verr)
	}
	c.ok(CheckShape, "vc is a VCDM 1.1 credential of type "+strings.Join(w.types, ", "))
	if err := exclusive(claims, foreignVCClaims, true); err != nil {
		return nil, c.fail(CheckExclusive, err)
	}
	c.ok(CheckExclusive, "no claim of another token kind")
	return &Unverified{Header: j.Header, Claims: claims, jws: j, view: w, checks: c.checks}, nil
}

// parseJWT parses a compact JWS whose payload is a JSON object.
// parseTyped runs the checks every VCDM 1.1 JWT (credential or presentation) starts with,
// recording each: its size, its form (a compact JWS with a JSON object payload) and its typ.
func (c *checker) parseTyped(raw string, maxSize int, what string) (*jose.JWS, map[string]any, *Error) {
	if len(raw) > maxSize {
		return nil, nil, c.fail(CheckJWS, errorf(CodeMalformed, nil, "%s is %d bytes, more than %d", what, len(raw), maxSize))
	}
	j, claims, err := parseJWT(raw)
	if err != nil {
		return nil, nil, c.fail(CheckJWS, err)
	}
	c.ok(CheckJWS, "compact JWS with a JSON object payload")
	if err := checkTyp(&j.Header); err != nil {
		return nil, nil, c.fail(CheckType, err)
	}
	c.ok(CheckType, typDetail(j.Header.Typ))
	return j, claims, nil
}

func parseJWT(raw string) (*jose.JWS, map[string]any, *Error) {
	j, err := jose.Parse(raw)
	if err != nil {
		return nil, nil, errorf(CodeMalformed, err, "compact JWS")
	}
	claims, err := decodeObject(j.Payload)
	if err != nil {
		return nil, nil, errorf(CodeMalformed, err, "JWT claims set")
	}
	return j, claims, nil
}

// checkTyp applies VCDM 1.1 §6.3.1: "typ", if present, is "JWT". A "cty" would announce a
// nested or VCDM 2.0 payload and is refused.
func checkTyp(h *jose.Header) *Error {
	if h.Typ != "" && !jose.TypeEqual(h.Typ, TypeJWT) {
		return errorf(CodeWrongType, nil, "typ is %q, want %q or none", h.Typ, TypeJWT)
	}
	var cty any
	if present, err := h.Member("cty", &cty); err != nil || present {
		return errorf(CodeWrongType, nil, `a "cty" header is not allowed`)
	}
	return nil
}

func typDetail(typ string) string {
	if typ == "" {
		return "no typ (allowed for VCDM 1.1)"
	}
	return "typ " + typ
}

// Verify parses and verifies a jwt_vc_json credential; see Unverified.Verify.
func Verify(raw string, p Policy) (*Result, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	u, err := ParseUnverified(raw)
	if err != nil {
		return nil, err
	}
	return u.Verify(p)
}

// Verify checks the credential under p and returns its verified content.
//
// It checks, in order (each a Check in the result): the form checked by ParseUnverified;
// that "alg" is in p.Algorithms; that a key of p applies (Key; else the Keys entry with the
// token's kid; else the x5c leaf when AllowX5C); the signature over the exact bytes
// received; the claim consistency rules of VCDM 1.1 §6.3.1 (iss = vc.issuer or its id,
// sub = vc.credentialSubject.id, jti = vc.id, nbf = vc.issuanceDate and exp =
// vc.expirationDate to the second; where both are present they must agree, a property
// without its claim is refused, a claim without its property is inserted, and issuer and
// issuance date must come from one or the other); that cnf.jwk and a did:jwk subject, when
// present, decode and name the same key; and, at p.Now with p.ClockSkew, that nbf/
// issuanceDate and iat are not in the future and exp/expirationDate has not passed.
//
// Verify does NOT judge the x5c chain (Result.Chain is for the caller's trust decision),
// resolve DIDs other than did:jwk, fetch keys ("jku", "x5u", DID documents or issuer
// metadata), check credentialStatus or revocation, validate credentialSchema, process
// JSON-LD, nor check holder binding (VerifyPresentation does). A "kid" is an opaque lookup
// key.
//
// Specifications: https://www.w3.org/TR/2022/REC-vc-data-model-20220303/#json-web-token,
// https://www.rfc-editor.org/rfc/rfc8725#section-3.12.
func (u *Unverified) Verify(p Policy) (*Result, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	c := checker{checks: slices.Clone(u.checks)}
	alg := jose.Algorithm(u.Header.Alg)
	if !algAllowed(alg, p.Algorithms) {
		return nil, c.fail(CheckAlgorithm, errorf(CodeUnsupportedAlgorithm, nil, "algorithm %q is not allowed (allowed: %v)", u.Header.Alg, p.Algorithms))
	}
	c.ok(CheckAlgorithm, "alg "+u.Header.Alg)
	key, src, chain, err := selectKey(&u.Header, &p)
	if err != nil {
		return nil, c.fail(CheckKey, err)
	}
	c.ok(CheckKey, keyDetail(src, u.Header.Kid))
	if err := u.jws.Verify(key, p.Algorithms...); err != nil {
		return nil, c.fail(CheckSignature, mapJOSE(err))
	}
	c.ok(CheckSignature, "signature verifies")
	reg, err := consistent(u.Claims, u.view)
	if err != nil {
		return nil, c.fail(CheckClaims, err)
	}
	c.ok(CheckClaims, "iss, sub, jti, nbf and exp agree with the credential")
	hk, hkSrc, err := holderKey(u.Claims, reg.subject)
	if err != nil {
		return nil, c.fail(CheckHolderKey, err)
	}
	switch hkSrc {
	case "":
		c.ok(CheckHolderKey, "no holder key (bearer credential or unresolved subject)")
	default:
		c.ok(CheckHolderKey, "holder key from "+hkSrc)
	}
	if err := validity(reg, p.Now, p.ClockSkew); err != nil {
		return nil, c.fail(CheckValidity, err)
	}
	c.ok(CheckValidity, "valid at "+p.Now.UTC().Format(time.RFC3339))
	var status *statuslist.Reference
	if raw, ok := u.Claims["status"]; ok {
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, c.fail(CheckClaims, claimErrorf(CodeInvalidClaim, "status", "status does not encode"))
		}
		ref, err := statuslist.ParseReference(b)
		if err != nil {
			return nil, c.fail(CheckClaims, &Error{Code: CodeInvalidClaim, Claim: "status", Msg: "status is not a status list reference", Err: err})
		}
		status = &ref
	}
	return &Result{
		Status:         status,
		Raw:            u.Raw(),
		Credential:     merge(u.view, reg),
		Claims:         u.Claims,
		Issuer:         reg.issuer,
		Subject:        reg.subject,
		ID:             reg.id,
		Types:          slices.Clone(u.view.types),
		IssuanceDate:   reg.issuanceDate,
		ExpirationDate: reg.expirationDate,
		IssuedAt:       reg.issuedAt,
		Algorithm:      alg,
		Kid:            u.Header.Kid,
		KeySource:      src,
		Key:            key,
		Chain:          chain,
		HolderKey:      hk,
		Checks:         c.checks,
	}, nil
}

// algAllowed reports whether alg is in the caller's list and is not "none" or an HMAC, which
// hashi never accepts (RFC 8725 §3.1, §3.2) even when listed.
func algAllowed(alg jose.Algorithm, allowed []jose.Algorithm) bool {
	a := strings.ToUpper(string(alg))
	return slices.Contains(allowed, alg) && a != "NONE" && !strings.HasPrefix(a, "HS")
}

// validity judges the credential's dates at now.
func validity(r *registered, now time.Time, skew time.Duration) *Error {
	if now.Add(skew).Before(r.issuanceDate) {
		return claimErrorf(CodeNotYetValid, r.nbfName, "not valid before %s", r.issuanceDate.Format(time.RFC3339))
	}
	if !r.issuedAt.IsZero() && now.Add(skew).Before(r.issuedAt) {
		return claimErrorf(CodeNotYetValid, "iat", "issued in the future, at %s", r.issuedAt.Format(time.RFC3339))
	}
	if r.expName != "" && !now.Add(-skew).Before(r.expirationDate) {
		return claimErrorf(CodeExpired, r.expName, "expired at %s", r.expirationDate.Format(time.RFC3339))
	}
	return nil
}

// selectKey picks the verification key under the caller's policy; see Policy.
func selectKey(h *jose.Header, p *Policy) (crypto.PublicKey, KeySource, []*x509.Certificate, *Error) {
	if p.Key != nil {
		return p.Key, KeySourceKey, nil, nil
	}
	if len(p.Keys) > 0 {
		var cands []jose.KeyEntry
		for _, e := range p.Keys {
			if e.Use != "" && e.Use != "sig" {
				continue
			}
			if h.Kid != "" && e.Kid == h.Kid || h.Kid == "" && len(p.Keys) == 1 {
				cands = append(cands, e)
			}
		}
		switch {
		case len(cands) > 1:
			return nil, "", nil, errorf(CodeUnknownKey, nil, "kid %q selects %d keys", h.Kid, len(cands))
		case len(cands) == 1:
			if cands[0].Alg != "" && cands[0].Alg != h.Alg {
				return nil, "", nil, errorf(CodeUnknownKey, nil, "key %q is for %s, token uses %s", cands[0].Kid, cands[0].Alg, h.Alg)
			}
			return cands[0].Key, KeySourceKeySet, nil, nil
		}
	}
	if p.AllowX5C && len(h.X5C) > 0 {
		chain, err := jose.ParseX5C(h.X5C)
		if err != nil {
			return nil, "", nil, errorf(CodeInvalidCertificate, err, "x5c")
		}
		return chain[0].PublicKey, KeySourceX5C, chain, nil
	}
	if h.Kid != "" {
		return nil, "", nil, errorf(CodeUnknownKey, nil, "no key for kid %q", h.Kid)
	}
	return nil, "", nil, errorf(CodeUnknownKey, nil, "no key for a token without kid")
}

func keyDetail(src KeySource, kid string) string {
	if kid != "" {
		return fmt.Sprintf("key from %s (kid %q)", src, kid)
	}
	return fmt.Sprintf("key from %s", src)
}

// mapJOSE turns a jose signature verification error into this package's code.
func mapJOSE(err error) *Error {
	switch jose.CodeOf(err) {
	case jose.CodeUnsupportedAlgorithm:
		return errorf(CodeUnsupportedAlgorithm, err, "algorithm")
	case jose.CodeKeyMismatch:
		return errorf(CodeUnknownKey, err, "the selected key cannot verify this algorithm")
	case jose.CodeInvalidSignature:
		return errorf(CodeInvalidSignature, err, "signature")
	default:
		return errorf(CodeMalformed, err, "verify")
	}
}
