package verifierhttp

import (
	"reflect"
	"testing"

	"github.com/hashi-vc/hashi/trustlist"
)

// TestTrustSteps: a trust path reads step by step; a step of names becomes the name in the
// page's language, else English, else the first by tag; a text step stays as it is.
func TestTrustSteps(t *testing.T) {
	t.Parallel()
	jp := []trustlist.PathStep{{Text: "JP pilot LoTE"}, {Text: "JP"},
		{Names: map[string]string{"en": "hashi Pilot Trust Services JP", "ja": "hashi パイロットトラストサービス"}},
		{Names: map[string]string{"en": "Seal CA"}}, {Text: "CN=Pilot JP Seal CA,O=hashi / JP,C=JP"}}
	for _, tc := range []struct {
		steps []trustlist.PathStep
		lang  string
		want  []named
	}{
		{nil, "en", []named{}},
		{jp, "ja", []named{{"JP pilot LoTE", ""}, {"JP", ""}, {"hashi パイロットトラストサービス", "ja"}, {"Seal CA", "en"}, {"CN=Pilot JP Seal CA,O=hashi / JP,C=JP", ""}}},
		{jp, "en", []named{{"JP pilot LoTE", ""}, {"JP", ""}, {"hashi Pilot Trust Services JP", "en"}, {"Seal CA", "en"}, {"CN=Pilot JP Seal CA,O=hashi / JP,C=JP", ""}}},
		// No name in the page's language: English, else the first by tag.
		{[]trustlist.PathStep{{Names: map[string]string{"en": "Oostland University", "nl": "Universiteit Oostland"}}}, "ja", []named{{"Oostland University", "en"}}},
		{[]trustlist.PathStep{{Names: map[string]string{"nl": "Universiteit Oostland", "fr": "Université d'Oostland"}}}, "ja", []named{{"Université d'Oostland", "fr"}}},
	} {
		if got := trustSteps(tc.steps, tc.lang); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("trustSteps(%v, %s) = %q, want %q", tc.steps, tc.lang, got, tc.want)
		}
	}
}
