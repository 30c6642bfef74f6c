package jose

import (
	"errors"
	"fmt"
)

// Code classifies why a JOSE operation failed. Codes are stable and safe to show to users.
type Code string

// The error codes of this package.
const (
	CodeMalformed            Code = "malformed"             // not a well-formed compact JWS/JWE, JSON or JWK
	CodeUnsupportedAlgorithm Code = "unsupported_algorithm" // alg not allowed by the caller, "none", or an HMAC
	CodeKeyMismatch          Code = "key_mismatch"          // the key cannot be used with the algorithm
	CodeInvalidSignature     Code = "invalid_signature"     // the signature does not verify
	CodeWrongType            Code = "wrong_type"            // the "typ" header is not the expected one
	CodeInvalidCertificate   Code = "invalid_certificate"   // an x5c entry cannot be decoded
	CodeDecryptionFailed     Code = "decryption_failed"     // a JWE cannot be decrypted with the given key
)

// Error is the error type of this package.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("jose: %s: %v", e.Msg, e.Err)
	}
	return "jose: " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err, jose.ErrInvalidSignature) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrMalformed            = &Error{Code: CodeMalformed}
	ErrUnsupportedAlgorithm = &Error{Code: CodeUnsupportedAlgorithm}
	ErrKeyMismatch          = &Error{Code: CodeKeyMismatch}
	ErrInvalidSignature     = &Error{Code: CodeInvalidSignature}
	ErrWrongType            = &Error{Code: CodeWrongType}
	ErrInvalidCertificate   = &Error{Code: CodeInvalidCertificate}
	ErrDecryptionFailed     = &Error{Code: CodeDecryptionFailed}
)

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// CodeOf returns the Code of a jose error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}
