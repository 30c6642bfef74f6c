package jose

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"slices"
)

// SignHeader holds the protected header members a signer sets besides "alg", which always
// follows from the key.
type SignHeader struct {
	Typ string
	Kid string
	// X5C is the certificate chain to carry in "x5c", leaf first. The leaf's public key must
	// be the signing key's.
	X5C []*x509.Certificate
	// JWK, when set, is carried as the "jwk" header (public members only), as OpenID4VCI
	// proofs and DPoP proofs do.
	JWK crypto.PublicKey
	// Extra holds further members (e.g. "trust_chain"); it may not override the ones above.
	Extra map[string]any
}

// Signer signs compact JWS with one key and one fixed protected header, which it encodes
// once. It is safe for concurrent use.
type Signer struct {
	key    crypto.Signer
	alg    Algorithm
	header Header // the protected header, as a recipient would parse it
	prefix string // base64url(header) + "."
}

// NewSigner returns a Signer for key with header h. The algorithm follows from the key
// (ES256 for P-256, ES384 for P-384, EdDSA for Ed25519).
func NewSigner(key crypto.Signer, h SignHeader) (*Signer, error) {
	if key == nil {
		return nil, errorf(CodeKeyMismatch, nil, "no signing key")
	}
	alg, err := AlgorithmFor(key.Public())
	if err != nil {
		return nil, err
	}
	hdr, err := encodeHeader(alg, key.Public(), h)
	if err != nil {
		return nil, err
	}
	s := &Signer{key: key, alg: alg, prefix: base64.RawURLEncoding.EncodeToString(hdr) + "."}
	if err := parseHeader(hdr, &s.header); err != nil {
		return nil, err // e.g. "crit" or "b64" through Extra: nothing here could verify it
	}
	return s, nil
}

// Algorithm returns the signer's algorithm.
func (s *Signer) Algorithm() Algorithm { return s.alg }

// Header returns the protected header the signer sets, as Parse would decode it, so callers
// can hold their own tokens to the rules they apply to received ones.
func (s *Signer) Header() Header { return s.header }

// Public returns the signer's public key.
func (s *Signer) Public() crypto.PublicKey { return s.key.Public() }

// Sign returns the compact JWS of payload.
func (s *Signer) Sign(payload []byte) (string, error) {
	b, err := s.AppendSign(nil, payload)
	return string(b), err
}

// AppendSign appends the compact JWS of payload to dst and returns the extended buffer, so
// callers that add to the token (an SD-JWT's disclosures) need no second copy.
func (s *Signer) AppendSign(dst, payload []byte) ([]byte, error) {
	enc := base64.RawURLEncoding
	start := len(dst)
	dst = slices.Grow(dst, len(s.prefix)+enc.EncodedLen(len(payload))+1+enc.EncodedLen(sigSize(s.alg)))
	dst = append(dst, s.prefix...)
	dst = enc.AppendEncode(dst, payload)
	sig, err := sign(s.alg, s.key, dst[start:], rand.Reader)
	if err != nil {
		return dst[:start], errorf(CodeKeyMismatch, err, "sign")
	}
	dst = append(dst, '.')
	return enc.AppendEncode(dst, sig), nil
}

// Sign signs payload with key under header h; see NewSigner.
func Sign(key crypto.Signer, h SignHeader, payload []byte) (string, error) {
	s, err := NewSigner(key, h)
	if err != nil {
		return "", err
	}
	return s.Sign(payload)
}

func encodeHeader(alg Algorithm, pub crypto.PublicKey, h SignHeader) ([]byte, error) {
	m := make(map[string]any, 5+len(h.Extra))
	for k, v := range h.Extra {
		m[k] = v
	}
	for _, k := range []string{"alg", "typ", "kid", "x5c", "jwk", "crit", "b64"} {
		if _, ok := m[k]; ok {
			return nil, errorf(CodeMalformed, nil, "header member %q cannot be set through Extra", k)
		}
	}
	m["alg"] = string(alg)
	if h.Typ != "" {
		m["typ"] = h.Typ
	}
	if h.Kid != "" {
		m["kid"] = h.Kid
	}
	if len(h.X5C) > 0 {
		if !publicKeyEqual(h.X5C[0].PublicKey, pub) {
			return nil, errorf(CodeKeyMismatch, nil, "x5c leaf certificate does not hold the signing key")
		}
		m["x5c"] = EncodeX5C(h.X5C)
	}
	if h.JWK != nil {
		j, err := PublicJWK(h.JWK)
		if err != nil {
			return nil, err
		}
		m["jwk"] = j
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "encode header")
	}
	return b, nil
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}
