package sdjwt

import (
	"errors"
	"fmt"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Code classifies why an SD-JWT operation failed. Codes are stable and safe to show to users;
// the verifier service and the CLI print them.
type Code string

// The error codes of this package.
const (
	CodeMalformed              Code = "malformed"               // not a well-formed SD-JWT, SD-JWT+KB, JWS, JSON or base64url
	CodeLimitExceeded          Code = "limit_exceeded"          // larger or deeper than a limit in limits.go
	CodeUnsupportedAlgorithm   Code = "unsupported_algorithm"   // JWS alg not allowed by the policy, "none", HMAC, or an unknown _sd_alg
	CodeInvalidSignature       Code = "invalid_signature"       // the issuer signature does not verify
	CodeWrongType              Code = "wrong_type"              // the issuer JWT "typ" is not the expected one
	CodeExpired                Code = "expired"                 // "exp" is before Now (beyond the clock skew)
	CodeNotYetValid            Code = "not_yet_valid"           // "nbf" or "iat" is after Now (beyond the clock skew)
	CodeInvalidClaim           Code = "invalid_claim"           // a registered claim has the wrong type or value (iat, vct, iss, cnf, status, ...)
	CodeInvalidDisclosure      Code = "invalid_disclosure"      // a disclosure is malformed or cannot be embedded where its digest is
	CodeDuplicateDigest        Code = "duplicate_digest"        // a digest occurs twice (in the payload or across disclosures)
	CodeUnreferencedDisclosure Code = "unreferenced_disclosure" // a disclosure's digest is referenced nowhere
	CodeClaimClash             Code = "claim_clash"             // a disclosed claim name already exists at its level
	CodeForbiddenSDClaim       Code = "forbidden_sd_claim"      // an SD-JWT VC claim that must stay in plain text is selectively disclosed
	CodeKeyBindingRequired     Code = "key_binding_required"    // the policy requires a KB-JWT and none was presented
	CodeUnexpectedKeyBinding   Code = "unexpected_key_binding"  // a KB-JWT was presented where the policy forbids one (e.g. issuance)
	CodeInvalidKeyBinding      Code = "invalid_key_binding"     // the KB-JWT is malformed, mistyped, or not signed by the cnf key
	CodeWrongNonce             Code = "wrong_nonce"             // the KB-JWT nonce is not the expected one
	CodeWrongAudience          Code = "wrong_audience"          // the KB-JWT aud is not the expected one
	CodeStaleKeyBinding        Code = "stale_kb"                // the KB-JWT iat is outside the accepted window
	CodeSDHashMismatch         Code = "sd_hash_mismatch"        // the KB-JWT sd_hash does not cover the presented SD-JWT
	CodeUnknownIssuerKey       Code = "unknown_issuer_key"      // no issuer key could be found with an allowed mechanism
	CodeInvalidCertificate     Code = "invalid_certificate"     // an x5c entry cannot be decoded
	CodeKeyMismatch            Code = "key_mismatch"            // a key cannot be used as asked (wrong type, or not the cnf key)
	CodeInvalidPath            Code = "invalid_path"            // a claims path pointer is malformed or selects nothing
	CodeInvalidPolicy          Code = "invalid_policy"          // the caller's policy or options are incomplete or contradictory
	CodeInvalidMetadata        Code = "invalid_metadata"        // JWT VC Issuer Metadata is malformed or names another issuer
)

// Error is the error type of this package.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any

	// Checks lists, for errors returned by Verify and VerifyVC, every check performed before
	// the failure, the failed one last. It is nil for other errors.
	Checks []Check
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("sdjwt: %s: %s: %v", e.Code, e.Msg, e.Err)
	}
	return fmt.Sprintf("sdjwt: %s: %s", e.Code, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code, so errors.Is(err, sdjwt.ErrExpired)
// works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrMalformed              = &Error{Code: CodeMalformed}
	ErrLimitExceeded          = &Error{Code: CodeLimitExceeded}
	ErrUnsupportedAlgorithm   = &Error{Code: CodeUnsupportedAlgorithm}
	ErrInvalidSignature       = &Error{Code: CodeInvalidSignature}
	ErrWrongType              = &Error{Code: CodeWrongType}
	ErrExpired                = &Error{Code: CodeExpired}
	ErrNotYetValid            = &Error{Code: CodeNotYetValid}
	ErrInvalidClaim           = &Error{Code: CodeInvalidClaim}
	ErrInvalidDisclosure      = &Error{Code: CodeInvalidDisclosure}
	ErrDuplicateDigest        = &Error{Code: CodeDuplicateDigest}
	ErrUnreferencedDisclosure = &Error{Code: CodeUnreferencedDisclosure}
	ErrClaimClash             = &Error{Code: CodeClaimClash}
	ErrForbiddenSDClaim       = &Error{Code: CodeForbiddenSDClaim}
	ErrKeyBindingRequired     = &Error{Code: CodeKeyBindingRequired}
	ErrUnexpectedKeyBinding   = &Error{Code: CodeUnexpectedKeyBinding}
	ErrInvalidKeyBinding      = &Error{Code: CodeInvalidKeyBinding}
	ErrWrongNonce             = &Error{Code: CodeWrongNonce}
	ErrWrongAudience          = &Error{Code: CodeWrongAudience}
	ErrStaleKeyBinding        = &Error{Code: CodeStaleKeyBinding}
	ErrSDHashMismatch         = &Error{Code: CodeSDHashMismatch}
	ErrUnknownIssuerKey       = &Error{Code: CodeUnknownIssuerKey}
	ErrInvalidCertificate     = &Error{Code: CodeInvalidCertificate}
	ErrKeyMismatch            = &Error{Code: CodeKeyMismatch}
	ErrInvalidPath            = &Error{Code: CodeInvalidPath}
	ErrInvalidPolicy          = &Error{Code: CodeInvalidPolicy}
	ErrInvalidMetadata        = &Error{Code: CodeInvalidMetadata}
)

func errorf(code Code, cause error, format string, args ...any) *Error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...), Err: cause}
}

// CodeOf returns the Code of an sdjwt error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

// fromJOSE maps an error of internal/jose to this package's codes, so callers of sdjwt see
// sdjwt codes only. fallback is used for jose codes without a direct counterpart.
func fromJOSE(err error, fallback Code, msg string) *Error {
	code := fallback
	switch jose.CodeOf(err) {
	case jose.CodeUnsupportedAlgorithm:
		code = CodeUnsupportedAlgorithm
	case jose.CodeInvalidSignature:
		code = CodeInvalidSignature
	case jose.CodeWrongType:
		code = CodeWrongType
	case jose.CodeInvalidCertificate:
		code = CodeInvalidCertificate
	case jose.CodeKeyMismatch:
		code = CodeKeyMismatch
	case jose.CodeMalformed:
		code = CodeMalformed
	case jose.CodeDecryptionFailed:
		// not produced by the JWS functions this package calls
	}
	return &Error{Code: code, Msg: msg, Err: err}
}
