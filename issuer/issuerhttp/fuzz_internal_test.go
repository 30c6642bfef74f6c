package issuerhttp

import (
	"strings"
	"testing"
)

func FuzzCSVRows(f *testing.F) {
	f.Add("graduate_id,approved,learner.family_name,degree.eqf_level,degree.title.en,learner.native_names[0].family_name\ns-1,true,YAMADA,7,Master,山田\n")
	f.Add("graduate_id,degree.duration_years\ns-1,1e400\ns-2,\"x\n")
	f.Add("graduate_id,learner.native_names[99].lang\n")
	f.Add("\ufeffgraduate_id,graduate_id\n")
	f.Fuzz(func(t *testing.T, body string) {
		rows, pre, err := csvRows([]byte(body))
		if err != nil {
			return
		}
		// Every data row is accounted for once: imported or rejected, rejected rows in order.
		for i := 1; i < len(pre); i++ {
			if pre[i].Row <= pre[i-1].Row {
				t.Fatalf("rejected rows out of order: %+v", pre)
			}
		}
		for _, r := range rows {
			if len(r.Record) == 0 || r.Record[0] != '{' {
				t.Fatalf("record %q", r.Record)
			}
		}
	})
}

func FuzzResolveCSVPath(f *testing.F) {
	for _, s := range []string{"learner.family_name", "degree.title.en", "learner.native_names[0].lang", "degree.languages[3]", "a[", "degree.field.name.ja", "x[00]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		segs, kind, ok := resolveCSVPath(p)
		if ok && (len(segs) == 0 || kind == 0 || len(segs) != strings.Count(p, ".")+1) {
			t.Fatalf("%q: %+v %v", p, segs, kind)
		}
	})
}

func FuzzDecodeStrict(f *testing.F) {
	f.Add(`{"status":"revoked"}`)
	f.Add(`{"status":"a","status":"b"}`)
	f.Add(`{"tx_code":true}`)
	f.Add(`[]`)
	f.Fuzz(func(_ *testing.T, body string) {
		var v struct {
			Status string `json:"status"`
			TxCode *bool  `json:"tx_code"`
		}
		_ = decodeStrict([]byte(body), &v, "")
	})
}

func FuzzValidB64Token(f *testing.F) {
	for _, s := range []string{"abc", "a.b-c_d~e+f/g==", "=", "", "a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if validB64Token(s) && (strings.ContainsAny(s, " \t\r\n\",") || s == "") {
			t.Fatalf("%q accepted", s)
		}
	})
}
