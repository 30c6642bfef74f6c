// Package b64 decodes base64 text that must have exactly one spelling.
//
// encoding/base64 skips CR and LF anywhere in its input, even in strict mode, so
// "AAAA" and "AA\nAA" decode to the same bytes. Wherever a string is an identity (a
// nonce tracked for single use, a stored hash, a DID), that would give one value two
// names. These functions accept only the text the encoder itself would write.
package b64

import (
	"encoding/base64"
	"errors"
	"strings"
)

// ErrNotCanonical reports base64 text that decodes but is not what the encoder writes
// for the decoded bytes (line breaks inside, non-zero trailing bits, wrong padding).
var ErrNotCanonical = errors.New("base64 is not in canonical form")

// RawURL decodes unpadded base64url (RFC 4648 §5), canonical form only.
func RawURL(s string) ([]byte, error) { return decode(base64.RawURLEncoding, s) }

// RawStd decodes unpadded standard base64 (RFC 4648 §4), canonical form only.
func RawStd(s string) ([]byte, error) { return decode(base64.RawStdEncoding, s) }

// Std decodes padded standard base64 (RFC 4648 §4), canonical form only.
func Std(s string) ([]byte, error) { return decode(base64.StdEncoding, s) }

// decode: strict decoding already refuses other padding and non-zero trailing bits, so the
// line breaks it skips are the only other spellings left.
func decode(enc *base64.Encoding, s string) ([]byte, error) {
	if HasLineBreak(s) {
		return nil, ErrNotCanonical
	}
	return enc.Strict().DecodeString(s)
}

// HasLineBreak reports whether s contains CR or LF, which base64 decoders skip: text that
// must have one spelling (a JWS, an SD-JWT) is refused when it does. Two byte searches, which
// are vectorised, instead of strings.ContainsAny's byte-by-byte loop: tokens are kilobytes.
func HasLineBreak(s string) bool {
	return strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0
}
