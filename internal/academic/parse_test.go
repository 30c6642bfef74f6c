package academic_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

// TestRegistrarFiles keeps testdata/registrar/*.json (the registrar form of
// the samples, also the fuzz seeds) in step with the samples, and parses them
// back.
func TestRegistrarFiles(t *testing.T) {
	for _, s := range samples {
		t.Run("ok/"+s.name, func(t *testing.T) {
			path := filepath.Join("testdata", "registrar", s.name+".json")
			want := s.make()
			if *update {
				b, err := json.MarshalIndent(want, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := academic.ParseDiplomaJSON(data)
			if err != nil {
				t.Fatalf("ParseDiplomaJSON: %v", err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("parsed %+v\nwant   %+v", got, want)
			}
		})
	}
}

// registrarJSON returns the sample's registrar JSON after edit changes its
// generic form.
func registrarJSON(t *testing.T, d academic.Diploma, edit func(m map[string]any)) []byte {
	t.Helper()
	m := roundTrip(t, d)
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func obj(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func TestParseDiplomaJSON(t *testing.T) {
	jp := academic.SampleJPMedicalBachelor()
	eu := academic.SampleEUMaster()
	dropLevel := func(m map[string]any) {
		deg := obj(m, "degree")
		delete(deg, "isced")
		delete(deg, "eqf_level")
		delete(deg, "level_basis")
	}
	tests := []struct {
		name     string
		data     func(t *testing.T) []byte
		check    func(t *testing.T, d academic.Diploma)
		wantCode academic.Code
		want     []fieldKey
	}{
		{name: "ok/crosswalk-fills-jp-six-year-level", data: func(t *testing.T) []byte { return registrarJSON(t, jp, dropLevel) },
			check: func(t *testing.T, d academic.Diploma) {
				if d.Degree.ISCED != "766" || d.Degree.EQFLevel != 7 || d.Degree.LevelBasis != "ISCED2011 via NIC-Japan" {
					t.Errorf("level = %q %d %q", d.Degree.ISCED, d.Degree.EQFLevel, d.Degree.LevelBasis)
				}
			}},
		{name: "ok/crosswalk-fills-eu-cycle", data: func(t *testing.T) []byte { return registrarJSON(t, eu, dropLevel) },
			check: func(t *testing.T, d academic.Diploma) {
				if d.Degree.ISCED != "7" || d.Degree.EQFLevel != 7 || d.Degree.LevelBasis != "QF-EHEA second cycle → EQF 7" {
					t.Errorf("level = %q %d %q", d.Degree.ISCED, d.Degree.EQFLevel, d.Degree.LevelBasis)
				}
			}},
		{name: "ok/null-optional-members", data: func(t *testing.T) []byte {
			return registrarJSON(t, jp, func(m map[string]any) { obj(m, "degree")["grade"] = nil; obj(m, "learner")["native_names"] = nil })
		}, check: func(t *testing.T, d academic.Diploma) {
			if d.Degree.Grade != nil || d.Learner.NativeNames != nil {
				t.Errorf("nulls not absent: %+v %+v", d.Degree.Grade, d.Learner.NativeNames)
			}
		}},

		{name: "fail/partial-level-is-not-filled", data: func(t *testing.T) []byte {
			return registrarJSON(t, jp, func(m map[string]any) { delete(obj(m, "degree"), "level_basis") })
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree.level_basis", "required"}}},
		{name: "fail/no-crosswalk-no-level", data: func(t *testing.T) []byte {
			return registrarJSON(t, eu, func(m map[string]any) { dropLevel(m); obj(m, "awarding_body")["country"] = "US" })
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree.eqf_level", "required"}, {"degree.level_basis", "required"}}},
		{name: "fail/unknown-members-and-rules-together", data: func(t *testing.T) []byte {
			return registrarJSON(t, jp, func(m map[string]any) {
				m["signature"] = map[string]any{"alg": "none", "nested": []any{1, 2, map[string]any{"x": true}}}
				obj(m, "learner")["nickname"] = "Hana"
				obj(m, "degree")["eqf_level"] = 9
				obj(m, "degree", "credits")["hours"] = 8460
			})
		}, wantCode: academic.CodeInvalid, want: []fieldKey{
			{"signature", "unknown_field"}, {"learner.nickname", "unknown_field"},
			{"degree.credits.hours", "unknown_field"}, {"degree.eqf_level", "eqf"},
		}},
		{name: "fail/member-names-are-case-sensitive", data: func(t *testing.T) []byte {
			return registrarJSON(t, jp, func(m map[string]any) { m["Learner"] = m["learner"]; delete(m, "learner") })
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"Learner", "unknown_field"}}},
		{name: "fail/duplicate-member", data: func(t *testing.T) []byte {
			b := registrarJSON(t, jp, func(map[string]any) {})
			return []byte(strings.Replace(string(b), `"eqf_level":7`, `"eqf_level":7,"eqf_level":6`, 1))
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree.eqf_level", "duplicate_key"}}},
		{name: "fail/wrong-json-types-all-listed", data: func(t *testing.T) []byte {
			return registrarJSON(t, jp, func(m map[string]any) {
				obj(m, "degree")["eqf_level"] = "7"
				obj(m, "degree")["languages"] = "ja"
				obj(m, "degree")["title"] = []any{"学士（医学）"}
				obj(m, "learner")["native_names"] = map[string]any{}
				obj(m, "degree", "credits")["value"] = true
				obj(m, "degree", "field", "name")["ja"] = 1
			})
		}, wantCode: academic.CodeInvalid, want: []fieldKey{
			{"degree.eqf_level", "type"}, {"degree.languages", "type"}, {"degree.title", "type"},
			{"learner.native_names", "type"}, {"degree.credits.value", "type"}, {"degree.field.name[ja]", "type"},
		}},
		{name: "fail/eqf-not-whole", data: func(t *testing.T) []byte {
			return registrarJSON(t, jp, func(m map[string]any) { obj(m, "degree")["eqf_level"] = 6.5 })
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree.eqf_level", "type"}}},
		{name: "fail/eqf-overflow", data: func(t *testing.T) []byte {
			b := registrarJSON(t, jp, func(map[string]any) {})
			return []byte(strings.Replace(string(b), `"eqf_level":7`, `"eqf_level":1e400`, 1))
		}, wantCode: academic.CodeInvalid, want: []fieldKey{{"degree.eqf_level", "type"}}},

		{name: "fail/too-large", data: func(*testing.T) []byte {
			return []byte(`{"learner":{"student_id":"` + strings.Repeat("x", academic.MaxDiplomaJSONBytes) + `"}}`)
		}, wantCode: academic.CodeTooLarge},
		{name: "fail/array-not-object", data: func(*testing.T) []byte { return []byte(`[]`) }, wantCode: academic.CodeMalformed},
		{name: "fail/null-document", data: func(*testing.T) []byte { return []byte(`null`) }, wantCode: academic.CodeMalformed},
		{name: "fail/empty", data: func(*testing.T) []byte { return nil }, wantCode: academic.CodeMalformed},
		{name: "fail/syntax", data: func(*testing.T) []byte { return []byte(`{"learner": {"family_name": }`) }, wantCode: academic.CodeMalformed},
		{name: "fail/truncated", data: func(*testing.T) []byte { return []byte(`{"learner": {`) }, wantCode: academic.CodeMalformed},
		{name: "fail/trailing-data", data: func(t *testing.T) []byte {
			return append(registrarJSON(t, jp, func(map[string]any) {}), []byte(` {}`)...)
		}, wantCode: academic.CodeMalformed},
		{name: "fail/invalid-utf8", data: func(*testing.T) []byte { return []byte("{\"learner\":{\"family_name\":\"YAMADA\xff\"}}") },
			wantCode: academic.CodeMalformed},
		{name: "fail/too-deep-in-unknown-member", data: func(*testing.T) []byte {
			return []byte(`{"x":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}`)
		}, wantCode: academic.CodeMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := academic.ParseDiplomaJSON(tt.data(t))
			if tt.wantCode != 0 {
				wantError(t, err, tt.wantCode, tt.want)
				return
			}
			if err != nil {
				t.Fatalf("ParseDiplomaJSON: %v", err)
			}
			tt.check(t, d)
		})
	}
}

func TestParseDiplomaJSONTooManyErrors(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{`)
	for i := range 300 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"x` + strings.Repeat("y", i%7) + string(rune('a'+i%26)) + `_` + strings.Repeat("z", i/26) + `":0`)
	}
	b.WriteString(`}`)
	_, err := academic.ParseDiplomaJSON([]byte(b.String()))
	var e *academic.Error
	if !errors.As(err, &e) || e.Code != academic.CodeInvalid {
		t.Fatalf("err = %v", err)
	}
	if len(e.Fields) > 101 {
		t.Errorf("%d field errors, want at most 101", len(e.Fields))
	}
}
