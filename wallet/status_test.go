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
		if st, err := e.wallet.Status(t.Context(), owner, cred.ID); err != nil || st.State != wallet.StatusValid || st.CheckedAt.IsZero() {
			t.Fatalf("Status = %+v, %v", st, err)
		}
		e.iss.Mu.Lock()
		e.iss.StatusValue = statuslist.Invalid
		e.iss.Mu.Unlock()
		// Within the token's ttl (60 s) the wallet's clock has not moved: the cached token.
		if st, _ := e.wallet.Status(t.Context(), owner, cred.ID); st.State != wallet.StatusValid {
			t.Fatalf("within the ttl: %+v", st)
		}
		later := e.newWalletAt(testNow.Add(2 * time.Minute))
		if st, err := later.Status(t.Context(), owner, cred.ID); err != nil || st.State != wallet.StatusRevoked {
			t.Fatalf("after revocation: %+v, %v", st, err)
		}
		e.iss.Mu.Lock()
		e.iss.StatusValue = statuslist.Suspended
		e.iss.Mu.Unlock()
		if st, _ := e.newWalletAt(testNow.Add(2*time.Minute)).Status(t.Context(), owner, cred.ID); st.State != wallet.StatusSuspended {
			t.Fatalf("suspended: %+v", st)
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
	w, err := wallet.New(e.store, e.client, func() time.Time { return at }, wallet.WithVerifierRoots(rootsOf(e.t)))
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}
