package wallet_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"errors"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/internal/wallettest"
)

const owner = "local"

func TestReceive(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(e *env)
		opts     []wallet.Option
		link     func(e *env) string
		txCode   string
		wantCode wallet.Code
		wantN    int
		// wantEvent is the notification event the issuer must have received ("" for none).
		wantEvent string
		check     func(t *testing.T, e *env, r *wallet.Receipt)
	}{
		{name: "ok/by reference with tx_code and DPoP nonce retry", txCode: "493536", wantN: 1,
			setup: func(e *env) { e.iss.TxCode, e.iss.RequireDPoPNonce = "493536", true },
			check: func(t *testing.T, e *env, r *wallet.Receipt) {
				if e.iss.TokenCalls != 2 {
					t.Errorf("token calls = %d, want 2 (use_dpop_nonce retry)", e.iss.TokenCalls)
				}
				c := r.Credentials[0]
				if c.Format != wallet.FormatSDJWTVC || c.Issuer != e.iss.ID || c.ConfigurationID != "diploma" || c.VCT == "" {
					t.Errorf("credential = %+v", c)
				}
				if c.Display.Name["ja"] != "学位証明書" || c.Display.IssuerName["ja"] != "桜ヶ丘大学" {
					t.Errorf("display = %+v", c.Display)
				}
				if !c.Trust.Trusted || c.Trust.ListLabel != "JP pilot list" || !strings.Contains(c.Trust.Message("en"), "Listed by JP pilot list as Sakura Trust") {
					t.Errorf("trust = %+v %q", c.Trust, c.Trust.Message("en"))
				}
				assertBound(t, c, e.iss.IssuedKeys[0])
				if len(e.iss.Notifications) != 1 || e.iss.Notifications[0]["event"] != "credential_accepted" || e.iss.Notifications[0]["notification_id"] != "notif-1" {
					t.Errorf("notifications = %v", e.iss.Notifications)
				}
			}},
		{name: "ok/by value", wantN: 1, wantEvent: "credential_accepted", link: func(e *env) string {
			return "openid-credential-offer://?credential_offer=" + url.QueryEscape(wallettest.MustJSON(e.iss.Offer()))
		}},
		{name: "ok/batch with one key per credential", wantN: 3, opts: []wallet.Option{wallet.WithBatchSize(3)},
			setup: func(e *env) { e.iss.BatchSize = 5 },
			check: func(t *testing.T, e *env, r *wallet.Receipt) {
				seen := map[string]bool{}
				for i, c := range r.Credentials {
					if c.BatchID == "" || c.BatchID != r.Credentials[0].BatchID {
						t.Errorf("batch ids differ: %+v", c)
					}
					assertBound(t, c, e.iss.IssuedKeys[i])
					seen[string(c.HolderKey)] = true
				}
				if len(seen) != 3 {
					t.Errorf("%d distinct holder keys, want 3", len(seen))
				}
			}},
		{name: "ok/jwt_vc_json", wantN: 1, setup: func(e *env) { e.iss.ConfigID = "diploma_jwt" },
			check: func(t *testing.T, _ *env, r *wallet.Receipt) {
				if c := r.Credentials[0]; c.Format != wallet.FormatJWTVCJSON || len(c.Types) != 2 {
					t.Errorf("credential = %+v", c)
				}
			}},
		{name: "ok/issuer not listed is stored with a warning", wantN: 1,
			opts: []wallet.Option{wallet.WithIssuerTrust(wallettest.FakeTrust{Label: "JP pilot list"}, trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeEAAQ}}})},
			check: func(t *testing.T, _ *env, r *wallet.Receipt) {
				tr := r.Credentials[0].Trust
				if tr.Trusted || !tr.Checked || tr.Reason != string(trustlist.ReasonNoAnchor) ||
					!strings.HasPrefix(tr.Message("en"), "Warning: not listed") || !strings.HasPrefix(tr.Message("ja"), "警告") {
					t.Errorf("trust = %+v", tr)
				}
			}},
		{name: "fail/tx_code missing", setup: func(e *env) { e.iss.TxCode = "493536" }, wantCode: wallet.CodeTxCodeRequired},
		{name: "fail/tx_code of the wrong form", txCode: "12ab56", setup: func(e *env) { e.iss.TxCode = "493536" }, wantCode: wallet.CodeInvalidTxCode},
		{name: "fail/wrong tx_code", txCode: "000000", setup: func(e *env) { e.iss.TxCode = "493536" }, wantCode: wallet.CodeTokenRejected},
		{name: "fail/credential bound to another key", setup: func(e *env) { e.iss.WrongKey = true }, wantCode: wallet.CodeInvalidCredential, wantEvent: "credential_failure"},
		{name: "ok/authorization server chosen by its grant types", wantN: 1, setup: func(e *env) { e.iss.CodeOnlyAS = true }},
		// A certificate from the listed CA, but naming another issuer: refused, whatever the
		// metadata says the issuer is called.
		{name: "fail/certificate names another issuer", setup: func(e *env) {
			seal := entity(t, pki.RoleSeal, "sakuragaoka")
			e.iss.Signer, e.iss.Chain = seal.Signer(), seal.Chain
		}, wantCode: wallet.CodeInvalidCredential, wantEvent: "credential_failure"},
		{name: "fail/batch with one credential bound to another key", opts: []wallet.Option{wallet.WithBatchSize(2)},
			setup: func(e *env) { e.iss.BatchSize, e.iss.WrongKey = 2, true }, wantCode: wallet.CodeInvalidCredential},
		{name: "fail/tampered credential", setup: func(e *env) { e.iss.Tamper = true }, wantCode: wallet.CodeInvalidCredential},
		{name: "fail/metadata names another issuer", setup: func(e *env) { e.iss.MetadataIssuer = e.iss.ID + "/" }, wantCode: wallet.CodeInvalidIssuerMetadata},
		{name: "fail/unsupported format", setup: func(e *env) { e.iss.ConfigID = "mdl" }, wantCode: wallet.CodeUnsupportedOffer},
		{name: "fail/offer uri redirects", setup: func(e *env) { e.iss.OfferRedirect = true }, wantCode: wallet.CodeUnreachable},
		{name: "fail/offer uri on a private address", wantCode: wallet.CodeBlockedURL,
			link: func(*env) string {
				return "openid-credential-offer://?credential_offer_uri=https%3A%2F%2F10.0.0.7%2Foffer"
			}},
		{name: "fail/offer uri plain http to a public host", wantCode: wallet.CodeBlockedURL,
			link: func(*env) string {
				return "openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fissuer.example%2Foffer"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts...)
			if tt.setup != nil {
				tt.setup(e)
			}
			link := e.iss.OfferLink()
			if tt.link != nil {
				link = tt.link(e)
			}
			r, err := func() (*wallet.Receipt, error) {
				o, err := e.wallet.ParseOffer(t.Context(), link)
				if err != nil {
					return nil, err
				}
				if (o.TxCode() != nil) != (e.iss.TxCode != "") {
					t.Errorf("TxCode() = %+v", o.TxCode())
				}
				return e.wallet.Receive(t.Context(), owner, o, tt.txCode)
			}()
			stored, _ := e.store.Credentials(t.Context(), owner)
			if tt.wantEvent != "" && (len(e.iss.Notifications) != 1 || e.iss.Notifications[0]["event"] != tt.wantEvent) {
				t.Errorf("notifications = %v, want %s", e.iss.Notifications, tt.wantEvent)
			}
			if tt.wantCode != "" {
				if got := wallet.CodeOf(err); got != tt.wantCode {
					t.Fatalf("code = %q (%v), want %q", got, err, tt.wantCode)
				}
				if len(stored) != 0 {
					t.Fatalf("%d credentials stored after a failure", len(stored))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Credentials) != tt.wantN || len(stored) != tt.wantN {
				t.Fatalf("received %d, stored %d, want %d", len(r.Credentials), len(stored), tt.wantN)
			}
			if tt.check != nil {
				tt.check(t, e, r)
			}
		})
	}
}

func TestReceiveErrorsCarrySafehttpCodes(t *testing.T) {
	e := newEnv(t)
	e.iss.OfferRedirect = true
	_, err := e.wallet.ParseOffer(t.Context(), e.iss.OfferLink())
	if !errors.Is(err, wallet.ErrUnreachable) || safehttp.CodeOf(err) != safehttp.CodeRedirectRefused {
		t.Fatalf("err = %v", err)
	}
	if m := wallet.Message(wallet.CodeOf(err), "ja"); !strings.Contains(m, "接続") {
		t.Errorf("ja message = %q", m)
	}
}

func TestDeferred(t *testing.T) {
	e := newEnv(t)
	e.iss.Deferred = true
	o, err := e.wallet.ParseOffer(t.Context(), e.iss.OfferLink())
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.wallet.Receive(t.Context(), owner, o, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Credentials) != 0 || len(r.Pending) != 1 {
		t.Fatalf("receipt = %+v", r)
	}
	p := r.Pending[0]
	if p.TransactionID != "tx-1" || p.Interval.Seconds() != 5 || !p.NextPollAt.Equal(testNow.Add(p.Interval)) || len(p.HolderKeys) != 1 {
		t.Fatalf("pending = %+v", p)
	}
	if got := p.AccessToken.String(); got != "[redacted]" {
		t.Errorf("secret prints as %q", got)
	}

	r, err = e.wallet.PollDeferred(t.Context(), owner, p.ID)
	if err != nil || len(r.Pending) != 1 || r.Pending[0].Interval.Seconds() != 60 || len(r.Credentials) != 0 {
		t.Fatalf("poll before ready = %+v, %v", r, err)
	}

	if _, err := e.wallet.PollDeferred(t.Context(), "someone-else", p.ID); wallet.CodeOf(err) != wallet.CodeNotFound {
		t.Fatalf("poll by another owner: %v", err)
	}

	e.iss.Ready = true
	r, err = e.wallet.PollDeferred(t.Context(), owner, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Credentials) != 1 {
		t.Fatalf("receipt = %+v", r)
	}
	assertBound(t, r.Credentials[0], e.iss.IssuedKeys[0])
	if ps, _ := e.store.PendingIssuances(t.Context(), owner); len(ps) != 0 {
		t.Errorf("pending left: %d", len(ps))
	}
	if _, err := e.wallet.PollDeferred(t.Context(), owner, p.ID); wallet.CodeOf(err) != wallet.CodeNotFound {
		t.Fatalf("second poll: %v", err)
	}
	if len(e.iss.Notifications) != 1 {
		t.Errorf("notifications = %v", e.iss.Notifications)
	}
}

// assertBound checks that the stored credential verifies and is bound to the stored holder
// key, which is the key the issuer saw in the proof.
func assertBound(t *testing.T, c wallet.Credential, issuedTo any) {
	t.Helper()
	k, err := jose.ParsePrivateJWK(c.HolderKey)
	if err != nil {
		t.Fatal(err)
	}
	pub := k.(*ecdsa.PrivateKey).Public().(*ecdsa.PublicKey)
	if !pub.Equal(issuedTo) {
		t.Fatalf("stored holder key is not the proof key")
	}
	if c.Format != wallet.FormatSDJWTVC {
		return
	}
	u, err := sdjwt.ParseUnverified(string(c.Raw))
	if err != nil {
		t.Fatal(err)
	}
	vc, err := u.VerifyVC(t.Context(), sdjwt.VCPolicy{Policy: sdjwt.Policy{Algorithms: []jose.Algorithm{jose.ES256}, KeyBinding: sdjwt.KeyBindingForbidden, Now: testNow},
		KeySources: []sdjwt.KeySource{sdjwt.KeySourceX5C}})
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(vc.Confirmation) {
		t.Fatal("cnf is not the stored key")
	}
}

// TestReceiveSurvivesClosedTab: once the offer is redeemed, the student's request going away
// (a closed tab) does not lose what the issuer hands over: it is verified, stored and
// acknowledged all the same.
func TestReceiveSurvivesClosedTab(t *testing.T) {
	e := newEnv(t)
	o, err := e.wallet.ParseOffer(t.Context(), e.iss.OfferLink())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	e.iss.OnCredential = cancel
	r, err := e.wallet.Receive(ctx, owner, o, "")
	if err != nil {
		t.Fatalf("receive after the request's context ended: %v", err)
	}
	stored, _ := e.store.Credentials(t.Context(), owner)
	if len(r.Credentials) != 1 || len(stored) != 1 {
		t.Fatalf("received %d, stored %d; want 1", len(r.Credentials), len(stored))
	}
	if len(e.iss.Notifications) != 1 || e.iss.Notifications[0]["event"] != "credential_accepted" {
		t.Fatalf("notifications %v", e.iss.Notifications)
	}
}

// TestDeferredPollsOneAtATime: a second poll of the same pending issuance (a double click on
// "check again") waits for the first, so it cannot reach the issuer meanwhile, be told the
// transaction is finished and delete the pending issuance whose credentials the first poll
// is about to store.
func TestDeferredPollsOneAtATime(t *testing.T) {
	e := newEnv(t)
	e.iss.Deferred = true
	o, err := e.wallet.ParseOffer(t.Context(), e.iss.OfferLink())
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.wallet.Receive(t.Context(), owner, o, "")
	if err != nil || len(r.Pending) != 1 {
		t.Fatalf("receive: %+v %v", r, err)
	}
	id := r.Pending[0].ID
	e.iss.Ready = true
	var requests atomic.Int32
	second := make(chan error, 1)
	e.iss.OnDeferred = func() {
		if requests.Add(1) != 1 {
			return
		}
		go func() {
			_, err := e.wallet.PollDeferred(t.Context(), owner, id)
			second <- err
		}()
		time.Sleep(300 * time.Millisecond) // time enough for the second poll to reach the issuer, were it let through
	}
	r, err = e.wallet.PollDeferred(t.Context(), owner, id)
	if err != nil || len(r.Credentials) != 1 {
		t.Fatalf("first poll: %+v %v", r, err)
	}
	if err := <-second; wallet.CodeOf(err) != wallet.CodeNotFound {
		t.Fatalf("second poll: %v, want %s (the issuance was received meanwhile)", err, wallet.CodeNotFound)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("the issuer saw %d deferred requests, want 1", n)
	}
	if stored, _ := e.store.Credentials(t.Context(), owner); len(stored) != 1 {
		t.Fatalf("stored %d credentials, want 1", len(stored))
	}
}

// TestReceiveAsksAgainWithTheSameKeys: when the credential request gets no usable answer (a
// server error, a dropped connection), the wallet asks once more with a fresh c_nonce and
// the same holder keys, so an issuer that recorded the credential can hand it over again.
func TestReceiveAsksAgainWithTheSameKeys(t *testing.T) {
	e := newEnv(t)
	e.iss.FailCredentials = 1
	o, err := e.wallet.ParseOffer(t.Context(), e.iss.OfferLink())
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.wallet.Receive(t.Context(), owner, o, "")
	if err != nil || len(r.Credentials) != 1 {
		t.Fatalf("receive: %+v %v", r, err)
	}
	if len(e.iss.FailedKeys) != 1 || len(e.iss.IssuedKeys) != 1 {
		t.Fatalf("keys: failed %d, issued %d", len(e.iss.FailedKeys), len(e.iss.IssuedKeys))
	}
	if k, ok := e.iss.FailedKeys[0].(interface{ Equal(crypto.PublicKey) bool }); !ok || !k.Equal(e.iss.IssuedKeys[0]) {
		t.Fatal("the second request proved another key")
	}
	assertBound(t, r.Credentials[0], e.iss.IssuedKeys[0])

	// Twice without an answer: the student is told, nothing is stored.
	e2 := newEnv(t)
	e2.iss.FailCredentials = 2
	o2, err := e2.wallet.ParseOffer(t.Context(), e2.iss.OfferLink())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e2.wallet.Receive(t.Context(), owner, o2, ""); wallet.CodeOf(err) != wallet.CodeIssuanceFailed {
		t.Fatalf("two failures: %v", err)
	}
	if stored, _ := e2.store.Credentials(t.Context(), owner); len(stored) != 0 {
		t.Fatalf("stored %d after failing", len(stored))
	}
}
