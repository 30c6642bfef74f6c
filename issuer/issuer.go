package issuer

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// Issuer is the OpenID4VCI credential issuer of every configured tenant. It is safe for
// concurrent use; all protocol state is in its Store.
type Issuer struct {
	st      Store
	cfg     Config
	tenants map[string]*tenant
	status  statusCache

	keyMu         sync.Mutex
	nonceKeyCache []byte
}

// tenant is a configured tenant with its ready signers.
type tenant struct {
	Tenant
	issuerID string
	sdjwt    *sdjwt.Issuer // dc+sd-jwt, x5c
	vcjwt    *jose.Signer  // jwt_vc_json, typ JWT, x5c
	status   *jose.Signer  // statuslist+jwt, x5c
}

// New returns an Issuer over st for the configured tenants. It checks cfg (Config.Validate)
// and prepares each tenant's signers.
func New(st Store, cfg Config) (*Issuer, error) {
	if st == nil {
		return nil, errors.New("issuer: a store is required")
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	is := &Issuer{st: st, cfg: cfg, tenants: map[string]*tenant{}, status: statusCache{entries: map[string]cachedStatus{}}}
	for _, t := range cfg.Tenants {
		tt := &tenant{Tenant: t, issuerID: cfg.BaseURL + "/" + t.ID}
		var err error
		if tt.sdjwt, err = sdjwt.NewVCIssuer(t.Seal, jose.SignHeader{X5C: t.Chain}, sdjwt.WithDecoys(cfg.Decoys), sdjwt.WithRandom(cfg.Random)); err != nil {
			return nil, err
		}
		if tt.vcjwt, err = jose.NewSigner(t.Seal, vcjwt.IssuerHeader("", t.Chain)); err != nil {
			return nil, err
		}
		if tt.status, err = jose.NewSigner(t.Seal, jose.SignHeader{Typ: statuslist.TokenType, X5C: t.Chain}); err != nil {
			return nil, err
		}
		is.tenants[t.ID] = tt
	}
	return is, nil
}

// BaseURL returns Config.BaseURL: every tenant's Credential Issuer Identifier is
// BaseURL + "/" + tenant ID.
func (is *Issuer) BaseURL() string { return is.cfg.BaseURL }

// TenantIDs returns the configured tenant ids in configuration order.
func (is *Issuer) TenantIDs() []string {
	ids := make([]string, 0, len(is.cfg.Tenants))
	for _, t := range is.cfg.Tenants {
		ids = append(ids, t.ID)
	}
	return ids
}

// IssuerID returns the tenant's Credential Issuer Identifier.
func (is *Issuer) IssuerID(tenantID string) (string, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return "", err
	}
	return t.issuerID, nil
}

// Tenant returns the configured tenant.
func (is *Issuer) Tenant(tenantID string) (Tenant, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return Tenant{}, err
	}
	return t.Tenant, nil
}

func (is *Issuer) tenant(id string) (*tenant, error) {
	if t, ok := is.tenants[id]; ok {
		return t, nil
	}
	return nil, errorf(CodeNotFound, nil, "no issuer %q here", id)
}

func (is *Issuer) issuerID(t *tenant) string { return t.issuerID }

// Authorize checks a registrar bearer token for the tenant in constant time.
func (is *Issuer) Authorize(tenantID, token string) error {
	t, err := is.tenant(tenantID)
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(token))
	if token == "" || subtle.ConstantTimeCompare(sum[:], t.AdminTokenSHA256[:]) != 1 {
		return errorf(CodeUnauthorized, nil, "a valid registrar token is required")
	}
	return nil
}

// randomString returns n random bytes, base64url-encoded.
func (is *Issuer) randomString(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(is.cfg.Random, b); err != nil {
		return "", errorf(CodeInternal, err, "random")
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// randomDigits returns n uniformly random decimal digits (a tx_code): each from one random
// byte below 250 (rejection sampling keeps the digits uniform).
func (is *Issuer) randomDigits(n int) (string, error) {
	var sb strings.Builder
	var b [1]byte
	for sb.Len() < n {
		if _, err := io.ReadFull(is.cfg.Random, b[:]); err != nil {
			return "", errorf(CodeInternal, err, "random")
		}
		if b[0] < 250 {
			sb.WriteByte('0' + b[0]%10)
		}
	}
	return sb.String(), nil
}

// tokenHash is the stored form of an access token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// storeErr maps a store failure that is not a domain outcome to CodeUnavailable (busy) or
// CodeInternal.
func storeErr(err error, what string) error {
	if errors.Is(err, storeerr.ErrBusy) || errors.Is(err, context.DeadlineExceeded) {
		return errorf(CodeUnavailable, err, "%s: the store is busy, retry", what)
	}
	return errorf(CodeInternal, err, "%s", what)
}

func itoa(i int) string { return strconv.Itoa(i) }
