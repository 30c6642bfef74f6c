package sdjwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"

	"github.com/hashi-vc/hashi/internal/jose"
)

// parseJWKMap decodes a public JWK given as decoded JSON members (as in "cnf.jwk").
//
// EC keys on P-256 and P-384, which is every holder key HAIP allows, are decoded here
// directly: "kty" EC, a known "crv", "x" and "y" of exactly the curve's size in strict
// base64url, no private member "d", and a point on the curve (ecdsa.ParseUncompressedPublicKey
// checks that). Every other JWK goes to jose.PublicKeyFromMap. The direct path exists because
// jose.PublicKeyFromMap re-encodes the map and parses it with jwx, which costs more than the
// rest of SD-JWT processing together (see the benchmarks).
func parseJWKMap(m map[string]any) (crypto.PublicKey, error) {
	if k, ok := fastECJWK(m); ok {
		return k, nil
	}
	return jose.PublicKeyFromMap(m)
}

// fastECJWK decodes an EC public JWK. It reports false for anything it does not handle
// with certainty, leaving the decision to jose.
func fastECJWK(m map[string]any) (*ecdsa.PublicKey, bool) {
	if kty, _ := m["kty"].(string); kty != "EC" {
		return nil, false
	}
	if _, ok := m["d"]; ok {
		return nil, false // a private key: jose refuses it with its own error
	}
	crv, _ := m["crv"].(string)
	var curve elliptic.Curve
	var size int
	switch crv {
	case "P-256":
		curve, size = elliptic.P256(), 32
	case "P-384":
		curve, size = elliptic.P384(), 48
	default:
		return nil, false
	}
	x, _ := m["x"].(string)
	y, _ := m["y"].(string)
	if b64.EncodedLen(size) != len(x) || len(x) != len(y) {
		return nil, false
	}
	var buf [1 + 2*48]byte
	pt := buf[:1+2*size]
	pt[0] = 4
	if n, err := b64Strict.Decode(pt[1:1+size], []byte(x)); err != nil || n != size {
		return nil, false
	}
	if n, err := b64Strict.Decode(pt[1+size:], []byte(y)); err != nil || n != size {
		return nil, false
	}
	k, err := ecdsa.ParseUncompressedPublicKey(curve, pt)
	if err != nil {
		return nil, false
	}
	return k, true
}
