package academic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sharedTestdata is the module's top-level testdata folder.
const sharedTestdata = "../../testdata"

type sample struct {
	name string
	make func() academic.Diploma
}

var samples = []sample{
	{"jp-medical-bachelor", academic.SampleJPMedicalBachelor},
	{"jp-master-engineering", academic.SampleJPMasterEngineering},
	{"eu-master", academic.SampleEUMaster},
}

// fieldKey is a (path, rule) pair a test expects.
type fieldKey struct{ path, rule string }

// wantError checks that err is an *academic.Error with code and, when want is
// not nil, exactly the listed (path, rule) pairs.
func wantError(t *testing.T, err error, code academic.Code, want []fieldKey) {
	t.Helper()
	var e *academic.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *academic.Error with code %v", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %v, want %v; error: %v", e.Code, code, err)
	}
	if want == nil {
		return
	}
	got := make([]fieldKey, 0, len(e.Fields))
	for _, f := range e.Fields {
		got = append(got, fieldKey{f.Path, f.Rule})
		if f.Message == "" || f.MessageJA == "" || strings.HasPrefix(f.Message, "breaks rule") {
			t.Errorf("field %s rule %s has no plain-words message: %q / %q", f.Path, f.Rule, f.Message, f.MessageJA)
		}
	}
	sortKeys := func(k []fieldKey) {
		slices.SortFunc(k, func(a, b fieldKey) int { return strings.Compare(a.path+"\x00"+a.rule, b.path+"\x00"+b.rule) })
	}
	sortKeys(got)
	w := slices.Clone(want)
	sortKeys(w)
	if !slices.Equal(got, w) {
		t.Fatalf("fields = %v\nwant     %v\nerror: %v", got, w, err)
	}
}

// golden compares got with testdata/golden/name, rewriting it with -update.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from golden file; got:\n%s", path, buf.Bytes())
	}
}

// roundTrip sends v through JSON, as a credential's claims travel.
func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// resolve selects the values at a claim path (strings: members, nil: all
// array elements, ints: one element), as SD-JWT VC's claim path rules do.
func resolve(root any, path []any) []any {
	cur := []any{root}
	for _, p := range path {
		var next []any
		for _, c := range cur {
			switch pv := p.(type) {
			case string:
				if m, ok := c.(map[string]any); ok {
					if v, ok := m[pv]; ok {
						next = append(next, v)
					}
				}
			case nil:
				if a, ok := c.([]any); ok {
					next = append(next, a...)
				}
			case int:
				if a, ok := c.([]any); ok && pv < len(a) {
					next = append(next, a[pv])
				}
			}
		}
		cur = next
	}
	return cur
}

// claimPaths lists the path of every node in a claims tree, with nil for
// array elements, deduplicated. Language maps (academic.LanguageMapClaim: their
// members are language tags, data rather than claim names) are leaves.
func claimPaths(m map[string]any) [][]any {
	var out [][]any
	seen := map[string]bool{}
	var walk func(v any, path []any)
	walk = func(v any, path []any) {
		if len(path) > 0 {
			k, _ := json.Marshal(path)
			if !seen[string(k)] {
				seen[string(k)] = true
				out = append(out, slices.Clone(path))
			}
		}
		if academic.LanguageMapClaim(academic.VCTHashiDiploma, path) {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(x[k], append(path, k))
			}
		case []any:
			for _, e := range x {
				walk(e, append(path, nil))
			}
		}
	}
	walk(m, nil)
	return out
}

func pathKey(p []any) string {
	b, _ := json.Marshal(p)
	return string(b)
}
