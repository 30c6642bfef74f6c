package dcql_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/hashi-vc/hashi/internal/dcql"
)

// FuzzParse checks that Parse never panics, fails only with an *Error, and that what it
// accepts validates and round-trips through Marshal.
func FuzzParse(f *testing.F) {
	for _, name := range specExamples {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(cq(`,"claims":[{"id":"x","path":["a",null,0],"values":["s",1,true]}],"claim_sets":[["x"]],"trusted_authorities":[{"type":"aki","values":["AQ"]}]`)))
	f.Add([]byte(`{"credentials":[{"id":"a","format":"x","meta":{}}],"credential_sets":[{"options":[["a"]],"required":false}]}`))
	f.Add([]byte(`{"credentials":[{"id":"a","id":"a"}]}`))
	f.Add([]byte(`{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["v"]},"claims":[{"path":[1e400]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := dcql.Parse(data)
		if err != nil {
			if _, ok := errors.AsType[*dcql.Error](err); !ok {
				t.Fatalf("error %v is %T, not *dcql.Error", err, err)
			}
			return
		}
		if err := q.Validate(); err != nil {
			t.Fatalf("Parse accepted a query Validate rejects: %v", err)
		}
		b, err := q.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		q2, err := dcql.Parse(b)
		if err != nil {
			t.Fatalf("Parse(Marshal(q)): %v\n%s", err, b)
		}
		if !reflect.DeepEqual(q, q2) {
			t.Fatalf("round trip differs:\n%#v\n%#v", q, q2)
		}
	})
}

// FuzzSelect checks that Select never panics, fails only with its three codes, and selects
// something whenever it succeeds.
func FuzzSelect(f *testing.F) {
	f.Add(`["degrees",null,"type"]`, pathExampleCredential)
	f.Add(`["nationalities",1]`, pathExampleCredential)
	f.Add(`["address",0]`, pathExampleCredential)
	f.Add(`[null,null]`, `{"a":[[1,2],[3]]}`)
	f.Add(`["a",-1,1.5,true,{}]`, `[]`)
	f.Fuzz(func(t *testing.T, path, doc string) {
		p, ok := fuzzPath(path)
		if !ok {
			return
		}
		var d any
		if json.Unmarshal([]byte(doc), &d) != nil {
			return
		}
		got, err := dcql.Select(p, d)
		switch dcql.CodeOf(err) {
		case "":
			if err != nil || len(got) == 0 {
				t.Fatalf("Select(%v) = %v, %v", p, got, err)
			}
		case dcql.CodeInvalidPath, dcql.CodeLimitExceeded, dcql.CodePathTypeMismatch, dcql.CodeNoMatch:
			if got != nil {
				t.Fatalf("Select failed with a result: %v", got)
			}
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
}

// fuzzPath decodes a JSON array into a Path, turning integral numbers into ints and keeping
// every other value as decoded, so that invalid components reach Select.
func fuzzPath(s string) (dcql.Path, bool) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var raw []any
	if dec.Decode(&raw) != nil {
		return nil, false
	}
	p := make(dcql.Path, len(raw))
	for i, c := range raw {
		if n, ok := c.(json.Number); ok {
			if v, err := strconv.Atoi(n.String()); err == nil {
				p[i] = v
				continue
			}
		}
		p[i] = c
	}
	return p, true
}
