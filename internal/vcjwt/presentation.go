package vcjwt

import (
	"crypto"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// HolderHeader returns the protected header a holder's jose.Signer should carry for a VP
// JWT: "typ" "JWT" and "kid" the holder's did:jwk DID URL ("did:jwk:…#0").
func HolderHeader(pub crypto.PublicKey) (jose.SignHeader, error) {
	did, err := DIDJWK(pub)
	if err != nil {
		return jose.SignHeader{}, err
	}
	return jose.SignHeader{Typ: TypeJWT, Kid: did + "#0"}, nil
}

// PresentationOptions are the inputs of CreatePresentation besides the credentials.
type PresentationOptions struct {
	// Audience becomes "aud": the verifier's full client_id, prefix included
	// (OpenID4VP 1.0 §8.6). Required.
	Audience string
	// Nonce becomes "nonce": the nonce of the authorization request. Required.
	Nonce string
	// IssuedAt becomes "iat". Required: a zero IssuedAt is an error.
	IssuedAt time.Time
	// Expires, when set, becomes "exp" and must be after IssuedAt. Default: no exp.
	Expires time.Time
	// ID becomes "jti". Default: a random "urn:uuid:" UUID (version 4).
	ID string
}

// CreatePresentation signs an OpenID4VP jwt_vc_json presentation (a VCDM 1.1 VP JWT) of
// credentials with the holder's signer, whose header should come from HolderHeader. The
// claims are iss (the did:jwk of the signer's key: hashi's holders are did:jwk), aud, nonce,
// iat, exp (if set), jti, and vp {@context [ContextV1], type ["VerifiablePresentation"],
// verifiableCredential [credentials...]}.
//
// Each credential must parse as a jwt_vc_json credential (ParseUnverified); its signature is
// not checked here. CreatePresentation does not check that the credentials are bound to the
// signer's key: VerifyPresentation does.
func CreatePresentation(holder *jose.Signer, credentials []string, opts PresentationOptions) (string, error) {
	switch {
	case holder == nil:
		return "", errorf(CodeInvalidInput, nil, "no holder signer")
	case opts.Audience == "":
		return "", errorf(CodeInvalidInput, nil, "PresentationOptions.Audience is empty")
	case opts.Nonce == "":
		return "", errorf(CodeInvalidInput, nil, "PresentationOptions.Nonce is empty")
	case opts.IssuedAt.IsZero():
		return "", errorf(CodeInvalidInput, nil, "PresentationOptions.IssuedAt is zero")
	case !opts.Expires.IsZero() && !opts.Expires.After(opts.IssuedAt):
		return "", errorf(CodeInvalidInput, nil, "PresentationOptions.Expires is not after IssuedAt")
	case len(credentials) == 0 || len(credentials) > MaxPresentationCredentials:
		return "", errorf(CodeInvalidInput, nil, "a presentation holds 1 to %d credentials, not %d", MaxPresentationCredentials, len(credentials))
	}
	vcs := make([]any, len(credentials))
	for i, cred := range credentials {
		if _, err := ParseUnverified(cred); err != nil {
			return "", &Error{Code: CodeInvalidInput, Msg: fmt.Sprintf("credential %d is not a jwt_vc_json credential", i), Err: err}
		}
		vcs[i] = cred
	}
	iss, err := DIDJWK(holder.Public())
	if err != nil {
		return "", err
	}
	id := opts.ID
	if id == "" {
		id = newUUID()
	}
	claims := map[string]any{
		"iss":   iss,
		"aud":   opts.Audience,
		"nonce": opts.Nonce,
		"iat":   opts.IssuedAt.Unix(),
		"jti":   id,
		"vp": map[string]any{
			"@context":             []any{ContextV1},
			"type":                 []any{TypeVerifiablePresentation},
			"verifiableCredential": vcs,
		},
	}
	if !opts.Expires.IsZero() {
		claims["exp"] = opts.Expires.Unix()
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", errorf(CodeInvalidInput, err, "encode claims")
	}
	tok, err := holder.Sign(payload)
	if err != nil {
		return "", errorf(CodeInvalidInput, err, "sign")
	}
	j, err := jose.Parse(tok)
	if err != nil {
		return "", errorf(CodeMalformed, err, "signed presentation")
	}
	if e := checkTyp(&j.Header); e != nil {
		return "", e
	}
	return tok, nil
}

// newUUID returns a random version 4 UUID as a URN.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// PresentationPolicy holds what a verifier expects of a VP JWT. The zero value rejects every
// presentation.
type PresentationPolicy struct {
	// Now is the instant validity is judged at. Required: a zero Now is an error.
	Now time.Time
	// Audience is the verifier's full client_id, prefix included. Required.
	Audience string
	// Nonce is the nonce of the authorization request this response answers. Required.
	Nonce string
	// Algorithms is the allow-list for the presentation's signature. Required.
	Algorithms []jose.Algorithm
	// ClockSkew is tolerated on every time comparison. Default: 0. At most MaxClockSkew.
	ClockSkew time.Duration
	// MaxAge bounds how old the presentation's iat may be. Default:
	// DefaultPresentationMaxAge.
	MaxAge time.Duration
	// Credential is the policy each embedded credential is verified under (issuer keys,
	// algorithms). Its Now and ClockSkew, when zero, are taken from this policy.
	Credential Policy
	// SkipHolderBindingUnsafe accepts credentials without checking that the presentation's
	// signer holds their holder key, for credentials issued without cryptographic binding
	// (OpenID4VP require_cryptographic_holder_binding false).
	//
	// WARNING: anyone who obtains such a credential can then present it.
	SkipHolderBindingUnsafe bool
}

func (p *PresentationPolicy) check() *Error {
	switch {
	case p.Now.IsZero():
		return errorf(CodeInvalidPolicy, nil, "PresentationPolicy.Now is zero")
	case p.Audience == "":
		return errorf(CodeInvalidPolicy, nil, "PresentationPolicy.Audience is empty")
	case p.Nonce == "":
		return errorf(CodeInvalidPolicy, nil, "PresentationPolicy.Nonce is empty")
	case len(p.Algorithms) == 0:
		return errorf(CodeInvalidPolicy, nil, "PresentationPolicy.Algorithms is empty")
	case p.ClockSkew < 0 || p.ClockSkew > MaxClockSkew:
		return errorf(CodeInvalidPolicy, nil, "PresentationPolicy.ClockSkew %s is outside [0, %s]", p.ClockSkew, MaxClockSkew)
	case p.MaxAge < 0:
		return errorf(CodeInvalidPolicy, nil, "PresentationPolicy.MaxAge is negative")
	}
	cp := p.credentialPolicy()
	if err := cp.check(); err != nil {
		err.Msg = "Credential: " + err.Msg
		return err
	}
	return nil
}

func (p *PresentationPolicy) credentialPolicy() Policy {
	cp := p.Credential
	if cp.Now.IsZero() {
		cp.Now = p.Now
	}
	if cp.ClockSkew == 0 {
		cp.ClockSkew = p.ClockSkew
	}
	return cp
}

// PresentationResult is a verified VP JWT with its verified credentials.
type PresentationResult struct {
	// Claims is the VP JWT claims set exactly as signed.
	Claims map[string]any
	// Presentation is the "vp" claim.
	Presentation map[string]any

	Holder    string    // iss
	Audience  string    // aud
	Nonce     string    // nonce
	ID        string    // jti, or vp.id; may be empty
	IssuedAt  time.Time // iat
	ExpiresAt time.Time // exp; zero when absent

	Algorithm       jose.Algorithm
	HolderKey       crypto.PublicKey // the key that verified the presentation
	HolderKeySource KeySource        // KeySourceDIDJWK or KeySourceHeaderJWK

	// Credentials are the embedded credentials, each verified with Verify under
	// PresentationPolicy.Credential, in presentation order.
	Credentials []*Result

	// Checks lists every check performed on the presentation, in order, all OK; each
	// credential's own checks are in its Result.
	Checks []Check
}

// VerifyPresentation verifies an OpenID4VP jwt_vc_json presentation (a VCDM 1.1 VP JWT) and
// every credential in it.
//
// It checks, in order: a compact JWS of at most MaxPresentationSize bytes with a strict JSON
// object payload; "typ" absent or "JWT" and no "cty"; a "vp" claim with @context starting with
// ContextV1, type including "VerifiablePresentation" and verifiableCredential holding 1 to
// MaxPresentationCredentials compact JWTs; no claim of another token kind ("vc", "vct",
// "status_list", "sd_hash", "@context", "credentialSubject", "htm", "htu", "response_type",
// SD-JWT members at any depth); "alg" in p.Algorithms; the holder's key: iss must be a
// did:jwk (a "kid" header must then be that DID or its "#0" URL, and a "jwk" header the same
// key), or else the "jwk" header supplies the key; the signature; iss = vp.holder and
// jti = vp.id when both are present; aud is exactly p.Audience (a string, or an array of that
// one string); nonce equals p.Nonce; iat is present, not in the future and at most p.MaxAge
// old, nbf not in the future, exp not passed; each credential verifies with Verify; and holder
// binding.
//
// Holder binding (OpenID4VP leaves it to the format; standards.md §2.6 marks this as
// hashi's interpretation): every credential must name a holder key, cnf.jwk if present, else
// the public key of a did:jwk credentialSubject.id (sub), and that key must equal the key that
// verified the presentation. Credentials bound to other DID methods, or not bound at all,
// fail unless p.SkipHolderBindingUnsafe is set.
//
// VerifyPresentation does NOT keep nonces (single use is the caller's store's job), judge the
// credentials' x5c chains, resolve DIDs other than did:jwk, check status, or evaluate DCQL.
//
// Specifications: https://openid.net/specs/openid-4-verifiable-presentations-1_0.html (§8.6,
// Appendix B.1), https://www.w3.org/TR/2022/REC-vc-data-model-20220303/#json-web-token.
func VerifyPresentation(raw string, p PresentationPolicy) (*PresentationResult, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	var c checker
	j, claims, perr := c.parseTyped(raw, MaxPresentationSize, "presentation")
	if perr != nil {
		return nil, perr
	}
	vp, creds, err := viewVP(claims)
	if err != nil {
		return nil, c.fail(CheckShape, err)
	}
	c.ok(CheckShape, fmt.Sprintf("vp is a VCDM 1.1 presentation of %d credential(s)", len(creds)))
	if err := exclusive(claims, foreignVPClaims, false); err != nil {
		return nil, c.fail(CheckExclusive, err)
	}
	c.ok(CheckExclusive, "no claim of another token kind")

	alg := jose.Algorithm(j.Header.Alg)
	if !algAllowed(alg, p.Algorithms) {
		return nil, c.fail(CheckAlgorithm, errorf(CodeUnsupportedAlgorithm, nil, "algorithm %q is not allowed (allowed: %v)", j.Header.Alg, p.Algorithms))
	}
	c.ok(CheckAlgorithm, "alg "+j.Header.Alg)
	holder, _, err := stringMember(claims, "iss", "iss")
	if err != nil {
		return nil, c.fail(CheckKey, err)
	}
	key, src, err := presentationKey(&j.Header, holder)
	if err != nil {
		return nil, c.fail(CheckKey, err)
	}
	c.ok(CheckKey, "holder key from "+string(src))
	if err := j.Verify(key, p.Algorithms...); err != nil {
		return nil, c.fail(CheckSignature, mapJOSE(err))
	}
	c.ok(CheckSignature, "signature verifies")

	reg, err := presentationClaims(claims, vp, holder)
	if err != nil {
		return nil, c.fail(CheckClaims, err)
	}
	c.ok(CheckClaims, "iss, jti, iat, nbf and exp are well formed and agree with vp")
	aud, err := audience(claims)
	if err != nil {
		return nil, c.fail(CheckAudience, err)
	}
	if aud != p.Audience {
		return nil, c.fail(CheckAudience, claimErrorf(CodeWrongAudience, "aud", "aud %q is not %q", aud, p.Audience))
	}
	c.ok(CheckAudience, "aud is the expected client_id")
	nonce, _, err := stringMember(claims, "nonce", "nonce")
	if err != nil {
		return nil, c.fail(CheckNonce, err)
	}
	if subtle.ConstantTimeCompare([]byte(nonce), []byte(p.Nonce)) != 1 {
		return nil, c.fail(CheckNonce, claimErrorf(CodeWrongNonce, "nonce", "nonce is not the expected one"))
	}
	c.ok(CheckNonce, "nonce is the expected one")
	if err := presentationValidity(reg, &p); err != nil {
		return nil, c.fail(CheckValidity, err)
	}
	c.ok(CheckValidity, "valid at "+p.Now.UTC().Format(time.RFC3339))

	cp := p.credentialPolicy()
	results := make([]*Result, len(creds))
	for i, cred := range creds {
		r, verr := Verify(cred, cp)
		if verr != nil {
			e := &Error{Code: CodeOf(verr), Msg: fmt.Sprintf("verifiableCredential[%d]", i), Err: verr}
			if inner, ok := errors.AsType[*Error](verr); ok {
				e.Claim = inner.Claim
			}
			return nil, c.fail(CheckCredential, e)
		}
		results[i] = r
		c.ok(CheckCredential, fmt.Sprintf("verifiableCredential[%d] verifies (%s)", i, r.Issuer))
	}
	for i, r := range results {
		switch {
		case p.SkipHolderBindingUnsafe:
			c.ok(CheckHolderBound, fmt.Sprintf("verifiableCredential[%d]: skipped (SkipHolderBindingUnsafe)", i))
			continue
		case r.HolderKey == nil:
			return nil, c.fail(CheckHolderBound, errorf(CodeHolderBinding, nil, "verifiableCredential[%d] names no holder key (no cnf.jwk, subject %q is not a did:jwk)", i, r.Subject))
		case !keyEqual(r.HolderKey, key):
			return nil, c.fail(CheckHolderBound, errorf(CodeHolderBinding, nil, "verifiableCredential[%d] is bound to another key than the presentation's signer", i))
		}
		c.ok(CheckHolderBound, fmt.Sprintf("verifiableCredential[%d] is bound to the presentation's signer", i))
	}
	return &PresentationResult{
		Claims:          claims,
		Presentation:    vp,
		Holder:          holder,
		Audience:        aud,
		Nonce:           nonce,
		ID:              reg.id,
		IssuedAt:        reg.issuedAt,
		ExpiresAt:       reg.expirationDate,
		Algorithm:       alg,
		HolderKey:       key,
		HolderKeySource: src,
		Credentials:     results,
		Checks:          c.checks,
	}, nil
}

// viewVP checks the "vp" claim and returns it with its credentials.
func viewVP(claims map[string]any) (map[string]any, []string, *Error) {
	v, ok := claims["vp"]
	if !ok {
		return nil, nil, claimErrorf(CodeNotAVP, "vp", `no "vp" claim`)
	}
	vp, ok := v.(map[string]any)
	if !ok {
		return nil, nil, claimErrorf(CodeNotAVP, "vp", `"vp" is not a JSON object`)
	}
	ctx, ok := stringSet(vp["@context"])
	if !ok || ctx[0] != ContextV1 {
		return nil, nil, claimErrorf(CodeNotAVP, "vp.@context", "vp.@context does not start with %q", ContextV1)
	}
	types, ok := stringSet(vp["type"])
	if !ok || !slices.Contains(types, TypeVerifiablePresentation) {
		return nil, nil, claimErrorf(CodeNotAVP, "vp.type", "vp.type does not include %q", TypeVerifiablePresentation)
	}
	creds, ok := stringSet(vp["verifiableCredential"])
	if !ok {
		return nil, nil, claimErrorf(CodeNotAVP, "vp.verifiableCredential", "vp.verifiableCredential is not a non-empty list of JWTs")
	}
	if len(creds) > MaxPresentationCredentials {
		return nil, nil, claimErrorf(CodeNotAVP, "vp.verifiableCredential", "vp holds %d credentials, more than %d", len(creds), MaxPresentationCredentials)
	}
	return vp, creds, nil
}

// presentationKey resolves the holder's key from iss (did:jwk) or the "jwk" header.
func presentationKey(h *jose.Header, holder string) (crypto.PublicKey, KeySource, *Error) {
	var hdrKey crypto.PublicKey
	if len(h.JWK) > 0 {
		k, err := jose.ParsePublicJWK(h.JWK)
		if err != nil {
			return nil, "", errorf(CodeUnknownKey, err, `"jwk" header`)
		}
		hdrKey = k
	}
	if strings.HasPrefix(holder, DIDJWKPrefix) {
		k, err := ParseDIDJWK(holder)
		if err != nil {
			return nil, "", &Error{Code: CodeInvalidDID, Claim: "iss", Msg: "iss is not a usable did:jwk", Err: err}
		}
		if h.Kid != "" && h.Kid != holder && h.Kid != holder+"#0" {
			return nil, "", errorf(CodeUnknownKey, nil, "kid %q is not the holder's did:jwk", h.Kid)
		}
		if hdrKey != nil && !keyEqual(k, hdrKey) {
			return nil, "", errorf(CodeUnknownKey, nil, `"jwk" header and iss did:jwk are different keys`)
		}
		return k, KeySourceDIDJWK, nil
	}
	if hdrKey != nil {
		return hdrKey, KeySourceHeaderJWK, nil
	}
	return nil, "", errorf(CodeUnknownKey, nil, "iss %q is not a did:jwk and there is no \"jwk\" header (hashi resolves no other DID method)", holder)
}

// presentationClaims checks the VP's registered claims and their agreement with vp.
func presentationClaims(claims, vp map[string]any, holder string) (*registered, *Error) {
	var r registered
	if holder == "" {
		return nil, claimErrorf(CodeInvalidClaim, "iss", "iss is missing")
	}
	r.issuer = holder
	if h, has, err := stringMember(vp, "holder", "vp.holder"); err != nil {
		return nil, err
	} else if has && h != holder {
		return nil, claimErrorf(CodeClaimMismatch, "iss", "iss %q differs from vp.holder %q", holder, h)
	}
	jti, hasJTI, err := stringMember(claims, "jti", "jti")
	if err != nil {
		return nil, err
	}
	id, hasID, err := stringMember(vp, "id", "vp.id")
	if err != nil {
		return nil, err
	}
	switch {
	case hasJTI && hasID && jti != id:
		return nil, claimErrorf(CodeClaimMismatch, "jti", "jti %q differs from vp.id %q", jti, id)
	case hasJTI:
		r.id = jti
	default:
		r.id = id
	}
	var has bool
	if r.issuedAt, has, err = numericDate(claims, "iat"); err != nil {
		return nil, err
	} else if !has {
		return nil, claimErrorf(CodeInvalidClaim, "iat", "iat is missing")
	}
	if r.issuanceDate, has, err = numericDate(claims, "nbf"); err != nil {
		return nil, err
	} else if has {
		r.nbfName = "nbf"
	}
	if r.expirationDate, has, err = numericDate(claims, "exp"); err != nil {
		return nil, err
	} else if has {
		r.expName = "exp"
	}
	return &r, nil
}

// audience returns the single audience of the presentation: "aud" as a string, or an array
// holding exactly one string. Several audiences would let one presentation serve several
// verifiers, which OpenID4VP's binding to one client_id rules out.
func audience(claims map[string]any) (string, *Error) {
	switch a := claims["aud"].(type) {
	case string:
		if a != "" {
			return a, nil
		}
	case []any:
		if len(a) == 1 {
			if s, ok := a[0].(string); ok && s != "" {
				return s, nil
			}
		}
		return "", claimErrorf(CodeWrongAudience, "aud", "aud has %d values; a presentation is for exactly one verifier", len(a))
	case nil:
		return "", claimErrorf(CodeWrongAudience, "aud", "aud is missing")
	}
	return "", claimErrorf(CodeInvalidClaim, "aud", "aud is not a string")
}

// presentationValidity judges the presentation's iat, nbf and exp at p.Now.
func presentationValidity(r *registered, p *PresentationPolicy) *Error {
	late, early := p.Now.Add(p.ClockSkew), p.Now.Add(-p.ClockSkew)
	maxAge := p.MaxAge
	if maxAge == 0 {
		maxAge = DefaultPresentationMaxAge
	}
	switch {
	case late.Before(r.issuedAt):
		return claimErrorf(CodeNotYetValid, "iat", "issued in the future, at %s", r.issuedAt.Format(time.RFC3339))
	case r.issuedAt.Add(maxAge).Before(early):
		return claimErrorf(CodeExpired, "iat", "issued at %s, more than %s ago", r.issuedAt.Format(time.RFC3339), maxAge)
	case r.nbfName != "" && late.Before(r.issuanceDate):
		return claimErrorf(CodeNotYetValid, "nbf", "not valid before %s", r.issuanceDate.Format(time.RFC3339))
	case r.expName != "" && !early.Before(r.expirationDate):
		return claimErrorf(CodeExpired, "exp", "expired at %s", r.expirationDate.Format(time.RFC3339))
	}
	return nil
}
