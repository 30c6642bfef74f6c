package issuerhttp

import (
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/issuer"
)

func TestImportFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, file, body, want string
	}{
		{"ok/csv-extension", "Graduates.CSV", `{"graduate_id":"a"}`, "csv"},
		{"ok/jsonl-extension", "g.jsonl", "graduate_id\n", "jsonl"},
		{"ok/ndjson-extension", "g.ndjson", "", "jsonl"},
		{"ok/json-extension", "g.json", "", "json"},
		{"ok/sniff-array", "export.txt", "\ufeff \r\n[{}]", "json"},
		{"ok/sniff-lines", "export", "\n{\"graduate_id\":\"a\"}\n", "jsonl"},
		{"ok/sniff-csv", "", "graduate_id,approved\n", "csv"},
		{"ok/empty", "", "", "csv"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := importFormat(tc.file, []byte(tc.body)); got != tc.want {
				t.Fatalf("importFormat(%q, %q) = %q, want %q", tc.file, tc.body, got, tc.want)
			}
		})
	}
}

func TestColumnPaths(t *testing.T) {
	t.Parallel()
	orig := []academic.FieldError{{Path: "record.degree.eqf_level", Rule: "type"}, {Path: "graduate_id", Rule: "required"}}
	res := []issuer.ImportResult{{Row: 1, Outcome: "created"}, {Row: 2, Outcome: "rejected", Errors: orig}}
	columnPaths(res)
	if res[1].Errors[0].Path != "degree.eqf_level" || res[1].Errors[1].Path != "graduate_id" || res[0].Errors != nil {
		t.Fatalf("results %+v", res)
	}
	if orig[0].Path != "record.degree.eqf_level" {
		t.Fatal("columnPaths changed the caller's errors")
	}
}

func FuzzImportFormat(f *testing.F) {
	f.Add("g.csv", "graduate_id\n")
	f.Add("", "\ufeff[")
	f.Add("x.JSONL", "{")
	f.Fuzz(func(t *testing.T, name, body string) {
		switch got := importFormat(name, []byte(body)); got {
		case "csv", "json", "jsonl":
		default:
			t.Fatalf("importFormat = %q", got)
		}
	})
}
