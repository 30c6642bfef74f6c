package verifier

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/statuslist"
)

// statusKey identifies a cached status list token: its URI and the certificate whose key
// verified it. A token verified for one issuer is never served for another.
type statusKey struct {
	uri  string
	leaf [sha256.Size]byte
}

type statusEntry struct{ tok *statuslist.Token }

// checkStatus reads the credential's entry in its status list. The token must be signed with
// the key of the credential's own leaf certificate (hashi's decision: no delegated status
// signers); when it carries x5c, its leaf must be that same certificate. Verified tokens are
// cached per (uri, leaf) until the earlier of exp and iat+ttl, at most MaxStatusCacheFor; a
// token with neither is not cached.
func (v *Verifier) checkStatus(ctx context.Context, ref *statuslist.Reference, leaf *x509.Certificate, now time.Time) (statuslist.Status, Code, string) {
	key := statusKey{uri: ref.URI, leaf: sha256.Sum256(leaf.Raw)}
	e, cached := v.statusCache.get(key, now)
	if !cached {
		b, err := v.status.FetchStatusList(ctx, ref.URI)
		if err != nil {
			return 0, CodeStatusUnavailable, "fetch " + ref.URI + ": " + err.Error()
		}
		ut, err := statuslist.ParseToken(string(b))
		if err != nil {
			return 0, CodeStatusInvalid, "status list token: " + err.Error()
		}
		if h := ut.Header(); len(h.X5C) > 0 {
			certs, err := ut.Certificates()
			if err != nil {
				return 0, CodeStatusInvalid, "status list token x5c: " + err.Error()
			}
			if !certs[0].Equal(leaf) {
				return 0, CodeStatusInvalid, "the status list token is signed by " + pki.NameString(certs[0].Subject) + ", not by the credential's certificate"
			}
		}
		tok, err := ut.Verify(leaf.PublicKey, statuslist.Policy{URI: ref.URI, Algorithms: v.cfg.algorithms, Now: now, ClockSkew: v.cfg.skew})
		if err != nil {
			return 0, CodeStatusInvalid, "status list token: " + err.Error()
		}
		e = statusEntry{tok: tok}
		if d, ok := tok.CacheFor(now); ok {
			v.statusCache.put(key, e, now, now.Add(min(d, MaxStatusCacheFor)))
		}
	}
	s, err := e.tok.Status(*ref)
	if err != nil {
		return 0, CodeStatusInvalid, fmt.Sprintf("index %d: %v", ref.Idx, err)
	}
	where := fmt.Sprintf("index %d of %s", ref.Idx, ref.URI)
	if cached {
		where += " (cached token)"
	}
	switch s {
	case statuslist.Valid:
		return s, "", where + " is VALID"
	case statuslist.Invalid:
		return s, CodeStatusRevoked, where + " is INVALID (revoked)"
	case statuslist.Suspended:
		return s, CodeStatusSuspended, where + " is SUSPENDED"
	default:
		return s, CodeStatusInvalid, where + " is " + s.String()
	}
}
