package dcql

import (
	"slices"
	"strconv"
	"strings"
)

// PresentationCheck is the outcome of one presentation in a response.
type PresentationCheck struct {
	// QueryID is the vp_token key and Index the position in its array.
	QueryID string
	Index   int
	// Err is nil when the presentation answers its credential query; otherwise an *Error
	// with CodeFormatMismatch, CodeUnsupportedFormat, CodeMetaMismatch, CodeHolderBindingRequired,
	// CodeUntrustedAuthority or CodeClaimsNotSatisfied. OpenID4VP 1.0 §8.6 says to discard
	// such a presentation.
	Err error
	// ClaimSet is the first claim_sets option the disclosed claims satisfy, or -1.
	ClaimSet int
	// Claims are the requested claims found in the presentation (see SelectedClaim).
	Claims []SelectedClaim
}

// ResponseResult is the verifier's view of a response against its query.
type ResponseResult struct {
	// Satisfied reports whether the accepted presentations answer the query: every required
	// credential set has an option whose credential queries all have an accepted
	// presentation or, without credential_sets, every credential query has one.
	Satisfied bool
	// Presentations has one entry per presentation, in credential query order and then in
	// array order.
	Presentations []PresentationCheck
	// Sets has one entry per credential set query, in query order (nil without
	// credential_sets).
	Sets []SetMatch
}

// Accepted returns the indexes of the presentations for the credential query id that
// answer it.
func (r *ResponseResult) Accepted(id string) []int {
	var out []int
	for _, p := range r.Presentations {
		if p.QueryID == id && p.Err == nil {
			out = append(out, p.Index)
		}
	}
	return out
}

// CheckResponse checks the verified presentations of a vp_token, keyed by credential query
// id as in the vp_token (OpenID4VP 1.0 §8.1), against q. The caller has verified each
// presentation (signature, holder binding with nonce and audience, issuer trust, status)
// and describes it as a Credential whose Claims are only what was disclosed.
//
// The response is rejected as a whole, with a nil result, when an id is not a credential
// query id (CodeUnknownQueryID) or an entry holds no presentation or, without multiple,
// more than one (CodePresentationCount). Otherwise each presentation is checked like Match
// checks a candidate: format, vct_values / type_values, holder binding when required,
// trusted_authorities when present, and the requested claims (all of claims, or one
// claim_sets option, with values where given) among the disclosed claims. Presentations
// failing a check are listed with their error and do not count. Finally the credential
// queries and sets are evaluated; when the query is not satisfied the result comes with an
// error of CodeUnsatisfied. Extra disclosed claims are not an error here.
//
// CheckResponse does not verify anything cryptographic and does not judge issuer trust
// beyond trusted_authorities. It is the verifier's own check of the DCQL constraints that
// OpenID4VP 1.0 §14.11 says not to leave to the wallet (§8.6 steps 1, 2.2, 2.3 and 3).
func (q *Query) CheckResponse(presented map[string][]Credential) (*ResponseResult, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	total := 0
	keys := make([]string, 0, len(presented))
	for id, ps := range presented {
		keys = append(keys, id)
		total += len(ps)
	}
	if total > MaxPresentations {
		return nil, errorf(CodeLimitExceeded, nil, "%d presentations, more than %d", total, MaxPresentations)
	}
	slices.Sort(keys)
	for _, id := range keys {
		cq := q.Credential(id)
		if cq == nil {
			return nil, errorf(CodeUnknownQueryID, nil, "vp_token entry %q is not a credential query id", id)
		}
		switch n := len(presented[id]); {
		case n == 0:
			return nil, errorf(CodePresentationCount, nil, "vp_token entry %q holds no presentation", id)
		case n > 1 && !cq.Multiple:
			return nil, errorf(CodePresentationCount, nil, "vp_token entry %q holds %d presentations, but multiple is false", id, n)
		}
	}
	r := &ResponseResult{}
	have := make(map[string]bool, len(q.Credentials))
	for i := range q.Credentials {
		cq := &q.Credentials[i]
		for j := range presented[cq.ID] {
			pc := PresentationCheck{QueryID: cq.ID, Index: j, ClaimSet: -1}
			m, err := cq.match(&presented[cq.ID][j])
			if err != nil {
				pc.Err = err
			} else {
				pc.ClaimSet, pc.Claims = m.ClaimSet, m.Claims
				have[cq.ID] = true
			}
			r.Presentations = append(r.Presentations, pc)
		}
	}
	r.Sets, r.Satisfied = q.evalSets(have)
	if !r.Satisfied {
		return r, errorf(CodeUnsatisfied, nil, "%s", q.unsatisfied(r.Sets, have))
	}
	return r, nil
}

// unsatisfied describes why the query is not satisfied.
func (q *Query) unsatisfied(sets []SetMatch, have map[string]bool) string {
	if sets == nil {
		var missing []string
		for _, cq := range q.Credentials {
			if !have[cq.ID] {
				missing = append(missing, cq.ID)
			}
		}
		return "no accepted presentation for credential queries " + strings.Join(missing, ", ")
	}
	for i, s := range sets {
		if s.Required && !s.Satisfied() {
			return "required credential set " + strconv.Itoa(i) + " has no satisfied option"
		}
	}
	return "not satisfied"
}
