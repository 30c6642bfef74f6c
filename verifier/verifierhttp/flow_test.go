package verifierhttp_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/verifier"
)

// TestFlowHTTP runs the wallet side over real HTTP: the request is made through the API,
// the test wallet fetches the request object by GET and by POST, presents an EU diploma
// issued with the pilot seal and answers with direct_post and direct_post.jwt; the API then
// reports it verified with the result, and a same-device answer leads to the landing page.
func TestFlowHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cred := getPilot().issueEU(statusIdx)
	for _, tc := range []struct {
		name, mode, method string
		same               bool
	}{
		{"ok/direct_post/get", verifier.ResponseModeDirectPost, "get", false},
		{"ok/direct_post/post", verifier.ResponseModeDirectPost, "post", false},
		{"ok/direct_post.jwt/post", verifier.ResponseModeDirectPostJWT, "post", false},
		{"ok/direct_post.jwt/get/same-device", verifier.ResponseModeDirectPostJWT, "get", true},
		{"ok/direct_post.jwt/get", verifier.ResponseModeDirectPostJWT, "get", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := e.create(map[string]any{"profile": "diploma", "response_mode": tc.mode, "request_uri_method": tc.method, "same_device": tc.same})
			if !strings.HasPrefix(c.Request, "openid4vp://?client_id=x509_hash%3A") || !strings.Contains(c.Request, "request_uri_method="+tc.method) ||
				c.RequestURI != deskBase+verifier.PathRequestObject+c.ID {
				t.Fatalf("created %+v", c)
			}
			if rep := e.report(c.ID); rep.Status != verifier.StatusPending || rep.Result != nil {
				t.Fatalf("before: %+v", rep)
			}
			w := newTestWallet(e, cred)
			r, res := w.answer(t, c.Request)
			if r.ResponseMode != tc.mode || r.ResponseURI != deskBase+verifier.PathResponse {
				t.Fatalf("request object: %+v", r)
			}
			if tc.method == "post" && r.WalletNonce == "" {
				t.Fatal("wallet_nonce not echoed")
			}
			if tc.mode == verifier.ResponseModeDirectPostJWT {
				// Both, always (HAIP 1.0 §5), even after wallet_metadata naming A256GCM only.
				want := `["A128GCM","A256GCM"]`
				meta := r.Claims["client_metadata"].(map[string]any)
				if got := string(must1(json.Marshal(meta["encrypted_response_enc_values_supported"]))); got != want {
					t.Fatalf("enc values %s, want %s", got, want)
				}
			}
			if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/json" || res.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("response: %d %v %s", res.status, res.header, res.body)
			}
			var body map[string]string
			res.json(t, &body)
			rep := e.report(c.ID)
			if rep.Status != verifier.StatusVerified || rep.Result == nil || rep.Result.Verdict != verifier.VerdictAccepted {
				t.Fatalf("report %+v result %+v", rep, rep.Result)
			}
			cr := rep.Result.Credentials[0]
			if cr.Type != academic.VCTHashiDiploma || cr.Issuer.Country != "NL" || cr.Issuer.NameEN != "Oostland University" ||
				!strings.HasPrefix(cr.TrustPath, euLabel) || cr.Qualification == nil || cr.Qualification.EQFLevel != 7 {
				t.Fatalf("credential result %+v", cr)
			}
			if !tc.same {
				if len(body) != 0 || string(bytes.TrimSpace(res.body)) != "{}" {
					t.Fatalf("cross-device body %s", res.body)
				}
				return
			}
			ru := body["redirect_uri"]
			if len(body) != 1 || !strings.HasPrefix(ru, deskBase+verifier.PathDone+c.ID+"?response_code=") {
				t.Fatalf("same-device body %s", res.body)
			}
			page := e.do("GET", ru, http.Header{"Accept-Language": {"en"}}, nil)
			if page.status != http.StatusOK || !strings.Contains(string(page.body), `id="verdict" class="verdict verdict-accepted"`) ||
				!strings.Contains(string(page.body), "Accepted") || !strings.Contains(string(page.body), "Oostland University") {
				t.Fatalf("landing page: %d\n%s", page.status, page.body)
			}
			if bad := e.do("GET", ru+"x", nil, nil); bad.status != http.StatusNotFound || !strings.Contains(bad.header.Get("Content-Type"), "text/html") {
				t.Fatalf("wrong response_code: %d %v", bad.status, bad.header)
			}
		})
	}
}

// TestFlowHTTPRequestObjectErrors: the request_uri's errors are JSON with the OAuth code and
// status, never a redirect.
func TestFlowHTTPRequestObjectErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	get := e.create(map[string]any{"profile": "diploma", "request_uri_method": "get"})
	post := e.create(map[string]any{"profile": "learning"})
	h, b := form(url.Values{"wallet_metadata": {`{"client_id_prefixes_supported":["x509_san_dns"]}`}})
	e.do("POST", post.RequestURI, h, b).wantError(t, http.StatusBadRequest, "invalid_request")
	h, b = form(url.Values{"wallet_metadata": {`[1]`}})
	e.do("POST", post.RequestURI, h, b).wantError(t, http.StatusBadRequest, "invalid_request")
	h, b = form(url.Values{"wallet_nonce": {"a", "b"}})
	e.do("POST", post.RequestURI, h, b).wantError(t, http.StatusBadRequest, "invalid_request")
	e.do("POST", post.RequestURI, http.Header{"Content-Type": {"application/json"}}, []byte(`{}`)).wantError(t, http.StatusBadRequest, "invalid_request")
	h, b = form(url.Values{"wallet_metadata": {strings.Repeat("x", 300<<10)}})
	e.do("POST", post.RequestURI, h, b).wantError(t, http.StatusRequestEntityTooLarge, "invalid_request")
	h, b = form(url.Values{})
	e.do("POST", get.RequestURI, h, b).wantError(t, http.StatusBadRequest, "invalid_request_uri_method")
	e.do("GET", deskBase+verifier.PathRequestObject+"nope", nil, nil).wantError(t, http.StatusNotFound, "invalid_request")
	if r := e.do("PUT", get.RequestURI, nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("PUT: %d", r.status)
	}
	// Still answerable after all that: nothing was written.
	if r := e.do("GET", get.RequestURI, nil, nil); r.status != http.StatusOK || r.header.Get("Content-Type") != "application/oauth-authz-req+jwt" || r.header.Get("Location") != "" {
		t.Fatalf("GET: %d %v", r.status, r.header)
	}
	// Expired: the request_uri refuses, the API says expired.
	e.clock.Add(11 * time.Minute)
	e.do("GET", get.RequestURI, nil, nil).wantError(t, http.StatusBadRequest, "invalid_request")
	if rep := e.report(get.ID); rep.Status != verifier.StatusExpired {
		t.Fatalf("status %q", rep.Status)
	}
}

// TestFlowHTTPResponseErrors: bad responses are 400 JSON with the OAuth error (or 413) and
// leave the request pending; a malformed vp_token is a rejected result; a used state is
// refused; a vp_token replayed to another request is rejected.
func TestFlowHTTPResponseErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cred := getPilot().issueEU(statusIdx)
	w := newTestWallet(e, cred)
	plain := e.create(map[string]any{"profile": "diploma", "response_mode": "direct_post"})
	rp := must1(w.fetch(plain.Request))
	enc := e.create(map[string]any{"profile": "diploma"})
	re := must1(w.fetch(enc.Request))
	vp := w.present(rp)

	post := func(v url.Values) response {
		h, b := form(v)
		return e.do("POST", deskBase+verifier.PathResponse, h, b)
	}
	for _, tc := range []struct {
		name   string
		send   func() response
		status int
		code   string
	}{
		{"fail/unknown state", func() response { return post(url.Values{"vp_token": {string(vp)}, "state": {"nope"}}) }, 400, "invalid_request"},
		{"fail/no state", func() response { return post(url.Values{"vp_token": {string(vp)}}) }, 400, "invalid_request"},
		{"fail/repeated vp_token", func() response { return post(url.Values{"vp_token": {string(vp), string(vp)}, "state": {rp.State}}) }, 400, "invalid_request"},
		{"fail/vp_token and error", func() response {
			return post(url.Values{"vp_token": {string(vp)}, "error": {"access_denied"}, "state": {rp.State}})
		}, 400, "invalid_request"},
		{"fail/unencrypted for direct_post.jwt", func() response { return post(url.Values{"vp_token": {string(vp)}, "state": {re.State}}) }, 400, "invalid_request"},
		{"fail/undecryptable JWE", func() response { return post(url.Values{"response": {"a.b.c.d.e"}}) }, 400, "invalid_request"},
		{"fail/JSON body", func() response {
			return e.do("POST", deskBase+verifier.PathResponse, http.Header{"Content-Type": {"application/json"}}, must1(json.Marshal(map[string]string{"state": rp.State})))
		}, 400, "invalid_request"},
		{"fail/oversized", func() response {
			return post(url.Values{"vp_token": {strings.Repeat("x", 600<<10)}, "state": {rp.State}})
		}, 413, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.send().wantError(t, tc.status, tc.code) })
	}
	for _, id := range []string{plain.ID, enc.ID} {
		if rep := e.report(id); rep.Status != verifier.StatusPending || !rep.CompletedAt.IsZero() {
			t.Fatalf("after bad responses: %+v", rep)
		}
	}

	// A malformed vp_token is an answer: rejected, with the reason.
	if r := post(url.Values{"vp_token": {`{"diploma":["not an sd-jwt"]`}, "state": {rp.State}}); r.status != http.StatusOK {
		t.Fatalf("malformed vp_token: %d %s", r.status, r.body)
	}
	if rep := e.report(plain.ID); rep.Status != verifier.StatusRejected || rep.Result == nil || rep.Result.Reason != verifier.CodeMalformedVPToken {
		t.Fatalf("malformed: %+v %+v", rep, rep.Result)
	}
	// The state is used up.
	post(url.Values{"vp_token": {string(vp)}, "state": {rp.State}}).wantError(t, 400, "invalid_request")

	// A vp_token accepted for one request and replayed to another is rejected.
	first := e.create(map[string]any{"profile": "diploma", "response_mode": "direct_post"})
	r1 := must1(w.fetch(first.Request))
	vp1 := w.present(r1)
	if r := w.post(r1, w.form(r1, vp1)); r.status != 200 {
		t.Fatalf("first: %d %s", r.status, r.body)
	}
	second := e.create(map[string]any{"profile": "diploma", "response_mode": "direct_post"})
	r2 := must1(w.fetch(second.Request))
	if r := w.post(r2, url.Values{"vp_token": {string(vp1)}, "state": {r2.State}}); r.status != 200 {
		t.Fatalf("replay: %d %s", r.status, r.body)
	}
	if rep := e.report(second.ID); rep.Status != verifier.StatusRejected || rep.Result.Reason != verifier.CodePresentationReplayed {
		t.Fatalf("replayed: %+v", rep.Result)
	}

	// A wallet's error declines the request.
	third := e.create(map[string]any{"profile": "diploma", "response_mode": "direct_post"})
	r3 := must1(w.fetch(third.Request))
	if r := w.post(r3, url.Values{"error": {"access_denied"}, "error_description": {"the user said no"}, "state": {r3.State}}); r.status != 200 || string(r.body) != "{}\n" && string(r.body) != "{}" {
		t.Fatalf("wallet error: %d %q", r.status, r.body)
	}
	if rep := e.report(third.ID); rep.Status != verifier.StatusDeclined || rep.WalletError != "access_denied" {
		t.Fatalf("declined: %+v", rep)
	}
}

// TestFlowHTTPDeclinedSameDevice: a wallet's error on a same-device request leads to the
// landing page confirming to the student that they declined; the answered request's
// request_uri is refused.
func TestFlowHTTPDeclinedSameDevice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.create(map[string]any{"profile": "learning", "same_device": true})
	w := newTestWallet(e)
	r := must1(w.fetch(c.Request))
	res := w.post(r, url.Values{"error": {"access_denied"}, "error_description": {"not now"}, "state": {r.State}})
	var body map[string]string
	res.json(t, &body)
	if res.status != http.StatusOK || !strings.HasPrefix(body["redirect_uri"], deskBase+verifier.PathDone+c.ID+"?response_code=") {
		t.Fatalf("response %d %s", res.status, res.body)
	}
	page := e.do("GET", body["redirect_uri"], http.Header{"Accept-Language": {"ja"}}, nil)
	if page.status != http.StatusOK || !strings.Contains(string(page.body), `class="verdict verdict-declined"`) ||
		!strings.Contains(string(page.body), ">お断りしました<") || strings.Contains(string(page.body), "access_denied") {
		t.Fatalf("landing page %d\n%s", page.status, page.body)
	}
	e.do("GET", c.RequestURI, nil, nil).wantError(t, http.StatusBadRequest, "invalid_request")
	if rep := e.report(c.ID); rep.Status != verifier.StatusDeclined || rep.WalletErrorDescription != "not now" {
		t.Fatalf("report %+v", rep)
	}
}
