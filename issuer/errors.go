package issuer

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hashi-vc/hashi/internal/academic"
)

// Code is a stable error code. For protocol errors it is the error value the OAuth 2.0 and
// OpenID4VCI 1.0 specifications define (sent as "error"); the rest are hashi's.
type Code string

// The error codes.
const (
	// Token endpoint (RFC 6749 §5.2, OpenID4VCI 1.0 §6.3).
	CodeInvalidRequest       Code = "invalid_request"
	CodeInvalidGrant         Code = "invalid_grant"
	CodeUnsupportedGrantType Code = "unsupported_grant_type"
	CodeInvalidClient        Code = "invalid_client"
	// DPoP (RFC 9449 §5, §8).
	CodeInvalidDPoPProof Code = "invalid_dpop_proof"
	CodeUseDPoPNonce     Code = "use_dpop_nonce"
	// Protected resources (RFC 6750 §3.1).
	CodeInvalidToken      Code = "invalid_token"
	CodeInsufficientScope Code = "insufficient_scope" // RFC 6750 §3.1: the token does not grant the credential
	// Credential endpoint (OpenID4VCI 1.0 §8.3.1).
	CodeInvalidCredentialRequest       Code = "invalid_credential_request"
	CodeUnknownCredentialConfiguration Code = "unknown_credential_configuration"
	CodeUnknownCredentialIdentifier    Code = "unknown_credential_identifier"
	CodeInvalidProof                   Code = "invalid_proof"
	CodeInvalidNonce                   Code = "invalid_nonce"
	CodeInvalidEncryptionParameters    Code = "invalid_encryption_parameters"
	CodeCredentialRequestDenied        Code = "credential_request_denied"
	CodeInvalidTransactionID           Code = "invalid_transaction_id"
	CodeInvalidNotificationID          Code = "invalid_notification_id"
	CodeInvalidNotificationRequest     Code = "invalid_notification_request"
	// hashi's own (registrar API and lookups).
	CodeNotFound     Code = "not_found"               // unknown tenant, offer, graduate or credential
	CodeUnauthorized Code = "unauthorized"            // missing or wrong registrar bearer token
	CodeInvalidInput Code = "invalid_input"           // a registrar request that fails validation
	CodeConflict     Code = "conflict"                // the request conflicts with the current state
	CodeInternal     Code = "server_error"            // a store or signing failure; details are logged only
	CodeUnavailable  Code = "temporarily_unavailable" // the store is busy; retry
)

// Error is the error type of this package: a stable Code, a description safe to send to
// the client (error_description), optional field errors (registrar validation), and the
// underlying cause (never sent).
type Error struct {
	Code        Code
	Description string
	// Fields lists every failing field of a registrar request (JSON path → message in
	// English and Japanese), for CodeInvalidInput.
	Fields []academic.FieldError
	// DPoPNonce is the nonce to send in a DPoP-Nonce header with CodeUseDPoPNonce.
	DPoPNonce string
	Err       error
}

func (e *Error) Error() string {
	msg := "issuer: " + string(e.Code)
	if e.Description != "" {
		msg += ": " + e.Description
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches sentinels by Code.
func (e *Error) Is(target error) bool {
	var t *Error
	return errors.As(target, &t) && t.Code == e.Code && t.Description == "" && t.Err == nil
}

// HTTPStatus is the status the spec prescribes for the code.
func (e *Error) HTTPStatus() int {
	switch e.Code {
	case CodeInvalidClient, CodeInvalidToken, CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeInsufficientScope:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeConflict:
		return http.StatusConflict
	case CodeInternal:
		return http.StatusInternalServerError
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusBadRequest
	}
}

// Sentinels for errors.Is.
var (
	ErrInvalidGrant     = &Error{Code: CodeInvalidGrant}
	ErrInvalidProof     = &Error{Code: CodeInvalidProof}
	ErrInvalidNonce     = &Error{Code: CodeInvalidNonce}
	ErrInvalidToken     = &Error{Code: CodeInvalidToken}
	ErrInvalidDPoPProof = &Error{Code: CodeInvalidDPoPProof}
	ErrNotFound         = &Error{Code: CodeNotFound}
	ErrUnauthorized     = &Error{Code: CodeUnauthorized}
	ErrInvalidInput     = &Error{Code: CodeInvalidInput}
)

// CodeOf returns the Code of err, or "" when err is not an *Error.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...), Err: cause}
}
