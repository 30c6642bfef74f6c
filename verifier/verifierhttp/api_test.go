package verifierhttp_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
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
			for _, rq := range []struct{ method, path string }{{"GET", "/verifier/api/requests/" + c.ID}, {"POST", "/verifier/api/requests"}, {"GET", "/verifier/api/requests"}} {
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
	e.api("GET", "/requests/unknown", nil).wantError(t, http.StatusNotFound, "not_found")

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
		`{"profile":"diploma","same_device":true,"response_mode":"direct_post"}`, `{"profile":"diploma","client_id_prefix":"redirect_uri"}`, `{"x":1}`, `[]`, `{"profile":"a","profile":"b"}`} {
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

// TestAPIClientIDPrefix: "client_id_prefix": "redirect_uri" asks for an unsigned request,
// which only a desk with UnsignedRequestsUnsafe makes; any other value is invalid input, and
// a desk that does not allow unsigned requests refuses with 400 (never 500).
func TestAPIClientIDPrefix(t *testing.T) {
	t.Parallel()
	unsigned := newEnvFlow(t, func(c *verifier.FlowConfig) { c.UnsignedRequestsUnsafe = true })
	signedOnly := newEnv(t)
	responseURI := deskBase + verifier.PathResponse
	for _, tc := range []struct {
		name         string
		e            *env
		body         string
		status       int
		code, desc   string
		wantClientID string // on success
	}{
		{"ok/redirect_uri get", unsigned, `{"profile":"diploma","client_id_prefix":"redirect_uri","request_uri_method":"get"}`, 201, "", "", "redirect_uri:" + responseURI},
		{"ok/redirect_uri post", unsigned, `{"profile":"diploma","client_id_prefix":"redirect_uri","response_mode":"direct_post"}`, 201, "", "", "redirect_uri:" + responseURI},
		{"ok/omitted is signed", unsigned, `{"profile":"diploma"}`, 201, "", "", unsigned.flow.ClientID()},
		{"fail/x509_hash", unsigned, `{"profile":"diploma","client_id_prefix":"x509_hash"}`, 400, "invalid_input", `"client_id_prefix" must be "redirect_uri"`, ""},
		{"fail/x509_san_dns", unsigned, `{"profile":"diploma","client_id_prefix":"x509_san_dns"}`, 400, "invalid_input", `"client_id_prefix" must be "redirect_uri"`, ""},
		{"fail/empty", unsigned, `{"profile":"diploma","client_id_prefix":""}`, 400, "invalid_input", `"client_id_prefix" must be "redirect_uri"`, ""},
		{"fail/case", unsigned, `{"profile":"diploma","client_id_prefix":"Redirect_URI"}`, 400, "invalid_input", `"client_id_prefix" must be "redirect_uri"`, ""},
		{"fail/with colon", unsigned, `{"profile":"diploma","client_id_prefix":"redirect_uri:"}`, 400, "invalid_input", `"client_id_prefix" must be "redirect_uri"`, ""},
		{"fail/not a string", unsigned, `{"profile":"diploma","client_id_prefix":true}`, 400, "invalid_input", `"client_id_prefix" must be a string`, ""},
		{"fail/null", unsigned, `{"profile":"diploma","client_id_prefix":null}`, 400, "invalid_input", `"client_id_prefix" must be "redirect_uri"`, ""},
		{"fail/not allowed on this desk", signedOnly, `{"profile":"diploma","client_id_prefix":"redirect_uri"}`, 400, "invalid_input", "unsigned requests are not enabled", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.e.api("POST", "/requests", []byte(tc.body))
			if tc.status != http.StatusCreated {
				b := r.wantError(t, tc.status, tc.code)
				if !strings.Contains(b.ErrorDescription, tc.desc) {
					t.Fatalf("description %q lacks %q", b.ErrorDescription, tc.desc)
				}
				return
			}
			if r.status != http.StatusCreated {
				t.Fatalf("create: %d %s", r.status, r.body)
			}
			var c created
			r.json(t, &c)
			link := must1(url.Parse(c.Request))
			if got := link.Query().Get("client_id"); got != tc.wantClientID {
				t.Fatalf("link client_id %q, want %q", got, tc.wantClientID)
			}
			// The request object: an unsecured JWT (alg none, empty signature) for redirect_uri,
			// a signed one otherwise; its client_id is the link's either way.
			obj := tc.e.do("GET", c.RequestURI, nil, nil)
			if obj.status != http.StatusOK {
				t.Fatalf("request object: %d %s", obj.status, obj.body)
			}
			parts := strings.Split(string(obj.body), ".")
			if len(parts) != 3 {
				t.Fatalf("request object %q is not a compact JWT", obj.body)
			}
			var hdr struct {
				Alg string `json:"alg"`
				Typ string `json:"typ"`
				X5C []string
			}
			var claims struct {
				ClientID    string `json:"client_id"`
				ResponseURI string `json:"response_uri"`
			}
			must(json.Unmarshal(must1(base64.RawURLEncoding.DecodeString(parts[0])), &hdr))
			must(json.Unmarshal(must1(base64.RawURLEncoding.DecodeString(parts[1])), &claims))
			if claims.ClientID != tc.wantClientID || claims.ResponseURI != responseURI || hdr.Typ != verifier.RequestObjectType {
				t.Fatalf("request object header %+v claims %+v", hdr, claims)
			}
			unsignedObj := hdr.Alg == "none" && parts[2] == "" && len(hdr.X5C) == 0
			if wantUnsigned := strings.HasPrefix(tc.wantClientID, "redirect_uri:"); unsignedObj != wantUnsigned {
				t.Fatalf("request object header %+v signature %d bytes; want unsigned %v", hdr, len(parts[2]), wantUnsigned)
			}
		})
	}
}
