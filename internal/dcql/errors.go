package dcql

import (
	"errors"
	"fmt"
)

// Code classifies why a DCQL operation failed. Codes are stable and safe to show to users;
// compare them, never error messages.
type Code string

// The error codes of this package.
const (
	// Query errors (Parse and Validate).

	CodeMalformed     Code = "malformed"         // not strict JSON (duplicate members, bad UTF-8), or a member has the wrong JSON type or is missing
	CodeLimitExceeded Code = "limit_exceeded"    // larger than a limit in limits.go
	CodeInvalidID     Code = "invalid_id"        // an id is empty or has characters outside [A-Za-z0-9_-]
	CodeDuplicateID   Code = "duplicate_id"      // a credential query id, or a claim id within one credential query, occurs twice
	CodeInvalidRef    Code = "invalid_reference" // claim_sets or credential_sets name an id that does not exist, or claim_sets comes without claims or claim ids
	CodeInvalidMeta   Code = "invalid_meta"      // meta lacks the member its format requires, or that member is empty or malformed
	CodeInvalidPath   Code = "invalid_path"      // a claims path pointer is empty, too long, or has a component other than a string, null or non-negative integer
	CodeInvalidValues Code = "invalid_values"    // values is empty or holds something other than strings, integers and booleans
	CodeInvalidQuery  Code = "invalid_query"     // another rule of OpenID4VP 1.0 §6 is broken (empty arrays, missing format, empty trusted authority values, ...)

	// Claims path pointer processing (Select).

	CodePathTypeMismatch Code = "path_type_mismatch" // a string applies to a non-object, or null or an index to a non-array (§7.1)
	CodeNoMatch          Code = "no_match"           // the pointer selects nothing

	// Response checks (CheckResponse). Per-presentation codes appear in PresentationCheck.

	CodeUnknownQueryID        Code = "unknown_query_id"        // the vp_token has an entry for an id that is not a credential query id
	CodePresentationCount     Code = "presentation_count"      // an entry holds no presentation, or several where multiple is false
	CodeFormatMismatch        Code = "format_mismatch"         // the presentation's format is not the one requested
	CodeUnsupportedFormat     Code = "unsupported_format"      // the requested format is one this package cannot match (mso_mdoc, unknown formats)
	CodeMetaMismatch          Code = "meta_mismatch"           // vct or types do not match meta (vct_values, type_values)
	CodeHolderBindingRequired Code = "holder_binding_required" // the query requires cryptographic holder binding and the credential has none
	CodeUntrustedAuthority    Code = "untrusted_authority"     // the credential matches none of the trusted_authorities
	CodeClaimsNotSatisfied    Code = "claims_not_satisfied"    // the requested claims (or no claim_sets option) are not disclosed with matching values
	CodeUnsatisfied           Code = "unsatisfied"             // the response as a whole does not satisfy the query (a credential query or required credential set unanswered)
)

// Error is the error type of this package.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any
}

// Error returns "dcql: " followed by the code, the message and the cause, if any.
func (e *Error) Error() string {
	s := "dcql: " + string(e.Code)
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

// Is reports whether target is the sentinel of e's code, so errors.Is(err, dcql.ErrInvalidID)
// works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrMalformed             = &Error{Code: CodeMalformed}
	ErrLimitExceeded         = &Error{Code: CodeLimitExceeded}
	ErrInvalidID             = &Error{Code: CodeInvalidID}
	ErrDuplicateID           = &Error{Code: CodeDuplicateID}
	ErrInvalidRef            = &Error{Code: CodeInvalidRef}
	ErrInvalidMeta           = &Error{Code: CodeInvalidMeta}
	ErrInvalidPath           = &Error{Code: CodeInvalidPath}
	ErrInvalidValues         = &Error{Code: CodeInvalidValues}
	ErrInvalidQuery          = &Error{Code: CodeInvalidQuery}
	ErrPathTypeMismatch      = &Error{Code: CodePathTypeMismatch}
	ErrNoMatch               = &Error{Code: CodeNoMatch}
	ErrUnknownQueryID        = &Error{Code: CodeUnknownQueryID}
	ErrPresentationCount     = &Error{Code: CodePresentationCount}
	ErrFormatMismatch        = &Error{Code: CodeFormatMismatch}
	ErrMetaMismatch          = &Error{Code: CodeMetaMismatch}
	ErrHolderBindingRequired = &Error{Code: CodeHolderBindingRequired}
	ErrUntrustedAuthority    = &Error{Code: CodeUntrustedAuthority}
	ErrClaimsNotSatisfied    = &Error{Code: CodeClaimsNotSatisfied}
	ErrUnsatisfied           = &Error{Code: CodeUnsatisfied}
)

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// CodeOf returns the Code of a dcql error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}
