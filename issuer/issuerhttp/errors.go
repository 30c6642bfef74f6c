package issuerhttp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/issuer"
)

// ErrorResponse is the error body of every issuer endpoint: the OAuth 2.0 / OpenID4VCI
// {"error", "error_description"}, plus "fields" for invalid_input (registrar API). Header
// carries WWW-Authenticate and DPoP-Nonce; it is not part of the body.
type ErrorResponse struct {
	Error            string                `json:"error"`
	ErrorDescription string                `json:"error_description,omitempty"`
	Fields           []academic.FieldError `json:"fields,omitempty"`
	Header           http.Header           `json:"-"`
}

// WireHeader returns the extra response headers (httpx.WriteError sends them).
func (r ErrorResponse) WireHeader() http.Header { return r.Header }

// errNoAuthorization is a request without an Authorization header.
var errNoAuthorization = &issuer.Error{Code: issuer.CodeInvalidToken, Description: "an access token is required"}

// edgeError is an error found while binding the request.
func edgeError(code issuer.Code, description string) *issuer.Error {
	return &issuer.Error{Code: code, Description: description}
}

// endpointError marks where an error happened, for the statuses and headers that depend on
// it.
type endpointError struct {
	kind      endpointKind
	scheme    string // the resource request's Authorization scheme ("" when none)
	anonymous bool   // the resource request had no Authorization header
	err       error
}

type endpointKind int

const (
	kindToken endpointKind = iota + 1
	kindResource
)

func (e *endpointError) Error() string { return e.err.Error() }
func (e *endpointError) Unwrap() error { return e.err }

func tokenEndpoint(err error) error { return &endpointError{kind: kindToken, err: err} }

// resource marks an error of a resource request made with auth.
func resource(auth issuer.Authorization, err error) error {
	return &endpointError{kind: kindResource, scheme: auth.Scheme, anonymous: auth.Scheme == "", err: err}
}

// dpopAlgorithms are the DPoP proof algorithms the issuer accepts (AS metadata
// dpop_signing_alg_values_supported).
var dpopAlgorithms = []jose.Algorithm{jose.ES256}

// ErrorMapper maps the handlers' errors to HTTP for httpx.WithErrorMapper; it is the one
// place where issuer error codes become wire errors:
//
//   - every *issuer.Error: its Code as "error", its Description as "error_description"
//     (only the characters RFC 6749 §5.2 allows), its Fields as "fields", with status
//     Error.HTTPStatus();
//   - at the token endpoint, invalid_dpop_proof and use_dpop_nonce are 400 (RFC 9449 §5),
//     use_dpop_nonce with a DPoP-Nonce header (§8);
//   - at the credential, deferred credential and notification endpoints, invalid_token,
//     invalid_dpop_proof and use_dpop_nonce are 401 with WWW-Authenticate: a Bearer
//     challenge for a Bearer request, a DPoP challenge (with algs) for a DPoP request, and
//     both, without an error code, when the request had no Authorization header (RFC 6750 §3,
//     RFC 9449 §7.1); insufficient_scope (a token that does not grant the credential) is 403
//     with the same challenge;
//   - registrar 401s carry WWW-Authenticate: Bearer realm="registrar".
//
// Other errors are not claimed (ok false): httpx answers them (413, Echo errors, 500).
func ErrorMapper(err error) (status int, body any, ok bool) {
	e, isIssuerErr := errors.AsType[*issuer.Error](err)
	if !isIssuerErr || e == nil {
		return 0, nil, false
	}
	res := ErrorResponse{Error: string(e.Code), ErrorDescription: keep6750(e.Description), Fields: e.Fields}
	if e.Code == issuer.CodeInternal || e.Code == issuer.CodeUnavailable {
		res.ErrorDescription, res.Fields = "", nil // internal detail is logged by httpx, not sent
		if e.Code == issuer.CodeUnavailable {
			res.ErrorDescription = "the service is busy; retry"
		}
	}
	status = e.HTTPStatus()
	ep, _ := errors.AsType[*endpointError](err)
	kind := endpointKind(0)
	if ep != nil {
		kind = ep.kind
	}
	switch {
	case kind == kindToken && (e.Code == issuer.CodeInvalidDPoPProof || e.Code == issuer.CodeUseDPoPNonce):
		status = http.StatusBadRequest
		if e.Code == issuer.CodeUseDPoPNonce && e.DPoPNonce != "" {
			res.Header = http.Header{"Dpop-Nonce": {e.DPoPNonce}}
		}
	case kind == kindResource && (e.Code == issuer.CodeInvalidToken || e.Code == issuer.CodeInvalidDPoPProof || e.Code == issuer.CodeUseDPoPNonce):
		status = http.StatusUnauthorized
		res.Header = challenges(ep.scheme, ep.anonymous, e)
	case kind == kindResource && e.Code == issuer.CodeInsufficientScope:
		res.Header = challenges(ep.scheme, false, e)
	case e.Code == issuer.CodeUnauthorized:
		res.Header = http.Header{"Www-Authenticate": {`Bearer realm="registrar"`}}
	}
	return status, res, true
}

// challenges returns the WWW-Authenticate (and DPoP-Nonce) headers of a 401 from a resource.
func challenges(scheme string, anonymous bool, e *issuer.Error) http.Header {
	h := http.Header{}
	if anonymous && e.Code == issuer.CodeInvalidToken {
		h.Add("Www-Authenticate", schemeBearer)
		h.Add("Www-Authenticate", dpop.Challenge{Algorithms: dpopAlgorithms}.String())
		return h
	}
	if scheme != schemeDPoP && (e.Code == issuer.CodeInvalidToken || e.Code == issuer.CodeInsufficientScope) {
		h.Add("Www-Authenticate", schemeBearer+` error="`+string(e.Code)+`", error_description="`+keep6750(e.Description)+`"`)
		if scheme == schemeBearer {
			return h
		}
	}
	h.Add("Www-Authenticate", dpop.Challenge{Error: string(e.Code), ErrorDescription: e.Description, Algorithms: dpopAlgorithms}.String())
	if e.Code == issuer.CodeUseDPoPNonce && e.DPoPNonce != "" {
		h.Set("Dpop-Nonce", e.DPoPNonce)
	}
	return h
}

// keep6750 keeps the characters RFC 6750 §3 allows in error_description.
func keep6750(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return -1
		}
		return r
	}, s)
}
