package jose

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// ThumbprintURIPrefix prefixes an RFC 9278 JWK thumbprint URI for SHA-256.
const ThumbprintURIPrefix = "urn:ietf:params:oauth:jwk-thumbprint:sha-256:"

// PublicJWK returns the public JWK members of key (RFC 7517), ready to embed as "cnf.jwk" or a
// "jwk" header. Private keys are reduced to their public part.
func PublicJWK(key crypto.PublicKey) (map[string]any, error) {
	if s, ok := key.(crypto.Signer); ok {
		key = s.Public()
	}
	if err := checkPublic(key); err != nil {
		return nil, err
	}
	k, err := jwk.FromRaw(key)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "JWK from %T", key)
	}
	b, err := json.Marshal(k)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "JWK members")
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, errorf(CodeMalformed, err, "JWK members")
	}
	return out, nil
}

func checkPublic(key crypto.PublicKey) error {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		if _, err := AlgorithmFor(key); err != nil {
			return err
		}
		// jwx does not check that an EC point lies on its curve; crypto/ecdh does.
		if _, err := k.ECDH(); err != nil {
			return errorf(CodeKeyMismatch, err, "EC public key is not a valid point")
		}
		return nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return errorf(CodeKeyMismatch, nil, "Ed25519 public key has %d bytes", len(k))
		}
		return nil
	}
	return errorf(CodeKeyMismatch, nil, "unsupported public key type %T", key)
}

// MarshalPublicJWK encodes the public JWK of key as JSON, with "kid" when kid is not empty.
func MarshalPublicJWK(key crypto.PublicKey, kid string) ([]byte, error) {
	m, err := PublicJWK(key)
	if err != nil {
		return nil, err
	}
	if kid != "" {
		m["kid"] = kid
	}
	return json.Marshal(m)
}

// MarshalPrivateJWK encodes a private key (ECDSA or Ed25519) as a JWK with its private
// members, with "kid" when kid is not empty. Treat the result as a secret.
func MarshalPrivateJWK(key crypto.Signer, kid string) ([]byte, error) {
	if err := checkPublic(key.Public()); err != nil {
		return nil, err
	}
	k, err := jwk.FromRaw(key)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "JWK from %T", key)
	}
	if kid != "" {
		if err := k.Set(jwk.KeyIDKey, kid); err != nil {
			return nil, errorf(CodeMalformed, err, "set kid")
		}
	}
	return json.Marshal(k)
}

// ParsePublicJWK decodes a JWK that must hold a public EC (P-256, P-384) or OKP (Ed25519)
// key. A JWK with private members ("d") or a symmetric key is refused: a public key was
// expected, and accepting key material where none belongs is how key confusion starts.
func ParsePublicJWK(b []byte) (crypto.PublicKey, error) {
	k, err := parseJWK(b)
	if err != nil {
		return nil, err
	}
	return publicFromJWK(k)
}

// PublicKeyFromMap decodes a JWK given as decoded JSON members, as found in "cnf.jwk".
//
// EC keys on P-256 and P-384 (every holder key HAIP allows) are decoded directly: "kty" EC,
// a known "crv", "x" and "y" of exactly the curve's size in strict base64url, no private "d",
// and a point on the curve. Re-encoding the map for jwx costs more than the rest of an SD-JWT
// verification together; anything else still goes through jwx.
func PublicKeyFromMap(m map[string]any) (crypto.PublicKey, error) {
	if k, ok := ecPublicFromMap(m); ok {
		return k, nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "JWK")
	}
	return ParsePublicJWK(b)
}

func parseJWK(b []byte) (jwk.Key, error) {
	if err := CheckJSON(b); err != nil {
		return nil, errorf(CodeMalformed, err, "JWK")
	}
	k, err := jwk.ParseKey(b)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "JWK")
	}
	return k, nil
}

func publicFromJWK(k jwk.Key) (crypto.PublicKey, error) {
	// jwx's private key interfaces also satisfy the public ones, so look for the private
	// member itself rather than trusting the order of a type switch.
	if _, private := k.(interface{ D() []byte }); private {
		return nil, errorf(CodeKeyMismatch, nil, "JWK holds a private key where a public key is expected")
	}
	switch k.(type) {
	case jwk.ECDSAPublicKey, jwk.OKPPublicKey:
	default:
		return nil, errorf(CodeKeyMismatch, nil, "JWK key type %q is not supported", k.KeyType())
	}
	var raw any
	if err := k.Raw(&raw); err != nil {
		return nil, errorf(CodeMalformed, err, "JWK")
	}
	var pub crypto.PublicKey
	switch r := raw.(type) {
	case *ecdsa.PublicKey:
		pub = r
	case ecdsa.PublicKey:
		pub = &r
	case ed25519.PublicKey:
		pub = r
	default:
		return nil, errorf(CodeKeyMismatch, nil, "JWK key type %T is not supported", raw)
	}
	if err := checkPublic(pub); err != nil {
		return nil, err
	}
	return pub, nil
}

// ParsePrivateJWK decodes a private EC or Ed25519 JWK into a signer.
func ParsePrivateJWK(b []byte) (crypto.Signer, error) {
	k, err := parseJWK(b)
	if err != nil {
		return nil, err
	}
	var raw any
	if err := k.Raw(&raw); err != nil {
		return nil, errorf(CodeMalformed, err, "JWK")
	}
	var s crypto.Signer
	switch r := raw.(type) {
	case *ecdsa.PrivateKey:
		s = r
	case ed25519.PrivateKey:
		s = r
	default:
		return nil, errorf(CodeKeyMismatch, nil, "JWK is not a private EC or Ed25519 key (%T)", raw)
	}
	if err := checkPublic(s.Public()); err != nil {
		return nil, err
	}
	return s, nil
}

// Thumbprint returns the RFC 7638 SHA-256 thumbprint of key, base64url without padding.
func Thumbprint(key crypto.PublicKey) (string, error) {
	if s, ok := key.(crypto.Signer); ok {
		key = s.Public()
	}
	if err := checkPublic(key); err != nil {
		return "", err
	}
	k, err := jwk.FromRaw(key)
	if err != nil {
		return "", errorf(CodeMalformed, err, "JWK from %T", key)
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", errorf(CodeMalformed, err, "thumbprint")
	}
	return b64.EncodeToString(tp), nil
}

// ThumbprintURI returns the RFC 9278 thumbprint URI of key
// ("urn:ietf:params:oauth:jwk-thumbprint:sha-256:…").
func ThumbprintURI(key crypto.PublicKey) (string, error) {
	tp, err := Thumbprint(key)
	if err != nil {
		return "", err
	}
	return ThumbprintURIPrefix + tp, nil
}

// KeyEntry is one public key of a JWK Set with the members that select it.
type KeyEntry struct {
	Kid string
	Alg string
	Use string
	Key crypto.PublicKey
}

// ParseKeys decodes a single public JWK, a JWK Set ({"keys": [...]}) or a document carrying
// a set in a "jwks" member (as JWT VC Issuer Metadata and OpenID4VCI's issuer_jwks.json do)
// into its public keys. Set members of unsupported types are skipped; a set with no usable
// key fails.
func ParseKeys(b []byte) ([]KeyEntry, error) {
	if err := CheckJSON(b); err != nil {
		return nil, errorf(CodeMalformed, err, "JWK or JWK Set")
	}
	var probe struct {
		Keys json.RawMessage `json:"keys"`
		JWKS json.RawMessage `json:"jwks"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, errorf(CodeMalformed, err, "JWK or JWK Set")
	}
	if probe.Keys == nil && probe.JWKS != nil {
		return ParseKeys(probe.JWKS)
	}
	if probe.Keys == nil {
		k, err := parseJWK(b)
		if err != nil {
			return nil, err
		}
		pub, err := publicFromJWK(k)
		if err != nil {
			return nil, err
		}
		return []KeyEntry{entry(k, pub)}, nil
	}
	set, err := jwk.Parse(b)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "JWK Set")
	}
	var out []KeyEntry
	for i := 0; i < set.Len(); i++ {
		k, _ := set.Key(i)
		pub, err := publicFromJWK(k)
		if err != nil {
			continue
		}
		out = append(out, entry(k, pub))
	}
	if len(out) == 0 {
		return nil, errorf(CodeKeyMismatch, nil, "JWK Set holds no usable public key")
	}
	return out, nil
}

func entry(k jwk.Key, pub crypto.PublicKey) KeyEntry {
	e := KeyEntry{Kid: k.KeyID(), Use: k.KeyUsage(), Key: pub}
	if a := k.Algorithm(); a != nil {
		e.Alg = a.String()
	}
	return e
}

// ecPublicFromMap decodes an EC public JWK. It reports false for anything it does not handle
// with certainty (including every invalid key), leaving the verdict to jwx and checkPublic.
func ecPublicFromMap(m map[string]any) (*ecdsa.PublicKey, bool) {
	var buf [1 + 2*48]byte
	curve, pt, ok := ecPointFromMap(m, &buf)
	if !ok {
		return nil, false
	}
	k, err := ecdsa.ParseUncompressedPublicKey(curve, pt)
	if err != nil {
		return nil, false
	}
	return k, true
}

// IsPublicECJWK reports whether m is a public EC JWK on P-256 or P-384 whose point lies on
// the curve, without building a key (an issuer validating cnf.jwk needs no more). False does
// not mean invalid: other key types and unusual encodings need PublicKeyFromMap's verdict.
func IsPublicECJWK(m map[string]any) bool {
	var buf [1 + 2*48]byte
	curve, pt, ok := ecPointFromMap(m, &buf)
	if !ok {
		return false
	}
	var err error
	if curve == elliptic.P256() {
		_, err = ecdh.P256().NewPublicKey(pt)
	} else {
		_, err = ecdh.P384().NewPublicKey(pt)
	}
	return err == nil
}

// ecPointFromMap decodes "kty" EC, a known "crv", and "x"/"y" of exactly the curve's size in
// strict base64url, with no private "d", into an uncompressed point held in buf.
func ecPointFromMap(m map[string]any, buf *[1 + 2*48]byte) (elliptic.Curve, []byte, bool) {
	if kty, _ := m["kty"].(string); kty != "EC" {
		return nil, nil, false
	}
	if _, private := m["d"]; private {
		return nil, nil, false
	}
	var curve elliptic.Curve
	var size int
	switch crv, _ := m["crv"].(string); crv {
	case "P-256":
		curve, size = elliptic.P256(), 32
	case "P-384":
		curve, size = elliptic.P384(), 48
	default:
		return nil, nil, false
	}
	x, _ := m["x"].(string)
	y, _ := m["y"].(string)
	if len(x) != b64.EncodedLen(size) || len(y) != len(x) {
		return nil, nil, false
	}
	pt := buf[:1+2*size]
	pt[0] = 4        // uncompressed point
	var enc [64]byte // decode from a stack copy: []byte(x) would allocate
	if n, err := b64.Decode(pt[1:1+size], enc[:copy(enc[:], x)]); err != nil || n != size {
		return nil, nil, false
	}
	if n, err := b64.Decode(pt[1+size:], enc[:copy(enc[:], y)]); err != nil || n != size {
		return nil, nil, false
	}
	return curve, pt, true
}
