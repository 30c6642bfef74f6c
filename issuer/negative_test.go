package issuer_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dpop"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/issuer"
)

func newOffer(t *testing.T, f *fixture, tenant string, txCode bool) (*issuer.OfferResult, string) {
	t.Helper()
	res, err := f.is.CreateOffer(t.Context(), tenant, issuer.OfferRequest{CredentialConfigurationID: issuer.ConfigDiplomaSDJWT, Claims: diplomaJSON(t), TxCode: &txCode})
	if err != nil {
		t.Fatal(err)
	}
	return res, offerCode(t, f, tenant, res)
}

func TestTokenEndpoint(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	w := newWallet(t, f, "oostland")

	t.Run("fail/request-shape", func(t *testing.T) {
		_, code := newOffer(t, f, "oostland", false)
		for _, tc := range []struct {
			name string
			form url.Values
			want issuer.Code
		}{
			{"no-grant-type", url.Values{"pre-authorized_code": {code}}, issuer.CodeInvalidRequest},
			{"authorization-code-grant", url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, issuer.CodeUnsupportedGrantType},
			{"no-code", url.Values{"grant_type": {issuer.GrantPreAuthorizedCode}}, issuer.CodeInvalidRequest},
			{"repeated-parameter", url.Values{"grant_type": {issuer.GrantPreAuthorizedCode}, "pre-authorized_code": {code, code}}, issuer.CodeInvalidRequest},
			{"unknown-code", url.Values{"grant_type": {issuer.GrantPreAuthorizedCode}, "pre-authorized_code": {"nope"}}, issuer.CodeInvalidGrant},
			{"tx-code-not-expected", url.Values{"grant_type": {issuer.GrantPreAuthorizedCode}, "pre-authorized_code": {code}, "tx_code": {"123456"}}, issuer.CodeInvalidRequest},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.is.Token(ctx, "oostland", issuer.TokenRequest{Form: tc.form})
				wantCode(t, err, tc.want)
			})
		}
		// None of these consumed the code.
		if _, err := w.token(code, "", false); err != nil {
			t.Fatalf("code unusable after rejected requests: %v", err)
		}
		_, err := w.token(code, "", false)
		wantCode(t, err, issuer.CodeInvalidGrant) // single use
	})

	t.Run("fail/other-tenant", func(t *testing.T) {
		_, code := newOffer(t, f, "oostland", false)
		_, err := newWallet(t, f, "sakuragaoka").token(code, "", false)
		wantCode(t, err, issuer.CodeInvalidGrant)
		if _, err := w.token(code, "", false); err != nil {
			t.Fatalf("rejected at another tenant must not consume the code: %v", err)
		}
	})

	t.Run("fail/expired", func(t *testing.T) {
		_, code := newOffer(t, f, "oostland", false)
		f.clock.Add(7*24*time.Hour + time.Second)
		defer f.clock.Add(-(7*24*time.Hour + time.Second))
		_, err := w.token(code, "", false)
		wantCode(t, err, issuer.CodeInvalidGrant)
	})

	t.Run("fail/tx-code-brute-force-locks", func(t *testing.T) {
		res, code := newOffer(t, f, "oostland", true)
		_, err := w.token(code, "", false)
		wantCode(t, err, issuer.CodeInvalidRequest) // missing tx_code is not an attempt
		for i := range 5 {
			_, err := w.token(code, wrongDigits(res.TxCode), false)
			wantCode(t, err, issuer.CodeInvalidGrant)
			if i < 4 && !strings.Contains(err.Error(), "attempts left") {
				t.Fatalf("attempt %d: %v", i, err)
			}
		}
		_, err = w.token(code, res.TxCode, false)
		wantCode(t, err, issuer.CodeInvalidGrant)
		v, err := f.is.Offer(ctx, "oostland", res.OfferID)
		if err != nil || v.State != "locked" || v.TxCodeAttempts != 5 {
			t.Fatalf("offer after brute force: %+v %v", v, err)
		}
	})

	t.Run("fail/tx-code-concurrent-guessing", func(t *testing.T) {
		res, code := newOffer(t, f, "oostland", true)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() { _, _ = w.token(code, wrongDigits(res.TxCode), false) })
		}
		wg.Wait()
		v, err := f.is.Offer(ctx, "oostland", res.OfferID)
		if err != nil || v.State != "locked" || v.TxCodeAttempts != 5 {
			t.Fatalf("20 concurrent wrong guesses: %+v %v", v, err)
		}
	})

	t.Run("fail/dpop", func(t *testing.T) {
		_, code := newOffer(t, f, "oostland", false)
		form := url.Values{"grant_type": {issuer.GrantPreAuthorizedCode}, "pre-authorized_code": {code}}
		proof := w.dpopProof(issuer.PathToken, "")
		wrongURL, _ := w.dpop.Proof("POST", base+"/sakuragaoka"+issuer.PathToken, dpopOpts(f))
		for _, tc := range []struct {
			name   string
			values []string
			want   issuer.Code
		}{
			{"malformed", []string{"not-a-jwt"}, issuer.CodeInvalidDPoPProof},
			{"two-headers", []string{proof, proof}, issuer.CodeInvalidDPoPProof},
			{"wrong-htu", []string{wrongURL}, issuer.CodeInvalidDPoPProof},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.is.Token(ctx, "oostland", issuer.TokenRequest{Form: form, DPoP: tc.values})
				wantCode(t, err, tc.want)
			})
		}
		if _, err := f.is.Token(ctx, "oostland", issuer.TokenRequest{Form: form, DPoP: []string{proof}}); err != nil {
			t.Fatal(err)
		}
		_, code2 := newOffer(t, f, "oostland", false)
		form.Set("pre-authorized_code", code2)
		_, err := f.is.Token(ctx, "oostland", issuer.TokenRequest{Form: form, DPoP: []string{proof}})
		wantCode(t, err, issuer.CodeInvalidDPoPProof) // replayed jti
		if !strings.Contains(err.Error(), "replayed") {
			t.Fatal(err)
		}
	})

	t.Run("fail/require-dpop", func(t *testing.T) {
		f := newFixture(t, func(c *issuer.Config) { c.RequireDPoP = true })
		_, code := newOffer(t, f, "oostland", false)
		_, err := newWallet(t, f, "oostland").token(code, "", false)
		wantCode(t, err, issuer.CodeInvalidDPoPProof)
	})
}

// TestConfigDeferredInterval: a deferred response's interval is a positive whole number of
// seconds (§8.3), so the configuration must give one.
func TestConfigDeferredInterval(t *testing.T) {
	var valid issuer.Config
	newFixture(t, func(c *issuer.Config) { valid = *c })
	for _, tc := range []struct {
		d  time.Duration
		ok bool
	}{{0, true}, {time.Second, true}, {90 * time.Second, true}, {500 * time.Millisecond, false}, {1500 * time.Millisecond, false}, {-time.Second, false}} {
		c := valid
		c.DeferredInterval = tc.d
		err := c.Validate()
		if tc.ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), "DeferredInterval")) {
			t.Errorf("DeferredInterval %s: %v", tc.d, err)
		}
	}
}

// flipLast changes the last character of a base64url string. Only its high bits carry data,
// so the result is often the same bytes in a non-canonical encoding, which must be refused
// too (single use is tracked by the nonce's text).
func flipLast(s string) string {
	b := []byte(s)
	if b[len(b)-1] == 'A' {
		b[len(b)-1] = 'B'
	} else {
		b[len(b)-1] = 'A'
	}
	return string(b)
}

func wrongDigits(s string) string {
	b := []byte(s)
	b[0] = '0' + (b[0]-'0'+1)%10
	return string(b)
}

func TestCredentialEndpoint(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	w := newWallet(t, f, "oostland")
	_, code := newOffer(t, f, "oostland", false)
	tok, err := w.token(code, "", true)
	if err != nil {
		t.Fatal(err)
	}
	k := newHolderKey(t)
	nonce := w.nonce()
	body := func(proofs ...any) map[string]any {
		return map[string]any{"credential_configuration_id": issuer.ConfigDiplomaSDJWT, "proofs": map[string]any{"jwt": proofs}}
	}
	mut := func(fn func(h *jose.SignHeader, c map[string]any)) string { return w.proof(k, nonce, fn) }
	for _, tc := range []struct {
		name string
		body any
		want issuer.Code
	}{
		{"wrong-aud", body(mut(func(_ *jose.SignHeader, c map[string]any) { c["aud"] = base + "/sakuragaoka" })), issuer.CodeInvalidProof},
		{"aud-array", body(mut(func(_ *jose.SignHeader, c map[string]any) { c["aud"] = []string{w.ci()} })), issuer.CodeInvalidProof},
		{"wrong-typ", body(mut(func(h *jose.SignHeader, _ map[string]any) { h.Typ = "JWT" })), issuer.CodeInvalidProof},
		{"no-typ", body(mut(func(h *jose.SignHeader, _ map[string]any) { h.Typ = "" })), issuer.CodeInvalidProof},
		{"kid-instead-of-jwk", body(mut(func(h *jose.SignHeader, _ map[string]any) { h.JWK, h.Kid = nil, "did:example:123#0" })), issuer.CodeInvalidProof},
		{"iat-too-old", body(mut(func(_ *jose.SignHeader, c map[string]any) { c["iat"] = f.clock.Now().Add(-time.Hour).Unix() })), issuer.CodeInvalidProof},
		{"iat-in-future", body(mut(func(_ *jose.SignHeader, c map[string]any) { c["iat"] = f.clock.Now().Add(time.Hour).Unix() })), issuer.CodeInvalidProof},
		// §8.3.1: a proof without a c_nonce is invalid_proof; a wrong c_nonce invalid_nonce.
		{"no-nonce", body(mut(func(_ *jose.SignHeader, c map[string]any) { delete(c, "nonce") })), issuer.CodeInvalidProof},
		{"unknown-nonce", body(mut(func(_ *jose.SignHeader, c map[string]any) { c["nonce"] = "made-up" })), issuer.CodeInvalidNonce},
		{"nonce-of-other-tenant", body(mut(func(_ *jose.SignHeader, c map[string]any) { c["nonce"] = newWallet(t, f, "sakuragaoka").nonce() })), issuer.CodeInvalidNonce},
		{"nonce-tampered", body(mut(func(_ *jose.SignHeader, c map[string]any) { c["nonce"] = flipLast(nonce) })), issuer.CodeInvalidNonce},
		{"signed-by-other-key", body(w.proofSignedBy(k, newHolderKey(t), nonce)), issuer.CodeInvalidProof},
		{"es384-alg", body(w.proofES384(nonce)), issuer.CodeInvalidProof},
		{"same-key-twice", body(mut(nil), mut(nil)), issuer.CodeInvalidProof},
		{"too-many-proofs", body(mut(nil), w.proof(newHolderKey(t), nonce, nil), w.proof(newHolderKey(t), nonce, nil), w.proof(newHolderKey(t), nonce, nil), w.proof(newHolderKey(t), nonce, nil)), issuer.CodeInvalidCredentialRequest},
		{"no-proofs", map[string]any{"credential_configuration_id": issuer.ConfigDiplomaSDJWT}, issuer.CodeInvalidProof},
		{"empty-proofs", body(), issuer.CodeInvalidProof},
		{"proof-not-string", body(42), issuer.CodeInvalidProof},
		// "proof" is not a 1.0 parameter: ignored (§8.2), so the request has no proofs.
		{"singular-proof", map[string]any{"credential_configuration_id": issuer.ConfigDiplomaSDJWT, "proof": map[string]any{"proof_type": "jwt", "jwt": mut(nil)}}, issuer.CodeInvalidProof},
		{"unknown-configuration", map[string]any{"credential_configuration_id": "nope", "proofs": map[string]any{"jwt": []any{mut(nil)}}}, issuer.CodeUnknownCredentialConfiguration},
		{"configuration-not-granted", map[string]any{"credential_configuration_id": issuer.ConfigDiplomaJWTVC, "proofs": map[string]any{"jwt": []any{mut(nil)}}}, issuer.CodeInsufficientScope},
		{"credential-identifier", map[string]any{"credential_identifier": "x", "proofs": map[string]any{"jwt": []any{mut(nil)}}}, issuer.CodeUnknownCredentialIdentifier},
		{"response-encryption", map[string]any{"credential_configuration_id": issuer.ConfigDiplomaSDJWT, "credential_response_encryption": map[string]any{"enc": "A128GCM"}, "proofs": map[string]any{"jwt": []any{mut(nil)}}}, issuer.CodeInvalidEncryptionParameters},
	} {
		t.Run("fail/"+tc.name, func(t *testing.T) {
			_, err := w.credential(tok, tc.body)
			wantCode(t, err, tc.want)
		})
	}
	t.Run("fail/malformed-json", func(t *testing.T) {
		for _, b := range []string{"", "{", `{"credential_configuration_id":"a","credential_configuration_id":"b"}`, "[]"} {
			_, err := f.is.Credential(ctx, "oostland", w.auth(tok, issuer.PathCredential), []byte(b))
			wantCode(t, err, issuer.CodeInvalidCredentialRequest)
		}
	})
	t.Run("fail/token", func(t *testing.T) {
		b, _ := json.Marshal(body(mut(nil)))
		for _, tc := range []struct {
			name string
			auth issuer.Authorization
		}{
			{"none", issuer.Authorization{}},
			{"unknown", issuer.Authorization{Scheme: "Bearer", Token: "nope"}},
			{"bound-token-as-bearer", issuer.Authorization{Scheme: "Bearer", Token: tok.AccessToken}},
			{"bound-token-without-proof", issuer.Authorization{Scheme: "DPoP", Token: tok.AccessToken}},
			{"proof-of-another-key", issuer.Authorization{Scheme: "DPoP", Token: tok.AccessToken, DPoP: []string{newWallet(t, f, "oostland").dpopProof(issuer.PathCredential, tok.AccessToken)}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.is.Credential(ctx, "oostland", tc.auth, b)
				if c := issuer.CodeOf(err); c != issuer.CodeInvalidToken && c != issuer.CodeInvalidDPoPProof {
					t.Fatalf("err = %v", err)
				}
			})
		}
		_, err := f.is.Credential(ctx, "sakuragaoka", w.auth(tok, issuer.PathCredential), b)
		if issuer.CodeOf(err) == "" {
			t.Fatal("token accepted at another tenant")
		}
	})
	// Nothing above issued anything or used the nonce: the first good request succeeds.
	if recs, err := f.is.ListIssuances(ctx, "oostland", "", time.Time{}, 0); err != nil || len(recs) != 0 {
		t.Fatalf("rejected requests left records: %d %v", len(recs), err)
	}
	if _, err := w.credential(tok, body(mut(nil))); err != nil {
		t.Fatalf("good request after rejections: %v", err)
	}
	// The nonce is single use.
	_, code2 := newOffer(t, f, "oostland", false)
	tok2, err := w.token(code2, "", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.credential(tok2, body(w.proof(newHolderKey(t), nonce, nil)))
	wantCode(t, err, issuer.CodeInvalidNonce)
	// Nor can it be replayed under another spelling of the same bytes: encoding/base64
	// skips line breaks, so "AA\nAA" would otherwise decode like "AAAA".
	_, err = w.credential(tok2, body(w.proof(newHolderKey(t), nonce[:4]+"\n"+nonce[4:], nil)))
	wantCode(t, err, issuer.CodeInvalidNonce)
	_, err = w.credential(tok2, body(w.proof(newHolderKey(t), nonce+"\r\n", nil)))
	wantCode(t, err, issuer.CodeInvalidNonce)
	// An expired nonce (its MAC still verifies).
	old := w.nonce()
	f.clock.Add(6 * time.Minute)
	_, code3 := newOffer(t, f, "oostland", false)
	tok3, err := w.token(code3, "", false)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.credential(tok3, body(w.proof(newHolderKey(t), old, nil)))
	wantCode(t, err, issuer.CodeInvalidNonce)
	// Expired access token.
	f.clock.Add(11 * time.Minute)
	_, err = w.credential(tok2, body(w.proof(newHolderKey(t), w.nonce(), nil)))
	wantCode(t, err, issuer.CodeInvalidToken)
}

func (w *wallet) proofSignedBy(claimed, signer holderKey, nonce string) string {
	w.t.Helper()
	h := jose.SignHeader{Typ: issuer.ProofType, JWK: claimed.key.Public()}
	b, _ := json.Marshal(map[string]any{"aud": w.ci(), "iat": w.f.clock.Now().Unix(), "nonce": nonce})
	good, err := jose.Sign(claimed.key, h, b)
	if err != nil {
		w.t.Fatal(err)
	}
	other, err := jose.Sign(signer.key, h, b)
	if err != nil {
		w.t.Fatal(err)
	}
	// The header and claims of the first with the signature of the second.
	return good[:strings.LastIndexByte(good, '.')] + other[strings.LastIndexByte(other, '.'):]
}

func (w *wallet) proofES384(nonce string) string {
	w.t.Helper()
	k := newP384(w.t)
	b, _ := json.Marshal(map[string]any{"aud": w.ci(), "iat": w.f.clock.Now().Unix(), "nonce": nonce})
	s, err := jose.Sign(k, jose.SignHeader{Typ: issuer.ProofType, JWK: k.Public()}, b)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func TestDeferredIssuance(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	approved := false
	rec, _ := json.Marshal(academic.SampleJPMasterEngineering())
	res, err := f.is.ImportGraduates(ctx, "sakuragaoka", []issuer.GraduateRow{
		{ID: "2026-0042", Record: rec, Approved: &approved},
		{ID: "bad id!", Record: rec},
		{ID: "2026-0043", Record: json.RawMessage(`{"learner":{}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Outcome != "created" || res[1].Outcome != "rejected" || res[2].Outcome != "rejected" || len(res[2].Errors) == 0 {
		t.Fatalf("import results %+v", res)
	}
	for _, e := range res[2].Errors {
		if !strings.HasPrefix(e.Path, "record.") || e.MessageJA == "" {
			t.Fatalf("field error %+v", e)
		}
	}
	if _, err := f.is.Offer(ctx, "sakuragaoka", "x"); issuer.CodeOf(err) != issuer.CodeNotFound {
		t.Fatal(err)
	}
	offer, err := f.is.CreateOffer(ctx, "sakuragaoka", issuer.OfferRequest{CredentialConfigurationID: issuer.ConfigDiplomaSDJWT, GraduateID: "2026-0042"})
	if err != nil || !offer.Deferred || offer.TxCode == "" {
		t.Fatalf("offer %+v %v", offer, err)
	}
	w := newWallet(t, f, "sakuragaoka")
	tok, err := w.token(offerCode(t, f, "sakuragaoka", offer), offer.TxCode, true)
	if err != nil {
		t.Fatal(err)
	}
	k := newHolderKey(t)
	cr, err := w.credential(tok, map[string]any{"credential_configuration_id": issuer.ConfigDiplomaSDJWT, "proofs": map[string]any{"jwt": []any{w.proof(k, w.nonce(), nil)}}})
	if err != nil || !cr.Deferred() || cr.Interval != 60 {
		t.Fatalf("deferred response %+v %v", cr, err)
	}
	poll := func(txID string) (*issuer.CredentialResponse, error) {
		b, _ := json.Marshal(map[string]string{"transaction_id": txID})
		return f.is.DeferredCredential(ctx, "sakuragaoka", w.auth(tok, issuer.PathDeferredCredential), b)
	}
	again, err := poll(cr.TransactionID)
	if err != nil || again.TransactionID != cr.TransactionID {
		t.Fatalf("poll before approval: %+v %v", again, err)
	}
	_, err = poll("unknown")
	wantCode(t, err, issuer.CodeInvalidTransactionID)
	// The registrar approves the conferral days later, long after the access token's own
	// ten minutes: the deferral kept it valid, through a sweep, for the poll and the
	// notification that follow.
	f.clock.Add(3 * 24 * time.Hour)
	if _, err := f.st.Sweep(ctx, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.is.ApproveGraduate(ctx, "sakuragaoka", "2026-0042"); err != nil {
		t.Fatal(err)
	}
	done, err := poll(cr.TransactionID)
	if err != nil || done.Deferred() || len(done.Credentials) != 1 {
		t.Fatalf("poll after approval: %+v %v", done, err)
	}
	nb, _ := json.Marshal(map[string]string{"notification_id": done.NotificationID, "event": "credential_accepted"})
	if err := f.is.Notification(ctx, "sakuragaoka", w.auth(tok, issuer.PathNotification), nb); err != nil {
		t.Fatalf("notification after the deferred delivery: %v", err)
	}
	_, err = poll(cr.TransactionID)
	wantCode(t, err, issuer.CodeInvalidTransactionID) // delivered: the transaction is gone
}

func TestRegistrarOffers(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	if err := f.is.Authorize("oostland", adminToken); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{"", "registrar-secret-sakuragaoka", adminToken + "x"} {
		if err := f.is.Authorize("oostland", tok); issuer.CodeOf(err) != issuer.CodeUnauthorized {
			t.Fatalf("token %q: %v", tok, err)
		}
	}
	bad := academic.SampleEUMaster()
	bad.Degree.EQFLevel = 11
	badJSON, _ := json.Marshal(bad)
	for _, tc := range []struct {
		name  string
		req   issuer.OfferRequest
		field string
	}{
		{"unknown-configuration", issuer.OfferRequest{CredentialConfigurationID: "x", Claims: diplomaJSON(t)}, "credential_configuration_id"},
		{"neither", issuer.OfferRequest{CredentialConfigurationID: issuer.ConfigDiplomaSDJWT}, "graduate_id"},
		{"both", issuer.OfferRequest{CredentialConfigurationID: issuer.ConfigDiplomaSDJWT, GraduateID: "g", Claims: diplomaJSON(t)}, "graduate_id"},
		{"unknown-graduate", issuer.OfferRequest{CredentialConfigurationID: issuer.ConfigDiplomaSDJWT, GraduateID: "nobody"}, "graduate_id"},
		{"invalid-claims", issuer.OfferRequest{CredentialConfigurationID: issuer.ConfigDiplomaSDJWT, Claims: badJSON}, "claims.degree.eqf_level"},
	} {
		t.Run("fail/"+tc.name, func(t *testing.T) {
			_, err := f.is.CreateOffer(ctx, "oostland", tc.req)
			wantCode(t, err, issuer.CodeInvalidInput)
			e, _ := errors.AsType[*issuer.Error](err)
			if len(e.Fields) == 0 || e.Fields[0].Path != tc.field {
				t.Fatalf("fields %+v", e.Fields)
			}
		})
	}
	res, code := newOffer(t, f, "oostland", true)
	list, err := f.is.ListOffers(ctx, "oostland", time.Time{}, 0)
	if err != nil || len(list) != 1 || list[0].State != "pending" || list[0].TxCode != res.TxCode {
		t.Fatalf("offers %+v %v", list, err)
	}
	if other, err := f.is.ListOffers(ctx, "sakuragaoka", time.Time{}, 0); err != nil || len(other) != 0 {
		t.Fatalf("tenant isolation: %+v %v", other, err)
	}
	re, err := f.is.Reoffer(ctx, "oostland", res.OfferID, false)
	if err != nil || re.OfferID == res.OfferID || re.TxCode != "" {
		t.Fatalf("reoffer %+v %v", re, err)
	}
	_, err = newWallet(t, f, "oostland").token(code, res.TxCode, false)
	wantCode(t, err, issuer.CodeInvalidGrant) // the old code died with the re-offer
	if v, err := f.is.Offer(ctx, "oostland", res.OfferID); err != nil || v.State != "withdrawn" {
		t.Fatalf("old offer %+v %v", v, err)
	}
	ev, err := f.is.AuditLog(ctx, "oostland", time.Time{}, 0)
	actions := map[string]int{}
	for _, e := range ev {
		actions[e.Action]++
	}
	if err != nil || actions["offer_created"] != 2 || actions["offer_withdrawn"] != 1 {
		t.Fatalf("audit %+v %v", ev, err)
	}
	// The new offer's event names the one it replaces.
	if !slices.ContainsFunc(ev, func(e issuer.AuditEvent) bool {
		return e.Action == "offer_created" && e.Object == re.OfferID && strings.HasSuffix(e.Detail, " re-offer of "+res.OfferID)
	}) {
		t.Fatalf("no offer_created event linking %s to %s: %+v", re.OfferID, res.OfferID, ev)
	}
	for _, e := range ev {
		if strings.Contains(e.Detail, "Jansen") || strings.Contains(e.Object, "@") {
			t.Fatalf("personal data in the audit log: %+v", e)
		}
	}
}

func TestMetadata(t *testing.T) {
	f := newFixture(t)
	m, err := f.is.Metadata("sakuragaoka")
	if err != nil {
		t.Fatal(err)
	}
	ci := base + "/sakuragaoka"
	if m.CredentialIssuer != ci || m.CredentialEndpoint != ci+"/credential" || m.NonceEndpoint != ci+"/nonce" ||
		m.BatchCredentialIssuance == nil || m.BatchCredentialIssuance.BatchSize != 4 || len(m.CredentialConfigurationsSupported) != 3 {
		t.Fatalf("metadata %+v", m)
	}
	c := m.CredentialConfigurationsSupported[issuer.ConfigDiplomaSDJWT]
	locales := map[string]bool{}
	for _, d := range c.CredentialMetadata.Display {
		locales[d.Locale] = true
	}
	if c.VCT != academic.VCTHashiDiploma || !locales["en"] || !locales["ja"] || len(c.CredentialMetadata.Claims) == 0 {
		t.Fatalf("configuration %+v", c)
	}
	if got := issuer.WellKnownURL(ci, issuer.WellKnownCredentialIssuer); got != "https://127.0.0.1:8443/.well-known/openid-credential-issuer/issuer/sakuragaoka" {
		t.Fatal(got)
	}
	as, err := f.is.AuthorizationServerMetadata("sakuragaoka")
	if err != nil || as.TokenEndpoint != ci+"/token" || !as.PreAuthorizedGrantAnonymousAccess {
		t.Fatalf("AS metadata %+v %v", as, err)
	}
	jm, err := f.is.JWTVCIssuerMetadata("sakuragaoka")
	if err != nil || jm.Issuer != ci {
		t.Fatalf("jwt-vc-issuer %+v %v", jm, err)
	}
	if _, err := f.is.Metadata("nope"); issuer.CodeOf(err) != issuer.CodeNotFound {
		t.Fatal(err)
	}
}

func dpopOpts(f *fixture) dpop.ProofOptions { return dpop.ProofOptions{IssuedAt: f.clock.Now()} }

func newP384(t *testing.T) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestCredentialRedelivered: a wallet whose credential response was lost asks again with the
// same access token and holder key: it gets the recorded credential again (same status
// entry, nothing new recorded), its new c_nonce is spent; other keys are refused.
func TestCredentialRedelivered(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	w := newWallet(t, f, "oostland")
	_, code := newOffer(t, f, "oostland", false)
	tok, err := w.token(code, "", true)
	if err != nil {
		t.Fatal(err)
	}
	k := newHolderKey(t)
	body := func(nonce string, key holderKey) map[string]any {
		return map[string]any{"credential_configuration_id": issuer.ConfigDiplomaSDJWT, "proofs": map[string]any{"jwt": []any{w.proof(key, nonce, nil)}}}
	}
	first, err := w.credential(tok, body(w.nonce(), k))
	if err != nil || len(first.Credentials) != 1 {
		t.Fatalf("first request: %+v %v", first, err)
	}
	statusOf := func(cred string) any {
		in, err := sdjwt.Peek(cred)
		if err != nil {
			t.Fatal(err)
		}
		return in.Payload["status"]
	}
	nonce := w.nonce()
	again, err := w.credential(tok, body(nonce, k))
	if err != nil || len(again.Credentials) != 1 || again.NotificationID != first.NotificationID {
		t.Fatalf("asked again with the same key: %+v %v", again, err)
	}
	if a, b := statusOf(first.Credentials[0].Credential), statusOf(again.Credentials[0].Credential); !reflect.DeepEqual(a, b) {
		t.Fatalf("status entry %v the first time, %v the second", a, b)
	}
	recs, err := f.is.ListIssuances(ctx, "oostland", "", time.Time{}, 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("issued credentials after the second delivery: %d %v", len(recs), err)
	}
	// The second delivery is in the audit log, as an event of its own.
	ev, err := f.is.AuditLog(ctx, "oostland", time.Time{}, 0)
	actions := map[string]int{}
	for _, e := range ev {
		actions[e.Action]++
	}
	if err != nil || actions["credential_issued"] != 1 || actions["credential_redelivered"] != 1 {
		t.Fatalf("audit %+v %v", ev, err)
	}
	_, err = w.credential(tok, body(nonce, k))
	wantCode(t, err, issuer.CodeInvalidNonce)
	_, err = w.credential(tok, body(w.nonce(), newHolderKey(t)))
	wantCode(t, err, issuer.CodeCredentialRequestDenied)
}

// TestApprovalWithdrawn: issuance follows the graduate's approval at the time of the request:
// a registrar who re-imports an approved graduate as not approved holds issuance (deferred)
// even for an offer made while the graduate was approved.
func TestApprovalWithdrawn(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	rec, _ := json.Marshal(academic.SampleJPMasterEngineering())
	yes, no := true, false
	if _, err := f.is.ImportGraduates(ctx, "sakuragaoka", []issuer.GraduateRow{{ID: "2026-0100", Record: rec, Approved: &yes}}); err != nil {
		t.Fatal(err)
	}
	offer, err := f.is.CreateOffer(ctx, "sakuragaoka", issuer.OfferRequest{CredentialConfigurationID: issuer.ConfigDiplomaSDJWT, GraduateID: "2026-0100"})
	if err != nil || offer.Deferred {
		t.Fatalf("offer %+v %v", offer, err)
	}
	if res, err := f.is.ImportGraduates(ctx, "sakuragaoka", []issuer.GraduateRow{{ID: "2026-0100", Record: rec, Approved: &no}}); err != nil || res[0].Outcome == "rejected" {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	w := newWallet(t, f, "sakuragaoka")
	tok, err := w.token(offerCode(t, f, "sakuragaoka", offer), offer.TxCode, true)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := w.credential(tok, map[string]any{"credential_configuration_id": issuer.ConfigDiplomaSDJWT, "proofs": map[string]any{"jwt": []any{w.proof(newHolderKey(t), w.nonce(), nil)}}})
	if err != nil || !cr.Deferred() {
		t.Fatalf("credential request after the approval was withdrawn: %+v %v; want deferred", cr, err)
	}
}
