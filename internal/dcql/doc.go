// Package dcql implements the Digital Credentials Query Language of OpenID for Verifiable
// Presentations 1.0 (§6) and claims path pointers (§7): the query model, strict parsing,
// matching credentials in the wallet, and checking a response at the verifier.
//
// Model: a Query holds CredentialQuery values (format, meta, trusted_authorities, holder
// binding, claims, claim_sets) and optional CredentialSetQuery values; JSON tags are the
// spec's. Defaults that the spec sets to true when absent
// (require_cryptographic_holder_binding, required) are pointers read through
// CredentialQuery.HolderBindingRequired and CredentialSetQuery.IsRequired, so a query
// built in Go with those fields unset asks for holder binding and required sets.
//
// Parsing: Parse (and json.Unmarshal into a Query) accepts strict JSON only (no duplicate
// members, valid UTF-8, bounded size and depth), matches member names exactly, rejects
// wrong JSON types, ignores unknown members as §6 demands, and then runs Query.Validate,
// which enforces the rules of §6: id syntax and uniqueness, non-empty arrays, the meta
// member each format requires, claim ids with claim_sets, references of claim_sets and
// credential_sets, the form of claims path pointers and values, and the limits in
// limits.go. Errors are *Error with a stable Code.
//
// Claims path pointers: Select applies a Path to decoded JSON exactly as §7.1 says. Path has
// the underlying type of sdjwt.Path, so the paths a match yields go to sdjwt.Select as
// they are.
//
// Wallet: Query.Match takes the wallet's credentials, each described by a Credential
// (format, vct or types, the fully disclosed claims, whether holder binding is possible,
// the AKIs of its chain) and returns, per credential query, every matching credential with
// the concrete claims to disclose (§6.4.1: no claims, all claims, or the first satisfiable
// claim_sets option; values respected), and per credential set which options are
// satisfiable, with Satisfiable for the query as a whole (§6.4.2). Credentials of the right
// type that still fail (holder binding, trusted authorities, claims) are listed with the
// reason. Match never chooses for the user; MatchResult.DefaultChoice proposes the first
// satisfiable option of each required set with the first candidate of each query, for a
// consent page to start from.
//
// Verifier: Query.CheckResponse takes the verified presentations keyed by credential query
// id and checks the vp_token shape (known ids, one presentation unless multiple), each
// presentation against its credential query (format, meta, holder binding, trusted
// authorities, disclosed claims, values) and the query as a whole (credential sets), as
// §8.6 asks: a failing presentation is reported and does not count, an unsatisfied query
// is an error.
//
// What this package does not do: it verifies no signature, key binding or issuer trust
// (the sdjwt, vcjwt and trustlist packages and the verifier do); it does not follow SD-JWT
// VC vct inheritance (vct_values match exactly); it does not expand W3C types with JSON-LD
// (the caller passes expanded types); it matches no mso_mdoc credential (mdoc queries
// parse and validate, but no credential matches them), and no trusted_authorities type
// other than aki (etsi_tl and openid_federation parse, but nothing matches them). values
// are matched like any other constraint, but OpenID4VP 1.0 §6.3 makes them a privacy aid
// for the wallet, never a security check for the verifier.
//
// Specification: OpenID for Verifiable Presentations 1.0, §6 (DCQL), §7 (claims path
// pointer), §8.1 (vp_token), Appendix B (format-specific meta):
// https://openid.net/specs/openid-4-verifiable-presentations-1_0.html
package dcql
