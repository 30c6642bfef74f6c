package vcjwt

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/statuslist"
)

// IssuerHeader returns the protected header an issuer's jose.Signer should carry for
// jwt_vc_json credentials: "typ" "JWT" (VCDM 1.1 §6.3.1), and "kid" (e.g. the key's RFC 9278
// thumbprint URI from jose.ThumbprintURI, or an entry of the issuer's JWK Set) and/or "x5c"
// (the seal certificate chain, leaf first, without the trust anchor).
func IssuerHeader(kid string, x5c []*x509.Certificate) jose.SignHeader {
	return jose.SignHeader{Typ: TypeJWT, Kid: kid, X5C: x5c}
}

// IssueOptions are the per-credential inputs of Issue besides the credential itself.
type IssueOptions struct {
	// IssuedAt becomes "iat". Required: a zero IssuedAt is an error.
	IssuedAt time.Time
	// Confirmation, when set, is the holder's public key, carried as "cnf": {"jwk": …}
	// (RFC 7800). If the subject is a did:jwk it must be the same key. Default: none, and a
	// did:jwk credentialSubject.id is then the only holder binding.
	Confirmation crypto.PublicKey
	// Status, when set, becomes the Token Status List reference "status": {"status_list":
	// {"idx", "uri"}} (draft-ietf-oauth-status-list-20 §6.2), which applies to any JWT.
	// Default: none.
	Status *statuslist.Reference
}

// Issue signs a VCDM 1.1 credential as a jwt_vc_json JWT with s, whose header should come
// from IssuerHeader (a "typ" other than "JWT" is refused).
//
// The credential is a JSON object (any value that encodes to one; it is not modified) with
// @context starting with ContextV1, type including "VerifiableCredential", issuer (URI or
// object with id), issuanceDate and a single credentialSubject object, and optionally id,
// expirationDate, credentialStatus and any other property. The registered claims are derived
// from it as VCDM 1.1 §6.3.1 says: iss = issuer (or issuer.id), sub = credentialSubject.id
// (absent for bearer credentials), jti = id, nbf = issuanceDate and exp = expirationDate as
// NumericDates (whole seconds), plus iat = opts.IssuedAt.
//
// The "vc" claim holds the whole credential, including the properties duplicated as
// registered claims, as the OpenID4VCI 1.0 jwt_vc_json example does: verifiers that read only
// "vc" see a complete credential, and Verify checks that the duplicates agree.
//
// Issue refuses a credential that Verify would refuse for its form: one with SD-JWT members
// ("_sd", "_sd_alg", "...") anywhere, an expirationDate not after its issuanceDate, or
// properties of the wrong types.
func Issue(s *jose.Signer, credential any, opts IssueOptions) (string, error) {
	if s == nil {
		return "", errorf(CodeInvalidInput, nil, "no signer")
	}
	// The signer's header must pass the checks Verify applies (typ absent or JWT, no cty).
	if h := s.Header(); checkTyp(&h) != nil {
		return "", checkTyp(&h)
	}
	if opts.IssuedAt.IsZero() {
		return "", errorf(CodeInvalidInput, nil, "IssueOptions.IssuedAt is zero")
	}
	// Encode and decode once so that any JSON-encodable value (maps, structs, time values)
	// is checked in the form a verifier will see.
	b, err := json.Marshal(credential)
	if err != nil {
		return "", errorf(CodeInvalidInput, err, "credential does not encode as JSON")
	}
	vc, err := decodeObject(b)
	if err != nil {
		return "", errorf(CodeNotAVC, err, "credential is not a JSON object")
	}
	w, verr := viewVC(vc)
	if verr != nil {
		return "", verr
	}
	if !w.hasIssuer {
		return "", claimErrorf(CodeNotAVC, "vc.issuer", "credential has no issuer")
	}
	if !w.hasIssuanceDate {
		return "", claimErrorf(CodeNotAVC, "vc.issuanceDate", "credential has no issuanceDate")
	}
	claims := map[string]any{
		"vc":  vc,
		"iss": w.issuer,
		"nbf": w.issuanceDate.Unix(),
		"iat": opts.IssuedAt.Unix(),
	}
	if w.hasSubjectID {
		claims["sub"] = w.subjectID
	}
	if w.hasID {
		claims["jti"] = w.id
	}
	if w.hasExpirationDate {
		claims["exp"] = w.expirationDate.Unix()
	}
	if opts.Confirmation != nil {
		j, err := jose.PublicJWK(opts.Confirmation)
		if err != nil {
			return "", errorf(CodeInvalidInput, err, "confirmation key")
		}
		claims["cnf"] = map[string]any{"jwk": j}
	}
	if opts.Status != nil {
		if err := opts.Status.Validate(); err != nil {
			return "", errorf(CodeInvalidInput, err, "status")
		}
		claims["status"] = map[string]any{"status_list": map[string]any{"idx": opts.Status.Idx, "uri": opts.Status.URI}}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", errorf(CodeInvalidInput, err, "encode claims")
	}
	// Apply the verifier's form and consistency rules to exactly what will be signed.
	decoded, err := decodeObject(payload)
	if err != nil {
		return "", errorf(CodeInvalidInput, err, "claims")
	}
	if e := exclusive(decoded, foreignVCClaims, true); e != nil {
		return "", e
	}
	reg, e := consistent(decoded, w)
	if e != nil {
		return "", e
	}
	if _, _, e := holderKey(decoded, reg.subject); e != nil {
		return "", e
	}
	tok, err := s.Sign(payload)
	if err != nil {
		return "", errorf(CodeInvalidInput, err, "sign")
	}
	return tok, nil
}
