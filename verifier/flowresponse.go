package verifier

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/storeerr"
)

// Response is what the response URI answers (200, application/json): for same-device
// requests, a redirect_uri the wallet sends the user agent to, carrying a fresh response_code
// (OpenID4VP 1.0 §8.2); RequestID and Status are for the edge's logs and metrics, not for
// the wallet.
type Response struct {
	RedirectURI string        `json:"redirect_uri,omitempty"`
	RequestID   string        `json:"-"`
	Status      RequestStatus `json:"-"`
}

// responseParams are the authorization response parameters, from the form (direct_post) or
// from the decrypted JWT (direct_post.jwt).
type responseParams struct {
	vpToken     []byte
	hasVPToken  bool
	state       string
	errCode     string
	errDesc     string
	hasErrorVal bool
}

// HandleResponse handles a POST to the response URI (OpenID4VP 1.0 §8.2, §8.3): form holds
// either vp_token (JSON) and state (direct_post), or response, a JWE encrypted to the
// request's ephemeral key whose payload holds vp_token and state (direct_post.jwt), or a
// wallet's error and state (§8.5; also unencrypted for a direct_post.jwt request, as a wallet
// unable to encrypt may answer).
//
// It finds the request (by state, or by the JWE's kid), checks that it is pending and not
// expired, and then:
//   - for a wallet error, records the request as declined with the error code and
//     description;
//   - for a vp_token, runs Verify with the request's nonce, client_id, DCQL query and desk
//     policy, and records the Result (verified or rejected) together with the digest of
//     every presentation whose replay text is genuine (see replayText and sdReplayable: the
//     signed part of a KB-JWT whose signature and sd_hash verified, of a verified VP JWT,
//     or of the credential itself when it has no holder binding) in one transaction. A
//     digest already remembered from another response turns the Result into a rejection
//     with CodePresentationReplayed (check CheckReplay). When the only failure is an
//     unreachable status list, nothing is recorded and the answer is CodeUnavailable (503):
//     the wallet may send the response again.
//
// When a webhook URL is configured, the result notification enters the outbox in the same
// transaction. Same-device requests get a redirect_uri with a fresh response_code (256 bits;
// only its SHA-256 is stored).
//
// Every bad vp_token ends in a rejected Result, never in an error. Errors (all before
// anything is written): CodeInvalidRequest (missing or repeated parameters, both or neither of
// vp_token and error, an unencrypted vp_token for a direct_post.jwt request or a JWE for a
// direct_post one, a JWE payload that is not a JSON object or names another state),
// CodeUnknownState, CodeRequestExpired, CodeRequestAnswered (also when a concurrent response
// won), CodeDecryptionFailed; CodeServerError and CodeUnavailable for store failures.
//
// It does NOT check that the same-device redirect is followed in the browser session that
// started the request (the edge must bind the session, HAIP §5), nor does it accept
// responses for requests whose lifetime has passed.
func (f *Flow) HandleResponse(ctx context.Context, form url.Values) (*Response, error) {
	for name, vals := range form {
		if len(vals) > 1 {
			return nil, flowErr(CodeInvalidRequest, "parameter %s is repeated", name)
		}
	}
	var (
		r   *Request
		p   responseParams
		err error
	)
	if form.Has("response") {
		if form.Has("vp_token") || form.Has("error") {
			return nil, flowErr(CodeInvalidRequest, "response cannot be combined with vp_token or error")
		}
		r, p, err = f.decryptResponse(ctx, form.Get("response"))
		if err != nil {
			return nil, err
		}
	} else {
		p = responseParams{
			state: form.Get("state"), vpToken: []byte(form.Get("vp_token")), hasVPToken: form.Has("vp_token"),
			errCode: form.Get("error"), errDesc: form.Get("error_description"), hasErrorVal: form.Has("error"),
		}
		if p.state == "" {
			return nil, flowErr(CodeInvalidRequest, "state is missing")
		}
		if r, err = f.requestBy(ctx, f.st.RequestByState, p.state); err != nil {
			return nil, err
		}
		if p.hasVPToken && r.ResponseMode == ResponseModeDirectPostJWT {
			return nil, flowErr(CodeInvalidRequest, "this request wants an encrypted response (direct_post.jwt)")
		}
	}
	if err := f.checkPending(r); err != nil {
		return nil, err
	}
	switch {
	case p.hasVPToken == p.hasErrorVal:
		return nil, flowErr(CodeInvalidRequest, "a response carries exactly one of vp_token and error")
	case p.hasErrorVal:
		if p.errCode == "" || len(p.errCode) > MaxWalletErrorLen || !errorChars(p.errCode, false) {
			return nil, flowErr(CodeInvalidRequest, "error is empty, too long or has characters RFC 6749 does not allow")
		}
		if len(p.errDesc) > MaxWalletErrorDescriptionLen || !errorChars(p.errDesc, true) {
			return nil, flowErr(CodeInvalidRequest, "error_description is too long or has characters RFC 6749 does not allow")
		}
		return f.complete(ctx, r, &Completion{ID: r.ID, Status: StatusDeclined, WalletError: p.errCode, WalletErrorDescription: p.errDesc}, nil, nil)
	}
	return f.verifyResponse(ctx, r, p.vpToken)
}

// requestBy looks a request up by state or kid, mapping a miss to CodeUnknownState.
func (f *Flow) requestBy(ctx context.Context, get func(context.Context, string) (*Request, error), key string) (*Request, error) {
	if len(key) > MaxStateLen {
		return nil, flowErr(CodeUnknownState, "no request has this state")
	}
	r, err := get(ctx, key)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, flowErr(CodeUnknownState, "no request has this state")
	} else if err != nil {
		return nil, storeErr("load request", err)
	}
	return r, nil
}

// decryptResponse finds the request by the JWE's kid, decrypts with its key and reads the
// payload's parameters.
func (f *Flow) decryptResponse(ctx context.Context, jwe string) (*Request, responseParams, error) {
	var p responseParams
	kid, err := jweKeyID(jwe)
	if err != nil {
		return nil, p, &Error{Code: CodeDecryptionFailed, Msg: "response is not a compact JWE with a kid", Err: err}
	}
	r, err := f.requestBy(ctx, f.st.RequestByKeyID, kid)
	if err != nil {
		return nil, p, err
	}
	if r.ResponseMode != ResponseModeDirectPostJWT {
		return nil, p, flowErr(CodeInvalidRequest, "this request wants an unencrypted response (direct_post)")
	}
	if err := f.checkPending(r); err != nil {
		return nil, p, err // an answered request has no key any more
	}
	key, err := parseEncryptionKey(r.EncryptionKey)
	if err != nil {
		return nil, p, &Error{Code: CodeServerError, Msg: "stored encryption key", Err: err}
	}
	plain, _, err := jose.DecryptECDHES(jwe, key, jose.A128GCM, jose.A256GCM)
	if err != nil {
		return nil, p, &Error{Code: CodeDecryptionFailed, Msg: "the response cannot be decrypted with the request's key", Err: err}
	}
	if err := jose.CheckJSON(plain); err != nil || !bytes.HasPrefix(bytes.TrimSpace(plain), []byte("{")) {
		return nil, p, flowErr(CodeInvalidRequest, "the decrypted response is not a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(plain, &m); err != nil {
		return nil, p, flowErr(CodeInvalidRequest, "the decrypted response is not a JSON object")
	}
	str := func(name string) (string, bool, error) {
		raw, ok := m[name]
		if !ok {
			return "", false, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", true, flowErr(CodeInvalidRequest, "%s is not a string", name)
		}
		return s, true, nil
	}
	if p.state, _, err = str("state"); err != nil {
		return nil, p, err
	}
	if p.errCode, p.hasErrorVal, err = str("error"); err != nil {
		return nil, p, err
	}
	if p.errDesc, _, err = str("error_description"); err != nil {
		return nil, p, err
	}
	if raw, has := m["vp_token"]; has {
		p.vpToken, p.hasVPToken = raw, true
	}
	if p.state == "" || subtle.ConstantTimeCompare([]byte(p.state), []byte(r.State)) != 1 {
		return nil, p, flowErr(CodeInvalidRequest, "the decrypted response does not carry the request's state")
	}
	return r, p, nil
}

// jweKeyID reads the kid of a compact JWE's protected header without decrypting.
func jweKeyID(jwe string) (string, error) {
	if len(jwe) > jose.MaxCompactSize {
		return "", errors.New("JWE too large")
	}
	head, _, ok := strings.Cut(jwe, ".")
	if !ok || strings.Count(jwe, ".") != 4 {
		return "", errors.New("not five parts")
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return "", err
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", err
	}
	if h.Kid == "" {
		return "", errors.New("no kid")
	}
	return h.Kid, nil
}

// verifyResponse runs Verify and records the outcome.
func (f *Flow) verifyResponse(ctx context.Context, r *Request, vpToken []byte) (*Response, error) {
	q, err := dcql.Parse(r.Query)
	if err != nil {
		return nil, &Error{Code: CodeServerError, Msg: "stored DCQL query", Err: err}
	}
	dp, ok := f.cfg.Policies[r.Policy]
	if !ok {
		return nil, flowErr(CodeServerError, "desk policy %q is no longer configured", r.Policy)
	}
	now := f.cfg.Now()
	res, err := f.v.Verify(ctx, vpToken, Policy{
		Now: now, ClientID: r.ClientID, Nonce: r.Nonce, Query: q,
		Recognition: dp.Recognition, Jurisdiction: dp.Jurisdiction,
	})
	if err != nil {
		return nil, &Error{Code: CodeServerError, Msg: "verify", Err: err}
	}
	if statusUnreachableOnly(res) {
		// Nothing is wrong with the presentation as far as it could be checked: the status
		// list could not be fetched. The request stays pending and nothing is recorded, so
		// the wallet can send the response again (503) instead of the student's diploma
		// being rejected, and remembered as presented, for a passing network failure.
		return nil, flowErr(CodeUnavailable, "the credential's status list could not be fetched now; send the response again shortly")
	}
	// Only presentations whose replay text is genuine are remembered (see sdReplayable): one
	// with a forged signature over a copied credential's or key binding's text must not make
	// the genuine one a "replay" later.
	uses := make([]SingleUse, 0, len(res.Credentials))
	for _, cr := range res.Credentials {
		if cr.replayable {
			uses = append(uses, SingleUse{Kind: UsePresentation, Value: presentationDigest(cr.Format, cr.replay), ExpiresAt: now.Add(f.cfg.ReplayWindow)})
		}
	}
	c := &Completion{ID: r.ID, Status: StatusRejected}
	if res.Verdict == VerdictAccepted {
		c.Status = StatusVerified
	}
	if c.Result, err = json.Marshal(res); err != nil {
		return nil, &Error{Code: CodeServerError, Msg: "encode result", Err: err}
	}
	out, err := f.complete(ctx, r, c, uses, res)
	if _, used := errors.AsType[*UsedError](err); used {
		markReplayed(res)
		c.Status = StatusRejected
		if c.Result, err = json.Marshal(res); err != nil {
			return nil, &Error{Code: CodeServerError, Msg: "encode result", Err: err}
		}
		return f.complete(ctx, r, c, nil, res)
	}
	return out, err
}

// replayText is what replay protection remembers of a presentation: the signed part
// (header.payload) of the holder's proof — the KB-JWT, or the VP JWT of jwt_vc_json, whose
// nonce ties it to one request — or, for an SD-JWT without KB-JWT, of the issuer-signed JWT,
// since then nothing tells the holder apart from anyone holding a copy (a jwt_vc_json
// credential without holder binding is remembered the same way: see verifyJWTVC). Only
// signed text counts: a presenter can re-spell the rest (reorder or drop disclosures, pick
// the other of the two valid ECDSA signatures, (r, s) or (r, n−s)) without presenting
// anything new.
func replayText(format, pres string) string {
	if format != dcql.FormatSDJWTVC {
		return "vp:" + signedPart(pres)
	}
	last := strings.LastIndexByte(pres, '~')
	if last < 0 {
		return "sd-jwt:" + pres
	}
	if kb := pres[last+1:]; kb != "" {
		return "kb:" + signedPart(kb)
	}
	return "credential:" + signedPart(pres[:strings.IndexByte(pres, '~')])
}

// signedPart is a compact JWS without its signature: header.payload.
func signedPart(jws string) string {
	if i := strings.LastIndexByte(jws, '.'); i >= 0 {
		return jws[:i]
	}
	return jws
}

// presentationDigest is what replay protection stores of a presentation: SHA-256 of its
// format and replay text (see replayText).
func presentationDigest(format, replay string) string {
	sum := sha256.Sum256([]byte(format + "\x00" + replay))
	return hex.EncodeToString(sum[:])
}

// statusUnreachableOnly reports whether res is a rejection whose every failed check is
// CodeStatusUnavailable (and the unsatisfied query that follows from it).
func statusUnreachableOnly(res *Result) bool {
	if res.Verdict != VerdictRejected {
		return false
	}
	found := false
	for _, c := range res.Checks {
		if !c.OK && (c.Name != CheckQuery || c.Code != CodeQueryUnsatisfied) {
			return false
		}
	}
	for _, cr := range res.Credentials {
		for _, c := range cr.Checks {
			switch {
			case c.OK:
			case c.Code == CodeStatusUnavailable:
				found = true
			default:
				return false
			}
		}
	}
	return found
}

// markReplayed turns res into a rejection for replay.
func markReplayed(res *Result) {
	res.Verdict = VerdictRejected
	res.Reason = CodePresentationReplayed
	res.Checks = append(res.Checks, Check{Name: CheckReplay, Code: CodePresentationReplayed,
		Detail: "a presentation of this response was already presented to another request (a credential without holder binding counts as presented once it was shown, whatever the disclosures)"})
}

// complete writes the completion (with a response code for same-device requests and a
// webhook when configured) and builds the answer.
func (f *Flow) complete(ctx context.Context, r *Request, c *Completion, uses []SingleUse, res *Result) (*Response, error) {
	c.CompletedAt = f.cfg.Now()
	var code string
	if r.SameDevice {
		var err error
		if code, err = f.random(); err != nil {
			return nil, err
		}
		sum := sha256.Sum256([]byte(code))
		c.ResponseCodeHash = sum[:]
	}
	var wh *Webhook
	if f.cfg.WebhookURL != "" {
		ev := WebhookEvent{RequestID: r.ID, Status: c.Status, CompletedAt: c.CompletedAt, WalletError: c.WalletError}
		if res != nil {
			ev.Verdict, ev.Reason = res.Verdict, res.Reason
		}
		payload, err := json.Marshal(ev)
		if err != nil {
			return nil, &Error{Code: CodeServerError, Msg: "encode webhook", Err: err}
		}
		id, err := f.random()
		if err != nil {
			return nil, err
		}
		wh = &Webhook{ID: id, RequestID: r.ID, URL: f.cfg.WebhookURL, Payload: payload, CreatedAt: c.CompletedAt, NextAttemptAt: c.CompletedAt}
	}
	err := f.st.CompleteRequest(ctx, c, uses, wh)
	var used *UsedError
	switch {
	case err == nil:
	case errors.As(err, &used):
		return nil, err // the caller turns it into a replay rejection
	case errors.Is(err, storeerr.ErrExpired):
		return nil, flowErr(CodeRequestExpired, "the request has expired")
	case errors.Is(err, storeerr.ErrConflict):
		return nil, flowErr(CodeRequestAnswered, "the request was answered already")
	case errors.Is(err, storeerr.ErrNotFound):
		return nil, flowErr(CodeUnknownState, "no request has this state")
	default:
		return nil, storeErr("complete request", err)
	}
	out := &Response{RequestID: r.ID, Status: c.Status}
	if code != "" {
		out.RedirectURI = f.base + PathDone + r.ID + "?" + url.Values{"response_code": {code}}.Encode()
	}
	return out, nil
}

// errorChars reports whether s uses only the characters RFC 6749 §4.1.2.1 allows in error
// (%x20-21 / %x23-5B / %x5D-7E, without space) and error_description (with space).
func errorChars(s string, space bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' && !space || c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// Report is a request's state as the desk sees it (GET /api/requests/{id}).
type Report struct {
	ID           string        `json:"id"`
	Status       RequestStatus `json:"status"`
	Request      string        `json:"request"`
	Policy       string        `json:"policy"`
	ResponseMode string        `json:"response_mode"`
	SameDevice   bool          `json:"same_device"`
	CreatedAt    time.Time     `json:"created_at"`
	ExpiresAt    time.Time     `json:"expires_at"`
	CompletedAt  time.Time     `json:"completed_at,omitzero"`
	// Result is the verification result (verified, rejected); nil otherwise.
	Result *Result `json:"result,omitempty"`
	// WalletError and WalletErrorDescription are the wallet's error (declined).
	WalletError            string `json:"wallet_error,omitempty"`
	WalletErrorDescription string `json:"wallet_error_description,omitempty"`
}

// Status returns the report of request id: pending, verified, rejected, declined, or expired
// (pending past its ExpiresAt). Errors: CodeRequestNotFound; CodeServerError and
// CodeUnavailable for store failures.
func (f *Flow) Status(ctx context.Context, id string) (*Report, error) {
	r, err := f.load(ctx, id)
	if err != nil {
		return nil, err
	}
	return f.report(r)
}

// ResultByResponseCode returns the report of request id when code is the response_code its
// same-device redirect carried (compared in constant time over SHA-256); otherwise
// CodeInvalidResponseCode. The code is not single use: it stays valid as long as the request
// is stored, so the landing page can be reloaded.
func (f *Flow) ResultByResponseCode(ctx context.Context, id, code string) (*Report, error) {
	if code == "" || len(code) > MaxStateLen {
		return nil, flowErr(CodeInvalidResponseCode, "unknown response_code")
	}
	r, err := f.load(ctx, id)
	if e, ok := errors.AsType[*Error](err); ok && e.Code == CodeRequestNotFound {
		return nil, flowErr(CodeInvalidResponseCode, "unknown response_code")
	} else if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(code))
	if len(r.ResponseCodeHash) != len(sum) || subtle.ConstantTimeCompare(r.ResponseCodeHash, sum[:]) != 1 {
		return nil, flowErr(CodeInvalidResponseCode, "unknown response_code")
	}
	return f.report(r)
}

// load reads request id, mapping a miss to CodeRequestNotFound.
func (f *Flow) load(ctx context.Context, id string) (*Request, error) {
	if id == "" || len(id) > MaxStateLen {
		return nil, flowErr(CodeRequestNotFound, "no such request")
	}
	r, err := f.st.Request(ctx, id)
	if errors.Is(err, storeerr.ErrNotFound) {
		return nil, flowErr(CodeRequestNotFound, "no such request")
	} else if err != nil {
		return nil, storeErr("load request", err)
	}
	return r, nil
}

func (f *Flow) report(r *Request) (*Report, error) {
	rep := &Report{
		ID: r.ID, Status: f.statusOf(r), Request: f.link(r), Policy: r.Policy, ResponseMode: r.ResponseMode,
		SameDevice: r.SameDevice, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, CompletedAt: r.CompletedAt,
		WalletError: r.WalletError, WalletErrorDescription: r.WalletErrorDescription,
	}
	if len(r.Result) > 0 {
		d := json.NewDecoder(bytes.NewReader(r.Result))
		d.UseNumber()
		if err := d.Decode(&rep.Result); err != nil {
			return nil, &Error{Code: CodeServerError, Msg: "stored result", Err: err}
		}
	}
	return rep, nil
}
