package wallet_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/wallet"
)

func TestDetailsAndLifecycle(t *testing.T) {
	e := newEnv(t)
	cred := receive(t, e, "diploma")
	d, err := e.wallet.Details(t.Context(), owner, cred.ID)
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]wallet.Names{}
	for _, c := range d.Claims {
		labels[c.PathJSON] = c.Label
	}
	if !d.Valid || labels[`["given_name"]`]["en"] == "" || labels[`["degree","type"]`]["ja"] == "" {
		t.Fatalf("details = %+v", d)
	}
	if _, ok := labels[`["cnf","jwk","x"]`]; ok {
		t.Error("cnf shown as a claim")
	}

	// A year and a day later the credential has expired: the card still shows it, and no
	// request can match it.
	later := testNow.Add(366 * 24 * time.Hour)
	lw, err := wallet.New(e.store, e.client, func() time.Time { return later }, wallet.WithVerifierRoots(rootsOf(t)))
	if err != nil {
		t.Fatal(err)
	}
	d, err = lw.Details(t.Context(), owner, cred.ID)
	if err != nil || d.Valid || d.Problem != "expired" || len(d.Claims) == 0 {
		t.Fatalf("expired details = %+v, %v", d, err)
	}

	e.ver.ResponseMode = wallet.ResponseModeDirectPost
	req, err := e.wallet.ParseRequest(t.Context(), e.ver.Link(""))
	if err != nil {
		t.Fatal(err)
	}
	if c, err := lw.Match(t.Context(), owner, req); err != nil || c.Satisfiable {
		t.Fatalf("expired credential matched: %+v, %v", c, err)
	}

	if _, err := e.wallet.Details(t.Context(), "other", cred.ID); wallet.CodeOf(err) != wallet.CodeNotFound {
		t.Fatalf("other owner: %v", err)
	}
	if err := e.wallet.DeleteCredential(t.Context(), owner, cred.ID); err != nil {
		t.Fatal(err)
	}
	if err := e.wallet.DeleteCredential(t.Context(), owner, cred.ID); wallet.CodeOf(err) != wallet.CodeNotFound {
		t.Fatalf("second delete: %v", err)
	}
	if cs, _ := e.wallet.Credentials(t.Context(), owner); len(cs) != 0 {
		t.Fatalf("left: %d", len(cs))
	}
}

func TestVerifierRootsOnly(t *testing.T) {
	e := newEnv(t)
	w := e.newWallet(wallet.WithVerifierRoots(rootsOf(t)))
	req, err := w.ParseRequest(t.Context(), e.ver.Link(""))
	if err != nil {
		t.Fatal(err)
	}
	tr := req.Verifier.Trust
	if tr.Trusted || !tr.RootsOnly || tr.Checked || !strings.HasPrefix(tr.Message("en"), "Warning: not on any trust list") {
		t.Fatalf("trust = %+v", tr)
	}
}
