package issuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
)

// The credential configurations every tenant offers (OpenID4VCI 1.0 §12.2.4
// credential_configurations_supported keys).
const (
	// ConfigLearningSDJWT is the EUDI learning credential as SD-JWT VC (what the EU–JP proof
	// of concept exchanges).
	ConfigLearningSDJWT = "eudi_learning_credential_sd_jwt"
	// ConfigDiplomaSDJWT is hashi's diploma (vct urn:hashi:diploma:1) as SD-JWT VC.
	ConfigDiplomaSDJWT = "hashi_diploma_sd_jwt"
	// ConfigDiplomaJWTVC is the diploma as a jwt_vc_json (VCDM 1.1) credential.
	ConfigDiplomaJWTVC = "hashi_diploma_jwt_vc_json"
)

// The credential formats (OpenID4VCI 1.0 Appendix A).
const (
	FormatSDJWTVC   = "dc+sd-jwt"
	FormatJWTVCJSON = "jwt_vc_json"
)

// Configuration describes one credential configuration.
type Configuration struct {
	ID     string
	Format string
	VCT    string   // dc+sd-jwt
	Types  []string // jwt_vc_json credential_definition.type
}

// Configurations are the credential configurations hashi issues, in metadata order.
var Configurations = []Configuration{
	{ID: ConfigDiplomaSDJWT, Format: FormatSDJWTVC, VCT: academic.VCTHashiDiploma},
	{ID: ConfigLearningSDJWT, Format: FormatSDJWTVC, VCT: academic.VCTLearningCredential},
	{ID: ConfigDiplomaJWTVC, Format: FormatJWTVCJSON, Types: []string{"VerifiableCredential", academic.TypeVerifiableAttestation, academic.TypeUniversityDegreeCredential}},
}

// configuration returns the configuration with this id.
func configuration(id string) (Configuration, bool) {
	i := slices.IndexFunc(Configurations, func(c Configuration) bool { return c.ID == id })
	if i < 0 {
		return Configuration{}, false
	}
	return Configurations[i], true
}

// Tenant is one university: its identity, its seal and its registrar credential.
type Tenant struct {
	// ID is the URL path segment: lower-case letters, digits and '-', 2 to 32 characters.
	ID string
	// NameEN and NameJA are the university's names in English and Japanese.
	NameEN, NameJA string
	// Country is the ISO 3166-1 alpha-2 code.
	Country string
	// Seal signs credentials and status lists: an ECDSA P-256 key (ES256).
	Seal crypto.Signer
	// Chain is the seal certificate first, then intermediates, without the trust anchor
	// (the x5c header). The seal certificate's key must be Seal's.
	Chain []*x509.Certificate
	// AdminTokenSHA256 is the SHA-256 of the registrar's bearer token.
	AdminTokenSHA256 [sha256.Size]byte
}

// Config is the issuer's deployment configuration. New checks it once.
type Config struct {
	// BaseURL is the base of every tenant's Credential Issuer Identifier, which is
	// BaseURL + "/" + tenant ID: an https URL without query or fragment, or an http URL on a
	// loopback address when AllowInsecureHTTP is set (development and the demo).
	BaseURL string
	// Tenants are the universities; at least one.
	Tenants []Tenant
	// Clock returns the current time. Required: the core never reads the system clock.
	Clock func() time.Time
	// OfferTTL is how long an offer's pre-authorized code may be redeemed. Default: 7 days.
	OfferTTL time.Duration
	// TokenTTL is the access token lifetime. Default: 10 minutes. A token whose issuance was
	// deferred stays valid as long as its deferred transaction (DeferredTTL), for the
	// deferred requests and the notification made with it.
	TokenTTL time.Duration
	// NonceTTL is the c_nonce lifetime. Default: 5 minutes.
	NonceTTL time.Duration
	// ProofMaxAge bounds how old a proof's (or DPoP proof's) iat may be, and ClockSkew how
	// far in the future. Defaults: 5 minutes and 1 minute.
	ProofMaxAge, ClockSkew time.Duration
	// MaxTxCodeAttempts is the number of wrong tx_code values after which an offer locks.
	// Default: 5.
	MaxTxCodeAttempts int
	// TxCodeLength is the number of digits of generated tx_code values. Default: 6.
	TxCodeLength int
	// BatchSize is batch_credential_issuance.batch_size: the most proofs (credentials) one
	// credential request may carry. Default: 4.
	BatchSize int
	// DeferredInterval is the polling interval deferred responses announce, and DeferredTTL
	// how long a deferred transaction lives. Defaults: 60 seconds and 30 days.
	DeferredInterval, DeferredTTL time.Duration
	// StatusListSize is the number of entries of each status list (2-bit entries: valid,
	// invalid, suspended). Default: 131072 (32 KiB before compression).
	StatusListSize int
	// StatusListTTL is the status list token's "ttl" (and its cache lifetime); the token's
	// "exp" is issued-at + 24 h. Default: 5 minutes.
	StatusListTTL time.Duration
	// CredentialTTL, when not zero, gives SD-JWT VCs an "exp". Default: none (diplomas do
	// not expire; revocation goes through the status list).
	CredentialTTL time.Duration
	// Decoys is the number of decoy digests per "_sd" array. Default: 3.
	Decoys int
	// RequireDPoP makes DPoP proofs mandatory at the token endpoint (HAIP); without it a
	// wallet that sends none gets a Bearer token. Default: false.
	RequireDPoP bool
	// AllowInsecureHTTP allows an http BaseURL on a loopback address. Never in production.
	AllowInsecureHTTP bool
	// Random is the source of codes, nonces and identifiers. Default: crypto/rand.
	Random io.Reader
	// Logger receives nothing from the core today; reserved for background work.
	Logger *slog.Logger
}

var tenantIDRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)

// withDefaults returns c with every zero knob set to its default.
func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&c.OfferTTL, 7*24*time.Hour)
	def(&c.TokenTTL, 10*time.Minute)
	def(&c.NonceTTL, 5*time.Minute)
	def(&c.ProofMaxAge, 5*time.Minute)
	def(&c.ClockSkew, time.Minute)
	def(&c.DeferredInterval, time.Minute)
	def(&c.DeferredTTL, 30*24*time.Hour)
	def(&c.StatusListTTL, 5*time.Minute)
	if c.MaxTxCodeAttempts == 0 {
		c.MaxTxCodeAttempts = 5
	}
	if c.TxCodeLength == 0 {
		c.TxCodeLength = 6
	}
	if c.BatchSize == 0 {
		c.BatchSize = 4
	}
	if c.StatusListSize == 0 {
		c.StatusListSize = 1 << 17
	}
	if c.Decoys == 0 {
		c.Decoys = 3
	}
	if c.Random == nil {
		c.Random = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Validate checks the configuration (after defaults).
func (c Config) Validate() error {
	c = c.withDefaults()
	if err := checkBaseURL(c.BaseURL, c.AllowInsecureHTTP); err != nil {
		return err
	}
	if c.Clock == nil {
		return errors.New("config: Clock is required")
	}
	if len(c.Tenants) == 0 {
		return errors.New("config: at least one tenant is required")
	}
	seen := map[string]bool{}
	for i, t := range c.Tenants {
		if err := t.validate(); err != nil {
			return fmt.Errorf("config: tenants[%d] %q: %w", i, t.ID, err)
		}
		if seen[t.ID] {
			return fmt.Errorf("config: tenant %q appears twice", t.ID)
		}
		seen[t.ID] = true
		if want := c.BaseURL + "/" + t.ID; !hasURI(t.Chain[0], want) {
			return fmt.Errorf("config: tenant %q: the seal certificate does not carry the credential issuer URL %s as a URI SAN (verifiers compare it with iss)", t.ID, want)
		}
	}
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"OfferTTL", c.OfferTTL}, {"TokenTTL", c.TokenTTL}, {"NonceTTL", c.NonceTTL}, {"ProofMaxAge", c.ProofMaxAge},
		{"ClockSkew", c.ClockSkew}, {"DeferredInterval", c.DeferredInterval}, {"DeferredTTL", c.DeferredTTL}, {"StatusListTTL", c.StatusListTTL}} {
		if d.v < 0 {
			return fmt.Errorf("config: %s must not be negative", d.name)
		}
	}
	switch {
	case c.StatusListTTL%time.Second != 0:
		return errors.New("config: StatusListTTL must be whole seconds")
	case c.DeferredInterval < time.Second || c.DeferredInterval%time.Second != 0:
		// §8.3: the interval of a deferred response is a positive number of seconds.
		return errors.New("config: DeferredInterval must be whole seconds, at least 1s")
	case c.MaxTxCodeAttempts < 1 || c.MaxTxCodeAttempts > 20:
		return errors.New("config: MaxTxCodeAttempts must be 1..20")
	case c.TxCodeLength < 4 || c.TxCodeLength > 12:
		return errors.New("config: TxCodeLength must be 4..12")
	case c.BatchSize < 1 || c.BatchSize > 100:
		return errors.New("config: BatchSize must be 1..100")
	case c.StatusListSize < 1024 || c.StatusListSize > 1<<24 || c.StatusListSize%8 != 0:
		return errors.New("config: StatusListSize must be a multiple of 8 in 1024..16777216")
	case c.Decoys < 0 || c.Decoys > 16:
		return errors.New("config: Decoys must be 0..16")
	case c.CredentialTTL < 0:
		return errors.New("config: CredentialTTL must not be negative")
	}
	return nil
}

func hasURI(c *x509.Certificate, want string) bool {
	for _, u := range c.URIs {
		if u.String() == want {
			return true
		}
	}
	return false
}

func (t Tenant) validate() error {
	switch {
	case !tenantIDRE.MatchString(t.ID):
		return errors.New("id must be 2-32 lower-case letters, digits or '-'")
	case strings.TrimSpace(t.NameEN) == "" || strings.TrimSpace(t.NameJA) == "":
		return errors.New("names in English and Japanese are required")
	case len(t.Country) != 2 || strings.ToUpper(t.Country) != t.Country:
		return errors.New("country must be an ISO 3166-1 alpha-2 code")
	case t.Seal == nil || len(t.Chain) == 0:
		return errors.New("seal key and certificate chain are required")
	case t.AdminTokenSHA256 == [sha256.Size]byte{}:
		return errors.New("the registrar token hash is required")
	}
	k, ok := t.Seal.Public().(*ecdsa.PublicKey)
	if !ok || k.Curve != elliptic.P256() {
		return errors.New("the seal key must be ECDSA P-256 (ES256)")
	}
	if !k.Equal(t.Chain[0].PublicKey) {
		return errors.New("the seal key does not match the seal certificate")
	}
	return nil
}

func checkBaseURL(s string, insecure bool) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(s, "/") || u.User != nil {
		return fmt.Errorf("config: BaseURL %q must be an absolute URL without query, fragment, user info or trailing slash", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if insecure && (host == "localhost" || strings.HasSuffix(host, ".localhost") || (ip != nil && ip.IsLoopback())) {
			return nil
		}
		return fmt.Errorf("config: BaseURL %q: http is allowed only on a loopback address with AllowInsecureHTTP", s)
	}
	return fmt.Errorf("config: BaseURL %q must be https", s)
}
