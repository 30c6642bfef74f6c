package verifier_test

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"github.com/hashi-vc/hashi/verifier"
)

// FuzzHandleResponse posts arbitrary form bodies to the response endpoint of a desk with
// pending requests of both modes. Properties: no panic; every error is a *verifier.Error
// whose HTTP status is 400 or 404 (bad input never becomes a 500).
func FuzzHandleResponse(f *testing.F) {
	p := getPilot()
	d := newDesk(f, sqliteDB(f), "", nil)
	w := newTestWallet(p.issue(p.euDiploma()))
	for _, mode := range []string{verifier.ResponseModeDirectPost, verifier.ResponseModeDirectPostJWT} {
		_, r := d.create(f, w, verifier.RequestInput{Profile: verifier.ProfileDiploma, ResponseMode: mode})
		f.Add(w.form(r, w.present(r, "", "")).Encode())
		f.Add(url.Values{"error": {"access_denied"}, "state": {r.State}}.Encode())
	}
	f.Add("vp_token=%7B%7D&state=x")
	f.Add("response=a.b.c.d.e")
	f.Add("state=a&state=b")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		_, err = d.flow.HandleResponse(context.Background(), form)
		if err == nil {
			return
		}
		e, ok := errors.AsType[*verifier.Error](err)
		if !ok {
			t.Fatalf("error %T %v is not a *verifier.Error", err, err)
		}
		if s := e.HTTPStatus(); s != 400 && s != 404 {
			t.Fatalf("bad input answered %d: %v", s, err)
		}
	})
}

// FuzzRequestObject POSTs arbitrary wallet_metadata and wallet_nonce to a request_uri.
// Properties: no panic; the answer is a request object or CodeInvalidRequest.
func FuzzRequestObject(f *testing.F) {
	d := newDesk(f, sqliteDB(f), "", nil)
	c := must1(d.flow.CreateRequest(context.Background(), verifier.RequestInput{Profile: verifier.ProfileDiploma}))
	f.Add(`{"client_id_prefixes_supported":["x509_hash"]}`, "n1")
	f.Add(`{"authorization_encryption_enc_values_supported":["A256GCM"]}`, "")
	f.Add(`[]`, "\x00")
	f.Fuzz(func(t *testing.T, meta, nonce string) {
		obj, err := d.flow.RequestObject(context.Background(), c.ID, "POST", meta, nonce)
		switch {
		case err == nil && obj == "":
			t.Fatal("no object and no error")
		case err != nil && verifier.CodeOf(err) != verifier.CodeInvalidRequest:
			t.Fatalf("error %v", err)
		}
	})
}
