package dcql_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hashi-vc/hashi/internal/dcql"
)

// pathExampleCredential is the credential of OpenID4VP 1.0 §7.3.
const pathExampleCredential = `{
  "name": "Arthur Dent",
  "address": {"street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345"},
  "degrees": [
    {"type": "Bachelor of Science", "university": "University of Betelgeuse"},
    {"type": "Master of Science", "university": "University of Betelgeuse"}
  ],
  "nationalities": ["British", "Betelgeusian"]
}`

func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSelect(t *testing.T) {
	doc := decode(t, pathExampleCredential)
	tests := []struct {
		name string
		doc  any
		path dcql.Path
		want []any
		code dcql.Code
	}{
		// The examples of §7.3.
		{name: "ok/name", path: dcql.Path{"name"}, want: []any{"Arthur Dent"}},
		{name: "ok/address with sub-claims", path: dcql.Path{"address"}, want: []any{map[string]any{
			"street_address": "42 Market Street", "locality": "Milliways", "postal_code": "12345",
		}}},
		{name: "ok/address street_address", path: dcql.Path{"address", "street_address"}, want: []any{"42 Market Street"}},
		{name: "ok/all degree types", path: dcql.Path{"degrees", nil, "type"}, want: []any{"Bachelor of Science", "Master of Science"}},
		{name: "ok/second nationality", path: dcql.Path{"nationalities", 1}, want: []any{"Betelgeusian"}},
		// The rules of §7.1.
		{name: "ok/all nationalities", path: dcql.Path{"nationalities", nil}, want: []any{"British", "Betelgeusian"}},
		{name: "ok/missing key drops one element", doc: decode(t, `{"a":[{"b":1},{"c":2},{"b":3}]}`), path: dcql.Path{"a", nil, "b"}, want: []any{1.0, 3.0}},
		{name: "ok/index out of range drops one array", doc: decode(t, `{"a":[[1],[1,2]]}`), path: dcql.Path{"a", nil, 1}, want: []any{2.0}},
		{name: "ok/null value selected", doc: decode(t, `{"a":null}`), path: dcql.Path{"a"}, want: []any{nil}},
		{name: "ok/empty key", doc: decode(t, `{"":{"":"x"}}`), path: dcql.Path{"", ""}, want: []any{"x"}},
		{name: "fail/missing key", path: dcql.Path{"age"}, code: dcql.CodeNoMatch},
		{name: "fail/index out of range", path: dcql.Path{"nationalities", 2}, code: dcql.CodeNoMatch},
		{name: "fail/null over empty array", doc: decode(t, `{"a":[]}`), path: dcql.Path{"a", nil}, code: dcql.CodeNoMatch},
		{name: "fail/string on string", path: dcql.Path{"name", "first"}, code: dcql.CodePathTypeMismatch},
		{name: "fail/string on array", path: dcql.Path{"degrees", "type"}, code: dcql.CodePathTypeMismatch},
		{name: "fail/null on object", path: dcql.Path{"address", nil}, code: dcql.CodePathTypeMismatch},
		{name: "fail/index on object", path: dcql.Path{"address", 0}, code: dcql.CodePathTypeMismatch},
		{name: "fail/string on one of several elements", doc: decode(t, `{"a":[{"b":1},"x"]}`), path: dcql.Path{"a", nil, "b"}, code: dcql.CodePathTypeMismatch},
		{name: "fail/string on null", doc: decode(t, `{"a":null}`), path: dcql.Path{"a", "b"}, code: dcql.CodePathTypeMismatch},
		{name: "fail/root not an object", doc: decode(t, `[1]`), path: dcql.Path{"a"}, code: dcql.CodePathTypeMismatch},
		{name: "fail/empty path", path: dcql.Path{}, code: dcql.CodeInvalidPath},
		{name: "fail/negative index", path: dcql.Path{"nationalities", -1}, code: dcql.CodeInvalidPath},
		{name: "fail/float component", path: dcql.Path{"nationalities", 1.0}, code: dcql.CodeInvalidPath},
		{name: "fail/bool component", path: dcql.Path{true}, code: dcql.CodeInvalidPath},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := tt.doc
			if d == nil {
				d = doc
			}
			got, err := dcql.Select(tt.path, d)
			if got := dcql.CodeOf(err); got != tt.code {
				t.Fatalf("code = %q, want %q (%v)", got, tt.code, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestPathString(t *testing.T) {
	if got, want := (dcql.Path{"degrees", nil, 0, "ty\"pe"}).String(), `["degrees",null,0,"ty\"pe"]`; got != want {
		t.Fatalf("String = %s, want %s", got, want)
	}
	b, err := json.Marshal(dcql.Path{"a", nil, 3})
	if err != nil || string(b) != `["a",null,3]` {
		t.Fatalf("json = %s, %v", b, err)
	}
}

func TestPathEqual(t *testing.T) {
	tests := []struct {
		name string
		a, b dcql.Path
		want bool
	}{
		{"ok/equal", dcql.Path{"a", 1, nil}, dcql.Path{"a", 1, nil}, true},
		{"ok/empty", dcql.Path{}, nil, true},
		{"fail/length", dcql.Path{"a"}, dcql.Path{"a", "b"}, false},
		{"fail/int vs string", dcql.Path{1}, dcql.Path{"1"}, false},
		{"fail/nil vs zero", dcql.Path{nil}, dcql.Path{0}, false},
		{"fail/int64 vs int", dcql.Path{int64(1)}, dcql.Path{1}, false},
		{"fail/uncomparable component, no panic", dcql.Path{[]any{1}}, dcql.Path{[]any{1}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Equal(tt.b); got != tt.want {
				t.Fatalf("Equal = %v, want %v", got, tt.want)
			}
		})
	}
}
