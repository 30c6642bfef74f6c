package academic_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

func TestValidate(t *testing.T) {
	jp := academic.SampleJPMedicalBachelor
	eu := academic.SampleEUMaster
	tests := []struct {
		name   string
		base   func() academic.Diploma
		mutate func(d *academic.Diploma)
		want   []fieldKey // nil: valid
	}{
		{name: "ok/jp-medical-bachelor", base: jp, mutate: func(*academic.Diploma) {}},
		{name: "ok/jp-master", base: academic.SampleJPMasterEngineering, mutate: func(*academic.Diploma) {}},
		{name: "ok/eu-master", base: eu, mutate: func(*academic.Diploma) {}},
		{name: "ok/no-given-name-no-credits-with-duration", base: jp, mutate: func(d *academic.Diploma) {
			d.Learner.GivenName = ""
			d.Degree.Credits = nil
		}},
		{name: "ok/credits-without-duration", base: eu, mutate: func(d *academic.Diploma) { d.Degree.DurationYears = 0 }},
		{name: "ok/latin-name-with-diacritics", base: eu, mutate: func(d *academic.Diploma) {
			d.Learner.FamilyName = "Müller-O’Brien"
			d.Learner.GivenName = "José M."
		}},
		{name: "ok/national-isced-code", base: eu, mutate: func(d *academic.Diploma) { d.Degree.ISCED = "747" }},
		{name: "ok/other-country-no-crosswalk", base: eu, mutate: func(d *academic.Diploma) {
			d.AwardingBody.Country = "US"
			d.Degree.EQFLevel = 6 // nothing to cross-check against
			d.Degree.ISCED = ""
		}},

		{name: "fail/empty-record", base: func() academic.Diploma { return academic.Diploma{} }, mutate: func(*academic.Diploma) {},
			want: []fieldKey{{"learner", "required"}, {"degree", "required"}, {"awarding_body", "required"}}},
		{name: "fail/learner-required-fields", base: jp, mutate: func(d *academic.Diploma) {
			d.Learner.FamilyName, d.Learner.BirthDate, d.Learner.StudentID = "", "", ""
		}, want: []fieldKey{{"learner.family_name", "required"}, {"learner.birth_date", "required"}, {"learner.student_id", "required"}}},
		{name: "fail/family-name-not-latin", base: jp, mutate: func(d *academic.Diploma) { d.Learner.FamilyName = "山田" },
			want: []fieldKey{{"learner.family_name", "latin"}}},
		{name: "fail/given-name-digits", base: jp, mutate: func(d *academic.Diploma) { d.Learner.GivenName = "Hanako2" },
			want: []fieldKey{{"learner.given_name", "latin"}}},
		{name: "fail/name-too-long", base: jp, mutate: func(d *academic.Diploma) { d.Learner.FamilyName = strings.Repeat("A", 129) },
			want: []fieldKey{{"learner.family_name", "max"}}},
		{name: "fail/student-id-control-char", base: jp, mutate: func(d *academic.Diploma) { d.Learner.StudentID = "M19\n0042" },
			want: []fieldKey{{"learner.student_id", "text"}}},
		{name: "fail/student-id-surrounding-space", base: jp, mutate: func(d *academic.Diploma) { d.Learner.StudentID = " M19" },
			want: []fieldKey{{"learner.student_id", "text"}}},
		{name: "fail/birth-date-shape", base: jp, mutate: func(d *academic.Diploma) { d.Learner.BirthDate = "1999/05/14" },
			want: []fieldKey{{"learner.birth_date", "date"}}},
		{name: "fail/birth-date-not-a-day", base: jp, mutate: func(d *academic.Diploma) { d.Learner.BirthDate = "2001-02-29" },
			want: []fieldKey{{"learner.birth_date", "date"}}},
		{name: "fail/native-name-lang-and-family", base: jp, mutate: func(d *academic.Diploma) {
			d.Learner.NativeNames[1].Lang = "JP"
			d.Learner.NativeNames[1].FamilyName = ""
		}, want: []fieldKey{{"learner.native_names[1].lang", "lang"}, {"learner.native_names[1].family_name", "required"}}},
		{name: "fail/too-many-native-names", base: jp, mutate: func(d *academic.Diploma) {
			n := d.Learner.NativeNames[0]
			d.Learner.NativeNames = []academic.PersonName{n, n, n, n, n}
		}, want: []fieldKey{{"learner.native_names", "max"}}},

		{name: "fail/eqf-out-of-range", base: jp, mutate: func(d *academic.Diploma) { d.Degree.EQFLevel = 9 },
			want: []fieldKey{{"degree.eqf_level", "eqf"}}},
		{name: "fail/eqf-negative", base: jp, mutate: func(d *academic.Diploma) { d.Degree.EQFLevel = -1 },
			want: []fieldKey{{"degree.eqf_level", "eqf"}}},
		{name: "fail/eqf-missing", base: jp, mutate: func(d *academic.Diploma) { d.Degree.EQFLevel = 0 },
			want: []fieldKey{{"degree.eqf_level", "required"}}},
		{name: "fail/six-year-medicine-is-not-eqf-6", base: jp, mutate: func(d *academic.Diploma) {
			d.Degree.EQFLevel = 6
			d.Degree.ISCED = ""
		}, want: []fieldKey{{"degree.eqf_level", "eqf_crosswalk"}}},
		{name: "fail/eqf-disagrees-with-isced", base: eu, mutate: func(d *academic.Diploma) {
			d.AwardingBody.Country = "US" // no crosswalk: only the ISCED digit speaks
			d.Degree.EQFLevel = 6
		}, want: []fieldKey{{"degree.eqf_level", "eqf_isced"}}},
		{name: "fail/isced-shape", base: jp, mutate: func(d *academic.Diploma) { d.Degree.ISCED = "76" },
			want: []fieldKey{{"degree.isced", "isced_a"}}},
		{name: "fail/isced-level-9", base: jp, mutate: func(d *academic.Diploma) { d.Degree.ISCED = "966" },
			want: []fieldKey{{"degree.isced", "isced_a"}}},
		{name: "fail/level-basis-missing", base: jp, mutate: func(d *academic.Diploma) { d.Degree.LevelBasis = "" },
			want: []fieldKey{{"degree.level_basis", "required"}}},
		{name: "fail/degree-type", base: jp, mutate: func(d *academic.Diploma) { d.Degree.Type = "licentiate" },
			want: []fieldKey{{"degree.type", "degree_type"}}},
		{name: "fail/title-missing", base: jp, mutate: func(d *academic.Diploma) { d.Degree.Title = nil },
			want: []fieldKey{{"degree.title", "required"}}},
		{name: "fail/title-lang-not-in-title", base: jp, mutate: func(d *academic.Diploma) { d.Degree.TitleLang = "de" },
			want: []fieldKey{{"degree.title_lang", "title_lang"}}},
		{name: "fail/title-bad-key-and-empty-value", base: jp, mutate: func(d *academic.Diploma) {
			d.Degree.Title["english"] = "x"
			d.Degree.Title["en"] = ""
		}, want: []fieldKey{{"degree.title[english]", "lang"}, {"degree.title[en]", "required"}}},
		{name: "fail/isced-f-shape", base: jp, mutate: func(d *academic.Diploma) { d.Degree.Field.ISCEDF = "091" },
			want: []fieldKey{{"degree.field.isced_f", "isced_f"}}},
		{name: "fail/field-missing", base: jp, mutate: func(d *academic.Diploma) { d.Degree.Field = academic.FieldOfStudy{} },
			want: []fieldKey{{"degree.field", "required"}}},
		{name: "fail/award-date-shape", base: jp, mutate: func(d *academic.Diploma) { d.Degree.AwardDate = "令和7年3月25日" },
			want: []fieldKey{{"degree.award_date", "date"}}},
		{name: "fail/award-before-birth", base: jp, mutate: func(d *academic.Diploma) { d.Degree.AwardDate = "1990-03-25" },
			want: []fieldKey{{"degree.award_date", "after_birth_date"}}},
		{name: "fail/no-credits-no-duration", base: jp, mutate: func(d *academic.Diploma) {
			d.Degree.Credits = nil
			d.Degree.DurationYears = 0
		}, want: []fieldKey{{"degree.credits", "credits_or_duration"}}},
		{name: "fail/duration-range", base: jp, mutate: func(d *academic.Diploma) { d.Degree.DurationYears = 13 },
			want: []fieldKey{{"degree.duration_years", "lte"}}},
		{name: "fail/duration-negative", base: jp, mutate: func(d *academic.Diploma) { d.Degree.DurationYears = -2 },
			want: []fieldKey{{"degree.duration_years", "gt"}}},
		{name: "fail/credits-value-and-framework", base: jp, mutate: func(d *academic.Diploma) {
			d.Degree.Credits = &academic.Credits{Value: 0, Framework: "us-semester-hours"}
		}, want: []fieldKey{{"degree.credits.value", "gt"}, {"degree.credits.framework", "oneof"}}},
		{name: "fail/grade-incomplete", base: jp, mutate: func(d *academic.Diploma) { d.Degree.Grade = &academic.Grade{Value: "A"} },
			want: []fieldKey{{"degree.grade.scheme", "required"}}},
		{name: "fail/languages-missing", base: jp, mutate: func(d *academic.Diploma) { d.Degree.Languages = nil },
			want: []fieldKey{{"degree.languages", "required"}}},
		{name: "fail/languages-empty", base: jp, mutate: func(d *academic.Diploma) { d.Degree.Languages = []string{} },
			want: []fieldKey{{"degree.languages", "min"}}},
		{name: "fail/languages-country-code-and-duplicate", base: jp, mutate: func(d *academic.Diploma) {
			d.Degree.Languages = []string{"ja", "JP", "ja"}
		}, want: []fieldKey{{"degree.languages", "unique"}, {"degree.languages[1]", "lang"}}},
		{name: "fail/qa-missing", base: jp, mutate: func(d *academic.Diploma) { d.Degree.QualityAssurance = nil },
			want: []fieldKey{{"degree.quality_assurance", "required"}}},
		{name: "fail/qa-entry", base: jp, mutate: func(d *academic.Diploma) {
			d.Degree.QualityAssurance[0] = academic.QualityAssurance{Type: "self", Date: "2022-3-18"}
		}, want: []fieldKey{{"degree.quality_assurance[0].type", "oneof"}, {"degree.quality_assurance[0].agency", "required"}, {"degree.quality_assurance[0].date", "date"}}},
		{name: "fail/learning-outcome-empty", base: jp, mutate: func(d *academic.Diploma) { d.Degree.LearningOutcomes = []string{"ok", ""} },
			want: []fieldKey{{"degree.learning_outcomes[1]", "required"}}},

		{name: "fail/country-lower-case", base: jp, mutate: func(d *academic.Diploma) { d.AwardingBody.Country = "jp" },
			want: []fieldKey{{"awarding_body.country", "country"}}},
		{name: "fail/country-alpha-3", base: jp, mutate: func(d *academic.Diploma) { d.AwardingBody.Country = "JPN" },
			want: []fieldKey{{"awarding_body.country", "country"}}},
		{name: "fail/body-name-missing", base: jp, mutate: func(d *academic.Diploma) { d.AwardingBody.Name = academic.LangMap{} },
			want: []fieldKey{{"awarding_body.name", "min"}}},
		{name: "fail/identifiers-missing", base: jp, mutate: func(d *academic.Diploma) { d.AwardingBody.Identifiers = nil },
			want: []fieldKey{{"awarding_body.identifiers", "required"}}},
		{name: "fail/identifier-scheme", base: jp, mutate: func(d *academic.Diploma) {
			d.AwardingBody.Identifiers[0] = academic.Identifier{Scheme: "duns", Value: "123"}
		}, want: []fieldKey{{"awarding_body.identifiers[0].scheme", "oneof"}}},
		{name: "fail/corporate-number-check-digit", base: jp, mutate: func(d *academic.Diploma) {
			d.AwardingBody.Identifiers[0].Value = "8999901000001"
		}, want: []fieldKey{{"awarding_body.identifiers[0].value", "corporate_number"}}},
		{name: "fail/corporate-number-shape", base: jp, mutate: func(d *academic.Diploma) {
			d.AwardingBody.Identifiers[0].Value = "799990100000"
		}, want: []fieldKey{{"awarding_body.identifiers[0].value", "corporate_number"}}},
		{name: "fail/school-code-shape", base: jp, mutate: func(d *academic.Diploma) {
			d.AwardingBody.Identifiers[1].Value = "F199399999990" // prefecture 99
		}, want: []fieldKey{{"awarding_body.identifiers[1].value", "school_code"}}},
		{name: "fail/schac-eidas-erasmus", base: eu, mutate: func(d *academic.Diploma) {
			d.AwardingBody.Identifiers[0].Value = "Voorbeeld"
			d.AwardingBody.Identifiers[1].Value = "voorbee01"
			d.AwardingBody.Identifiers[2].Value = "NL-99999999"
		}, want: []fieldKey{
			{"awarding_body.identifiers[0].value", "schac"},
			{"awarding_body.identifiers[1].value", "erasmus_code"},
			{"awarding_body.identifiers[2].value", "eidas_legal_id"},
		}},

		{name: "fail/every-failing-field-is-listed", base: jp, mutate: func(d *academic.Diploma) {
			d.Learner.BirthDate = "14.05.1999"
			d.Degree.EQFLevel = 0
			d.Degree.Field.ISCEDF = "medicine"
			d.AwardingBody.Country = "Japan"
		}, want: []fieldKey{
			{"learner.birth_date", "date"},
			{"degree.eqf_level", "required"},
			{"degree.field.isced_f", "isced_f"},
			{"awarding_body.country", "country"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.base()
			tt.mutate(&d)
			err := d.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			wantError(t, err, academic.CodeInvalid, tt.want)
			if !errors.Is(err, academic.ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false")
			}
		})
	}
}

func TestValidateMessages(t *testing.T) {
	d := academic.SampleJPMedicalBachelor()
	d.Degree.EQFLevel = 9
	d.Degree.ISCED = ""
	d.AwardingBody.Country = "XX"
	d.Learner.BirthDate = ""
	var e *academic.Error
	if !errors.As(d.Validate(), &e) {
		t.Fatal("want *academic.Error")
	}
	want := map[string]academic.FieldError{
		"degree.eqf_level":      {Rule: "eqf", Message: "must be between 1 and 8", MessageJA: "1 から 8 の間でなければなりません"},
		"awarding_body.country": {Rule: "country", Message: "must be an ISO 3166-1 alpha-2 country code", MessageJA: "ISO 3166-1 alpha-2 の国コードでなければなりません"},
		"learner.birth_date":    {Rule: "required", Message: "is required", MessageJA: "必須です"},
	}
	if len(e.Fields) != len(want) {
		t.Fatalf("fields = %v", e.Fields)
	}
	for _, f := range e.Fields {
		w, ok := want[f.Path]
		if !ok || f.Rule != w.Rule || f.Message != w.Message || f.MessageJA != w.MessageJA {
			t.Errorf("field %+v, want %+v", f, w)
		}
	}
	const wantText = "academic: invalid: awarding_body.country must be an ISO 3166-1 alpha-2 country code; " +
		"degree.eqf_level must be between 1 and 8; learner.birth_date is required"
	if e.Error() != wantText {
		t.Errorf("Error() = %q\nwant      %q", e.Error(), wantText)
	}
}

func TestCrosswalkRuleMessage(t *testing.T) {
	d := academic.SampleJPMedicalBachelor()
	d.Degree.EQFLevel, d.Degree.ISCED = 6, ""
	var e *academic.Error
	if !errors.As(d.Validate(), &e) || len(e.Fields) != 1 {
		t.Fatalf("want one field error, got %v", d.Validate())
	}
	f := e.Fields[0]
	if f.Param != "7" || f.Message != "must be 7 for a bachelor_long degree awarded in JP (crosswalk: ISCED2011 via NIC-Japan)" {
		t.Errorf("field = %+v", f)
	}
}

func TestPersonNameFullName(t *testing.T) {
	tests := []struct {
		name string
		in   academic.PersonName
		want string
	}{
		{"ok/japanese-family-first", academic.PersonName{Lang: "ja", FamilyName: "山田", GivenName: "花子"}, "山田 花子"},
		{"ok/kana-family-first", academic.PersonName{Lang: "ja-Kana", FamilyName: "ヤマダ", GivenName: "ハナコ"}, "ヤマダ ハナコ"},
		{"ok/greek-given-first", academic.PersonName{Lang: "el", FamilyName: "Παπαδοπούλου", GivenName: "Μαρία"}, "Μαρία Παπαδοπούλου"},
		{"ok/family-only", academic.PersonName{Lang: "ja", FamilyName: "山田"}, "山田"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.in.FullName(); got != tt.want {
				t.Errorf("FullName() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestLangMapPick(t *testing.T) {
	m := academic.LangMap{"ja": "学士（工学）", "en": "Bachelor of Engineering", "de": "Bachelor der Ingenieurwissenschaften"}
	tests := []struct {
		name     string
		m        academic.LangMap
		langs    []string
		wantText string
		wantLang string
	}{
		{"ok/first-preference", m, []string{"ja", "en"}, "学士（工学）", "ja"},
		{"ok/skip-missing", m, []string{"fr", "de"}, "Bachelor der Ingenieurwissenschaften", "de"},
		{"ok/english-fallback", m, []string{"fr"}, "Bachelor of Engineering", "en"},
		{"ok/alphabetical-fallback", academic.LangMap{"nl": "a", "de": "b"}, []string{"fr"}, "b", "de"},
		{"ok/empty", academic.LangMap{}, []string{"ja"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, lang := tt.m.Pick(tt.langs...)
			if text != tt.wantText || lang != tt.wantLang {
				t.Errorf("Pick = %q, %q; want %q, %q", text, lang, tt.wantText, tt.wantLang)
			}
		})
	}
}
