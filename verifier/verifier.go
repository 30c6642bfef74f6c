package verifier

import (
	"context"
	"crypto/x509"
	"slices"
	"sync"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/trustlist"
)

// StatusSource fetches Status List Tokens (draft-ietf-oauth-status-list-20 §8) by URI. The
// verifier never fetches anything itself: the HTTP implementation (https only, SSRF rules,
// Accept application/statuslist+jwt, size bound statuslist.MaxTokenSize) lives at the edge, and
// tests pass an in-memory source. FetchStatusList returns the compact JWS as received.
type StatusSource interface {
	FetchStatusList(ctx context.Context, uri string) ([]byte, error)
}

// StatusSourceFunc adapts a function to StatusSource.
type StatusSourceFunc func(ctx context.Context, uri string) ([]byte, error)

// FetchStatusList calls f.
func (f StatusSourceFunc) FetchStatusList(ctx context.Context, uri string) ([]byte, error) {
	return f(ctx, uri)
}

// Verifier verifies OpenID4VP vp_tokens against trust lists, status lists and a recognition
// policy. It is safe for concurrent use; it keeps only caches (verified status list tokens
// and, when enabled, trust answers), never protocol state such as nonces.
type Verifier struct {
	trust  trustlist.Source
	status StatusSource
	cfg    config

	statusCache *cache[statusKey, statusEntry]
	trustCache  *cache[trustKey, trustEntry]
	// subjects caches leaf certificates' subject names as text (RFC 4514): internal/jose
	// hands out one shared *x509.Certificate per x5c text, and formatting a name costs
	// as much as the rest of the report together.
	subjects *cache[*x509.Certificate, string]

	typeMu   sync.RWMutex
	typeMeta map[string]*typeInfo
}

type config struct {
	algorithms []jose.Algorithm
	cacheMax   int
	skew       time.Duration
	kbMaxAge   time.Duration
	trustTTL   time.Duration
}

// Option configures a Verifier.
type Option func(*config) error

// WithAlgorithms sets the signature algorithm allow-list for issuer-signed credentials,
// key-binding JWTs, VP JWTs and status list tokens. "none" and HMAC algorithms are refused.
// Default: ES256 (HAIP 1.0).
func WithAlgorithms(algs ...jose.Algorithm) Option {
	return func(c *config) error {
		if len(algs) == 0 {
			return policyErr("WithAlgorithms: no algorithm")
		}
		for _, a := range algs {
			switch a {
			case jose.ES256, jose.ES384, jose.EdDSA:
			default:
				return policyErr("WithAlgorithms: %q is not an accepted signature algorithm", a)
			}
		}
		c.algorithms = slices.Clone(algs)
		return nil
	}
}

// WithStatusCacheMax sets how many verified status list tokens (and, with WithTrustCacheTTL,
// trust answers) are kept. Default: DefaultCacheMax. It must be at least 1.
func WithStatusCacheMax(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return policyErr("WithStatusCacheMax: %d is below 1", n)
		}
		c.cacheMax = n
		return nil
	}
}

// WithClockSkew sets the tolerance on exp, nbf and iat of credentials, key bindings and status
// list tokens. Default: 0. At most MaxClockSkew.
func WithClockSkew(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 || d > MaxClockSkew {
			return policyErr("WithClockSkew: %s is outside [0, %s]", d, MaxClockSkew)
		}
		c.skew = d
		return nil
	}
}

// WithKBMaxAge sets how old a KB-JWT (or VP JWT) "iat" may be. Default: 5 minutes
// (sdjwt.DefaultKBMaxAge). At most MaxKBMaxAge.
func WithKBMaxAge(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 || d > MaxKBMaxAge {
			return policyErr("WithKBMaxAge: %s is outside (0, %s]", d, MaxKBMaxAge)
		}
		c.kbMaxAge = d
		return nil
	}
}

// WithTrustCacheTTL caches trust answers (trustlist.Source.Lookup for one chain, issuance time
// and rule) for d, so that the chain is not verified again for every presentation. Default:
// 0 (off: every presentation is looked up).
//
// WARNING: with a cache, a service withdrawn from its list, a list going stale or a refreshed
// list takes effect up to d later. At most MaxTrustCacheTTL.
func WithTrustCacheTTL(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 || d > MaxTrustCacheTTL {
			return policyErr("WithTrustCacheTTL: %s is outside [0, %s]", d, MaxTrustCacheTTL)
		}
		c.trustTTL = d
		return nil
	}
}

// New returns a Verifier judging issuer trust with trust (a *trustlist.Set, a
// *trustlist.Refresher, ...) and fetching status list tokens through status. Both are required.
func New(trust trustlist.Source, status StatusSource, opts ...Option) (*Verifier, error) {
	if trust == nil {
		return nil, policyErr("New: nil trust source")
	}
	if status == nil {
		return nil, policyErr("New: nil status source")
	}
	cfg := config{algorithms: []jose.Algorithm{jose.ES256}, cacheMax: DefaultCacheMax, kbMaxAge: 5 * time.Minute}
	for _, o := range opts {
		if o == nil {
			return nil, policyErr("New: nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	v := &Verifier{
		trust: trust, status: status, cfg: cfg,
		statusCache: newCache[statusKey, statusEntry](cfg.cacheMax),
		subjects:    newCache[*x509.Certificate, string](cfg.cacheMax),
		typeMeta:    map[string]*typeInfo{},
	}
	if cfg.trustTTL > 0 {
		v.trustCache = newCache[trustKey, trustEntry](cfg.cacheMax)
	}
	return v, nil
}

// typeInfo is the type metadata of one vct, looked up once.
type typeInfo struct {
	meta  academic.TypeMetadata
	known bool
}

func (v *Verifier) typeMetadata(vct string) *typeInfo {
	v.typeMu.RLock()
	ti, ok := v.typeMeta[vct]
	v.typeMu.RUnlock()
	if ok {
		return ti
	}
	m, known := academic.LookupTypeMetadata(vct)
	ti = &typeInfo{meta: m, known: known}
	if known { // unknown vct values are not remembered: the map would grow with attacker input
		v.typeMu.Lock()
		v.typeMeta[vct] = ti
		v.typeMu.Unlock()
	}
	return ti
}

// cache is a small bounded map with per-entry expiry. When full, expired entries go first,
// then the entry expiring soonest.
type cache[K comparable, V any] struct {
	mu  sync.Mutex
	max int
	m   map[K]cacheEntry[V]
}

type cacheEntry[V any] struct {
	v     V
	from  time.Time // when it was stored; never served before that
	until time.Time // served while now < until
}

func newCache[K comparable, V any](limit int) *cache[K, V] {
	return &cache[K, V]{max: limit, m: make(map[K]cacheEntry[V])}
}

func (c *cache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || now.Before(e.from) || !now.Before(e.until) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *cache[K, V]) put(k K, v V, now, until time.Time) {
	if !now.Before(until) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= c.max {
		var victim K
		var soonest time.Time
		first := true
		for key, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, key)
				continue
			}
			if first || e.until.Before(soonest) {
				victim, soonest, first = key, e.until, false
			}
		}
		if len(c.m) >= c.max && !first {
			delete(c.m, victim)
		}
	}
	c.m[k] = cacheEntry[V]{v: v, from: now, until: until}
}

var _ StatusSource = StatusSourceFunc(nil)
