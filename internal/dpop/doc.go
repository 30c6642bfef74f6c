// Package dpop implements OAuth 2.0 Demonstrating Proof of Possession (DPoP, RFC 9449,
// https://www.rfc-editor.org/rfc/rfc9449) on both sides: the wallet makes proofs for its
// token and credential requests, and the issuer checks them and binds tokens to the proof
// key. HAIP requires DPoP with ES256 for issuance.
//
// Clients: [NewProver] (or [NewProof] for one request) signs a proof with "typ" dpop+jwt, the
// public key as "jwk" and the claims jti (128 random bits), htm, htu ([HTU]: no query or
// fragment), iat, and, when asked, ath ([AccessTokenHash] of the access token) and nonce (the
// last DPoP-Nonce, read with [ResponseNonce]). [Prover.JKT] is the dpop_jkt value (§10).
//
// Servers: [VerifyHeader] takes every value of the DPoP request header and [Verify] one proof;
// both check the proof against a [Request] (method, URL, presented access token) and a
// [Policy] (time, algorithm allow-list, iat window, expected nonce, bound key thumbprint)
// and return a [Proof] with the key's RFC 7638 thumbprint ([Proof.JKT], the cnf.jkt to put
// in an access token). Verify lists the checks (RFC 9449 §4.3 checks 1 to 12) and what it
// leaves to the caller. [OAuthError] maps an error to "invalid_dpop_proof",
// "use_dpop_nonce" or "invalid_token", and [Challenge] renders the WWW-Authenticate value
// of §7.1.
//
// Replay protection (§11.1) is the caller's: after Verify succeeds, record
// [Proof.ReplayKey] in a single-use store shared by all replicas until [Proof.ExpiresAt]
// and reject the request when it is already there. [Policy.ReplayWindow] bounds how long
// entries live.
//
// What this package does not do: it does not issue, store or rotate DPoP-Nonce values, does
// not parse or validate access tokens (it compares Policy.BoundJKT, which the caller takes
// from cnf.jkt or introspection), does not detect replays by itself, does not parse
// WWW-Authenticate challenges on the client side, and supports no RSA algorithms. It never
// reads the clock: time is an input. All JOSE work goes through internal/jose.
package dpop
