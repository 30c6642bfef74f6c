package issuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/json"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// ProofType is the JWT proof's "typ" (OpenID4VCI 1.0 Appendix F.1).
const ProofType = "openid4vci-proof+jwt"

// proof is a verified key proof.
type proof struct {
	key   crypto.PublicKey
	jkt   string
	nonce string
}

// verifyProof checks one jwt proof (OpenID4VCI 1.0 Appendix F.1 and F.4): typ exactly
// openid4vci-proof+jwt; alg ES256 (the only proof_signing_alg_values_supported); the key in
// a "jwk" header (kid and x5c are refused: the wallet is anonymous), public, EC P-256; the
// signature; aud equal to the Credential Issuer Identifier; iat within [now - ProofMaxAge,
// now + ClockSkew]; nonce present (its freshness is checked by the caller, once per
// request). An "iss" claim is ignored: anonymous pre-authorized flows should omit it, and
// refusing wallets that send their client_id would gain nothing.
func (is *Issuer) verifyProof(raw, issuerID string, now time.Time) (*proof, error) {
	bad := func(format string, args ...any) (*proof, error) {
		return nil, errorf(CodeInvalidProof, nil, format, args...)
	}
	if len(raw) > MaxProofSize {
		return bad("proof is larger than %d bytes", MaxProofSize)
	}
	j, err := jose.Parse(raw)
	if err != nil {
		return nil, errorf(CodeInvalidProof, err, "proof is not a compact JWS")
	}
	if !jose.TypeEqual(j.Header.Typ, ProofType) || j.Header.Typ == "" {
		return bad("proof typ must be %s", ProofType)
	}
	if j.Header.Alg != string(jose.ES256) {
		return bad("proof alg %q is not supported (ES256 only)", j.Header.Alg)
	}
	if len(j.Header.JWK) == 0 || j.Header.Kid != "" || len(j.Header.X5C) > 0 {
		return bad("proof must carry its key as a jwk header, and no kid or x5c")
	}
	var m map[string]any
	if err := jose.DecodeJSON(j.Header.JWK, &m); err != nil || !jose.IsPublicECJWK(m) {
		return bad("proof jwk is not a public EC key")
	}
	key, err := jose.PublicKeyFromMap(m)
	if err != nil {
		return nil, errorf(CodeInvalidProof, err, "proof jwk")
	}
	if k, ok := key.(*ecdsa.PublicKey); !ok || k.Curve != elliptic.P256() {
		return bad("proof key must be P-256 for ES256")
	}
	if err := j.Verify(key, jose.ES256); err != nil {
		return nil, errorf(CodeInvalidProof, err, "proof signature does not verify")
	}
	var claims struct {
		Aud   any          `json:"aud"`
		Iat   *json.Number `json:"iat"`
		Nonce *string      `json:"nonce"`
	}
	if err := jose.DecodeJSON(j.Payload, &claims); err != nil {
		return nil, errorf(CodeInvalidProof, err, "proof claims are not a JSON object")
	}
	if aud, ok := claims.Aud.(string); !ok || aud != issuerID {
		return bad("proof aud must be the credential issuer %s", issuerID)
	}
	if claims.Iat == nil {
		return bad("proof iat is missing")
	}
	iat, err := claims.Iat.Int64()
	if err != nil {
		return bad("proof iat is not an integer")
	}
	at := time.Unix(iat, 0)
	if at.Before(now.Add(-is.cfg.ProofMaxAge)) || at.After(now.Add(is.cfg.ClockSkew)) {
		return bad("proof iat %s is outside the accepted window", at.UTC().Format(time.RFC3339))
	}
	if claims.Nonce == nil || *claims.Nonce == "" {
		// §8.3.1: a key proof without a c_nonce is invalid_proof (invalid_nonce is for a
		// c_nonce that is not, or no longer, valid).
		return nil, errorf(CodeInvalidProof, nil, "proof nonce is missing; get a c_nonce from the nonce endpoint")
	}
	jkt, err := jose.Thumbprint(key)
	if err != nil {
		return nil, errorf(CodeInvalidProof, err, "proof key thumbprint")
	}
	return &proof{key: key, jkt: jkt, nonce: *claims.Nonce}, nil
}
