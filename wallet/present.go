package wallet

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"maps"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/vcjwt"
)

// Consent is what a consent page shows for a request: who asks, and per credential query
// the stored credentials that answer it with exactly the claims each would disclose.
type Consent struct {
	Verifier VerifierInfo `json:"verifier"`
	// Satisfiable is false when no combination of stored credentials answers the query; the
	// student can then only Decline (access_denied).
	Satisfiable bool          `json:"satisfiable"`
	Queries     []QueryChoice `json:"queries"`
	// Sets are the credential set queries: which combinations of query ids are acceptable.
	Sets []SetChoice `json:"sets,omitempty"`
	// Default is the proposed choice (first satisfiable option, first candidate); nil when
	// not satisfiable.
	Default Choice `json:"default,omitempty"`
}

// QueryChoice is one credential query and its candidates.
type QueryChoice struct {
	ID     string `json:"id"`
	Format string `json:"format"`
	// Multiple allows choosing several candidates.
	Multiple bool `json:"multiple"`
	// Optional is true when the query only appears in credential sets that are not required.
	Optional   bool        `json:"optional"`
	Candidates []Candidate `json:"candidates"`
	// Unsuitable are stored credentials of the right type that cannot answer (for the
	// student only; never sent to the verifier).
	Unsuitable []Unsuitable `json:"unsuitable,omitempty"`
}

// Candidate is a stored credential that answers a query.
type Candidate struct {
	CredentialID string       `json:"credential_id"`
	Name         Names        `json:"name,omitempty"`
	Issuer       string       `json:"issuer"`
	IssuerName   Names        `json:"issuer_name,omitempty"`
	IssuerTrust  TrustSummary `json:"issuer_trust"`
	// Claims are exactly the selectively disclosable claims that will be disclosed.
	Claims []ClaimDisclosure `json:"claims"`
	// AlwaysDisclosed names the claims every presentation carries in plain text (iss, vct,
	// cnf, validity, ...).
	AlwaysDisclosed []string `json:"always_disclosed,omitempty"`
	// WholeCredential is true for jwt_vc_json: it has no selective disclosure, so everything
	// in it is shared.
	WholeCredential bool `json:"whole_credential,omitempty"`
}

// ClaimDisclosure is one claim that will be disclosed.
type ClaimDisclosure struct {
	// Path is the concrete claims path pointer, PathJSON its JSON form.
	Path     dcql.Path `json:"path"`
	PathJSON string    `json:"path_json"`
	// Label is the claim's name from the type metadata (en, ja); empty when unknown.
	Label Names `json:"label,omitempty"`
	// Value is the claim's value, for display.
	Value any `json:"value"`
}

// Unsuitable is a stored credential of the requested type that does not qualify.
type Unsuitable struct {
	CredentialID string    `json:"credential_id"`
	Reason       dcql.Code `json:"reason"`
}

// SetChoice is one credential set query.
type SetChoice struct {
	Required bool       `json:"required"`
	Options  [][]string `json:"options"`
}

// Choice is the student's decision: credential query id → chosen credential ids.
type Choice map[string][]string

type described struct {
	cred    Credential
	desc    dcql.Credential
	plain   []string
	sdjwtVC bool
}

type matchState struct {
	creds []described
	res   *dcql.MatchResult
}

func (w *Wallet) match(ctx context.Context, owner string, req *Request, now time.Time) (*matchState, error) {
	if req == nil || req.Query == nil {
		return nil, errorf(CodeInvalidRequest, nil, "no request")
	}
	stored, err := w.store.Credentials(ctx, owner)
	if err != nil {
		return nil, storeErr(err, "list credentials")
	}
	st := &matchState{}
	for _, c := range stored {
		d, ok := describe(ctx, c, now)
		if ok {
			st.creds = append(st.creds, d)
		}
	}
	descs := make([]dcql.Credential, len(st.creds))
	for i, d := range st.creds {
		descs[i] = d.desc
	}
	st.res, err = holderQuery(req.Query).Match(descs)
	if err != nil {
		return nil, errorf(CodeInvalidRequest, err, "match dcql_query")
	}
	return st, nil
}

// holderQuery is q as this wallet can apply it: a credential query whose trusted_authorities
// name a type the wallet cannot evaluate (etsi_tl, openid_federation: it knows the issuer's
// certificate chain, not which lists the verifier means) does not filter by authority — the
// wallet SHOULD filter (OpenID4VP 1.0 §6.1.1), the verifier decides trust either way. q is
// not changed.
func holderQuery(q *dcql.Query) *dcql.Query {
	if !slices.ContainsFunc(q.Credentials, unevaluableAuthorities) {
		return q
	}
	c := *q
	c.Credentials = slices.Clone(q.Credentials)
	for i := range c.Credentials {
		if unevaluableAuthorities(c.Credentials[i]) {
			c.Credentials[i].TrustedAuthorities = nil
		}
	}
	return &c
}

func unevaluableAuthorities(cq dcql.CredentialQuery) bool {
	return slices.ContainsFunc(cq.TrustedAuthorities, func(ta dcql.TrustedAuthoritiesQuery) bool { return ta.Type != dcql.AuthorityAKI })
}

const vcdm11Base = "https://www.w3.org/2018/credentials#"

// describe re-verifies a stored credential at now (signature, validity) and describes it
// for DCQL; credentials that no longer verify (expired) are left out.
func describe(ctx context.Context, c Credential, now time.Time) (described, bool) {
	d := described{cred: c}
	switch c.Format {
	case FormatSDJWTVC:
		vc, err := verifySDJWT(ctx, &c, now)
		if err != nil {
			return d, false
		}
		d.sdjwtVC = true
		d.desc = dcql.Credential{Format: c.Format, VCT: vc.VCT, Claims: vc.Claims,
			HolderBinding: vc.Confirmation != nil && len(c.HolderKey) > 0, AuthorityKeyIDs: dcql.AuthorityKeyIDs(vc.X5C)}
		top := map[string]bool{}
		for _, dc := range vc.Disclosures {
			if len(dc.Path) == 1 {
				top[dc.Name] = true
			}
		}
		for k := range vc.Claims {
			if !top[k] {
				d.plain = append(d.plain, k)
			}
		}
		slices.Sort(d.plain)
	case FormatJWTVCJSON:
		r, err := vcjwt.Verify(string(c.Raw), vcjwt.Policy{Now: now, Algorithms: algorithms, AllowX5C: true, ClockSkew: clockSkew})
		if err != nil {
			return d, false
		}
		types := slices.Clone(r.Types)
		for _, t := range r.Types {
			if t == vcjwt.TypeVerifiableCredential {
				types = append(types, vcdm11Base+t)
			}
		}
		d.desc = dcql.Credential{Format: c.Format, Types: types, Claims: r.Credential,
			HolderBinding: r.HolderKey != nil && len(c.HolderKey) > 0, AuthorityKeyIDs: dcql.AuthorityKeyIDs(r.Chain)}
	default:
		return d, false
	}
	return d, true
}

// Match evaluates the request's DCQL query over owner's stored credentials (each
// re-verified at now; expired ones are left out) and returns what a consent page shows:
// per credential query the candidates with their display names (type metadata, en and ja),
// issuer trust, and exactly the claims that would be disclosed, plus the verifier and what
// the trust lists say of it. Match never chooses; Consent.Default is a proposal.
// An unsatisfiable query is not an error: Consent.Satisfiable is false.
func (w *Wallet) Match(ctx context.Context, owner string, req *Request) (*Consent, error) {
	now, err := w.clock()
	if err != nil {
		return nil, err
	}
	st, err := w.match(ctx, owner, req, now)
	if err != nil {
		return nil, err
	}
	c := &Consent{Verifier: req.Verifier, Satisfiable: st.res.Satisfiable}
	optional := map[string]bool{}
	if len(req.Query.CredentialSets) > 0 {
		required := map[string]bool{}
		for _, s := range req.Query.CredentialSets {
			c.Sets = append(c.Sets, SetChoice{Required: s.IsRequired(), Options: s.Options})
			for _, o := range s.Options {
				for _, id := range o {
					if s.IsRequired() {
						required[id] = true
					} else {
						optional[id] = true
					}
				}
			}
		}
		for id := range required {
			delete(optional, id)
		}
	}
	for i, qm := range st.res.Queries {
		cq := req.Query.Credentials[i]
		qc := QueryChoice{ID: qm.ID, Format: cq.Format, Multiple: qm.Multiple, Optional: optional[qm.ID]}
		for _, cm := range qm.Candidates {
			d := st.creds[cm.Index]
			cand := Candidate{CredentialID: d.cred.ID, Name: d.cred.Display.Name, Issuer: d.cred.Issuer,
				IssuerName: d.cred.Display.IssuerName, IssuerTrust: d.cred.Trust, AlwaysDisclosed: d.plain,
				WholeCredential: !d.sdjwtVC, Claims: []ClaimDisclosure{}}
			if d.sdjwtVC {
				// What the presentation will carry, from the disclosures it will include,
				// not only the claims the query names.
				shared, err := sharedClaims(string(d.cred.Raw), cm.Paths())
				if err != nil {
					return nil, errorf(CodeInternal, err, "disclosed claims")
				}
				for _, cd := range shared {
					for _, lang := range []string{"en", "ja"} {
						if l, ok := academic.ClaimLabel(d.cred.VCT, cd.Path, lang); ok {
							if cd.Label == nil {
								cd.Label = Names{}
							}
							cd.Label[lang] = l
						}
					}
					cand.Claims = append(cand.Claims, cd)
				}
			} else {
				for _, sc := range cm.Claims {
					cand.Claims = append(cand.Claims, ClaimDisclosure{Path: sc.Path, PathJSON: sc.Path.String(), Value: sc.Value})
				}
			}
			qc.Candidates = append(qc.Candidates, cand)
		}
		for _, rj := range qm.Rejected {
			qc.Unsuitable = append(qc.Unsuitable, Unsuitable{CredentialID: st.creds[rj.Index].cred.ID, Reason: dcql.CodeOf(rj.Err)})
		}
		c.Queries = append(c.Queries, qc)
	}
	if def := st.res.DefaultChoice(); def != nil {
		c.Default = Choice{}
		for id, cms := range def {
			for _, cm := range cms {
				c.Default[id] = append(c.Default[id], st.creds[cm.Index].cred.ID)
			}
		}
	}
	return c, nil
}

// Result is the outcome of Present or Decline.
type Result struct {
	// RedirectURI is the verifier's redirect_uri, for the caller to send the user agent to
	// (never followed by the wallet); "" when none (or not an allowed URL).
	RedirectURI string `json:"redirect_uri,omitempty"`
	// Record is the history entry written.
	Record PresentationRecord `json:"record"`
}

type chosen struct {
	qid string
	d   described
	cm  dcql.CandidateMatch
}

// resolveChoice checks choice against the match: known query ids, candidate credentials,
// multiple, and the credential sets (every required set has a fully answered option, and
// every answered query lies in a fully answered option).
func resolveChoice(q *dcql.Query, st *matchState, choice Choice) ([]chosen, error) {
	var out []chosen
	answered := map[string]bool{}
	for _, qm := range st.res.Queries {
		ids, ok := choice[qm.ID]
		if !ok {
			continue
		}
		if len(ids) == 0 || len(ids) > 1 && !qm.Multiple {
			return nil, errorf(CodeInvalidChoice, nil, "query %q: %d credentials chosen", qm.ID, len(ids))
		}
		for i, id := range ids {
			if slices.Contains(ids[:i], id) {
				return nil, errorf(CodeInvalidChoice, nil, "query %q: credential chosen twice", qm.ID)
			}
			found := false
			for _, cm := range qm.Candidates {
				if st.creds[cm.Index].cred.ID == id {
					out = append(out, chosen{qid: qm.ID, d: st.creds[cm.Index], cm: cm})
					found = true
				}
			}
			if !found {
				return nil, errorf(CodeInvalidChoice, nil, "credential %q does not answer query %q", id, qm.ID)
			}
		}
		answered[qm.ID] = true
	}
	if len(answered) != len(choice) {
		return nil, errorf(CodeInvalidChoice, nil, "choice names unknown queries")
	}
	if len(q.CredentialSets) == 0 {
		if len(answered) != len(q.Credentials) {
			return nil, errorf(CodeInvalidChoice, nil, "every credential query must be answered")
		}
		return out, nil
	}
	covered := map[string]bool{}
	for _, s := range q.CredentialSets {
		ok := false
		for _, o := range s.Options {
			if !slices.ContainsFunc(o, func(id string) bool { return !answered[id] }) {
				ok = true
				for _, id := range o {
					covered[id] = true
				}
			}
		}
		if s.IsRequired() && !ok {
			return nil, errorf(CodeInvalidChoice, nil, "a required credential set is not answered")
		}
	}
	for id := range answered {
		if !covered[id] {
			return nil, errorf(CodeInvalidChoice, nil, "query %q is not part of an answered option", id)
		}
	}
	return out, nil
}

// Present answers req with the credentials of choice (OpenID4VP 1.0 §8):
//   - the match is recomputed and the choice checked (CodeUnsatisfiable, CodeInvalidChoice);
//   - each dc+sd-jwt presentation carries only the disclosures the query needs for the chosen
//     credential (sdjwt.Select semantics) and, when the credential is key-bound, a KB-JWT
//     with nonce, aud = the full client_id and iat = now; each jwt_vc_json credential goes in
//     a VP JWT signed with its holder key (aud, nonce, iat), or, for a credential without
//     holder binding asked for without it, with a key of that presentation only;
//   - the vp_token object is posted to response_uri: as a form with vp_token and state
//     (direct_post), or as response=<JWE> (direct_post.jwt), an unsigned JWT payload
//     {"vp_token", "state"} encrypted with ECDH-ES to the client_metadata key;
//   - the JSON reply's redirect_uri is returned, never followed;
//   - a history entry is written with the outcome.
//
// A reply other than 200 gives CodeResponseRejected (after the history entry). When the
// response was delivered but the history could not be written, Present returns the Result
// and an error with CodeStore.
func (w *Wallet) Present(ctx context.Context, owner string, req *Request, choice Choice) (*Result, error) {
	now, err := w.clock()
	if err != nil {
		return nil, err
	}
	st, err := w.match(ctx, owner, req, now)
	if err != nil {
		return nil, err
	}
	if !st.res.Satisfiable {
		return nil, errorf(CodeUnsatisfiable, nil, "no stored credential answers the query")
	}
	picks, err := resolveChoice(req.Query, st, choice)
	if err != nil {
		return nil, err
	}
	vpToken := map[string][]string{}
	rec := w.record(owner, req, now)
	for _, p := range picks {
		pres, claims, err := presentOne(p, req, now)
		if err != nil {
			return nil, err
		}
		vpToken[p.qid] = append(vpToken[p.qid], pres)
		rec.Credentials = append(rec.Credentials, DisclosedCredential{QueryID: p.qid, CredentialID: p.d.cred.ID,
			Format: p.d.cred.Format, Name: p.d.cred.Display.Name, Claims: claims})
	}
	return w.respond(ctx, req, map[string]any{"vp_token": vpToken, "state": req.State}, rec)
}

func presentOne(p chosen, req *Request, now time.Time) (string, []string, error) {
	paths := p.cm.Paths()
	claims := make([]string, 0, len(paths))
	for _, pt := range paths {
		claims = append(claims, pt.String())
	}
	var key *ecdsa.PrivateKey
	if len(p.d.cred.HolderKey) > 0 {
		k, err := jose.ParsePrivateJWK(p.d.cred.HolderKey)
		ek, ok := k.(*ecdsa.PrivateKey)
		if err != nil || !ok {
			return "", nil, errorf(CodeInternal, err, "stored holder key")
		}
		key = ek
	}
	raw := string(p.d.cred.Raw)
	switch p.d.cred.Format {
	case FormatSDJWTVC:
		sp := make([]sdjwt.Path, len(paths))
		for i, pt := range paths {
			sp[i] = sdjwt.Path(pt)
		}
		// The history lists what was shared, as the consent page showed it (see sharedClaims).
		shared, err := sharedClaims(raw, paths)
		if err != nil {
			return "", nil, errorf(CodeInternal, err, "disclosed claims")
		}
		claims = claims[:0]
		for _, cd := range shared {
			claims = append(claims, cd.PathJSON)
		}
		if key == nil {
			s, err := sdjwt.Select(raw, sp)
			if err != nil {
				return "", nil, errorf(CodeInternal, err, "select disclosures")
			}
			return s, claims, nil
		}
		h, err := sdjwt.NewHolder(key)
		if err != nil {
			return "", nil, errorf(CodeInternal, err, "holder")
		}
		s, err := h.Present(raw, sp, sdjwt.KBClaims{Nonce: req.Nonce, Audience: req.ClientID, IssuedAt: now})
		if err != nil {
			return "", nil, errorf(CodeInternal, err, "present SD-JWT VC")
		}
		return s, claims, nil
	case FormatJWTVCJSON:
		if key == nil {
			// A credential issued without holder binding, asked for without it: the VP JWT
			// the format needs is signed with a key of this presentation only, which proves
			// nothing about the holder and claims nothing.
			var err error
			if key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
				return "", nil, errorf(CodeInternal, err, "presentation key")
			}
		}
		hh, err := vcjwt.HolderHeader(key.Public())
		if err != nil {
			return "", nil, errorf(CodeInternal, err, "holder header")
		}
		signer, err := jose.NewSigner(key, hh)
		if err != nil {
			return "", nil, errorf(CodeInternal, err, "holder signer")
		}
		s, err := vcjwt.CreatePresentation(signer, []string{raw}, vcjwt.PresentationOptions{Audience: req.ClientID, Nonce: req.Nonce, IssuedAt: now})
		if err != nil {
			return "", nil, errorf(CodeInternal, err, "VP JWT")
		}
		return s, []string{"*"}, nil
	default:
		return "", nil, errorf(CodeInternal, nil, "format %q", p.d.cred.Format)
	}
}

// Decline answers req with error=access_denied (OpenID4VP 1.0 §8.5), encrypted like a
// response for direct_post.jwt, and records the refusal. Use it when the student declines
// and when Match says the query is not satisfiable.
func (w *Wallet) Decline(ctx context.Context, owner string, req *Request) (*Result, error) {
	now, err := w.clock()
	if err != nil {
		return nil, err
	}
	if req == nil {
		return nil, errorf(CodeInvalidRequest, nil, "no request")
	}
	rec := w.record(owner, req, now)
	rec.Outcome = OutcomeDeclined
	return w.respond(ctx, req, map[string]any{"error": "access_denied", "state": req.State}, rec)
}

func (w *Wallet) record(owner string, req *Request, now time.Time) PresentationRecord {
	return PresentationRecord{ID: newID(), Owner: owner, ClientID: req.ClientID, VerifierName: req.Verifier.Name,
		VerifierTrust: req.Verifier.Trust, ResponseURI: req.ResponseURI, At: now}
}

func (w *Wallet) respond(ctx context.Context, req *Request, params map[string]any, rec PresentationRecord) (*Result, error) {
	if params["state"] == "" {
		delete(params, "state") // the request had none (allowed when every credential is holder-bound)
	}
	form := url.Values{}
	switch req.ResponseMode {
	case ResponseModeDirectPost:
		for k, v := range params {
			if s, ok := v.(string); ok {
				form.Set(k, s)
				continue
			}
			b, err := json.Marshal(v)
			if err != nil {
				return nil, errorf(CodeInternal, err, "encode %s", k)
			}
			form.Set(k, string(b))
		}
	case ResponseModeDirectPostJWT:
		if req.Encryption == nil {
			return nil, errorf(CodeInvalidRequest, nil, "direct_post.jwt without an encryption key")
		}
		pub, err := jose.ParsePublicJWK(req.Encryption.JWK)
		if err != nil {
			return nil, errorf(CodeInvalidRequest, err, "encryption key")
		}
		b, err := json.Marshal(params)
		if err != nil {
			return nil, errorf(CodeInternal, err, "encode response")
		}
		jwe, err := jose.EncryptECDHES(b, pub, req.Encryption.Enc, req.Encryption.Kid)
		if err != nil {
			return nil, errorf(CodeInternal, err, "encrypt response")
		}
		form.Set("response", jwe)
	default:
		return nil, errorf(CodeUnsupportedResponseMode, nil, "response_mode %q", req.ResponseMode)
	}
	resp, err := w.client.PostForm(ctx, req.ResponseURI, form, nil, safehttp.MaxBody(MaxReplySize))
	var sendErr error
	res := &Result{}
	// A decline or an error that did not reach the verifier stays what the student did
	// (nothing was shared); the record says why the verifier was not told.
	undelivered := func(outcome, problem string) {
		if rec.Outcome == "" {
			rec.Outcome, rec.Error = outcome, problem
			return
		}
		if rec.Error != "" {
			rec.Error += ", "
		}
		rec.Error += "not delivered: " + problem
	}
	switch {
	case err != nil:
		undelivered(OutcomeFailed, string(safehttp.CodeOf(err)))
		sendErr = fetchErr(err, "post response")
	case resp.StatusCode != 200:
		problem := oauthErrorOf(resp)
		if problem == "" {
			problem = "status " + strconv.Itoa(resp.StatusCode)
		}
		undelivered(OutcomeRejected, problem)
		sendErr = errorf(CodeResponseRejected, nil, "verifier answered %d %s", resp.StatusCode, problem)
	default:
		if rec.Outcome == "" {
			rec.Outcome = OutcomeSent
		}
		var reply struct {
			RedirectURI string `json:"redirect_uri"`
		}
		if len(resp.Body) > 0 && jose.DecodeJSON(resp.Body, &reply) == nil && reply.RedirectURI != "" {
			if _, err := w.client.CheckURL(reply.RedirectURI); err == nil {
				res.RedirectURI = reply.RedirectURI
			}
		}
	}
	res.Record = rec
	if err := w.store.AddPresentation(ctx, rec); err != nil {
		if sendErr != nil {
			return nil, sendErr
		}
		return res, storeErr(err, "record presentation")
	}
	if sendErr != nil {
		return nil, sendErr
	}
	return res, nil
}

// Reject tells the verifier of an authenticated request that its request cannot be served:
// err must be a wallet error from ParseRequest with ReplyTo set; Reject posts its OAuth
// error (e.g. invalid_request, invalid_request_object, invalid_transaction_data) with the
// request's state to its response_uri (encrypted when the request asked for
// direct_post.jwt and named a usable key; otherwise in plain form, as OpenID4VP 1.0 §8.3
// allows for errors), without error_description, and records it in the history. An error
// without ReplyTo (an unauthenticated request) fails with CodeInvalidRequest and sends
// nothing.
func (w *Wallet) Reject(ctx context.Context, owner string, err error) (*Result, error) {
	now, cerr := w.clock()
	if cerr != nil {
		return nil, cerr
	}
	e, ok := errors.AsType[*Error](err)
	if !ok || e.ReplyTo == nil || e.OAuth == "" {
		return nil, errorf(CodeInvalidRequest, err, "the request cannot be answered")
	}
	rec := w.record(owner, e.ReplyTo, now)
	rec.Outcome, rec.Error = OutcomeError, e.OAuth
	return w.respond(ctx, e.ReplyTo, map[string]any{"error": e.OAuth, "state": e.ReplyTo.State}, rec)
}

// sharedClaims lists, leaf by leaf, what a presentation of the SD-JWT VC raw selecting paths
// shows beyond what every presentation of it shows: the requested claims and whatever else
// their disclosures carry. An issuer may disclose a whole object as one (the hashi diploma
// discloses degree.level, with its ISCED and EQF levels and their basis, as one), and a
// consent page that listed only the requested claims would hide what is shared.
func sharedClaims(raw string, paths []dcql.Path) ([]ClaimDisclosure, error) {
	sp := make([]sdjwt.Path, len(paths))
	for i, p := range paths {
		sp[i] = sdjwt.Path(p)
	}
	shared, err := sdjwt.Disclosed(raw, sp)
	if err != nil {
		return nil, err
	}
	always, err := sdjwt.Disclosed(raw, nil)
	if err != nil {
		return nil, err
	}
	out := []ClaimDisclosure{}
	diffLeaves(shared, always, nil, &out)
	// The claims the query names first, in its order; then what their disclosures carry
	// besides them.
	rank := func(p dcql.Path) int {
		for i, q := range paths {
			if related(q, p) {
				return i
			}
		}
		return len(paths)
	}
	slices.SortStableFunc(out, func(x, y ClaimDisclosure) int { return rank(x.Path) - rank(y.Path) })
	return out, nil
}

// related reports whether one of the paths lies within the other (a nil component matching
// any array index).
func related(q, p dcql.Path) bool {
	for i := range min(len(q), len(p)) {
		if q[i] == nil || p[i] == nil {
			continue
		}
		if qi, ok := q[i].(int); ok {
			if pi, ok := p[i].(int); !ok || pi != qi {
				return false
			}
			continue
		}
		if q[i] != p[i] {
			return false
		}
	}
	return true
}

// diffLeaves appends a row for every leaf of a that b does not have with the same value.
func diffLeaves(a, b any, at dcql.Path, out *[]ClaimDisclosure) {
	if reflect.DeepEqual(a, b) {
		return
	}
	switch av := a.(type) {
	case map[string]any:
		bm, _ := b.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(av)) {
			bv, ok := bm[k]
			if !ok {
				bv = absent{}
			}
			diffLeaves(av[k], bv, append(slices.Clip(at), k), out)
		}
	case []any:
		// Array elements have no names to match by: the whole array is listed.
		for i, e := range av {
			diffLeaves(e, absent{}, append(slices.Clip(at), i), out)
		}
	default:
		*out = append(*out, ClaimDisclosure{Path: at, PathJSON: at.String(), Value: a})
	}
}

// absent stands for a claim missing on the other side of a comparison (a JSON null is nil).
type absent struct{}
