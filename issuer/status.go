package issuer

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/storeerr"
)

// statusBits is the width of each status-list entry: VALID, INVALID (revoked) and SUSPENDED
// need two bits (draft-ietf-oauth-status-list-20 §7.1).
const statusBits = 2

// StatusListToken is a signed status list token with its caching lifetime.
type StatusListToken struct {
	Token  string        // compact JWT, media type application/statuslist+jwt
	MaxAge time.Duration // how long a client may cache it (the token's ttl)
}

// statusCache keeps the signed token of each list until its version changes or half its ttl
// has passed, so a popular list is not re-signed on every fetch.
type statusCache struct {
	mu      sync.Mutex
	entries map[string]cachedStatus
}

type cachedStatus struct {
	version  int64
	issuedAt time.Time
	token    string
}

// StatusList returns the tenant's status list token number id (OpenID4VCI issuers publish it
// at {credential_issuer}/status/{id}): "sub" is that URL, "iss" the credential issuer, "iat"
// now, "exp" 24 hours later, "ttl" Config.StatusListTTL; signed with the tenant's seal and
// x5c. A list with no allocated entry yet is CodeNotFound.
func (is *Issuer) StatusList(ctx context.Context, tenantID string, id int) (*StatusListToken, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	if id < 1 {
		return nil, errorf(CodeNotFound, nil, "no such status list")
	}
	st, err := is.st.StatusList(ctx, t.ID, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, errorf(CodeNotFound, nil, "no such status list")
	} else if err != nil {
		return nil, storeErr(err, "read status list")
	}
	now := is.cfg.Clock()
	key := t.ID + "/" + strconv.Itoa(id)
	is.status.mu.Lock()
	c, ok := is.status.entries[key]
	is.status.mu.Unlock()
	if ok && c.version == st.Version && now.Sub(c.issuedAt) < is.cfg.StatusListTTL/2 && !now.Before(c.issuedAt) {
		return &StatusListToken{Token: c.token, MaxAge: is.cfg.StatusListTTL - now.Sub(c.issuedAt)}, nil
	}
	size := st.Size
	if size == 0 {
		size = is.cfg.StatusListSize
	}
	list, err := statuslist.New(statusBits, size)
	if err != nil {
		return nil, errorf(CodeInternal, err, "status list")
	}
	for idx, s := range st.Statuses {
		if err := list.Set(idx, s); err != nil {
			return nil, errorf(CodeInternal, err, "status list entry %d", idx)
		}
	}
	tok, err := statuslist.Sign(t.status, &statuslist.Token{
		Issuer:    t.issuerID,
		Subject:   t.issuerID + PathStatus + strconv.Itoa(id),
		IssuedAt:  now,
		ExpiresAt: now.Add(24 * time.Hour),
		TTL:       is.cfg.StatusListTTL,
		List:      list,
	})
	if err != nil {
		return nil, errorf(CodeInternal, err, "sign status list")
	}
	is.status.mu.Lock()
	is.status.entries[key] = cachedStatus{version: st.Version, issuedAt: now, token: tok}
	is.status.mu.Unlock()
	return &StatusListToken{Token: tok, MaxAge: is.cfg.StatusListTTL}, nil
}

// SetCredentialStatus revokes ("revoked"), suspends ("suspended") or reinstates ("valid") an
// issued credential: its status-list entry changes in the same transaction as the record,
// and the next status list token says so. A revoked credential stays revoked.
func (is *Issuer) SetCredentialStatus(ctx context.Context, tenantID, issuanceID, status string) (*IssuanceView, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	var s statuslist.Status
	switch status {
	case "revoked":
		s = statuslist.Invalid
	case "suspended":
		s = statuslist.Suspended
	case "valid":
		s = statuslist.Valid
	default:
		return nil, invalidField("status", "oneof", "must be revoked, suspended or valid", "revoked、suspended、valid のいずれかを指定してください")
	}
	cur, err := is.st.Issuance(ctx, t.ID, issuanceID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, errorf(CodeNotFound, nil, "no such issued credential")
	} else if err != nil {
		return nil, storeErr(err, "read issued credential")
	}
	if cur.Status == statuslist.Invalid && s != statuslist.Invalid {
		return nil, errorf(CodeConflict, nil, "a revoked credential cannot be reinstated or suspended; issue a new one")
	}
	now := is.cfg.Clock()
	audit := AuditEvent{Tenant: t.ID, At: now, Actor: "registrar", Action: "credential_" + status, Object: issuanceID}
	if err := is.st.SetStatus(ctx, t.ID, issuanceID, s, now, audit); errors.Is(err, storeerr.ErrConflict) {
		// Revoked meanwhile, by another registrar or replica.
		return nil, errorf(CodeConflict, nil, "a revoked credential cannot be reinstated or suspended; issue a new one")
	} else if err != nil {
		return nil, storeErr(err, "set status")
	}
	cur.Status, cur.UpdatedAt = s, now
	v := is.issuanceView(t, *cur)
	return &v, nil
}

// StatusName is the registrar-facing word for a status value.
func StatusName(s statuslist.Status) string {
	switch s {
	case statuslist.Valid:
		return "valid"
	case statuslist.Invalid:
		return "revoked"
	case statuslist.Suspended:
		return "suspended"
	default:
		return s.String()
	}
}
