// Package vcjwt issues and verifies jwt_vc_json credentials and presentations: W3C Verifiable
// Credentials Data Model 1.1 credentials encoded as JWTs (§6.3.1, the "vc" claim, "typ"
// "JWT"), the format OpenID4VCI 1.0 and OpenID4VP 1.0 call jwt_vc_json, and the VP JWTs that
// present them over OpenID4VP.
//
// Parsing and verifying are separate: [ParseUnverified] checks a credential's form and
// returns an [Unverified] value; only [Unverified.Verify] (or [Verify]) returns a [Result] you
// may trust. Every verification step is recorded as a [Check] with a stable name, and a
// failure is an [*Error] with a stable [Code] that also carries the checks performed so far.
//
// # hashi's decisions
//
//   - Issue keeps the whole credential inside "vc", including the properties it also maps to
//     registered claims (issuer, issuanceDate, id, expirationDate, credentialSubject.id), as the
//     OpenID4VCI 1.0 jwt_vc_json example does.
//   - Claim consistency, pair by pair (iss/issuer, sub/credentialSubject.id, jti/id,
//     nbf/issuanceDate, exp/expirationDate): both present must agree (dates to the second); a
//     property without its claim is refused (VCDM 1.1: the claim MUST represent it); a claim
//     without its property is accepted and inserted by the VCDM 1.1 decoding. So sub may stand
//     alone, but credentialSubject.id requires sub. Issuer and issuance date are required.
//   - VCDM 1.1 JWTs cannot be explicitly typed, so RFC 8725 §3.12 applies: "typ" must be
//     absent or "JWT", and a token that also carries claims of another kind (SD-JWT, status
//     list, KB-JWT, proof, VP, VCDM 2.0) is refused as ambiguous rather than guessed at.
//   - credentialSubject must be a single object (VCDM 1.1 allows several subjects; hashi's
//     academic credentials have one and sub cannot represent several).
//   - Holder binding in presentations (OpenID4VP leaves it open; our interpretation): the key
//     that signed the VP must equal each credential's cnf.jwk, or, without cnf, the key of its
//     did:jwk subject. Only did:jwk is resolved; other DID methods fail binding.
//   - Time is an input: Policy.Now must be set, and nothing here reads the clock.
//
// # What this package does not do
//
// It does not judge x5c chains (they are decoded and returned for the caller's trust
// decision), fetch keys or DID documents, check credentialStatus, process JSON-LD, validate
// credentialSchema, or remember nonces. VCDM 2.0 (vc+jwt) is a different format and is
// refused.
//
// Specifications: https://www.w3.org/TR/2022/REC-vc-data-model-20220303/#json-web-token,
// https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html (Appendix A.1.1),
// https://openid.net/specs/openid-4-verifiable-presentations-1_0.html (Appendix B.1),
// https://www.rfc-editor.org/rfc/rfc8725, https://github.com/quartzjer/did-jwk/blob/main/spec.md.
package vcjwt
