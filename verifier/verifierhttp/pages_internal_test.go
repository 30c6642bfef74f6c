package verifierhttp

import (
	"reflect"
	"testing"
)

// TestTrustSteps: the core's trust path in words is read back step by step; a step of names
// in several languages ("Name [en] / 名前 [ja]", as trustlist writes them) becomes the name in
// the page's language, else English, else the first by tag; anything else stays whole.
func TestTrustSteps(t *testing.T) {
	t.Parallel()
	const jp = "JP pilot LoTE → JP → hashi Pilot Trust Services JP [en] / hashi パイロットトラストサービス [ja] → Seal CA [en] → CN=Pilot JP Seal CA,O=hashi / JP,C=JP"
	for _, tc := range []struct {
		path, lang string
		want       []named
	}{
		{"", "en", nil},
		{jp, "ja", []named{{"JP pilot LoTE", ""}, {"JP", ""}, {"hashi パイロットトラストサービス", "ja"}, {"Seal CA", "en"}, {"CN=Pilot JP Seal CA,O=hashi / JP,C=JP", ""}}},
		{jp, "en", []named{{"JP pilot LoTE", ""}, {"JP", ""}, {"hashi Pilot Trust Services JP", "en"}, {"Seal CA", "en"}, {"CN=Pilot JP Seal CA,O=hashi / JP,C=JP", ""}}},
		// No name in the page's language: English, else the first by tag.
		{"L → Oostland University [en] / Universiteit Oostland [nl]", "ja", []named{{"L", ""}, {"Oostland University", "en"}}},
		{"L → Universiteit Oostland [nl] / Université d'Oostland [fr]", "ja", []named{{"L", ""}, {"Université d'Oostland", "fr"}}},
		// Not a step of names: kept whole.
		{"A / B → C [en] / D → E [not a tag!] → [en] → F [en] / G [en]", "en",
			[]named{{"A / B", ""}, {"C [en] / D", ""}, {"E [not a tag!]", ""}, {"[en]", ""}, {"F [en] / G [en]", ""}}},
	} {
		if got := trustSteps(tc.path, tc.lang); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("trustSteps(%q, %s) = %q, want %q", tc.path, tc.lang, got, tc.want)
		}
	}
}
