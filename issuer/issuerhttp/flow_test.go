package issuerhttp_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/issuer"
)

func TestPreAuthorizedFlow(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		// Discovery.
		var md issuer.Metadata
		r := e.do("GET", "/.well-known/openid-credential-issuer/issuer/oostland", nil, nil)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json" {
			t.Fatalf("metadata: %d %v", r.status, r.header)
		}
		r.json(t, &md)
		if md.CredentialIssuer != base+"/oostland" || md.CredentialEndpoint != base+"/oostland/credential" {
			t.Fatalf("metadata %+v", md)
		}

		// The registrar makes an offer.
		res := e.createOffer("oostland", issuer.ConfigDiplomaSDJWT, true)
		if res.TxCode == "" || !strings.HasPrefix(res.Offer, "openid-credential-offer://?credential_offer_uri=") {
			t.Fatalf("offer result %+v", res)
		}

		// The wallet fetches the offer twice, then redeems it with tx_code and DPoP.
		w := newWallet(e, "oostland")
		o, code := w.offer(res.CredentialOfferURI)
		if _, again := w.offer(res.CredentialOfferURI); again != code || o.CredentialIssuer != md.CredentialIssuer {
			t.Fatalf("offer %+v", o)
		}
		var as issuer.AuthorizationServerMetadata
		e.do("GET", issuer.WellKnownURL(o.CredentialIssuer, issuer.WellKnownOAuthServer), nil, nil).json(t, &as)
		if as.TokenEndpoint != base+"/oostland/token" {
			t.Fatalf("AS metadata %+v", as)
		}
		var jv issuer.JWTVCIssuerMetadata
		e.do("GET", issuer.WellKnownURL(o.CredentialIssuer, issuer.WellKnownJWTVCIssuer), nil, nil).json(t, &jv)
		if keys, _ := jv.JWKS["keys"].([]any); jv.Issuer != o.CredentialIssuer || len(keys) != 1 {
			t.Fatalf("JWT VC issuer metadata %+v", jv)
		}
		tok := w.token(code, res.TxCode, true)
		if tok.TokenType != "DPoP" || tok.AccessToken == "" {
			t.Fatalf("token %+v", tok)
		}
		// The offer is gone once redeemed.
		e.do("GET", res.CredentialOfferURI, nil, nil).wantError(t, http.StatusNotFound, "not_found")

		// Credential request with a batch of two proofs.
		nonce := w.nonce()
		k1, k2 := newHolderKey(t), newHolderKey(t)
		r = w.resource(issuer.PathCredential, tok, credentialBody(issuer.ConfigDiplomaSDJWT, w.proof(k1, nonce, nil), w.proof(k2, nonce, nil)))
		if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("credential: %d %v %s", r.status, r.header, r.body)
		}
		var cr issuer.CredentialResponse
		r.json(t, &cr)
		if len(cr.Credentials) != 2 || cr.NotificationID == "" {
			t.Fatalf("credential response %s", r.body)
		}
		var refs []statuslist.Reference
		for i, c := range cr.Credentials {
			u, err := sdjwt.ParseUnverified(c.Credential)
			if err != nil {
				t.Fatal(err)
			}
			v, err := u.VerifyVC(t.Context(), sdjwt.VCPolicy{
				Policy:     sdjwt.Policy{Now: e.clock.Now().Add(time.Second), Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden},
				KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C},
			})
			if err != nil {
				t.Fatal(err)
			}
			want := []holderKey{k1, k2}[i]
			if v.Issuer != md.CredentialIssuer || v.Status == nil || !want.key.PublicKey.Equal(v.Confirmation) {
				t.Fatalf("credential %d: iss %s status %v", i, v.Issuer, v.Status)
			}
			refs = append(refs, statuslist.Reference{Idx: int(v.Status.Index), URI: v.Status.URI})
		}

		// Notification, twice (idempotent): 204.
		for range 2 {
			r = w.resource(issuer.PathNotification, tok, map[string]string{"notification_id": cr.NotificationID, "event": "credential_accepted"})
			if r.status != http.StatusNoContent || len(r.body) != 0 {
				t.Fatalf("notification: %d %s", r.status, r.body)
			}
		}

		// Status list over HTTP: valid; the registrar revokes; revoked.
		if s := e.status(t, refs[0]); s != statuslist.Valid {
			t.Fatalf("status %v", s)
		}
		recs := e.issuances("oostland")
		if len(recs) != 2 || recs[0].WalletEvent != "credential_accepted" {
			t.Fatalf("issuances %+v", recs)
		}
		var revoked issuer.IssuanceView
		for _, rec := range recs {
			if rec.StatusIndex == refs[0].Idx && rec.StatusList == refs[0].URI {
				r = e.admin("POST", "oostland", "/credentials/"+rec.ID+"/status", map[string]string{"status": "revoked"})
				if r.status != http.StatusOK {
					t.Fatalf("revoke: %d %s", r.status, r.body)
				}
				r.json(t, &revoked)
			}
		}
		if revoked.Status != "revoked" || revoked.StatusList != refs[0].URI {
			t.Fatalf("revoked %+v", revoked)
		}
		if s := e.status(t, refs[0]); s != statuslist.Invalid {
			t.Fatalf("after revocation: %v", s)
		}
		if s := e.status(t, refs[1]); s != statuslist.Valid {
			t.Fatalf("other credential: %v", s)
		}
		// A revoked credential stays revoked: 409.
		e.admin("POST", "oostland", "/credentials/"+revoked.ID+"/status", map[string]string{"status": "valid"}).wantError(t, http.StatusConflict, "conflict")

		// The audit log records the flow.
		var audit []map[string]any
		e.admin("GET", "oostland", "/audit", nil).json(t, &audit)
		actions := map[string]bool{}
		for _, a := range audit {
			actions[a["action"].(string)] = true
		}
		for _, want := range []string{"offer_created", "credential_issued", "notification", "credential_revoked"} {
			if !actions[want] {
				t.Errorf("audit log lacks %s: %v", want, audit)
			}
		}
	})
}

// status fetches the status list token of ref over HTTP and verifies it with the seal.
func (e *env) status(t *testing.T, ref statuslist.Reference) statuslist.Status {
	t.Helper()
	r := e.do("GET", ref.URI, hdrs("Accept", "application/statuslist+jwt"), nil)
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/statuslist+jwt" {
		t.Fatalf("status list: %d %v %s", r.status, r.header, r.body)
	}
	cc := r.header.Get("Cache-Control")
	n, err := strconv.Atoi(strings.TrimPrefix(cc, "max-age="))
	if !strings.HasPrefix(cc, "max-age=") || err != nil || n <= 0 || n > 300 {
		t.Fatalf("Cache-Control %q", cc)
	}
	u, err := statuslist.ParseToken(string(r.body))
	if err != nil {
		t.Fatal(err)
	}
	v, err := u.Verify(e.seal.Certificate.PublicKey, statuslist.Policy{URI: ref.URI, Algorithms: []jose.Algorithm{jose.ES256}, Now: e.clock.Now()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := v.Status(ref)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDeferredIssuance(t *testing.T) {
	t.Parallel()
	runBoth(t, func(t *testing.T, e *env) {
		// Import a graduate whose conferral is not approved yet (JSON lines).
		line := `{"graduate_id":"s-0001","record":` + string(diploma(t)) + `,"approved":false}` + "\n"
		r := e.do("POST", "/issuer/oostland/admin/graduates", hdrs("Authorization", "Bearer "+adminToken("oostland"), "Content-Type", "application/x-ndjson"), []byte(line))
		if r.status != http.StatusOK {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		r = e.admin("POST", "oostland", "/offers", map[string]any{"credential_configuration_id": issuer.ConfigDiplomaJWTVC, "graduate_id": "s-0001", "tx_code": false})
		var res issuer.OfferResult
		r.json(t, &res)
		if r.status != http.StatusCreated || !res.Deferred || res.TxCode != "" {
			t.Fatalf("offer: %d %s", r.status, r.body)
		}
		w := newWallet(e, "oostland")
		_, code := w.offer(res.CredentialOfferURI)
		tok := w.token(code, "", false)
		if tok.TokenType != "Bearer" {
			t.Fatalf("token type %s", tok.TokenType)
		}
		r = w.resource(issuer.PathCredential, tok, credentialBody(issuer.ConfigDiplomaJWTVC, w.proof(newHolderKey(t), w.nonce(), nil)))
		var cr issuer.CredentialResponse
		r.json(t, &cr)
		if r.status != http.StatusAccepted || cr.TransactionID == "" || cr.Interval <= 0 || len(cr.Credentials) != 0 {
			t.Fatalf("credential: %d %s", r.status, r.body)
		}
		r = w.resource(issuer.PathDeferredCredential, tok, map[string]string{"transaction_id": cr.TransactionID})
		if r.status != http.StatusAccepted {
			t.Fatalf("deferred before approval: %d %s", r.status, r.body)
		}
		if r := e.admin("POST", "oostland", "/graduates/s-0001/approve", nil); r.status != http.StatusNoContent {
			t.Fatalf("approve: %d %s", r.status, r.body)
		}
		r = w.resource(issuer.PathDeferredCredential, tok, map[string]string{"transaction_id": cr.TransactionID})
		var done issuer.CredentialResponse
		r.json(t, &done)
		if r.status != http.StatusOK || len(done.Credentials) != 1 {
			t.Fatalf("deferred after approval: %d %s", r.status, r.body)
		}
		// The transaction is over.
		w.resource(issuer.PathDeferredCredential, tok, map[string]string{"transaction_id": cr.TransactionID}).
			wantError(t, http.StatusBadRequest, "invalid_transaction_id")
	})
}
