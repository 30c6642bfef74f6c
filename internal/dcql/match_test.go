package dcql_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
)

const (
	vctPID     = "https://credentials.example.com/identity_credential"
	vctReduced = "https://credentials.example.com/reduced_identity_credential"
	vctResid   = "https://cred.example/residence_credential"
	vctRewards = "https://company.example/company_rewards"
)

func sdjwtCred(vct, claims string) dcql.Credential {
	var m map[string]any
	if err := json.Unmarshal([]byte(claims), &m); err != nil {
		panic(err)
	}
	return dcql.Credential{Format: dcql.FormatSDJWTVC, VCT: vct, Claims: m, HolderBinding: true}
}

var (
	pidFull = sdjwtCred(vctPID, `{"given_name":"Erika","family_name":"Doe","date_of_birth":"1984-01-26",
		"postal_code":"90210","locality":"Berlin","region":"BE","address":{"street_address":"Heidestr. 17"},
		"nationalities":["DE","FR"]}`)
	pidNoStreet   = sdjwtCred(vctPID, `{"given_name":"Max","family_name":"Doe","address":{"locality":"Berlin"}}`)
	pidPostalOnly = sdjwtCred(vctPID, `{"family_name":"Doe","postal_code":"90211","date_of_birth":"1990-01-01"}`)
	pidNoBirth    = sdjwtCred(vctPID, `{"family_name":"Doe","postal_code":"90211","locality":"L","region":"R"}`)
	reduced1      = sdjwtCred(vctReduced, `{"family_name":"Doe","given_name":"John"}`)
	reduced2      = sdjwtCred(vctResid, `{"postal_code":"90210","locality":"L","region":"R"}`)
	rewards       = sdjwtCred(vctRewards, `{"rewards_number":4711}`)
)

// summary renders a match compactly: per query "id: idx/set[paths] ...", then per set the
// satisfied options, then the overall verdict.
func summary(r *dcql.MatchResult) string {
	var b strings.Builder
	for _, q := range r.Queries {
		fmt.Fprintf(&b, "%s:", q.ID)
		for _, c := range q.Candidates {
			fmt.Fprintf(&b, " %d/%d", c.Index, c.ClaimSet)
			for _, p := range c.Paths() {
				b.WriteString(p.String())
			}
		}
		b.WriteString("; ")
	}
	for i, s := range r.Sets {
		fmt.Fprintf(&b, "set%d:", i)
		for j, o := range s.Options {
			if o.Satisfied {
				fmt.Fprintf(&b, " %d", j)
			}
		}
		b.WriteString("; ")
	}
	fmt.Fprintf(&b, "satisfiable=%v", r.Satisfiable)
	return b.String()
}

func TestMatchSpecExamples(t *testing.T) {
	tests := []struct {
		name  string
		query string
		creds []dcql.Credential
		want  string
	}{
		{"ok/simple", "simple", []dcql.Credential{pidNoStreet, pidFull},
			`my_credential: 1/-1["family_name"]["given_name"]["address","street_address"]; satisfiable=true`},
		{"fail/simple missing claim", "simple", []dcql.Credential{pidNoStreet},
			`my_credential:; satisfiable=false`},
		{"ok/simple two candidates", "simple", []dcql.Credential{pidFull, reduced1, pidFull},
			`my_credential: 0/-1["family_name"]["given_name"]["address","street_address"] 2/-1["family_name"]["given_name"]["address","street_address"]; satisfiable=true`},
		{"ok/claims_alternatives first option", "claims_alternatives", []dcql.Credential{pidFull},
			`pid: 0/0["family_name"]["locality"]["region"]["date_of_birth"]; satisfiable=true`},
		{"ok/claims_alternatives second option", "claims_alternatives", []dcql.Credential{pidPostalOnly},
			`pid: 0/1["family_name"]["postal_code"]["date_of_birth"]; satisfiable=true`},
		{"fail/claims_alternatives no option", "claims_alternatives", []dcql.Credential{pidNoBirth},
			`pid:; satisfiable=false`},
		{"ok/credentials_alternatives pid", "credentials_alternatives", []dcql.Credential{rewards, pidFull},
			`pid: 1/-1["given_name"]["family_name"]["address","street_address"]; other_pid:; pid_reduced_cred_1:; pid_reduced_cred_2:; nice_to_have: 0/-1["rewards_number"]; set0: 0; set1: 0; satisfiable=true`},
		{"ok/credentials_alternatives reduced pair without optional", "credentials_alternatives", []dcql.Credential{reduced2, reduced1},
			`pid:; other_pid:; pid_reduced_cred_1: 1/-1["family_name"]["given_name"]; pid_reduced_cred_2: 0/-1["postal_code"]["locality"]["region"]; nice_to_have:; set0: 2; set1:; satisfiable=true`},
		{"fail/credentials_alternatives half a pair", "credentials_alternatives", []dcql.Credential{reduced1, rewards},
			`pid:; other_pid:; pid_reduced_cred_1: 0/-1["family_name"]["given_name"]; pid_reduced_cred_2:; nice_to_have: 1/-1["rewards_number"]; set0:; set1: 0; satisfiable=false`},
		{"ok/value_matching", "value_matching_simple", []dcql.Credential{pidPostalOnly, pidFull},
			`my_credential: 1/-1["family_name"]["given_name"]["address","street_address"]["postal_code"]; satisfiable=true`},
		{"fail/value_matching wrong family_name", "value_matching_simple", []dcql.Credential{
			sdjwtCred(vctPID, `{"given_name":"A","family_name":"Roe","postal_code":"90210","address":{"street_address":"S"}}`)},
			`my_credential:; satisfiable=false`},
		{"fail/value_matching wrong postal_code", "value_matching_simple", []dcql.Credential{
			sdjwtCred(vctPID, `{"given_name":"A","family_name":"Doe","postal_code":"10115","address":{"street_address":"S"}}`)},
			`my_credential:; satisfiable=false`},
		{"fail/multi_credentials mdoc never matches", "multi_credentials", []dcql.Credential{pidFull,
			{Format: dcql.FormatMSOMdoc, Claims: map[string]any{"org.iso.7367.1": map[string]any{"vehicle_holder": "x"}, "org.iso.18013.5.1": map[string]any{"given_name": "y"}}, HolderBinding: true}},
			`pid: 0/-1["given_name"]["family_name"]["address","street_address"]; mdl:; satisfiable=false`},
		{"ok/jwt_vc type subset", "dcql_jwt_vc", []dcql.Credential{{
			Format: dcql.FormatJWTVCJSON, Types: []string{"VerifiableCredential", "IDCredential"}, HolderBinding: true,
			Claims: map[string]any{"credentialSubject": map[string]any{"given_name": "Max", "family_name": "Mustermann"}},
		}}, `example_jwt_vc: 0/-1["credentialSubject","family_name"]["credentialSubject","given_name"]; satisfiable=true`},
		{"fail/jwt_vc other type", "dcql_jwt_vc", []dcql.Credential{{
			Format: dcql.FormatJWTVCJSON, Types: []string{"VerifiableCredential", "UniversityDegreeCredential"}, HolderBinding: true,
			Claims: map[string]any{"credentialSubject": map[string]any{"given_name": "Max", "family_name": "Mustermann"}},
		}}, `example_jwt_vc:; satisfiable=false`},
		{"fail/ldp_vc is not jwt_vc_json", "dcql_jwt_vc", []dcql.Credential{{
			Format: dcql.FormatLDPVC, Types: []string{"VerifiableCredential", "IDCredential"}, HolderBinding: true,
			Claims: map[string]any{"credentialSubject": map[string]any{"given_name": "Max", "family_name": "Mustermann"}},
		}}, `example_jwt_vc:; satisfiable=false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustParseFile(t, tt.query)
			r, err := q.Match(tt.creds)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(r); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestMatchRules(t *testing.T) {
	diploma, err := academic.SampleEUMaster().HashiDiplomaClaims()
	if err != nil {
		t.Fatal(err)
	}
	dip := dcql.Credential{Format: dcql.FormatSDJWTVC, VCT: diploma.VCT, Claims: diploma.Claims, HolderBinding: true,
		AuthorityKeyIDs: [][]byte{{0xb3, 0xdb, 0x48, 0xa4, 0xf9, 0xa1, 0xc5, 0xd8, 0xae, 0x36, 0x41, 0xcc, 0x11, 0x63, 0x69, 0x62, 0x29, 0xbc, 0x4b, 0xc6}}}
	// The same claims decoded from JSON: numbers are float64.
	raw, err := json.Marshal(diploma.Claims)
	if err != nil {
		t.Fatal(err)
	}
	dipJSON := dip
	dipJSON.Claims = nil
	if err := json.Unmarshal(raw, &dipJSON.Claims); err != nil {
		t.Fatal(err)
	}
	unbound := dip
	unbound.HolderBinding = false

	const head = `{"credentials":[{"id":"d","format":"dc+sd-jwt","meta":{"vct_values":["urn:hashi:diploma:1"]}`
	tests := []struct {
		name  string
		query string // members after meta
		creds []dcql.Credential
		want  string
	}{
		{"ok/no claims requests only mandatory parts", ``, []dcql.Credential{dip}, `d: 0/-1; satisfiable=true`},
		{"fail/vct mismatch", ``, []dcql.Credential{{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:2", HolderBinding: true}}, `d:; satisfiable=false`},
		{"fail/format mismatch", ``, []dcql.Credential{{Format: dcql.FormatJWTVCJSON, VCT: "urn:hashi:diploma:1", HolderBinding: true}}, `d:; satisfiable=false`},
		{"fail/holder binding required by default", ``, []dcql.Credential{unbound}, `d:; satisfiable=false`},
		{"ok/holder binding not required", `,"require_cryptographic_holder_binding":false`, []dcql.Credential{unbound, dip}, `d: 0/-1 1/-1; satisfiable=true`},
		{"fail/holder binding explicitly required", `,"require_cryptographic_holder_binding":true`, []dcql.Credential{unbound}, `d:; satisfiable=false`},
		{"ok/aki", `,"trusted_authorities":[{"type":"aki","values":["AAAA","s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}]`, []dcql.Credential{dip, unbound}, `d: 0/-1; satisfiable=true`},
		{"fail/aki other", `,"trusted_authorities":[{"type":"aki","values":["s9tIpPmhxdiuNkHMEWNpYim8S8A"]}]`, []dcql.Credential{dip}, `d:; satisfiable=false`},
		{"fail/aki non-canonical base64url", `,"trusted_authorities":[{"type":"aki","values":["s9tIpPmhxdiuNkHMEWNpYim8S8Z"]}]`, []dcql.Credential{dip}, `d:; satisfiable=false`},
		{"fail/aki padded base64", `,"trusted_authorities":[{"type":"aki","values":["s9tIpPmhxdiuNkHMEWNpYim8S8Y="]}]`, []dcql.Credential{dip}, `d:; satisfiable=false`},
		{"ok/aki second entry", `,"trusted_authorities":[{"type":"aki","values":["AAAA"]},{"type":"aki","values":["s9tIpPmhxdiuNkHMEWNpYim8S8Y"]}]`, []dcql.Credential{dip}, `d: 0/-1; satisfiable=true`},
		{"fail/etsi_tl unsupported", `,"trusted_authorities":[{"type":"etsi_tl","values":["https://lotl.example.eu"]}]`, []dcql.Credential{dip}, `d:; satisfiable=false`},
		{"fail/openid_federation unsupported", `,"trusted_authorities":[{"type":"openid_federation","values":["https://lotl.example.eu"]}]`, []dcql.Credential{dip}, `d:; satisfiable=false`},
		{"ok/diploma claims", `,"claims":[{"path":["given_name"]},{"path":["family_name"]},{"path":["degree","title"]},{"path":["degree","level","eqf"],"values":[6,7]}]`,
			[]dcql.Credential{dip, dipJSON}, `d: 0/-1["given_name"]["family_name"]["degree","title"]["degree","level","eqf"] 1/-1["given_name"]["family_name"]["degree","title"]["degree","level","eqf"]; satisfiable=true`},
		{"fail/integer is not a string", `,"claims":[{"path":["degree","level","eqf"],"values":["7"]}]`, []dcql.Credential{dip, dipJSON}, `d:; satisfiable=false`},
		{"fail/string is not an integer", `,"claims":[{"path":["degree","level","isced"],"values":[7]}]`, []dcql.Credential{dip, dipJSON}, `d:; satisfiable=false`},
		{"fail/integer value differs", `,"claims":[{"path":["degree","level","eqf"],"values":[8]}]`, []dcql.Credential{dip, dipJSON}, `d:; satisfiable=false`},
		{"ok/values pick array elements", `,"claims":[{"path":["awarding_body","identifiers",null,"scheme"],"values":["erasmus","schac"]}]`, []dcql.Credential{dip},
			`d: 0/-1["awarding_body","identifiers",0,"scheme"]["awarding_body","identifiers",1,"scheme"]; satisfiable=true`},
		{"ok/null without values selects every element", `,"claims":[{"path":["degree","languages",null]}]`, []dcql.Credential{dip}, `d: 0/-1["degree","languages",0]; satisfiable=true`},
		{"fail/path through a string", `,"claims":[{"path":["given_name","x"]}]`, []dcql.Credential{dip}, `d:; satisfiable=false`},
		{"ok/duplicate claim queries disclosed once", `,"claims":[{"path":["given_name"]},{"path":["given_name"]}]`, []dcql.Credential{dip}, `d: 0/-1["given_name"]; satisfiable=true`},
		{"ok/claim_sets prefer first", `,"claims":[{"id":"dob","path":["birthdate"]},{"id":"t","path":["degree","type"]},{"id":"nope","path":["age_over_18"]}],"claim_sets":[["nope","t"],["t","dob"],["t"]]`,
			[]dcql.Credential{dip}, `d: 0/1["birthdate"]["degree","type"]; satisfiable=true`},
		{"ok/bool value", `,"claims":[{"path":["b"],"values":[true]}]`, []dcql.Credential{{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true, Claims: map[string]any{"b": true}},
			{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true, Claims: map[string]any{"b": "true"}},
			{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true, Claims: map[string]any{"b": 1}}}, `d: 0/-1["b"]; satisfiable=true`},
		{"ok/json.Number and int64 claims", `,"claims":[{"path":["n"],"values":[9007199254740993]}]`, []dcql.Credential{
			{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true, Claims: map[string]any{"n": json.Number("9007199254740993")}},
			{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true, Claims: map[string]any{"n": int64(9007199254740993)}},
			{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true, Claims: map[string]any{"n": json.Number("9007199254740993.5")}},
			{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true, Claims: map[string]any{"n": 7.5}}}, `d: 0/-1["n"] 1/-1["n"]; satisfiable=true`},
		{"fail/nil claims", `,"claims":[{"path":["given_name"]}]`, []dcql.Credential{{Format: dcql.FormatSDJWTVC, VCT: "urn:hashi:diploma:1", HolderBinding: true}}, `d:; satisfiable=false`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := mustParse(t, head+tt.query+`}]}`)
			r, err := q.Match(tt.creds)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(r); got != tt.want {
				t.Fatalf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestMatchSelectedClaims(t *testing.T) {
	q := mustParse(t, `{"credentials":[{"id":"p","format":"dc+sd-jwt","meta":{"vct_values":["`+vctPID+`"]},
		"claims":[{"id":"n","path":["nationalities",null],"values":["FR"]},{"id":"g","path":["given_name"]}]}]}`)
	r, err := q.Match([]dcql.Credential{pidFull})
	if err != nil {
		t.Fatal(err)
	}
	got := r.Query("p").Candidates[0].Claims
	want := []dcql.SelectedClaim{
		{ID: "n", Query: dcql.Path{"nationalities", nil}, Path: dcql.Path{"nationalities", 1}, Value: "FR"},
		{ID: "g", Query: dcql.Path{"given_name"}, Path: dcql.Path{"given_name"}, Value: "Erika"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %#v\nwant %#v", got, want)
	}
	if r.Query("nope") != nil {
		t.Fatal("Query(nope) is not nil")
	}
}

func TestMatchFail(t *testing.T) {
	q := mustParseFile(t, "simple")
	if _, err := q.Match(make([]dcql.Credential, dcql.MaxCandidates+1)); dcql.CodeOf(err) != dcql.CodeLimitExceeded {
		t.Fatalf("err = %v, want %q", err, dcql.CodeLimitExceeded)
	}
	bad := &dcql.Query{}
	if _, err := bad.Match(nil); dcql.CodeOf(err) != dcql.CodeInvalidQuery {
		t.Fatalf("err = %v, want %q", err, dcql.CodeInvalidQuery)
	}
}

func TestMatchRejected(t *testing.T) {
	q := mustParse(t, `{"credentials":[{"id":"p","format":"dc+sd-jwt","meta":{"vct_values":["`+vctPID+`"]},
		"trusted_authorities":[{"type":"aki","values":["AQID"]}],"claims":[{"path":["given_name"]}]}]}`)
	trusted := func(c dcql.Credential) dcql.Credential {
		c.AuthorityKeyIDs = [][]byte{{1, 2, 3}}
		return c
	}
	unbound := trusted(pidFull)
	unbound.HolderBinding = false
	r, err := q.Match([]dcql.Credential{
		reduced1,                   // other vct: not listed
		pidFull,                    // no trusted list
		unbound,                    // no holder binding
		trusted(pidPostalOnly),     // no given_name
		trusted(pidFull),           // matches
		{Format: dcql.FormatLDPVC}, // other format: not listed
	})
	if err != nil {
		t.Fatal(err)
	}
	qm := r.Query("p")
	var got []string
	for _, rj := range qm.Rejected {
		got = append(got, fmt.Sprintf("%d:%s", rj.Index, dcql.CodeOf(rj.Err)))
	}
	want := []string{"1:untrusted_authority", "2:holder_binding_required", "3:claims_not_satisfied"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rejected %v, want %v", got, want)
	}
	if len(qm.Candidates) != 1 || qm.Candidates[0].Index != 4 {
		t.Fatalf("candidates %+v", qm.Candidates)
	}
}

func TestDefaultChoice(t *testing.T) {
	choice := func(r *dcql.MatchResult) string {
		c := r.DefaultChoice()
		if c == nil {
			return "nil"
		}
		var parts []string
		for _, id := range slicesSorted(c) {
			for _, m := range c[id] {
				parts = append(parts, fmt.Sprintf("%s=%d", id, m.Index))
			}
		}
		return strings.Join(parts, " ")
	}
	tests := []struct {
		name  string
		query string
		creds []dcql.Credential
		want  string
	}{
		{"ok/first option, optional set left out", "credentials_alternatives", []dcql.Credential{rewards, reduced1, reduced2, pidFull, pidFull}, "pid=3"},
		{"ok/later option", "credentials_alternatives", []dcql.Credential{reduced2, rewards, reduced1}, "pid_reduced_cred_1=2 pid_reduced_cred_2=0"},
		{"ok/no credential sets", "simple", []dcql.Credential{pidNoStreet, pidFull, pidFull}, "my_credential=1"},
		{"fail/not satisfiable", "credentials_alternatives", []dcql.Credential{rewards}, "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := mustParseFile(t, tt.query).Match(tt.creds)
			if err != nil {
				t.Fatal(err)
			}
			if got := choice(r); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func slicesSorted(m map[string][]dcql.CandidateMatch) []string {
	return slices.Sorted(maps.Keys(m))
}
