package issuer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/storeerr"
)

// OfferRequest is the registrar's request for a credential offer (POST
// {credential_issuer}/admin/offers): one credential configuration and either a graduate
// already imported or the diploma record itself.
type OfferRequest struct {
	CredentialConfigurationID string          `json:"credential_configuration_id"`
	GraduateID                string          `json:"graduate_id,omitempty"`
	Claims                    json.RawMessage `json:"claims,omitempty"`
	// TxCode asks for a transaction code (PIN) the student must enter. Default: true.
	TxCode *bool `json:"tx_code,omitempty"`
}

// OfferResult is the answer to an OfferRequest.
type OfferResult struct {
	OfferID            string    `json:"offer_id"`
	Offer              string    `json:"offer"` // openid-credential-offer://?credential_offer_uri=...
	CredentialOfferURI string    `json:"credential_offer_uri"`
	TxCode             string    `json:"tx_code,omitempty"`
	ExpiresAt          time.Time `json:"expires_at"`
	Deferred           bool      `json:"deferred"` // the conferral is not approved yet
}

// CredentialOffer is the Credential Offer object (OpenID4VCI 1.0 §4.1.1).
type CredentialOffer struct {
	CredentialIssuer           string         `json:"credential_issuer"`
	CredentialConfigurationIDs []string       `json:"credential_configuration_ids"`
	Grants                     map[string]any `json:"grants"`
}

// TxCodeDescription is the tx_code description shown by wallets (at most 300 characters).
const TxCodeDescription = "The PIN your university gave you with this offer / 大学から通知されたPIN"

// CreateOffer creates a credential offer for one configuration: from an imported graduate's
// record, or from the record in req.Claims, which is validated against the academic model
// (CodeInvalidInput with every failing field named). The pre-authorized code is random
// (256 bits), the tx_code random digits. An offer for a graduate whose conferral is not yet
// approved yields deferred issuance.
func (is *Issuer) CreateOffer(ctx context.Context, tenantID string, req OfferRequest) (*OfferResult, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	return is.createOffer(ctx, t, req, "")
}

// createOffer is CreateOffer; reofferOf, when set, is the withdrawn offer this one replaces
// (named in the audit event).
func (is *Issuer) createOffer(ctx context.Context, t *tenant, req OfferRequest, reofferOf string) (*OfferResult, error) {
	var err error
	if _, ok := configuration(req.CredentialConfigurationID); !ok {
		return nil, invalidField("credential_configuration_id", "unknown", "is not one of this issuer's credential configurations", "この発行者の資格情報構成ではありません")
	}
	now := is.cfg.Clock()
	o := &Offer{
		Tenant:           t.ID,
		ConfigurationIDs: []string{req.CredentialConfigurationID},
		State:            OfferPending,
		CreatedAt:        now,
		ExpiresAt:        now.Add(is.cfg.OfferTTL),
	}
	switch {
	case req.GraduateID != "" && len(req.Claims) > 0:
		return nil, invalidField("graduate_id", "exclusive", "give graduate_id or claims, not both", "graduate_id と claims のどちらか一方を指定してください")
	case req.GraduateID != "":
		g, err := is.st.Graduate(ctx, t.ID, req.GraduateID)
		if errors.Is(err, storeerr.ErrNotFound) {
			return nil, invalidField("graduate_id", "unknown", "no graduate with this id has been imported", "このIDの卒業生は登録されていません")
		} else if err != nil {
			return nil, storeErr(err, "read graduate")
		}
		o.GraduateID, o.Record, o.Approved = g.ID, g.Record, g.Approved
	case len(req.Claims) > 0:
		d, err := academic.ParseDiplomaJSON(req.Claims)
		if err != nil {
			return nil, academicErr(err, "claims")
		}
		if o.Record, err = json.Marshal(d); err != nil {
			return nil, errorf(CodeInternal, err, "encode record")
		}
		o.Approved = true
	default:
		return nil, invalidField("graduate_id", "required", "give graduate_id or claims", "graduate_id または claims を指定してください")
	}
	if o.ID, err = is.randomString(16); err != nil {
		return nil, err
	}
	if o.PreAuthorizedCode, err = is.randomString(32); err != nil {
		return nil, err
	}
	if req.TxCode == nil || *req.TxCode {
		if o.TxCode, err = is.randomDigits(is.cfg.TxCodeLength); err != nil {
			return nil, err
		}
	}
	audit := AuditEvent{Tenant: t.ID, At: now, Actor: "registrar", Action: "offer_created", Object: o.ID, Detail: req.CredentialConfigurationID}
	if reofferOf != "" {
		audit.Detail += " re-offer of " + reofferOf
	}
	if err := is.st.CreateOffer(ctx, o, audit); err != nil {
		return nil, storeErr(err, "store offer")
	}
	return is.offerResult(t, o), nil
}

func (is *Issuer) offerResult(t *tenant, o *Offer) *OfferResult {
	uri := t.issuerID + PathOffers + o.ID
	return &OfferResult{
		OfferID:            o.ID,
		Offer:              "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(uri),
		CredentialOfferURI: uri,
		TxCode:             o.TxCode,
		ExpiresAt:          o.ExpiresAt,
		Deferred:           !o.Approved,
	}
}

// CredentialOffer returns the offer object served at credential_offer_uri. It may be fetched
// any number of times while the offer is pending and unexpired (some wallets fetch twice);
// afterwards it is CodeNotFound.
func (is *Issuer) CredentialOffer(ctx context.Context, tenantID, offerID string) (*CredentialOffer, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	o, err := is.st.Offer(ctx, t.ID, offerID)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, errorf(CodeNotFound, nil, "no such credential offer")
	} else if err != nil {
		return nil, storeErr(err, "read offer")
	}
	if o.State != OfferPending || !is.cfg.Clock().Before(o.ExpiresAt) {
		return nil, errorf(CodeNotFound, nil, "the credential offer is no longer available (%s)", offerStateWord(o, is.cfg.Clock()))
	}
	grant := map[string]any{"pre-authorized_code": o.PreAuthorizedCode}
	if o.TxCode != "" {
		grant["tx_code"] = map[string]any{"input_mode": "numeric", "length": len(o.TxCode), "description": TxCodeDescription}
	}
	return &CredentialOffer{
		CredentialIssuer:           t.issuerID,
		CredentialConfigurationIDs: o.ConfigurationIDs,
		Grants:                     map[string]any{GrantPreAuthorizedCode: grant},
	}, nil
}

func offerStateWord(o *Offer, now time.Time) string {
	if o.State == OfferPending && !now.Before(o.ExpiresAt) {
		return "expired"
	}
	return string(o.State)
}

func invalidField(path, rule, en, ja string) *Error {
	return &Error{
		Code:        CodeInvalidInput,
		Description: path + " " + en,
		Fields:      []academic.FieldError{{Path: path, Rule: rule, Message: en, MessageJA: ja}},
	}
}

// academicErr turns an academic validation error into CodeInvalidInput with every field,
// paths prefixed.
func academicErr(err error, prefix string) error {
	e, ok := errors.AsType[*academic.Error](err)
	if !ok {
		return errorf(CodeInvalidInput, err, "%s", prefix)
	}
	out := &Error{Code: CodeInvalidInput, Description: prefix + " do not describe a valid diploma", Err: err}
	for _, f := range e.Fields {
		f.Path = prefix + "." + f.Path
		out.Fields = append(out.Fields, f)
	}
	if len(out.Fields) == 0 {
		out.Fields = []academic.FieldError{{Path: prefix, Rule: "invalid", Message: e.Error(), MessageJA: "学位記の記録として無効です"}}
	}
	return out
}

// ImportResult is the outcome of one row of a graduate import.
type ImportResult struct {
	Row     int                   `json:"row"`
	ID      string                `json:"graduate_id,omitempty"`
	Outcome string                `json:"outcome"` // "created", "updated" or "rejected"
	Errors  []academic.FieldError `json:"errors,omitempty"`
}

// GraduateRow is one graduate to import: an id (the student number is a natural choice),
// the diploma record, and whether the conferral is approved (default true).
type GraduateRow struct {
	ID       string          `json:"graduate_id"`
	Record   json.RawMessage `json:"record"`
	Approved *bool           `json:"approved,omitempty"`
}

// ImportGraduates validates and stores each row on its own (a row is stored whole or not at
// all) and reports every row's outcome. It fails as a whole only when the store fails.
func (is *Issuer) ImportGraduates(ctx context.Context, tenantID string, rows []GraduateRow) ([]ImportResult, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	if len(rows) > MaxImportRows {
		return nil, errorf(CodeInvalidInput, nil, "%d rows, more than %d in one import", len(rows), MaxImportRows)
	}
	out := make([]ImportResult, 0, len(rows))
	for i, r := range rows {
		res := ImportResult{Row: i + 1, ID: r.ID}
		g, fields := is.graduateFromRow(t, r)
		if fields != nil {
			res.Outcome, res.Errors = "rejected", fields
			out = append(out, res)
			continue
		}
		now := is.cfg.Clock()
		g.CreatedAt, g.UpdatedAt = now, now
		created, err := is.st.UpsertGraduate(ctx, g, AuditEvent{Tenant: t.ID, At: now, Actor: "registrar", Action: "graduate_imported", Object: g.ID})
		if err != nil {
			return out, storeErr(err, "store graduate")
		}
		res.Outcome = "updated"
		if created {
			res.Outcome = "created"
		}
		out = append(out, res)
	}
	return out, nil
}

func (is *Issuer) graduateFromRow(t *tenant, r GraduateRow) (*Graduate, []academic.FieldError) {
	if !graduateIDRE.MatchString(r.ID) {
		return nil, []academic.FieldError{{Path: "graduate_id", Rule: "id", Message: "must be 1-64 letters, digits, '-', '_' or '.'", MessageJA: "1〜64文字の英数字・「-」「_」「.」で指定してください"}}
	}
	d, err := academic.ParseDiplomaJSON(bytes.TrimSpace(r.Record))
	if err != nil {
		if e, ok := errors.AsType[*Error](academicErr(err, "record")); ok {
			return nil, e.Fields
		}
		return nil, []academic.FieldError{{Path: "record", Rule: "invalid", Message: err.Error()}}
	}
	rec, err := json.Marshal(d)
	if err != nil {
		return nil, []academic.FieldError{{Path: "record", Rule: "invalid", Message: err.Error()}}
	}
	name := d.Learner.FamilyName
	if d.Learner.GivenName != "" {
		name = d.Learner.GivenName + " " + name
	}
	approved := r.Approved == nil || *r.Approved
	return &Graduate{Tenant: t.ID, ID: r.ID, Name: name, Record: rec, Approved: approved}, nil
}
