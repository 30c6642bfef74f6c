// Package statuslist implements the IETF Token Status List (draft-ietf-oauth-status-list-20,
// https://datatracker.ietf.org/doc/draft-ietf-oauth-status-list/20/) for JOSE: the compressed
// status byte array, Status List Tokens in JWT format, and the "status.status_list" reference
// that credentials carry.
//
// Encoding (§4.1): a [List] holds entries of 1, 2, 4 or 8 bits; entry i occupies bits
// [(i mod (8/bits))·bits, +bits) of byte i/(8/bits), counted from the least-significant bit.
// [List.Encode] compresses with DEFLATE in the ZLIB format (RFC 1950) at the best level and
// base64url-encodes without padding; [Decode] reverses it within the limits of limits.go,
// stopping inflation as soon as the output passes [MaxDecompressedSize].
//
// Tokens (§5.1): [Sign] issues a token with a caller-built *jose.Signer (typ statuslist+jwt,
// kid or x5c chosen by the caller). Verification is two steps: [ParseToken] returns an
// [UnverifiedToken] whose header (and x5c certificates) the caller may inspect to choose and
// trust a key, and [UnverifiedToken.Verify] checks typ, algorithm, signature, claims and time
// against a [Policy] and returns a [Token]. [Token.Status] answers for a [Reference] parsed
// with [ParseReference] (§6.2, §8.3), and [Token.CacheFor] says how long the token may be
// cached (§13.7).
//
// Issuers pick unpredictable indices with [PickIndex] and persist them themselves.
//
// What this package does not do: it never fetches a status list (HTTP retrieval, redirects,
// Accept headers and SSRF rules belong to the caller), it does not decide whether a signing
// key or x5c chain is trusted, it does not process the CWT/CBOR forms, status list
// aggregation documents or historical resolution, and it does not interpret status values
// beyond their names. Time is always an input: nothing here reads the clock.
package statuslist
