package verifier_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
	"github.com/hashi-vc/hashi/internal/vcjwt"
	"github.com/hashi-vc/hashi/verifier"
)

// TestFlow runs the whole flow with the test wallet, on SQLite and PostgreSQL, for both
// client_id prefixes, both response modes, request_uri by GET and by POST, same-device and
// cross-device: an EU diploma presented to the JP desk is verified.
func TestFlow(t *testing.T) {
	t.Parallel()
	f := getPilot()
	cred := f.issue(f.euDiploma())
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		for _, prefix := range []string{verifier.PrefixX509Hash, verifier.PrefixX509SANDNS} {
			d := newDesk(t, db, prefix, nil)
			for _, mode := range []string{verifier.ResponseModeDirectPost, verifier.ResponseModeDirectPostJWT} {
				for _, method := range []string{"get", "post"} {
					for _, same := range []bool{false, true} {
						name := "ok/" + prefix + "/" + mode + "/" + method
						if same {
							name += "/same-device"
						}
						t.Run(name, func(t *testing.T) {
							ctx := t.Context()
							w := newTestWallet(cred)
							c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: mode, RequestURIMethod: method, SameDevice: same})
							if !strings.HasPrefix(c.Request, "openid4vp://?client_id="+url.QueryEscape(d.flow.ClientID())) || !strings.Contains(c.Request, "request_uri_method="+method) {
								t.Fatalf("request link %q", c.Request)
							}
							if r.ClientID != d.flow.ClientID() || !strings.HasPrefix(r.ClientID, prefix+":") || r.ResponseURI != d.flow.ResponseURI() {
								t.Fatalf("request object client_id %q response_uri %q", r.ClientID, r.ResponseURI)
							}
							if method == "post" && r.WalletNonce == "" {
								t.Fatal("wallet_nonce not echoed")
							}
							if got := d.status(t, c.ID); got.Status != verifier.StatusPending || got.Result != nil {
								t.Fatalf("before the response: %+v", got)
							}
							resp, err := d.flow.HandleResponse(ctx, w.form(r, w.present(r, "", "")))
							if err != nil {
								t.Fatalf("HandleResponse: %v", err)
							}
							rep := d.status(t, c.ID)
							if rep.Status != verifier.StatusVerified || rep.Result == nil || rep.Result.Verdict != verifier.VerdictAccepted {
								t.Fatalf("report: %+v (result %+v)", rep, rep.Result)
							}
							cr := rep.Result.Credentials[0]
							if cr.Type != academic.VCTHashiDiploma || cr.Qualification == nil || cr.Qualification.EQFLevel != 7 || cr.Issuer.Country != "NL" {
								t.Fatalf("credential result: %+v", cr)
							}
							if _, ok := cr.Claims["awarding_body"]; !ok {
								t.Fatalf("claims without awarding_body: %v", cr.Claims)
							}
							if !same {
								if resp.RedirectURI != "" {
									t.Fatalf("cross-device response with redirect_uri %q", resp.RedirectURI)
								}
								return
							}
							ru := must1(url.Parse(resp.RedirectURI))
							code := ru.Query().Get("response_code")
							if !strings.HasPrefix(resp.RedirectURI, jpDeskBase+verifier.PathDone+c.ID+"?") || len(code) < 22 {
								t.Fatalf("redirect_uri %q", resp.RedirectURI)
							}
							got, err := d.flow.ResultByResponseCode(ctx, c.ID, code)
							if err != nil || got.Status != verifier.StatusVerified {
								t.Fatalf("ResultByResponseCode: %+v, %v", got, err)
							}
							_, err = d.flow.ResultByResponseCode(ctx, c.ID, code+"x")
							wantCode(t, err, verifier.CodeInvalidResponseCode)
						})
					}
				}
			}
		}
	})
}

// TestFlowRequestObject checks the request object's members and the request_uri errors.
func TestFlowRequestObject(t *testing.T) {
	t.Parallel()
	d := newDesk(t, sqliteDB(t), "", nil)
	ctx := t.Context()
	w := newTestWallet()
	c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileLearning})
	if r.ResponseMode != verifier.ResponseModeDirectPostJWT || !strings.HasPrefix(r.ClientID, "x509_hash:") {
		t.Fatalf("defaults: mode %q client_id %q", r.ResponseMode, r.ClientID)
	}
	meta := r.Claims["client_metadata"].(map[string]any)
	key := meta["jwks"].(map[string]any)["keys"].([]any)[0].(map[string]any)
	if key["kty"] != "EC" || key["crv"] != "P-256" || key["alg"] != "ECDH-ES" || key["use"] != "enc" || key["kid"] == "" || key["d"] != nil {
		t.Fatalf("encryption key %v", key)
	}
	if got := must1(json.Marshal(meta["encrypted_response_enc_values_supported"])); string(got) != `["A128GCM","A256GCM"]` {
		t.Fatalf("enc values %s", got)
	}
	if got := must1(json.Marshal(meta["vp_formats_supported"])); !strings.Contains(string(got), `"dc+sd-jwt":{"kb-jwt_alg_values":["ES256"],"sd-jwt_alg_values":["ES256"]}`) {
		t.Fatalf("vp_formats_supported %s", got)
	}
	if r.Query.Credentials[0].Meta.VCTValues[0] != academic.VCTLearningCredential {
		t.Fatalf("learning query %+v", r.Query)
	}
	// A second request gets another key, state and nonce.
	_, r2 := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileLearning})
	key2 := r2.Claims["client_metadata"].(map[string]any)["jwks"].(map[string]any)["keys"].([]any)[0].(map[string]any)
	if key2["x"] == key["x"] || key2["kid"] == key["kid"] || r2.State == r.State || r2.Nonce == r.Nonce {
		t.Fatal("two requests share a key, state or nonce")
	}
	// direct_post requests carry no encryption key.
	_, r3 := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: verifier.ResponseModeDirectPost})
	if m := r3.Claims["client_metadata"].(map[string]any); m["jwks"] != nil {
		t.Fatalf("direct_post request with jwks: %v", m)
	}
	getOnly := must1(d.flow.CreateRequest(ctx, verifier.RequestInput{Profile: verifier.ProfileDiploma, RequestURIMethod: "get"}))

	id := strings.TrimPrefix(must1(url.Parse(must1(url.Parse(c.Request)).Query().Get("request_uri"))).Path, verifier.PathRequestObject)
	tests := []struct {
		name           string
		id, method     string
		meta, nonce    string
		wantCode       verifier.Code
		wantEncs       string
		wantClientMeta bool
	}{
		{name: "ok/get", id: id, method: "GET"},
		{name: "ok/post-without-metadata", id: id, method: "POST", nonce: "abc"},
		// HAIP 1.0 §5: both are always listed, even to a wallet that named one.
		{name: "ok/post-metadata-lists-both-enc", id: id, method: "POST", meta: `{"authorization_encryption_enc_values_supported":["A256GCM"],"client_id_prefixes_supported":["x509_hash","x509_san_dns"]}`, wantEncs: `["A128GCM","A256GCM"]`},
		{name: "fail/method-put", id: id, method: "PUT", wantCode: verifier.CodeInvalidRequestURIMethod},
		{name: "fail/method-lowercase", id: id, method: "post", wantCode: verifier.CodeInvalidRequestURIMethod},
		{name: "fail/post-to-get-request", id: getOnly.ID, method: "POST", wantCode: verifier.CodeInvalidRequestURIMethod},
		{name: "fail/unknown-id", id: "nope", method: "GET", wantCode: verifier.CodeRequestNotFound},
		{name: "fail/metadata-not-json", id: id, method: "POST", meta: `{"a":`, wantCode: verifier.CodeInvalidRequest},
		{name: "fail/metadata-array", id: id, method: "POST", meta: `[1]`, wantCode: verifier.CodeInvalidRequest},
		{name: "fail/metadata-duplicate-member", id: id, method: "POST", meta: `{"a":1,"a":2}`, wantCode: verifier.CodeInvalidRequest},
		{name: "fail/metadata-oversized", id: id, method: "POST", meta: `{"a":"` + strings.Repeat("x", verifier.MaxWalletMetadataSize) + `"}`, wantCode: verifier.CodeInvalidRequest},
		{name: "fail/metadata-no-x509-hash", id: id, method: "POST", meta: `{"client_id_prefixes_supported":["redirect_uri"]}`, wantCode: verifier.CodeInvalidRequest},
		{name: "fail/metadata-no-es256", id: id, method: "POST", meta: `{"request_object_signing_alg_values_supported":["EdDSA"]}`, wantCode: verifier.CodeInvalidRequest},
		{name: "fail/metadata-no-gcm", id: id, method: "POST", meta: `{"authorization_encryption_enc_values_supported":["A128CBC-HS256"]}`, wantCode: verifier.CodeInvalidRequest},
		{name: "fail/metadata-no-ecdh-es", id: id, method: "POST", meta: `{"authorization_encryption_alg_values_supported":["RSA-OAEP-256"]}`, wantCode: verifier.CodeInvalidRequest},
		{name: "fail/wallet-nonce-too-long", id: id, method: "POST", nonce: strings.Repeat("n", verifier.MaxWalletNonceLen+1), wantCode: verifier.CodeInvalidRequest},
		{name: "fail/wallet-nonce-control", id: id, method: "POST", nonce: "a\nb", wantCode: verifier.CodeInvalidRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			obj, err := d.flow.RequestObject(ctx, tc.id, tc.method, tc.meta, tc.nonce)
			if tc.wantCode != "" {
				wantCode(t, err, tc.wantCode)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantNonce := tc.nonce
			if tc.method == "GET" {
				wantNonce = ""
			}
			got, err := w.validate(obj, d.flow.ClientID(), wantNonce)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantEncs != "" {
				encs := got.Claims["client_metadata"].(map[string]any)["encrypted_response_enc_values_supported"]
				if string(must1(json.Marshal(encs))) != tc.wantEncs {
					t.Fatalf("enc values %v; want %s", encs, tc.wantEncs)
				}
			}
		})
	}
	// Expired and answered requests no longer serve their object.
	d.clock.Set(c.ExpiresAt)
	_, err := d.flow.RequestObject(ctx, id, "GET", "", "")
	wantCode(t, err, verifier.CodeRequestExpired)
	if got := d.status(t, c.ID); got.Status != verifier.StatusExpired {
		t.Fatalf("status after expiry: %s", got.Status)
	}
}

// TestFlowNegative is the negative matrix of issue 5 item 4 at the flow level: every bad
// response ends in a rejected result or in an error with its precise code, and an error
// writes nothing.
func TestFlowNegative(t *testing.T) {
	t.Parallel()
	f := getPilot()
	cred := f.issue(f.euDiploma())
	d := newDesk(t, sqliteDB(t), verifier.PrefixX509SANDNS, nil)
	w := newTestWallet(cred)

	type outcome struct {
		status verifier.RequestStatus
		reason verifier.Code // Result reason (verified/rejected)
		err    verifier.Code // HandleResponse error; the request stays pending
		// walletErr is the wallet error of a declined request; default access_denied.
		walletErr string
	}
	tests := []struct {
		name string
		mode string
		// form builds the response from the request (and the desk, for cross-request cases).
		form func(t *testing.T, r *authzRequest) url.Values
		want outcome
	}{
		{"fail/vp-token-not-json", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"vp_token": {"eyJhbGciOi.not-json"}, "state": {r.State}}
		}, outcome{status: verifier.StatusRejected, reason: verifier.CodeMalformedVPToken}},
		{"fail/vp-token-oversized", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"vp_token": {`{"diploma":["` + strings.Repeat("A", verifier.MaxVPTokenSize) + `"]}`}, "state": {r.State}}
		}, outcome{status: verifier.StatusRejected, reason: verifier.CodeMalformedVPToken}},
		{"fail/vp-token-unknown-query-id", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"vp_token": {`{"other":["x"]}`}, "state": {r.State}}
		}, outcome{status: verifier.StatusRejected, reason: verifier.CodeMalformedVPToken}},
		{"fail/vp-token-string-in-jwe", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"response": {w.encrypt(r, must1(json.Marshal(map[string]any{"vp_token": "abc", "state": r.State})))}}
		}, outcome{status: verifier.StatusRejected, reason: verifier.CodeMalformedVPToken}},
		{"fail/presentation-garbage", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return w.form(r, []byte(`{"diploma":["not~an~sd-jwt~"]}`))
		}, outcome{status: verifier.StatusRejected, reason: verifier.CodeMalformedCredential}},
		{"fail/kb-wrong-nonce", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return w.form(r, w.present(r, "", "another-nonce-of-enough-length"))
		}, outcome{status: verifier.StatusRejected, reason: verifier.CodeKBNonceMismatch}},
		{"fail/kb-wrong-aud-prefix-dropped", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return w.form(r, w.present(r, strings.TrimPrefix(r.ClientID, "x509_san_dns:"), ""))
		}, outcome{status: verifier.StatusRejected, reason: verifier.CodeKBAudienceMismatch}},
		{"ok/access-denied", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"error": {"access_denied"}, "error_description": {"no matching credential"}, "state": {r.State}}
		}, outcome{status: verifier.StatusDeclined}},
		{"ok/access-denied-unencrypted-to-jwt-request", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"error": {"access_denied"}, "state": {r.State}}
		}, outcome{status: verifier.StatusDeclined}},
		{"ok/access-denied-encrypted", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"response": {w.encrypt(r, must1(json.Marshal(map[string]any{"error": "access_denied", "state": r.State})))}}
		}, outcome{status: verifier.StatusDeclined}},
		{"ok/vp-formats-not-supported", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"error": {"vp_formats_not_supported"}, "state": {r.State}}
		}, outcome{status: verifier.StatusDeclined, walletErr: "vp_formats_not_supported"}},
		{"fail/unknown-state", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"vp_token": {`{}`}, "state": {"unknown-" + r.State}}
		}, outcome{err: verifier.CodeUnknownState}},
		{"fail/no-state", verifier.ResponseModeDirectPost, func(_ *testing.T, _ *authzRequest) url.Values {
			return url.Values{"vp_token": {`{}`}}
		}, outcome{err: verifier.CodeInvalidRequest}},
		{"fail/repeated-state", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"vp_token": {`{}`}, "state": {r.State, r.State}}
		}, outcome{err: verifier.CodeInvalidRequest}},
		{"fail/vp-token-and-error", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"vp_token": {`{}`}, "error": {"access_denied"}, "state": {r.State}}
		}, outcome{err: verifier.CodeInvalidRequest}},
		{"fail/neither-vp-token-nor-error", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"state": {r.State}}
		}, outcome{err: verifier.CodeInvalidRequest}},
		{"fail/error-bad-characters", verifier.ResponseModeDirectPost, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"error": {"access denied"}, "state": {r.State}}
		}, outcome{err: verifier.CodeInvalidRequest}},
		{"fail/unencrypted-vp-token-to-jwt-request", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"vp_token": {string(w.present(r, "", ""))}, "state": {r.State}}
		}, outcome{err: verifier.CodeInvalidRequest}},
		{"fail/decryption-other-key", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			other := must1(ecdsa.GenerateKey(elliptic.P256(), rand.Reader))
			kid := r.Claims["client_metadata"].(map[string]any)["jwks"].(map[string]any)["keys"].([]any)[0].(map[string]any)["kid"].(string)
			payload := must1(json.Marshal(map[string]any{"vp_token": json.RawMessage(w.present(r, "", "")), "state": r.State}))
			return url.Values{"response": {must1(jose.EncryptECDHES(payload, &other.PublicKey, jose.A128GCM, kid))}}
		}, outcome{err: verifier.CodeDecryptionFailed}},
		{"fail/decryption-tampered", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			jwe := w.form(r, w.present(r, "", "")).Get("response")
			parts := strings.Split(jwe, ".")
			parts[3] = "A" + parts[3][1:]
			if parts[3] == strings.Split(jwe, ".")[3] {
				parts[3] = "B" + parts[3][1:]
			}
			return url.Values{"response": {strings.Join(parts, ".")}}
		}, outcome{err: verifier.CodeDecryptionFailed}},
		{"fail/jwe-without-kid", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			key := r.Claims["client_metadata"].(map[string]any)["jwks"].(map[string]any)["keys"].([]any)[0].(map[string]any)
			payload := must1(json.Marshal(map[string]any{"vp_token": json.RawMessage(w.present(r, "", "")), "state": r.State}))
			return url.Values{"response": {must1(jose.EncryptECDHES(payload, must1(jose.PublicKeyFromMap(key)), jose.A128GCM, ""))}}
		}, outcome{err: verifier.CodeDecryptionFailed}},
		{"fail/jwe-garbage", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, _ *authzRequest) url.Values {
			return url.Values{"response": {"a.b.c.d.e"}}
		}, outcome{err: verifier.CodeDecryptionFailed}},
		{"fail/jwe-other-state", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"response": {w.encrypt(r, must1(json.Marshal(map[string]any{"vp_token": json.RawMessage(w.present(r, "", "")), "state": "x" + r.State})))}}
		}, outcome{err: verifier.CodeInvalidRequest}},
		{"fail/jwe-payload-not-object", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			return url.Values{"response": {w.encrypt(r, []byte(`["vp_token"]`))}}
		}, outcome{err: verifier.CodeInvalidRequest}},
		{"fail/jwe-and-vp-token", verifier.ResponseModeDirectPostJWT, func(_ *testing.T, r *authzRequest) url.Values {
			form := w.form(r, w.present(r, "", ""))
			form.Set("vp_token", "{}")
			return form
		}, outcome{err: verifier.CodeInvalidRequest}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: tc.mode})
			_, err := d.flow.HandleResponse(ctx, tc.form(t, r))
			rep := d.status(t, c.ID)
			if tc.want.err != "" {
				wantCode(t, err, tc.want.err)
				if rep.Status != verifier.StatusPending || rep.Result != nil || !rep.CompletedAt.IsZero() || rep.WalletError != "" {
					t.Fatalf("a refused response left a record: %+v", rep)
				}
				// The request can still be answered properly.
				if _, err := d.flow.HandleResponse(ctx, w.form(r, w.present(r, "", ""))); err != nil {
					t.Fatalf("proper response after the refused one: %v", err)
				}
				if rep := d.status(t, c.ID); rep.Status != verifier.StatusVerified {
					t.Fatalf("after a proper response: %s (%+v)", rep.Status, rep.Result)
				}
				return
			}
			if err != nil {
				t.Fatalf("HandleResponse: %v", err)
			}
			if rep.Status != tc.want.status {
				t.Fatalf("status %s; want %s (result %+v)", rep.Status, tc.want.status, rep.Result)
			}
			switch tc.want.status {
			case verifier.StatusDeclined:
				want := tc.want.walletErr
				if want == "" {
					want = "access_denied"
				}
				if rep.WalletError != want || rep.Result != nil {
					t.Fatalf("declined report: %+v", rep)
				}
			default:
				if rep.Result == nil || rep.Result.Reason != tc.want.reason {
					t.Fatalf("result %+v; want reason %s", rep.Result, tc.want.reason)
				}
			}
			// The state is used up: a second (proper) response is refused.
			_, err = d.flow.HandleResponse(ctx, w.form(r, w.present(r, "", "")))
			wantCode(t, err, verifier.CodeRequestAnswered)
		})
	}
}

// TestFlowExpired: a response after the request's lifetime is refused and writes nothing;
// the status reads expired.
func TestFlowExpired(t *testing.T) {
	t.Parallel()
	f := getPilot()
	d := newDesk(t, sqliteDB(t), "", nil)
	w := newTestWallet(f.issue(f.euDiploma()))
	c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma})
	form := w.form(r, w.present(r, "", ""))
	d.clock.Set(c.ExpiresAt)
	_, err := d.flow.HandleResponse(t.Context(), form)
	wantCode(t, err, verifier.CodeRequestExpired)
	if rep := d.status(t, c.ID); rep.Status != verifier.StatusExpired || rep.Result != nil {
		t.Fatalf("report after a late response: %+v", rep)
	}
}

// TestFlowReplay: a vp_token presented to one request and replayed to a second is rejected
// there with presentation_replayed, and the first request keeps its result. With a key
// binding the nonce check fails too; without one (an unbound credential under a policy that
// allows it), replay detection is what catches it.
func TestFlowReplay(t *testing.T) {
	t.Parallel()
	f := getPilot()
	db := sqliteDB(t)
	d := newDesk(t, db, "", nil)
	ctx := t.Context()

	t.Run("fail/bound", func(t *testing.T) {
		w := newTestWallet(f.issue(f.euDiploma()))
		a, ra := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: verifier.ResponseModeDirectPost})
		b, rb := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: verifier.ResponseModeDirectPost})
		vp := w.present(ra, "", "")
		if _, err := d.flow.HandleResponse(ctx, w.form(ra, vp)); err != nil {
			t.Fatal(err)
		}
		if _, err := d.flow.HandleResponse(ctx, w.form(rb, vp)); err != nil {
			t.Fatal(err)
		}
		if rep := d.status(t, a.ID); rep.Status != verifier.StatusVerified {
			t.Fatalf("first request: %s", rep.Status)
		}
		rep := d.status(t, b.ID)
		if rep.Status != verifier.StatusRejected || rep.Result.Reason != verifier.CodePresentationReplayed {
			t.Fatalf("replayed request: %s %s", rep.Status, rep.Result.Reason)
		}
		if !errors.Is(rep.Result.Err(), verifier.ErrPresentationReplayed) {
			t.Fatalf("Result.Err: %v", rep.Result.Err())
		}
	})

	t.Run("fail/unbound", func(t *testing.T) {
		dip := f.euDiploma()
		dip.noCnf = true
		cred := f.issue(dip)
		q := diplomaQuery()
		no := false
		q.Credentials[0].RequireCryptographicHolderBinding = &no
		in := verifier.RequestInput{Query: q, Policy: "unbound", ResponseMode: verifier.ResponseModeDirectPostJWT}
		w := newTestWallet()
		a, ra := d.create(t, w, in)
		b, rb := d.create(t, w, in)
		vp := vpToken("diploma", must1(sdjwt.Select(cred, []sdjwt.Path{{"degree", "title"}, {"degree", "level"}})))
		if _, err := d.flow.HandleResponse(ctx, w.form(ra, vp)); err != nil {
			t.Fatal(err)
		}
		if rep := d.status(t, a.ID); rep.Status != verifier.StatusVerified {
			t.Fatalf("first request: %s %+v", rep.Status, rep.Result)
		}
		if _, err := d.flow.HandleResponse(ctx, w.form(rb, vp)); err != nil {
			t.Fatal(err)
		}
		rep := d.status(t, b.ID)
		if rep.Status != verifier.StatusRejected || rep.Result.Reason != verifier.CodePresentationReplayed {
			t.Fatalf("replayed request: %s %+v", rep.Status, rep.Result)
		}
		last := rep.Result.Checks[len(rep.Result.Checks)-1]
		if last.Name != verifier.CheckReplay || last.OK {
			t.Fatalf("replay check %+v", last)
		}

		// Without holder binding the credential itself is what was presented: other
		// spellings of it are replays too, never a fresh presentation.
		pres := must1(sdjwt.Select(cred, []sdjwt.Path{{"degree", "title"}, {"degree", "level"}}))
		parts := strings.Split(pres, "~")
		jwt := parts[0]
		dot := strings.LastIndexByte(jwt, '.')
		sig := must1(base64.RawURLEncoding.DecodeString(jwt[dot+1:]))
		s := new(big.Int).SetBytes(sig[32:])
		s.Sub(elliptic.P256().Params().N, s) // the other valid signature: (r, n−s)
		highS := append(append([]byte{}, sig[:32]...), s.FillBytes(make([]byte, 32))...)
		swapped := slices.Clone(parts)
		swapped[1], swapped[2] = swapped[2], swapped[1]
		for name, variant := range map[string]string{
			"every disclosure":        cred,
			"disclosures reordered":   strings.Join(swapped, "~"),
			"other signature":         jwt[:dot+1] + base64.RawURLEncoding.EncodeToString(highS) + pres[len(jwt):],
			"line break in signature": jwt[:dot+5] + "\n" + jwt[dot+5:] + pres[len(jwt):],
		} {
			c, rc := d.create(t, w, in)
			if _, err := d.flow.HandleResponse(ctx, w.form(rc, vpToken("diploma", variant))); err != nil {
				t.Fatal(err)
			}
			if rep := d.status(t, c.ID); rep.Status != verifier.StatusRejected {
				t.Errorf("%s: %s, want rejected", name, rep.Status)
			} else if name != "line break in signature" && rep.Result.Reason != verifier.CodePresentationReplayed {
				t.Errorf("%s: rejected for %s, want %s", name, rep.Result.Reason, verifier.CodePresentationReplayed)
			}
		}
	})

	// A copy of an unbound credential with a forged signature is rejected and not remembered,
	// so it cannot make the genuine presentation that follows a "replay".
	t.Run("ok/forged-copy-does-not-block-the-genuine", func(t *testing.T) {
		dip := f.euDiploma()
		dip.noCnf = true
		pres := must1(sdjwt.Select(f.issue(dip), []sdjwt.Path{{"degree", "title"}, {"degree", "level"}}))
		q := diplomaQuery()
		no := false
		q.Credentials[0].RequireCryptographicHolderBinding = &no
		in := verifier.RequestInput{Query: q, Policy: "unbound", ResponseMode: verifier.ResponseModeDirectPost}
		w := newTestWallet()
		dot := strings.LastIndexByte(pres[:strings.IndexByte(pres, '~')], '.')
		c := byte('A')
		if pres[dot+5] == 'A' {
			c = 'B'
		}
		forged := pres[:dot+5] + string(c) + pres[dot+6:]
		for i, vp := range []string{forged, pres} {
			cr, r := d.create(t, w, in)
			if _, err := d.flow.HandleResponse(ctx, w.form(r, vpToken("diploma", vp))); err != nil {
				t.Fatal(err)
			}
			rep := d.status(t, cr.ID)
			switch {
			case i == 0 && (rep.Status != verifier.StatusRejected || rep.Result.Reason != verifier.CodeSignatureInvalid):
				t.Fatalf("forged copy: %s %s", rep.Status, rep.Result.Reason)
			case i == 1 && rep.Status != verifier.StatusVerified:
				t.Fatalf("genuine presentation after the forged copy: %s %+v", rep.Status, rep.Result.Reason)
			}
		}
	})

	// A bound presentation, forged before it reaches its request: its key binding text copied
	// to another request with a garbage signature, alone or behind an extra disclosure (so
	// the SD-JWT fails before the KB-JWT is looked at). Neither is remembered; the genuine
	// presentation is then accepted at its own request.
	t.Run("ok/forged-key-binding-does-not-block-the-genuine", func(t *testing.T) {
		for name, forge := range map[string]func(pres string) string{
			"garbage KB-JWT signature": func(pres string) string {
				dot := strings.LastIndexByte(pres, '.')
				return pres[:dot+1] + strings.Repeat("A", len(pres)-dot-1)
			},
			"extra disclosure and garbage KB-JWT signature": func(pres string) string {
				dot := strings.LastIndexByte(pres, '.')
				i := strings.LastIndexByte(pres, '~')
				extra := base64.RawURLEncoding.EncodeToString([]byte(`["c2FsdHNhbHRzYWx0","nickname","Joe"]`))
				return pres[:i+1] + extra + "~" + pres[i+1:dot+1] + strings.Repeat("A", len(pres)-dot-1)
			},
		} {
			w := newTestWallet(f.issue(f.euDiploma()))
			a, ra := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: verifier.ResponseModeDirectPost})
			b, rb := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: verifier.ResponseModeDirectPost})
			vp := w.present(ra, "", "")
			var tok map[string][]string
			must(json.Unmarshal(vp, &tok))
			forged := vpToken("diploma", forge(tok["diploma"][0]))
			if _, err := d.flow.HandleResponse(ctx, w.form(rb, forged)); err != nil {
				t.Fatal(err)
			}
			if rep := d.status(t, b.ID); rep.Status != verifier.StatusRejected || rep.Result.Reason == verifier.CodePresentationReplayed {
				t.Fatalf("%s: forged copy %s %s", name, rep.Status, rep.Result.Reason)
			}
			if _, err := d.flow.HandleResponse(ctx, w.form(ra, vp)); err != nil {
				t.Fatal(err)
			}
			if rep := d.status(t, a.ID); rep.Status != verifier.StatusVerified {
				t.Fatalf("%s: genuine presentation after the forged copy: %s %s", name, rep.Status, rep.Result.Reason)
			}
		}
	})

	// jwt_vc_json without holder binding: whoever holds a copy of the credential can wrap it
	// in a VP JWT of their own for each request, with that request's nonce. The credential
	// is what replay protection remembers.
	t.Run("fail/unbound-jwt_vc_json", func(t *testing.T) {
		in := verifier.RequestInput{Query: jwtVCPolicy(true)(f).Query, Policy: "unbound-vcdm", ResponseMode: verifier.ResponseModeDirectPost}
		w := newTestWallet()
		other := must1(jose.ParsePrivateJWK(must1(jose.MarshalPrivateJWK(must1(sealLikeKey()), ""))))
		for i, signer := range []*jose.Signer{nil, must1(jose.NewSigner(other, must1(vcjwt.HolderHeader(other.Public()))))} {
			c, r := d.create(t, w, in)
			vp := vpToken("diploma", f.jwtVCPresentation(false, signer, r.ClientID, r.Nonce, kbTime))
			if _, err := d.flow.HandleResponse(ctx, w.form(r, vp)); err != nil {
				t.Fatal(err)
			}
			rep := d.status(t, c.ID)
			switch {
			case i == 0 && rep.Status != verifier.StatusVerified:
				t.Fatalf("first presentation: %s %+v", rep.Status, rep.Result)
			case i == 1 && (rep.Status != verifier.StatusRejected || rep.Result.Reason != verifier.CodePresentationReplayed):
				t.Fatalf("the same credential in another VP JWT: %s %s, want rejected as %s", rep.Status, rep.Result.Reason, verifier.CodePresentationReplayed)
			}
		}
	})
}

// TestFlowWebhooks: results enter the outbox with the completion; DeliverWebhooks sends a
// JWS signed with the desk key, retries with backoff and stops after delivery.
func TestFlowWebhooks(t *testing.T) {
	t.Parallel()
	f := getPilot()
	d := newDesk(t, sqliteDB(t), "", func(c *verifier.FlowConfig) { c.WebhookURL = "https://hooks.jp-desk.example/results" })
	ctx := t.Context()
	w := newTestWallet(f.issue(f.euDiploma()))
	c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma})
	if _, err := d.flow.HandleResponse(ctx, w.form(r, w.present(r, "", ""))); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	fail := true
	send := func(_ context.Context, u string, body []byte) error {
		if u != "https://hooks.jp-desk.example/results" {
			t.Errorf("webhook URL %q", u)
		}
		bodies = append(bodies, string(body))
		if fail {
			return errors.New("503 Service Unavailable")
		}
		return nil
	}
	n, err := d.flow.DeliverWebhooks(ctx, send)
	if err != nil || n != 0 || len(bodies) != 1 {
		t.Fatalf("first pass: %d delivered, %d sent, %v", n, len(bodies), err)
	}
	// Not due again before the backoff.
	d.clock.Set(presentedAt.Add(verifier.WebhookBackoffBase - time.Second))
	if n, err := d.flow.DeliverWebhooks(ctx, send); err != nil || n != 0 || len(bodies) != 1 {
		t.Fatalf("before the backoff: %d, %d sent, %v", n, len(bodies), err)
	}
	fail = false
	d.clock.Set(presentedAt.Add(verifier.WebhookBackoffBase))
	if n, err := d.flow.DeliverWebhooks(ctx, send); err != nil || n != 1 || len(bodies) != 2 {
		t.Fatalf("retry: %d, %d sent, %v", n, len(bodies), err)
	}
	d.clock.Set(presentedAt.Add(24 * time.Hour))
	if n, err := d.flow.DeliverWebhooks(ctx, send); err != nil || n != 0 || len(bodies) != 2 {
		t.Fatalf("after delivery: %d, %d sent, %v", n, len(bodies), err)
	}
	jws := must1(jose.Parse(bodies[1]))
	if err := jws.CheckType(verifier.WebhookType); err != nil {
		t.Fatal(err)
	}
	if err := jws.Verify(d.access.Certificate.PublicKey, jose.ES256); err != nil {
		t.Fatalf("webhook signature: %v", err)
	}
	var ev verifier.WebhookEvent
	must(json.Unmarshal(jws.Payload, &ev))
	if ev.RequestID != c.ID || ev.Status != verifier.StatusVerified || ev.Verdict != verifier.VerdictAccepted {
		t.Fatalf("webhook event %+v", ev)
	}
}

// TestCreateRequestInput covers CreateRequest's input checks.
func TestCreateRequestInput(t *testing.T) {
	t.Parallel()
	d := newDesk(t, sqliteDB(t), "", nil)
	bad := &dcql.Query{Credentials: []dcql.CredentialQuery{{ID: "x y", Format: dcql.FormatSDJWTVC}}}
	withAuthority := func(typ string) *dcql.Query {
		q := diplomaQuery()
		q.Credentials[0].TrustedAuthorities = []dcql.TrustedAuthoritiesQuery{{Type: typ, Values: []string{"https://example.eu/lotl.xml"}}}
		return q
	}
	tests := []struct {
		name string
		in   verifier.RequestInput
		want verifier.Code
	}{
		{"ok/diploma", verifier.RequestInput{Profile: verifier.ProfileDiploma}, ""},
		{"ok/query", verifier.RequestInput{Query: diplomaQuery(), ResponseMode: verifier.ResponseModeDirectPost, Policy: "unbound"}, ""},
		{"fail/nothing", verifier.RequestInput{}, verifier.CodeInvalidInput},
		{"fail/both", verifier.RequestInput{Profile: verifier.ProfileDiploma, Query: diplomaQuery()}, verifier.CodeInvalidInput},
		{"fail/unknown-profile", verifier.RequestInput{Profile: "passport"}, verifier.CodeInvalidInput},
		{"fail/bad-query", verifier.RequestInput{Query: bad}, verifier.CodeInvalidInput},
		{"fail/mode", verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: "fragment"}, verifier.CodeInvalidInput},
		{"fail/uri-method", verifier.RequestInput{Profile: verifier.ProfileDiploma, RequestURIMethod: "put"}, verifier.CodeInvalidInput},
		{"fail/policy", verifier.RequestInput{Profile: verifier.ProfileDiploma, Policy: "lenient"}, verifier.CodeInvalidInput},
		{"ok/aki-authority", verifier.RequestInput{Query: withAuthority(dcql.AuthorityAKI)}, ""},
		// Types the verifier cannot evaluate would reject every answer: refused up front.
		{"fail/etsi-tl-authority", verifier.RequestInput{Query: withAuthority(dcql.AuthorityETSITrustedList)}, verifier.CodeInvalidInput},
		{"fail/federation-authority", verifier.RequestInput{Query: withAuthority(dcql.AuthorityOpenIDFederation)}, verifier.CodeInvalidInput},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := d.flow.CreateRequest(t.Context(), tc.in)
			if tc.want != "" {
				wantCode(t, err, tc.want)
				return
			}
			if err != nil || c.Status != verifier.StatusPending || !c.ExpiresAt.Equal(presentedAt.Add(verifier.DefaultRequestTTL)) {
				t.Fatalf("CreateRequest: %+v, %v", c, err)
			}
		})
	}
	_, err := d.flow.Status(t.Context(), "unknown")
	wantCode(t, err, verifier.CodeRequestNotFound)
}

// TestNewFlowConfig covers NewFlow's configuration checks.
func TestNewFlowConfig(t *testing.T) {
	t.Parallel()
	f := getPilot()
	v := must1(verifier.New(f.trustSet(granted(), granted()), &memStatus{}))
	st := newDesk(t, sqliteDB(t), "", nil).store
	tests := []struct {
		name string
		mod  func(*verifier.FlowConfig)
		ok   bool
	}{
		{"ok/defaults", func(*verifier.FlowConfig) {}, true},
		{"ok/san-dns", func(c *verifier.FlowConfig) { c.ClientIDPrefix = verifier.PrefixX509SANDNS }, true},
		{"fail/san-dns-other-host", func(c *verifier.FlowConfig) {
			c.ClientIDPrefix, c.BaseURL = verifier.PrefixX509SANDNS, "https://eu-desk.localhost"
		}, false},
		{"fail/prefix", func(c *verifier.FlowConfig) { c.ClientIDPrefix = "redirect_uri" }, false},
		{"fail/http", func(c *verifier.FlowConfig) { c.BaseURL = "http://jp-desk.localhost" }, false},
		{"ok/http-loopback-insecure", func(c *verifier.FlowConfig) {
			c.BaseURL, c.AllowInsecureHTTP = "http://127.0.0.1:8080/verifier/jp", true
		}, true},
		{"fail/http-public-insecure", func(c *verifier.FlowConfig) { c.BaseURL, c.AllowInsecureHTTP = "http://desk.example.jp", true }, false},
		{"fail/query-in-base", func(c *verifier.FlowConfig) { c.BaseURL = jpDeskBase + "?a=b" }, false},
		{"fail/no-key", func(c *verifier.FlowConfig) { c.Key = nil }, false},
		{"fail/other-key", func(c *verifier.FlowConfig) { c.Key = must1(ecdsa.GenerateKey(elliptic.P256(), rand.Reader)) }, false},
		{"fail/self-signed", func(c *verifier.FlowConfig) {
			cert, key := caCert("Self", "JP")
			c.Key, c.Chain = key, []*x509.Certificate{cert}
		}, false},
		{"fail/no-clock", func(c *verifier.FlowConfig) { c.Now = nil }, false},
		{"fail/no-policies", func(c *verifier.FlowConfig) { c.Policies = nil }, false},
		{"fail/default-policy", func(c *verifier.FlowConfig) { c.DefaultPolicy = "none" }, false},
		{"fail/bad-rule", func(c *verifier.FlowConfig) {
			c.Policies = map[string]verifier.DeskPolicy{"default": {Recognition: verifier.Recognition{Rules: []verifier.Rule{{Name: "empty"}}}}}
		}, false},
		{"fail/ttl", func(c *verifier.FlowConfig) { c.RequestTTL = 2 * verifier.MaxRequestTTL }, false},
		{"fail/replay-window-short", func(c *verifier.FlowConfig) { c.ReplayWindow = time.Minute }, false},
		{"fail/webhook-http", func(c *verifier.FlowConfig) { c.WebhookURL = "http://hooks.example/" }, false},
	}
	access := newDesk(t, sqliteDB(t), "", nil).access
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := verifier.FlowConfig{Key: access.Signer(), Chain: access.Chain, BaseURL: jpDeskBase, Policies: deskPolicies(), DefaultPolicy: "default", Now: func() time.Time { return presentedAt }}
			tc.mod(&cfg)
			fl, err := verifier.NewFlow(st, v, cfg)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				if cfg.ClientIDPrefix == verifier.PrefixX509SANDNS && fl.ClientID() != "x509_san_dns:jp-desk.localhost" {
					t.Fatalf("client_id %q", fl.ClientID())
				}
				return
			}
			wantCode(t, err, verifier.CodeInvalidPolicy)
		})
	}
}

// TestFlowErrorMapping pins the wire mapping of the flow codes.
func TestFlowErrorMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code   verifier.Code
		oauth  string
		status int
	}{
		{verifier.CodeInvalidRequest, "invalid_request", 400},
		{verifier.CodeInvalidRequestURIMethod, "invalid_request_uri_method", 400},
		{verifier.CodeUnknownState, "invalid_request", 400},
		{verifier.CodeRequestExpired, "invalid_request", 400},
		{verifier.CodeRequestAnswered, "invalid_request", 400},
		{verifier.CodeDecryptionFailed, "invalid_request", 400},
		{verifier.CodeRequestNotFound, "invalid_request", 404},
		{verifier.CodeInvalidResponseCode, "invalid_request", 404},
		{verifier.CodeInvalidInput, "invalid_input", 400},
		{verifier.CodeUnavailable, "temporarily_unavailable", 503},
		{verifier.CodeServerError, "server_error", 500},
		{verifier.CodeInvalidPolicy, "server_error", 500},
	}
	for _, tc := range tests {
		t.Run("ok/"+string(tc.code), func(t *testing.T) {
			e := &verifier.Error{Code: tc.code, Msg: "m"}
			if e.OAuthError() != tc.oauth || e.HTTPStatus() != tc.status || e.Description() != "m" {
				t.Fatalf("%s → %s %d", tc.code, e.OAuthError(), e.HTTPStatus())
			}
		})
	}
}

// TestProfileQuery pins the claim sets of the fixed profiles.
func TestProfileQuery(t *testing.T) {
	t.Parallel()
	q, ok := verifier.ProfileQuery(verifier.ProfileDiploma)
	if !ok || q.Validate() != nil {
		t.Fatal("diploma profile")
	}
	cq := q.Credentials[0]
	if len(cq.Claims) != 9 || len(cq.ClaimSets) != 4 || len(cq.ClaimSets[0]) != 9 || len(cq.ClaimSets[3]) != 7 || !cq.HolderBindingRequired() {
		t.Fatalf("diploma query %+v", cq)
	}
	if _, ok := verifier.ProfileQuery("passport"); ok {
		t.Fatal("unknown profile accepted")
	}
	l, ok := verifier.ProfileQuery(verifier.ProfileLearning)
	if !ok || l.Validate() != nil || l.Credentials[0].Meta.VCTValues[0] != academic.VCTLearningCredential {
		t.Fatalf("learning query %+v", l)
	}
}

// TestFlowLearning: the learning profile's query is answered by a learning credential and
// verified (the profile's claim paths are the credential's).
func TestFlowLearning(t *testing.T) {
	t.Parallel()
	f := getPilot()
	dip := f.jpDiploma()
	dip.learning = true
	d := newDesk(t, sqliteDB(t), "", nil)
	w := newTestWallet(f.issue(dip))
	c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileLearning, Policy: "learning"})
	if _, err := d.flow.HandleResponse(t.Context(), w.form(r, w.present(r, "", ""))); err != nil {
		t.Fatal(err)
	}
	rep := d.status(t, c.ID)
	if rep.Status != verifier.StatusVerified {
		t.Fatalf("learning credential: %s %+v", rep.Status, rep.Result)
	}
	cr := rep.Result.Credentials[0]
	for _, claim := range []string{"achievement_title", "level_of_learning_experience", "issuing_authority"} {
		if _, ok := cr.Claims[claim]; !ok {
			t.Fatalf("claim %s not disclosed: %v", claim, cr.Claims)
		}
	}
}

// TestFlowConcurrentResponses: of several copies of one response posted at once (through two
// Flow values sharing the store, like two replicas), exactly one is recorded; the others get
// request_answered.
func TestFlowConcurrentResponses(t *testing.T) {
	t.Parallel()
	f := getPilot()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		a := newDesk(t, db, "", nil)
		b := newDesk(t, db, "", nil)
		w := newTestWallet(f.issue(f.euDiploma()))
		c, r := a.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma})
		form := w.form(r, w.present(r, "", ""))
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			d := a
			if i%2 == 1 {
				d = b
			}
			wg.Go(func() { _, errs[i] = d.flow.HandleResponse(t.Context(), form) })
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantCode(t, err, verifier.CodeRequestAnswered)
		}
		if ok != 1 {
			t.Fatalf("%d responses recorded; want 1", ok)
		}
		if rep := b.status(t, c.ID); rep.Status != verifier.StatusVerified {
			t.Fatalf("status %s", rep.Status)
		}
	})
}

// TestFlowUnsigned: with UnsignedRequestsUnsafe, a request with the redirect_uri prefix is
// served as an unsecured JWT and its response verified with aud "redirect_uri:<response_uri>";
// without it, CreateRequest refuses.
func TestFlowUnsigned(t *testing.T) {
	t.Parallel()
	f := getPilot()
	db := sqliteDB(t)
	d := newDesk(t, db, "", func(c *verifier.FlowConfig) { c.UnsignedRequestsUnsafe = true })
	w := newTestWallet(f.issue(f.euDiploma()))
	for _, mode := range []string{verifier.ResponseModeDirectPost, verifier.ResponseModeDirectPostJWT} {
		t.Run("ok/"+mode, func(t *testing.T) {
			c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: mode, UnsignedUnsafe: true, RequestURIMethod: "get"})
			if r.ClientID != "redirect_uri:"+d.flow.ResponseURI() {
				t.Fatalf("client_id %q", r.ClientID)
			}
			if _, err := d.flow.HandleResponse(t.Context(), w.form(r, w.present(r, "", ""))); err != nil {
				t.Fatal(err)
			}
			if rep := d.status(t, c.ID); rep.Status != verifier.StatusVerified {
				t.Fatalf("status %s %+v", rep.Status, rep.Result)
			}
		})
	}
	t.Run("fail/kb-aud-x509-hash", func(t *testing.T) {
		c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, UnsignedUnsafe: true})
		if _, err := d.flow.HandleResponse(t.Context(), w.form(r, w.present(r, d.flow.ClientID(), ""))); err != nil {
			t.Fatal(err)
		}
		if rep := d.status(t, c.ID); rep.Result.Reason != verifier.CodeKBAudienceMismatch {
			t.Fatalf("reason %s", rep.Result.Reason)
		}
	})
	t.Run("fail/wallet-without-redirect-uri-prefix", func(t *testing.T) {
		c := must1(d.flow.CreateRequest(t.Context(), verifier.RequestInput{Profile: verifier.ProfileDiploma, UnsignedUnsafe: true}))
		_, err := d.flow.RequestObject(t.Context(), c.ID, "POST", `{"client_id_prefixes_supported":["x509_hash"]}`, "")
		wantCode(t, err, verifier.CodeInvalidRequest)
	})
	t.Run("fail/not-enabled", func(t *testing.T) {
		_, err := newDesk(t, db, "", nil).flow.CreateRequest(t.Context(), verifier.RequestInput{Profile: verifier.ProfileDiploma, UnsignedUnsafe: true})
		wantCode(t, err, verifier.CodeInvalidInput)
	})
}

// TestFlowStatusListUnreachable: when the only thing wrong is that the credential's status
// list cannot be fetched, the response is answered 503 temporarily_unavailable, the request
// stays pending and nothing is remembered; sent again once the list is back, it is verified.
func TestFlowStatusListUnreachable(t *testing.T) {
	t.Parallel()
	f := getPilot()
	d := newDesk(t, sqliteDB(t), "", nil)
	ctx := t.Context()
	w := newTestWallet(f.issue(f.euDiploma()))
	c, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: verifier.ResponseModeDirectPost})
	uri := statusURI(f.euIssuer)
	d.lists.mu.Lock()
	tok := d.lists.tokens[uri]
	delete(d.lists.tokens, uri)
	d.lists.mu.Unlock()
	vp := w.present(r, "", "")
	_, err := d.flow.HandleResponse(ctx, w.form(r, vp))
	var fe *verifier.Error
	if !errors.As(err, &fe) || fe.Code != verifier.CodeUnavailable || fe.HTTPStatus() != http.StatusServiceUnavailable {
		t.Fatalf("response while the status list is unreachable: %v", err)
	}
	if rep := d.status(t, c.ID); rep.Status != verifier.StatusPending {
		t.Fatalf("request after the failure: %s", rep.Status)
	}
	d.lists.set(uri, tok)
	if _, err := d.flow.HandleResponse(ctx, w.form(r, vp)); err != nil {
		t.Fatalf("the same response sent again: %v", err)
	}
	if rep := d.status(t, c.ID); rep.Status != verifier.StatusVerified {
		t.Fatalf("request after the retry: %s %+v", rep.Status, rep.Result)
	}
}

// TestFlowWebhooksWithinLease: a delivery pass stops sending when its lease runs out (slow
// receivers), so another replica, which may claim the entries then, never sends one this
// pass is still sending; the rest go in the next pass.
func TestFlowWebhooksWithinLease(t *testing.T) {
	t.Parallel()
	f := getPilot()
	d := newDesk(t, sqliteDB(t), "", func(c *verifier.FlowConfig) { c.WebhookURL = "https://hooks.jp-desk.example/results" })
	ctx := t.Context()
	for range 3 {
		w := newTestWallet(f.issue(f.euDiploma()))
		_, r := d.create(t, w, verifier.RequestInput{Profile: verifier.ProfileDiploma})
		if _, err := d.flow.HandleResponse(ctx, w.form(r, w.present(r, "", ""))); err != nil {
			t.Fatal(err)
		}
	}
	sent := 0
	slow := func(ctx context.Context, _ string, _ []byte) error {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("a send without a deadline")
		}
		sent++
		d.clock.Set(d.clock.Now().Add(verifier.WebhookLease / 2)) // each send takes half the lease
		return nil
	}
	n, err := d.flow.DeliverWebhooks(ctx, slow)
	if err != nil || n != 2 || sent != 2 {
		t.Fatalf("first pass: %d delivered, %d sent, %v; want 2 within the lease", n, sent, err)
	}
	d.clock.Set(d.clock.Now().Add(verifier.WebhookLease)) // the unsent entry's lease ran out
	if n, err := d.flow.DeliverWebhooks(ctx, slow); err != nil || n != 1 || sent != 3 {
		t.Fatalf("second pass: %d delivered, %d sent, %v", n, sent, err)
	}
}
