package pki

import (
	"errors"
	"fmt"
)

// Code classifies why a pki operation failed. Codes are stable and safe to show to users.
type Code string

// The error codes of this package.
const (
	// CodeInvalid: the Config, the directory argument or the time given to Init is not
	// acceptable (see Config.Validate); nothing was written.
	CodeInvalid Code = "invalid"
	// CodeIncomplete: the directory holds part of a PKI — a file or an entity is missing, or
	// files exist without a pki.json manifest (an interrupted or foreign directory).
	CodeIncomplete Code = "incomplete"
	// CodeCorrupt: a file exists but does not hold what the manifest says: unparsable PEM
	// or JSON, a key that does not match its certificate, a broken chain, a wrong thumbprint.
	CodeCorrupt Code = "corrupt"
	// CodeMismatch: the directory holds a complete PKI that was generated for another
	// Config; it is never changed in place.
	CodeMismatch Code = "config_mismatch"
	// CodeExpired: a certificate of an existing PKI is not valid at the time given to Init
	// (expired, or not yet valid).
	CodeExpired Code = "expired"
	// CodeInsecurePermissions: a private-key file is readable or writable by group or others.
	CodeInsecurePermissions Code = "insecure_permissions"
	// CodeNotFound: no entity with the requested role and id.
	CodeNotFound Code = "not_found"
	// CodeIO: the file system refused an operation (permissions, disk full, not a directory).
	CodeIO Code = "io"
)

// Error is the error type of this package.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("pki: %s: %v", e.Msg, e.Err)
	}
	return "pki: " + e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err, pki.ErrIncomplete) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrInvalid             = &Error{Code: CodeInvalid}
	ErrIncomplete          = &Error{Code: CodeIncomplete}
	ErrCorrupt             = &Error{Code: CodeCorrupt}
	ErrMismatch            = &Error{Code: CodeMismatch}
	ErrExpired             = &Error{Code: CodeExpired}
	ErrInsecurePermissions = &Error{Code: CodeInsecurePermissions}
	ErrNotFound            = &Error{Code: CodeNotFound}
	ErrIO                  = &Error{Code: CodeIO}
)

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// CodeOf returns the Code of a pki error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}
