package sdjwt

import (
	"crypto"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// KeyBindingMode says whether a verifier demands a KB-JWT. It comes from the verifier's
// policy (for OpenID4VP, DCQL require_cryptographic_holder_binding), never from whether a
// KB-JWT happens to be present (RFC 9901 §7.3).
type KeyBindingMode int

const (
	// KeyBindingRequired demands an SD-JWT+KB with a valid KB-JWT. It is the zero value.
	KeyBindingRequired KeyBindingMode = iota
	// KeyBindingOptional accepts a plain SD-JWT; when a KB-JWT is presented anyway it is
	// verified in full (signature, typ, nonce, aud, iat, sd_hash), so Nonce and Audience
	// must still be set. A bad KB-JWT is never ignored.
	KeyBindingOptional
	// KeyBindingForbidden demands a plain SD-JWT and rejects any SD-JWT+KB. A holder uses it
	// for a credential received from an issuer (RFC 9901 §7.2: an SD-JWT+KB from an issuer
	// must be rejected).
	KeyBindingForbidden
)

func (m KeyBindingMode) String() string {
	switch m {
	case KeyBindingRequired:
		return "required"
	case KeyBindingOptional:
		return "optional"
	case KeyBindingForbidden:
		return "forbidden"
	}
	return "KeyBindingMode(" + strconv.Itoa(int(m)) + ")"
}

// Policy is what a verifier expects of one SD-JWT. A zero Policy is rejected: Now,
// Algorithms and Type (for Verify) are required, and the zero KeyBinding requires a KB-JWT.
type Policy struct {
	// Type is the expected "typ" of the issuer-signed JWT (explicit typing, RFC 8725 §3.11),
	// compared as RFC 7515 §4.1.9 says. Required by Verify. VerifyVC uses "dc+sd-jwt" and
	// accepts only "" or that value here.
	Type string
	// Algorithms is the allow-list for the issuer signature, e.g. []jose.Algorithm{jose.ES256}.
	// Required. "none" and HMAC algorithms are never accepted.
	Algorithms []jose.Algorithm
	// KeyBinding says whether a KB-JWT must, may or must not be presented.
	// Default (zero): KeyBindingRequired.
	KeyBinding KeyBindingMode
	// KBAlgorithms is the allow-list for the KB-JWT signature. Default: Algorithms.
	KBAlgorithms []jose.Algorithm
	// Nonce is the expected KB-JWT "nonce". Required unless KeyBinding is KeyBindingForbidden.
	Nonce string
	// Audience is the expected KB-JWT "aud" (for OpenID4VP the full client_id, prefix
	// included). Required unless KeyBinding is KeyBindingForbidden.
	Audience string
	// KBMaxAge is how far before Now a KB-JWT "iat" may lie. Default: DefaultKBMaxAge (5m).
	KBMaxAge time.Duration
	// ClockSkew is tolerated on "exp", "nbf" and "iat" of the issuer JWT and on a KB-JWT
	// "iat" in the future. Default: 0.
	ClockSkew time.Duration
	// Now is the time at which validity is judged. Required: a zero Now is an error, not
	// "the current time".
	Now time.Time
}

func (p *Policy) check(forVC bool) error {
	if p.Now.IsZero() {
		return errorf(CodeInvalidPolicy, nil, "Policy.Now is zero (time is an input; pass the time to judge validity at)")
	}
	if len(p.Algorithms) == 0 {
		return errorf(CodeInvalidPolicy, nil, "Policy.Algorithms is empty")
	}
	if !forVC && p.Type == "" {
		return errorf(CodeInvalidPolicy, nil, "Policy.Type is empty (explicit typing is required)")
	}
	switch p.KeyBinding {
	case KeyBindingRequired, KeyBindingOptional:
		if p.Nonce == "" || p.Audience == "" {
			return errorf(CodeInvalidPolicy, nil, "Policy.Nonce and Policy.Audience are required when a KB-JWT may be presented (KeyBinding %s)", p.KeyBinding)
		}
	case KeyBindingForbidden:
	default:
		return errorf(CodeInvalidPolicy, nil, "unknown KeyBinding mode %d", int(p.KeyBinding))
	}
	if p.KBMaxAge < 0 || p.ClockSkew < 0 {
		return errorf(CodeInvalidPolicy, nil, "KBMaxAge and ClockSkew must not be negative")
	}
	return nil
}

// Check is one verification step and its outcome. Name is stable (e.g. "signature",
// "disclosures", "kb_nonce"); Code is the error code when OK is false.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Code   Code   `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// DisclosedClaim is a disclosure together with the claims path at which it was embedded
// (strings and array indices into the processed payload).
type DisclosedClaim struct {
	Path Path `json:"path"`
	Disclosure
}

// KeyBindingJWT holds the facts of a verified KB-JWT.
type KeyBindingJWT struct {
	Algorithm jose.Algorithm `json:"alg"`
	IssuedAt  time.Time      `json:"iat"`
	Nonce     string         `json:"nonce"`
	Audience  string         `json:"aud"`
	SDHash    string         `json:"sd_hash"`
}

// Verified is an SD-JWT whose issuer signature, disclosures and (when presented) KB-JWT have
// been verified under a Policy.
type Verified struct {
	// Header is the protected header of the issuer-signed JWT.
	Header jose.Header `json:"header"`
	// Claims is the processed SD-JWT payload (RFC 9901 §7.1): disclosed claims embedded,
	// undisclosed digests and decoys dropped, "_sd" and "_sd_alg" removed. Numbers are
	// json.Number.
	Claims map[string]any `json:"claims"`
	// HashAlgorithm is the payload's _sd_alg (SHA256 when absent).
	HashAlgorithm HashAlgorithm `json:"sd_alg"`
	// Disclosures lists every presented disclosure with the path where it was embedded, in
	// the order presented.
	Disclosures []DisclosedClaim `json:"disclosures"`
	// IssuedAt, NotBefore and ExpiresAt are "iat", "nbf" and "exp"; zero when absent.
	IssuedAt  time.Time `json:"iat,omitzero"`
	NotBefore time.Time `json:"nbf,omitzero"`
	ExpiresAt time.Time `json:"exp,omitzero"`
	// Confirmation is the holder key from "cnf.jwk", nil when there is none.
	Confirmation crypto.PublicKey `json:"-"`
	// KeyBinding holds the verified KB-JWT, nil when none was presented.
	KeyBinding *KeyBindingJWT `json:"kb_jwt,omitempty"`
	// Checks lists every check performed, in order.
	Checks []Check `json:"checks"`
}

// run collects the checks of one verification.
type run struct {
	checks []Check
}

func (r *run) pass(name, detail string) {
	r.checks = append(r.checks, Check{Name: name, OK: true, Detail: detail})
}

// fail records a failed check and returns err carrying the checks so far.
func (r *run) fail(name string, err *Error) *Error {
	r.checks = append(r.checks, Check{Name: name, Code: err.Code, Detail: err.Msg})
	err.Checks = r.checks
	return err
}

// failErr is fail for an error that may or may not be an *Error.
func (r *run) failErr(name string, err error, code Code) *Error {
	e, ok := errors.AsType[*Error](err)
	if !ok {
		e = &Error{Code: code, Msg: err.Error(), Err: err}
	}
	return r.fail(name, e)
}

// Verify verifies an SD-JWT or SD-JWT+KB with the issuer's public key as RFC 9901 §7.1 and
// §7.3 describe:
//   - the issuer JWT "typ" equals Policy.Type and its "alg" is in Policy.Algorithms (never
//     "none" or HMAC), and the signature verifies with key over the exact bytes received;
//   - "_sd_alg" is sha-256, sha-384 or sha-512 (absent means sha-256);
//   - each disclosure is hashed as received and embedded where its digest occurs ("_sd"
//     arrays and {"...": digest} array elements, recursively); digests occurring twice,
//     disclosures referenced nowhere, object/array kind mismatches, names clashing with a
//     claim at the same level and misplaced "_sd"/"..." are rejected; unmatched digests are
//     dropped as decoys;
//   - "exp", "nbf" and "iat", when present, are numbers and valid at Policy.Now within
//     Policy.ClockSkew; "cnf.jwk", when present, is a usable public key;
//   - the KB-JWT, as Policy.KeyBinding demands: typ "kb+jwt", alg in the KB allow-list,
//     signed by the cnf.jwk key, "nonce" and "aud" (a single string) equal to the policy's,
//     "iat" within [Now-KBMaxAge, Now+ClockSkew], and "sd_hash" over the presented
//     <JWT>~<D1>~...~<Dn>~ text with the _sd_alg hash.
//
// Verify does NOT establish that key belongs to the issuer: the caller chose it (VerifyVC
// resolves SD-JWT VC issuer keys). It checks no other claims ("iss", "aud" of the issuer JWT,
// "sub", status), does not check nonce freshness (single use is the caller's job), and does
// not apply SD-JWT VC rules.
//
// On failure the error is an *Error whose Checks lists the checks performed so far.
//
// Specifications: RFC 9901 §4, §7.1, §7.3 (https://www.rfc-editor.org/rfc/rfc9901#section-7),
// RFC 8725 §3.1, §3.2, §3.11.
func (u *Unverified) Verify(key crypto.PublicKey, p Policy) (*Verified, error) {
	r := &run{checks: make([]Check, 0, 16)}
	if err := p.check(false); err != nil {
		return nil, r.failErr("policy", err, CodeInvalidPolicy)
	}
	if err := u.jws.CheckType(p.Type); err != nil {
		return nil, r.fail("typ", fromJOSE(err, CodeWrongType, "issuer JWT typ"))
	}
	r.pass("typ", u.jws.Header.Typ)
	payload, err := decodeObject(u.jws.Payload, "issuer JWT payload")
	if err != nil {
		return nil, r.failErr("payload", err, CodeMalformed)
	}
	v := &Verified{}
	if err := u.verify(r, v, key, &p, payload, nil); err != nil {
		return nil, err
	}
	return v, nil
}

// verify runs every check after the typ check and the key choice.
func (u *Unverified) verify(r *run, v *Verified, key crypto.PublicKey, p *Policy, payload map[string]any, vc *vcChecker) error {
	if err := u.jws.Verify(key, p.Algorithms...); err != nil {
		return r.fail("signature", fromJOSE(err, CodeInvalidSignature, "issuer signature"))
	}
	r.pass("signature", u.jws.Header.Alg)

	hash, err := hashAlgorithmOf(payload)
	if err != nil {
		return r.failErr("sd_alg", err, CodeUnsupportedAlgorithm)
	}
	r.pass("sd_alg", string(hash))

	proc, err := newProcessor(hash, u.disclosures)
	if err != nil {
		return r.failErr("disclosures", err, CodeInvalidDisclosure)
	}
	claims, err := proc.run(payload)
	if err != nil {
		return r.failErr("disclosures", err, CodeInvalidDisclosure)
	}
	r.pass("disclosures", "")
	if i := proc.unreferenced(); i >= 0 {
		return r.fail("disclosures_referenced", errorf(CodeUnreferencedDisclosure, nil,
			"disclosure %d (digest %s) is not referenced by the issuer JWT or another disclosure", i, proc.digests[i]))
	}
	r.pass("disclosures_referenced", "")

	*v = Verified{
		Header:        u.jws.Header,
		Claims:        claims,
		HashAlgorithm: hash,
		Disclosures:   make([]DisclosedClaim, len(u.disclosures)),
	}
	for i, d := range u.disclosures {
		dc := DisclosedClaim{Path: proc.paths[i], Disclosure: d}
		dc.Digest = proc.digests[i]
		v.Disclosures[i] = dc
	}

	if vc != nil {
		if err := vc.check(r, v, proc); err != nil {
			return err
		}
	}

	if err := v.checkTimes(p); err != nil {
		return r.failErr("validity_period", err, CodeInvalidClaim)
	}
	r.pass("validity_period", "")

	if cnf, ok := claims["cnf"]; ok {
		key, err := confirmationKey(cnf)
		if err != nil {
			return r.failErr("cnf", err, CodeInvalidClaim)
		}
		v.Confirmation = key
		r.pass("cnf", "")
	}

	if err := u.checkKeyBinding(r, p, v); err != nil {
		return err
	}
	v.Checks = r.checks
	return nil
}

// checkTimes reads and judges "exp", "nbf" and "iat" of the processed payload.
func (v *Verified) checkTimes(p *Policy) error {
	var err error
	if v.ExpiresAt, err = numericDate(v.Claims, "exp"); err != nil {
		return err
	}
	if v.NotBefore, err = numericDate(v.Claims, "nbf"); err != nil {
		return err
	}
	if v.IssuedAt, err = numericDate(v.Claims, "iat"); err != nil {
		return err
	}
	if !v.ExpiresAt.IsZero() && !p.Now.Before(v.ExpiresAt.Add(p.ClockSkew)) {
		return errorf(CodeExpired, nil, "expired at %s (now %s)", v.ExpiresAt.UTC().Format(time.RFC3339), p.Now.UTC().Format(time.RFC3339))
	}
	if !v.NotBefore.IsZero() && p.Now.Before(v.NotBefore.Add(-p.ClockSkew)) {
		return errorf(CodeNotYetValid, nil, "not valid before %s (now %s)", v.NotBefore.UTC().Format(time.RFC3339), p.Now.UTC().Format(time.RFC3339))
	}
	if !v.IssuedAt.IsZero() && p.Now.Before(v.IssuedAt.Add(-p.ClockSkew)) {
		return errorf(CodeNotYetValid, nil, "issued in the future at %s (now %s)", v.IssuedAt.UTC().Format(time.RFC3339), p.Now.UTC().Format(time.RFC3339))
	}
	return nil
}

// numericDate reads an RFC 7519 NumericDate member; a missing member gives the zero time.
func numericDate(m map[string]any, name string) (time.Time, error) {
	v, ok := m[name]
	if !ok {
		return time.Time{}, nil
	}
	t, ok := toTime(v)
	if !ok {
		return time.Time{}, errorf(CodeInvalidClaim, nil, "%q is not a NumericDate", name)
	}
	return t, nil
}

// maxNumericDate keeps NumericDates within what time.Time represents exactly (year 9999).
const maxNumericDate = 253402300799

func toTime(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
		if i < 0 || i > maxNumericDate {
			return time.Time{}, false
		}
		return time.Unix(i, 0).UTC(), true
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > maxNumericDate {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// confirmationKey reads the holder key from a "cnf" claim value. A cnf without "jwk" (for
// example "jkt" or "kid") yields a nil key: the credential is valid but no KB-JWT can be
// verified against it.
func confirmationKey(cnf any) (crypto.PublicKey, error) {
	m, ok := cnf.(map[string]any)
	if !ok {
		return nil, errorf(CodeInvalidClaim, nil, "cnf is not a JSON object")
	}
	j, ok := m["jwk"]
	if !ok {
		return nil, nil
	}
	jm, ok := j.(map[string]any)
	if !ok {
		return nil, errorf(CodeInvalidClaim, nil, "cnf.jwk is not a JSON object")
	}
	key, err := jose.PublicKeyFromMap(jm)
	if err != nil {
		return nil, errorf(CodeInvalidClaim, err, "cnf.jwk is not a usable public key")
	}
	return key, nil
}
