// Package sdjwt implements Selective Disclosure for JWTs (RFC 9901) and the SD-JWT VC layer
// (draft-ietf-oauth-sd-jwt-vc-18 wire format, compatible with -13 as HAIP 1.0 pins it).
//
// Issuing: an Issuer (NewIssuer for plain SD-JWTs, NewVCIssuer for SD-JWT VCs with typ
// "dc+sd-jwt") turns a claims map and a list of claims path pointers into an SD-JWT ending
// with '~': object property and array element disclosures, nested and recursive disclosures,
// 128-bit salts, optional decoy digests, sorted "_sd" arrays and "_sd_alg" sha-256. Signing
// goes through internal/jose.
//
// Presenting (holder side): Select chooses the disclosures that claims path pointers need
// (OpenID4VP 1.0 §7), including every parent and child disclosure, and never an unselected
// one; Holder.Present appends a KB-JWT (typ "kb+jwt") whose sd_hash covers exactly the
// presented text. A holder accepting a credential from an issuer verifies it with
// KeyBindingForbidden, which rejects an SD-JWT+KB.
//
// Verifying is two visible steps. ParseUnverified splits and decodes (no trust); then
// Unverified.Verify (plain SD-JWT, caller-chosen issuer key) or Unverified.VerifyVC (SD-JWT
// VC, issuer key from the x5c header or JWT VC Issuer Metadata, as the policy allows) runs
// RFC 9901 §7 exactly: explicit typ, algorithm allow-list, the signature over the bytes
// received, disclosures hashed as received and embedded, every rejection of §7.1, the
// validity period at the caller's Now, and the KB-JWT as the policy (never its presence)
// demands. Results carry every check performed with a stable name and, on failure, a stable
// Code (also in the *Error, with the checks so far). Peek decodes everything for display
// with no trust decision.
//
// What this package does not do: it validates no certificate chain (the x5c chain is
// returned to the caller, who judges it against trust lists), fetches nothing (JWT VC Issuer
// Metadata comes through an injected IssuerKeyResolver; JWTVCIssuerMetadataURL and
// ParseJWTVCIssuerMetadata make an HTTP resolver simple), checks no status list, processes
// no type metadata, and keeps no nonce store. It never reads the clock: time is Policy.Now.
//
// Specifications: RFC 9901 (https://www.rfc-editor.org/rfc/rfc9901),
// draft-ietf-oauth-sd-jwt-vc-18 (https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/),
// OpenID4VP 1.0 §7 (claims path pointers), RFC 8725 (JWT BCP), RFC 7800 (cnf).
package sdjwt
