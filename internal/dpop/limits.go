package dpop

import "time"

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// MaxProofSize bounds a DPoP header value (8 KiB). An ES256 proof with a P-256 "jwk",
	// a 43-character ath and a server nonce of a few hundred bytes is about 700 bytes; the
	// HTTP layer may cap the header at this size before calling VerifyHeader.
	MaxProofSize = 8 << 10

	// maxJTILength bounds "jti" in bytes (RFC 9449 §11.1: reject unnecessarily large jti
	// values). 128 bits of randomness take 22 characters, a UUID 36.
	maxJTILength = 128

	// maxNonceLength bounds a nonce NewProof puts into a proof, in bytes. Verify compares a
	// proof's nonce with the expected one and needs no bound beyond MaxProofSize.
	maxNonceLength = 1024

	// maxURILength bounds a request URL and an "htu" value, in bytes.
	maxURILength = 2048

	// maxMethodLength bounds an HTTP method name, in bytes.
	maxMethodLength = 32

	// defaultMaxAge is Policy.MaxAge when unset: how old a proof's iat may be.
	defaultMaxAge = 5 * time.Minute

	// defaultClockSkew is Policy.ClockSkew when unset: how far in the future iat may be.
	defaultClockSkew = time.Minute

	// maxMaxAge caps Policy.MaxAge. RFC 9449 §11.1 asks for "seconds or minutes"; an hour
	// is already generous and keeps single-use stores small.
	maxMaxAge = time.Hour

	// maxClockSkew caps Policy.ClockSkew (§11.1: "seconds or minutes").
	maxClockSkew = 5 * time.Minute

	// maxNumericDate is 9999-12-31T23:59:59Z; a later (or negative) iat is out of any window,
	// and rejecting it early keeps time arithmetic from overflowing.
	maxNumericDate = 253402300799

	// jtiBytes is the number of random bytes in a jti NewProof makes (128 bits; §4.2 asks
	// for at least 96).
	jtiBytes = 16
)
