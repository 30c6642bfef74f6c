package verifier

import "time"

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// MaxVPTokenSize bounds the vp_token JSON in bytes. One VP JWT may be up to
	// vcjwt.MaxPresentationSize (4 MiB); an SD-JWT VC presentation up to sdjwt.MaxSize
	// (256 KiB). A response answering a few diploma queries stays far below.
	MaxVPTokenSize = 4 << 20

	// MaxPresentations bounds the presentations in one vp_token, all entries together. A
	// recognition desk asks for one or two credentials; dcql.MaxPresentations is 256.
	MaxPresentations = 16

	// MaxChainLength bounds the x5c chain of a credential (leaf first, without the anchor).
	// The pilot chains hold the leaf alone; real qualified seal chains have two or three.
	MaxChainLength = 5

	// MaxClockSkew bounds WithClockSkew: a larger tolerance would quietly weaken the expiry,
	// key-binding and status list time checks (statuslist accepts at most 5 minutes).
	MaxClockSkew = 5 * time.Minute

	// MaxKBMaxAge bounds WithKBMaxAge: a key binding older than this no longer shows that the
	// holder answered this request.
	MaxKBMaxAge = 30 * time.Minute

	// DefaultCacheMax is the default number of entries of the status list cache (and of the
	// trust cache when enabled): one per (status list URI, signing certificate).
	DefaultCacheMax = 1024

	// MaxStatusCacheFor bounds how long a verified status list token is served from the cache,
	// whatever its exp and ttl say (draft-ietf-oauth-status-list-20 §11.5: clamp to own bounds).
	MaxStatusCacheFor = 24 * time.Hour

	// MaxTrustCacheTTL bounds WithTrustCacheTTL: a cached trust answer delays the effect of a
	// withdrawn service or a stale list by at most this long.
	MaxTrustCacheTTL = 10 * time.Minute
)
