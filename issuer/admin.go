package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/storeerr"
)

// DefaultPageSize and MaxPageSize bound registrar listings.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

func pageSize(n int) int {
	switch {
	case n <= 0:
		return DefaultPageSize
	case n > MaxPageSize:
		return MaxPageSize
	}
	return n
}

// OfferView is an offer as the registrar sees it, with its link and state.
type OfferView struct {
	OfferResult
	ConfigurationID string     `json:"credential_configuration_id"`
	GraduateID      string     `json:"graduate_id,omitempty"`
	State           string     `json:"state"` // pending, redeemed, locked, withdrawn, expired
	TxCodeAttempts  int        `json:"tx_code_attempts"`
	CreatedAt       time.Time  `json:"created_at"`
	RedeemedAt      *time.Time `json:"redeemed_at,omitempty"`
}

// ListOffers returns the tenant's offers, newest first, created before `before` (zero: the
// newest).
func (is *Issuer) ListOffers(ctx context.Context, tenantID string, before time.Time, limit int) ([]OfferView, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	offers, err := is.st.ListOffers(ctx, t.ID, before, pageSize(limit))
	if err != nil {
		return nil, storeErr(err, "list offers")
	}
	now := is.cfg.Clock()
	out := make([]OfferView, 0, len(offers))
	for i := range offers {
		out = append(out, is.offerView(t, &offers[i], now))
	}
	return out, nil
}

// Offer returns one offer as the registrar sees it.
func (is *Issuer) Offer(ctx context.Context, tenantID, offerID string) (*OfferView, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	o, err := is.st.Offer(ctx, t.ID, offerID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, errorf(CodeNotFound, nil, "no such offer")
	} else if err != nil {
		return nil, storeErr(err, "read offer")
	}
	v := is.offerView(t, o, is.cfg.Clock())
	return &v, nil
}

func (is *Issuer) offerView(t *tenant, o *Offer, now time.Time) OfferView {
	v := OfferView{
		OfferResult:    *is.offerResult(t, o),
		GraduateID:     o.GraduateID,
		State:          offerStateWord(o, now),
		TxCodeAttempts: o.TxCodeAttempts,
		CreatedAt:      o.CreatedAt,
	}
	if len(o.ConfigurationIDs) > 0 {
		v.ConfigurationID = o.ConfigurationIDs[0]
	}
	if !o.RedeemedAt.IsZero() {
		r := o.RedeemedAt
		v.RedeemedAt = &r
	}
	return v
}

// Reoffer makes a new offer with the same record and configuration as an earlier one (the
// student lost the link or PIN, or the offer expired or locked) and withdraws the earlier one
// if it is still pending, so only the new code works. The earlier one is withdrawn first:
// should making the new one fail, no two codes are ever live, and calling Reoffer again
// makes it.
func (is *Issuer) Reoffer(ctx context.Context, tenantID, offerID string, txCode bool) (*OfferResult, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	old, err := is.st.Offer(ctx, t.ID, offerID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, errorf(CodeNotFound, nil, "no such offer")
	} else if err != nil {
		return nil, storeErr(err, "read offer")
	}
	req := OfferRequest{CredentialConfigurationID: old.ConfigurationIDs[0], TxCode: &txCode}
	if old.GraduateID != "" {
		req.GraduateID = old.GraduateID
	} else {
		req.Claims = old.Record
	}
	audit := AuditEvent{Tenant: t.ID, At: is.cfg.Clock(), Actor: "registrar", Action: "offer_withdrawn", Object: old.ID, Detail: "re-offered"}
	if err := is.st.WithdrawOffer(ctx, t.ID, old.ID, audit); err != nil {
		return nil, storeErr(err, "withdraw offer")
	}
	return is.createOffer(ctx, t, req, old.ID)
}

// IssuanceView is an issued credential as the registrar sees it.
type IssuanceView struct {
	ID              string    `json:"id"`
	OfferID         string    `json:"offer_id"`
	GraduateID      string    `json:"graduate_id,omitempty"`
	ConfigurationID string    `json:"credential_configuration_id"`
	Status          string    `json:"status"` // valid, revoked, suspended
	StatusList      string    `json:"status_list"`
	StatusIndex     int       `json:"status_index"`
	WalletEvent     string    `json:"wallet_event,omitempty"`
	IssuedAt        time.Time `json:"issued_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// ListIssuances returns the tenant's issued credentials, newest first; offerID, when set,
// restricts them to one offer.
func (is *Issuer) ListIssuances(ctx context.Context, tenantID, offerID string, before time.Time, limit int) ([]IssuanceView, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	recs, err := is.st.ListIssuances(ctx, t.ID, offerID, before, pageSize(limit))
	if err != nil {
		return nil, storeErr(err, "list issued credentials")
	}
	out := make([]IssuanceView, 0, len(recs))
	for _, r := range recs {
		out = append(out, is.issuanceView(t, r))
	}
	return out, nil
}

// Issuance returns one issued credential as the registrar sees it.
func (is *Issuer) Issuance(ctx context.Context, tenantID, id string) (*IssuanceView, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	r, err := is.st.Issuance(ctx, t.ID, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, errorf(CodeNotFound, nil, "no such credential")
	} else if err != nil {
		return nil, storeErr(err, "read issued credential")
	}
	v := is.issuanceView(t, *r)
	return &v, nil
}

func (is *Issuer) issuanceView(t *tenant, r Issuance) IssuanceView {
	return IssuanceView{
		ID: r.ID, OfferID: r.OfferID, GraduateID: r.GraduateID, ConfigurationID: r.ConfigurationID,
		Status: StatusName(r.Status), StatusList: t.issuerID + PathStatus + itoa(r.StatusList), StatusIndex: r.StatusIndex,
		WalletEvent: r.Event, IssuedAt: r.IssuedAt, UpdatedAt: r.UpdatedAt,
	}
}

// GraduateView is a graduate as the registrar sees it (the record itself is not repeated).
type GraduateView struct {
	ID   string `json:"graduate_id"`
	Name string `json:"name"`
	// NativeNames are the names the record gives in their own script, full name by
	// language tag (e.g. "ja": "佐藤 健二"); none when it gives none.
	NativeNames map[string]string `json:"native_names,omitempty"`
	Approved    bool              `json:"approved"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// NameIn is the name for a page in lang: the native name of that language (not a reading
// such as ja-Kana) followed by the Latin one, "佐藤 健二 (Kenji SATO)", when the record has
// it; else the Latin name.
func (g GraduateView) NameIn(lang string) string {
	if n := g.NativeNames[lang]; n != "" && n != g.Name {
		return n + " (" + g.Name + ")"
	}
	return g.Name
}

// nativeNames reads learner.native_names of a stored record; nil when there are none or the
// record cannot be read (the Latin name is always there).
func nativeNames(record []byte) map[string]string {
	var d struct {
		Learner struct {
			NativeNames []academic.PersonName `json:"native_names"`
		} `json:"learner"`
	}
	if json.Unmarshal(record, &d) != nil || len(d.Learner.NativeNames) == 0 {
		return nil
	}
	out := make(map[string]string, len(d.Learner.NativeNames))
	for _, n := range d.Learner.NativeNames {
		if _, seen := out[n.Lang]; !seen {
			out[n.Lang] = n.FullName()
		}
	}
	return out
}

// ListGraduates returns the tenant's graduates by id, after `after`.
func (is *Issuer) ListGraduates(ctx context.Context, tenantID, after string, limit int) ([]GraduateView, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	gs, err := is.st.ListGraduates(ctx, t.ID, after, pageSize(limit))
	if err != nil {
		return nil, storeErr(err, "list graduates")
	}
	out := make([]GraduateView, 0, len(gs))
	for _, g := range gs {
		out = append(out, GraduateView{ID: g.ID, Name: g.Name, NativeNames: nativeNames(g.Record), Approved: g.Approved, UpdatedAt: g.UpdatedAt})
	}
	return out, nil
}

// Graduate returns one graduate as the registrar sees it.
func (is *Issuer) Graduate(ctx context.Context, tenantID, graduateID string) (*GraduateView, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	g, err := is.st.Graduate(ctx, t.ID, graduateID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, errorf(CodeNotFound, nil, "no such graduate")
	} else if err != nil {
		return nil, storeErr(err, "read graduate")
	}
	return &GraduateView{ID: g.ID, Name: g.Name, NativeNames: nativeNames(g.Record), Approved: g.Approved, UpdatedAt: g.UpdatedAt}, nil
}

// ApproveGraduate records that the graduate's conferral is approved: deferred issuance for
// them completes at the wallet's next poll.
func (is *Issuer) ApproveGraduate(ctx context.Context, tenantID, graduateID string) error {
	t, err := is.tenant(tenantID)
	if err != nil {
		return err
	}
	now := is.cfg.Clock()
	err = is.st.ApproveGraduate(ctx, t.ID, graduateID, now, AuditEvent{Tenant: t.ID, At: now, Actor: "registrar", Action: "graduate_approved", Object: graduateID})
	if errors.Is(err, storeerr.ErrNotFound) {
		return errorf(CodeNotFound, nil, "no such graduate")
	} else if err != nil {
		return storeErr(err, "approve graduate")
	}
	return nil
}

// AuditLog returns the tenant's audit events, newest first.
func (is *Issuer) AuditLog(ctx context.Context, tenantID string, before time.Time, limit int) ([]AuditEvent, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	ev, err := is.st.AuditLog(ctx, t.ID, before, pageSize(limit))
	if err != nil {
		return nil, storeErr(err, "read audit log")
	}
	return ev, nil
}
