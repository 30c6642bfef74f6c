package wallet_test

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/internal/wallettest"
)

var (
	// testPilot is the pilot PKI of the test binary, made by TestMain.
	testPilot *wallettest.Pilot
	// testNow is testPilot.Now, the fixed wallet and counterpart time.
	testNow time.Time
)

func TestMain(m *testing.M) {
	wallettest.Main(m, func(p *wallettest.Pilot) { testPilot, testNow = p, p.Now })
}

func entity(t testing.TB, role pki.Role, id string) *pki.Entity {
	t.Helper()
	return testPilot.Entity(t, role, id)
}

type env struct {
	t      testing.TB
	client *safehttp.Client
	store  *memStore
	iss    *wallettest.FakeIssuer
	ver    *wallettest.FakeVerifier
	wallet *wallet.Wallet
}

func newEnv(t testing.TB, opts ...wallet.Option) *env {
	t.Helper()
	cp := wallettest.NewCounterparts(t, testPilot)
	e := &env{t: t, client: cp.Client, store: newMemStore(), iss: cp.Issuer, ver: cp.Verifier}
	base := wallettest.TrustOptions([]*x509.Certificate{entity(t, pki.RoleSealCA, "jp").Certificate},
		[]*x509.Certificate{entity(t, pki.RoleAccessCA, "jp").Certificate})
	e.wallet = e.newWallet(append(base, opts...)...)
	return e
}

func (e *env) newWallet(opts ...wallet.Option) *wallet.Wallet {
	w, err := wallet.New(e.store, e.client, func() time.Time { return testNow }, opts...)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

type (
	trustPolicy = trustlist.Policy
	trustRule   = trustlist.ServiceTypeRule
)

func rootsOf(t testing.TB) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(entity(t, pki.RoleAccessCA, "jp").Certificate)
	return p
}
