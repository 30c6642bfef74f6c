package issuer

import (
	"context"
	"errors"

	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/storeerr"
)

// verifyDPoP checks the DPoP header values of a request to url (RFC 9449 §4.3): exactly one
// proof, typ dpop+jwt, ES256 with a public P-256 jwk, htm and htu of this request, iat within
// [now - ProofMaxAge, now + ClockSkew], ath = the access token's hash when a token is
// presented, the key equal to boundJKT when the token is bound; then it records the proof's
// jti for its whole acceptance window, so a replayed proof fails on every replica. It returns
// the proof key's thumbprint.
func (is *Issuer) verifyDPoP(ctx context.Context, values []string, method, url, accessToken, boundJKT string) (string, error) {
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
			return "", errorf(CodeInternal, err, "DPoP check")
		}
		return "", errorf(code, err, "DPoP proof: %s", dpop.CodeOf(err))
	}
	if err := is.st.RememberJTI(ctx, p.JKT, p.JTI, p.ExpiresAt, now); errors.Is(err, storeerr.ErrConflict) {
		return "", errorf(CodeInvalidDPoPProof, nil, "DPoP proof: replayed (jti already used)")
	} else if err != nil {
		return "", storeErr(err, "record DPoP jti")
	}
	return p.JKT, nil
}
