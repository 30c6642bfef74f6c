package vcjwt

import (
	"errors"
	"fmt"
)

// Code classifies why issuing or verifying a jwt_vc_json credential or presentation failed.
// Codes are stable and safe to show to users.
type Code string

// The error codes of this package.
const (
	CodeMalformed            Code = "malformed"             // not a compact JWS, or the payload is not a strict JSON object
	CodeWrongType            Code = "wrong_type"            // "typ" is present and not "JWT", or "cty" is present
	CodeNotAVC               Code = "not_a_vc"              // no "vc" claim, or it is not a VCDM 1.1 credential
	CodeNotAVP               Code = "not_a_vp"              // no "vp" claim, or it is not a VCDM 1.1 presentation
	CodeAmbiguousToken       Code = "ambiguous_token"       // the token also carries another token kind's claims (RFC 8725 §3.12)
	CodeUnsupportedAlgorithm Code = "unsupported_algorithm" // "alg" not in the caller's allow-list, "none", or an HMAC
	CodeUnknownKey           Code = "unknown_key"           // no key of the caller's policy applies to the token
	CodeInvalidCertificate   Code = "invalid_certificate"   // the x5c header cannot be decoded
	CodeInvalidSignature     Code = "invalid_signature"     // the signature does not verify with the selected key
	CodeInvalidClaim         Code = "invalid_claim"         // a claim or credential property has the wrong JSON type or format
	CodeClaimMismatch        Code = "claim_mismatch"        // a registered claim disagrees with (or is missing for) its credential property
	CodeExpired              Code = "expired"               // exp / expirationDate has passed, or the presentation is too old
	CodeNotYetValid          Code = "not_yet_valid"         // nbf / issuanceDate / iat lies in the future
	CodeWrongAudience        Code = "wrong_audience"        // the presentation's aud is not the expected client_id
	CodeWrongNonce           Code = "wrong_nonce"           // the presentation's nonce is not the expected one
	CodeHolderBinding        Code = "holder_binding"        // the presentation signer is not the credential's holder
	CodeInvalidDID           Code = "invalid_did"           // a did:jwk cannot be decoded into a public key
	CodeInvalidInput         Code = "invalid_input"         // an issuing or presenting input was rejected before signing
	CodeInvalidPolicy        Code = "invalid_policy"        // the caller's Policy is incomplete (zero Now, no algorithms, no key source, ...)
)

// Error is the error type of this package. Errors from Verify and VerifyPresentation carry
// the checks performed up to and including the failing one, for reports.
type Error struct {
	Code Code
	// Claim names the JWT claim or credential property at fault, for CodeInvalidClaim,
	// CodeClaimMismatch, CodeExpired and CodeNotYetValid (e.g. "sub", "exp",
	// "credentialSubject.id"). Empty otherwise.
	Claim string
	Msg   string
	Err   error // underlying cause, if any
	// Checks lists the checks performed before the failure, the failing one last. It is
	// nil for errors that are not verification results (e.g. from Issue).
	Checks []Check
}

// Error returns "vcjwt: <code>: <message>: <cause>".
func (e *Error) Error() string {
	s := "vcjwt: " + string(e.Code)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err, vcjwt.ErrExpired)
// works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Claim == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrMalformed            = &Error{Code: CodeMalformed}
	ErrWrongType            = &Error{Code: CodeWrongType}
	ErrNotAVC               = &Error{Code: CodeNotAVC}
	ErrNotAVP               = &Error{Code: CodeNotAVP}
	ErrAmbiguousToken       = &Error{Code: CodeAmbiguousToken}
	ErrUnsupportedAlgorithm = &Error{Code: CodeUnsupportedAlgorithm}
	ErrUnknownKey           = &Error{Code: CodeUnknownKey}
	ErrInvalidCertificate   = &Error{Code: CodeInvalidCertificate}
	ErrInvalidSignature     = &Error{Code: CodeInvalidSignature}
	ErrInvalidClaim         = &Error{Code: CodeInvalidClaim}
	ErrClaimMismatch        = &Error{Code: CodeClaimMismatch}
	ErrExpired              = &Error{Code: CodeExpired}
	ErrNotYetValid          = &Error{Code: CodeNotYetValid}
	ErrWrongAudience        = &Error{Code: CodeWrongAudience}
	ErrWrongNonce           = &Error{Code: CodeWrongNonce}
	ErrHolderBinding        = &Error{Code: CodeHolderBinding}
	ErrInvalidDID           = &Error{Code: CodeInvalidDID}
	ErrInvalidInput         = &Error{Code: CodeInvalidInput}
	ErrInvalidPolicy        = &Error{Code: CodeInvalidPolicy}
)

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

func claimErrorf(code Code, claim string, format string, args ...any) *Error {
	return &Error{Code: code, Claim: claim, Msg: fmt.Sprintf(format, args...)}
}

// CodeOf returns the Code of a vcjwt error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

// Check is one verification step and its outcome, for reports such as the CLI's. Name is
// one of the Check* constants; Code is empty when OK.
type Check struct {
	Name   string
	OK     bool
	Code   Code
	Detail string
}

// The names of the checks Verify and VerifyPresentation perform, in the order they run.
const (
	CheckJWS         = "jws"            // compact JWS and strict JSON object payload
	CheckType        = "typ"            // "typ" absent or "JWT"; no "cty"
	CheckShape       = "shape"          // the "vc" (or "vp") claim is a VCDM 1.1 credential (presentation)
	CheckExclusive   = "exclusive"      // no claim of another token kind (RFC 8725 §3.12)
	CheckAlgorithm   = "alg"            // "alg" is in the caller's allow-list
	CheckKey         = "key"            // a key of the caller's policy was selected
	CheckSignature   = "signature"      // the signature verifies with that key
	CheckClaims      = "claims"         // registered claims agree with the credential properties
	CheckHolderKey   = "holder_key"     // cnf.jwk / did:jwk subject decode (and agree)
	CheckValidity    = "validity"       // nbf, issuanceDate, iat, exp, expirationDate against Now
	CheckAudience    = "aud"            // presentation: aud is the expected client_id
	CheckNonce       = "nonce"          // presentation: nonce is the expected one
	CheckCredential  = "credential"     // presentation: an embedded credential verifies (Detail names its index)
	CheckHolderBound = "holder_binding" // presentation: the signer holds each credential's holder key
)

// checker records checks as they run.
type checker struct{ checks []Check }

func (c *checker) ok(name, detail string) {
	c.checks = append(c.checks, Check{Name: name, OK: true, Detail: detail})
}

// fail records a failed check and returns err with the checks attached.
func (c *checker) fail(name string, err *Error) *Error {
	detail := err.Msg
	if err.Err != nil {
		detail += ": " + err.Err.Error()
	}
	c.checks = append(c.checks, Check{Name: name, Code: err.Code, Detail: detail})
	err.Checks = append([]Check(nil), c.checks...)
	return err
}
