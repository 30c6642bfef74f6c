package verifierhttp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/verifier"
	"github.com/hashi-vc/hashi/verifier/verifierhttp"
)

// TestAPIAuth: the API needs the desk's bearer token.
func TestAPIAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.create(map[string]any{"profile": "diploma"})
	for _, tc := range []struct {
		name string
		auth []string
	}{
		{"fail/missing", nil},
		{"fail/wrong", []string{"Bearer wrong"}},
		{"fail/basic", []string{"Basic " + apiToken}},
		{"fail/empty", []string{"Bearer "}},
		{"fail/twice", []string{"Bearer " + apiToken, "Bearer " + apiToken}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, rq := range []struct{ method, path string }{{"GET", "/verifier/api/requests/" + c.ID}, {"POST", "/verifier/api/requests"}} {
				h := http.Header{"Content-Type": {"application/json"}}
				if tc.auth != nil {
					h["Authorization"] = tc.auth
				}
				r := e.do(rq.method, rq.path, h, []byte(`{"profile":"diploma"}`))
				r.wantError(t, http.StatusUnauthorized, "invalid_token")
				if !strings.HasPrefix(r.header.Get("Www-Authenticate"), `Bearer realm="verifier"`) {
					t.Fatalf("WWW-Authenticate %q", r.header.Get("Www-Authenticate"))
				}
			}
		})
	}
	if rep := e.report(c.ID); rep.Status != verifier.StatusPending || rep.Request != c.Request || rep.Policy != "default" {
		t.Fatalf("report %+v", rep)
	}
	if _, err := verifierhttp.New(e.flow); err == nil {
		t.Fatal("New without WithAPITokenSHA256 succeeded")
	}
}

// TestAPICreateErrors: strict JSON; every error is 400 invalid_input naming the problem (or
// 413), and nothing is created.
func TestAPICreateErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
		code   string
		desc   string
	}{
		{"fail/unknown member", []byte(`{"profile":"diploma","colour":"red"}`), 400, "invalid_input", `unknown member "colour"`},
		{"fail/duplicate member", []byte(`{"profile":"diploma","profile":"learning"}`), 400, "invalid_input", "not valid JSON"},
		{"fail/not an object", []byte(`["diploma"]`), 400, "invalid_input", "not a JSON object"},
		{"fail/not JSON", []byte(`profile=diploma`), 400, "invalid_input", "not valid JSON"},
		{"fail/neither", []byte(`{"same_device":true}`), 400, "invalid_input", "exactly one"},
		{"fail/both", []byte(`{"profile":"diploma","dcql_query":{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]}}]}}`), 400, "invalid_input", "exactly one"},
		{"fail/profile not a string", []byte(`{"profile":1}`), 400, "invalid_input", `"profile" must be a string`},
		{"fail/same_device not a boolean", []byte(`{"profile":"diploma","same_device":"yes"}`), 400, "invalid_input", `"same_device" must be a boolean`},
		{"fail/unknown profile", []byte(`{"profile":"passport"}`), 400, "invalid_input", "passport"},
		{"fail/bad dcql", []byte(`{"dcql_query":{"credentials":[]}}`), 400, "invalid_input", `"dcql_query"`},
		{"fail/unknown response mode", []byte(`{"profile":"diploma","response_mode":"fragment"}`), 400, "invalid_input", ""},
		{"fail/unknown policy", []byte(`{"profile":"diploma","policy":"lenient"}`), 400, "invalid_input", "lenient"},
		{"fail/oversized", []byte(`{"profile":"diploma","policy":"` + strings.Repeat("a", 130<<10) + `"}`), 413, "invalid_request", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.api("POST", "/requests", tc.body).wantError(t, tc.status, tc.code)
			if !strings.Contains(b.ErrorDescription, tc.desc) {
				t.Fatalf("description %q lacks %q", b.ErrorDescription, tc.desc)
			}
		})
	}
	h := http.Header{"Authorization": {"Bearer " + apiToken}, "Content-Type": {"text/plain"}}
	e.do("POST", "/verifier/api/requests", h, []byte(`{"profile":"diploma"}`)).wantError(t, 400, "invalid_input")
	e.api("GET", "/requests/unknown", nil).wantError(t, http.StatusNotFound, "invalid_request")

	// A DCQL query of the caller's own.
	c := e.create(map[string]any{"dcql_query": map[string]any{"credentials": []any{map[string]any{
		"id": "d", "format": "dc+sd-jwt", "meta": map[string]any{"vct_values": []string{"urn:hashi:diploma:1"}},
		"claims": []any{map[string]any{"path": []string{"degree", "title"}}, map[string]any{"path": []string{"degree", "level"}}},
	}}}, "response_mode": "direct_post"})
	w := newTestWallet(e, getPilot().issueEU(statusIdx))
	r, res := w.answer(t, c.Request)
	if len(r.Query.Credentials) != 1 || r.Query.Credentials[0].ID != "d" || res.status != 200 {
		t.Fatalf("query %+v response %d %s", r.Query, res.status, res.body)
	}
	if rep := e.report(c.ID); rep.Status != verifier.StatusVerified {
		t.Fatalf("report %+v %+v", rep, rep.Result)
	}
}

// FuzzParseCreateRequest: the API body parser never panics and accepts only objects with
// exactly one of profile and dcql_query.
func FuzzParseCreateRequest(f *testing.F) {
	for _, s := range []string{`{"profile":"diploma"}`, `{"dcql_query":{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]}}]}}`,
		`{"profile":"diploma","same_device":true,"response_mode":"direct_post"}`, `{"x":1}`, `[]`, `{"profile":"a","profile":"b"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := verifierhttp.ParseCreateRequest(b)
		if err != nil {
			if st, _, ok := verifierhttp.ErrorMapper(err); !ok || st != http.StatusBadRequest {
				t.Fatalf("error %v maps to %d %v", err, st, ok)
			}
			return
		}
		if (in.Profile == "") == (in.Query == nil) {
			t.Fatalf("accepted %q without exactly one of profile and dcql_query", b)
		}
	})
}
