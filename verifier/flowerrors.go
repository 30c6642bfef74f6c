package verifier

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/hashi-vc/hashi/internal/storeerr"
)

// Codes of the OpenID4VP flow (Flow methods return them in an *Error). OAuthError maps each
// to the error value sent on the wire (OpenID4VP 1.0 §8.5, RFC 6749 §4.1.2.1), HTTPStatus to
// the status the HTTP edge answers with.
const (
	// CodeInvalidRequest: a request or response is malformed: a missing, repeated or
	// ill-formed parameter, wallet_metadata that is not a JSON object or that rules out what
	// this verifier can do, a response of the wrong mode, a JWE whose payload is not a JSON
	// object with vp_token or error and the request's state.
	CodeInvalidRequest Code = "invalid_request"
	// CodeInvalidRequestURIMethod: the request_uri was called with a method other than GET
	// or POST, or with POST although the request link said request_uri_method=get.
	CodeInvalidRequestURIMethod Code = "invalid_request_uri_method"
	// CodeRequestNotFound: no request has this id (wire: invalid_request; HTTP 404).
	CodeRequestNotFound Code = "request_not_found"
	// CodeUnknownState: a response names a state (or encryption key) no request has.
	CodeUnknownState Code = "unknown_state"
	// CodeRequestExpired: the request's lifetime (FlowConfig.RequestTTL) has passed.
	CodeRequestExpired Code = "request_expired"
	// CodeRequestAnswered: the request was answered before; its state is used up.
	CodeRequestAnswered Code = "request_answered"
	// CodeDecryptionFailed: a direct_post.jwt response cannot be decrypted with the request's
	// key (wrong key, algorithm or enc, tampered ciphertext, no kid).
	CodeDecryptionFailed Code = "decryption_failed"
	// CodeInvalidResponseCode: the response_code does not belong to the request.
	CodeInvalidResponseCode Code = "invalid_response_code"
	// CodeInvalidInput: CreateRequest input is invalid (unknown profile or policy, bad DCQL
	// query, unknown response mode).
	CodeInvalidInput Code = "invalid_input"
	// CodeServerError: the store or a signature failed; details are in the cause only.
	CodeServerError Code = "server_error"
	// CodeUnavailable: the store stayed busy; retry.
	CodeUnavailable Code = "temporarily_unavailable"
)

// CodePresentationReplayed is a Result reason set by the flow, not by Verify: a presentation
// of this response (its KB-JWT, or the whole presentation without one) was already presented
// in a response to another request. The check is named CheckReplay.
const CodePresentationReplayed Code = "presentation_replayed"

// CheckReplay names the response-level check the flow adds to a Result whose presentation was
// seen before.
const CheckReplay = "replay"

// Sentinels of the flow codes, for errors.Is.
var (
	ErrInvalidRequest          = &Error{Code: CodeInvalidRequest}
	ErrInvalidRequestURIMethod = &Error{Code: CodeInvalidRequestURIMethod}
	ErrRequestNotFound         = &Error{Code: CodeRequestNotFound}
	ErrUnknownState            = &Error{Code: CodeUnknownState}
	ErrRequestExpired          = &Error{Code: CodeRequestExpired}
	ErrRequestAnswered         = &Error{Code: CodeRequestAnswered}
	ErrDecryptionFailed        = &Error{Code: CodeDecryptionFailed}
	ErrInvalidResponseCode     = &Error{Code: CodeInvalidResponseCode}
	ErrInvalidInput            = &Error{Code: CodeInvalidInput}
	ErrServerError             = &Error{Code: CodeServerError}
	ErrUnavailable             = &Error{Code: CodeUnavailable}
	ErrPresentationReplayed    = &Error{Code: CodePresentationReplayed}
)

// OAuthError is the "error" value to send for e: invalid_request for every malformed,
// unknown, expired or used request or response (OpenID4VP 1.0 §8.5 names no finer codes for
// the response URI), invalid_request_uri_method, server_error and temporarily_unavailable;
// CodeInvalidInput (hashi's API) is sent as it is.
func (e *Error) OAuthError() string {
	switch e.Code {
	case CodeInvalidRequestURIMethod, CodeServerError, CodeUnavailable, CodeInvalidInput:
		return string(e.Code)
	case CodeInvalidRequest, CodeRequestNotFound, CodeUnknownState, CodeRequestExpired,
		CodeRequestAnswered, CodeDecryptionFailed, CodeInvalidResponseCode:
		return string(CodeInvalidRequest)
	default:
		return string(CodeServerError)
	}
}

// HTTPStatus is the HTTP status for e: 400 for protocol errors, 404 for an unknown request
// id or response code, 503 when busy, 500 otherwise.
func (e *Error) HTTPStatus() int {
	switch e.Code {
	case CodeRequestNotFound, CodeInvalidResponseCode:
		return http.StatusNotFound
	case CodeInvalidRequest, CodeInvalidRequestURIMethod, CodeUnknownState, CodeRequestExpired,
		CodeRequestAnswered, CodeDecryptionFailed, CodeInvalidInput:
		return http.StatusBadRequest
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// Description is the error_description safe to send: the message without the cause.
func (e *Error) Description() string { return e.Msg }

func flowErr(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

// storeErr turns a store failure into a flow error: busy → CodeUnavailable, else
// CodeServerError, keeping the cause.
func storeErr(op string, err error) *Error {
	if errors.Is(err, storeerr.ErrBusy) {
		return &Error{Code: CodeUnavailable, Msg: op, Err: err}
	}
	return &Error{Code: CodeServerError, Msg: op, Err: err}
}
