package verifier

import (
	"errors"
	"fmt"
)

// Code is a stable reason code. Each check of a Result carries one when it fails, and the
// Result's Reason is the code of the first failing check. Codes are safe to show to users and
// to send to relying parties; compare them, never messages.
type Code string

// Codes about the response as a whole.
const (
	// CodeMalformedVPToken: the vp_token is not a JSON object of credential query ids to
	// arrays of presentation strings, names an id the query does not have, has an empty or
	// (without multiple) a longer array, or exceeds a limit in limits.go.
	CodeMalformedVPToken Code = "malformed_vp_token"
	// CodeQueryUnsatisfied: the verified presentations do not answer the DCQL query (a
	// presentation does not match its credential query, or a required credential query or
	// credential set is left unanswered).
	CodeQueryUnsatisfied Code = "query_unsatisfied"
)

// Codes about one presentation, in the order the checks run.
const (
	// CodeUnsupportedFormat: the credential query's format is neither dc+sd-jwt nor jwt_vc_json.
	CodeUnsupportedFormat Code = "unsupported_format"
	// CodeMalformedCredential: the presentation does not parse (SD-JWT or JWS syntax, JSON,
	// explicit type, registered claims of the wrong type, limits).
	CodeMalformedCredential Code = "malformed_credential"
	// CodeUnsupportedAlgorithm: a signature algorithm is not in the verifier's allow-list.
	CodeUnsupportedAlgorithm Code = "unsupported_algorithm"
	// CodeSignatureInvalid: the issuer's signature does not verify with the x5c leaf key, or
	// the credential carries no x5c.
	CodeSignatureInvalid Code = "signature_invalid"
	// CodeDisclosureInvalid: a disclosure is malformed, unreferenced, duplicated, clashes with
	// a claim, or discloses a claim that must stay plain (RFC 9901 §7.1, SD-JWT VC §3.2.2.2).
	CodeDisclosureInvalid Code = "disclosure_invalid"
	// CodeExpired and CodeNotYetValid: the credential's exp has passed, or its nbf/iat lies in
	// the future (beyond the clock skew).
	CodeExpired     Code = "expired"
	CodeNotYetValid Code = "not_yet_valid"
	// CodeHolderBindingMissing: holder binding is required (by the DCQL query or the
	// recognition rule) and the presentation carries none.
	CodeHolderBindingMissing Code = "holder_binding_missing"
	// CodeHolderBindingInvalid: the KB-JWT (or VP JWT) is malformed, mistyped, or not signed by
	// the credential's holder key.
	CodeHolderBindingInvalid Code = "holder_binding_invalid"
	// CodeKBNonceMismatch, CodeKBAudienceMismatch, CodeKBTooOld, CodeKBSDHashMismatch: the
	// key binding's nonce, aud (the full client_id), iat window or sd_hash is wrong.
	CodeKBNonceMismatch    Code = "kb_nonce_mismatch"
	CodeKBAudienceMismatch Code = "kb_audience_mismatch"
	CodeKBTooOld           Code = "kb_too_old"
	CodeKBSDHashMismatch   Code = "kb_sd_hash_mismatch"
	// CodeChainInvalid: the x5c chain is unusable: no chain, a self-signed or CA leaf, a leaf
	// without the digitalSignature key usage, too long, or it does not verify to the listed
	// anchor at the issuance time.
	CodeChainInvalid Code = "chain_invalid"
	// CodeRecognitionType: no recognition rule covers the credential's type.
	CodeRecognitionType Code = "recognition_type"
	// CodeRecognitionJurisdiction: rules cover the type, but none accepts the issuer's
	// jurisdiction (the territory of the anchoring list, else the certificate's country).
	CodeRecognitionJurisdiction Code = "recognition_jurisdiction"
	// CodeIssuerNotTrusted: the chain anchors in no service the rule's trust policy accepts
	// (no anchor, wrong service type, unknown critical extension, no status at issuance).
	CodeIssuerNotTrusted Code = "issuer_not_trusted"
	// CodeIssuerWithdrawn: the anchoring service was not granted at the issuance time, or was
	// withdrawn since and the rule requires trust now.
	CodeIssuerWithdrawn Code = "issuer_withdrawn"
	// CodeTrustListStale: the list holding the anchoring service is past its NextUpdate (plus
	// grace) or closed; it contributes no trust.
	CodeTrustListStale Code = "trust_list_stale"
	// CodeIssMismatch: "iss" is neither a URI SAN of the leaf certificate nor an https URL
	// whose host is a dNSName SAN of it.
	CodeIssMismatch Code = "iss_mismatch"
	// CodeUnknownVCT: no type metadata is known for the vct.
	CodeUnknownVCT Code = "unknown_vct"
	// CodeTypeMetadata: the credential breaks its type metadata's sd rules (an "sd: never" claim
	// is disclosed, or an "sd: always" claim is plain).
	CodeTypeMetadata Code = "type_metadata_violation"
	// CodeStatusMissing: the rule requires a status list reference and the credential has none.
	CodeStatusMissing Code = "status_missing"
	// CodeStatusUnavailable: the status list could not be fetched.
	CodeStatusUnavailable Code = "status_unavailable"
	// CodeStatusInvalid: the status list token does not verify (signature by the credential's
	// leaf key, typ, sub = uri, exp, iat), the index is out of range, or the status value is
	// neither VALID, INVALID nor SUSPENDED.
	CodeStatusInvalid Code = "status_invalid"
	// CodeStatusRevoked and CodeStatusSuspended: the status list says INVALID or SUSPENDED.
	CodeStatusRevoked   Code = "status_revoked"
	CodeStatusSuspended Code = "status_suspended"
	// CodeQualificationInvalid: the disclosed academic claims are malformed (dates, levels,
	// codes), so no qualification can be compared.
	CodeQualificationInvalid Code = "qualification_invalid"
	// CodeRecognitionLevel: the qualification's EQF level is not disclosed or not recognised.
	CodeRecognitionLevel Code = "recognition_level"
	// CodeMissingClaim: a claim the rule requires is not disclosed.
	CodeMissingClaim Code = "missing_claim"
)

// CodeInvalidPolicy marks an error return: the caller's Policy or options are incomplete or
// contradictory (zero Now, no client_id or nonce, nil query, a rule without types). It points
// at a bug, never at the presented data.
const CodeInvalidPolicy Code = "invalid_policy"

// Error is the error type of this package. Verify returns one (with CodeInvalidPolicy) only for
// caller bugs; Result.Err turns a rejected Result into one.
type Error struct {
	Code Code
	Msg  string
	Err  error // underlying cause, if any
}

// Error returns "verifier: <code>: <message>: <cause>".
func (e *Error) Error() string {
	s := "verifier: " + string(e.Code)
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
// verifier.ErrIssuerNotTrusted) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Err == nil && t.Code == e.Code
}

// Sentinels, one per Code, for errors.Is.
var (
	ErrMalformedVPToken        = &Error{Code: CodeMalformedVPToken}
	ErrQueryUnsatisfied        = &Error{Code: CodeQueryUnsatisfied}
	ErrUnsupportedFormat       = &Error{Code: CodeUnsupportedFormat}
	ErrMalformedCredential     = &Error{Code: CodeMalformedCredential}
	ErrUnsupportedAlgorithm    = &Error{Code: CodeUnsupportedAlgorithm}
	ErrSignatureInvalid        = &Error{Code: CodeSignatureInvalid}
	ErrDisclosureInvalid       = &Error{Code: CodeDisclosureInvalid}
	ErrExpired                 = &Error{Code: CodeExpired}
	ErrNotYetValid             = &Error{Code: CodeNotYetValid}
	ErrHolderBindingMissing    = &Error{Code: CodeHolderBindingMissing}
	ErrHolderBindingInvalid    = &Error{Code: CodeHolderBindingInvalid}
	ErrKBNonceMismatch         = &Error{Code: CodeKBNonceMismatch}
	ErrKBAudienceMismatch      = &Error{Code: CodeKBAudienceMismatch}
	ErrKBTooOld                = &Error{Code: CodeKBTooOld}
	ErrKBSDHashMismatch        = &Error{Code: CodeKBSDHashMismatch}
	ErrChainInvalid            = &Error{Code: CodeChainInvalid}
	ErrRecognitionType         = &Error{Code: CodeRecognitionType}
	ErrRecognitionJurisdiction = &Error{Code: CodeRecognitionJurisdiction}
	ErrIssuerNotTrusted        = &Error{Code: CodeIssuerNotTrusted}
	ErrIssuerWithdrawn         = &Error{Code: CodeIssuerWithdrawn}
	ErrTrustListStale          = &Error{Code: CodeTrustListStale}
	ErrIssMismatch             = &Error{Code: CodeIssMismatch}
	ErrUnknownVCT              = &Error{Code: CodeUnknownVCT}
	ErrTypeMetadata            = &Error{Code: CodeTypeMetadata}
	ErrStatusMissing           = &Error{Code: CodeStatusMissing}
	ErrStatusUnavailable       = &Error{Code: CodeStatusUnavailable}
	ErrStatusInvalid           = &Error{Code: CodeStatusInvalid}
	ErrStatusRevoked           = &Error{Code: CodeStatusRevoked}
	ErrStatusSuspended         = &Error{Code: CodeStatusSuspended}
	ErrQualificationInvalid    = &Error{Code: CodeQualificationInvalid}
	ErrRecognitionLevel        = &Error{Code: CodeRecognitionLevel}
	ErrMissingClaim            = &Error{Code: CodeMissingClaim}
	ErrInvalidPolicy           = &Error{Code: CodeInvalidPolicy}
)

// CodeOf returns the Code of a verifier error in err's chain, or "" when there is none.
func CodeOf(err error) Code {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return ""
}

func policyErr(format string, args ...any) error {
	return &Error{Code: CodeInvalidPolicy, Msg: fmt.Sprintf(format, args...)}
}
