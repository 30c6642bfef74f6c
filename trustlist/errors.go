package trustlist

import (
	"errors"
	"fmt"
)

// Code classifies why parsing or verifying a trust list failed. Codes are stable and safe to
// show to users; compare them, never error messages.
type Code string

// The error codes of this package.
const (
	// CodeMalformed: the input is not well-formed XML, is not a TS 119 612 list (wrong root
	// element or namespace), or a required element or value is missing or unparsable; or it is
	// not strict JSON, not a TS 119 602 LoTE (unknown or missing members, wrong types or
	// values), not a compact JWS, or a JWS whose "typ" does not name a LoTE.
	CodeMalformed Code = "malformed"
	// CodeTooLarge: the input exceeds a limit in limits.go (size, depth, element count).
	CodeTooLarge Code = "too_large"
	// CodeDTDNotAllowed: the input carries a DOCTYPE, an entity declaration, another markup
	// declaration, or a processing instruction other than the XML declaration.
	CodeDTDNotAllowed Code = "dtd_not_allowed"
	// CodeNoSignature: a signature is required but the list carries none.
	CodeNoSignature Code = "no_signature"
	// CodeUnsupportedAlgorithm: the signature uses a canonicalization, transform, digest or
	// signature method hashi does not implement, or the signer key is of a type Go cannot
	// use (for example an ECDSA key on a brainpool curve), or a LoTE JWS "alg" other than
	// ES256/ES384 (none, HMAC, RSA, EdDSA). Never a pass.
	CodeUnsupportedAlgorithm Code = "unsupported_algorithm"
	// CodeSignatureInvalid: the SignatureValue does not verify over the canonical SignedInfo
	// with the KeyInfo certificate, or the signature's structure is unusable (missing
	// KeyInfo certificate, missing SignedProperties reference, several signatures); for a
	// LoTE JWS, the signature does not verify with the x5c leaf, or x5c is missing or unusable.
	CodeSignatureInvalid Code = "signature_invalid"
	// CodeDigestMismatch: a ds:Reference's digest does not match the referenced content
	// (the list or its signed properties were changed after signing).
	CodeDigestMismatch Code = "digest_mismatch"
	// CodeUntrustedSigner: the signature verifies but the signer certificate is not one of
	// the accepted signer certificates, or was not valid at the verification time.
	CodeUntrustedSigner Code = "untrusted_signer"
	// CodeWrappedSignature: the signed reference does not cover the parsed document root
	// (signature wrapping), or an Id is ambiguous, or a reference points outside the document.
	CodeWrappedSignature Code = "wrapped_signature"
	// CodeInvalidArgument: the caller passed unusable options (no accepted signers, a zero
	// verification time). It points at a bug, not at the list.
	CodeInvalidArgument Code = "invalid_argument"
	// CodeFetchFailed: a list could not be fetched: a network error, an HTTP status other
	// than 200 or 304 (or a 304 with no cached copy to reuse), or a cancelled context.
	CodeFetchFailed Code = "fetch_failed"
	// CodeRollback: a fetched list carries a lower TSLSequenceNumber (or LoTESequenceNumber)
	// than the last good copy of the same list; an older list never replaces a newer one.
	CodeRollback Code = "rollback"
	// CodeListMismatch: a verified list is not the list its configuration or pointer expects:
	// its SchemeTerritory differs from the LOTL pointer's (or the configured territory), the
	// configured LOTL is not an EU list of the lists, or the LOTL has no pointer for a
	// configured territory.
	CodeListMismatch Code = "list_mismatch"
)

// Error is the error type of this package.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any
}

// Error returns "trustlist: " followed by the code, the message and the cause, if any.
func (e *Error) Error() string {
	s := "trustlist: " + string(e.Code)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err,
// trustlist.ErrDigestMismatch) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrMalformed            = &Error{Code: CodeMalformed}
	ErrTooLarge             = &Error{Code: CodeTooLarge}
	ErrDTDNotAllowed        = &Error{Code: CodeDTDNotAllowed}
	ErrNoSignature          = &Error{Code: CodeNoSignature}
	ErrUnsupportedAlgorithm = &Error{Code: CodeUnsupportedAlgorithm}
	ErrSignatureInvalid     = &Error{Code: CodeSignatureInvalid}
	ErrDigestMismatch       = &Error{Code: CodeDigestMismatch}
	ErrUntrustedSigner      = &Error{Code: CodeUntrustedSigner}
	ErrWrappedSignature     = &Error{Code: CodeWrappedSignature}
	ErrInvalidArgument      = &Error{Code: CodeInvalidArgument}
	ErrFetchFailed          = &Error{Code: CodeFetchFailed}
	ErrRollback             = &Error{Code: CodeRollback}
	ErrListMismatch         = &Error{Code: CodeListMismatch}
)

// CodeOf returns the Code of err if it is (or wraps) an *Error, and "" otherwise.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func errorf(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: err}
}

// prefixed returns err with its message prefixed, keeping its code.
func prefixed(err error, prefix string) error {
	var e *Error
	if errors.As(err, &e) {
		return &Error{Code: e.Code, Msg: prefix + ": " + e.Msg, Err: e.Err}
	}
	return err
}
