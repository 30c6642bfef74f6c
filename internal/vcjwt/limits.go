package vcjwt

import "time"

const (
	// MaxCredentialSize bounds a jwt_vc_json credential in compact form. Academic credentials
	// with embedded learning outcomes stay well below it; the OID4VCI example is 1.9 KiB.
	MaxCredentialSize = 512 << 10

	// MaxPresentationSize bounds a VP JWT in compact form: it embeds its credentials.
	MaxPresentationSize = 4 << 20

	// MaxPresentationCredentials bounds the credentials embedded in one presentation.
	MaxPresentationCredentials = 16

	// MaxDIDLength bounds a did:jwk (an Ed25519 or P-384 JWK with kid and alg is far shorter).
	MaxDIDLength = 2048

	// MaxClockSkew bounds Policy.ClockSkew: a larger tolerance would quietly disable the
	// expiry checks.
	MaxClockSkew = 10 * time.Minute

	// DefaultPresentationMaxAge is how old a presentation's iat may be when
	// PresentationPolicy.MaxAge is zero.
	DefaultPresentationMaxAge = 5 * time.Minute

	// maxClaimString bounds the string claims this package compares (iss, sub, jti, nonce, aud).
	maxClaimString = 8 << 10
)
