package verifier

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/hashi-vc/hashi/internal/dcql"
)

// RequestSummary is one line of the desk's list of its recent requests (Flow.Recent): what
// a request asked for and where it stands. It carries no claim of the result, no state,
// nonce or key: only what the desk's report shows about the request itself.
type RequestSummary struct {
	ID string `json:"id"`
	// Status is as Flow.Status reports it: pending, verified, rejected, declined, or expired
	// (pending past its ExpiresAt).
	Status RequestStatus `json:"status"`
	// Profile is the fixed profile (ProfileDiploma, ProfileLearning) whose DCQL query the
	// request carries; "" for any other query.
	Profile string `json:"profile,omitempty"`
	// Types are the credential types the query asks for, in query order without repeats: the
	// vct values (dc+sd-jwt), the last type of each type_values set (jwt_vc_json; the most
	// specific by convention), the doctype (mso_mdoc). Empty, never null.
	Types []string `json:"types"`
	// Policy names the desk policy the response is (or was) judged by.
	Policy      string    `json:"policy"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	CompletedAt time.Time `json:"completed_at,omitzero"`
	// Reason is the Result's reason code of a rejected request; "" otherwise.
	Reason Code `json:"reason,omitempty"`
	// WalletError is the wallet's error code of a declined request; "" otherwise.
	WalletError string `json:"wallet_error,omitempty"`
}

// Recent returns up to limit of the desk's requests, newest first (by creation time, then
// by id, descending), as summaries. It pages by keyset: a zero before starts at the newest
// request; to get the next page pass the CreatedAt and ID of the last summary of this one as
// before and beforeID (beforeID "" with a non-zero before: the requests created before
// before). A limit above MaxRecentRequests is lowered to it.
//
// Errors: CodeInvalidInput for a limit below 1, a beforeID without before or one longer
// than MaxStateLen; CodeServerError and CodeUnavailable for store failures (a stored result
// that cannot be read is CodeServerError).
func (f *Flow) Recent(ctx context.Context, before time.Time, beforeID string, limit int) ([]RequestSummary, error) {
	switch {
	case limit < 1:
		return nil, flowErr(CodeInvalidInput, "limit must be at least 1")
	case before.IsZero() && beforeID != "":
		return nil, flowErr(CodeInvalidInput, "a request id to page from needs its creation time")
	case len(beforeID) > MaxStateLen:
		return nil, flowErr(CodeInvalidInput, "the request id to page from is longer than %d bytes", MaxStateLen)
	}
	rs, err := f.st.RecentRequests(ctx, before, beforeID, min(limit, MaxRecentRequests))
	if err != nil {
		return nil, storeErr("recent requests", err)
	}
	out := make([]RequestSummary, 0, len(rs))
	for i := range rs {
		s, err := f.summary(&rs[i])
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// summary is the RequestSummary of r.
func (f *Flow) summary(r *Request) (RequestSummary, error) {
	s := RequestSummary{
		ID: r.ID, Status: f.statusOf(r), Profile: profileOf(r.Query), Types: queryTypes(r.Query), Policy: r.Policy,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, CompletedAt: r.CompletedAt, WalletError: r.WalletError,
	}
	if s.Status == StatusRejected && len(r.Result) > 0 {
		var res struct {
			Reason Code `json:"reason"`
		}
		if err := json.Unmarshal(r.Result, &res); err != nil {
			return RequestSummary{}, &Error{Code: CodeServerError, Msg: "stored result", Err: err}
		}
		s.Reason = res.Reason
	}
	return s, nil
}

// statusOf is the status of r as the desk sees it: as stored, except that a pending
// request whose ExpiresAt has passed is expired.
func (f *Flow) statusOf(r *Request) RequestStatus {
	if r.Status == StatusPending && !f.cfg.Now().Before(r.ExpiresAt) {
		return StatusExpired
	}
	return r.Status
}

// profileQueries are the stored forms (dcql.Query.Marshal) of the fixed profiles' queries,
// as CreateRequest stores them.
var profileQueries = sync.OnceValue(func() map[string][]byte {
	m := map[string][]byte{}
	for _, p := range []string{ProfileDiploma, ProfileLearning} {
		q, _ := ProfileQuery(p)
		if b, err := q.Marshal(); err == nil {
			m[p] = b
		}
	}
	return m
})

// profileOf names the fixed profile whose query is query, "" when none is.
func profileOf(query []byte) string {
	for p, b := range profileQueries() {
		if bytes.Equal(b, query) {
			return p
		}
	}
	return ""
}

// queryTypes lists the credential types a stored DCQL query asks for (RequestSummary.Types);
// empty when it cannot be read.
func queryTypes(query []byte) []string {
	var q struct {
		Credentials []struct {
			Meta dcql.Meta `json:"meta"`
		} `json:"credentials"`
	}
	out := []string{}
	if json.Unmarshal(query, &q) != nil {
		return out
	}
	add := func(t string) {
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, c := range q.Credentials {
		for _, v := range c.Meta.VCTValues {
			add(v)
		}
		for _, set := range c.Meta.TypeValues {
			if len(set) > 0 {
				add(set[len(set)-1])
			}
		}
		add(c.Meta.DoctypeValue)
	}
	return out
}
