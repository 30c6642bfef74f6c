package wallet

import (
	"crypto/x509"
	"context"
	"slices"
	"sort"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// Credentials returns owner's stored credentials, oldest first.
func (w *Wallet) Credentials(ctx context.Context, owner string) ([]Credential, error) {
	cs, err := w.store.Credentials(ctx, owner)
	if err != nil {
		return nil, storeErr(err, "list credentials")
	}
	return cs, nil
}

// DeleteCredential deletes one of owner's credentials with its holder key (CodeNotFound
// when there is none). The issuer is not notified.
func (w *Wallet) DeleteCredential(ctx context.Context, owner, id string) error {
	if err := w.store.DeleteCredential(ctx, owner, id); err != nil {
		return notFoundOr(err, "delete credential")
	}
	return nil
}

// PendingIssuances returns owner's deferred issuances, oldest first.
func (w *Wallet) PendingIssuances(ctx context.Context, owner string) ([]PendingIssuance, error) {
	ps, err := w.store.PendingIssuances(ctx, owner)
	if err != nil {
		return nil, storeErr(err, "list pending issuances")
	}
	return ps, nil
}

// History returns owner's presentation history, newest first.
func (w *Wallet) History(ctx context.Context, owner string) ([]PresentationRecord, error) {
	rs, err := w.store.Presentations(ctx, owner)
	if err != nil {
		return nil, storeErr(err, "list presentations")
	}
	return rs, nil
}

// CredentialDetails is what a credential card shows.
type CredentialDetails struct {
	Credential Credential `json:"credential"`
	// Valid reports that the credential still verifies now (signature and validity period);
	// Problem is the verification code when it does not (e.g. "expired").
	Valid   bool   `json:"valid"`
	Problem string `json:"problem,omitempty"`
	// Claims are every claim value (leaves) with its label in en and ja where the type
	// metadata has one, in path order. For jwt_vc_json, the credentialSubject members.
	Claims []ClaimDisclosure `json:"claims"`
	// IssuerCertificate is the certificate the credential is signed with (its x5c leaf),
	// nil when it could not be verified; StatusOf reads the status list with it.
	IssuerCertificate *x509.Certificate `json:"-"`
}

// Details re-verifies one of owner's credentials at now and lists its claims for display.
// It does not check the status list.
func (w *Wallet) Details(ctx context.Context, owner, id string) (*CredentialDetails, error) {
	now, err := w.clock()
	if err != nil {
		return nil, err
	}
	c, err := w.store.Credential(ctx, owner, id)
	if err != nil {
		return nil, notFoundOr(err, "credential")
	}
	d := &CredentialDetails{Credential: *c, Claims: []ClaimDisclosure{}}
	var doc map[string]any
	var prefix dcql.Path
	switch c.Format {
	case FormatSDJWTVC:
		vc, err := verifySDJWT(ctx, c, now)
		d.Valid, d.Problem = err == nil, string(sdjwt.CodeOf(err))
		if sdjwt.CodeOf(err) == sdjwt.CodeExpired && !c.ExpiresAt.IsZero() {
			// Show what an expired credential says, as it was verified just before it expired.
			vc, _ = verifySDJWT(ctx, c, c.ExpiresAt.Add(-time.Second))
		}
		if vc != nil {
			doc = vc.Claims
			if len(vc.X5C) > 0 {
				d.IssuerCertificate = vc.X5C[0]
			}
		}
	case FormatJWTVCJSON:
		r, err := vcjwt.Verify(string(c.Raw), vcjwt.Policy{Now: now, Algorithms: algorithms, AllowX5C: true, ClockSkew: clockSkew})
		d.Valid, d.Problem = err == nil, string(vcjwt.CodeOf(err))
		if err == nil {
			if cs, ok := r.Credential["credentialSubject"].(map[string]any); ok {
				doc, prefix = cs, dcql.Path{"credentialSubject"}
			}
			if len(r.Chain) > 0 {
				d.IssuerCertificate = r.Chain[0]
			}
		}
	}
	flatten(doc, prefix, 0, func(p dcql.Path, v any) {
		if c.Format == FormatSDJWTVC && slices.Contains([]any{"cnf", "status"}, p[0]) {
			return
		}
		cd := ClaimDisclosure{Path: p, PathJSON: p.String(), Value: v}
		for _, lang := range []string{"en", "ja"} {
			if l, ok := academic.ClaimLabel(c.VCT, p, lang); ok && c.VCT != "" {
				if cd.Label == nil {
					cd.Label = Names{}
				}
				cd.Label[lang] = l
			}
		}
		d.Claims = append(d.Claims, cd)
	})
	return d, nil
}

// flatten calls f for every leaf of v (objects by sorted member name, arrays by index), up
// to the SD-JWT depth limit.
func flatten(v any, path dcql.Path, depth int, f func(dcql.Path, any)) {
	if depth > sdjwt.MaxDepth {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flatten(t[k], append(slices.Clone(path), k), depth+1, f)
		}
	case []any:
		for i, e := range t {
			flatten(e, append(slices.Clone(path), i), depth+1, f)
		}
	case nil:
		if len(path) > 0 {
			f(path, nil)
		}
	default:
		if len(path) > 0 {
			f(path, t)
		}
	}
}

func verifySDJWT(ctx context.Context, c *Credential, at time.Time) (*sdjwt.Credential, error) {
	u, err := sdjwt.ParseUnverified(string(c.Raw))
	if err != nil {
		return nil, err
	}
	return u.VerifyVC(ctx, sdjwt.VCPolicy{
		Policy:     sdjwt.Policy{Algorithms: algorithms, KeyBinding: sdjwt.KeyBindingForbidden, Now: at, ClockSkew: clockSkew},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C},
	})
}
