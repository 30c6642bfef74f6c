// Package verifier is hashi's relying-party core: Verify checks an OpenID4VP 1.0 vp_token
// against the EU and Japanese trust lists, the issuers' status lists and a desk's recognition
// policy, and explains the outcome check by check.
//
// Verify is pure over its inputs: the vp_token bytes, a trustlist.Source (a *trustlist.Set or
// *trustlist.Refresher), a StatusSource that fetches status list tokens, and a Policy carrying
// the time, the request's client_id and nonce, its DCQL query and the Recognition rules. It
// never reads the clock, never fetches except through the StatusSource, and keeps no protocol
// state (nonce single use and replay belong to the flow above it).
//
// Configuration has two levels: New takes the deployment-wide knobs (algorithm allow-list,
// clock skew, key-binding age, cache bounds); each call takes a Policy. A zero Recognition
// rejects everything.
//
// The Result lists every check that ran with a stable Code when it failed (see errors.go), the
// verdict and its Reason, and for each credential: the rule applied, the issuer with its names
// in English and Japanese (from the trust list, else the certificate), the trust path in words
// ("EU LOTL → NL trusted list → …"), trust at issuance and now, the status, the disclosed claims,
// and the qualification comparison (title in its original language and script, degree type,
// ISCED 2011 and EQF level with the mapping basis, credits with their framework and the derived
// ECTS figure, and the desk's own reading of the degree type).
//
// # The OpenID4VP flow
//
// Flow (NewFlow) is the protocol around Verify for one desk, with all state in a Store
// (verifierstore implements it over SQLite and PostgreSQL, so replicas share a flow):
// CreateRequest makes a request (a fixed profile, ProfileDiploma or ProfileLearning, or a
// DCQL query; fresh 256-bit id, state and nonce; for direct_post.jwt a fresh ephemeral
// ECDH-ES P-256 key) and returns its openid4vp:// link; RequestObject signs the request
// object (typ oauth-authz-req+jwt, x5c: the desk's access certificate; client_id prefix
// x509_hash or x509_san_dns; or, only where FlowConfig.UnsignedRequestsUnsafe allows it and
// the request asks, an unsecured JWT with the redirect_uri prefix) for request_uri GET and
// POST (wallet_metadata, wallet_nonce);
// HandleResponse takes direct_post and direct_post.jwt responses and wallet errors, runs
// Verify with the request's nonce, client_id, query and desk policy, and records the Result
// with the request's one transition from pending (verified, rejected or declined), the
// presentation digests that stop a vp_token replayed to another request, and the webhook
// outbox entry, in one transaction; Status and ResultByResponseCode read the outcome;
// DeliverWebhooks pushes signed results with backoff. Flow errors carry codes that
// Error.OAuthError and Error.HTTPStatus map to the wire (flowerrors.go).
//
// The flow does not: serve HTTP (verifierhttp), bind a same-device redirect to the browser
// session that started the request (the edge must), support other client_id prefixes or
// request objects by value, encrypt the stored ephemeral keys at rest, or make response codes
// single use.
//
// # hashi's decisions
//
//   - The issuer key comes only from the x5c leaf (HAIP), and the chain must anchor in a trust
//     list: directly (the leaf listed, as in the EU–JP proof of concept) or through crypto/x509
//     path building to a listed CA (trustlist.Set.Lookup).
//   - The recognition rule is chosen by credential type and issuing jurisdiction: the territory of
//     the list the chain anchors in, else the leaf certificate's country.
//   - Holder binding is decided by policy, never by presence: a presented KB-JWT is always verified
//     in full, and a missing one is accepted only when both the DCQL query and the rule waive it.
//   - Status list tokens must be signed with the credential's own leaf key (an x5c in the token
//     must hold that same certificate); delegated status signers are not supported.
//   - Status lists are fetched only for credentials that passed every other check so far
//     (draft-ietf-oauth-status-list-20 §8.3: validate the referenced token first).
//   - Trust answers are not cached unless WithTrustCacheTTL says so; status list tokens are cached
//     per (uri, signing certificate) for min(exp, iat+ttl, MaxStatusCacheFor).
//
// # What is not checked
//
// Nonce freshness and replay, certificate revocation (CRL, OCSP) of the x5c chain, issuer keys
// from JWT VC Issuer Metadata or DIDs, delegated status list signers, historical status
// resolution, vct type metadata other than the embedded academic types (no remote fetching, no
// "extends"), mso_mdoc and ldp_vc presentations, and VP JWTs with more than one credential.
//
// Specifications: OpenID4VP 1.0 (https://openid.net/specs/openid-4-verifiable-presentations-1_0.html),
// RFC 9901 (https://www.rfc-editor.org/rfc/rfc9901), SD-JWT VC draft-18
// (https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/), draft-ietf-oauth-status-list-20,
// HAIP 1.0, RFC 8725, ETSI TS 119 612 and TS 119 602 (through package trustlist).
package verifier
