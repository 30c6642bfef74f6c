package wallet

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/trustlist"
)

// Wallet is the holder core. It is safe for concurrent use.
type Wallet struct {
	store  Store
	client *safehttp.Client
	now    func() time.Time
	cfg    config

	polls       keyedMutex // one PollDeferred at a time per pending issuance
	statusCache statusCache
}

type config struct {
	issuerTrust    trustlist.Source
	issuerPolicy   trustlist.Policy
	verifierTrust  trustlist.Source
	verifierPolicy trustlist.Policy
	verifierRoots  *x509.CertPool
	batchSize      int
	walletIssuer   string
}

// Option configures a Wallet.
type Option func(*config) error

// WithIssuerTrust sets the trust lists consulted for the issuers of received credentials
// and the policy (service types such as the seal CA's) they are judged under. Without it,
// every received credential carries a TrustSummary with Checked false.
func WithIssuerTrust(src trustlist.Source, p trustlist.Policy) Option {
	return func(c *config) error {
		if src == nil || len(p.ServiceTypes) == 0 {
			return errors.New("wallet: WithIssuerTrust: need a source and at least one service type")
		}
		c.issuerTrust, c.issuerPolicy = src, p
		return nil
	}
}

// WithVerifierTrust sets the trust lists consulted for verifiers' access certificates and
// the relying-party policy (e.g. the EU–JP proof of concept's WRPAC/Issuance service type).
// A signed request is accepted when its chain is trusted now by these lists or verifies to
// WithVerifierRoots.
func WithVerifierTrust(src trustlist.Source, p trustlist.Policy) Option {
	return func(c *config) error {
		if src == nil || len(p.ServiceTypes) == 0 {
			return errors.New("wallet: WithVerifierTrust: need a source and at least one service type")
		}
		c.verifierTrust, c.verifierPolicy = src, p
		return nil
	}
}

// WithVerifierRoots sets root certificates that verifiers' access certificate chains may
// verify to (crypto/x509) when no trust list names them, e.g. the pilot's access CA.
func WithVerifierRoots(pool *x509.CertPool) Option {
	return func(c *config) error {
		if pool == nil {
			return errors.New("wallet: WithVerifierRoots: nil pool")
		}
		c.verifierRoots = pool
		return nil
	}
}

// WithBatchSize sets how many copies of a credential (each bound to its own fresh key) the
// wallet requests when the issuer supports batch issuance. Default: 1. At most MaxBatchSize.
func WithBatchSize(n int) Option {
	return func(c *config) error {
		if n < 1 || n > MaxBatchSize {
			return fmt.Errorf("wallet: WithBatchSize: %d out of range [1, %d]", n, MaxBatchSize)
		}
		c.batchSize = n
		return nil
	}
}

// WithWalletIssuer sets the wallet's "issuer" value sent in wallet_metadata with
// request_uri_method=post. Default: none.
func WithWalletIssuer(iss string) Option {
	return func(c *config) error { c.walletIssuer = iss; return nil }
}

// New returns a Wallet over st that fetches only through client and reads the time from
// now. All three are required. Without WithVerifierTrust or WithVerifierRoots every signed
// presentation request fails with CodeUntrustedVerifier (fail closed); without
// WithIssuerTrust received credentials are stored with an unchecked TrustSummary.
func New(st Store, client *safehttp.Client, now func() time.Time, opts ...Option) (*Wallet, error) {
	if st == nil || client == nil || now == nil {
		return nil, errors.New("wallet: New: store, client and clock are required")
	}
	cfg := config{batchSize: 1}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return &Wallet{store: st, client: client, now: now, cfg: cfg}, nil
}

// algorithms is the signature allow-list for credentials and request objects.
var algorithms = []jose.Algorithm{jose.ES256, jose.ES384, jose.EdDSA}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (w *Wallet) clock() (time.Time, error) {
	t := w.now()
	if t.IsZero() {
		return t, errorf(CodeInternal, nil, "clock returned the zero time")
	}
	return t, nil
}

// fetchErr maps a safehttp error to a wallet error.
func fetchErr(err error, what string) error {
	switch safehttp.CodeOf(err) {
	case safehttp.CodeInvalidURL, safehttp.CodeBlockedAddress:
		return errorf(CodeBlockedURL, err, "%s", what)
	case "":
		return errorf(CodeInternal, err, "%s", what)
	default:
		return errorf(CodeUnreachable, err, "%s", what)
	}
}

func storeErr(err error, what string) error {
	return errorf(CodeStore, err, "%s", what)
}

func trustSummary(r trustlist.Result, leaf *x509.Certificate) TrustSummary {
	s := TrustSummary{
		Checked: true, Trusted: r.TrustedNow, TrustedAtIssuance: r.TrustedAtIssuance, Reason: string(r.Reason),
		ListLabel: r.ListLabel, Territory: r.Territory, Path: r.Path, ServiceType: r.ServiceType,
	}
	if len(r.ProviderNames) > 0 {
		s.ProviderNames = Names{}
		for _, n := range r.ProviderNames {
			if _, ok := s.ProviderNames[n.Lang]; !ok {
				s.ProviderNames[n.Lang] = n.Value
			}
		}
	}
	if leaf != nil {
		s.Subject = pki.NameString(leaf.Subject)
	}
	return s
}

// keyedMutex is a set of mutexes by key, each kept only while it is held or awaited.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyedEntry
}

type keyedEntry struct {
	mu   sync.Mutex
	refs int
}

// lock locks key and returns its unlock function.
func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[string]*keyedEntry{}
	}
	e := k.m[key]
	if e == nil {
		e = &keyedEntry{}
		k.m[key] = e
	}
	e.refs++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.refs--; e.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
