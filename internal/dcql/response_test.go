package dcql_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/dcql"
)

func responseSummary(r *dcql.ResponseResult) string {
	var parts []string
	for _, p := range r.Presentations {
		code := "ok"
		if p.Err != nil {
			code = string(dcql.CodeOf(p.Err))
		}
		parts = append(parts, fmt.Sprintf("%s#%d:%s/%d", p.QueryID, p.Index, code, p.ClaimSet))
	}
	parts = append(parts, fmt.Sprintf("satisfied=%v", r.Satisfied))
	return strings.Join(parts, " ")
}

func TestCheckResponse(t *testing.T) {
	disclosed := func(vct, claims string) dcql.Credential { return sdjwtCred(vct, claims) }
	simpleOK := disclosed(vctPID, `{"family_name":"Doe","given_name":"John","address":{"street_address":"S"}}`)
	tests := []struct {
		name     string
		query    string
		resp     map[string][]dcql.Credential
		want     string    // responseSummary, "" when the result is nil
		wantCode dcql.Code // of the returned error
	}{
		{name: "ok/simple", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {simpleOK}},
			want: "my_credential#0:ok/-1 satisfied=true"},
		{name: "ok/extra disclosed claims", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {
			disclosed(vctPID, `{"family_name":"Doe","given_name":"John","address":{"street_address":"S"},"birthdate":"2000-01-01"}`)}},
			want: "my_credential#0:ok/-1 satisfied=true"},
		{name: "fail/unknown query id", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {simpleOK}, "other": {simpleOK}},
			wantCode: dcql.CodeUnknownQueryID},
		{name: "fail/empty presentation array", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {}},
			wantCode: dcql.CodePresentationCount},
		{name: "fail/two presentations without multiple", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {simpleOK, simpleOK}},
			wantCode: dcql.CodePresentationCount},
		{name: "fail/no entry", query: "simple", resp: map[string][]dcql.Credential{},
			want: "satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "fail/claim not disclosed", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {
			disclosed(vctPID, `{"family_name":"Doe","given_name":"John","address":{}}`)}},
			want: "my_credential#0:claims_not_satisfied/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "fail/wrong vct", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {
			disclosed(vctReduced, `{"family_name":"Doe","given_name":"John","address":{"street_address":"S"}}`)}},
			want: "my_credential#0:meta_mismatch/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "fail/wrong format", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {
			{Format: dcql.FormatJWTVCJSON, VCT: vctPID, HolderBinding: true, Claims: simpleOK.Claims}}},
			want: "my_credential#0:format_mismatch/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "fail/no holder binding", query: "simple", resp: map[string][]dcql.Credential{"my_credential": {
			{Format: dcql.FormatSDJWTVC, VCT: vctPID, Claims: simpleOK.Claims}}},
			want: "my_credential#0:holder_binding_required/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "fail/value mismatch", query: "value_matching_simple", resp: map[string][]dcql.Credential{"my_credential": {
			disclosed(vctPID, `{"family_name":"Doe","given_name":"John","address":{"street_address":"S"},"postal_code":"10115"}`)}},
			want: "my_credential#0:claims_not_satisfied/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "ok/second claim set", query: "claims_alternatives", resp: map[string][]dcql.Credential{"pid": {
			disclosed(vctPID, `{"family_name":"Doe","postal_code":"1","date_of_birth":"2000-01-01"}`)}},
			want: "pid#0:ok/1 satisfied=true"},
		{name: "fail/no claim set", query: "claims_alternatives", resp: map[string][]dcql.Credential{"pid": {
			disclosed(vctPID, `{"family_name":"Doe","postal_code":"1","locality":"L"}`)}},
			want: "pid#0:claims_not_satisfied/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "ok/credential set pair without optional", query: "credentials_alternatives", resp: map[string][]dcql.Credential{
			"pid_reduced_cred_1": {reduced1}, "pid_reduced_cred_2": {reduced2}},
			want: "pid_reduced_cred_1#0:ok/-1 pid_reduced_cred_2#0:ok/-1 satisfied=true"},
		{name: "ok/credential set with optional", query: "credentials_alternatives", resp: map[string][]dcql.Credential{
			"nice_to_have": {rewards}, "other_pid": {disclosed("https://othercredentials.example/pid", `{"given_name":"A","family_name":"B","address":{"street_address":"S"}}`)}},
			want: "other_pid#0:ok/-1 nice_to_have#0:ok/-1 satisfied=true"},
		{name: "fail/half a pair", query: "credentials_alternatives", resp: map[string][]dcql.Credential{
			"pid_reduced_cred_1": {reduced1}, "nice_to_have": {rewards}},
			want: "pid_reduced_cred_1#0:ok/-1 nice_to_have#0:ok/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "fail/pair with one discarded", query: "credentials_alternatives", resp: map[string][]dcql.Credential{
			"pid_reduced_cred_1": {reduced1}, "pid_reduced_cred_2": {disclosed(vctResid, `{"postal_code":"1"}`)}},
			want: "pid_reduced_cred_1#0:ok/-1 pid_reduced_cred_2#0:claims_not_satisfied/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
		{name: "fail/multi_credentials mdoc unsupported", query: "multi_credentials", resp: map[string][]dcql.Credential{
			"pid": {pidFull}, "mdl": {{Format: dcql.FormatMSOMdoc, HolderBinding: true}}},
			want: "pid#0:ok/-1 mdl#0:unsupported_format/-1 satisfied=false", wantCode: dcql.CodeUnsatisfied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := mustParseFile(t, tt.query).CheckResponse(tt.resp)
			if got := dcql.CodeOf(err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (%v)", got, tt.wantCode, err)
			}
			if tt.wantCode != "" && !errors.Is(err, &dcql.Error{Code: tt.wantCode}) {
				t.Fatalf("errors.Is with the sentinel fails for %v", err)
			}
			got := ""
			if r != nil {
				got = responseSummary(r)
			}
			if got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestCheckResponseMultiple(t *testing.T) {
	q := mustParse(t, `{"credentials":[{"id":"d","format":"dc+sd-jwt","multiple":true,"meta":{"vct_values":["urn:hashi:diploma:1"]},
		"claims":[{"path":["degree","type"],"values":["master","bachelor"]}]}],
		"credential_sets":[{"options":[["d"]]}]}`)
	good := sdjwtCred("urn:hashi:diploma:1", `{"degree":{"type":"master"}}`)
	bad := sdjwtCred("urn:hashi:diploma:1", `{"degree":{"type":"doctorate"}}`)
	r, err := q.CheckResponse(map[string][]dcql.Credential{"d": {bad, good, good}})
	if err != nil {
		t.Fatal(err)
	}
	if got := responseSummary(r); got != "d#0:claims_not_satisfied/-1 d#1:ok/-1 d#2:ok/-1 satisfied=true" {
		t.Fatalf("got %s", got)
	}
	if got := r.Accepted("d"); !reflect.DeepEqual(got, []int{1, 2}) {
		t.Fatalf("Accepted = %v", got)
	}
	if len(r.Sets) != 1 || !r.Sets[0].Required || !r.Sets[0].Satisfied() {
		t.Fatalf("sets = %#v", r.Sets)
	}
	want := []dcql.SelectedClaim{{Query: dcql.Path{"degree", "type"}, Path: dcql.Path{"degree", "type"}, Value: "master"}}
	if !reflect.DeepEqual(r.Presentations[1].Claims, want) {
		t.Fatalf("claims = %#v", r.Presentations[1].Claims)
	}
	r, err = q.CheckResponse(map[string][]dcql.Credential{"d": {bad}})
	if dcql.CodeOf(err) != dcql.CodeUnsatisfied || r == nil || r.Satisfied || r.Accepted("d") != nil {
		t.Fatalf("all bad: %v %#v", err, r)
	}
}

func TestCheckResponseLimits(t *testing.T) {
	q := mustParse(t, `{"credentials":[{"id":"d","format":"dc+sd-jwt","multiple":true,"meta":{"vct_values":["v"]}}]}`)
	if _, err := q.CheckResponse(map[string][]dcql.Credential{"d": make([]dcql.Credential, dcql.MaxPresentations+1)}); dcql.CodeOf(err) != dcql.CodeLimitExceeded {
		t.Fatalf("err = %v", err)
	}
	if _, err := (&dcql.Query{}).CheckResponse(nil); dcql.CodeOf(err) != dcql.CodeInvalidQuery {
		t.Fatalf("err = %v", err)
	}
}
