package issuerhttp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/issuer"
)

func TestRegistrarAuthorization(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, true)
		for _, tc := range []struct {
			name   string
			auth   []string
			path   string
			status int
			code   string
		}{
			{"fail/no-token", nil, "/issuer/oostland/admin/offers", 401, "unauthorized"},
			{"fail/wrong-token", []string{"Authorization", "Bearer wrong"}, "/issuer/oostland/admin/offers", 401, "unauthorized"},
			{"fail/basic-scheme", []string{"Authorization", "Basic " + adminToken("oostland")}, "/issuer/oostland/admin/offers", 401, "unauthorized"},
			{"fail/other-tenants-token", []string{"Authorization", "Bearer " + adminToken("sakuragaoka")}, "/issuer/oostland/admin/offers", 401, "unauthorized"},
			{"fail/unknown-tenant", []string{"Authorization", "Bearer " + adminToken("oostland")}, "/issuer/nowhere/admin/offers", 404, "not_found"},
			{"fail/other-tenants-offer", []string{"Authorization", "Bearer " + adminToken("sakuragaoka")}, "/issuer/sakuragaoka/admin/offers/" + res.OfferID, 404, "not_found"},
			{"ok/bearer-any-case", []string{"Authorization", "bearer " + adminToken("oostland")}, "/issuer/oostland/admin/offers/" + res.OfferID, 200, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do("GET", tc.path, hdrs(tc.auth...), nil)
				if tc.status == 200 {
					if r.status != 200 {
						t.Fatalf("%d %s", r.status, r.body)
					}
					return
				}
				r.wantError(t, tc.status, tc.code)
				if tc.status == 401 && r.header.Get("WWW-Authenticate") != `Bearer realm="registrar"` {
					t.Fatalf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
				}
			})
		}
		// A rejected write changes nothing.
		body := []byte(`{"credential_configuration_id":"` + issuer.ConfigDiplomaSDJWT + `","claims":` + string(diploma(t)) + `}`)
		e.do("POST", "/issuer/oostland/admin/offers", hdrs("Content-Type", "application/json", "Authorization", "Bearer "+adminToken("sakuragaoka")), body).wantError(t, 401, "unauthorized")
		var offers []issuer.OfferView
		e.admin("GET", "oostland", "/offers", nil).json(t, &offers)
		if len(offers) != 1 {
			t.Fatalf("offers %+v", offers)
		}
		e.admin("GET", "sakuragaoka", "/offers", nil).json(t, &offers)
		if len(offers) != 0 {
			t.Fatalf("sakuragaoka sees %+v", offers)
		}
	})
}

func TestRegistrarInput(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		post := func(path, ctype, body string) response {
			return e.do("POST", "/issuer/oostland/admin"+path, hdrs("Content-Type", ctype, "Authorization", "Bearer "+adminToken("oostland")), []byte(body))
		}
		cfg := `"credential_configuration_id":"` + issuer.ConfigDiplomaSDJWT + `"`
		for _, tc := range []struct {
			name, path, ctype, body string
			status                  int
			code                    string
			field                   string
		}{
			{"fail/unknown-member", "/offers", "application/json", `{` + cfg + `,"claims":` + string(diploma(t)) + `,"pin":true}`, 400, "invalid_input", "pin"},
			{"fail/duplicate-member", "/offers", "application/json", `{` + cfg + `,` + cfg + `}`, 400, "invalid_input", "body"},
			{"fail/malformed-json", "/offers", "application/json", `{` + cfg, 400, "invalid_input", "body"},
			{"fail/not-an-object", "/offers", "application/json", `[1]`, 400, "invalid_input", "body"},
			{"fail/wrong-type", "/offers", "application/json", `{` + cfg + `,"tx_code":"yes"}`, 400, "invalid_input", "tx_code"},
			{"fail/wrong-content-type", "/offers", "text/plain", `{` + cfg + `}`, 400, "invalid_request", ""},
			{"fail/invalid-claims", "/offers", "application/json", `{` + cfg + `,"claims":{"learner":{}}}`, 400, "invalid_input", "claims.degree"},
			{"fail/unknown-configuration", "/offers", "application/json", `{"credential_configuration_id":"nope","claims":{}}`, 400, "invalid_input", "credential_configuration_id"},
			{"fail/bad-status", "/credentials/x/status", "application/json", `{"status":"deleted"}`, 400, "invalid_input", "status"},
			{"fail/unknown-credential", "/credentials/x/status", "application/json", `{"status":"revoked"}`, 404, "not_found", ""},
			{"fail/reoffer-unknown-member", "/offers/x/reoffer", "application/json", `{"txcode":true}`, 400, "invalid_input", "txcode"},
			{"fail/approve-unknown-graduate", "/graduates/nobody/approve", "application/json", ``, 404, "not_found", ""},
			{"fail/import-json-unknown-member", "/graduates", "application/json", `[{"graduate_id":"a","record":{},"extra":1}]`, 400, "invalid_input", "[0].extra"},
			{"fail/import-content-type", "/graduates", "application/xml", `<a/>`, 400, "invalid_request", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				b := post(tc.path, tc.ctype, tc.body).wantError(t, tc.status, tc.code)
				if tc.field != "" && !slices.ContainsFunc(b.Fields, func(f academic.FieldError) bool { return f.Path == tc.field }) {
					t.Fatalf("fields %+v lack %s", b.Fields, tc.field)
				}
			})
		}
		for _, q := range []string{"?limit=0", "?limit=x", "?before=yesterday", "?limit=1&limit=2"} {
			e.admin("GET", "oostland", "/offers"+q, nil).wantError(t, 400, "invalid_input")
		}
		// Nothing was created.
		var offers []issuer.OfferView
		e.admin("GET", "oostland", "/offers", nil).json(t, &offers)
		var grads []issuer.GraduateView
		e.admin("GET", "oostland", "/graduates", nil).json(t, &grads)
		if len(offers) != 0 || len(grads) != 0 {
			t.Fatalf("offers %+v graduates %+v", offers, grads)
		}
	})
}

// flatten turns a JSON record into CSV columns (dotted paths, [i] for arrays).
func flatten(prefix string, v any, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			flatten(p, e, out)
		}
	case []any:
		for i, e := range x {
			flatten(fmt.Sprintf("%s[%d]", prefix, i), e, out)
		}
	case json.Number:
		out[prefix] = x.String()
	case bool:
		out[prefix] = fmt.Sprint(x)
	case string:
		out[prefix] = x
	}
}

func csvQuote(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

func TestGraduateImportCSV(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		var rec any
		dec := json.NewDecoder(strings.NewReader(string(diploma(t))))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			t.Fatal(err)
		}
		cells := map[string]string{}
		flatten("", rec, cells)
		cols := make([]string, 0, len(cells))
		for k := range cells {
			cols = append(cols, k)
		}
		sort.Strings(cols)
		header := append([]string{"graduate_id", "approved"}, cols...)
		row := func(id, approved string, override map[string]string) string {
			vals := []string{id, approved}
			for _, c := range cols {
				v := cells[c]
				if o, ok := override[c]; ok {
					v = o
				}
				vals = append(vals, csvQuote(v))
			}
			return strings.Join(vals, ",")
		}
		lines := []string{
			strings.Join(header, ","),
			row("s-1", "true", nil),
			row("s-2", "", map[string]string{"degree.eqf_level": "seven"}), // mistyped cell
			`s-3,"unterminated`, // CSV syntax error (swallows the rest? no: the quote ends the file)
		}
		// Put the syntax error last so that the bare quote cannot swallow good rows, and
		// a wrong field count before it.
		lines = append(lines[:3], "s-4,true", row("s-5", "false", nil), lines[3])
		r := e.do("POST", "/issuer/oostland/admin/graduates", hdrs("Content-Type", "text/csv; charset=utf-8", "Authorization", "Bearer "+adminToken("oostland")), []byte(strings.Join(lines, "\r\n")+"\r\n"))
		if r.status != http.StatusOK {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		var res []issuer.ImportResult
		r.json(t, &res)
		got := make([]string, len(res))
		for i, x := range res {
			got[i] = fmt.Sprintf("%d:%s:%s", x.Row, x.ID, x.Outcome)
		}
		want := []string{"1:s-1:created", "2:s-2:rejected", "3::rejected", "4:s-5:created", "5::rejected"}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("results %v, want %v (%s)", got, want, r.body)
		}
		if res[1].Errors[0].Path != "record.degree.eqf_level" || res[1].Errors[0].Rule != "type" || res[2].Errors[0].Rule != "syntax" {
			t.Fatalf("errors %+v / %+v", res[1].Errors, res[2].Errors)
		}
		var grads []issuer.GraduateView
		e.admin("GET", "oostland", "/graduates", nil).json(t, &grads)
		if len(grads) != 2 || grads[0].ID != "s-1" || !grads[0].Approved || grads[1].ID != "s-5" || grads[1].Approved {
			t.Fatalf("graduates %+v", grads)
		}
		// The imported record is the same diploma: an offer for it works.
		r = e.admin("POST", "oostland", "/offers", map[string]any{"credential_configuration_id": issuer.ConfigDiplomaSDJWT, "graduate_id": "s-1"})
		if r.status != http.StatusCreated {
			t.Fatalf("offer for imported graduate: %d %s", r.status, r.body)
		}
		// A bad header rejects the whole import.
		post := func(body string) response {
			return e.do("POST", "/issuer/oostland/admin/graduates", hdrs("Content-Type", "text/csv", "Authorization", "Bearer "+adminToken("oostland")), []byte(body))
		}
		b := post("graduate_id,learner.nickname\ns-9,x\n").wantError(t, 400, "invalid_input")
		if len(b.Fields) != 1 || b.Fields[0].Path != "learner.nickname" {
			t.Fatalf("fields %+v", b.Fields)
		}
		post("learner.family_name\nX\n").wantError(t, 400, "invalid_input")
		// A file saved in Shift_JIS (Excel's "CSV" in Japan) is refused whole, naming the
		// line, instead of importing garbled names: 佐藤 is 0x8D 0xB2 0x93 0xA1 there.
		b = post("graduate_id,learner.family_name\ns-7,Tanaka\ns-8,\x8d\xb2\x93\xa1\n").wantError(t, 400, "invalid_input")
		if len(b.Fields) != 1 || b.Fields[0].Path != "file" || b.Fields[0].Rule != "encoding" || !strings.Contains(b.Fields[0].Message, "line 3") {
			t.Fatalf("fields %+v", b.Fields)
		}
		e.admin("GET", "oostland", "/graduates", nil).json(t, &grads)
		if len(grads) != 2 {
			t.Fatalf("a row of a refused file was imported: %+v", grads)
		}
		// Sakuragaoka sees none of it.
		e.admin("GET", "sakuragaoka", "/graduates", nil).json(t, &grads)
		if len(grads) != 0 {
			t.Fatalf("sakuragaoka graduates %+v", grads)
		}
	})
}

func TestGraduateImportJSONLines(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		good := `{"graduate_id":"g-1","record":` + string(diploma(t)) + `}`
		body := good + "\n\n" + `{"graduate_id":"g-2","record":{}` + "\n" + `{"graduate_id":"g-3","record":{"learner":{}}}` + "\n"
		r := e.do("POST", "/issuer/oostland/admin/graduates", hdrs("Content-Type", "application/jsonl", "Authorization", "Bearer "+adminToken("oostland")), []byte(body))
		var res []issuer.ImportResult
		r.json(t, &res)
		if r.status != 200 || len(res) != 3 || res[0].Outcome != "created" || res[1].Outcome != "rejected" || res[1].Row != 2 ||
			res[2].Outcome != "rejected" || res[2].ID != "g-3" || res[2].Row != 3 {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		// Over the 64 KiB default body limit: the import route allows 8 MiB.
		var many strings.Builder
		for i := range 80 {
			fmt.Fprintf(&many, `{"graduate_id":"bulk-%03d","record":%s}`+"\n", i, diploma(t))
		}
		if many.Len() <= 64<<10 {
			t.Fatalf("bulk body only %d bytes", many.Len())
		}
		r = e.do("POST", "/issuer/oostland/admin/graduates", hdrs("Content-Type", "application/x-ndjson", "Authorization", "Bearer "+adminToken("oostland")), []byte(many.String()))
		r.json(t, &res)
		if r.status != 200 || len(res) != 80 || res[79].Outcome != "created" || res[79].Row != 80 {
			t.Fatalf("bulk import: %d, %d results", r.status, len(res))
		}
		// Over 8 MiB: 413, nothing imported.
		huge := strings.Repeat(`{"graduate_id":"huge","record":{}}`+"\n", (8<<20)/35+10)
		e.do("POST", "/issuer/oostland/admin/graduates", hdrs("Content-Type", "application/x-ndjson", "Authorization", "Bearer "+adminToken("oostland")), []byte(huge)).
			wantError(t, http.StatusRequestEntityTooLarge, "invalid_request")
		var grads []issuer.GraduateView
		e.admin("GET", "oostland", "/graduates?limit=500", nil).json(t, &grads)
		if len(grads) != 81 {
			t.Fatalf("%d graduates", len(grads))
		}
		// application/json array: the same row again is an update.
		r = e.do("POST", "/issuer/oostland/admin/graduates", hdrs("Content-Type", "application/json", "Authorization", "Bearer "+adminToken("oostland")), []byte("["+good+"]"))
		r.json(t, &res)
		if r.status != 200 || len(res) != 1 || res[0].Outcome != "updated" {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
	})
}
