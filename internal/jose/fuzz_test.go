package jose_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/hashi-vc/hashi/internal/jose"
)

func FuzzParse(f *testing.F) {
	f.Add("eyJhbGciOiJFUzI1NiJ9.e30.AAAA")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJcdTAwNDVTMjU2IiwieDVjIjpbIk1JSUIiLCJcdTAwNDEiXSwia2lkIjoiayJ9.e30.AAAA")
	f.Fuzz(func(t *testing.T, s string) {
		j, err := jose.Parse(s)
		if err != nil {
			return
		}
		if j.Raw() != s || j.Header.Alg == "" {
			t.Fatalf("parsed %q into %+v", s, j.Header)
		}
		// The hand-written header decoder must agree with encoding/json on exact member names
		// (a struct would not do: encoding/json matches field names case-insensitively, and
		// JOSE header names are case-sensitive).
		var m map[string]json.RawMessage
		if err := json.Unmarshal(j.Header.Raw(), &m); err != nil {
			t.Fatalf("encoding/json rejects a header Parse accepted: %v", err)
		}
		str := func(name string) string {
			var v string
			if raw, ok := m[name]; ok {
				_ = json.Unmarshal(raw, &v)
			}
			return v
		}
		var x5c []string
		if raw, ok := m["x5c"]; ok {
			_ = json.Unmarshal(raw, &x5c)
		}
		if str("alg") != j.Header.Alg || str("typ") != j.Header.Typ || str("kid") != j.Header.Kid || !slices.Equal(x5c, j.Header.X5C) {
			t.Fatalf("header decoded as %+v, encoding/json says %s", j.Header, j.Header.Raw())
		}
		_, _ = j.Header.Certificates()
	})
}

// FuzzCheckJSON checks that whatever CheckJSON accepts, encoding/json accepts too.
func FuzzCheckJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":null}]}`, `"\u00e9"`, `-0.1e5`, `{"a":1,"a":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if jose.CheckJSON(b) == nil && !json.Valid(b) {
			t.Fatalf("CheckJSON accepted invalid JSON %q", b)
		}
	})
}

func FuzzParseKeys(f *testing.F) {
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"_LC1FTUl0MltKAOQzXNsofVMpWFV2obLGrNCat_CQ-g","y":"kBjoyjNuMVAOq--qVUgylDoLKuMdk4imS-Kk5ahuYIU"}`))
	f.Add([]byte(`{"keys":[]}`))
	f.Fuzz(func(_ *testing.T, b []byte) {
		_, _ = jose.ParseKeys(b)
	})
}

func FuzzParseX5C(f *testing.F) {
	f.Add("MIIB")
	f.Fuzz(func(_ *testing.T, s string) {
		_, _ = jose.ParseX5C([]string{s})
	})
}
