package issuerhttp

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

// TestSampleCSV: the sample's header names every leaf of the diploma model and only columns
// the import accepts, and its row reads back as the example record.
func TestSampleCSV(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ex   academic.Diploma
	}{
		{"ok/jp-master-engineering", academic.SampleJPMasterEngineering()},
		{"ok/jp-medical-bachelor", academic.SampleJPMedicalBachelor()},
		{"ok/eu-master", academic.SampleEUMaster()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := sampleCSV(tc.ex.Learner.StudentID, false, tc.ex)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("\ufeffgraduate_id,approved,")) {
				t.Fatalf("sample starts %q", b[:min(len(b), 40)])
			}
			recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil || len(recs) != 2 || len(recs[0]) != len(recs[1]) {
				t.Fatalf("sample: %d records, %v", len(recs), err)
			}
			// Columns of fields the example leaves out are there too (empty), and so are
			// both languages of every language map.
			for _, col := range []string{"learner.native_names[0].family_name", "degree.grade.value", "degree.learning_outcomes[0]",
				"degree.title.en", "degree.title.ja", "awarding_body.name.ja", "degree.quality_assurance[0].date"} {
				if !slices.Contains(recs[0], col) {
					t.Errorf("header lacks %s", col)
				}
			}
			// Every leaf of academic.Diploma appears (at some index or key).
			leaves := map[string]bool{}
			collectLeaves(reflect.TypeFor[academic.Diploma](), "", leaves)
			got := map[string]bool{}
			for _, col := range recs[0][2:] {
				got[stripIndexes(col)] = true
			}
			for l := range leaves {
				if !got[l] {
					t.Errorf("no column for %s", l)
				}
			}
			rows, pre, err := csvRows(b)
			if err != nil || len(pre) != 0 || len(rows) != 1 {
				t.Fatalf("csvRows: %d rows, %+v, %v", len(rows), pre, err)
			}
			if rows[0].ID != tc.ex.Learner.StudentID || rows[0].Approved == nil || *rows[0].Approved {
				t.Fatalf("row %+v", rows[0])
			}
			want, err := json.Marshal(tc.ex)
			if err != nil {
				t.Fatal(err)
			}
			var a, w any
			if err := json.Unmarshal(rows[0].Record, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(want, &w); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, w) {
				t.Fatalf("record read back\n%s\nwant\n%s", rows[0].Record, want)
			}
		})
	}
}

// collectLeaves lists the leaf paths of t without indexes or map keys: learner.native_names.lang,
// degree.title.
func collectLeaves(t reflect.Type, prefix string, out map[string]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		out[prefix] = true
		return
	}
	for f := range t.Fields() {
		n := csvFieldName(f)
		if n == "" {
			continue
		}
		if prefix != "" {
			n = prefix + "." + n
		}
		collectLeaves(f.Type, n, out)
	}
}

// stripIndexes maps a column to its leaf: learner.native_names[0].lang → learner.native_names.lang,
// degree.title.en → degree.title.
func stripIndexes(col string) string {
	segs, _, ok := resolveCSVPath(col)
	if !ok {
		return "!" + col
	}
	t := reflect.TypeFor[academic.Diploma]()
	var names []string
	for _, s := range segs {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		if t.Kind() == reflect.Map {
			t = t.Elem()
		} else {
			t, _ = fieldByJSONName(t, s.name)
			names = append(names, s.name)
		}
		if s.index >= 0 {
			t = t.Elem()
		}
	}
	out := ""
	for i, n := range names {
		if i > 0 {
			out += "."
		}
		out += n
	}
	return out
}
