package academic_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
)

func ExampleClassify() {
	for _, c := range []struct {
		country string
		typ     academic.DegreeType
		years   float64
	}{
		{"JP", academic.DegreeAssociate, 2},
		{"JP", academic.DegreeBachelor, 4},
		{"JP", academic.DegreeBachelor, 6}, // medicine: a long first degree
		{"JP", academic.DegreeMaster, 2},
		{"DE", academic.DegreeDoctorate, 0},
	} {
		lvl, err := academic.Classify(c.country, c.typ, c.years)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s %s %gy: ISCED %s, EQF %d (%s)\n", c.country, c.typ, c.years, lvl.ISCED, lvl.EQF, lvl.Basis)
	}
	// Output:
	// JP associate 2y: ISCED 544, EQF 5 (ISCED2011 via NIC-Japan)
	// JP bachelor 4y: ISCED 665, EQF 6 (ISCED2011 via NIC-Japan)
	// JP bachelor 6y: ISCED 766, EQF 7 (ISCED2011 via NIC-Japan)
	// JP master 2y: ISCED 7, EQF 7 (ISCED2011 level 7 by degree cycle (no NIC-Japan code))
	// DE doctorate 0y: ISCED 8, EQF 8 (QF-EHEA third cycle → EQF 8)
}

func ExampleDeriveECTS() {
	ects, method, err := academic.DeriveECTS(124, academic.FrameworkJPTani)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ects, "ECTS")
	fmt.Println(method == academic.ECTSMethodJPTaniHours)
	// Output:
	// 186 ECTS
	// true
}

func ExampleParseDiplomaJSON() {
	_, err := academic.ParseDiplomaJSON([]byte(`{
	  "learner": {"family_name": "YAMADA", "birth_date": "1999-05-14", "student_id": "M19-0042", "nickname": "Hana"},
	  "degree": {"title": {"ja": "学士（医学）"}, "title_lang": "ja", "type": "bachelor_long", "duration_years": 6,
	             "eqf_level": 6, "isced": "766", "level_basis": "registrar",
	             "field": {"isced_f": "0912"}, "award_date": "2025-03-25", "languages": ["ja"],
	             "quality_assurance": [{"type": "certified_evaluation", "agency": "NIAD-QE"}]},
	  "awarding_body": {"name": {"ja": "例示医科大学"}, "country": "Japan",
	                    "identifiers": [{"scheme": "jp-corporate-number", "value": "7999901000001"}]}
	}`))
	var e *academic.Error
	if errors.As(err, &e) {
		for _, f := range e.Fields {
			fmt.Printf("%s [%s]: %s\n", f.Path, f.Rule, f.Message)
		}
	}
	// Output:
	// awarding_body.country [country]: must be an ISO 3166-1 alpha-2 country code
	// degree.eqf_level [eqf_isced]: must equal the ISCED 2011 level (7, the first digit of degree.isced)
	// learner.nickname [unknown_field]: is not a known field
}

func ExampleDiploma_HashiDiplomaClaims() {
	cs, err := academic.SampleJPMedicalBachelor().HashiDiplomaClaims()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cs.VCT)
	fmt.Println(cs.Claims["degree"].(map[string]any)["level"])
	for _, p := range cs.Disclosable[:6] {
		fmt.Println(p)
	}
	// Output:
	// urn:hashi:diploma:1
	// map[basis:ISCED2011 via NIC-Japan eqf:7 isced:766]
	// [family_name]
	// [given_name]
	// [birthdate]
	// [learner_identification]
	// [native_names]
	// [degree title]
}

func ExampleDiploma_LearningCredentialClaims() {
	cs, err := academic.SampleJPMasterEngineering().LearningCredentialClaims(academic.LearningCredentialOptions{
		IssuanceDate: time.Date(2025, 4, 1, 9, 0, 0, 0, time.FixedZone("JST", 9*3600)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, k := range []string{"achievement_title", "date_of_issuance", "level_of_learning_experience", "language_of_classes"} {
		fmt.Println(k, cs.Claims[k])
	}
	// Output:
	// achievement_title 修士（工学）
	// date_of_issuance 2025-04-01
	// level_of_learning_experience 7
	// language_of_classes [ja en]
}

func ExampleQualificationFromClaims() {
	// The processed claims a verifier holds after the holder disclosed only
	// the degree title and level of a hashi diploma.
	claims := map[string]any{
		"degree": map[string]any{
			"title": map[string]any{"lang": "ja", "value": "学士（医学）", "translations": map[string]any{"en": "Bachelor of Medicine"}},
			"level": map[string]any{"isced": "766", "eqf": 7.0, "basis": "ISCED2011 via NIC-Japan"},
		},
		"awarding_body": map[string]any{"name": map[string]any{"ja": "例示医科大学"}, "country": "JP"},
	}
	q, err := academic.QualificationFromClaims(academic.VCTHashiDiploma, claims)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s (%s, %s) — ISCED %s, EQF %d, basis: %s; award date disclosed: %v\n",
		q.Title, q.TitleLang, q.TitleScript, q.ISCED, q.EQFLevel, q.LevelBasis, q.AwardDate != "")
	// Output:
	// 学士（医学） (ja, Jpan) — ISCED 766, EQF 7, basis: ISCED2011 via NIC-Japan; award date disclosed: false
}

func ExampleClaimLabel() {
	path := []any{"degree", "award_date"}
	en, _ := academic.ClaimLabel(academic.VCTHashiDiploma, path, "en")
	ja, _ := academic.ClaimLabel(academic.VCTHashiDiploma, path, "ja")
	name, _ := academic.DisplayName(academic.VCTHashiDiploma, "ja")
	fmt.Println(en, "/", ja, "/", name)
	// Output:
	// Date of award / 学位授与年月日 / 学位証明書
}

func ExampleClaimValueText() {
	path := []any{"degree", "credits", "framework"}
	label, _ := academic.ClaimLabel(academic.VCTHashiDiploma, path, "ja")
	words, _ := academic.ClaimValueText(academic.VCTHashiDiploma, path, "jp-tani", "ja")
	translation, _ := academic.ClaimLabel(academic.VCTHashiDiploma, []any{"degree", "title", "translations", "en"}, "ja")
	fmt.Println(label+"：", words)
	fmt.Println(translation)
	// Output:
	// 単位制度： 日本の大学の単位（1単位＝45時間の学修）
	// 学位の名称（英語）
}
