package academic

import (
	"strings"
	"testing"
)

// TestLevelBasisText: every basis the crosswalk records, and the learning
// credential's, has Japanese words; a registrar's own basis stays as it is.
func TestLevelBasisText(t *testing.T) {
	cw, err := loadCrosswalk()
	if err != nil {
		t.Fatal(err)
	}
	bases := []string{BasisLearningCredential}
	for _, byType := range cw.byCountry {
		for _, entries := range byType {
			for _, e := range entries {
				bases = append(bases, e.level.Basis)
			}
		}
	}
	for _, b := range bases {
		ja, ok := LevelBasisText(b, "ja")
		if !ok || ja == b || strings.Contains(ja, " by ") || strings.Contains(ja, " via ") {
			t.Errorf("basis %q in Japanese: %q, %v", b, ja, ok)
		}
		if en, ok := LevelBasisText(b, "en-GB"); !ok || en != b {
			t.Errorf("basis %q in English: %q, %v", b, en, ok)
		}
		if got, ok := ClaimValueText(VCTHashiDiploma, []any{"degree", "level", "basis"}, b, "ja"); !ok || got != ja {
			t.Errorf("ClaimValueText basis %q = %q, %v", b, got, ok)
		}
	}
	if got, ok := LevelBasisText("registrar", "ja"); ok || got != "registrar" {
		t.Errorf("own basis: %q, %v", got, ok)
	}
}

// TestCountryNamesCoverCrosswalk: every country the crosswalk classifies has a
// name in English and Japanese.
func TestCountryNamesCoverCrosswalk(t *testing.T) {
	cw, err := loadCrosswalk()
	if err != nil {
		t.Fatal(err)
	}
	for c := range cw.byCountry {
		en, ok1 := CountryName(c, "en")
		ja, ok2 := CountryName(c, "ja")
		if !ok1 || !ok2 || en == c || ja == c || en == ja {
			t.Errorf("country %s: %q, %q", c, en, ja)
		}
	}
}
