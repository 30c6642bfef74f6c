package dcql_test

import (
	"encoding/json"
	"fmt"

	"github.com/hashi-vc/hashi/internal/dcql"
)

// A verifier builds a query for the hashi diploma (SD-JWT VC) issued under a CA with a
// known AuthorityKeyIdentifier, asking for the name, the degree title and the EQF level.
func Example_buildQuery() {
	q := &dcql.Query{Credentials: []dcql.CredentialQuery{{
		ID:     "diploma",
		Format: dcql.FormatSDJWTVC,
		Meta:   dcql.Meta{VCTValues: []string{"urn:hashi:diploma:1"}},
		TrustedAuthorities: []dcql.TrustedAuthoritiesQuery{{
			Type: dcql.AuthorityAKI, Values: []string{"s9tIpPmhxdiuNkHMEWNpYim8S8Y"},
		}},
		Claims: []dcql.ClaimsQuery{
			{Path: dcql.Path{"family_name"}},
			{Path: dcql.Path{"given_name"}},
			{Path: dcql.Path{"degree", "title"}},
			{Path: dcql.Path{"degree", "level", "eqf"}, Values: []any{6, 7, 8}},
		},
	}}}
	b, err := q.Marshal()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(b))
	fmt.Println("holder binding required:", q.Credentials[0].HolderBindingRequired())
	// Output:
	// {"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["urn:hashi:diploma:1"]},"trusted_authorities":[{"type":"aki","values":["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}],"claims":[{"path":["family_name"]},{"path":["given_name"]},{"path":["degree","title"]},{"path":["degree","level","eqf"],"values":[6,7,8]}]}]}
	// holder binding required: true
}

func ExampleParse() {
	_, err := dcql.Parse([]byte(`{"credentials":[{"id":"my credential","format":"dc+sd-jwt","meta":{"vct_values":["urn:hashi:diploma:1"]}}]}`))
	fmt.Println(dcql.CodeOf(err))
	q, err := dcql.Parse([]byte(`{"credentials":[{"id":"d","format":"dc+sd-jwt","meta":{"vct_values":["urn:hashi:diploma:1"]},"claims":[{"path":["degree",null]}]}]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q.Credentials[0].ID, q.Credentials[0].Claims[0].Path)
	// Output:
	// invalid_id
	// d ["degree",null]
}

func ExampleSelect() {
	var doc any
	_ = json.Unmarshal([]byte(`{"degrees":[{"type":"Bachelor of Science"},{"type":"Master of Science"}]}`), &doc)
	v, err := dcql.Select(dcql.Path{"degrees", nil, "type"}, doc)
	fmt.Println(v, err)
	_, err = dcql.Select(dcql.Path{"degrees", "type"}, doc)
	fmt.Println(dcql.CodeOf(err))
	// Output:
	// [Bachelor of Science Master of Science] <nil>
	// path_type_mismatch
}

func ExampleQuery_Match() {
	q, _ := dcql.Parse([]byte(`{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["urn:hashi:diploma:1"]},
		"claims":[{"id":"name","path":["family_name"]},{"id":"eqf","path":["degree","level","eqf"],"values":[7]},{"id":"type","path":["degree","type"]}],
		"claim_sets":[["name","eqf"],["name","type"]]}]}`))
	wallet := []dcql.Credential{
		{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true,
			Claims: map[string]any{"family_name": "Sato", "degree": map[string]any{"type": "bachelor", "level": map[string]any{"eqf": 6}}}},
		{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true,
			Claims: map[string]any{"family_name": "Sato", "degree": map[string]any{"type": "master", "level": map[string]any{"eqf": 7}}}},
	}
	r, err := q.Match(wallet)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("satisfiable:", r.Satisfiable)
	for _, c := range r.Query("diploma").Candidates {
		fmt.Println("credential", c.Index, "claim set", c.ClaimSet, "disclose", c.Paths())
	}
	// Output:
	// satisfiable: true
	// credential 0 claim set 1 disclose [["family_name"] ["degree","type"]]
	// credential 1 claim set 0 disclose [["family_name"] ["degree","level","eqf"]]
}

func ExampleQuery_CheckResponse() {
	q, _ := dcql.Parse([]byte(`{"credentials":[{"id":"diploma","format":"dc+sd-jwt","meta":{"vct_values":["urn:hashi:diploma:1"]},
		"claims":[{"path":["family_name"]},{"path":["degree","title"]}]}]}`))
	// What the verifier learnt from the verified SD-JWT VC presentation.
	presented := dcql.Credential{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true,
		Claims: map[string]any{"family_name": "Sato", "degree": map[string]any{}}}
	r, err := q.CheckResponse(map[string][]dcql.Credential{"diploma": {presented}})
	fmt.Println(dcql.CodeOf(err), dcql.CodeOf(r.Presentations[0].Err))
	// Output:
	// unsatisfied claims_not_satisfied
}
