package academic

import (
	"encoding/json"
	"testing"
)

func TestScriptOf(t *testing.T) {
	tests := []struct {
		name, text, lang, want string
	}{
		{"ok/kanji-with-ja-tag", "学士（医学）", "ja", "Jpan"},
		{"ok/kana-without-tag", "ヤマダ", "", "Jpan"},
		{"ok/mixed-latin-and-kanji", "修士（AI工学）", "ja", "Jpan"},
		{"ok/han-without-tag", "学士", "", "Hani"},
		{"ok/han-with-zh-tag", "学士", "zh", "Hani"},
		{"ok/script-subtag-wins", "Gakushi (Igaku)", "ja-Latn", "Latn"},
		{"ok/latin", "Master of Science", "en", "Latn"},
		{"ok/hangul", "학사", "ko", "Hang"},
		{"ok/korean-mixed", "學士 학위", "ko", "Kore"},
		{"ok/greek", "Πτυχίο", "el", "Grek"},
		{"ok/cyrillic", "Магистр", "bg", "Cyrl"},
		{"ok/no-letters", "2025", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := scriptOf(tt.text, tt.lang); got != tt.want {
				t.Errorf("scriptOf(%q, %q) = %q, want %q", tt.text, tt.lang, got, tt.want)
			}
		})
	}
}

func TestValidCorporateNumber(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want bool
	}{
		// The National Tax Agency's own number, and the worked example of the
		// check-digit formula (財務省令第七十号 第二条).
		{"ok/nta", "7000012050002", true},
		{"ok/worked-example", "7123456789012", true},
		{"ok/sample", "7999901000001", true},
		{"fail/check-digit", "6000012050002", false},
		{"fail/transposed", "7000012500002", false},
		{"fail/leading-zero", "0000012050002", false},
		{"fail/12-digits", "700001205000", false},
		{"fail/14-digits", "70000120500020", false},
		{"fail/full-width-digits", "７０００１２０５０００２", false},
		{"fail/letters", "7000O12050002", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validCorporateNumber(tt.in); got != tt.want {
				t.Errorf("validCorporateNumber(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestCrosswalkDataChecks(t *testing.T) {
	if _, err := parseCrosswalk(crosswalkJSON); err != nil {
		t.Fatalf("embedded crosswalk: %v", err)
	}
	bad := []struct{ name, data string }{
		{"fail/unknown-member", `{"comparability":"informational comparability, never equivalence","extra":1}`},
		{"fail/wrong-comparability-note", `{"comparability":"equivalent"}`},
		{"fail/missing-degree-type-labels", `{"comparability":"informational comparability, never equivalence","degree_types":[]}`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := parseCrosswalk([]byte(tt.data)); err == nil {
				t.Error("parseCrosswalk accepted bad data")
			}
		})
	}
}

func TestCrosswalkEntryChecks(t *testing.T) {
	edits := []struct {
		name string
		edit func(f map[string]any)
	}{
		{"fail/eqf-disagrees-with-isced", func(f map[string]any) {
			entry(f, 0, 1)["eqf"] = 7.0 // 学士 665 claimed as EQF 7
		}},
		{"fail/country-in-two-schemes", func(f map[string]any) {
			s := f["schemes"].([]any)[1].(map[string]any)
			s["countries"] = append(s["countries"].([]any), "JP")
		}},
		{"fail/missing-basis", func(f map[string]any) { entry(f, 1, 0)["basis"] = "" }},
		{"fail/unknown-degree-type", func(f map[string]any) { entry(f, 0, 0)["type"] = "diploma" }},
	}
	for _, tt := range edits {
		t.Run(tt.name, func(t *testing.T) {
			var f map[string]any
			if err := json.Unmarshal(crosswalkJSON, &f); err != nil {
				t.Fatal(err)
			}
			tt.edit(f)
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := parseCrosswalk(b); err == nil {
				t.Error("parseCrosswalk accepted bad data")
			}
		})
	}
}

func entry(f map[string]any, scheme, i int) map[string]any {
	return f["schemes"].([]any)[scheme].(map[string]any)["entries"].([]any)[i].(map[string]any)
}
