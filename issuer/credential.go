package issuer

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// Authorization is how a resource request (credential, deferred, notification) presents its
// access token: the Authorization header's scheme ("Bearer" or "DPoP") and token, and the
// DPoP header values.
type Authorization struct {
	Scheme string
	Token  string
	DPoP   []string
}

// CredentialResponse is the credential endpoint's response (OpenID4VCI 1.0 §8.3): issued
// credentials (HTTP 200) or a deferral (HTTP 202, TransactionID and Interval).
type CredentialResponse struct {
	Credentials    []IssuedCredential `json:"credentials,omitempty"`
	NotificationID string             `json:"notification_id,omitempty"`
	TransactionID  string             `json:"transaction_id,omitempty"`
	Interval       int                `json:"interval,omitempty"`
}

// IssuedCredential is one entry of "credentials".
type IssuedCredential struct {
	Credential string `json:"credential"`
}

// Deferred reports whether the response defers issuance (HTTP 202).
func (r *CredentialResponse) Deferred() bool { return r.TransactionID != "" }

// NonceResponse is the nonce endpoint's response (OpenID4VCI 1.0 §7.2).
type NonceResponse struct {
	CNonce string `json:"c_nonce"`
}

// Nonce issues a fresh c_nonce, valid for Config.NonceTTL and single use.
func (is *Issuer) Nonce(ctx context.Context, tenantID string) (*NonceResponse, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	n, err := is.mintNonce(ctx, t.ID, is.cfg.Clock().Add(is.cfg.NonceTTL))
	if err != nil {
		return nil, err
	}
	return &NonceResponse{CNonce: n}, nil
}

// credentialRequest is the credential request body (OpenID4VCI 1.0 §8.2).
type credentialRequest struct {
	CredentialConfigurationID *string         `json:"credential_configuration_id"`
	CredentialIdentifier      *string         `json:"credential_identifier"`
	Proofs                    *map[string]any `json:"proofs"`
	Proof                     any             `json:"proof"`
	ResponseEncryption        any             `json:"credential_response_encryption"`
}

// Credential serves the credential endpoint (OpenID4VCI 1.0 §8): it authenticates the access
// token (and its DPoP proof when the token is DPoP-bound), reads the request strictly,
// verifies every jwt proof (see verifyProof) and redeems their c_nonce once, and issues one
// credential per proven key (at most Config.BatchSize), each with its own status-list entry,
// recorded before it is signed. When the graduate's conferral is not approved yet, it defers
// (transaction_id). A token may obtain each of its credential configurations once. Request
// encryption is not offered, so credential_response_encryption is refused.
func (is *Issuer) Credential(ctx context.Context, tenantID string, auth Authorization, body []byte) (*CredentialResponse, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	tok, uses, err := is.authenticate(ctx, t, auth, t.issuerID+PathCredential, false)
	if err != nil {
		return nil, err
	}
	var req credentialRequest
	if err := jose.DecodeJSON(body, &req); err != nil {
		return nil, errorf(CodeInvalidCredentialRequest, err, "the request body is not a JSON object")
	}
	switch {
	case req.ResponseEncryption != nil:
		return nil, errorf(CodeInvalidEncryptionParameters, nil, "credential response encryption is not supported by this issuer")
	case req.CredentialIdentifier != nil:
		return nil, errorf(CodeUnknownCredentialIdentifier, nil, "this issuer issues by credential_configuration_id, not credential_identifier")
	case req.CredentialConfigurationID == nil:
		return nil, errorf(CodeInvalidCredentialRequest, nil, "credential_configuration_id is required")
	}
	cfgID := *req.CredentialConfigurationID
	conf, ok := configuration(cfgID)
	if !ok {
		return nil, errorf(CodeUnknownCredentialConfiguration, nil, "unknown credential configuration '%s'", cfgID)
	}
	if !slices.Contains(tok.ConfigurationIDs, cfgID) {
		// §8.3.1: an access token that does not enable this credential is an authorization
		// error (RFC 6750 §3.1).
		return nil, errorf(CodeInsufficientScope, nil, "the access token does not grant '%s'", cfgID)
	}
	keys, nonces, err := is.checkProofs(ctx, t, req.Proofs)
	if err != nil {
		return nil, err
	}
	uses = append(uses, nonces...)
	o, err := is.st.Offer(ctx, t.ID, tok.OfferID)
	if err != nil {
		return nil, storeErr(err, "read offer")
	}
	approved, err := is.approved(ctx, o)
	if err != nil {
		return nil, err
	}
	now := is.cfg.Clock()
	if !approved {
		return is.deferIssuance(ctx, t, tok, o, cfgID, keys, uses, now)
	}
	return is.issue(ctx, t, tok, o, conf, keys, "", uses, now)
}

// usedErr maps a replayed single-use value to the protocol error, or returns nil.
func usedErr(err error) *Error {
	u, ok := errors.AsType[*UsedError](err)
	if !ok {
		return nil
	}
	switch {
	case u.Kind == UseCNonce && u.Expired:
		return errorf(CodeInvalidNonce, nil, "c_nonce has expired; get a fresh one from the nonce endpoint")
	case u.Kind == UseCNonce:
		return errorf(CodeInvalidNonce, nil, "c_nonce has already been used; get a fresh one from the nonce endpoint")
	case u.Expired:
		return errorf(CodeInvalidDPoPProof, nil, "DPoP proof: expired while the request was processed; send a fresh one")
	}
	return errorf(CodeInvalidDPoPProof, nil, "DPoP proof: replayed (jti already used)")
}

// approved reports whether the offer's credentials may be issued now: offers made from
// claims are; offers for a graduate follow the graduate's current approval.
func (is *Issuer) approved(ctx context.Context, o *Offer) (bool, error) {
	if o.GraduateID == "" {
		return true, nil // claims given with the offer: the registrar vouched for them then
	}
	// The graduate's approval now, not when the offer was made: a registrar who sets it
	// back (re-imports the graduate unapproved) holds issuance from then on.
	g, err := is.st.Graduate(ctx, o.Tenant, o.GraduateID)
	if err != nil {
		return false, storeErr(err, "read graduate")
	}
	return g.Approved, nil
}

// checkProofs verifies proofs.jwt and their c_nonce values; it returns the proven keys and
// the nonce uses to record with the issuance.
func (is *Issuer) checkProofs(ctx context.Context, t *tenant, proofs *map[string]any) ([]crypto.PublicKey, []SingleUse, error) {
	if proofs == nil {
		return nil, nil, errorf(CodeInvalidProof, nil, `"proofs" is required: one jwt proof per credential`)
	}
	if len(*proofs) != 1 {
		return nil, nil, errorf(CodeInvalidCredentialRequest, nil, `"proofs" must have exactly one proof type`)
	}
	raw, ok := (*proofs)["jwt"]
	if !ok {
		return nil, nil, errorf(CodeInvalidProof, nil, "only jwt proofs are supported")
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, nil, errorf(CodeInvalidProof, nil, "proofs.jwt must be a non-empty array")
	}
	if len(list) > is.cfg.BatchSize || len(list) > MaxProofs {
		return nil, nil, errorf(CodeInvalidCredentialRequest, nil, "%d proofs, more than the batch size %d", len(list), is.cfg.BatchSize)
	}
	now := is.cfg.Clock()
	var keys []crypto.PublicKey
	seen := map[string]bool{}
	var nonces []string
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, nil, errorf(CodeInvalidProof, nil, "proofs.jwt[%d] is not a string", i)
		}
		p, err := is.verifyProof(s, t.issuerID, now)
		if err != nil {
			return nil, nil, prefixDescription(err, "proofs.jwt["+strconv.Itoa(i)+"]: ")
		}
		if seen[p.jkt] {
			return nil, nil, errorf(CodeInvalidProof, nil, "proofs.jwt[%d] proves a key already proven: one credential per key", i)
		}
		seen[p.jkt] = true
		if !slices.Contains(nonces, p.nonce) {
			nonces = append(nonces, p.nonce)
		}
		keys = append(keys, p.key)
	}
	uses := make([]SingleUse, 0, len(nonces))
	for _, n := range nonces {
		u, err := is.checkNonce(ctx, t.ID, n, now)
		if err != nil {
			return nil, nil, err
		}
		uses = append(uses, u)
	}
	return keys, uses, nil
}

func prefixDescription(err error, prefix string) error {
	if e, ok := errors.AsType[*Error](err); ok {
		c := *e
		c.Description = prefix + c.Description
		return &c
	}
	return err
}

// deferIssuance records a deferred transaction for the proven keys.
func (is *Issuer) deferIssuance(ctx context.Context, t *tenant, tok *AccessToken, o *Offer, cfgID string, keys []crypto.PublicKey, uses []SingleUse, now time.Time) (*CredentialResponse, error) {
	d := &Deferred{Tenant: t.ID, TokenHash: tok.Hash, OfferID: o.ID, ConfigurationID: cfgID, CreatedAt: now, ExpiresAt: now.Add(is.cfg.DeferredTTL)}
	var err error
	if d.TransactionID, err = is.randomString(24); err != nil {
		return nil, err
	}
	for _, k := range keys {
		b, err := jose.MarshalPublicJWK(k, "")
		if err != nil {
			return nil, errorf(CodeInternal, err, "encode holder key")
		}
		d.HolderKeys = append(d.HolderKeys, b)
	}
	audit := AuditEvent{Tenant: t.ID, At: now, Actor: "wallet", Action: "issuance_deferred", Object: o.ID, Detail: cfgID}
	if err := is.st.CreateDeferred(ctx, d, uses, now, audit); err != nil {
		if e := usedErr(err); e != nil {
			return nil, e
		}
		return nil, storeErr(err, "store deferred transaction")
	}
	return &CredentialResponse{TransactionID: d.TransactionID, Interval: int(is.cfg.DeferredInterval.Seconds())}, nil
}

// DeferredCredential serves the deferred credential endpoint (OpenID4VCI 1.0 §9): with the
// same access token, {"transaction_id"} yields the credentials once the conferral is
// approved (the transaction then ends), or the same transaction_id and interval again.
func (is *Issuer) DeferredCredential(ctx context.Context, tenantID string, auth Authorization, body []byte) (*CredentialResponse, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	tok, _, err := is.authenticate(ctx, t, auth, t.issuerID+PathDeferredCredential, true)
	if err != nil {
		return nil, err
	}
	var req struct {
		TransactionID *string `json:"transaction_id"`
		Encryption    any     `json:"credential_response_encryption"`
	}
	if err := jose.DecodeJSON(body, &req); err != nil || req.TransactionID == nil {
		return nil, errorf(CodeInvalidCredentialRequest, err, "a JSON object with transaction_id is required")
	}
	if req.Encryption != nil {
		return nil, errorf(CodeInvalidEncryptionParameters, nil, "credential response encryption is not supported by this issuer")
	}
	now := is.cfg.Clock()
	d, err := is.st.Deferred(ctx, *req.TransactionID)
	if errors.Is(err, storeerr.ErrNotFound) || (err == nil && (d.Tenant != t.ID || d.TokenHash != tok.Hash || !now.Before(d.ExpiresAt))) {
		return nil, errorf(CodeInvalidTransactionID, nil, "unknown or expired transaction_id")
	} else if err != nil {
		return nil, storeErr(err, "read deferred transaction")
	}
	o, err := is.st.Offer(ctx, t.ID, d.OfferID)
	if err != nil {
		return nil, storeErr(err, "read offer")
	}
	approved, err := is.approved(ctx, o)
	if err != nil {
		return nil, err
	}
	if !approved {
		return &CredentialResponse{TransactionID: d.TransactionID, Interval: int(is.cfg.DeferredInterval.Seconds())}, nil
	}
	conf, ok := configuration(d.ConfigurationID)
	if !ok {
		return nil, errorf(CodeInternal, nil, "deferred configuration %q no longer exists", d.ConfigurationID)
	}
	keys := make([]crypto.PublicKey, 0, len(d.HolderKeys))
	for _, b := range d.HolderKeys {
		k, err := jose.ParsePublicJWK(b)
		if err != nil {
			return nil, errorf(CodeInternal, err, "stored holder key")
		}
		keys = append(keys, k)
	}
	return is.issue(ctx, t, tok, o, conf, keys, d.TransactionID, nil, now)
}

// issue records and signs one credential per key.
func (is *Issuer) issue(ctx context.Context, t *tenant, tok *AccessToken, o *Offer, conf Configuration, keys []crypto.PublicKey, deferredID string, uses []SingleUse, now time.Time) (*CredentialResponse, error) {
	var rec academic.Diploma
	if err := json.Unmarshal(o.Record, &rec); err != nil {
		return nil, errorf(CodeInternal, err, "stored record")
	}
	notificationID, err := is.randomString(16)
	if err != nil {
		return nil, err
	}
	recs := make([]Issuance, len(keys))
	for i, k := range keys {
		id, err := is.randomString(16)
		if err != nil {
			return nil, err
		}
		jkt, err := jose.Thumbprint(k)
		if err != nil {
			return nil, errorf(CodeInvalidProof, err, "holder key")
		}
		recs[i] = Issuance{ID: id, Tenant: t.ID, OfferID: o.ID, GraduateID: o.GraduateID, ConfigurationID: conf.ID,
			Status: statuslist.Valid, NotificationID: notificationID, HolderJKT: jkt, IssuedAt: now, UpdatedAt: now}
	}
	audit := AuditEvent{Tenant: t.ID, At: now, Actor: "wallet", Action: "credential_issued", Object: o.ID, Detail: conf.ID + " ×" + strconv.Itoa(len(keys))}
	err = is.st.RecordIssuance(ctx, tok.Hash, deferredID, uses, now, recs, is.cfg.StatusListSize, audit)
	if e := usedErr(err); e != nil {
		return nil, e
	}
	switch {
	case errors.Is(err, storeerr.ErrConflict) && deferredID == "":
		return is.redeliver(ctx, t, o, conf, rec, keys, uses, now)
	case errors.Is(err, storeerr.ErrNotFound) && deferredID != "":
		return nil, errorf(CodeInvalidTransactionID, nil, "the transaction has already been completed")
	case err != nil:
		return nil, storeErr(err, "record issuance")
	}
	out := &CredentialResponse{NotificationID: notificationID}
	for i, k := range keys {
		ref := statuslist.Reference{Idx: recs[i].StatusIndex, URI: t.issuerID + PathStatus + strconv.Itoa(recs[i].StatusList)}
		c, err := is.sign(t, conf, rec, k, recs[i].ID, ref, now)
		if err != nil {
			return nil, err
		}
		out.Credentials = append(out.Credentials, IssuedCredential{Credential: c})
	}
	return out, nil
}

// redeliver answers a credential request for a configuration this access token has already
// been issued: a wallet whose response was lost (a dropped connection, a crash after the
// commit) asks again. When the request proves possession of exactly the holder keys the
// credentials were issued to, the recorded credentials (same ids, status entries and
// issuance time) are signed again and returned, and the request's c_nonce and DPoP jti are
// spent; anything else is credential_request_denied. Nothing new is recorded: the status
// list and the registrar's list still show one issuance per key.
func (is *Issuer) redeliver(ctx context.Context, t *tenant, o *Offer, conf Configuration, rec academic.Diploma, keys []crypto.PublicKey, uses []SingleUse, now time.Time) (*CredentialResponse, error) {
	denied := errorf(CodeCredentialRequestDenied, nil, "the credential '%s' has already been issued for this access token, to other holder keys", conf.ID)
	issued, err := is.st.ListIssuances(ctx, t.ID, o.ID, time.Time{}, MaxProofs+1)
	if err != nil {
		return nil, storeErr(err, "read issued credentials")
	}
	byJKT := map[string]Issuance{}
	for _, r := range issued {
		if r.ConfigurationID == conf.ID {
			byJKT[r.HolderJKT] = r
		}
	}
	if len(byJKT) != len(keys) {
		return nil, denied
	}
	recs := make([]Issuance, len(keys))
	for i, k := range keys {
		jkt, err := jose.Thumbprint(k)
		if err != nil {
			return nil, errorf(CodeInvalidProof, err, "holder key")
		}
		r, ok := byJKT[jkt]
		if !ok || r.Status == statuslist.Invalid {
			return nil, denied
		}
		recs[i] = r
	}
	audit := AuditEvent{Tenant: t.ID, At: now, Actor: "wallet", Action: "credential_redelivered", Object: o.ID, Detail: conf.ID + " ×" + strconv.Itoa(len(keys))}
	if err := is.st.Remember(ctx, uses, now, &audit); err != nil {
		if e := usedErr(err); e != nil {
			return nil, e
		}
		return nil, storeErr(err, "record single-use values")
	}
	out := &CredentialResponse{NotificationID: recs[0].NotificationID}
	for i, k := range keys {
		ref := statuslist.Reference{Idx: recs[i].StatusIndex, URI: t.issuerID + PathStatus + strconv.Itoa(recs[i].StatusList)}
		c, err := is.sign(t, conf, rec, k, recs[i].ID, ref, recs[i].IssuedAt)
		if err != nil {
			return nil, err
		}
		out.Credentials = append(out.Credentials, IssuedCredential{Credential: c})
	}
	return out, nil
}

// sign builds and signs one credential of configuration conf.
func (is *Issuer) sign(t *tenant, conf Configuration, d academic.Diploma, holder crypto.PublicKey, id string, ref statuslist.Reference, now time.Time) (string, error) {
	fail := func(err error) (string, error) { return "", errorf(CodeInternal, err, "build %s credential", conf.ID) }
	if conf.Format == FormatJWTVCJSON {
		did, err := vcjwt.DIDJWK(holder)
		if err != nil {
			return fail(err)
		}
		vc, err := d.VCDM11(academic.VCDM11Options{IssuerID: t.issuerID, SubjectID: did, CredentialID: "urn:hashi:credential:" + id, IssuanceDate: now})
		if err != nil {
			return fail(err)
		}
		c, err := vcjwt.Issue(t.vcjwt, vc, vcjwt.IssueOptions{IssuedAt: now, Confirmation: holder, Status: &ref})
		if err != nil {
			return fail(err)
		}
		return c, nil
	}
	var cs academic.ClaimSet
	var err error
	if conf.VCT == academic.VCTLearningCredential {
		cs, err = d.LearningCredentialClaims(academic.LearningCredentialOptions{IssuanceDate: now})
	} else {
		cs, err = d.HashiDiplomaClaims()
	}
	if err != nil {
		return fail(err)
	}
	jwk, err := jose.PublicJWK(holder)
	if err != nil {
		return fail(err)
	}
	claims := cs.Claims
	claims["iss"], claims["vct"], claims["iat"] = t.issuerID, cs.VCT, now.Unix()
	claims["cnf"] = map[string]any{"jwk": jwk}
	claims["status"] = map[string]any{"status_list": map[string]any{"idx": ref.Idx, "uri": ref.URI}}
	if is.cfg.CredentialTTL > 0 {
		claims["exp"] = now.Add(is.cfg.CredentialTTL).Unix()
	}
	paths := make([]sdjwt.Path, len(cs.Disclosable))
	for i, p := range cs.Disclosable {
		paths[i] = sdjwt.Path(p)
	}
	c, err := t.sdjwt.Issue(claims, paths)
	if err != nil {
		return fail(err)
	}
	return c, nil
}

// NotificationRequest is the notification endpoint's body (OpenID4VCI 1.0 §11.1).
type NotificationRequest struct {
	NotificationID   *string `json:"notification_id"`
	Event            *string `json:"event"`
	EventDescription *string `json:"event_description"`
}

// Notification serves the notification endpoint: the event must be credential_accepted,
// credential_failure or credential_deleted and the notification_id one this token received.
// Repeating a notification is harmless (idempotent).
func (is *Issuer) Notification(ctx context.Context, tenantID string, auth Authorization, body []byte) error {
	t, err := is.tenant(tenantID)
	if err != nil {
		return err
	}
	tok, _, err := is.authenticate(ctx, t, auth, t.issuerID+PathNotification, true)
	if err != nil {
		return err
	}
	var req NotificationRequest
	if err := jose.DecodeJSON(body, &req); err != nil || req.NotificationID == nil || req.Event == nil {
		return errorf(CodeInvalidNotificationRequest, err, "notification_id and event are required")
	}
	switch *req.Event {
	case "credential_accepted", "credential_failure", "credential_deleted":
	default:
		return errorf(CodeInvalidNotificationRequest, nil, "unknown event '%s'", *req.Event)
	}
	if len(*req.NotificationID) > MaxIDLength {
		return errorf(CodeInvalidNotificationID, nil, "unknown notification_id")
	}
	now := is.cfg.Clock()
	audit := AuditEvent{Tenant: t.ID, At: now, Actor: "wallet", Action: "notification", Object: *req.NotificationID, Detail: *req.Event}
	if err := is.st.Notify(ctx, t.ID, tok.OfferID, *req.NotificationID, *req.Event, now, audit); errors.Is(err, storeerr.ErrNotFound) {
		return errorf(CodeInvalidNotificationID, nil, "unknown notification_id")
	} else if err != nil {
		return storeErr(err, "record notification")
	}
	return nil
}

// authenticate checks the access token of a resource request: known, of this tenant,
// unexpired; a DPoP-bound token must come with scheme DPoP and a valid DPoP proof for this
// request whose key is the bound one (and ath its hash); a Bearer token with scheme Bearer.
// The DPoP proof's jti is returned as a SingleUse for the request's own write transaction,
// or, with remember, recorded at once (requests that write nothing else).
func (is *Issuer) authenticate(ctx context.Context, t *tenant, auth Authorization, url string, remember bool) (*AccessToken, []SingleUse, error) {
	if auth.Token == "" || len(auth.Token) > MaxIDLength {
		return nil, nil, errorf(CodeInvalidToken, nil, "an access token is required")
	}
	tok, err := is.st.AccessToken(ctx, tokenHash(auth.Token))
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, nil, errorf(CodeInvalidToken, nil, "the access token is not valid")
	} else if err != nil {
		return nil, nil, storeErr(err, "read access token")
	}
	now := is.cfg.Clock()
	if tok.Tenant != t.ID || !now.Before(tok.ExpiresAt) {
		return nil, nil, errorf(CodeInvalidToken, nil, "the access token is not valid or has expired")
	}
	switch {
	case tok.JKT != "" && auth.Scheme != "DPoP":
		return nil, nil, errorf(CodeInvalidToken, nil, "the access token is DPoP-bound: use the DPoP authorization scheme")
	case tok.JKT == "" && auth.Scheme != "Bearer":
		return nil, nil, errorf(CodeInvalidToken, nil, "the access token is a Bearer token")
	case tok.JKT != "":
		_, use, err := is.verifyDPoP(auth.DPoP, "POST", url, auth.Token, tok.JKT)
		if err != nil {
			return nil, nil, err
		}
		if !remember {
			return tok, []SingleUse{use}, nil
		}
		if err := is.st.Remember(ctx, []SingleUse{use}, now, nil); err != nil {
			if e := usedErr(err); e != nil {
				return nil, nil, e
			}
			return nil, nil, storeErr(err, "record DPoP jti")
		}
	}
	return tok, nil, nil
}
