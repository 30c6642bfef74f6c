package issuer

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/url"
	"strconv"

	"github.com/hashi-vc/hashi/internal/storeerr"
)

// TokenRequest is the input of the token endpoint: the form parameters and the DPoP header
// values as received.
type TokenRequest struct {
	Form url.Values
	DPoP []string
}

// TokenResponse is the token endpoint's success response (RFC 6749 §5.1).
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"` // "DPoP" when bound to a DPoP key, else "Bearer"
	ExpiresIn   int    `json:"expires_in"`
}

// Token serves the token endpoint for the pre-authorized code grant (OpenID4VCI 1.0 §6):
// grant_type must be urn:ietf:params:oauth:grant-type:pre-authorized_code; the
// pre-authorized code must belong to a pending, unexpired offer of this tenant, and is single
// use; tx_code must be sent exactly when the offer asked for one and must match (compared in
// constant time) — each wrong value counts, and after Config.MaxTxCodeAttempts the offer
// locks for good. A DPoP proof (RFC 9449), when sent, is verified (htm POST, htu the token
// endpoint, iat window, jti never seen before) and binds the access token to its key;
// Config.RequireDPoP makes it mandatory. Parameters may not repeat; unknown parameters are
// ignored (RFC 6749 §3.2). Errors: invalid_request, unsupported_grant_type, invalid_grant,
// invalid_dpop_proof.
func (is *Issuer) Token(ctx context.Context, tenantID string, req TokenRequest) (*TokenResponse, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	for k, v := range req.Form {
		if len(v) > 1 {
			return nil, errorf(CodeInvalidRequest, nil, "parameter %s is repeated", k)
		}
	}
	switch gt := req.Form.Get("grant_type"); gt {
	case GrantPreAuthorizedCode:
	case "":
		return nil, errorf(CodeInvalidRequest, nil, "grant_type is missing")
	default:
		return nil, errorf(CodeUnsupportedGrantType, nil, "grant_type '%s' is not supported (only the pre-authorized code grant)", gt)
	}
	code := req.Form.Get("pre-authorized_code")
	if code == "" || len(code) > MaxIDLength {
		return nil, errorf(CodeInvalidRequest, nil, "pre-authorized_code is missing")
	}
	_, sentTx := req.Form["tx_code"]
	txCode := req.Form.Get("tx_code")

	now := is.cfg.Clock()
	jkt := ""
	var uses []SingleUse
	if len(req.DPoP) > 0 || is.cfg.RequireDPoP {
		var use SingleUse
		if jkt, use, err = is.verifyDPoP(req.DPoP, "POST", t.issuerID+PathToken, "", ""); err != nil {
			return nil, err
		}
		uses = append(uses, use)
	}
	access, err := is.randomString(32)
	if err != nil {
		return nil, err
	}
	tok := &AccessToken{Hash: tokenHash(access), Tenant: t.ID, JKT: jkt, IssuedAt: now, ExpiresAt: now.Add(is.cfg.TokenTTL)}
	maxAttempts := is.cfg.MaxTxCodeAttempts
	_, err = is.st.RedeemOffer(ctx, code, uses, now, func(o Offer) Redemption {
		keep := Redemption{State: o.State, TxCodeAttempts: o.TxCodeAttempts, RedeemedAt: o.RedeemedAt}
		fail := func(e error) Redemption { keep.Err = e; return keep }
		switch {
		case o.Tenant != t.ID:
			return fail(errorf(CodeInvalidGrant, nil, "the pre-authorized code is not valid at this issuer"))
		case o.State == OfferLocked:
			return fail(errorf(CodeInvalidGrant, nil, "the offer is locked after too many wrong transaction codes; ask the registrar for a new offer"))
		case o.State == OfferRedeemed:
			return fail(errorf(CodeInvalidGrant, nil, "the pre-authorized code has already been used"))
		case o.State != OfferPending:
			return fail(errorf(CodeInvalidGrant, nil, "the offer has been withdrawn"))
		case !now.Before(o.ExpiresAt):
			return fail(errorf(CodeInvalidGrant, nil, "the pre-authorized code has expired"))
		case o.TxCode != "" && !sentTx:
			return fail(errorf(CodeInvalidRequest, nil, "tx_code is required for this offer"))
		case o.TxCode == "" && sentTx:
			return fail(errorf(CodeInvalidRequest, nil, "tx_code was sent but this offer has none"))
		case o.TxCode != "" && subtle.ConstantTimeCompare([]byte(txCode), []byte(o.TxCode)) != 1:
			keep.TxCodeAttempts++
			left := maxAttempts - keep.TxCodeAttempts
			if left <= 0 {
				keep.State = OfferLocked
				keep.Audit = &AuditEvent{Tenant: t.ID, At: now, Actor: "wallet", Action: "offer_locked", Object: o.ID, Detail: "too many wrong tx_code values"}
				return fail(errorf(CodeInvalidGrant, nil, "wrong tx_code; the offer is now locked"))
			}
			return fail(errorf(CodeInvalidGrant, nil, "wrong tx_code (%s attempts left)", strconv.Itoa(left)))
		}
		at := *tok
		at.OfferID, at.ConfigurationIDs = o.ID, o.ConfigurationIDs
		return Redemption{State: OfferRedeemed, TxCodeAttempts: o.TxCodeAttempts, RedeemedAt: now, Token: &at,
			Audit: &AuditEvent{Tenant: t.ID, At: now, Actor: "wallet", Action: "offer_redeemed", Object: o.ID}}
	})
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, errorf(CodeInvalidGrant, nil, "the pre-authorized code is not valid")
	}
	if e := usedErr(err); e != nil {
		return nil, e
	}
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return nil, e
		}
		return nil, storeErr(err, "redeem offer")
	}
	typ := "Bearer"
	if jkt != "" {
		typ = "DPoP"
	}
	return &TokenResponse{AccessToken: access, TokenType: typ, ExpiresIn: int(is.cfg.TokenTTL.Seconds())}, nil
}
