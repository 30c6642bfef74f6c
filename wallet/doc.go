// Package wallet is the holder core of hashi's student wallet and CLI holder: the
// OpenID4VCI 1.0 client that receives diplomas, and the OpenID4VP 1.0 holder that presents
// them with DCQL, selective disclosure and key binding. It declares Store, which
// wallet/walletstore implements with encryption at rest; wallet/wallethttp is its Echo edge.
// It imports neither Echo nor database/sql, and it fetches only through the injected
// *safehttp.Client (https only, loopback http only where allowed, no private addresses
// unless allowed, no redirects, bounded bodies and time).
//
// Receiving: ParseOffer resolves an openid-credential-offer:// link (by value or by
// reference) with the issuer and authorization-server metadata; Offer.TxCode says whether
// to prompt for a transaction code first; Receive redeems the pre-authorized code with DPoP,
// proves possession of a fresh ES256 key per credential, verifies every credential and its
// binding BEFORE storing it, summarizes what the trust lists say of the issuer, and stores
// the whole receipt at once (deferred issuances as PendingIssuance, polled with
// PollDeferred).
//
// Presenting: ParseRequest resolves an openid4vp:// link, fetching the request object
// (GET, or POST with wallet_metadata and wallet_nonce) and verifying it (typ, x5c signature,
// chain against trust lists or configured roots, client_id prefix x509_san_dns or
// x509_hash bound to the certificate); unsigned requests only with the redirect_uri prefix.
// Match evaluates the DCQL query against the stored credentials for a consent page; Present
// builds the presentations with only the needed disclosures and a KB-JWT (or a VP JWT for
// jwt_vc_json) and posts them (direct_post or encrypted direct_post.jwt); Decline sends
// access_denied; Reject answers an authenticated but unusable request with its OAuth error
// (unauthenticated requests are never answered). Every answer is recorded in the
// presentation history (History). Details re-verifies a stored credential and lists its
// claims with en/ja labels for a card.
//
// Errors are *Error with a stable Code, a student-facing Message in English and Japanese,
// and the OAuth error to send to the counterpart where there is one.
//
// What this package does not do: the authorization code flow (PAR, PKCE), wallet and key
// attestations, encrypted credential requests and responses, signed issuer metadata,
// status list aggregation and delegated status list signers, the verifier_attestation, decentralized_identifier,
// openid_federation and pre-registered client_id prefixes, transaction_data, the DC API,
// mso_mdoc, and request object aud/iss checks. Time comes from the clock given to New; the
// package never reads the system clock.
//
// Specifications: OpenID4VCI 1.0 (https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html)
// §3–§12, OpenID4VP 1.0 (https://openid.net/specs/openid-4-verifiable-presentations-1_0.html)
// §5–§8, RFC 9449 (DPoP), RFC 9901 §4.3 (KB-JWT), HAIP 1.0.
package wallet
