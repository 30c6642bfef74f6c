package academic_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

// expectedQualification is what a verifier should read back from the hashi
// diploma or the jwt_vc_json view of d when everything is disclosed.
func expectedQualification(t *testing.T, d academic.Diploma, source, script string) academic.Qualification {
	t.Helper()
	g := d.Degree
	q := academic.Qualification{
		Source:        source,
		Title:         g.Title[g.TitleLang],
		TitleLang:     g.TitleLang,
		TitleScript:   script,
		DegreeType:    g.Type,
		ISCED:         g.ISCED,
		EQFLevel:      g.EQFLevel,
		LevelBasis:    g.LevelBasis,
		FieldISCEDF:   g.Field.ISCEDF,
		FieldName:     g.Field.Name,
		AwardDate:     g.AwardDate,
		DurationYears: g.DurationYears,
		Grade:         g.Grade,
		Languages:     g.Languages,
		Country:       d.AwardingBody.Country,
	}
	q.TitleTranslations = academic.LangMap{}
	for l, v := range g.Title {
		if l != g.TitleLang {
			q.TitleTranslations[l] = v
		}
	}
	q.AwardingBodyNames = d.AwardingBody.Name
	q.AwardingBody = d.AwardingBody.Name[g.TitleLang]
	if g.Credits != nil {
		ects, method, err := academic.DeriveECTS(g.Credits.Value, g.Credits.Framework)
		if err != nil {
			t.Fatal(err)
		}
		q.Credits = &academic.QualificationCredits{Value: g.Credits.Value, Framework: string(g.Credits.Framework), ECTS: ects, ECTSMethod: method}
	}
	return q
}

var titleScripts = map[string]string{"jp-medical-bachelor": "Jpan", "jp-master-engineering": "Jpan", "eu-master": "Latn"}

func TestQualificationRoundTrip(t *testing.T) {
	for _, s := range samples {
		d := s.make()
		hashi, lc, vc := buildAll(t, d)
		t.Run("ok/"+s.name+"/hashi-diploma", func(t *testing.T) {
			got, err := academic.QualificationFromClaims(academic.VCTHashiDiploma, roundTrip(t, hashi.Claims))
			if err != nil {
				t.Fatal(err)
			}
			if want := expectedQualification(t, d, academic.VCTHashiDiploma, titleScripts[s.name]); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
		})
		t.Run("ok/"+s.name+"/jwt_vc_json", func(t *testing.T) {
			got, err := academic.QualificationFromVCDM11(roundTrip(t, vc))
			if err != nil {
				t.Fatal(err)
			}
			if want := expectedQualification(t, d, academic.FormatJWTVCJSON, titleScripts[s.name]); !reflect.DeepEqual(got, want) {
				t.Errorf("got  %+v\nwant %+v", got, want)
			}
			// A whole JWT payload with a "vc" member reads the same.
			again, err := academic.QualificationFromVCDM11(map[string]any{"vc": roundTrip(t, vc), "iss": "https://issuer.example"})
			if err != nil || !reflect.DeepEqual(again, got) {
				t.Errorf("from payload: %+v, %v", again, err)
			}
		})
		t.Run("ok/"+s.name+"/learning-credential", func(t *testing.T) {
			got, err := academic.QualificationFromClaims(academic.VCTLearningCredential, roundTrip(t, lc.Claims))
			if err != nil {
				t.Fatal(err)
			}
			if got.Title != d.Degree.Title[d.Degree.TitleLang] || got.TitleScript != titleScripts[s.name] ||
				got.EQFLevel != d.Degree.EQFLevel || got.LevelBasis != academic.BasisLearningCredential ||
				got.Country != d.AwardingBody.Country || got.AwardingBody != d.AwardingBody.Name[d.Degree.TitleLang] ||
				!reflect.DeepEqual(got.Languages, d.Degree.Languages) || got.StudyTime == "" ||
				got.AwardDate != "" || got.DegreeType != "" || got.Credits != nil {
				t.Errorf("got %+v", got)
			}
		})
	}
}

// TestQualificationUndisclosed removes every selectively disclosable claim
// the holder does not disclose: those fields are simply empty.
func TestQualificationUndisclosed(t *testing.T) {
	d := academic.SampleJPMedicalBachelor()
	cs, err := d.HashiDiplomaClaims()
	if err != nil {
		t.Fatal(err)
	}
	disclose := map[string]bool{pathKey([]any{"degree", "title"}): true, pathKey([]any{"degree", "level"}): true}
	claims := roundTrip(t, cs.Claims)
	for _, p := range cs.Disclosable {
		if disclose[pathKey(p)] {
			continue
		}
		parent := claims
		for _, k := range p[:len(p)-1] {
			parent = parent[k.(string)].(map[string]any)
		}
		delete(parent, p[len(p)-1].(string))
	}
	got, err := academic.QualificationFromClaims(academic.VCTHashiDiploma, claims)
	if err != nil {
		t.Fatal(err)
	}
	want := academic.Qualification{
		Source: academic.VCTHashiDiploma, Title: "学士（医学）", TitleLang: "ja", TitleScript: "Jpan",
		TitleTranslations: academic.LangMap{"en": "Bachelor of Medicine"},
		ISCED:             "766", EQFLevel: 7, LevelBasis: "ISCED2011 via NIC-Japan",
		AwardingBody: "例示医科大学", AwardingBodyNames: academic.LangMap{"ja": "例示医科大学", "en": "Example Medical University"},
		Country: "JP",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	empty, err := academic.QualificationFromClaims(academic.VCTHashiDiploma, map[string]any{})
	if err != nil || !reflect.DeepEqual(empty, academic.Qualification{Source: academic.VCTHashiDiploma}) {
		t.Errorf("empty claims: %+v, %v", empty, err)
	}
}

// TestQualificationFromJPPoC reads the real EU–JP credential's processed
// claims (plain claims plus its disclosures, one of which is given_name:
// null).
func TestQualificationFromJPPoC(t *testing.T) {
	var claims map[string]any
	readJSON(t, sharedTestdata+"/academic/eujp-poc-jws-payload.json", &claims)
	delete(claims, "_sd")
	var disclosures []struct {
		Decoded []any `json:"decoded"`
	}
	readJSON(t, sharedTestdata+"/academic/eujp-poc-disclosures.json", &disclosures)
	for _, d := range disclosures {
		claims[d.Decoded[1].(string)] = d.Decoded[2]
	}
	got, err := academic.QualificationFromClaims(academic.VCTLearningCredential, claims)
	if err != nil {
		t.Fatal(err)
	}
	want := academic.Qualification{
		Source: academic.VCTLearningCredential, Title: "TEST_ Credential_Title", TitleScript: "Latn",
		EQFLevel: 1, LevelBasis: academic.BasisLearningCredential, StudyTime: "TEST_Expected_Study_Time",
		Grade: &academic.Grade{Value: "TEST_ Assessment_Grade"}, Languages: []string{"ja", "en"},
		AwardingBody: "TEST_ Issuing_Authority", Country: "JP",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestQualificationFromOID4VCIExample reads a foreign jwt_vc_json credential:
// the OpenID4VCI 1.0 example UniversityDegreeCredential.
func TestQualificationFromOID4VCIExample(t *testing.T) {
	raw, err := os.ReadFile(sharedTestdata + "/vectors/oid4vci/credential_jwt_vc_json.jwt")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(strings.TrimSpace(string(raw)), ".")
	if len(parts) != 3 {
		t.Fatalf("%d JWT parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		t.Fatal(err)
	}
	got, err := academic.QualificationFromVCDM11(m)
	if err != nil {
		t.Fatal(err)
	}
	want := academic.Qualification{Source: academic.FormatJWTVCJSON, Title: "Bachelor of Science and Arts",
		TitleScript: "Latn", DegreeType: academic.DegreeBachelor}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestQualificationErrors(t *testing.T) {
	hashiClaims := func(t *testing.T, edit func(m map[string]any)) map[string]any {
		cs, err := academic.SampleJPMedicalBachelor().HashiDiplomaClaims()
		if err != nil {
			t.Fatal(err)
		}
		m := roundTrip(t, cs.Claims)
		edit(m)
		return m
	}
	tests := []struct {
		name     string
		vct      string
		claims   func(t *testing.T) map[string]any
		wantCode academic.Code
		want     []fieldKey
	}{
		{name: "ok/json-number-and-int-accepted", vct: academic.VCTHashiDiploma, claims: func(t *testing.T) map[string]any {
			return hashiClaims(t, func(m map[string]any) {
				obj(m, "degree", "level")["eqf"] = json.Number("7")
				obj(m, "degree", "credits")["value"] = 188
			})
		}},
		{name: "fail/unknown-vct", vct: "urn:eudi:pid:1", claims: func(*testing.T) map[string]any { return map[string]any{} },
			wantCode: academic.CodeUnknownType},
		{name: "fail/eqf-as-string", vct: academic.VCTHashiDiploma, claims: func(t *testing.T) map[string]any {
			return hashiClaims(t, func(m map[string]any) { obj(m, "degree", "level")["eqf"] = "7" })
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree.level.eqf", "type"}}},
		{name: "fail/eqf-out-of-range", vct: academic.VCTHashiDiploma, claims: func(t *testing.T) map[string]any {
			return hashiClaims(t, func(m map[string]any) {
				obj(m, "degree", "level")["eqf"] = 9.0
				delete(obj(m, "degree", "level"), "isced")
			})
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree.level.eqf", "eqf"}}},
		{name: "fail/eqf-disagrees-with-isced", vct: academic.VCTHashiDiploma, claims: func(t *testing.T) map[string]any {
			return hashiClaims(t, func(m map[string]any) { obj(m, "degree", "level")["eqf"] = 6.0 })
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree.level.eqf", "eqf_isced"}}},
		{name: "fail/every-bad-claim-listed", vct: academic.VCTHashiDiploma, claims: func(t *testing.T) map[string]any {
			return hashiClaims(t, func(m map[string]any) {
				obj(m, "awarding_body")["country"] = "JPN"
				obj(m, "degree")["award_date"] = "2025-3-25"
				obj(m, "degree")["languages"] = []any{"ja", 1, "JP"}
				obj(m, "degree")["type"] = "BachelorDegree"
				obj(m, "degree")["field"] = "medicine"
				obj(m, "degree", "title", "translations")["EN GB"] = "x"
				obj(m, "degree", "credits")["ects"] = -1.0
			})
		}, wantCode: academic.CodeInvalid, want: []fieldKey{
			{"awarding_body.country", "country"}, {"degree.award_date", "date"},
			{"degree.languages[1]", "type"}, {"degree.languages[2]", "lang"},
			{"degree.type", "degree_type"}, {"degree.field", "type"},
			{"degree.title.translations[EN GB]", "lang"}, {"degree.credits.ects", "min"},
		}},
		{name: "fail/degree-not-object", vct: academic.VCTHashiDiploma, claims: func(*testing.T) map[string]any {
			return map[string]any{"degree": []any{}}
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree", "type"}}},
		{name: "fail/learning-level-as-enum-name", vct: academic.VCTLearningCredential, claims: func(*testing.T) map[string]any {
			return map[string]any{"level_of_learning_experience": "Level7", "language_of_classes": []any{"JP"}}
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"level_of_learning_experience", "type"}, {"language_of_classes[0]", "lang"}}},
		{name: "fail/learning-level-fraction", vct: academic.VCTLearningCredential, claims: func(*testing.T) map[string]any {
			return map[string]any{"level_of_learning_experience": 6.5}
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"level_of_learning_experience", "type"}}},
		{name: "fail/learning-empty-title", vct: academic.VCTLearningCredential, claims: func(*testing.T) map[string]any {
			return map[string]any{"achievement_title": ""}
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"achievement_title", "required"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := academic.QualificationFromClaims(tt.vct, tt.claims(t))
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantError(t, err, tt.wantCode, tt.want)
			if tt.wantCode == academic.CodeUnknownType && !errors.Is(err, academic.ErrUnknownType) {
				t.Error("errors.Is(err, ErrUnknownType) = false")
			}
		})
	}
	t.Run("fail/vcdm11-subject-not-object", func(t *testing.T) {
		_, err := academic.QualificationFromVCDM11(map[string]any{"credentialSubject": "did:example:1"})
		wantError(t, err, academic.CodeInvalid, []fieldKey{{"credentialSubject", "type"}})
	})
}
