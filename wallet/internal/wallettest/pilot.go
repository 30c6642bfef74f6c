package wallettest

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/wallet"
)

// Pilot is a pilot PKI made for one test binary in a temporary directory, with the fixed
// time the wallet and its counterparts are judged at.
type Pilot struct {
	// PKI is the pilot PKI, made for the issuer URL https://localhost/issuer.
	PKI *pki.PKI
	// Now is the fixed wallet and counterpart time. The PKI and the TLS certificates are made
	// a minute before it, since crypto/tls judges them at the real time.
	Now time.Time

	dir string
}

// NewPilot makes a Pilot in a new temporary directory, which Close removes.
func NewPilot() (*Pilot, error) {
	dir, err := os.MkdirTemp("", "wallet-pki-")
	if err != nil {
		return nil, err
	}
	start := time.Now().UTC().Truncate(time.Second)
	if _, err := pki.Init(dir+"/pki", pki.DefaultConfig("https://localhost/issuer"), start); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	p, err := pki.Load(dir + "/pki")
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return &Pilot{PKI: p, Now: start.Add(time.Minute), dir: dir}, nil
}

// Close removes the pilot's directory.
func (p *Pilot) Close() error { return os.RemoveAll(p.dir) }

// Main is a test binary's TestMain: it makes a Pilot, hands it to use, runs the tests,
// removes the pilot and exits with the tests' code. It panics when the pilot cannot be made.
func Main(m *testing.M, use func(*Pilot)) {
	p, err := NewPilot()
	if err != nil {
		panic(err)
	}
	use(p)
	code := m.Run()
	_ = p.Close()
	os.Exit(code)
}

// Entity returns the pilot's entity of role and id, failing t when there is none.
func (p *Pilot) Entity(t testing.TB, role pki.Role, id string) *pki.Entity {
	t.Helper()
	return Entity(t, p.PKI, role, id)
}

// Entity returns the entity of role and id in the PKI p, failing t when there is none.
func Entity(t testing.TB, p *pki.PKI, role pki.Role, id string) *pki.Entity {
	t.Helper()
	e, err := p.Entity(role, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// NamingSeal is the sakuragaoka seal, with its key, re-issued by its seal CA to name the
// fake issuer's identifier id (known only once the server listens), a new certificate each call: a wallet refuses a
// credential whose certificate does not name the issuer it came from.
func (p *Pilot) NamingSeal(t testing.TB, id string) (crypto.Signer, []*x509.Certificate) {
	t.Helper()
	seal, ca := p.Entity(t, pki.RoleSeal, "sakuragaoka"), p.Entity(t, pki.RoleSealCA, "jp")
	u, err := url.Parse(id)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := *seal.Certificate
	tmpl.URIs, tmpl.SerialNumber = []*url.URL{u}, big.NewInt(time.Now().UnixNano())
	der, err := x509.CreateCertificate(rand.Reader, &tmpl, ca.Certificate, seal.Certificate.PublicKey, ca.Signer())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return seal.Signer(), []*x509.Certificate{cert}
}

// Counterparts are a FakeIssuer and a FakeVerifier served by one TLS server on loopback,
// with an HTTP client for the wallet that reaches them.
type Counterparts struct {
	// Server is the TLS server, closed when the test ends.
	Server *httptest.Server
	// Base is the issuer side's origin, https://localhost:PORT.
	Base string
	// VBase is the verifier side's origin, https://jp-desk.localhost:PORT.
	VBase string
	// Client trusts the pilot's TLS CA and resolves every loopback name to 127.0.0.1.
	Client *safehttp.Client
	// Issuer is the fake issuer, whose identifier is Base + "/sakuragaoka".
	Issuer *FakeIssuer
	// Verifier is the fake verifier, at VBase.
	Verifier *FakeVerifier
}

// NewCounterparts starts Counterparts whose TLS certificate is the pilot's "localhost" one.
func NewCounterparts(t testing.TB, p *Pilot) *Counterparts {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{p.Entity(t, pki.RoleTLS, "localhost").TLSCertificate()}, MinVersion: tls.VersionTLS12}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	c := &Counterparts{Server: srv, Base: "https://localhost:" + port, VBase: "https://jp-desk.localhost:" + port}
	roots := x509.NewCertPool()
	roots.AddCert(p.Entity(t, pki.RoleTLSCA, pki.TLSCAID).Certificate)
	var err error
	c.Client, err = safehttp.New(safehttp.WithLoopbackInsecure(), safehttp.WithRootCAs(roots), safehttp.WithResolver(LoopbackResolver))
	if err != nil {
		t.Fatal(err)
	}
	c.Issuer = NewFakeIssuer(t, p, c.Base)
	c.Issuer.Register(mux)
	c.Verifier = NewFakeVerifier(t, p, c.VBase)
	c.Verifier.Register(mux)
	return c
}

// LoopbackResolver is a safehttp resolver for tests: it resolves loopback names to
// 127.0.0.1 and refuses every other host.
func LoopbackResolver(_ context.Context, host string) ([]netip.Addr, error) {
	if safehttp.IsLoopbackHost(host) {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, fmt.Errorf("unknown host %s", host)
}

// WRPACService is the service type of the providers of wallet-relying party access
// certificates, the one a wallet's verifier trust policy asks for.
const WRPACService = "http://uri.etsi.org/TrstSvc/Svctype/WRPAC/Issuance"

// FakeTrust stands in for trust lists: chains verifying to one of its anchors are listed,
// as a service of Provider in the list Label.
type FakeTrust struct {
	// Anchors are the certificates the listed chains verify to; with none, nothing is listed.
	Anchors []*x509.Certificate
	// Label is the list's label.
	Label string
	// Provider is the trust service provider's English name.
	Provider string
}

// Lookup implements the wallet's trust list lookup: a chain verifying to one of the
// anchors at now is trusted at issuance and now, with the policy's first service type.
func (f FakeTrust) Lookup(chain []*x509.Certificate, _, now time.Time, p trustlist.Policy) trustlist.Result {
	pool := x509.NewCertPool()
	for _, a := range f.Anchors {
		pool.AddCert(a)
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	if _, err := chain[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		return trustlist.Result{Reason: trustlist.ReasonNoAnchor, Detail: err.Error()}
	}
	return trustlist.Result{TrustedAtIssuance: true, TrustedNow: true, ListLabel: f.Label, Territory: "JP",
		ProviderNames: []trustlist.LangString{{Lang: "en", Value: f.Provider}, {Lang: "ja", Value: f.Provider + "（日本）"}},
		ServiceType:   p.ServiceTypes[0].URI, Path: f.Label + " → " + f.Provider}
}

// TrustOptions are the wallet options of the tests' trust lists: the "JP pilot list" of
// "Sakura Trust" lists the issuers whose seal chains to one of issuerAnchors (as EAA
// providers) and the verifiers whose access certificate chains to one of verifierAnchors
// (as WRPAC providers).
func TrustOptions(issuerAnchors, verifierAnchors []*x509.Certificate) []wallet.Option {
	return []wallet.Option{
		wallet.WithIssuerTrust(FakeTrust{Anchors: issuerAnchors, Label: "JP pilot list", Provider: "Sakura Trust"},
			trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: trustlist.ServiceTypeEAAQ}}}),
		wallet.WithVerifierTrust(FakeTrust{Anchors: verifierAnchors, Label: "JP pilot list", Provider: "Sakura Trust"},
			trustlist.Policy{ServiceTypes: []trustlist.ServiceTypeRule{{URI: WRPACService}}}),
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// MustJSON returns v as JSON, panicking when it cannot be encoded.
func MustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
