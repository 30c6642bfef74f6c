package verifier

import "testing"

func TestCoversJurisdiction(t *testing.T) {
	for _, tc := range []struct {
		rule []string
		j    string
		want bool
	}{
		{[]string{"EU"}, "NL", true},
		{[]string{"EU"}, "EL", true},
		{[]string{"EU"}, "GR", true}, // a certificate's C=GR is Greece, EL in the lists
		{[]string{"EU"}, "JP", false},
		{[]string{"EU"}, "UK", false},
		{[]string{"GR"}, "EL", true},
		{[]string{"EL"}, "GR", true},
		{[]string{"GB"}, "UK", true}, // the United Kingdom's list says UK
		{[]string{"UK"}, "GB", true},
		{[]string{"JP"}, "JP", true},
		{[]string{"JP"}, "", false},
	} {
		r := Rule{Jurisdictions: tc.rule}
		if got := r.coversJurisdiction(tc.j); got != tc.want {
			t.Errorf("rule %v, jurisdiction %q: %v, want %v", tc.rule, tc.j, got, tc.want)
		}
	}
}
