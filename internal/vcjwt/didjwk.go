package vcjwt

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strings"

	"github.com/hashi-vc/hashi/internal/b64"
	"github.com/hashi-vc/hashi/internal/jose"
)

// DIDJWKPrefix starts every did:jwk DID.
const DIDJWKPrefix = "did:jwk:"

// DIDJWK returns the did:jwk DID of a public key (a crypto.Signer is reduced to its public
// key): "did:jwk:" followed by the base64url encoding, without padding, of the public JWK's
// JSON (members in lexical order, no "kid"). P-256, P-384 and Ed25519 keys are supported.
//
// See https://github.com/quartzjer/did-jwk/blob/main/spec.md.
func DIDJWK(pub crypto.PublicKey) (string, error) {
	m, err := jose.PublicJWK(pub)
	if err != nil {
		return "", errorf(CodeInvalidDID, err, "did:jwk of %T", pub)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", errorf(CodeInvalidDID, err, "did:jwk JSON")
	}
	return DIDJWKPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// ParseDIDJWK decodes a did:jwk DID into its public key. The method-specific identifier must
// be base64url without padding of a strict JSON object (no duplicate members) that is a public
// EC (P-256, P-384) or OKP (Ed25519) JWK; a JWK with private members, a JWK Set, or a JWK
// whose "use" is not "sig" is refused. A DID URL (with "#", "?" or "/") is not a DID and is
// refused too; callers strip a "#0" fragment themselves.
func ParseDIDJWK(did string) (crypto.PublicKey, error) {
	if len(did) > MaxDIDLength {
		return nil, errorf(CodeInvalidDID, nil, "did:jwk longer than %d bytes", MaxDIDLength)
	}
	enc, ok := strings.CutPrefix(did, DIDJWKPrefix)
	if !ok {
		return nil, errorf(CodeInvalidDID, nil, "not a did:jwk")
	}
	if enc == "" || strings.ContainsAny(enc, "#?/:") {
		return nil, errorf(CodeInvalidDID, nil, "did:jwk method-specific identifier is empty or a DID URL")
	}
	b, err := b64.RawURL(enc)
	if err != nil {
		return nil, errorf(CodeInvalidDID, err, "did:jwk is not base64url without padding")
	}
	var members map[string]json.RawMessage
	if err := jose.DecodeJSON(b, &members); err != nil {
		return nil, errorf(CodeInvalidDID, err, "did:jwk JWK")
	}
	if members == nil {
		return nil, errorf(CodeInvalidDID, nil, "did:jwk JWK is not a JSON object")
	}
	if _, ok := members["keys"]; ok {
		return nil, errorf(CodeInvalidDID, nil, "did:jwk holds a JWK Set")
	}
	if u, ok := members["use"]; ok {
		var use string
		if err := json.Unmarshal(u, &use); err != nil || use != "sig" {
			return nil, errorf(CodeInvalidDID, nil, `did:jwk JWK "use" is not "sig"`)
		}
	}
	pub, err := jose.ParsePublicJWK(b)
	if err != nil {
		return nil, errorf(CodeInvalidDID, err, "did:jwk JWK")
	}
	return pub, nil
}
