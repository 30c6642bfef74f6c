package wallet

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// States of CredentialStatus: what the issuer's status list says of a credential.
const (
	StatusValid     = "valid"     // the entry is VALID
	StatusRevoked   = "revoked"   // the entry is INVALID: the issuer revoked the credential
	StatusSuspended = "suspended" // the entry is SUSPENDED, perhaps for a while
	StatusNone      = "none"      // the credential names no status list: nothing to check
	StatusUnknown   = "unknown"   // the list could not be fetched or verified (Problem says why)
)

// CredentialStatus is what the issuer's status list says of a stored credential.
type CredentialStatus struct {
	State string `json:"state"`
	// Problem is why the state is unknown: the wallet error code of the fetch, or the status
	// list's own (e.g. a token signed by another key).
	Problem string `json:"problem,omitempty"`
	// CheckedAt is when the token that was read was fetched.
	CheckedAt time.Time `json:"checked_at,omitzero"`
}

// Limits of the status list checks.
const (
	// MaxStatusCacheFor bounds how long a verified status list token is reused; within it,
	// the token's own ttl and exp decide (IETF Token Status List §13.7).
	MaxStatusCacheFor = 15 * time.Minute
	// DefaultStatusCacheFor is how long a token that gives neither ttl nor exp is reused.
	DefaultStatusCacheFor = time.Minute
	// StatusFailureCacheFor is how long a list that could not be fetched or trusted is not
	// asked again: a server that does not answer costs one StatusFetchTimeout, not one per
	// card on every page.
	StatusFailureCacheFor = time.Minute
	// StatusFetchTimeout bounds one status list fetch.
	StatusFetchTimeout = 3 * time.Second
	// MaxStatusCacheBytes bounds the decoded lists the cache holds (it is shared by every
	// owner of a hosted wallet); a list larger than MaxCachedStatusList is not cached.
	MaxStatusCacheBytes = 32 << 20
	MaxCachedStatusList = 1 << 20
	// maxStatusCacheEntries bounds the number of cached answers.
	maxStatusCacheEntries = 1024
)

// Status asks the issuer's status list (IETF Token Status List) about one of owner's
// credentials. The token is fetched over the wallet's HTTP client within StatusFetchTimeout
// and must be signed by the key of the credential's own certificate (with that certificate
// as its x5c leaf when it carries one), for the credential's list URI, and not expired.
// Answers are shared between credentials and owners, per (list, certificate): a verified
// token for its ttl (DefaultStatusCacheFor without one; at most MaxStatusCacheFor), a
// failure for StatusFailureCacheFor. A list that cannot be fetched or verified gives
// StatusUnknown with the reason, not an error: errors are for an unknown credential, store
// failures and ctx ending before the store answered.
func (w *Wallet) Status(ctx context.Context, owner, id string) (*CredentialStatus, error) {
	c, err := w.store.Credential(ctx, owner, id)
	if err != nil {
		return nil, notFoundOr(err, "credential")
	}
	var leaf *x509.Certificate
	if c.Status != nil {
		leaf, _ = issuerLeaf(ctx, c) // nil: the credential does not verify, said in the status
	}
	return w.status(ctx, c, leaf)
}

// StatusOf is Status for a credential whose Details were just read: it uses their
// IssuerCertificate instead of verifying the credential again.
func (w *Wallet) StatusOf(ctx context.Context, d *CredentialDetails) (*CredentialStatus, error) {
	return w.status(ctx, &d.Credential, d.IssuerCertificate)
}

// status reads c's entry in the status list with leaf, the certificate c is signed with.
func (w *Wallet) status(ctx context.Context, c *Credential, leaf *x509.Certificate) (*CredentialStatus, error) {
	now, err := w.clock()
	if err != nil {
		return nil, err
	}
	switch {
	case c.Status == nil:
		return &CredentialStatus{State: StatusNone}, nil
	case c.Status.Index > math.MaxInt32:
		return &CredentialStatus{State: StatusUnknown, Problem: "index out of range"}, nil
	case leaf == nil:
		return &CredentialStatus{State: StatusUnknown, Problem: string(CodeInvalidCredential)}, nil
	}
	tok, fetched, problem := w.statusToken(ctx, c.Status.URI, leaf, now)
	if tok == nil {
		return &CredentialStatus{State: StatusUnknown, Problem: problem}, nil
	}
	s, err := tok.Status(statuslist.Reference{URI: c.Status.URI, Idx: int(c.Status.Index)}) //nolint:gosec // at most MaxInt32, checked above
	if err != nil {
		return &CredentialStatus{State: StatusUnknown, Problem: string(statuslist.CodeOf(err)), CheckedAt: fetched}, nil //nolint:nilerr // the list's fault, reported in the status
	}
	out := &CredentialStatus{CheckedAt: fetched}
	switch s {
	case statuslist.Valid:
		out.State = StatusValid
	case statuslist.Invalid:
		out.State = StatusRevoked
	case statuslist.Suspended:
		out.State = StatusSuspended
	default:
		out.State, out.Problem = StatusUnknown, "status "+s.String()
	}
	return out, nil
}

// issuerLeaf is the certificate the credential was signed with (verified again, at a time
// its validity period covers, so that an expired credential still names it).
func issuerLeaf(ctx context.Context, c *Credential) (*x509.Certificate, error) {
	at := c.IssuedAt
	if at.IsZero() {
		at = c.ReceivedAt
	}
	var chain []*x509.Certificate
	switch c.Format {
	case FormatSDJWTVC:
		vc, err := verifySDJWT(ctx, c, at)
		if err != nil {
			return nil, err
		}
		chain = vc.X5C
	case FormatJWTVCJSON:
		r, err := vcjwt.Verify(string(c.Raw), vcjwt.Policy{Now: at, Algorithms: algorithms, AllowX5C: true, ClockSkew: clockSkew})
		if err != nil {
			return nil, err
		}
		chain = r.Chain
	}
	if len(chain) == 0 {
		return nil, errorf(CodeInvalidCredential, nil, "no x5c certificate")
	}
	return chain[0], nil
}

// statusToken returns the verified token at uri for leaf, from the cache or fetched, and
// when it was fetched; on failure a nil token and the reason's code.
func (w *Wallet) statusToken(ctx context.Context, uri string, leaf *x509.Certificate, now time.Time) (*statuslist.Token, time.Time, string) {
	key := statusKey{uri: uri, leaf: sha256.Sum256(leaf.Raw)}
	if e, ok := w.statusCache.get(key, now); ok {
		return e.tok, e.fetched, e.problem
	}
	fctx, cancel := context.WithTimeout(ctx, StatusFetchTimeout)
	defer cancel()
	tok, problem := w.fetchStatusToken(fctx, uri, leaf, now)
	switch {
	case tok != nil:
		d, ok := tok.CacheFor(now)
		if !ok {
			d = DefaultStatusCacheFor
		}
		if size := tok.List.Len() * tok.List.Bits() / 8; size <= MaxCachedStatusList {
			w.statusCache.put(key, statusEntry{tok: tok, fetched: now, size: size}, now.Add(min(d, MaxStatusCacheFor)))
		}
		return tok, now, ""
	case ctx.Err() == nil: // the list's failure, not the caller giving up
		w.statusCache.put(key, statusEntry{problem: problem, fetched: now}, now.Add(StatusFailureCacheFor))
	}
	return nil, time.Time{}, problem
}

// fetchStatusToken fetches and verifies the token at uri for leaf; on failure a nil token
// and the reason's code.
func (w *Wallet) fetchStatusToken(ctx context.Context, uri string, leaf *x509.Certificate, now time.Time) (*statuslist.Token, string) {
	resp, err := w.client.Get(ctx, uri, statuslist.MediaType, safehttp.MaxBody(statuslist.MaxTokenSize))
	if err != nil {
		return nil, string(CodeOf(fetchErr(err, "fetch status list")))
	}
	if err := resp.Expect(200); err != nil {
		return nil, string(CodeUnreachable)
	}
	ut, err := statuslist.ParseToken(string(resp.Body))
	if err != nil {
		return nil, string(statuslist.CodeOf(err))
	}
	if h := ut.Header(); len(h.X5C) > 0 {
		certs, err := ut.Certificates()
		if err != nil || !certs[0].Equal(leaf) {
			return nil, "status_list_signer"
		}
	}
	tok, err := ut.Verify(leaf.PublicKey, statuslist.Policy{URI: uri, Algorithms: algorithms, Now: now, ClockSkew: clockSkew})
	if err != nil {
		return nil, string(statuslist.CodeOf(err))
	}
	return tok, ""
}

type statusKey struct {
	uri  string
	leaf [sha256.Size]byte
}

// statusEntry is a cached answer: a verified token, or the problem that stopped it.
type statusEntry struct {
	tok     *statuslist.Token
	problem string
	fetched time.Time
	size    int // bytes of the decoded list
}

// statusCache holds the answers of status lists until they go stale, within
// maxStatusCacheEntries and MaxStatusCacheBytes: stale entries are evicted first, then the
// oldest.
type statusCache struct {
	mu    sync.Mutex
	m     map[statusKey]cachedStatus
	bytes int
}

type cachedStatus struct {
	e     statusEntry
	until time.Time
}

func (c *statusCache) get(k statusKey, now time.Time) (statusEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	if !ok || !now.Before(v.until) {
		return statusEntry{}, false
	}
	return v.e, true
}

func (c *statusCache) put(k statusKey, e statusEntry, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[statusKey]cachedStatus{}
	}
	c.remove(k)
	for key, v := range c.m {
		if !e.fetched.Before(v.until) {
			c.remove(key)
		}
	}
	for len(c.m) > 0 && (len(c.m) >= maxStatusCacheEntries || c.bytes+e.size > MaxStatusCacheBytes) {
		var oldest statusKey
		first := true
		for key, v := range c.m {
			if first || v.e.fetched.Before(c.m[oldest].e.fetched) {
				oldest, first = key, false
			}
		}
		c.remove(oldest)
	}
	c.m[k] = cachedStatus{e: e, until: until}
	c.bytes += e.size
}

func (c *statusCache) remove(k statusKey) {
	if v, ok := c.m[k]; ok {
		c.bytes -= v.e.size
		delete(c.m, k)
	}
}

// String describes the status for logs and the CLI.
func (s CredentialStatus) String() string {
	if s.Problem != "" {
		return fmt.Sprintf("%s (%s)", s.State, s.Problem)
	}
	return s.State
}
