package issuerhttp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/issuer"
)

func TestTokenEndpointErrors(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		w := newWallet(e, "oostland")
		post := func(ctype string, body string, extra ...string) response {
			return e.do("POST", "/issuer/oostland/token", hdrs(append([]string{"Content-Type", ctype}, extra...)...), []byte(body))
		}
		form := func(code string, kv ...string) string {
			v := url.Values{"grant_type": {issuer.GrantPreAuthorizedCode}, "pre-authorized_code": {code}}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v.Encode()
		}

		t.Run("fail/request-shape", func(t *testing.T) {
			res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, true)
			_, code := w.offer(res.CredentialOfferURI)
			for _, tc := range []struct {
				name   string
				ctype  string
				body   string
				status int
				code   string
			}{
				{"fail/json-content-type", "application/json", `{"grant_type":"` + issuer.GrantPreAuthorizedCode + `","pre-authorized_code":"` + code + `"}`, 400, "invalid_request"},
				{"fail/no-content-type", "", form(code, "tx_code", res.TxCode), 400, "invalid_request"},
				{"fail/bad-form-encoding", "application/x-www-form-urlencoded", "grant_type=%zz", 400, "invalid_request"},
				{"fail/unsupported-grant", "application/x-www-form-urlencoded", "grant_type=authorization_code&code=x", 400, "unsupported_grant_type"},
				{"fail/unknown-code", "application/x-www-form-urlencoded", form("nope", "tx_code", res.TxCode), 400, "invalid_grant"},
				{"fail/repeated-parameter", "application/x-www-form-urlencoded", form(code, "tx_code", res.TxCode, "tx_code", res.TxCode), 400, "invalid_request"},
				{"fail/tx-code-missing", "application/x-www-form-urlencoded", form(code), 400, "invalid_request"},
				{"fail/malformed-dpop", "application/x-www-form-urlencoded; charset=utf-8", form(code, "tx_code", res.TxCode), 400, "invalid_dpop_proof"},
			} {
				var r response
				if tc.name == "fail/malformed-dpop" {
					r = post(tc.ctype, tc.body, "DPoP", "not.a.jwt")
				} else {
					r = post(tc.ctype, tc.body)
				}
				r.wantError(t, tc.status, tc.code)
				if r.header.Get("Cache-Control") != "no-store" {
					t.Errorf("%s: Cache-Control %q", tc.name, r.header.Get("Cache-Control"))
				}
			}
			// None of these consumed the code or counted a tx_code attempt.
			var v issuer.OfferView
			e.admin("GET", "oostland", "/offers/"+res.OfferID, nil).json(t, &v)
			if v.State != "pending" || v.TxCodeAttempts != 0 {
				t.Fatalf("offer after rejected requests: %+v", v)
			}
			w.token(code, res.TxCode, false)
			// Reused code.
			w.tokenRequest(code, res.TxCode, false).wantError(t, 400, "invalid_grant")
		})

		t.Run("fail/tx-code-brute-force-locks", func(t *testing.T) {
			res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, true)
			_, code := w.offer(res.CredentialOfferURI)
			wrong := strings.Repeat("0", len(res.TxCode))
			if wrong == res.TxCode {
				wrong = strings.Repeat("1", len(res.TxCode))
			}
			for i := range 5 {
				b := w.tokenRequest(code, wrong, false).wantError(t, 400, "invalid_grant")
				if i == 4 && !strings.Contains(b.ErrorDescription, "locked") {
					t.Fatalf("fifth wrong tx_code: %q", b.ErrorDescription)
				}
			}
			// The right code no longer works.
			w.tokenRequest(code, res.TxCode, false).wantError(t, 400, "invalid_grant")
			var v issuer.OfferView
			e.admin("GET", "oostland", "/offers/"+res.OfferID, nil).json(t, &v)
			if v.State != "locked" || v.TxCodeAttempts != 5 {
				t.Fatalf("offer %+v", v)
			}
			// The registrar re-offers (no body: a PIN, as by default); the new offer works.
			r := e.admin("POST", "oostland", "/offers/"+res.OfferID+"/reoffer", nil)
			var again issuer.OfferResult
			r.json(t, &again)
			if r.status != http.StatusCreated || again.OfferID == res.OfferID || again.TxCode == "" {
				t.Fatalf("reoffer: %d %s", r.status, r.body)
			}
			_, code2 := w.offer(again.CredentialOfferURI)
			w.token(code2, again.TxCode, true)
			// Asked for without a PIN; and an empty body with a JSON Content-Type is {} too.
			var noPIN issuer.OfferResult
			if r := e.admin("POST", "oostland", "/offers/"+res.OfferID+"/reoffer", map[string]bool{"tx_code": false}); r.status != http.StatusCreated {
				t.Fatalf("reoffer without PIN: %d %s", r.status, r.body)
			} else if r.json(t, &noPIN); noPIN.TxCode != "" {
				t.Fatalf("reoffer without PIN has a PIN: %+v", noPIN)
			}
			r = e.do("POST", "/issuer/oostland/admin/offers/"+res.OfferID+"/reoffer",
				hdrs("Authorization", "Bearer "+adminToken("oostland"), "Content-Type", "application/json"), nil)
			if r.status != http.StatusCreated {
				t.Fatalf("reoffer with an empty JSON body: %d %s", r.status, r.body)
			}
		})

		t.Run("fail/replayed-dpop", func(t *testing.T) {
			res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, false)
			_, code := w.offer(res.CredentialOfferURI)
			proof := w.dpopProof("POST", issuer.PathToken, "")
			other := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, false)
			_, otherCode := w.offer(other.CredentialOfferURI)
			if r := post("application/x-www-form-urlencoded", form(otherCode), "DPoP", proof); r.status != http.StatusOK {
				t.Fatalf("first use: %d %s", r.status, r.body)
			}
			post("application/x-www-form-urlencoded", form(code), "DPoP", proof).wantError(t, 400, "invalid_dpop_proof")
			// A proof for another endpoint (htu) fails too.
			post("application/x-www-form-urlencoded", form(code), "DPoP", w.dpopProof("POST", issuer.PathCredential, "")).wantError(t, 400, "invalid_dpop_proof")
			// The code is still usable.
			w.token(code, "", true)
		})

		t.Run("fail/other-tenant", func(t *testing.T) {
			res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, false)
			_, code := w.offer(res.CredentialOfferURI)
			newWallet(e, "sakuragaoka").tokenRequest(code, "", false).wantError(t, 400, "invalid_grant")
			// Another tenant's path does not serve the offer either.
			e.do("GET", "/issuer/sakuragaoka/offers/"+res.OfferID, nil, nil).wantError(t, 404, "not_found")
			w.token(code, "", false)
		})

		t.Run("fail/unknown-tenant", func(t *testing.T) {
			e.do("POST", "/issuer/nowhere/token", hdrs("Content-Type", "application/x-www-form-urlencoded"), []byte(form("x"))).wantError(t, 404, "not_found")
			e.do("POST", "/issuer/nowhere/nonce", nil, nil).wantError(t, 404, "not_found")
			e.do("POST", "/issuer/nowhere/credential", hdrs("Content-Type", "application/json"), []byte(`{}`)).wantError(t, 404, "not_found")
			e.do("GET", "/issuer/nowhere/status/1", nil, nil).wantError(t, 404, "not_found")
			e.do("GET", "/issuer/oostland/status/1", nil, nil).wantError(t, 404, "not_found") // no list yet
			e.do("GET", "/issuer/oostland/status/01", nil, nil).wantError(t, 404, "not_found")
			// Historical resolution is not offered: 501, as the status list draft asks.
			if r := e.do("GET", "/issuer/oostland/status/1?time=1700000000", nil, nil); r.status != http.StatusNotImplemented {
				t.Fatalf("status list with time: %d %s", r.status, r.body)
			}
			e.do("GET", "/.well-known/openid-credential-issuer/issuer/nowhere", nil, nil).wantError(t, 404, "not_found")
		})

		// Nothing was issued by any of this.
		if got := e.issuances("oostland"); len(got) != 0 {
			t.Fatalf("issued %+v", got)
		}
	})
}

func TestExpiredCode(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		w := newWallet(e, "oostland")
		res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, false)
		_, code := w.offer(res.CredentialOfferURI)
		e.clock.Add(7*24*time.Hour + time.Second)
		w.tokenRequest(code, "", false).wantError(t, 400, "invalid_grant")
		e.do("GET", res.CredentialOfferURI, nil, nil).wantError(t, 404, "not_found")
		var v issuer.OfferView
		e.admin("GET", "oostland", "/offers/"+res.OfferID, nil).json(t, &v)
		if v.State != "expired" {
			t.Fatalf("offer %+v", v)
		}
	})
}
