package wallet_test

import (
	"encoding/json"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/internal/wallettest"
)

func TestReject(t *testing.T) {
	t.Run("ok/authenticated request with a bad query is told", func(t *testing.T) {
		e := newEnv(t)
		e.ver.Mutate = func(p map[string]any) {
			p["dcql_query"] = map[string]any{"credentials": []any{map[string]any{"id": "bad id!"}}}
		}
		_, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
		if wallet.CodeOf(err) != wallet.CodeInvalidRequest {
			t.Fatalf("err = %v", err)
		}
		res, err := e.wallet.Reject(t.Context(), owner, err)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]string
		if len(e.ver.Decrypted) != 1 || json.Unmarshal(e.ver.Decrypted[0], &got) != nil ||
			len(got) != 2 || got["error"] != "invalid_request" || got["state"] != "state-1" {
			t.Fatalf("posted %v / %s", e.ver.Posts, e.ver.Decrypted)
		}
		if res.Record.Outcome != wallet.OutcomeError || res.Record.Error != "invalid_request" {
			t.Fatalf("record = %+v", res.Record)
		}
	})
	t.Run("ok/transaction_data is refused with invalid_transaction_data", func(t *testing.T) {
		e := newEnv(t)
		e.ver.ResponseMode = wallet.ResponseModeDirectPost
		e.ver.Mutate = func(p map[string]any) { p["transaction_data"] = []string{"e30"} }
		_, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
		if _, err := e.wallet.Reject(t.Context(), owner, err); err != nil {
			t.Fatal(err)
		}
		if f := e.ver.Posts[0]; len(f) != 2 || f.Get("error") != "invalid_transaction_data" || f.Get("state") != "state-1" {
			t.Fatalf("posted %v", f)
		}
	})
	for name, setup := range map[string]func(e *env){
		"fail/tampered request is never answered":  func(e *env) { e.ver.Tamper = true },
		"fail/mismatched client is never answered": func(e *env) { e.ver.ClientID = "x509_san_dns:eu-desk.localhost" },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			setup(e)
			_, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
			if err == nil {
				t.Fatal("accepted")
			}
			if _, rerr := e.wallet.Reject(t.Context(), owner, err); wallet.CodeOf(rerr) != wallet.CodeInvalidRequest {
				t.Fatalf("Reject = %v", rerr)
			}
			if len(e.ver.Posts) != 0 {
				t.Fatal("answered an unauthenticated request")
			}
		})
	}
}

// TestJSONRoundTrip checks that Offer and Request survive JSON, as the hosted wallet keeps
// them between pages.
func TestJSONRoundTrip(t *testing.T) {
	e := newEnv(t)
	e.iss.TxCode = "1234"
	o, err := e.wallet.ParseOffer(t.Context(), e.iss.OfferLink())
	if err != nil {
		t.Fatal(err)
	}
	var o2 wallet.Offer
	if err := json.Unmarshal([]byte(wallettest.MustJSON(o)), &o2); err != nil {
		t.Fatal(err)
	}
	if o2.TxCode() == nil || o2.TxCode().Length != 4 || o2.Credentials[0].Display.Name["en"] != "Diploma" {
		t.Fatalf("offer = %+v", o2)
	}
	r, err := e.wallet.Receive(t.Context(), owner, &o2, "1234")
	if err != nil || len(r.Credentials) != 1 {
		t.Fatalf("receive = %+v, %v", r, err)
	}
	req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
	if err != nil {
		t.Fatal(err)
	}
	var req2 wallet.Request
	if err := json.Unmarshal([]byte(wallettest.MustJSON(req)), &req2); err != nil {
		t.Fatal(err)
	}
	if _, err := e.wallet.Present(t.Context(), owner, &req2, wallet.Choice{"diploma": {r.Credentials[0].ID}}); err != nil {
		t.Fatal(err)
	}
	verifyPresentation(t, receivedVPToken(t, e)["diploma"][0], req.ClientID)
}

func TestPresentQueries(t *testing.T) {
	sd := func(id string, claims ...[]any) map[string]any {
		q := map[string]any{"id": id, "format": "dc+sd-jwt", "meta": map[string]any{"vct_values": []string{academic.VCTHashiDiploma}}}
		if len(claims) > 0 {
			var cs []any
			for _, c := range claims {
				cs = append(cs, map[string]any{"path": c})
			}
			q["claims"] = cs
		}
		return q
	}
	jwtQ := map[string]any{"id": "jwt", "format": "jwt_vc_json", "meta": map[string]any{"type_values": []any{[]any{"UniversityDegreeCredential"}}}}
	tests := []struct {
		name          string
		query         map[string]any
		choose        func(sdID, jwtID string) wallet.Choice
		wantOptional  map[string]bool
		wantDisclosed int
		wantIDs       []string
	}{
		{name: "ok/no claims requested discloses nothing selective", query: map[string]any{"credentials": []any{sd("d")}},
			choose: func(sdID, _ string) wallet.Choice { return wallet.Choice{"d": {sdID}} }, wantIDs: []string{"d"}},
		{name: "ok/credential set alternative", wantIDs: []string{"jwt"},
			query: map[string]any{"credentials": []any{sd("d", []any{"given_name"}), jwtQ},
				"credential_sets": []any{map[string]any{"options": []any{[]any{"d"}, []any{"jwt"}}}}},
			choose: func(_, jwtID string) wallet.Choice { return wallet.Choice{"jwt": {jwtID}} }},
		// trusted_authorities of a type the wallet cannot evaluate do not filter (§6.1.1: the
		// wallet SHOULD filter; the verifier decides trust).
		{name: "ok/etsi_tl authority not evaluated by the wallet", wantIDs: []string{"d"},
			query: map[string]any{"credentials": []any{func() map[string]any {
				q := sd("d")
				q["trusted_authorities"] = []any{map[string]any{"type": "etsi_tl", "values": []string{"https://example.eu/lotl.xml"}}}
				return q
			}()}},
			choose: func(sdID, _ string) wallet.Choice { return wallet.Choice{"d": {sdID}} }},
		{name: "ok/optional set left out", wantIDs: []string{"d"}, wantDisclosed: 1, wantOptional: map[string]bool{"jwt": true},
			query: map[string]any{"credentials": []any{sd("d", []any{"birthdate"}), jwtQ},
				"credential_sets": []any{map[string]any{"options": []any{[]any{"d"}}}, map[string]any{"options": []any{[]any{"jwt"}}, "required": false}}},
			choose: func(sdID, _ string) wallet.Choice { return wallet.Choice{"d": {sdID}} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			sdCred, jwtCred := receive(t, e, "diploma"), receive(t, e, "diploma_jwt")
			e.ver.Query, e.ver.ResponseMode = tt.query, wallet.ResponseModeDirectPost
			req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
			if err != nil {
				t.Fatal(err)
			}
			c, err := e.wallet.Match(t.Context(), owner, req)
			if err != nil || !c.Satisfiable {
				t.Fatalf("consent = %+v, %v", c, err)
			}
			for _, q := range c.Queries {
				if q.Optional != tt.wantOptional[q.ID] {
					t.Errorf("query %s optional = %v", q.ID, q.Optional)
				}
			}
			if _, err := e.wallet.Present(t.Context(), owner, req, tt.choose(sdCred.ID, jwtCred.ID)); err != nil {
				t.Fatal(err)
			}
			vp := receivedVPToken(t, e)
			if len(vp) != len(tt.wantIDs) {
				t.Fatalf("vp_token = %v", vp)
			}
			if pres, ok := vp["d"]; ok {
				if vc := verifyPresentation(t, pres[0], req.ClientID); len(vc.Disclosures) != tt.wantDisclosed {
					t.Fatalf("disclosures = %+v", vc.Disclosures)
				}
			}
		})
	}
}
