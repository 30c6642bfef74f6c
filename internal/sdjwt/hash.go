package sdjwt

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"unsafe"
)

// HashAlgorithm is an "_sd_alg" value: a hash name from the IANA Named Information Hash
// Algorithm Registry (RFC 9901 §4.1.1).
type HashAlgorithm string

// The hash algorithms this package understands. Issuers here always use SHA256; verification
// also accepts SHA384 and SHA512. An absent "_sd_alg" means SHA256.
const (
	SHA256 HashAlgorithm = "sha-256"
	SHA384 HashAlgorithm = "sha-384"
	SHA512 HashAlgorithm = "sha-512"
)

var b64 = base64.RawURLEncoding

// b64Strict decodes base64url without padding and rejects non-canonical trailing bits.
var b64Strict = base64.RawURLEncoding.Strict()

// Digest returns the digest of a disclosure (or of an SD-JWT for sd_hash) under h:
// base64url(H(ASCII(s))), with s exactly as received (RFC 9901 §4.2.3). It returns "" for
// an algorithm this package does not know.
func (h HashAlgorithm) Digest(s string) string {
	if !h.known() {
		return ""
	}
	return h.digest(s)
}

// digest returns base64url(H(ASCII(s))), the form of disclosure digests and sd_hash
// (RFC 9901 §4.2.3, §4.3.1). h must be known.
func (h HashAlgorithm) digest(s string) string {
	var enc [86]byte
	return string(enc[:h.encode(&enc, s)])
}

// matches reports, in constant time, whether want is the digest of s.
func (h HashAlgorithm) matches(s, want string) bool {
	var enc [86]byte
	n := h.encode(&enc, s)
	if len(want) != n {
		return false
	}
	var diff byte
	for i := range n {
		diff |= enc[i] ^ want[i]
	}
	return diff == 0
}

// encode writes base64url(H(s)) into enc and returns its length (0 for an unknown h).
func (h HashAlgorithm) encode(enc *[86]byte, s string) int {
	switch h {
	case SHA256:
		d := sha256.Sum256(stringBytes(s))
		return b64Encode(enc, d[:])
	case SHA384:
		d := sha512.Sum384(stringBytes(s))
		return b64Encode(enc, d[:])
	case SHA512:
		d := sha512.Sum512(stringBytes(s))
		return b64Encode(enc, d[:])
	}
	return 0
}

// stringBytes returns the bytes of s without copying them. The slice is only read, by the
// hash functions above, which do not keep it; converting with []byte(s) instead would copy
// every disclosure and a whole presentation (for sd_hash) onto the heap on each verification.
func stringBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s)) //nolint:gosec // read-only view passed to a hash function
}

func b64Encode(enc *[86]byte, sum []byte) int {
	n := b64.EncodedLen(len(sum))
	b64.Encode(enc[:n], sum)
	return n
}

func (h HashAlgorithm) known() bool {
	return h == SHA256 || h == SHA384 || h == SHA512
}
