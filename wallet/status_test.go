package wallet_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/wallet"
)

// TestStatus: the wallet reads a credential's entry in its issuer's status list (fetched,
// verified against the credential's own certificate, cached for the token's ttl), and says
// "unknown" with the reason when the list cannot be trusted.
func TestStatus(t *testing.T) {
	t.Run("none without a status list", func(t *testing.T) {
		e := newEnv(t)
		cred := receive(t, e, "diploma")
		if st, err := e.wallet.Status(t.Context(), owner, cred.ID); err != nil || st.State != wallet.StatusNone {
			t.Fatalf("Status = %+v, %v", st, err)
		}
	})
	t.Run("valid, then revoked once the cached token is stale", func(t *testing.T) {
		e := newEnv(t)
		e.iss.WithStatus = true
		cred := receive(t, e, "diploma")
		now := testNow
		w := e.newWalletClock(func() time.Time { return now })
		if st, err := w.Status(t.Context(), owner, cred.ID); err != nil || st.State != wallet.StatusValid || st.CheckedAt.IsZero() {
			t.Fatalf("Status = %+v, %v", st, err)
		}
		// StatusOf reads it with the certificate Details verified; without one it cannot.
		d, err := w.Details(t.Context(), owner, cred.ID)
		if err != nil || d.IssuerCertificate == nil {
			t.Fatalf("Details = %+v, %v", d, err)
		}
		if st, err := w.StatusOf(t.Context(), d); err != nil || st.State != wallet.StatusValid {
			t.Fatalf("StatusOf = %+v, %v", st, err)
		}
		d.IssuerCertificate = nil
		if st, err := w.StatusOf(t.Context(), d); err != nil || st.State != wallet.StatusUnknown || st.Problem != string(wallet.CodeInvalidCredential) {
			t.Fatalf("StatusOf without a certificate = %+v, %v", st, err)
		}
		e.setStatus(statuslist.Invalid)
		// Within the token's ttl (60 s): the cached token.
		now = testNow.Add(30 * time.Second)
		if st, _ := w.Status(t.Context(), owner, cred.ID); st.State != wallet.StatusValid {
			t.Fatalf("within the ttl: %+v", st)
		}
		now = testNow.Add(2 * time.Minute)
		if st, err := w.Status(t.Context(), owner, cred.ID); err != nil || st.State != wallet.StatusRevoked {
			t.Fatalf("after revocation: %+v, %v", st, err)
		}
		e.setStatus(statuslist.Suspended)
		if st, _ := e.newWalletAt(testNow.Add(2*time.Minute)).Status(t.Context(), owner, cred.ID); st.State != wallet.StatusSuspended {
			t.Fatalf("suspended: %+v", st)
		}
	})
	t.Run("answers are kept per certificate, not per list", func(t *testing.T) {
		e := newEnv(t)
		e.iss.WithStatus = true
		first := receive(t, e, "diploma")
		if st, _ := e.wallet.Status(t.Context(), owner, first.ID); st.State != wallet.StatusValid {
			t.Fatalf("first credential: %+v", st)
		}
		// The issuer's seal is re-issued; its next credential names the same list, which now
		// says revoked (and is signed with the new certificate as x5c).
		signer, chain := testPilot.NamingSeal(t, e.iss.ID)
		e.iss.Mu.Lock()
		e.iss.Signer, e.iss.Chain = signer, chain
		e.iss.Mu.Unlock()
		e.setStatus(statuslist.Invalid)
		second := receive(t, e, "diploma")
		if st, _ := e.wallet.Status(t.Context(), owner, second.ID); st.State != wallet.StatusRevoked {
			t.Fatalf("second credential, same list, other certificate: %+v (the first one's cached answer?)", st)
		}
	})
	t.Run("a failure is remembered for a minute", func(t *testing.T) {
		e := newEnv(t)
		e.iss.WithStatus = true
		other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		e.iss.StatusSigner = other // before the server is reached
		cred := receive(t, e, "diploma")
		now := testNow
		w := e.newWalletClock(func() time.Time { return now })
		if st, _ := w.Status(t.Context(), owner, cred.ID); st.State != wallet.StatusUnknown || st.Problem == "" {
			t.Fatalf("bad list: %+v", st)
		}
		e.iss.Mu.Lock()
		e.iss.StatusSigner = nil
		e.iss.Mu.Unlock()
		now = testNow.Add(30 * time.Second)
		if st, _ := w.Status(t.Context(), owner, cred.ID); st.State != wallet.StatusUnknown {
			t.Fatalf("within a minute of the failure: %+v", st)
		}
		now = testNow.Add(wallet.StatusFailureCacheFor + time.Second)
		if st, _ := w.Status(t.Context(), owner, cred.ID); st.State != wallet.StatusValid {
			t.Fatalf("after a minute: %+v", st)
		}
	})
	t.Run("unknown when the list is signed by another key", func(t *testing.T) {
		e := newEnv(t)
		e.iss.WithStatus = true
		other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		e.iss.StatusSigner = other
		cred := receive(t, e, "diploma")
		if st, err := e.wallet.Status(t.Context(), owner, cred.ID); err != nil || st.State != wallet.StatusUnknown || st.Problem == "" {
			t.Fatalf("Status = %+v, %v", st, err)
		}
	})
	t.Run("unknown credential", func(t *testing.T) {
		e := newEnv(t)
		if _, err := e.wallet.Status(t.Context(), owner, "nope"); wallet.CodeOf(err) != wallet.CodeNotFound {
			t.Fatalf("Status of an unknown credential: %v", err)
		}
	})
}

// newWalletAt is another wallet on e's store and counterparts whose clock reads at.
func (e *env) newWalletAt(at time.Time) *wallet.Wallet {
	return e.newWalletClock(func() time.Time { return at })
}

// newWalletClock is another wallet on e's store and counterparts with clock now.
func (e *env) newWalletClock(now func() time.Time) *wallet.Wallet {
	w, err := wallet.New(e.store, e.client, now, wallet.WithVerifierRoots(rootsOf(e.t)))
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// setStatus makes the fake issuer's status list say v of its credentials.
func (e *env) setStatus(v statuslist.Status) {
	e.iss.Mu.Lock()
	defer e.iss.Mu.Unlock()
	e.iss.StatusValue = v
}
