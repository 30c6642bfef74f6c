package verifierhttp

import (
	"errors"
	"net/http"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/verifier"
)

// Error codes the edge itself sends (besides the flow's, verifier.Error.OAuthError).
const (
	// CodeInvalidToken: the desk API was called without the desk's bearer token (401).
	CodeInvalidToken = "invalid_token"
	// CodeInvalidInput: the API request body is not the expected JSON (400); the
	// description names the offending member.
	CodeInvalidInput = "invalid_input"
	// CodeNotFound: the desk API was asked for a request it does not have (404).
	CodeNotFound = "not_found"
	// CodeInvalidRequest: a wallet request is malformed before the flow sees it (400): wrong
	// content type, an unreadable form, a repeated parameter.
	CodeInvalidRequest = "invalid_request"
)

// apiError is an error found at the edge, before the flow is called.
type apiError struct {
	status int
	code   string
	desc   string
	header http.Header
}

func (e *apiError) Error() string { return e.code + ": " + e.desc }

var errUnauthorized = &apiError{status: http.StatusUnauthorized, code: CodeInvalidToken,
	desc: "the desk's bearer token is required", header: http.Header{"Www-Authenticate": {`Bearer realm="verifier", error="invalid_token"`}}}

func invalidInput(desc string) error {
	return &apiError{status: http.StatusBadRequest, code: CodeInvalidInput, desc: desc}
}

func invalidRequest(desc string) error {
	return &apiError{status: http.StatusBadRequest, code: CodeInvalidRequest, desc: desc}
}

// ErrorMapper maps the handlers' errors to HTTP for httpx.WithErrorMapper; it is the one
// place where verifier error codes become wire errors:
//
//   - every *verifier.Error: Error.OAuthError() as "error" (OpenID4VP 1.0 §8.5, RFC 6749
//     §4.1.2.1: invalid_request, invalid_request_uri_method, server_error,
//     temporarily_unavailable; invalid_input for the API), Error.Description() as
//     "error_description" (none for server errors), with status Error.HTTPStatus();
//   - the edge's own errors: invalid_token (401 with a Bearer challenge), invalid_input and
//     invalid_request (400), not_found (404, the desk API).
//
// Other errors are not claimed (ok false): httpx answers them (413 for an oversized body,
// Echo's 404 and 405, 500 with only a request id).
func ErrorMapper(err error) (status int, body any, ok bool) {
	if e, isAPI := errors.AsType[*apiError](err); isAPI && e != nil {
		return e.status, httpx.ErrorResponse{Error: e.code, ErrorDescription: e.desc, Header: e.header}, true
	}
	e, isFlow := errors.AsType[*verifier.Error](err)
	if !isFlow || e == nil {
		return 0, nil, false
	}
	res := httpx.ErrorResponse{Error: e.OAuthError(), ErrorDescription: e.Description()}
	switch res.Error {
	case string(verifier.CodeServerError):
		res.ErrorDescription = ""
	case string(verifier.CodeUnavailable):
		res.ErrorDescription = "the service is busy; retry"
	}
	return e.HTTPStatus(), res, true
}
