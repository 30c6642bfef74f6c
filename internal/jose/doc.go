// Package jose is hashi's only door to JOSE: compact JWS signing and verification with a
// caller-given algorithm allow-list, explicit "typ" checks, x5c decoding, JWK handling with
// RFC 7638 thumbprints, and ECDH-ES JWE for OpenID4VP direct_post.jwt responses.
//
// It is the only package in the module that imports github.com/lestrrat-go/jwx/v2, so a later
// move to jwx v3 touches this package alone.
//
// Parsing and verifying are separate: [Parse] decodes a compact JWS strictly (three base64url
// parts without padding, a protected header that is a JSON object with a string "alg", no
// duplicate members, valid UTF-8, no "crit" extensions, no unencoded payloads) and returns an
// unverified [JWS]. Only [JWS.Verify] says whether the signature holds, and it does so over
// the exact bytes received; nothing is re-serialized.
//
// What this package does not do: it does not judge certificate chains (x5c is decoded, not
// trusted), it does not check JWT claims such as exp, nbf, aud or nonce (the token-specific
// packages do), and it never fetches keys from "jku" or "x5u".
//
// Specifications: RFC 7515 (JWS), RFC 7516 (JWE), RFC 7517 (JWK), RFC 7518 (JWA), RFC 7638
// (thumbprints), RFC 8037 (EdDSA), RFC 8725 (JWT BCP: §3.1 algorithm verification, §3.2 no
// "none", §3.7 strict JSON, §3.11 explicit typing).
package jose
