package verifier

import (
	"context"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/trustlist"
)

// Verify verifies an OpenID4VP 1.0 vp_token (the JSON object of credential query ids to arrays
// of presentations, §8.1) against p and returns a Result that says, check by check, what held.
// Everything about the presented data ends in a Result (rejected, with a stable Reason); the
// error is only for caller bugs (CodeInvalidPolicy: zero Now, empty ClientID or Nonce, nil or
// invalid Query, an incomplete Rule).
//
// For each presentation, in query order, it checks (see the Check* names):
//   - the vp_token shape: a strict JSON object within MaxVPTokenSize whose keys are credential
//     query ids, each with one presentation (several only with multiple), MaxPresentations in all;
//   - the format of the credential query: dc+sd-jwt (SD-JWT VC) or jwt_vc_json (a VP JWT with
//     one VCDM 1.1 credential);
//   - parsing, then the issuer signature with an allow-listed algorithm (WithAlgorithms) and
//     the key of the x5c leaf (the only issuer key source: HAIP), over the bytes received;
//   - the disclosures exactly as RFC 9901 §7.1 says, and the claims SD-JWT VC keeps plain;
//   - the validity period (exp, nbf, iat) at Now within WithClockSkew;
//   - holder binding: a presented KB-JWT is always verified in full (typ kb+jwt, signed by
//     cnf.jwk, nonce = Policy.Nonce, aud = Policy.ClientID with its prefix, iat within
//     WithKBMaxAge, sd_hash over the presented text); for jwt_vc_json the VP JWT's signature,
//     nonce, aud and iat, and its signer being the credential's holder key. Binding is
//     required unless both the DCQL query and the recognition rule waive it;
//   - the x5c chain: at most MaxChainLength certificates, a leaf that is not self-signed, not a
//     CA, and has the digitalSignature key usage;
//   - recognition and trust: the first Rule covering the credential's type and its issuer's
//     jurisdiction (the anchoring list's territory, else the leaf's country); the chain must
//     anchor (trustlist.Source.Lookup, crypto/x509 path building or a directly listed leaf) in a
//     service the rule's trust policy accepts, at the issuance time (iat, else nbf, else Now;
//     never after Now) and, unless
//     the rule says TrustAtIssuance, now, in a list fresh now. The trust path is reported in words;
//   - "iss" consistent with the leaf certificate (URI SAN, or https host = dNSName SAN);
//   - the type: vct known with type metadata (internal/academic), its sd rules
//     respected;
//   - status: the status list token is fetched through the StatusSource (only when every
//     check above passed), verified (typ statuslist+jwt, allow-listed alg, signed by the
//     credential's own leaf key, x5c leaf if present equal to it, sub = uri, iat, exp) and
//     cached per (uri, leaf) for min(exp, iat+ttl, MaxStatusCacheFor); the entry must be VALID;
//   - the qualification (academic claims readable), its EQF level among the rule's, and the
//     rule's required claims disclosed;
//   - finally, the DCQL query (internal/dcql CheckResponse): each presentation answers its
//     credential query (format, vct/type values, holder binding, trusted authorities, claims)
//     and the query as a whole is satisfied.
//
// As OpenID4VP 1.0 §8.6 says, a presentation that fails a check is discarded (it stays in
// the Result, not Accepted) and the verdict is accepted when the response-shape checks pass
// and the accepted presentations satisfy the query — except that a key binding made for
// another request (kb_nonce_mismatch, kb_audience_mismatch) rejects the whole response
// (§14.1.2). Reason is the first failing response-shape check, else the first rejected
// presentation's reason (when the query is unsatisfied, or for a foreign key binding), else
// query_unsatisfied.
//
// Verify does NOT: remember nonces or detect replay (the flow does), fetch anything except
// status lists through the StatusSource, resolve issuer keys other than x5c (no JWT VC Issuer
// Metadata, no DIDs), check certificate revocation (CRL/OCSP) of the chain, support delegated
// status list signers, or handle mso_mdoc and ldp_vc.
//
// Specifications: OpenID4VP 1.0 §6, §8.1, §8.6, §14
// (https://openid.net/specs/openid-4-verifiable-presentations-1_0.html), RFC 9901 §7
// (https://www.rfc-editor.org/rfc/rfc9901#section-7), SD-JWT VC draft-18 §3.5
// (https://datatracker.ietf.org/doc/draft-ietf-oauth-sd-jwt-vc/), draft-ietf-oauth-status-list-20
// §8.3, HAIP 1.0, RFC 8725, ETSI TS 119 612 / TS 119 602 through package trustlist.
func (v *Verifier) Verify(ctx context.Context, vpToken []byte, p Policy) (*Result, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	res := &Result{Verdict: VerdictRejected, Checks: []Check{}, Credentials: []CredentialResult{}}
	entries, err := parseVPToken(vpToken, p.Query)
	if err != nil {
		res.Checks = append(res.Checks, Check{Name: CheckVPToken, Code: CodeMalformedVPToken, Detail: err.Error()})
		res.Reason = CodeMalformedVPToken
		return res, nil
	}
	res.Checks = append(res.Checks, Check{Name: CheckVPToken, OK: true, Detail: fmt.Sprintf("%d presentation(s) for %d credential query id(s)", countPresentations(entries), len(entries))})

	presented := make(map[string][]dcql.Credential, len(entries))
	for i := range p.Query.Credentials {
		cq := &p.Query.Credentials[i]
		for idx, raw := range entries[cq.ID] {
			cr, dc := v.verifyOne(ctx, cq, idx, raw, &p)
			res.Credentials = append(res.Credentials, cr)
			presented[cq.ID] = append(presented[cq.ID], dc)
		}
	}

	// DCQL: each verified presentation against its credential query, then the query as a whole.
	rr, qerr := p.Query.CheckResponse(presented)
	if rr == nil {
		res.Checks = append(res.Checks, Check{Name: CheckQuery, Code: CodeQueryUnsatisfied, Detail: errDetail(qerr)})
	} else {
		pos := 0
		for _, pc := range rr.Presentations {
			for ; pos < len(res.Credentials); pos++ {
				cr := &res.Credentials[pos]
				if cr.QueryID == pc.QueryID && cr.Index == pc.Index {
					break
				}
			}
			if pos == len(res.Credentials) {
				break
			}
			cr := &res.Credentials[pos]
			if !cr.Accepted {
				continue // a rejected presentation is described to dcql as matching nothing
			}
			if pc.Err != nil {
				cr.fail(CheckQuery, CodeQueryUnsatisfied, "does not answer credential query "+cr.QueryID+": "+errDetail(pc.Err))
			} else {
				detail := "answers credential query " + cr.QueryID
				if len(cr.Unrequested) > 0 {
					detail += "; also disclosed, not requested: " + strings.Join(cr.Unrequested, ", ")
				}
				cr.pass(CheckQuery, detail)
			}
		}
		if rr.Satisfied {
			res.Checks = append(res.Checks, Check{Name: CheckQuery, OK: true, Detail: "the DCQL query is satisfied"})
		} else {
			res.Checks = append(res.Checks, Check{Name: CheckQuery, Code: CodeQueryUnsatisfied, Detail: errDetail(qerr)})
		}
	}

	// §8.6: a presentation that fails its checks is discarded, and the VP Token is rejected
	// only when what remains does not satisfy the query — then the first failure is the
	// reason, being more telling than "unsatisfied". A key binding for another request
	// (nonce, aud) rejects the whole response (§14.1.2).
	satisfied := rr != nil && rr.Satisfied
	for i := range res.Credentials {
		cr := &res.Credentials[i]
		if !cr.Accepted && res.Reason == "" && (!satisfied || cr.Reason == CodeKBNonceMismatch || cr.Reason == CodeKBAudienceMismatch) {
			res.Reason = cr.Reason
		}
	}
	if res.Reason == "" {
		for _, c := range res.Checks {
			if !c.OK {
				res.Reason = c.Code
				break
			}
		}
	}
	if res.Reason == "" {
		res.Verdict = VerdictAccepted
		for i := range res.Credentials {
			if cr := &res.Credentials[i]; !cr.Accepted {
				// Set aside: what it claims is no part of an accepted answer.
				cr.Claims, cr.Qualification, cr.Unrequested = nil, nil, nil
			}
		}
	}
	return res, nil
}

func errDetail(err error) string {
	if err == nil {
		return "the DCQL query is not satisfied"
	}
	return err.Error()
}

func countPresentations(m map[string][]string) int {
	n := 0
	for _, a := range m {
		n += len(a)
	}
	return n
}

// verified is what a format-specific stage established: the signature verified, the
// disclosures processed, the key binding checked when presented.
type verified struct {
	vct   string   // dc+sd-jwt
	types []string // jwt_vc_json, as written
	iss   string
	chain []*x509.Certificate

	issued, expires time.Time
	claims          map[string]any
	status          *statuslist.Reference
	statusErr       string // a malformed status reference (jwt_vc_json status index too large, ...)

	holderBound bool
	disclosed   []sdjwt.Path // dc+sd-jwt: where each disclosure was embedded
	// replay, when set, is what replay protection remembers of this presentation instead
	// of what replayText reads from its text (jwt_vc_json without holder binding, known only
	// once verified).
	replay string
	vcdm   bool // jwt_vc_json: claims is the VCDM 1.1 credential
}

func (c *CredentialResult) pass(name, detail string) {
	c.Checks = append(c.Checks, Check{Name: name, OK: true, Detail: detail})
}

// fail records a failed check; the first failure becomes the credential's Reason.
func (c *CredentialResult) fail(name string, code Code, detail string) {
	c.Checks = append(c.Checks, Check{Name: name, Code: code, Detail: detail})
	if c.Reason == "" {
		c.Reason = code
	}
	c.Accepted = false
}

func (v *Verifier) verifyOne(ctx context.Context, cq *dcql.CredentialQuery, idx int, raw string, p *Policy) (CredentialResult, dcql.Credential) {
	// Room for every check of an accepted credential, so recording them never regrows.
	cr := CredentialResult{QueryID: cq.ID, Index: idx, Format: cq.Format, Checks: make([]Check, 0, 16), replay: replayText(cq.Format, raw)}
	var vd *verified
	switch cq.Format {
	case dcql.FormatSDJWTVC:
		cr.pass(CheckFormat, "dc+sd-jwt (SD-JWT VC)")
		vd = v.verifySDJWT(ctx, raw, p, &cr)
	case dcql.FormatJWTVCJSON:
		cr.pass(CheckFormat, "jwt_vc_json (VCDM 1.1 VP JWT)")
		vd = v.verifyJWTVC(raw, p, &cr)
	default:
		cr.fail(CheckFormat, CodeUnsupportedFormat, "format "+cq.Format+" is not supported")
	}
	if vd == nil {
		return cr, dcql.Credential{} // matches nothing
	}
	cr.Accepted = cr.Reason == ""
	if vd.replay != "" {
		cr.replay = vd.replay
	}
	v.judge(ctx, cq, vd, p, &cr)
	cr.Accepted = cr.Reason == ""
	if !cr.Accepted {
		return cr, dcql.Credential{}
	}
	dc := dcql.Credential{Format: cq.Format, VCT: vd.vct, Claims: vd.claims, HolderBinding: vd.holderBound, AuthorityKeyIDs: dcql.AuthorityKeyIDs(vd.chain)}
	if vd.vcdm {
		dc.Types = expandTypes(vd.types)
	}
	return cr, dc
}

// expandTypes expands the VCDM 1.1 base type the way JSON-LD would; other terms are not defined
// by the base context and stay as written (OpenID4VP 1.0 §B.1.1).
func expandTypes(ts []string) []string {
	out := make([]string, 0, len(ts))
	for _, t := range ts {
		if t == "VerifiableCredential" {
			t = "https://www.w3.org/2018/credentials#VerifiableCredential"
		}
		out = append(out, t)
	}
	return out
}

// judge runs the checks common to both formats once the signature has verified.
func (v *Verifier) judge(ctx context.Context, cq *dcql.CredentialQuery, vd *verified, p *Policy, cr *CredentialResult) {
	now := p.Now
	cr.Claims = vd.claims
	cr.Issuer.ID = vd.iss
	cr.IssuedAt, cr.ExpiresAt = vd.issued, vd.expires
	cr.Type = vd.vct
	if vd.vcdm {
		cr.Type = mostSpecificType(vd.types)
	}
	leaf := vd.chain[0]
	cr.Issuer.Certificate = v.subjectName(leaf)
	cr.Issuer.Country = certCountry(leaf)
	cr.Issuer.NameEN, cr.Issuer.NameJA = certNames(leaf)

	// Chain.
	if code, detail := checkChain(vd.chain); code != "" {
		cr.fail(CheckChain, code, detail)
	} else {
		cr.pass(CheckChain, fmt.Sprintf("%d certificate(s); leaf %q is not self-signed, not a CA, and may sign", len(vd.chain), leaf.Subject.CommonName))
	}

	// Recognition rule and trust.
	issued := vd.issued
	if issued.IsZero() || issued.After(now) {
		issued = now
	}
	sel := v.selectRule(vd, issued, p)
	rule := sel.rule
	if rule != nil {
		cr.Rule = rule.Name
	}
	if sel.anchored {
		cr.TrustPath, cr.TrustSteps = sel.tr.Path, sel.tr.Steps
		cr.TrustedAtIssuance, cr.TrustedNow = sel.tr.TrustedAtIssuance, sel.tr.TrustedNow
		if sel.tr.Territory != "" {
			cr.Issuer.Country = sel.tr.Territory
		}
		// The list names the issuer when it lists the issuer's own certificate, or when the
		// provider is the issuer's own organization (a university operating its seal CA).
		// Through a third party's CA the provider is the CA's operator, and the names stay
		// the certificate's.
		if sel.tr.Match == trustlist.MatchDirect || providerIsIssuer(sel.tr.ProviderNames, leaf) {
			for _, n := range sel.tr.ProviderNames {
				switch n.Lang {
				case "en":
					cr.Issuer.NameEN = n.Value
				case "ja":
					cr.Issuer.NameJA = n.Value
				}
			}
		}
	}
	if sel.code != "" {
		cr.fail(CheckTrust, sel.code, sel.detail)
	} else {
		cr.pass(CheckTrust, sel.detail)
	}

	// iss.
	switch {
	case vd.iss == "":
		cr.pass(CheckIss, "no iss: the issuer is the subject of the leaf certificate")
	case pki.NamesIssuer(leaf, vd.iss):
		cr.pass(CheckIss, "iss "+vd.iss+" is named in the leaf certificate")
	case rule != nil && rule.IssuerMatch == IssuerMatchDirectListingUnsafe && sel.anchored && sel.tr.Match == trustlist.MatchDirect:
		cr.pass(CheckIss, "iss "+vd.iss+" is not in the certificate; accepted because the leaf itself is listed (the listed entity is the issuer)")
	default:
		cr.fail(CheckIss, CodeIssMismatch, "iss "+vd.iss+" is neither a URI SAN nor the dNSName of the leaf certificate")
	}

	// Type.
	if vd.vcdm {
		cr.pass(CheckType, "VCDM 1.1 types "+strings.Join(vd.types, ", "))
	} else {
		ti := v.typeMetadata(vd.vct)
		if !ti.known {
			cr.fail(CheckType, CodeUnknownVCT, "no type metadata for vct "+vd.vct)
		} else if d := checkTypeMetadata(&ti.meta, vd); d != "" {
			cr.fail(CheckType, CodeTypeMetadata, d)
		} else {
			cr.pass(CheckType, "vct "+vd.vct+" ("+ti.meta.Name+") with its type metadata")
		}
	}

	// Holder binding: required unless both the query and the rule waive it.
	cr.HolderBound = vd.holderBound
	if !vd.holderBound {
		if _, ran := cr.Check(CheckHolderBinding); !ran {
			waived := !cq.HolderBindingRequired() && rule != nil && rule.HolderBinding == HolderBindingNotRequiredUnsafe
			if waived {
				cr.pass(CheckHolderBinding, "no key binding presented; not required by the query nor the rule")
			} else {
				cr.fail(CheckHolderBinding, CodeHolderBindingMissing, "holder binding is required and none was presented")
			}
		}
	}

	// Status: only for a credential that passed everything so far.
	switch {
	case cr.Reason != "":
	case vd.statusErr != "":
		cr.fail(CheckStatus, CodeStatusInvalid, vd.statusErr)
	case vd.status == nil && rule != nil && rule.Status == StatusIfPresent:
		cr.Status = "none"
		cr.pass(CheckStatus, "no status reference; the rule does not require one")
	case vd.status == nil:
		cr.Status = "none"
		cr.fail(CheckStatus, CodeStatusMissing, "the credential has no status list reference and the rule requires one")
	default:
		st, code, detail := v.checkStatus(ctx, vd.status, leaf, now)
		if code == "" || code == CodeStatusRevoked || code == CodeStatusSuspended {
			cr.Status = st.String()
		}
		if code != "" {
			cr.fail(CheckStatus, code, detail)
		} else {
			cr.pass(CheckStatus, detail)
		}
	}

	// Qualification, level and required claims.
	var q academic.Qualification
	var qerr error
	if vd.vcdm {
		q, qerr = academic.QualificationFromVCDM11(vd.claims)
	} else {
		q, qerr = academic.QualificationFromClaims(vd.vct, vd.claims)
	}
	if qerr != nil {
		cr.fail(CheckQualification, CodeQualificationInvalid, qerr.Error())
	} else {
		cr.Qualification = deskView(q, p.Jurisdiction)
		cr.pass(CheckQualification, describeQualification(q))
	}
	if rule == nil {
		return
	}
	if qerr == nil {
		switch {
		case q.EQFLevel == 0:
			cr.fail(CheckLevel, CodeRecognitionLevel, "the EQF level is not disclosed")
		case !slices.Contains(rule.EQFLevels, q.EQFLevel):
			cr.fail(CheckLevel, CodeRecognitionLevel, fmt.Sprintf("EQF level %d is not recognised by rule %q (recognised: %v)", q.EQFLevel, rule.Name, rule.EQFLevels))
		default:
			cr.pass(CheckLevel, fmt.Sprintf("EQF level %d is recognised (%s)", q.EQFLevel, academic.ComparabilityNote))
		}
	}
	var missing []string
	for _, path := range rule.RequiredClaims {
		if _, err := dcql.Select(path, vd.claims); err != nil {
			missing = append(missing, path.String())
		}
	}
	switch {
	case len(missing) > 0:
		cr.fail(CheckClaims, CodeMissingClaim, "required claims not disclosed: "+strings.Join(missing, ", "))
	case len(rule.RequiredClaims) > 0:
		cr.pass(CheckClaims, fmt.Sprintf("all %d required claims disclosed", len(rule.RequiredClaims)))
	}
	cr.Unrequested = unrequested(cq, vd.disclosed)
}

// unrequested returns, as claims path pointers, the disclosures that no claims query of cq
// asks for: neither on the way to a requested claim nor inside one. Nil when cq names no
// claims.
func unrequested(cq *dcql.CredentialQuery, disclosed []sdjwt.Path) []string {
	if cq == nil || len(cq.Claims) == 0 {
		return nil
	}
	var out []string
	for _, d := range disclosed {
		dp := []any(d)
		if !slices.ContainsFunc(cq.Claims, func(c dcql.ClaimsQuery) bool {
			qp := []any(c.Path)
			return hasPrefix(dp, qp) || hasPrefix(qp, dp)
		}) {
			out = append(out, d.String())
		}
	}
	return out
}

func mostSpecificType(ts []string) string {
	for i := len(ts) - 1; i >= 0; i-- {
		if ts[i] != "VerifiableCredential" {
			return ts[i]
		}
	}
	return ""
}

// subjectName is leaf.Subject.String(), cached per certificate.
func (v *Verifier) subjectName(leaf *x509.Certificate) string {
	if s, ok := v.subjects.get(leaf, time.Time{}); ok {
		return s
	}
	s := pki.NameString(leaf.Subject)
	v.subjects.put(leaf, s, time.Time{}, farFuture)
	return s
}

// farFuture is the expiry of cache entries that never go stale (a certificate's name).
var farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

func certCountry(c *x509.Certificate) string {
	if len(c.Subject.Country) > 0 {
		return strings.ToUpper(c.Subject.Country[0])
	}
	return ""
}

func describeQualification(q academic.Qualification) string {
	var b strings.Builder
	b.WriteString(q.Title)
	if q.DegreeType != "" {
		fmt.Fprintf(&b, ", %s", q.DegreeType)
	}
	if q.ISCED != "" {
		fmt.Fprintf(&b, ", ISCED %s", q.ISCED)
	}
	if q.EQFLevel != 0 {
		fmt.Fprintf(&b, ", EQF %d", q.EQFLevel)
	}
	if q.LevelBasis != "" {
		fmt.Fprintf(&b, " (%s)", q.LevelBasis)
	}
	if q.Credits != nil {
		fmt.Fprintf(&b, ", %g %s", q.Credits.Value, q.Credits.Framework)
		if q.Credits.ECTS != 0 {
			fmt.Fprintf(&b, " ≈ %g ECTS", q.Credits.ECTS)
		}
	}
	return b.String()
}

// deskView adds the desk's reading of q: the qualification of the desk's jurisdiction of the
// same degree type, from the crosswalk.
func deskView(q academic.Qualification, desk string) *Qualification {
	out := &Qualification{Qualification: q, DeskJurisdiction: desk, Comparability: academic.ComparabilityNote}
	if desk == "" || q.DegreeType == "" {
		return out
	}
	country := desk
	if country == "EU" {
		country = "NL" // the QF-EHEA cycles are the same for every EU/EEA state
	}
	if l, err := academic.Classify(country, q.DegreeType, 0); err == nil {
		out.DeskView = fmt.Sprintf("%s (%s, ISCED %s, EQF %d)", l.Native, q.DegreeType, l.ISCED, l.EQF)
	}
	return out
}

// certNames reads the issuer's names from its certificate: an organization name written in
// Japanese script is the Japanese name (the common name then gives the English one);
// otherwise the organization (else the common name) is the English name and there is no
// Japanese one, rather than a name in a third language shown as Japanese.
func certNames(leaf *x509.Certificate) (en, ja string) {
	org := ""
	if len(leaf.Subject.Organization) > 0 {
		org = leaf.Subject.Organization[0]
	}
	if hasJapanese(org) {
		return leaf.Subject.CommonName, org
	}
	if org != "" {
		return org, ""
	}
	return leaf.Subject.CommonName, ""
}

// hasJapanese reports whether s contains Han, Hiragana or Katakana characters.
func hasJapanese(s string) bool {
	for _, r := range s {
		if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) {
			return true
		}
	}
	return false
}

// providerIsIssuer reports whether one of the provider's names is the leaf certificate's
// organization.
func providerIsIssuer(names []trustlist.LangString, leaf *x509.Certificate) bool {
	for _, o := range leaf.Subject.Organization {
		for _, n := range names {
			if strings.EqualFold(strings.TrimSpace(n.Value), strings.TrimSpace(o)) {
				return true
			}
		}
	}
	return false
}
