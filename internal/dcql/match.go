package dcql

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"strconv"

	"github.com/hashi-vc/hashi/internal/b64"
)

// Credential describes one credential for matching: a candidate in the wallet (Match), or a
// verified presentation at the verifier (CheckResponse). The caller fills it from a
// credential it has parsed; this package trusts what it is told.
type Credential struct {
	// Format is the Credential Format Identifier, e.g. FormatSDJWTVC.
	Format string
	// VCT is the vct of an SD-JWT VC. Matching is exact: vct inheritance (extends) is not
	// followed.
	VCT string
	// Types are the fully expanded type values of a W3C VC (jwt_vc_json, ldp_vc). Types not
	// defined in any @context stay as written ("VerifiableCredential" under the VCDM 1.1
	// context expands to "https://www.w3.org/2018/credentials#VerifiableCredential"; the
	// caller expands, this package does not process JSON-LD).
	Types []string
	// Claims is the JSON document claims path pointers are applied to (objects
	// map[string]any, arrays []any). For an SD-JWT VC in the wallet: the claims with every
	// disclosure embedded; at the verifier: the disclosed claims. For jwt_vc_json: the
	// content of the "vc" claim (the spec's examples point at ["credentialSubject", ...]).
	Claims map[string]any
	// HolderBinding reports, in the wallet, that the credential can be presented with
	// cryptographic holder binding (an SD-JWT VC with cnf, a VC bound to the holder's key);
	// at the verifier, that the presentation proved it (a verified KB-JWT or VP signature).
	HolderBinding bool
	// AuthorityKeyIDs are the AuthorityKeyIdentifier KeyIdentifiers (raw bytes, as in
	// x509.Certificate.AuthorityKeyId) of the certificates of the credential's X.509 chain,
	// for trusted_authorities of type "aki".
	AuthorityKeyIDs [][]byte
}

// SelectedClaim is one claim a credential delivers for a claims query.
type SelectedClaim struct {
	// ID is the claims query id ("" when the query has none).
	ID string
	// Query is the claims query's pointer, Path the concrete pointer (strings and ints only)
	// of the selected element, and Value its value. A pointer with null yields one
	// SelectedClaim per element; with values, only the elements whose value matches.
	Query Path
	Path  Path
	Value any
}

// CandidateMatch is a credential that answers a credential query.
type CandidateMatch struct {
	// Index is the credential's position in the slice given to Match.
	Index int
	// ClaimSet is the index of the claim_sets option used (the first one the credential
	// satisfies), or -1 when the credential query has no claim_sets.
	ClaimSet int
	// Claims are the claims to disclose, in the order of the claims queries; empty when the
	// credential query has no claims (only the mandatory parts are presented).
	Claims []SelectedClaim
}

// Paths returns the concrete claims path pointers of the claims to disclose, without
// duplicates, ready for sdjwt.Select (convert each with sdjwt.Path(p)).
func (c CandidateMatch) Paths() []Path {
	out := make([]Path, 0, len(c.Claims))
	for _, s := range c.Claims {
		if !slices.ContainsFunc(out, s.Path.Equal) {
			out = append(out, s.Path)
		}
	}
	return out
}

// QueryMatch lists the credentials that answer one credential query.
type QueryMatch struct {
	ID       string
	Multiple bool // several of the candidates may be presented together
	// Candidates are the matching credentials, in the order they were given.
	Candidates []CandidateMatch
	// Rejected are the credentials of the requested format and type (vct_values,
	// type_values) that still do not answer the query, with the reason: an *Error with
	// CodeHolderBindingRequired, CodeUntrustedAuthority or CodeClaimsNotSatisfied. A wallet
	// may tell its user why a credential it holds does not qualify; the verifier must not
	// learn it (OpenID4VP 1.0 §15.4.1).
	Rejected []Rejection
}

// Rejection is a credential that does not answer a credential query.
type Rejection struct {
	Index int   // position in the slice given to Match
	Err   error // *Error saying why
}

// SetOption is one option of a credential set query.
type SetOption struct {
	IDs []string
	// Satisfied reports, for Match, that every credential query of the option has a
	// candidate; for CheckResponse, that every one has an accepted presentation.
	Satisfied bool
}

// SetMatch is the outcome of one credential set query.
type SetMatch struct {
	Required bool
	Options  []SetOption
}

// Satisfied reports whether some option of the set is satisfied.
func (s SetMatch) Satisfied() bool {
	return slices.ContainsFunc(s.Options, func(o SetOption) bool { return o.Satisfied })
}

// MatchResult is the wallet's view of a query over its credentials.
type MatchResult struct {
	// Satisfiable reports whether the credentials can answer the query: every required
	// credential set has a satisfiable option or, without credential_sets, every credential
	// query has a candidate. When false the wallet must not return any credential
	// (OpenID4VP 1.0 §6.4.2).
	Satisfiable bool
	// Queries has one entry per credential query, in query order.
	Queries []QueryMatch
	// Sets has one entry per credential set query, in query order (nil without
	// credential_sets).
	Sets []SetMatch
}

// Query returns the match of the credential query with the given id, or nil.
func (r *MatchResult) Query(id string) *QueryMatch {
	for i := range r.Queries {
		if r.Queries[i].ID == id {
			return &r.Queries[i]
		}
	}
	return nil
}

// Match evaluates q over the wallet's credentials (OpenID4VP 1.0 §6.4): for each credential
// query, the credentials whose format, meta (vct_values, type_values), holder binding and
// trusted_authorities fit and which deliver the requested claims, each with the claims to
// disclose; then which credential set options can be satisfied. The result holds every
// alternative so that the user can choose; it does not choose.
//
// Claims: no claims requests no selectively disclosable claim; claims without claim_sets
// requests all of them; with claim_sets the first option the credential satisfies is
// used. A claims query with values is satisfied only by elements whose type and value
// equal one of the values (an integer matches a JSON number of the same integral value).
// Match is pure and deterministic. It fails only when q is invalid or there are more than
// MaxCandidates credentials. mso_mdoc and unknown formats never match.
func (q *Query) Match(creds []Credential) (*MatchResult, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	if len(creds) > MaxCandidates {
		return nil, errorf(CodeLimitExceeded, nil, "%d credentials, more than %d", len(creds), MaxCandidates)
	}
	r := &MatchResult{Queries: make([]QueryMatch, len(q.Credentials))}
	have := make(map[string]bool, len(q.Credentials))
	for i := range q.Credentials {
		cq := &q.Credentials[i]
		qm := QueryMatch{ID: cq.ID, Multiple: cq.Multiple}
		for j := range creds {
			cm, err := cq.match(&creds[j])
			if err != nil {
				switch err.Code {
				case CodeFormatMismatch, CodeUnsupportedFormat, CodeMetaMismatch:
				default:
					qm.Rejected = append(qm.Rejected, Rejection{Index: j, Err: err})
				}
				continue
			}
			cm.Index = j
			qm.Candidates = append(qm.Candidates, cm)
		}
		have[cq.ID] = len(qm.Candidates) > 0
		r.Queries[i] = qm
	}
	r.Sets, r.Satisfiable = q.evalSets(have)
	return r, nil
}

// DefaultChoice returns the presentations that answer the query with the least choosing,
// keyed like a vp_token: for each required credential set its first satisfiable option
// (without credential_sets, every credential query), and for each credential query in it
// the first candidate. Optional credential sets are left out, since the user opts in to
// them. It returns nil when the query is not satisfiable. A consent page starts from it
// and lets the user change it.
func (r *MatchResult) DefaultChoice() map[string][]CandidateMatch {
	if !r.Satisfiable {
		return nil
	}
	out := map[string][]CandidateMatch{}
	add := func(id string) {
		if qm := r.Query(id); qm != nil && len(qm.Candidates) > 0 {
			out[id] = []CandidateMatch{qm.Candidates[0]}
		}
	}
	if r.Sets == nil {
		for _, qm := range r.Queries {
			add(qm.ID)
		}
		return out
	}
	for _, s := range r.Sets {
		if !s.Required {
			continue
		}
		for _, o := range s.Options {
			if o.Satisfied {
				for _, id := range o.IDs {
					add(id)
				}
				break
			}
		}
	}
	return out
}

// evalSets evaluates the credential sets given which credential queries are answered, and
// reports whether the query is satisfied.
func (q *Query) evalSets(have map[string]bool) ([]SetMatch, bool) {
	if q.CredentialSets == nil {
		for _, cq := range q.Credentials {
			if !have[cq.ID] {
				return nil, false
			}
		}
		return nil, true
	}
	ok := true
	sets := make([]SetMatch, len(q.CredentialSets))
	for i := range q.CredentialSets {
		s := &q.CredentialSets[i]
		sm := SetMatch{Required: s.IsRequired(), Options: make([]SetOption, len(s.Options))}
		for j, o := range s.Options {
			sat := true
			for _, id := range o {
				sat = sat && have[id]
			}
			sm.Options[j] = SetOption{IDs: slices.Clone(o), Satisfied: sat}
		}
		if sm.Required && !sm.Satisfied() {
			ok = false
		}
		sets[i] = sm
	}
	return sets, ok
}

// match checks one credential against the credential query; the error says why it does not
// answer it.
func (cq *CredentialQuery) match(c *Credential) (CandidateMatch, *Error) {
	if c.Format != cq.Format {
		return CandidateMatch{}, errorf(CodeFormatMismatch, nil, "format %q, want %q", c.Format, cq.Format)
	}
	switch cq.Format {
	case FormatSDJWTVC:
		if !slices.Contains(cq.Meta.VCTValues, c.VCT) {
			return CandidateMatch{}, errorf(CodeMetaMismatch, nil, "vct %q is not one of vct_values", c.VCT)
		}
	case FormatJWTVCJSON, FormatLDPVC:
		if !slices.ContainsFunc(cq.Meta.TypeValues, func(alt []string) bool {
			for _, t := range alt {
				if !slices.Contains(c.Types, t) {
					return false
				}
			}
			return true
		}) {
			return CandidateMatch{}, errorf(CodeMetaMismatch, nil, "types %q match no type_values alternative", c.Types)
		}
	default:
		return CandidateMatch{}, errorf(CodeUnsupportedFormat, nil, "format %q is not supported", cq.Format)
	}
	if cq.HolderBindingRequired() && !c.HolderBinding {
		return CandidateMatch{}, errorf(CodeHolderBindingRequired, nil, "credential query %q requires cryptographic holder binding", cq.ID)
	}
	if cq.TrustedAuthorities != nil && !slices.ContainsFunc(cq.TrustedAuthorities, c.trustedBy) {
		return CandidateMatch{}, errorf(CodeUntrustedAuthority, nil, "no trusted_authorities entry of %q matches", cq.ID)
	}
	return cq.selectClaims(c.Claims)
}

// trustedBy reports whether the credential matches one value of the trusted authorities
// query. Types other than aki (etsi_tl, openid_federation) never match: hashi's verifier
// refuses them in requests and its wallet does not filter on them.
func (c *Credential) trustedBy(ta TrustedAuthoritiesQuery) bool {
	switch ta.Type {
	case AuthorityAKI:
		for _, v := range ta.Values {
			want, err := b64.RawURL(v)
			if err != nil || len(want) == 0 {
				continue
			}
			if slices.ContainsFunc(c.AuthorityKeyIDs, func(k []byte) bool { return bytes.Equal(k, want) }) {
				return true
			}
		}
	}
	return false
}

// selectClaims applies the claims and claim_sets rules of OpenID4VP 1.0 §6.4.1 to doc.
func (cq *CredentialQuery) selectClaims(doc map[string]any) (CandidateMatch, *Error) {
	m := CandidateMatch{ClaimSet: -1}
	if cq.Claims == nil {
		return m, nil
	}
	eval := func(i int) []SelectedClaim {
		cl := &cq.Claims[i]
		nodes, err := selectNodes(cl.Path, doc)
		if err != nil {
			return nil
		}
		var out []SelectedClaim
		for _, n := range nodes {
			if cl.Values == nil || valueMatches(n.v, cl.Values) {
				out = append(out, SelectedClaim{ID: cl.ID, Query: cl.Path, Path: n.path, Value: n.v})
			}
		}
		return out
	}
	if cq.ClaimSets == nil {
		for i := range cq.Claims {
			s := eval(i)
			if s == nil {
				return CandidateMatch{}, errorf(CodeClaimsNotSatisfied, nil, "claim %s is missing or has another value", cq.Claims[i].Path)
			}
			m.Claims = append(m.Claims, s...)
		}
		return m, nil
	}
	// Evaluate each claims query once, then take the first option whose claims all match.
	byID := make(map[string][]SelectedClaim, len(cq.Claims))
	for i := range cq.Claims {
		if s := eval(i); s != nil {
			byID[cq.Claims[i].ID] = s
		}
	}
	for k, opt := range cq.ClaimSets {
		ok := true
		for _, id := range opt {
			ok = ok && byID[id] != nil
		}
		if !ok {
			continue
		}
		m.ClaimSet = k
		for i := range cq.Claims { // claims query order, each claim once
			if slices.Contains(opt, cq.Claims[i].ID) {
				m.Claims = append(m.Claims, byID[cq.Claims[i].ID]...)
			}
		}
		return m, nil
	}
	return CandidateMatch{}, errorf(CodeClaimsNotSatisfied, nil, "no claim_sets option of %q is satisfied", cq.ID)
}

// valueMatches reports whether v has the type and value of one of values (OpenID4VP 1.0
// §6.3): strings and booleans compare exactly; an integer matches a JSON number of the same
// integral value, however it was decoded.
func valueMatches(v any, values []any) bool {
	for _, want := range values {
		switch w := want.(type) {
		case string:
			if s, ok := v.(string); ok && s == w {
				return true
			}
		case bool:
			if b, ok := v.(bool); ok && b == w {
				return true
			}
		case int:
			if n, ok := integer(v); ok && n == int64(w) {
				return true
			}
		case int64:
			if n, ok := integer(v); ok && n == w {
				return true
			}
		}
	}
	return false
}

// integer returns the value of a JSON number that is an integer in the int64 range.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case float64:
		if n == math.Trunc(n) && n >= -(1<<63) && n < 1<<63 {
			return int64(n), true
		}
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil {
			return integer(f)
		}
	}
	return 0, false
}
