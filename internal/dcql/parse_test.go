package dcql_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/dcql"
)

func TestParseSpecExamples(t *testing.T) {
	for _, name := range specExamples {
		t.Run("ok/"+name, func(t *testing.T) {
			q, err := dcql.Parse(readTestdata(t, name))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			// Parse(Marshal(q)) is q.
			b, err := q.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			q2, err := dcql.Parse(b)
			if err != nil {
				t.Fatalf("Parse(Marshal): %v", err)
			}
			if !reflect.DeepEqual(q, q2) {
				t.Fatalf("round trip differs:\n%#v\n%#v", q, q2)
			}
		})
	}
}

func TestParseSpecExampleContents(t *testing.T) {
	t.Run("ok/simple", func(t *testing.T) {
		q := mustParseFile(t, "simple")
		want := &dcql.Query{Credentials: []dcql.CredentialQuery{{
			ID: "my_credential", Format: dcql.FormatSDJWTVC,
			Meta: dcql.Meta{VCTValues: []string{"https://credentials.example.com/identity_credential"}},
			Claims: []dcql.ClaimsQuery{
				{Path: dcql.Path{"family_name"}},
				{Path: dcql.Path{"given_name"}},
				{Path: dcql.Path{"address", "street_address"}},
			},
		}}}
		if !reflect.DeepEqual(q, want) {
			t.Fatalf("got %#v\nwant %#v", q, want)
		}
		if !q.Credentials[0].HolderBindingRequired() {
			t.Error("holder binding must default to required")
		}
	})
	t.Run("ok/claims_alternatives", func(t *testing.T) {
		q := mustParseFile(t, "claims_alternatives")
		cq := q.Credentials[0]
		if got, want := cq.ClaimSets, [][]string{{"a", "c", "d", "e"}, {"a", "b", "e"}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("claim_sets = %v, want %v", got, want)
		}
		if cq.Claims[4].ID != "e" || !cq.Claims[4].Path.Equal(dcql.Path{"date_of_birth"}) {
			t.Fatalf("claims[4] = %#v", cq.Claims[4])
		}
	})
	t.Run("ok/credentials_alternatives", func(t *testing.T) {
		q := mustParseFile(t, "credentials_alternatives")
		if len(q.Credentials) != 5 || len(q.CredentialSets) != 2 {
			t.Fatalf("got %d credentials, %d sets", len(q.Credentials), len(q.CredentialSets))
		}
		s0, s1 := q.CredentialSets[0], q.CredentialSets[1]
		if !s0.IsRequired() || s0.Required != nil || s1.IsRequired() {
			t.Fatalf("required: %v %v", s0.Required, *s1.Required)
		}
		if !reflect.DeepEqual(s0.Options[2], []string{"pid_reduced_cred_1", "pid_reduced_cred_2"}) {
			t.Fatalf("options[2] = %v", s0.Options[2])
		}
	})
	t.Run("ok/value_matching_simple", func(t *testing.T) {
		q := mustParseFile(t, "value_matching_simple")
		cl := q.Credentials[0].Claims
		if !reflect.DeepEqual(cl[0].Values, []any{"Doe"}) || !reflect.DeepEqual(cl[3].Values, []any{"90210", "90211"}) || cl[1].Values != nil {
			t.Fatalf("values: %#v", cl)
		}
	})
	t.Run("ok/multi_credentials", func(t *testing.T) {
		q := mustParseFile(t, "multi_credentials")
		if q.Credentials[1].Format != dcql.FormatMSOMdoc || q.Credentials[1].Meta.DoctypeValue != "org.iso.7367.1.mVRC" {
			t.Fatalf("mdl = %#v", q.Credentials[1])
		}
	})
	t.Run("ok/dcql_jwt_vc", func(t *testing.T) {
		q := mustParseFile(t, "dcql_jwt_vc")
		if !reflect.DeepEqual(q.Credentials[0].Meta.TypeValues, [][]string{{"IDCredential"}}) {
			t.Fatalf("type_values = %v", q.Credentials[0].Meta.TypeValues)
		}
	})
}

func mustParseFile(t *testing.T, name string) *dcql.Query {
	t.Helper()
	return mustParse(t, string(readTestdata(t, name)))
}

func TestParseOK(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *dcql.Query
	}{
		{
			name: "ok/unknown members ignored everywhere",
			in: `{"x":1,"credentials":[{"id":"a","format":"dc+sd-jwt","future":{"y":[]},
				"meta":{"vct_values":["v"],"type_values":"ignored","z":null},
				"trusted_authorities":[{"type":"aki","values":["AQ"],"w":0}],
				"claims":[{"path":["p"],"intent_to_retain":"ignored for sd-jwt","q":1}]}],
				"credential_sets":[{"options":[["a"]],"purpose":"x"}]}`,
			want: &dcql.Query{
				Credentials: []dcql.CredentialQuery{{
					ID: "a", Format: "dc+sd-jwt", Meta: dcql.Meta{VCTValues: []string{"v"}},
					TrustedAuthorities: []dcql.TrustedAuthoritiesQuery{{Type: "aki", Values: []string{"AQ"}}},
					Claims:             []dcql.ClaimsQuery{{Path: dcql.Path{"p"}}},
				}},
				CredentialSets: []dcql.CredentialSetQuery{{Options: [][]string{{"a"}}}},
			},
		},
		{
			name: "ok/all members",
			in: `{"credentials":[{"id":"A-z_09","format":"jwt_vc_json","multiple":true,
				"meta":{"type_values":[["VerifiableCredential","UniversityDegreeCredential"],["X"]]},
				"require_cryptographic_holder_binding":false,
				"claims":[{"id":"n","path":["credentialSubject","degrees",null,0,"name"],"values":["x",-7,true,false,0]}],
				"claim_sets":[["n"]]}],
				"credential_sets":[{"options":[["A-z_09"]],"required":false}]}`,
			want: &dcql.Query{
				Credentials: []dcql.CredentialQuery{{
					ID: "A-z_09", Format: "jwt_vc_json", Multiple: true,
					Meta:                              dcql.Meta{TypeValues: [][]string{{"VerifiableCredential", "UniversityDegreeCredential"}, {"X"}}},
					RequireCryptographicHolderBinding: ptr(false),
					Claims: []dcql.ClaimsQuery{{
						ID: "n", Path: dcql.Path{"credentialSubject", "degrees", nil, 0, "name"},
						Values: []any{"x", int64(-7), true, false, int64(0)},
					}},
					ClaimSets: [][]string{{"n"}},
				}},
				CredentialSets: []dcql.CredentialSetQuery{{Options: [][]string{{"A-z_09"}}, Required: ptr(false)}},
			},
		},
		{
			name: "ok/unknown format with empty meta",
			in:   `{"credentials":[{"id":"a","format":"vc+cose","meta":{"anything":1}}]}`,
			want: &dcql.Query{Credentials: []dcql.CredentialQuery{{ID: "a", Format: "vc+cose"}}},
		},
		{
			name: "ok/mdoc intent_to_retain",
			in:   `{"credentials":[{"id":"m","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"},"claims":[{"path":["org.iso.18013.5.1","portrait"],"intent_to_retain":true}]}]}`,
			want: &dcql.Query{Credentials: []dcql.CredentialQuery{{
				ID: "m", Format: "mso_mdoc", Meta: dcql.Meta{DoctypeValue: "org.iso.18013.5.1.mDL"},
				Claims: []dcql.ClaimsQuery{{Path: dcql.Path{"org.iso.18013.5.1", "portrait"}, IntentToRetain: ptr(true)}},
			}}},
		},
		{
			name: "ok/escaped names and whitespace",
			in:   " {\"credentials\" : [ {\"\\u0069d\":\"a\", \"format\":\"dc+sd-jwt\",\"meta\":{\"vct_values\":[ \"v\" ]},\"claims\":[{\"path\":[ \"p\" , 1 , null ]}] } ] } ",
			want: &dcql.Query{Credentials: []dcql.CredentialQuery{{
				ID: "a", Format: "dc+sd-jwt", Meta: dcql.Meta{VCTValues: []string{"v"}},
				Claims: []dcql.ClaimsQuery{{Path: dcql.Path{"p", 1, nil}}},
			}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := dcql.Parse([]byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(q, tt.want) {
				t.Fatalf("got  %#v\nwant %#v", q, tt.want)
			}
		})
	}
}

// cq wraps credential query members in a query with one sd-jwt credential query "a".
func cq(members string) string {
	return `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}` + members + `}]}`
}

func TestParseFail(t *testing.T) {
	many := func(n int, item string) string {
		return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
	}
	tests := []struct {
		name string
		in   string
		want dcql.Code
	}{
		// JSON.
		{"fail/not json", `{"credentials":`, dcql.CodeMalformed},
		{"fail/trailing data", cq(``) + `{}`, dcql.CodeMalformed},
		{"fail/duplicate top-level member", `{"credentials":[],"credentials":[]}`, dcql.CodeMalformed},
		{"fail/duplicate member in credential query", `{"credentials":[{"id":"a","id":"b","format":"dc+sd-jwt","meta":{"vct_values":["v"]}}]}`, dcql.CodeMalformed},
		{"fail/duplicate member in meta", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"],"vct_values":["w"]}}]}`, dcql.CodeMalformed},
		{"fail/invalid utf-8", "{\"credentials\":[{\"id\":\"a\xff\"}]}", dcql.CodeMalformed},
		{"fail/top level array", `[]`, dcql.CodeMalformed},
		{"fail/credentials missing", `{}`, dcql.CodeMalformed},
		{"fail/credentials null", `{"credentials":null}`, dcql.CodeMalformed},
		{"fail/credentials object", `{"credentials":{}}`, dcql.CodeMalformed},
		{"fail/credential not object", `{"credentials":["a"]}`, dcql.CodeMalformed},
		{"fail/id missing", `{"credentials":[{"format":"dc+sd-jwt","meta":{"vct_values":["v"]}}]}`, dcql.CodeMalformed},
		{"fail/id case differs", `{"credentials":[{"ID":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]}}]}`, dcql.CodeMalformed},
		{"fail/id number", `{"credentials":[{"id":1,"format":"dc+sd-jwt","meta":{"vct_values":["v"]}}]}`, dcql.CodeMalformed},
		{"fail/format missing", `{"credentials":[{"id":"a","meta":{}}]}`, dcql.CodeMalformed},
		{"fail/multiple string", cq(`,"multiple":"true"`), dcql.CodeMalformed},
		{"fail/multiple null", cq(`,"multiple":null`), dcql.CodeMalformed},
		{"fail/holder binding null", cq(`,"require_cryptographic_holder_binding":null`), dcql.CodeMalformed},
		{"fail/required string", `{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[{"options":[["a"]],"required":"no"}]}`, dcql.CodeMalformed},
		{"fail/options missing", `{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[{"required":true}]}`, dcql.CodeMalformed},
		{"fail/trusted authority values missing", cq(`,"trusted_authorities":[{"type":"aki"}]`), dcql.CodeMalformed},
		{"fail/trusted authority type number", cq(`,"trusted_authorities":[{"type":1,"values":["x"]}]`), dcql.CodeMalformed},
		{"fail/claims object", cq(`,"claims":{}`), dcql.CodeMalformed},
		{"fail/claim_sets of strings", cq(`,"claims":[{"id":"x","path":["p"]}],"claim_sets":["x"]`), dcql.CodeMalformed},
		{"fail/values object", cq(`,"claims":[{"path":["p"],"values":{}}]`), dcql.CodeMalformed},

		// Structure rules of §6.
		{"fail/credentials empty", `{"credentials":[]}`, dcql.CodeInvalidQuery},
		{"fail/format empty", `{"credentials":[{"id":"a","format":"","meta":{}}]}`, dcql.CodeInvalidQuery},
		{"fail/credential_sets empty", `{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[]}`, dcql.CodeInvalidQuery},
		{"fail/options empty", `{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[{"options":[]}]}`, dcql.CodeInvalidQuery},
		{"fail/option empty", `{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[{"options":[[]]}]}`, dcql.CodeInvalidQuery},
		{"fail/claims empty", cq(`,"claims":[]`), dcql.CodeInvalidQuery},
		{"fail/claim_sets empty", cq(`,"claims":[{"id":"x","path":["p"]}],"claim_sets":[]`), dcql.CodeInvalidQuery},
		{"fail/claim_sets option empty", cq(`,"claims":[{"id":"x","path":["p"]}],"claim_sets":[[]]`), dcql.CodeInvalidQuery},
		{"fail/trusted_authorities empty", cq(`,"trusted_authorities":[]`), dcql.CodeInvalidQuery},
		{"fail/trusted authority values empty", cq(`,"trusted_authorities":[{"type":"aki","values":[]}]`), dcql.CodeInvalidQuery},
		{"fail/trusted authority type empty", cq(`,"trusted_authorities":[{"type":"","values":["x"]}]`), dcql.CodeInvalidQuery},
		{"fail/trusted authority value empty", cq(`,"trusted_authorities":[{"type":"aki","values":[""]}]`), dcql.CodeInvalidQuery},

		// Ids.
		{"fail/id empty", `{"credentials":[{"id":"","format":"x","meta":{}}]}`, dcql.CodeInvalidID},
		{"fail/id with dot", `{"credentials":[{"id":"a.b","format":"x","meta":{}}]}`, dcql.CodeInvalidID},
		{"fail/id with space", `{"credentials":[{"id":"a b","format":"x","meta":{}}]}`, dcql.CodeInvalidID},
		{"fail/id non-ascii", `{"credentials":[{"id":"ä","format":"x","meta":{}}]}`, dcql.CodeInvalidID},
		{"fail/claim id empty", cq(`,"claims":[{"id":"","path":["p"]}]`), dcql.CodeInvalidID},
		{"fail/claim id bad", cq(`,"claims":[{"id":"x/y","path":["p"]}]`), dcql.CodeInvalidID},
		{"fail/duplicate credential id", `{"credentials":[{"id":"a","format":"x","meta":{}},{"id":"a","format":"y","meta":{}}]}`, dcql.CodeDuplicateID},
		{"fail/duplicate claim id", cq(`,"claims":[{"id":"x","path":["p"]},{"id":"x","path":["q"]}]`), dcql.CodeDuplicateID},

		// References.
		{"fail/claim_sets without claims", cq(`,"claim_sets":[["x"]]`), dcql.CodeInvalidRef},
		{"fail/claim_sets with claim without id", cq(`,"claims":[{"id":"x","path":["p"]},{"path":["q"]}],"claim_sets":[["x"]]`), dcql.CodeInvalidRef},
		{"fail/claim_sets unknown id", cq(`,"claims":[{"id":"x","path":["p"]}],"claim_sets":[["x","y"]]`), dcql.CodeInvalidRef},
		{"fail/credential_sets unknown id", `{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[{"options":[["a"],["b"]]}]}`, dcql.CodeInvalidRef},

		// Meta.
		{"fail/meta missing", `{"credentials":[{"id":"a","format":"dc+sd-jwt"}]}`, dcql.CodeInvalidMeta},
		{"fail/meta missing for unknown format", `{"credentials":[{"id":"a","format":"x"}]}`, dcql.CodeInvalidMeta},
		{"fail/meta null", `{"credentials":[{"id":"a","format":"x","meta":null}]}`, dcql.CodeInvalidMeta},
		{"fail/meta array", `{"credentials":[{"id":"a","format":"x","meta":[]}]}`, dcql.CodeInvalidMeta},
		{"fail/vct_values missing", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{}}]}`, dcql.CodeInvalidMeta},
		{"fail/vct_values empty", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":[]}}]}`, dcql.CodeInvalidMeta},
		{"fail/vct_values string", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":"v"}}]}`, dcql.CodeInvalidMeta},
		{"fail/vct_values empty string", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":[""]}}]}`, dcql.CodeInvalidMeta},
		{"fail/type_values missing", `{"credentials":[{"id":"a","format":"jwt_vc_json","meta":{"vct_values":["v"]}}]}`, dcql.CodeInvalidMeta},
		{"fail/type_values flat", `{"credentials":[{"id":"a","format":"ldp_vc","meta":{"type_values":["A"]}}]}`, dcql.CodeInvalidMeta},
		{"fail/type_values inner empty", `{"credentials":[{"id":"a","format":"jwt_vc_json","meta":{"type_values":[["A"],[]]}}]}`, dcql.CodeInvalidMeta},
		{"fail/doctype_value missing", `{"credentials":[{"id":"a","format":"mso_mdoc","meta":{}}]}`, dcql.CodeInvalidMeta},
		{"fail/doctype_value array", `{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":["x"]}}]}`, dcql.CodeInvalidMeta},

		// Claims path pointers.
		{"fail/path missing", cq(`,"claims":[{"id":"x"}]`), dcql.CodeInvalidPath},
		{"fail/path empty", cq(`,"claims":[{"path":[]}]`), dcql.CodeInvalidPath},
		{"fail/path string", cq(`,"claims":[{"path":"p"}]`), dcql.CodeInvalidPath},
		{"fail/path negative index", cq(`,"claims":[{"path":["p",-1]}]`), dcql.CodeInvalidPath},
		{"fail/path fraction", cq(`,"claims":[{"path":["p",1.5]}]`), dcql.CodeInvalidPath},
		{"fail/path integral fraction", cq(`,"claims":[{"path":["p",1.0]}]`), dcql.CodeInvalidPath},
		{"fail/path exponent", cq(`,"claims":[{"path":["p",1e2]}]`), dcql.CodeInvalidPath},
		{"fail/path huge index", cq(`,"claims":[{"path":["p",99999999999999999999]}]`), dcql.CodeInvalidPath},
		{"fail/path bool", cq(`,"claims":[{"path":[true]}]`), dcql.CodeInvalidPath},
		{"fail/path object", cq(`,"claims":[{"path":[{}]}]`), dcql.CodeInvalidPath},
		{"fail/path nested array", cq(`,"claims":[{"path":[["p"]]}]`), dcql.CodeInvalidPath},
		{"fail/mdoc path of one string", `{"credentials":[{"id":"m","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"path":["ns"]}]}]}`, dcql.CodeInvalidPath},
		{"fail/mdoc path with index", `{"credentials":[{"id":"m","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"path":["ns",0]}]}]}`, dcql.CodeInvalidPath},
		{"fail/mdoc path of three strings", `{"credentials":[{"id":"m","format":"mso_mdoc","meta":{"doctype_value":"d"},"claims":[{"path":["ns","a","b"]}]}]}`, dcql.CodeInvalidPath},

		// Values.
		{"fail/values empty", cq(`,"claims":[{"path":["p"],"values":[]}]`), dcql.CodeInvalidValues},
		{"fail/values null element", cq(`,"claims":[{"path":["p"],"values":[null]}]`), dcql.CodeInvalidValues},
		{"fail/values float", cq(`,"claims":[{"path":["p"],"values":[1.5]}]`), dcql.CodeInvalidValues},
		{"fail/values exponent", cq(`,"claims":[{"path":["p"],"values":[1e3]}]`), dcql.CodeInvalidValues},
		{"fail/values object", cq(`,"claims":[{"path":["p"],"values":[{"a":1}]}]`), dcql.CodeInvalidValues},
		{"fail/values array", cq(`,"claims":[{"path":["p"],"values":[["a"]]}]`), dcql.CodeInvalidValues},
		{"fail/values beyond int64", cq(`,"claims":[{"path":["p"],"values":[9223372036854775808]}]`), dcql.CodeInvalidValues},

		// Limits.
		{"fail/too large", `{"credentials":[],"x":"` + strings.Repeat("a", dcql.MaxQuerySize) + `"}`, dcql.CodeLimitExceeded},
		{"fail/too many credentials", `{"credentials":[` + many(dcql.MaxCredentials+1, `{}`) + `]}`, dcql.CodeLimitExceeded},
		{"fail/too many claims", cq(`,"claims":[` + many(dcql.MaxClaims+1, `{"path":["p"]}`) + `]`), dcql.CodeLimitExceeded},
		{"fail/path too long", cq(`,"claims":[{"path":[` + many(dcql.MaxPathLength+1, `"p"`) + `]}]`), dcql.CodeLimitExceeded},
		{"fail/too many values", cq(`,"claims":[{"path":["p"],"values":[` + many(dcql.MaxValues+1, `1`) + `]}]`), dcql.CodeLimitExceeded},
		{"fail/too many vct_values", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":[` + many(dcql.MaxValues+1, `"v"`) + `]}}]}`, dcql.CodeLimitExceeded},
		{"fail/too many claim_sets", cq(`,"claims":[{"id":"x","path":["p"]}],"claim_sets":[` + many(dcql.MaxClaimSets+1, `["x"]`) + `]`), dcql.CodeLimitExceeded},
		{"fail/too many trusted authorities", cq(`,"trusted_authorities":[` + many(dcql.MaxTrustedAuthorities+1, `{"type":"aki","values":["x"]}`) + `]`), dcql.CodeLimitExceeded},
		{"fail/too many authority values", cq(`,"trusted_authorities":[{"type":"aki","values":[` + many(dcql.MaxAuthorityValues+1, `"x"`) + `]}]`), dcql.CodeLimitExceeded},
		{"fail/too many credential sets", `{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[` + many(dcql.MaxCredentialSets+1, `{"options":[["a"]]}`) + `]}`, dcql.CodeLimitExceeded},
		{"fail/too many options", `{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[{"options":[` + many(dcql.MaxOptions+1, `["a"]`) + `]}]}`, dcql.CodeLimitExceeded},
		{"fail/too deep", `{"credentials":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`, dcql.CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := dcql.Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse succeeded: %#v", q)
			}
			if got := dcql.CodeOf(err); got != tt.want {
				t.Fatalf("code = %q, want %q (%v)", got, tt.want, err)
			}
			if !errors.Is(err, &dcql.Error{Code: tt.want}) {
				t.Fatalf("errors.Is(err, sentinel of %q) is false", tt.want)
			}
			// json.Unmarshal into a Query is as strict as Parse.
			var viaJSON struct {
				Q dcql.Query `json:"dcql_query"`
			}
			if err := json.Unmarshal([]byte(`{"dcql_query":`+tt.in+`}`), &viaJSON); err == nil {
				t.Fatalf("json.Unmarshal accepted the query")
			}
		})
	}
}

func TestUnmarshalJSON(t *testing.T) {
	var req struct {
		DCQLQuery dcql.Query `json:"dcql_query"`
		Nonce     string     `json:"nonce"`
	}
	in := `{"nonce":"n","dcql_query":` + string(readTestdata(t, "claims_alternatives")) + `}`
	if err := json.Unmarshal([]byte(in), &req); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&req.DCQLQuery, mustParseFile(t, "claims_alternatives")) {
		t.Fatalf("got %#v", req.DCQLQuery)
	}
	err := json.Unmarshal([]byte(`{"dcql_query":{"credentials":[{"id":"a b","format":"x","meta":{}}]}}`), &req)
	if dcql.CodeOf(err) != dcql.CodeInvalidID {
		t.Fatalf("err = %v, want code %q", err, dcql.CodeInvalidID)
	}
}

func TestValidate(t *testing.T) {
	sd := func(mod func(*dcql.CredentialQuery)) *dcql.Query {
		c := dcql.CredentialQuery{ID: "a", Format: dcql.FormatSDJWTVC, Meta: dcql.Meta{VCTValues: []string{"v"}}}
		mod(&c)
		return &dcql.Query{Credentials: []dcql.CredentialQuery{c}}
	}
	tests := []struct {
		name string
		q    *dcql.Query
		want dcql.Code
	}{
		{"ok/minimal", sd(func(*dcql.CredentialQuery) {}), ""},
		{"ok/int values", sd(func(c *dcql.CredentialQuery) {
			c.Claims = []dcql.ClaimsQuery{{Path: dcql.Path{"a"}, Values: []any{1, int64(2), "x", true}}}
		}), ""},
		{"fail/nil query", nil, dcql.CodeInvalidQuery},
		{"fail/no credentials", &dcql.Query{}, dcql.CodeInvalidQuery},
		{"fail/float value", sd(func(c *dcql.CredentialQuery) {
			c.Claims = []dcql.ClaimsQuery{{Path: dcql.Path{"a"}, Values: []any{1.0}}}
		}), dcql.CodeInvalidValues},
		{"fail/non-nil empty values", sd(func(c *dcql.CredentialQuery) { c.Claims = []dcql.ClaimsQuery{{Path: dcql.Path{"a"}, Values: []any{}}} }), dcql.CodeInvalidValues},
		{"fail/path int64 component", sd(func(c *dcql.CredentialQuery) { c.Claims = []dcql.ClaimsQuery{{Path: dcql.Path{"a", int64(1)}}} }), dcql.CodeInvalidPath},
		{"fail/path negative", sd(func(c *dcql.CredentialQuery) { c.Claims = []dcql.ClaimsQuery{{Path: dcql.Path{"a", -1}}} }), dcql.CodeInvalidPath},
		{"fail/path nil", sd(func(c *dcql.CredentialQuery) { c.Claims = []dcql.ClaimsQuery{{}} }), dcql.CodeInvalidPath},
		{"fail/other format's meta member", sd(func(c *dcql.CredentialQuery) { c.Meta.DoctypeValue = "x" }), dcql.CodeInvalidMeta},
		{"fail/type_values on unknown format", sd(func(c *dcql.CredentialQuery) { c.Format = "x"; c.Meta = dcql.Meta{TypeValues: [][]string{{"T"}}} }), dcql.CodeInvalidMeta},
		{"fail/intent_to_retain on sd-jwt", sd(func(c *dcql.CredentialQuery) {
			c.Claims = []dcql.ClaimsQuery{{Path: dcql.Path{"a"}, IntentToRetain: ptr(true)}}
		}), dcql.CodeInvalidQuery},
		{"fail/empty non-nil claims", sd(func(c *dcql.CredentialQuery) { c.Claims = []dcql.ClaimsQuery{} }), dcql.CodeInvalidQuery},
		{"fail/jwt_vc_json with vct_values", sd(func(c *dcql.CredentialQuery) {
			c.Format = dcql.FormatJWTVCJSON
			c.Meta.TypeValues = [][]string{{"T"}}
		}), dcql.CodeInvalidMeta},
		{"fail/ldp_vc empty type", sd(func(c *dcql.CredentialQuery) {
			c.Format = dcql.FormatLDPVC
			c.Meta = dcql.Meta{TypeValues: [][]string{{""}}}
		}), dcql.CodeInvalidMeta},
		{"fail/ldp_vc too many types", sd(func(c *dcql.CredentialQuery) {
			c.Format = dcql.FormatLDPVC
			c.Meta = dcql.Meta{TypeValues: [][]string{make([]string, dcql.MaxValues+1)}}
		}), dcql.CodeLimitExceeded},
		{"fail/mso_mdoc with vct_values", sd(func(c *dcql.CredentialQuery) { c.Format = dcql.FormatMSOMdoc; c.Meta.DoctypeValue = "d" }), dcql.CodeInvalidMeta},
		{"ok/mso_mdoc", sd(func(c *dcql.CredentialQuery) { c.Format = dcql.FormatMSOMdoc; c.Meta = dcql.Meta{DoctypeValue: "d"} }), ""},
		{"fail/claim_sets option too long", sd(func(c *dcql.CredentialQuery) {
			c.Claims = []dcql.ClaimsQuery{{ID: "x", Path: dcql.Path{"a"}}}
			opt := make([]string, dcql.MaxClaims+1)
			for i := range opt {
				opt[i] = "x"
			}
			c.ClaimSets = [][]string{opt}
		}), dcql.CodeLimitExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.q.Validate()
			if got := dcql.CodeOf(err); got != tt.want {
				t.Fatalf("code = %q, want %q (%v)", got, tt.want, err)
			}
			if _, err := tt.q.Marshal(); dcql.CodeOf(err) != tt.want {
				t.Fatalf("Marshal: %v, want code %q", err, tt.want)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	_, err := dcql.Parse([]byte(`{"credentials":[],"credentials":[]}`))
	e, ok := errors.AsType[*dcql.Error](err)
	if !ok || e.Unwrap() == nil {
		t.Fatalf("err = %#v, want a *dcql.Error wrapping the JSON error", err)
	}
	if !strings.HasPrefix(err.Error(), "dcql: malformed: query is not strict JSON: jose: ") {
		t.Fatalf("Error() = %q", err)
	}
	_, err = dcql.Parse([]byte(`{"credentials":[{"id":"a b","format":"x","meta":{}}]}`))
	if got, want := err.Error(), `dcql: invalid_id: credentials[0].id "a b" has a character outside [A-Za-z0-9_-]`; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
