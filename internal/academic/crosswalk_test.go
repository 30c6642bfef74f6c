package academic_test

import (
	"errors"
	"math"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

func TestClassify(t *testing.T) {
	const nic = "ISCED2011 via NIC-Japan"
	tests := []struct {
		name      string
		country   string
		typ       academic.DegreeType
		years     float64
		wantISCED string
		wantEQF   int
		wantBasis string // "" = any non-empty basis
		wantCode  academic.Code
	}{
		{name: "ok/jp-associate-2y", country: "JP", typ: academic.DegreeAssociate, years: 2, wantISCED: "544", wantEQF: 5, wantBasis: nic},
		{name: "ok/jp-associate-3y", country: "JP", typ: academic.DegreeAssociate, years: 3, wantISCED: "544", wantEQF: 5, wantBasis: nic},
		{name: "ok/jp-associate-standard", country: "JP", typ: academic.DegreeAssociate, wantISCED: "544", wantEQF: 5, wantBasis: nic},
		{name: "ok/jp-bachelor-4y", country: "JP", typ: academic.DegreeBachelor, years: 4, wantISCED: "665", wantEQF: 6, wantBasis: nic},
		{name: "ok/jp-bachelor-standard", country: "JP", typ: academic.DegreeBachelor, wantISCED: "665", wantEQF: 6, wantBasis: nic},
		{name: "ok/jp-bachelor-6y-medicine-is-eqf-7-not-6", country: "JP", typ: academic.DegreeBachelor, years: 6, wantISCED: "766", wantEQF: 7, wantBasis: nic},
		{name: "ok/jp-bachelor-long", country: "JP", typ: academic.DegreeBachelorLong, wantISCED: "766", wantEQF: 7, wantBasis: nic},
		{name: "ok/jp-bachelor-long-6y", country: "JP", typ: academic.DegreeBachelorLong, years: 6, wantISCED: "766", wantEQF: 7, wantBasis: nic},
		{name: "ok/jp-bachelor-professional", country: "JP", typ: academic.DegreeBachelorProfessional, wantISCED: "6", wantEQF: 6},
		{name: "ok/jp-master", country: "JP", typ: academic.DegreeMaster, years: 2, wantISCED: "7", wantEQF: 7},
		{name: "ok/jp-master-1y", country: "JP", typ: academic.DegreeMaster, years: 1, wantISCED: "7", wantEQF: 7},
		{name: "ok/jp-professional-degree-3y", country: "JP", typ: academic.DegreeProfessionalMaster, years: 3, wantISCED: "7", wantEQF: 7},
		{name: "ok/jp-doctorate", country: "JP", typ: academic.DegreeDoctorate, years: 3, wantISCED: "8", wantEQF: 8},
		{name: "ok/jp-lower-case-country", country: "jp", typ: academic.DegreeMaster, wantISCED: "7", wantEQF: 7},
		{name: "ok/eu-short-cycle", country: "FR", typ: academic.DegreeAssociate, wantISCED: "5", wantEQF: 5, wantBasis: "QF-EHEA short cycle → EQF 5"},
		{name: "ok/eu-first-cycle", country: "DE", typ: academic.DegreeBachelor, years: 3, wantISCED: "6", wantEQF: 6, wantBasis: "QF-EHEA first cycle → EQF 6"},
		{name: "ok/eu-professional-bachelor", country: "NL", typ: academic.DegreeBachelorProfessional, years: 4, wantISCED: "6", wantEQF: 6},
		{name: "ok/eu-second-cycle", country: "NL", typ: academic.DegreeMaster, years: 1, wantISCED: "7", wantEQF: 7, wantBasis: "QF-EHEA second cycle → EQF 7"},
		{name: "ok/eu-long-first-degree", country: "IT", typ: academic.DegreeBachelorLong, years: 6, wantISCED: "7", wantEQF: 7},
		{name: "ok/eu-third-cycle", country: "SE", typ: academic.DegreeDoctorate, wantISCED: "8", wantEQF: 8, wantBasis: "QF-EHEA third cycle → EQF 8"},
		{name: "ok/eea-norway", country: "NO", typ: academic.DegreeMaster, wantISCED: "7", wantEQF: 7},
		{name: "ok/greece-is-GR", country: "GR", typ: academic.DegreeBachelor, wantISCED: "6", wantEQF: 6},

		{name: "fail/country-not-in-crosswalk", country: "US", typ: academic.DegreeBachelor, wantCode: academic.CodeNoMapping},
		{name: "fail/eu-code-EL-is-not-iso", country: "EL", typ: academic.DegreeBachelor, wantCode: academic.CodeNoMapping},
		{name: "fail/jp-bachelor-5y", country: "JP", typ: academic.DegreeBachelor, years: 5, wantCode: academic.CodeNoMapping},
		{name: "fail/jp-associate-4y", country: "JP", typ: academic.DegreeAssociate, years: 4, wantCode: academic.CodeNoMapping},
		{name: "fail/unknown-type", country: "JP", typ: "licentiate", wantCode: academic.CodeNoMapping},
		{name: "fail/empty-country", typ: academic.DegreeMaster, wantCode: academic.CodeNoMapping},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := academic.Classify(tt.country, tt.typ, tt.years)
			if tt.wantCode != 0 {
				wantError(t, err, tt.wantCode, nil)
				if !errors.Is(err, academic.ErrNoMapping) {
					t.Errorf("errors.Is(err, ErrNoMapping) = false")
				}
				return
			}
			if err != nil {
				t.Fatalf("Classify: %v", err)
			}
			if got.ISCED != tt.wantISCED || got.EQF != tt.wantEQF {
				t.Errorf("Classify = ISCED %q EQF %d, want %q %d", got.ISCED, got.EQF, tt.wantISCED, tt.wantEQF)
			}
			if got.Basis == "" || (tt.wantBasis != "" && got.Basis != tt.wantBasis) {
				t.Errorf("Basis = %q, want %q", got.Basis, tt.wantBasis)
			}
			if got.Native == "" {
				t.Errorf("Native is empty")
			}
		})
	}
}

// TestClassifyEveryType checks the crosswalk covers every degree type for
// Japan and the EU, and that the EQF level always equals the ISCED level
// digit for higher education.
func TestClassifyEveryType(t *testing.T) {
	for _, country := range []string{"JP", "DE", "NL"} {
		for _, typ := range academic.DegreeTypes() {
			lvl, err := academic.Classify(country, typ, 0)
			if err != nil {
				t.Errorf("%s %s: %v", country, typ, err)
				continue
			}
			if int(lvl.ISCED[0]-'0') != lvl.EQF || lvl.EQF < 5 {
				t.Errorf("%s %s: ISCED %s vs EQF %d", country, typ, lvl.ISCED, lvl.EQF)
			}
		}
	}
}

func TestDegreeTypeLabel(t *testing.T) {
	tests := []struct {
		name string
		typ  academic.DegreeType
		lang string
		want string
	}{
		{"ok/ja", academic.DegreeBachelor, "ja", "学士"},
		{"ok/ja-JP", academic.DegreeMaster, "ja-JP", "修士"},
		{"ok/en", academic.DegreeDoctorate, "en", "Doctoral degree"},
		{"ok/fallback-english", academic.DegreeAssociate, "fr", "Associate degree (short cycle)"},
		{"ok/unknown-type-raw", "licentiate", "en", "licentiate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.typ.Label(tt.lang); got != tt.want {
				t.Errorf("Label(%q) = %q, want %q", tt.lang, got, tt.want)
			}
		})
	}
	for _, typ := range academic.DegreeTypes() {
		if typ.Label("ja") == string(typ) || typ.Label("en") == string(typ) || typ.Label("ja") == typ.Label("en") {
			t.Errorf("%s has no distinct en/ja labels", typ)
		}
	}
}

func TestDeriveECTS(t *testing.T) {
	tests := []struct {
		name       string
		value      float64
		framework  academic.CreditFramework
		want       float64
		wantMethod string
		wantField  string
	}{
		{name: "ok/bachelor-124-tani", value: 124, framework: academic.FrameworkJPTani, want: 186, wantMethod: academic.ECTSMethodJPTaniHours},
		{name: "ok/medicine-188-tani", value: 188, framework: academic.FrameworkJPTani, want: 282, wantMethod: academic.ECTSMethodJPTaniHours},
		{name: "ok/junior-college-62-tani", value: 62, framework: academic.FrameworkJPTani, want: 93, wantMethod: academic.ECTSMethodJPTaniHours},
		{name: "ok/master-30-tani", value: 30, framework: academic.FrameworkJPTani, want: 45, wantMethod: academic.ECTSMethodJPTaniHours},
		{name: "ok/rounds-to-nearest", value: 1, framework: academic.FrameworkJPTani, want: 2, wantMethod: academic.ECTSMethodJPTaniHours},
		{name: "ok/half-tani", value: 0.5, framework: academic.FrameworkJPTani, want: 1, wantMethod: academic.ECTSMethodJPTaniHours},
		{name: "ok/ects-native", value: 120, framework: academic.FrameworkECTS, want: 120, wantMethod: academic.ECTSMethodNative},
		{name: "ok/ects-fraction-kept", value: 7.5, framework: academic.FrameworkECTS, want: 7.5, wantMethod: academic.ECTSMethodNative},

		{name: "fail/zero", value: 0, framework: academic.FrameworkJPTani, wantField: "value"},
		{name: "fail/negative", value: -4, framework: academic.FrameworkECTS, wantField: "value"},
		{name: "fail/nan", value: math.NaN(), framework: academic.FrameworkECTS, wantField: "value"},
		{name: "fail/inf", value: math.Inf(1), framework: academic.FrameworkJPTani, wantField: "value"},
		{name: "fail/too-large", value: 1001, framework: academic.FrameworkJPTani, wantField: "value"},
		{name: "fail/unknown-framework", value: 30, framework: "us-semester-hours", wantField: "framework"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, method, err := academic.DeriveECTS(tt.value, tt.framework)
			if tt.wantField != "" {
				rule := "credit_value"
				if tt.wantField == "framework" {
					rule = "oneof"
				}
				wantError(t, err, academic.CodeInvalid, []fieldKey{{tt.wantField, rule}})
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || method != tt.wantMethod {
				t.Errorf("DeriveECTS = %v %q, want %v %q", got, method, tt.want, tt.wantMethod)
			}
		})
	}
}
