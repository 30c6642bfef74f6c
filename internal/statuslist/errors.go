package statuslist

import (
	"errors"
	"fmt"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Code classifies why a status list operation failed. Codes are stable and safe to show to
// users; compare them, never error messages.
type Code string

// The error codes of this package.
const (
	// CodeMalformed: the token, its claims, the status list JSON or the lst value is not well
	// formed (bad base64url, padding, bad zlib stream, missing or mistyped required claims,
	// a ttl that is not positive).
	CodeMalformed Code = "malformed"
	// CodeUnsupportedBits: bits is not 1, 2, 4 or 8.
	CodeUnsupportedBits Code = "unsupported_bits"
	// CodeTooLarge: an input or the decompressed list exceeds a limit in limits.go.
	CodeTooLarge Code = "too_large"
	// CodeWrongType: the JWS "typ" header is not statuslist+jwt.
	CodeWrongType Code = "wrong_type"
	// CodeInvalidSignature: the signature does not verify with the given key.
	CodeInvalidSignature Code = "invalid_signature"
	// CodeUnsupportedAlgorithm: the JWS "alg" is not in the caller's allow-list, or is
	// "none" or an HMAC.
	CodeUnsupportedAlgorithm Code = "unsupported_algorithm"
	// CodeKeyMismatch: the given key cannot be used with the token's algorithm.
	CodeKeyMismatch Code = "key_mismatch"
	// CodeInvalidCertificate: an x5c header entry cannot be decoded.
	CodeInvalidCertificate Code = "invalid_certificate"
	// CodeSubjectMismatch: the token's sub is not the referenced uri.
	CodeSubjectMismatch Code = "subject_mismatch"
	// CodeExpired: the token's exp has passed.
	CodeExpired Code = "expired"
	// CodeIssuedInFuture: the token's iat (or nbf) lies after Now plus the allowed skew.
	CodeIssuedInFuture Code = "issued_in_future"
	// CodeIndexOutOfRange: an index is negative or not below the list's length.
	CodeIndexOutOfRange Code = "index_out_of_range"
	// CodeInvalidStatus: a status value does not fit in the list's bits.
	CodeInvalidStatus Code = "invalid_status"
	// CodeInvalidReference: a Referenced Token's status.status_list is missing or malformed.
	CodeInvalidReference Code = "invalid_reference"
	// CodeListFull: no unused index is left in a list.
	CodeListFull Code = "list_full"
	// CodeInvalidArgument: the caller passed an unusable argument (a zero Policy.Now, an empty
	// algorithm list, a nil key, a size below one, ...). It points at a bug, not at the token.
	CodeInvalidArgument Code = "invalid_argument"
)

// Error is the error type of this package.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any (for example a *jose.Error)
}

// Error returns "statuslist: " followed by the message and the cause, if any.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("statuslist: %s: %v", e.Msg, e.Err)
	}
	return "statuslist: " + e.Msg
}

// Unwrap returns the underlying cause, so errors.Is(err, jose.ErrInvalidSignature) also works.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err, statuslist.ErrExpired)
// works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrMalformed            = &Error{Code: CodeMalformed}
	ErrUnsupportedBits      = &Error{Code: CodeUnsupportedBits}
	ErrTooLarge             = &Error{Code: CodeTooLarge}
	ErrWrongType            = &Error{Code: CodeWrongType}
	ErrInvalidSignature     = &Error{Code: CodeInvalidSignature}
	ErrUnsupportedAlgorithm = &Error{Code: CodeUnsupportedAlgorithm}
	ErrKeyMismatch          = &Error{Code: CodeKeyMismatch}
	ErrInvalidCertificate   = &Error{Code: CodeInvalidCertificate}
	ErrSubjectMismatch      = &Error{Code: CodeSubjectMismatch}
	ErrExpired              = &Error{Code: CodeExpired}
	ErrIssuedInFuture       = &Error{Code: CodeIssuedInFuture}
	ErrIndexOutOfRange      = &Error{Code: CodeIndexOutOfRange}
	ErrInvalidStatus        = &Error{Code: CodeInvalidStatus}
	ErrInvalidReference     = &Error{Code: CodeInvalidReference}
	ErrListFull             = &Error{Code: CodeListFull}
	ErrInvalidArgument      = &Error{Code: CodeInvalidArgument}
)

// CodeOf returns the Code of the statuslist error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// fromJOSE maps a jose error to this package's codes, keeping it as the cause.
func fromJOSE(err error, context string) *Error {
	code := CodeMalformed
	switch jose.CodeOf(err) {
	case jose.CodeUnsupportedAlgorithm:
		code = CodeUnsupportedAlgorithm
	case jose.CodeKeyMismatch:
		code = CodeKeyMismatch
	case jose.CodeInvalidSignature:
		code = CodeInvalidSignature
	case jose.CodeWrongType:
		code = CodeWrongType
	case jose.CodeInvalidCertificate:
		code = CodeInvalidCertificate
	default: // malformed input, and anything jose may add later
	}
	return &Error{Code: code, Msg: context, Err: err}
}
