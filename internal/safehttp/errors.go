package safehttp

import (
	"errors"
	"fmt"
)

// Code classifies why a fetch failed. Codes are stable and safe to show to users.
type Code string

// The error codes of this package.
const (
	CodeInvalidURL      Code = "invalid_url"      // not an absolute https URL (or loopback http where allowed)
	CodeBlockedAddress  Code = "blocked_address"  // the host resolves to an address class the client refuses
	CodeTooLarge        Code = "too_large"        // the response body exceeds the limit
	CodeTimeout         Code = "timeout"          // a timeout or the context deadline expired
	CodeRedirectRefused Code = "redirect_refused" // the server answered with a redirect (3xx)
	CodeBadStatus       Code = "bad_status"       // the status is not one the caller expects
	CodeNetwork         Code = "network"          // another transport failure (refused, reset, TLS)
)

// Error is the error type of this package.
type Error struct {
	Code Code
	// Status is the HTTP status for CodeBadStatus and CodeRedirectRefused, else 0.
	Status int
	Msg    string
	Err    error // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("safehttp: %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("safehttp: %s: %s", e.Code, e.Msg)
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err,
// safehttp.ErrBlockedAddress) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrInvalidURL      = &Error{Code: CodeInvalidURL}
	ErrBlockedAddress  = &Error{Code: CodeBlockedAddress}
	ErrTooLarge        = &Error{Code: CodeTooLarge}
	ErrTimeout         = &Error{Code: CodeTimeout}
	ErrRedirectRefused = &Error{Code: CodeRedirectRefused}
	ErrBadStatus       = &Error{Code: CodeBadStatus}
	ErrNetwork         = &Error{Code: CodeNetwork}
)

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// CodeOf returns the Code of a safehttp error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}
