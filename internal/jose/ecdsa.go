package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"io"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// JWS signatures are computed and checked with crypto/ecdsa and crypto/ed25519 directly,
// the same primitives jwx calls. jwx's per-call verifier goes through the deprecated
// elliptic.Curve point check and big.Int conversions, which cost about 4 µs per signature
// (BenchmarkVerifyES256 against BenchmarkRawECDSAVerify); credential verification checks two
// signatures per presentation, so that overhead alone would break its performance budget.
// jwx still does what it is best at here: JWK parsing and thumbprints, and JWE.

// sigSize is the JWS signature length of an algorithm: r‖s for ECDSA (RFC 7518 §3.4).
func sigSize(alg Algorithm) int {
	switch alg {
	case ES256:
		return 64
	case ES384:
		return 96
	default:
		return ed25519.SignatureSize
	}
}

// digest hashes the JWS signing input for an ECDSA algorithm into buf.
func digest(alg Algorithm, input []byte, buf *[48]byte) []byte {
	if alg == ES384 {
		sum := sha512.Sum384(input)
		*buf = sum
		return buf[:48]
	}
	sum := sha256.Sum256(input)
	copy(buf[:], sum[:])
	return buf[:32]
}

// verifySignature checks sig over input with key; checkKey has already matched key to alg.
func verifySignature(alg Algorithm, key crypto.PublicKey, input []byte, sig []byte) bool {
	if len(sig) != sigSize(alg) {
		return false
	}
	if alg == EdDSA {
		return ed25519.Verify(key.(ed25519.PublicKey), input, sig)
	}
	var buf [48]byte
	h := digest(alg, input, &buf)
	var der [8 + 2*(48+1)]byte
	return ecdsa.VerifyASN1(key.(*ecdsa.PublicKey), h, appendDER(der[:0], sig))
}

// appendDER encodes a fixed-size r‖s signature as the ASN.1 SEQUENCE of two INTEGERs that
// crypto/ecdsa takes. It handles signatures of up to 96 bytes (ES384), whose DER lengths
// all fit the short form; anything longer yields an empty encoding, which never verifies.
func appendDER(dst, sig []byte) []byte {
	if len(sig) == 0 || len(sig) > 96 || len(sig)%2 != 0 {
		return dst
	}
	half := len(sig) / 2
	r, s := trimInt(sig[:half]), trimInt(sig[half:])
	dst = append(dst, 0x30, uint8(intLen(r)+intLen(s))) //nolint:gosec // at most 2*(3+48) = 102
	dst = appendInt(dst, r)
	return appendInt(dst, s)
}

func trimInt(b []byte) []byte {
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

func intLen(b []byte) int {
	if b[0]&0x80 != 0 {
		return 3 + len(b)
	}
	return 2 + len(b)
}

func appendInt(dst, b []byte) []byte {
	if b[0]&0x80 != 0 {
		dst = append(dst, 0x02, uint8(len(b)+1), 0) //nolint:gosec // len(b) <= 48, see appendDER
	} else {
		dst = append(dst, 0x02, uint8(len(b))) //nolint:gosec // len(b) <= 48, see appendDER
	}
	return append(dst, b...)
}

// sign signs input with key (whose public key checkKey has matched to alg) and returns the
// JWS signature bytes. Any crypto.Signer works, so keys held in an HSM or KMS do too.
func sign(alg Algorithm, key crypto.Signer, input []byte, rnd io.Reader) ([]byte, error) {
	if alg == EdDSA {
		return key.Sign(rnd, input, crypto.Hash(0))
	}
	var buf [48]byte
	h := digest(alg, input, &buf)
	hash := crypto.SHA256
	if alg == ES384 {
		hash = crypto.SHA384
	}
	var der []byte
	var err error
	if k, ok := key.(*ecdsa.PrivateKey); ok {
		der, err = ecdsa.SignASN1(rnd, k, h)
	} else {
		der, err = key.Sign(rnd, h, hash)
	}
	if err != nil {
		return nil, err
	}
	return fixedRS(der, sigSize(alg)/2)
}

// fixedRS converts an ASN.1 ECDSA signature to the fixed-size r‖s form of RFC 7518 §3.4.
func fixedRS(der []byte, size int) ([]byte, error) {
	var r, s cryptobyte.String
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() ||
		!readUnsigned(&seq, &r) || !readUnsigned(&seq, &s) || !seq.Empty() ||
		len(r) > size || len(s) > size {
		return nil, errorf(CodeKeyMismatch, nil, "signer returned a malformed ECDSA signature")
	}
	out := make([]byte, 2*size)
	copy(out[size-len(r):size], r)
	copy(out[2*size-len(s):], s)
	return out, nil
}

// readUnsigned reads a non-negative ASN.1 INTEGER's magnitude without leading zeros.
func readUnsigned(s *cryptobyte.String, out *cryptobyte.String) bool {
	var v cryptobyte.String
	if !s.ReadASN1(&v, asn1.INTEGER) || len(v) == 0 || v[0]&0x80 != 0 {
		return false
	}
	for len(v) > 1 && v[0] == 0 {
		v = v[1:]
	}
	*out = v
	return true
}
