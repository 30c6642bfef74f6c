package issuer

import (
	"github.com/hashi-vc/hashi/internal/dpop"
)

// verifyDPoP checks the DPoP header values of a request to url (RFC 9449 §4.3): exactly one
// proof, typ dpop+jwt, ES256 with a public P-256 jwk, htm and htu of this request, iat within
// [now - ProofMaxAge, now + ClockSkew], ath = the access token's hash when a token is
// presented, the key equal to boundJKT when the token is bound. It returns the proof key's
// thumbprint and the SingleUse of its jti, which the caller records in the same transaction
// as the request's change (for its whole acceptance window, on every replica): a replayed
// proof then fails.
func (is *Issuer) verifyDPoP(values []string, method, url, accessToken, boundJKT string) (string, SingleUse, error) {
	now := is.cfg.Clock()
	p, err := dpop.VerifyHeader(values, dpop.Request{Method: method, URL: url, AccessToken: accessToken},
		dpop.Policy{Now: now, MaxAge: is.cfg.ProofMaxAge, ClockSkew: is.cfg.ClockSkew, BoundJKT: boundJKT})
	if err != nil {
		code := CodeInvalidDPoPProof
		switch dpop.OAuthError(err) {
		case dpop.OAuthUseDPoPNonce:
			code = CodeUseDPoPNonce
		case dpop.OAuthInvalidToken:
			code = CodeInvalidToken
		case "":
			return "", SingleUse{}, errorf(CodeInternal, err, "DPoP check")
		}
		return "", SingleUse{}, errorf(code, err, "DPoP proof: %s", dpop.CodeOf(err))
	}
	return p.JKT, SingleUse{Kind: UseDPoPJTI, Value: p.JKT + ":" + p.JTI, ExpiresAt: p.ExpiresAt}, nil
}
