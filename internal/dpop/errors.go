package dpop

import (
	"errors"
	"fmt"
)

// Code classifies why creating or verifying a DPoP proof failed. Codes are stable and safe to
// show to users; compare them, never error messages. OAuthError maps them to the "error"
// values of RFC 9449.
type Code string

// The error codes of this package. Every code but CodeInvalidArgument, CodeNonceRequired,
// CodeNonceMismatch and CodeKeyMismatch means the proof is invalid under RFC 9449 §4.3.
const (
	// CodeMissing: the request carries no DPoP header, or an empty one (§4.3 check 2).
	CodeMissing Code = "missing"
	// CodeMultiple: the request carries more than one DPoP header field, or one field
	// holding several comma-separated values (§4.3 check 1).
	CodeMultiple Code = "multiple"
	// CodeMalformed: the value is not a single well-formed compact JWS, is larger than
	// MaxProofSize, or its claims are not a JSON object holding string "jti", "htm", "htu"
	// and a numeric "iat" (and, when present, string "nonce" and "ath") (§4.3 checks 2, 3).
	CodeMalformed Code = "malformed"
	// CodeBadType: the "typ" header is missing or is not dpop+jwt (§4.3 check 4, §11.5).
	CodeBadType Code = "bad_typ"
	// CodeBadAlgorithm: "alg" is not in the policy's allow-list; "none" and HMAC never are
	// (§4.3 check 5, §11.6).
	CodeBadAlgorithm Code = "bad_alg"
	// CodeBadKey: the "jwk" header is missing, holds private key members, is not a public
	// key hashi supports, or does not fit "alg" (ES256 needs a P-256 key) (§4.3 checks 6, 7).
	CodeBadKey Code = "bad_key"
	// CodeBadSignature: the signature does not verify with the "jwk" key (§4.3 check 6).
	CodeBadSignature Code = "bad_signature"
	// CodeHTMMismatch: "htm" is not exactly the request method (§4.3 check 8).
	CodeHTMMismatch Code = "htm_mismatch"
	// CodeHTUMismatch: "htu" is not an absolute http(s) URI or does not name the request
	// URI after normalization, ignoring query and fragment (§4.3 check 9).
	CodeHTUMismatch Code = "htu_mismatch"
	// CodeIATOutOfWindow: "iat" is older than Policy.MaxAge or further in the future than
	// Policy.ClockSkew (§4.3 check 11, §11.1).
	CodeIATOutOfWindow Code = "iat_out_of_window"
	// CodeATHMismatch: an access token was presented and "ath" is missing or is not its
	// hash, or "ath" is present although no access token was presented (§4.3 check 12, §7).
	CodeATHMismatch Code = "ath_mismatch"
	// CodeNonceRequired: the server expects a nonce and the proof carries none (§8, §9,
	// §11.3). Answer with error use_dpop_nonce and a DPoP-Nonce header.
	CodeNonceRequired Code = "nonce_required"
	// CodeNonceMismatch: the proof's nonce is not the one the server expects (§4.3 check 10,
	// §8). Answer with error use_dpop_nonce and a fresh DPoP-Nonce header.
	CodeNonceMismatch Code = "nonce_mismatch"
	// CodeKeyMismatch: the proof key's thumbprint is not Policy.BoundJKT, the key the access
	// token (cnf.jkt), refresh token or authorization code (dpop_jkt) is bound to (§4.3
	// check 12, §6, §10).
	CodeKeyMismatch Code = "key_mismatch"
	// CodeInvalidArgument: the caller passed unusable input (zero Policy.Now, an unknown
	// algorithm, a request URL that is not absolute http(s), an access token without
	// BoundJKT, a bad signing key). It points at a bug, not at the client.
	CodeInvalidArgument Code = "invalid_argument"
)

// Error is the error type of this package.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any
}

// Error returns "dpop: " followed by the code, the message and the cause, if any.
func (e *Error) Error() string {
	s := "dpop: " + string(e.Code)
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

// Is reports whether target is the sentinel of e's code, so errors.Is(err,
// dpop.ErrHTUMismatch) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrMissing         = &Error{Code: CodeMissing}
	ErrMultiple        = &Error{Code: CodeMultiple}
	ErrMalformed       = &Error{Code: CodeMalformed}
	ErrBadType         = &Error{Code: CodeBadType}
	ErrBadAlgorithm    = &Error{Code: CodeBadAlgorithm}
	ErrBadKey          = &Error{Code: CodeBadKey}
	ErrBadSignature    = &Error{Code: CodeBadSignature}
	ErrHTMMismatch     = &Error{Code: CodeHTMMismatch}
	ErrHTUMismatch     = &Error{Code: CodeHTUMismatch}
	ErrIATOutOfWindow  = &Error{Code: CodeIATOutOfWindow}
	ErrATHMismatch     = &Error{Code: CodeATHMismatch}
	ErrNonceRequired   = &Error{Code: CodeNonceRequired}
	ErrNonceMismatch   = &Error{Code: CodeNonceMismatch}
	ErrKeyMismatch     = &Error{Code: CodeKeyMismatch}
	ErrInvalidArgument = &Error{Code: CodeInvalidArgument}
)

// CodeOf returns the Code of err if it is (or wraps) an *Error, and "" otherwise.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// The OAuth "error" values RFC 9449 uses (§5, §7.1, §8, §9) and RFC 6750 §3.1's
// invalid_token.
const (
	OAuthInvalidDPoPProof = "invalid_dpop_proof"
	OAuthUseDPoPNonce     = "use_dpop_nonce"
	OAuthInvalidToken     = "invalid_token"
)

// OAuthError returns the OAuth "error" value for err, for the one place in a service that
// turns errors into responses:
//
//   - "use_dpop_nonce" for CodeNonceRequired and CodeNonceMismatch (§8, §9): send a
//     DPoP-Nonce header with a fresh nonce alongside (400 at a token endpoint, 401 with
//     WWW-Authenticate at a resource such as the credential endpoint);
//   - "invalid_token" for CodeKeyMismatch: the access token is bound to another key, as in
//     the §7.1 example (error_description "Invalid DPoP key binding"). At a token endpoint,
//     where BoundJKT came from dpop_jkt or a bound refresh token, the grant is what does
//     not fit the key: answer "invalid_grant" there;
//   - "invalid_dpop_proof" for every other code of this package (§5, §7.1);
//   - "" for CodeInvalidArgument and for errors of other packages: not the client's fault,
//     answer with a server error.
func OAuthError(err error) string {
	switch CodeOf(err) {
	case CodeNonceRequired, CodeNonceMismatch:
		return OAuthUseDPoPNonce
	case CodeKeyMismatch:
		return OAuthInvalidToken
	case CodeMissing, CodeMultiple, CodeMalformed, CodeBadType, CodeBadAlgorithm, CodeBadKey,
		CodeBadSignature, CodeHTMMismatch, CodeHTUMismatch, CodeIATOutOfWindow, CodeATHMismatch:
		return OAuthInvalidDPoPProof
	default:
		return ""
	}
}
