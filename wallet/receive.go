package wallet

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// Receipt is what Receive or PollDeferred brought in.
type Receipt struct {
	// Credentials were verified and stored.
	Credentials []Credential
	// Pending are deferred issuances the wallet must poll with PollDeferred.
	Pending []PendingIssuance
}

// session is one OpenID4VCI exchange: a DPoP key, its last server nonce and the token.
// Each request reads the clock (an exchange with retries and deferred answers outlasts the
// proofs' time windows).
type session struct {
	w           *Wallet
	dpopKey     *ecdsa.PrivateKey
	prover      *dpop.Prover
	dpopNonce   string
	accessToken string
	tokenType   string
	issuer      string
}

func newSession(w *Wallet, key *ecdsa.PrivateKey, issuer string) (*session, error) {
	p, err := dpop.NewProver(key)
	if err != nil {
		return nil, errorf(CodeInternal, err, "DPoP prover")
	}
	return &session{w: w, dpopKey: key, prover: p, issuer: issuer}, nil
}

type oauthError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func oauthErrorOf(resp *safehttp.Response) string {
	var e oauthError
	_ = json.Unmarshal(resp.Body, &e)
	if e.Error == "" && strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="use_dpop_nonce"`) {
		return dpop.OAuthUseDPoPNonce
	}
	return e.Error
}

// send makes one DPoP-protected request, retrying once when the server asks for a (new)
// DPoP nonce (RFC 9449 §8, §9). body is url.Values (form), nil (empty POST) or a value to
// encode as JSON.
func (s *session) send(ctx context.Context, endpoint string, body any, limit int64) (*safehttp.Response, error) {
	for attempt := 0; ; attempt++ {
		now, err := s.w.clock()
		if err != nil {
			return nil, err
		}
		opts := dpop.ProofOptions{IssuedAt: now, Nonce: s.dpopNonce}
		h := http.Header{}
		if s.accessToken != "" {
			opts.AccessToken = s.accessToken
			h.Set("Authorization", s.tokenType+" "+s.accessToken)
		}
		proof, err := s.prover.Proof(http.MethodPost, endpoint, opts)
		if err != nil {
			return nil, errorf(CodeInternal, err, "DPoP proof")
		}
		h.Set(dpop.HeaderName, proof)
		var resp *safehttp.Response
		if form, ok := body.(url.Values); ok {
			resp, err = s.w.client.PostForm(ctx, endpoint, form, h, safehttp.MaxBody(limit))
		} else {
			resp, err = s.w.client.PostJSON(ctx, endpoint, body, h, safehttp.MaxBody(limit))
		}
		if err != nil {
			return nil, fetchErr(err, "post to "+endpoint)
		}
		if n, ok := dpop.ResponseNonce(resp.Header.Values(dpop.NonceHeaderName)); ok {
			changed := n != s.dpopNonce
			s.dpopNonce = n
			if attempt == 0 && changed && (resp.StatusCode == 400 || resp.StatusCode == 401) && oauthErrorOf(resp) == dpop.OAuthUseDPoPNonce {
				continue
			}
		}
		return resp, nil
	}
}

func checkTxCode(tc *TxCode, code string) error {
	if tc == nil {
		return nil
	}
	if code == "" {
		return errorf(CodeTxCodeRequired, nil, "the offer asks for a transaction code")
	}
	if len(code) > MaxTxCodeLength || tc.Length > 0 && len([]rune(code)) != tc.Length {
		return errorf(CodeInvalidTxCode, nil, "transaction code of the wrong length")
	}
	if tc.InputMode == "numeric" || tc.InputMode == "" {
		for _, r := range code {
			if r < '0' || r > '9' {
				return errorf(CodeInvalidTxCode, nil, "the transaction code must be digits")
			}
		}
	}
	return nil
}

type tokenResponse struct {
	AccessToken          string `json:"access_token"`
	TokenType            string `json:"token_type"`
	AuthorizationDetails []struct {
		Type                      string   `json:"type"`
		CredentialConfigurationID string   `json:"credential_configuration_id"`
		CredentialIdentifiers     []string `json:"credential_identifiers"`
	} `json:"authorization_details"`
}

// Receive redeems a resolved offer for owner (OpenID4VCI 1.0, pre-authorized code flow):
//   - the token request with the pre-authorized code and, exactly when the offer asks for
//     one, txCode (checked first against the announced input mode and length: CodeTxCodeRequired,
//     CodeInvalidTxCode), DPoP-bound with a fresh P-256 key for this receipt, retrying once on
//     use_dpop_nonce;
//   - per offered configuration: a c_nonce from the nonce endpoint (when there is one), a
//     fresh ES256 holder key per requested credential (a batch of WithBatchSize when the
//     issuer supports batches) with an openid4vci-proof+jwt proof (aud = credential issuer,
//     iat, nonce), the credential request (credential_identifier when the token response
//     names one), retrying once with a new c_nonce on invalid_nonce;
//   - each credential is verified BEFORE anything is stored: signature with the x5c leaf
//     (SD-JWT VC: sdjwt VerifyVC without key binding; jwt_vc_json: vcjwt.Verify), validity
//     at now, the offered vct or types, iss equal to the credential issuer (SD-JWT VC), and
//     cnf equal to a holder key this receipt generated (each key used once);
//   - the issuer's chain is looked up in the issuer trust lists: an unlisted issuer is
//     stored with a TrustSummary saying so (Message shows the warning);
//   - all credentials of the receipt are stored in one SaveCredentials call, and deferred
//     ones (202 with transaction_id) as PendingIssuance;
//   - credential_accepted (or, when verification fails, credential_failure) is sent to the
//     notification endpoint, best effort.
//
// It does not support the authorization code flow, wallet or key attestations, encrypted
// credential requests or responses, or signed issuer metadata; it does not check the
// status list of a received credential.
func (w *Wallet) Receive(ctx context.Context, owner string, o *Offer, txCode string) (*Receipt, error) {
	var now time.Time // read where it is used
	if o == nil || o.PreAuthorizedCode == nil || o.Metadata == nil || o.CredentialOffer == nil {
		return nil, errorf(CodeUnsupportedOffer, nil, "not a resolved offer with a pre-authorized code")
	}
	if err := checkTxCode(o.PreAuthorizedCode.TxCode, txCode); err != nil {
		return nil, err
	}
	dkey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, errorf(CodeInternal, err, "DPoP key")
	}
	s, err := newSession(w, dkey, o.CredentialOffer.CredentialIssuer)
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {GrantPreAuthorizedCode}, "pre-authorized_code": {o.PreAuthorizedCode.PreAuthorizedCode}}
	if o.PreAuthorizedCode.TxCode != nil {
		form.Set("tx_code", txCode)
	}
	resp, err := s.send(ctx, o.TokenEndpoint, form, MaxReplySize)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != 200 {
		return nil, errorf(CodeTokenRejected, nil, "token endpoint: %d %s", resp.StatusCode, oauthErrorOf(resp))
	}
	var tr tokenResponse
	if err := jose.DecodeJSON(resp.Body, &tr); err != nil || tr.AccessToken == "" {
		return nil, errorf(CodeIssuanceFailed, err, "token response without access_token")
	}
	switch {
	case strings.EqualFold(tr.TokenType, dpop.Scheme):
		s.tokenType = dpop.Scheme
	case strings.EqualFold(tr.TokenType, "Bearer"):
		s.tokenType = "Bearer"
	default:
		return nil, errorf(CodeIssuanceFailed, nil, "token_type %q", tr.TokenType)
	}
	s.accessToken = tr.AccessToken
	// The offer is redeemed: from here the issuer hands over and records credentials, and a
	// student who closes the tab must not lose them, so the rest runs to its end (every
	// request is bounded by the client's own time limits).
	ctx = context.WithoutCancel(ctx)

	rec := &Receipt{}
	var cNonce string
	for _, id := range o.CredentialOffer.CredentialConfigurationIDs {
		conf := o.Configurations[id]
		req := map[string]any{"credential_configuration_id": id}
		for _, ad := range tr.AuthorizationDetails {
			if ad.CredentialConfigurationID == id && len(ad.CredentialIdentifiers) > 0 {
				req = map[string]any{"credential_identifier": ad.CredentialIdentifiers[0]}
			}
		}
		binding := conf.ProofTypesSupported != nil
		n := 0
		if binding {
			n = 1
			if b := o.Metadata.BatchCredentialIssuance; b != nil && b.BatchSize >= 2 {
				n = min(w.cfg.batchSize, b.BatchSize)
			}
		}
		keys := make([]*ecdsa.PrivateKey, n)
		for i := range keys {
			if keys[i], err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
				return nil, errorf(CodeInternal, err, "holder key")
			}
		}
		var cr *credentialResponse
		for attempt := 0; attempt < 2; attempt++ {
			if binding {
				if cNonce == "" || attempt > 0 {
					if cNonce, err = s.nonce(ctx, o.Metadata.NonceEndpoint); err != nil {
						return nil, err
					}
				}
				proofs := make([]string, len(keys))
				if now, err = w.clock(); err != nil {
					return nil, err
				}
				for i, k := range keys {
					if proofs[i], err = proofJWT(k, o.CredentialOffer.CredentialIssuer, cNonce, now); err != nil {
						return nil, err
					}
				}
				req["proofs"] = map[string]any{"jwt": proofs}
			}
			// Asked again, with a fresh c_nonce and the same holder keys, after an invalid
			// nonce or when no answer came: an issuer that recorded the credential before the
			// answer was lost hands the same one over again (hashi's issuer does).
			cr, err = s.credentialRequest(ctx, o.Metadata.CredentialEndpoint, req)
			if err == nil || !binding || !(cr.invalidNonce || cr.retry) {
				break
			}
		}
		if err != nil {
			return nil, err
		}
		expect := expectation{format: conf.Format, vct: conf.VCT, issuer: o.CredentialOffer.CredentialIssuer, configurationID: id}
		if conf.CredentialDefinition != nil {
			expect.types = conf.CredentialDefinition.Type
		}
		display := displayFor(conf, o.Metadata)
		if now, err = w.clock(); err != nil { // the answer is judged when it came
			return nil, err
		}
		if cr.TransactionID != "" {
			p, err := w.pending(owner, o, id, expect, s, keys, cr, display, now)
			if err != nil {
				return nil, err
			}
			if err := w.store.PutPending(ctx, *p); err != nil {
				return nil, storeErr(err, "store pending issuance")
			}
			rec.Pending = append(rec.Pending, *p)
			continue
		}
		nt := notification{o.Metadata.NotificationEndpoint, cr.NotificationID}
		creds, err := w.verifyAll(ctx, owner, cr.credentials, expect, keys, display, now)
		if err != nil {
			s.notify(ctx, nt, "credential_failure")
			return nil, err
		}
		// Each configuration's credentials are kept as soon as they are verified, so a
		// later configuration's failure cannot discard them.
		if err := w.store.SaveCredentials(ctx, owner, creds, ""); err != nil {
			return nil, storeErr(err, "store credentials")
		}
		rec.Credentials = append(rec.Credentials, creds...)
		s.notify(ctx, nt, "credential_accepted")
	}
	return rec, nil
}

type notification struct{ endpoint, id string }

// notify sends a notification event (§11) when the issuer gave a notification_id and has
// an endpoint; failures are ignored (best effort).
func (s *session) notify(ctx context.Context, n notification, event string) {
	if n.id == "" || n.endpoint == "" {
		return
	}
	_, _ = s.send(ctx, n.endpoint, map[string]string{"notification_id": n.id, "event": event}, MaxReplySize)
}

func (s *session) nonce(ctx context.Context, endpoint string) (string, error) {
	if endpoint == "" {
		return "", nil
	}
	resp, err := s.w.client.PostJSON(ctx, endpoint, nil, nil, safehttp.MaxBody(MaxReplySize))
	if err != nil {
		return "", fetchErr(err, "nonce endpoint")
	}
	if n, ok := dpop.ResponseNonce(resp.Header.Values(dpop.NonceHeaderName)); ok {
		s.dpopNonce = n
	}
	var nr struct {
		CNonce string `json:"c_nonce"`
	}
	if resp.StatusCode != 200 || jose.DecodeJSON(resp.Body, &nr) != nil || nr.CNonce == "" {
		return "", errorf(CodeIssuanceFailed, nil, "nonce endpoint: status %d", resp.StatusCode)
	}
	return nr.CNonce, nil
}

func proofJWT(key *ecdsa.PrivateKey, aud, nonce string, now time.Time) (string, error) {
	claims := map[string]any{"aud": aud, "iat": now.Unix()}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	b, err := json.Marshal(claims)
	if err != nil {
		return "", errorf(CodeInternal, err, "proof claims")
	}
	p, err := jose.Sign(key, jose.SignHeader{Typ: ProofTypeJWT, JWK: key.Public()}, b)
	if err != nil {
		return "", errorf(CodeInternal, err, "sign proof")
	}
	return p, nil
}

type credentialResponse struct {
	Credentials []struct {
		Credential json.RawMessage `json:"credential"`
	} `json:"credentials"`
	TransactionID  string  `json:"transaction_id"`
	Interval       float64 `json:"interval"` // seconds, "a positive number" (§8.3)
	NotificationID string  `json:"notification_id"`

	credentials  []string
	invalidNonce bool
	// retry: no answer came, or a server error (5xx): the issuer may have recorded the
	// credential, and asking again with the same holder keys gets it (see Receive).
	retry bool
}

func (s *session) credentialRequest(ctx context.Context, endpoint string, req any) (*credentialResponse, error) {
	resp, err := s.send(ctx, endpoint, req, MaxCredentialResponseSize)
	if err != nil {
		return &credentialResponse{retry: CodeOf(err) == CodeUnreachable}, err
	}
	return parseCredentialResponse(resp)
}

func parseCredentialResponse(resp *safehttp.Response) (*credentialResponse, error) {
	cr := &credentialResponse{}
	switch resp.StatusCode {
	case 200, 202:
	default:
		switch e := oauthErrorOf(resp); e {
		case "invalid_nonce":
			cr.invalidNonce = true
			return cr, errorf(CodeIssuanceFailed, nil, "credential endpoint: invalid_nonce")
		case "credential_request_denied", "invalid_transaction_id":
			return cr, errorf(CodeIssuanceDenied, nil, "credential endpoint: %s", e)
		default:
			cr.retry = resp.StatusCode >= 500
			return cr, errorf(CodeIssuanceFailed, nil, "credential endpoint: %d %s", resp.StatusCode, e)
		}
	}
	if err := jose.DecodeJSON(resp.Body, cr); err != nil {
		return cr, errorf(CodeIssuanceFailed, err, "credential response")
	}
	if cr.TransactionID != "" {
		if len(cr.Credentials) > 0 {
			return cr, errorf(CodeIssuanceFailed, nil, "credential response with both credentials and transaction_id")
		}
		return cr, nil
	}
	if len(cr.Credentials) == 0 || len(cr.Credentials) > MaxBatchSize {
		return cr, errorf(CodeIssuanceFailed, nil, "credential response with %d credentials", len(cr.Credentials))
	}
	for _, c := range cr.Credentials {
		var str string
		if err := json.Unmarshal(c.Credential, &str); err != nil || str == "" {
			return cr, errorf(CodeInvalidCredential, err, "credential is not a string")
		}
		cr.credentials = append(cr.credentials, str)
	}
	return cr, nil
}

type expectation struct {
	format, vct, issuer, configurationID string
	types                                []string
}

// verifyAll verifies every received credential against the expectation and the holder
// keys (each used at most once) and builds the records to store; any failure rejects all.
func (w *Wallet) verifyAll(ctx context.Context, owner string, raws []string, e expectation, keys []*ecdsa.PrivateKey, d Display, now time.Time) ([]Credential, error) {
	if len(keys) > 0 && len(raws) > len(keys) {
		return nil, errorf(CodeInvalidCredential, nil, "%d credentials for %d proofs", len(raws), len(keys))
	}
	used := make([]bool, len(keys))
	batch := ""
	if len(raws) > 1 {
		batch = newID()
	}
	out := make([]Credential, 0, len(raws))
	for _, raw := range raws {
		c, err := w.verifyCredential(ctx, raw, e, keys, used, now)
		if err != nil {
			return nil, err
		}
		c.ID, c.Owner, c.BatchID, c.Display, c.ReceivedAt = newID(), owner, batch, d, now
		out = append(out, *c)
	}
	return out, nil
}

func (w *Wallet) verifyCredential(ctx context.Context, raw string, e expectation, keys []*ecdsa.PrivateKey, used []bool, now time.Time) (*Credential, error) {
	c := &Credential{Format: e.format, Issuer: e.issuer, ConfigurationID: e.configurationID, Raw: Secret(raw)}
	var holder crypto.PublicKey
	var chain []*x509.Certificate
	switch e.format {
	case FormatSDJWTVC:
		u, err := sdjwt.ParseUnverified(raw)
		if err != nil {
			return nil, errorf(CodeInvalidCredential, err, "parse SD-JWT VC")
		}
		vc, err := u.VerifyVC(ctx, sdjwt.VCPolicy{
			Policy:     sdjwt.Policy{Algorithms: algorithms, KeyBinding: sdjwt.KeyBindingForbidden, Now: now, ClockSkew: clockSkew},
			KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C},
		})
		if err != nil {
			return nil, errorf(CodeInvalidCredential, err, "verify SD-JWT VC")
		}
		if vc.VCT != e.vct {
			return nil, errorf(CodeInvalidCredential, nil, "vct %q is not the offered %q", vc.VCT, e.vct)
		}
		if vc.Issuer != "" && vc.Issuer != e.issuer {
			return nil, errorf(CodeInvalidCredential, nil, "iss %q is not the credential issuer", vc.Issuer)
		}
		holder, chain = vc.Confirmation, vc.X5C
		c.VCT, c.IssuedAt, c.ExpiresAt = vc.VCT, vc.IssuedAt, vc.ExpiresAt
		if vc.Status != nil {
			c.Status = &StatusReference{URI: vc.Status.URI, Index: vc.Status.Index}
		}
	case FormatJWTVCJSON:
		r, err := vcjwt.Verify(raw, vcjwt.Policy{Now: now, Algorithms: algorithms, AllowX5C: true, ClockSkew: clockSkew})
		if err != nil {
			return nil, errorf(CodeInvalidCredential, err, "verify jwt_vc_json")
		}
		for _, t := range e.types {
			if !slices.Contains(r.Types, t) {
				return nil, errorf(CodeInvalidCredential, nil, "type %q missing", t)
			}
		}
		if r.Issuer != "" && r.Issuer != e.issuer {
			return nil, errorf(CodeInvalidCredential, nil, "issuer %q is not the credential issuer", r.Issuer)
		}
		holder, chain = r.HolderKey, r.Chain
		c.Types, c.IssuedAt, c.ExpiresAt = r.Types, r.IssuanceDate, r.ExpirationDate
		if r.Status != nil {
			c.Status = &StatusReference{URI: r.Status.URI, Index: uint64(max(r.Status.Idx, 0))}
		}
	default:
		return nil, errorf(CodeUnsupportedOffer, nil, "format %q", e.format)
	}
	// The signing certificate must name the issuer the wallet is talking to: otherwise any
	// holder of a certificate from a listed CA could issue under another university's name.
	if len(chain) > 0 && !pki.NamesIssuer(chain[0], e.issuer) {
		return nil, errorf(CodeInvalidCredential, nil, "the signing certificate does not name the credential issuer %s", e.issuer)
	}
	switch {
	case len(keys) == 0 && holder == nil:
	case len(keys) == 0:
		return nil, errorf(CodeInvalidCredential, nil, "credential bound to a key the wallet does not hold")
	case holder == nil:
		return nil, errorf(CodeInvalidCredential, nil, "credential without holder binding")
	default:
		tp, err := jose.Thumbprint(holder)
		if err != nil {
			return nil, errorf(CodeInvalidCredential, err, "holder key")
		}
		idx := -1
		for i, k := range keys {
			if kt, _ := jose.Thumbprint(k.Public()); !used[i] && kt == tp {
				idx = i
			}
		}
		if idx < 0 {
			return nil, errorf(CodeInvalidCredential, nil, "cnf is not a key this wallet generated for the request")
		}
		used[idx] = true
		jwk, err := jose.MarshalPrivateJWK(keys[idx], "")
		if err != nil {
			return nil, errorf(CodeInternal, err, "encode holder key")
		}
		c.HolderKey = jwk
	}
	c.Trust = w.issuerTrust(chain, c.IssuedAt, now)
	return c, nil
}

func (w *Wallet) issuerTrust(chain []*x509.Certificate, issued, now time.Time) TrustSummary {
	if w.cfg.issuerTrust == nil || len(chain) == 0 {
		s := TrustSummary{}
		if len(chain) > 0 {
			s.Subject = pki.NameString(chain[0].Subject)
		}
		return s
	}
	if issued.IsZero() {
		issued = now
	}
	return trustSummary(w.cfg.issuerTrust.Lookup(chain, issued, now, w.cfg.issuerPolicy), chain[0])
}

func (w *Wallet) pending(owner string, o *Offer, id string, e expectation, s *session, keys []*ecdsa.PrivateKey, cr *credentialResponse, d Display, now time.Time) (*PendingIssuance, error) {
	if o.Metadata.DeferredCredentialEndpoint == "" {
		return nil, errorf(CodeIssuanceFailed, nil, "deferred answer from an issuer without deferred_credential_endpoint")
	}
	p := &PendingIssuance{
		ID: newID(), Owner: owner, Issuer: e.issuer, ConfigurationID: id, Format: e.format, VCT: e.vct, Types: e.types,
		DeferredEndpoint: o.Metadata.DeferredCredentialEndpoint, NotificationEndpoint: o.Metadata.NotificationEndpoint,
		AccessToken: Secret(s.accessToken), TokenType: s.tokenType, CreatedAt: now, Display: d, TransactionID: cr.TransactionID,
	}
	if err := p.setInterval(cr.Interval, now); err != nil {
		return nil, err
	}
	var err error
	if p.DPoPKey, err = jose.MarshalPrivateJWK(s.dpopKey, ""); err != nil {
		return nil, errorf(CodeInternal, err, "encode DPoP key")
	}
	for _, k := range keys {
		b, err := jose.MarshalPrivateJWK(k, "")
		if err != nil {
			return nil, errorf(CodeInternal, err, "encode holder key")
		}
		p.HolderKeys = append(p.HolderKeys, b)
	}
	return p, nil
}

func (p *PendingIssuance) setInterval(seconds float64, now time.Time) error {
	if !(seconds > 0) { // NaN too
		return errorf(CodeIssuanceFailed, nil, "deferred answer without a positive interval")
	}
	// Capped before it becomes a Duration (a huge number would overflow into the past);
	// at least a second.
	p.Interval = max(time.Duration(min(seconds, MaxDeferredInterval.Seconds())*float64(time.Second)), time.Second)
	p.NextPollAt = now.Add(p.Interval)
	return nil
}

// PollDeferred asks the issuer for a deferred credential (OpenID4VCI 1.0 §9) with the
// stored access token and DPoP key. When the credential is ready it is verified like in
// Receive and stored in the same transaction that removes the pending issuance; when it is
// not, the pending issuance is updated with the new interval and returned in
// Receipt.Pending (no error). When the issuer denies it for good (credential_request_denied,
// invalid_transaction_id) the pending issuance is deleted and the error has
// CodeIssuanceDenied. PollDeferred does not wait for NextPollAt: the caller schedules.
// Polls of one pending issuance run one at a time (a double click cannot make one poll
// delete the issuance while the other receives its credentials), and once the issuer has
// answered, the rest runs to its end even if ctx ends.
func (w *Wallet) PollDeferred(ctx context.Context, owner, id string) (*Receipt, error) {
	defer w.polls.lock(owner + "\x00" + id)()
	var now time.Time // read once the issuer has answered
	p, err := w.store.Pending(ctx, owner, id)
	if err != nil {
		return nil, notFoundOr(err, "pending issuance")
	}
	dk, err := jose.ParsePrivateJWK(p.DPoPKey)
	if err != nil {
		return nil, errorf(CodeInternal, err, "stored DPoP key")
	}
	dkey, ok := dk.(*ecdsa.PrivateKey)
	if !ok {
		return nil, errorf(CodeInternal, nil, "stored DPoP key is not ECDSA")
	}
	keys := make([]*ecdsa.PrivateKey, 0, len(p.HolderKeys))
	for _, b := range p.HolderKeys {
		k, err := jose.ParsePrivateJWK(b)
		ek, ok := k.(*ecdsa.PrivateKey)
		if err != nil || !ok {
			return nil, errorf(CodeInternal, err, "stored holder key")
		}
		keys = append(keys, ek)
	}
	s, err := newSession(w, dkey, p.Issuer)
	if err != nil {
		return nil, err
	}
	s.accessToken, s.tokenType = string(p.AccessToken), p.TokenType
	resp, err := s.send(ctx, p.DeferredEndpoint, map[string]string{"transaction_id": p.TransactionID}, MaxCredentialResponseSize)
	if err != nil {
		return nil, err
	}
	ctx = context.WithoutCancel(ctx)      // the issuer may have handed the credential over
	if now, err = w.clock(); err != nil { // the answer is judged when it came
		return nil, err
	}
	cr, err := parseCredentialResponse(resp)
	if err != nil {
		if CodeOf(err) == CodeIssuanceDenied {
			if derr := w.store.DeletePending(ctx, owner, id); derr != nil {
				return nil, storeErr(derr, "delete pending issuance")
			}
		}
		return nil, err
	}
	if cr.TransactionID != "" {
		if err := p.setInterval(cr.Interval, now); err != nil {
			return nil, err
		}
		if err := w.store.PutPending(ctx, *p); err != nil {
			return nil, storeErr(err, "update pending issuance")
		}
		return &Receipt{Pending: []PendingIssuance{*p}}, nil
	}
	e := expectation{format: p.Format, vct: p.VCT, types: p.Types, issuer: p.Issuer, configurationID: p.ConfigurationID}
	nt := notification{p.NotificationEndpoint, cr.NotificationID}
	creds, err := w.verifyAll(ctx, owner, cr.credentials, e, keys, p.Display, now)
	if err != nil {
		s.notify(ctx, nt, "credential_failure")
		return nil, err
	}
	if err := w.store.SaveCredentials(ctx, owner, creds, p.ID); err != nil {
		return nil, notFoundOr(err, "store deferred credentials")
	}
	s.notify(ctx, nt, "credential_accepted")
	return &Receipt{Credentials: creds}, nil
}

// notFoundOr maps a store error: ErrNotFound becomes CodeNotFound, anything else CodeStore.
func notFoundOr(err error, what string) error {
	if errors.Is(err, storeerr.ErrNotFound) {
		return errorf(CodeNotFound, err, "%s", what)
	}
	return storeErr(err, what)
}
