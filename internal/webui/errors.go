package webui

import (
	"errors"
	"fmt"
)

// Code classifies why a webui operation failed. Codes are stable and safe to log.
type Code string

// The error codes of this package.
const (
	CodeInvalidOption  Code = "invalid_option"  // a constructor or option was given a value it does not accept
	CodeCatalog        Code = "catalog"         // a message file is missing, malformed or redefines a key
	CodeMissingMessage Code = "missing_message" // a template asked for a message key that no catalog defines
	CodeTemplate       Code = "template"        // a template does not parse, does not exist or fails to execute
	CodeCSRF           Code = "csrf"            // an unsafe request without a valid CSRF token
	CodeCookieInvalid  Code = "cookie_invalid"  // a signed cookie is missing, malformed or fails its MAC
	CodeCookieExpired  Code = "cookie_expired"  // a signed cookie's MAC is good but it has expired
	CodeQRTooLong      Code = "qr_too_long"     // QR code content over maxQRContentLen or beyond QR capacity
)

// Error is the error type of this package.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("webui: %s: %v", e.Msg, e.Err)
	}
	return "webui: " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err, webui.ErrCSRF) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrInvalidOption  = &Error{Code: CodeInvalidOption}
	ErrCatalog        = &Error{Code: CodeCatalog}
	ErrMissingMessage = &Error{Code: CodeMissingMessage}
	ErrTemplate       = &Error{Code: CodeTemplate}
	ErrCSRF           = &Error{Code: CodeCSRF}
	ErrCookieInvalid  = &Error{Code: CodeCookieInvalid}
	ErrCookieExpired  = &Error{Code: CodeCookieExpired}
	ErrQRTooLong      = &Error{Code: CodeQRTooLong}
)

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// CodeOf returns the Code of a webui error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}
