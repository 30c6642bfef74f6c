package issuerhttp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/issuer"
)

func TestCredentialEndpointErrors(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		w := newWallet(e, "oostland")
		res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, false)
		_, code := w.offer(res.CredentialOfferURI)
		tok := w.token(code, "", true) // DPoP-bound
		cfg := issuer.ConfigDiplomaSDJWT
		k := newHolderKey(t)
		p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		es384 := func(nonce string) string {
			b, _ := json.Marshal(map[string]any{"aud": w.ci(), "iat": e.clock.Now().Unix(), "nonce": nonce})
			s, err := jose.Sign(p384, jose.SignHeader{Typ: issuer.ProofType, JWK: p384.Public()}, b)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}

		t.Run("fail/proofs", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				proof func(nonce string) string
				code  string
			}{
				{"fail/wrong-aud", func(n string) string {
					return w.proof(k, n, func(_ *jose.SignHeader, c map[string]any) { c["aud"] = base + "/sakuragaoka" })
				}, "invalid_proof"},
				{"fail/aud-is-test-server", func(n string) string {
					return w.proof(k, n, func(_ *jose.SignHeader, c map[string]any) { c["aud"] = e.srv.URL + "/issuer/oostland" })
				}, "invalid_proof"},
				{"fail/wrong-typ", func(n string) string {
					return w.proof(k, n, func(h *jose.SignHeader, _ map[string]any) { h.Typ = "JWT" })
				}, "invalid_proof"},
				{"fail/es384", es384, "invalid_proof"},
				{"fail/unknown-nonce", func(string) string { return w.proof(k, "not-a-nonce-we-issued", nil) }, "invalid_nonce"},
			} {
				r := w.resource(issuer.PathCredential, tok, credentialBody(cfg, tc.proof(w.nonce())))
				r.wantError(t, http.StatusBadRequest, tc.code)
				if r.header.Get("WWW-Authenticate") != "" {
					t.Errorf("%s: WWW-Authenticate on a 400", tc.name)
				}
			}
		})

		t.Run("fail/reused-nonce", func(t *testing.T) {
			// A nonce is single use; the first request fails (unknown configuration) after
			// redeeming nothing, so use it in a request that passes the proof checks.
			n := w.nonce()
			other := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, false)
			_, c2 := w.offer(other.CredentialOfferURI)
			tok2 := w.token(c2, "", true)
			if r := w.resource(issuer.PathCredential, tok2, credentialBody(cfg, w.proof(newHolderKey(t), n, nil))); r.status != http.StatusOK {
				t.Fatalf("first use: %d %s", r.status, r.body)
			}
			w.resource(issuer.PathCredential, tok, credentialBody(cfg, w.proof(k, n, nil))).wantError(t, 400, "invalid_nonce")
		})

		t.Run("fail/request-shape", func(t *testing.T) {
			for _, tc := range []struct {
				name string
				body any
				code string
			}{
				{"fail/unknown-configuration", credentialBody("nope", w.proof(k, w.nonce(), nil)), "unknown_credential_configuration"},
				{"fail/no-proofs", map[string]any{"credential_configuration_id": cfg}, "invalid_proof"},
				{"fail/encryption", map[string]any{"credential_configuration_id": cfg, "credential_response_encryption": map[string]any{}}, "invalid_encryption_parameters"},
			} {
				w.resource(issuer.PathCredential, tok, tc.body).wantError(t, 400, tc.code)
			}
			// Malformed JSON, duplicate members.
			for _, body := range []string{`{"credential_configuration_id":`, `{"credential_configuration_id":"a","credential_configuration_id":"b"}`} {
				h := hdrs("Content-Type", "application/json", "Authorization", "DPoP "+tok.AccessToken, "DPoP", w.dpopProof("POST", issuer.PathCredential, tok.AccessToken))
				e.do("POST", "/issuer/oostland/credential", h, []byte(body)).wantError(t, 400, "invalid_credential_request")
			}
			// Wrong content type.
			h := hdrs("Content-Type", "text/plain", "Authorization", "DPoP "+tok.AccessToken, "DPoP", w.dpopProof("POST", issuer.PathCredential, tok.AccessToken))
			e.do("POST", "/issuer/oostland/credential", h, []byte(`{}`)).wantError(t, 400, "invalid_credential_request")
			// Oversized body: 413 from httpx.
			big := `{"credential_configuration_id":"` + strings.Repeat("x", 70<<10) + `"}`
			h = hdrs("Content-Type", "application/json", "Authorization", "DPoP "+tok.AccessToken, "DPoP", w.dpopProof("POST", issuer.PathCredential, tok.AccessToken))
			e.do("POST", "/issuer/oostland/credential", h, []byte(big)).wantError(t, http.StatusRequestEntityTooLarge, "invalid_request")
		})

		t.Run("fail/authorization", func(t *testing.T) {
			body, _ := json.Marshal(credentialBody(cfg, w.proof(k, w.nonce(), nil)))
			post := func(kv ...string) response {
				return e.do("POST", "/issuer/oostland/credential", hdrs(append([]string{"Content-Type", "application/json"}, kv...)...), body)
			}
			proof := w.dpopProof("POST", issuer.PathCredential, tok.AccessToken)
			for _, tc := range []struct {
				name      string
				headers   []string
				status    int
				code      string
				challenge []string // WWW-Authenticate values, in order
			}{
				{"fail/no-authorization", nil, 401, "invalid_token", []string{"Bearer", `DPoP algs="ES256"`}},
				{"fail/unknown-bearer-token", []string{"Authorization", "Bearer nope"}, 401, "invalid_token",
					[]string{`Bearer error="invalid_token", error_description="the access token is not valid"`}},
				{"fail/dpop-token-as-bearer", []string{"Authorization", "Bearer " + tok.AccessToken}, 401, "invalid_token",
					[]string{`Bearer error="invalid_token", error_description="the access token is DPoP-bound: use the DPoP authorization scheme"`}},
				{"fail/dpop-without-proof", []string{"Authorization", "DPoP " + tok.AccessToken}, 401, "invalid_dpop_proof", nil},
				{"fail/two-authorization-headers", []string{"Authorization", "DPoP " + tok.AccessToken, "Authorization", "DPoP " + tok.AccessToken}, 400, "invalid_request", nil},
				{"fail/unknown-scheme", []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401, "invalid_token", nil},
				{"fail/proof-for-other-key", []string{"Authorization", "DPoP " + tok.AccessToken, "DPoP", newWallet(e, "oostland").dpopProof("POST", issuer.PathCredential, tok.AccessToken)}, 401, "invalid_token", nil},
				{"ok/lower-case-scheme-first-use", []string{"Authorization", "dpop " + tok.AccessToken, "DPoP", proof}, 200, "", nil},
				{"fail/replayed-dpop", []string{"Authorization", "DPoP " + tok.AccessToken, "DPoP", proof}, 401, "invalid_dpop_proof",
					[]string{`DPoP error="invalid_dpop_proof", error_description="DPoP proof: replayed (jti already used)", algs="ES256"`}},
			} {
				r := post(tc.headers...)
				if tc.status == 200 {
					if r.status != 200 {
						t.Fatalf("%s: %d %s", tc.name, r.status, r.body)
					}
					continue
				}
				r.wantError(t, tc.status, tc.code)
				got := r.header.Values("WWW-Authenticate")
				switch {
				case tc.challenge != nil && strings.Join(got, "|") != strings.Join(tc.challenge, "|"):
					t.Errorf("%s: WWW-Authenticate %q, want %q", tc.name, got, tc.challenge)
				case tc.status == 401 && len(got) == 0:
					t.Errorf("%s: 401 without WWW-Authenticate", tc.name)
				case tc.status == 401 && tc.code == "invalid_dpop_proof" && !strings.HasPrefix(got[0], `DPoP error="invalid_dpop_proof"`):
					t.Errorf("%s: challenge %q", tc.name, got)
				}
			}
		})

		// Exactly one credential was issued (the lower-case scheme request) besides the
		// reused-nonce check's.
		if got := e.issuances("oostland"); len(got) != 2 {
			t.Fatalf("issued %d credentials: %+v", len(got), got)
		}
	})
}

func TestNotificationErrors(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		w := newWallet(e, "oostland")
		res := e.createOffer("oostland", issuer.ConfigLearningSDJWT, false)
		_, code := w.offer(res.CredentialOfferURI)
		tok := w.token(code, "", false)
		w.resource(issuer.PathNotification, tok, map[string]string{"notification_id": "nope", "event": "credential_accepted"}).wantError(t, 400, "invalid_notification_id")
		w.resource(issuer.PathNotification, tok, map[string]string{"notification_id": "nope", "event": "credential_lost"}).wantError(t, 400, "invalid_notification_request")
		w.resource(issuer.PathDeferredCredential, tok, map[string]string{"transaction_id": "nope"}).wantError(t, 400, "invalid_transaction_id")
		// A body that is not JSON: each endpoint's own error code (§8.3.1, §11.3).
		h := hdrs("Content-Type", "text/plain", "Authorization", tok.TokenType+" "+tok.AccessToken)
		e.do("POST", "/issuer/oostland"+issuer.PathNotification, h, []byte(`{}`)).wantError(t, 400, "invalid_notification_request")
		e.do("POST", "/issuer/oostland"+issuer.PathDeferredCredential, h, []byte(`{}`)).wantError(t, 400, "invalid_credential_request")
		// Another tenant's endpoint does not accept the token.
		r := newWallet(e, "sakuragaoka").resource(issuer.PathNotification, tok, map[string]string{"notification_id": "nope", "event": "credential_accepted"})
		r.wantError(t, 401, "invalid_token")
		if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), `Bearer error="invalid_token"`) {
			t.Fatalf("challenge %q", r.header.Get("WWW-Authenticate"))
		}
	})
}
