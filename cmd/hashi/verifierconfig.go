package main

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/safehttp"
	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/verifier"
)

// verifierFileConfig is the YAML configuration of `hashi verifier serve --config FILE`.
type verifierFileConfig struct {
	// Listeners (defaults 127.0.0.1:8444 and 127.0.0.1:9444) and TLS.
	ServiceFile `yaml:",inline"`
	// BaseURL is the desk's public https base (request_uri, response_uri, pages). Required.
	BaseURL string `yaml:"base_url"`
	// InsecureHTTP allows an http base_url on a loopback address, and fetching lists, status
	// lists and webhooks from loopback addresses (development and the demo). Never in
	// production: a desk would then reach services on its own loopback interface.
	InsecureHTTP bool `yaml:"insecure_http"`
	// Database: default sqlite:verifier.db next to this file.
	Database string `yaml:"database"`
	// Jurisdiction is the desk's country (e.g. JP): it names the qualification view.
	Jurisdiction string `yaml:"jurisdiction"`
	// The desk's access certificate: chain (leaf first, no anchor) and key PEM files, or a
	// `hashi pki init` folder and the desk's id there.
	AccessChain string `yaml:"access_chain"`
	AccessKey   string `yaml:"access_key"`
	PKIDir      string `yaml:"pki_dir"`
	DeskID      string `yaml:"desk_id"`
	// DeskName is the desk's name by language ({en: …, ja: …}), which its pages, printed
	// reports and the student's same-device page show. Default: the organization (else the
	// common name) of its access certificate.
	DeskName map[string]string `yaml:"desk_name"`
	// ClientIDPrefix: x509_hash (default) or x509_san_dns.
	ClientIDPrefix string `yaml:"client_id_prefix"`
	// AllowUnsignedRequests lets the desk API make unsigned requests on demand
	// ("client_id_prefix": "redirect_uri"; verifier.FlowConfig.UnsignedRequestsUnsafe). Default:
	// false.
	//
	// WARNING: a wallet cannot authenticate an unsigned request (it sees only the response
	// URI, not who asks, and no trust list can vouch for the desk). Enable it only for wallets
	// that support nothing else. Signed requests stay the default either way.
	AllowUnsignedRequests bool `yaml:"allow_unsigned_requests"`
	// The desk API's bearer token: SHA-256 hex, a file, or an environment variable.
	APITokenSHA256 string `yaml:"api_token_sha256"`
	APITokenFile   string `yaml:"api_token_file"`
	APITokenEnv    string `yaml:"api_token_env"`
	// PageKeyFile turns the desk pages on (≥ 32 bytes, mode 0600).
	PageKeyFile string `yaml:"page_key_file"`
	// WebWalletURL, when set, is a hosted web wallet (hashi's: its base, e.g.
	// https://wallet.example/wallet) that the desk's request page also links requests to.
	WebWalletURL string `yaml:"web_wallet_url"`
	// Trust: the lists the desk trusts issuers through.
	Trust trustFileConfig `yaml:"trust"`
	// Recognition: which credentials from which jurisdictions at which EQF levels. Default:
	// the pilot's rules (diploma and learning credential, EU through the LOTL, JP through the
	// JP LoTE, EQF 6–8, holder binding and status required).
	Recognition []ruleFileConfig `yaml:"recognition"`
	// WebhookURL receives every result, signed (https).
	WebhookURL string `yaml:"webhook_url"`
	// ClockSkew is the tolerance on the times of credentials, key bindings and status list
	// tokens (issuers' and wallets' clocks differ; a status list fetched during a check may
	// be issued a moment after the check began). Default: 1m; at most 5m.
	ClockSkew time.Duration `yaml:"clock_skew"`
}

type trustFileConfig struct {
	LOTL *struct {
		URL     string `yaml:"url"`
		Signers string `yaml:"signers"` // PEM file (the Official Journal set in production)
	} `yaml:"lotl"`
	Lists []struct {
		Label   string `yaml:"label"`
		URL     string `yaml:"url"`
		Format  string `yaml:"format"` // xml or lote
		Signers string `yaml:"signers"`
		// Territory is the territory the list must declare (ISO 3166 alpha-2, "EL" for
		// Greece): a list signed by its pinned key but claiming another territory is
		// refused, so it cannot gain the trust that rules give to that territory.
		Territory string `yaml:"territory"`
	} `yaml:"lists"`
	// CACert is a PEM file of extra TLS roots for fetching lists and status lists.
	CACert string `yaml:"ca_cert"`
	// Refresh is the refresh interval. Default: 1h.
	Refresh time.Duration `yaml:"refresh"`
	// Grace accepts lists this long after NextUpdate. Default: 0.
	Grace time.Duration `yaml:"grace"`
}

type ruleFileConfig struct {
	Name          string   `yaml:"name"`
	Types         []string `yaml:"types"`
	Jurisdictions []string `yaml:"jurisdictions"`
	ServiceTypes  []string `yaml:"service_types"`
	ForeSeals     bool     `yaml:"fore_seals"` // require the ForeSeals qualifier on CA/QC services
	EQFLevels     []int    `yaml:"eqf_levels"`
	AtIssuance    bool     `yaml:"trust_at_issuance_only"`
}

func loadVerifierConfig(path string) (*verifierFileConfig, error) {
	return loadServiceConfig[verifierFileConfig](path)
}

// Validate fills defaults and checks the file-level rules.
func (c *verifierFileConfig) Validate() error {
	if err := c.checkListeners("127.0.0.1:8444", "127.0.0.1:9444"); err != nil {
		return err
	}
	switch {
	case c.BaseURL == "":
		return errors.New("base_url is required")
	case c.Jurisdiction == "":
		return errors.New("jurisdiction is required (the desk's country, e.g. JP)")
	case (c.AccessChain == "") == (c.PKIDir == ""):
		return errors.New("give access_chain and access_key, or pki_dir and desk_id")
	case c.PKIDir != "" && c.DeskID == "":
		return errors.New("desk_id is required with pki_dir")
	case c.Trust.LOTL == nil && len(c.Trust.Lists) == 0:
		return errors.New("trust needs a lotl or at least one list")
	}
	if err := checkBaseURL(strings.TrimSuffix(c.BaseURL, "/"), c.InsecureHTTP); err != nil {
		return err
	}
	if c.WebhookURL != "" {
		if err := checkWebhookURL(c.WebhookURL); err != nil {
			return err
		}
	}
	if err := c.apiToken().check(); err != nil {
		return err
	}
	if c.Database == "" {
		c.Database = "sqlite:verifier.db"
	}
	if c.Trust.Refresh == 0 {
		c.Trust.Refresh = time.Hour
	}
	if c.ClockSkew == 0 {
		c.ClockSkew = time.Minute
	}
	if c.ClockSkew < 0 || c.ClockSkew > verifier.MaxClockSkew {
		return fmt.Errorf("clock_skew %s is outside 0..%s", c.ClockSkew, verifier.MaxClockSkew)
	}
	return nil
}

// apiToken is the desk's API token.
func (c *verifierFileConfig) apiToken() tokenRef {
	return tokenRef{key: "api_token", sum: c.APITokenSHA256, file: c.APITokenFile, env: c.APITokenEnv}
}

// jpIssuanceService is the EU–JP PoC's direct-trust issuance service type; pilot JP seals
// chain to the seal CA the JP LoTE lists under it.
const jpIssuanceService = "http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance"

// recognition builds the desk's rules from the file, or the pilot defaults.
func (c *verifierFileConfig) recognition() verifier.Recognition {
	rules := c.Recognition
	if len(rules) == 0 {
		types := []string{academic.VCTHashiDiploma, academic.VCTLearningCredential, academic.TypeUniversityDegreeCredential}
		rules = []ruleFileConfig{
			{Name: "EU diplomas through the EU trusted lists", Types: types, Jurisdictions: []string{"EU"},
				ServiceTypes: []string{trustlist.ServiceTypeCAQC, trustlist.ServiceTypeEAAQ}, ForeSeals: true, EQFLevels: []int{5, 6, 7, 8}},
			{Name: "Japanese diplomas through the JP pilot list", Types: types, Jurisdictions: []string{"JP"},
				ServiceTypes: []string{jpIssuanceService}, EQFLevels: []int{5, 6, 7, 8}},
		}
	}
	var rec verifier.Recognition
	for _, r := range rules {
		pol := trustlist.Policy{Grace: c.Trust.Grace}
		for _, st := range r.ServiceTypes {
			rule := trustlist.ServiceTypeRule{URI: st}
			if r.ForeSeals && st == trustlist.ServiceTypeCAQC {
				rule.AdditionalInfo = []string{trustlist.AdditionalInfoForeSeals}
			}
			pol.ServiceTypes = append(pol.ServiceTypes, rule)
		}
		vr := verifier.Rule{Name: r.Name, Types: r.Types, Jurisdictions: r.Jurisdictions, Trust: pol, EQFLevels: r.EQFLevels}
		if r.AtIssuance {
			vr.TrustAt = verifier.TrustAtIssuance
		}
		rec.Rules = append(rec.Rules, vr)
	}
	return rec
}

// fetchClient is the outbound client for trust lists, status lists and webhooks: https, SSRF
// rules (loopback addresses, and plain http to them, only with insecure_http: development and
// the demo), extra roots from trust.ca_cert.
func (c *verifierFileConfig) fetchClient() (*safehttp.Client, error) {
	opts := []safehttp.Option{safehttp.WithResolver(localhostResolver), safehttp.WithMaxBodySize(statuslist.MaxTokenSize)}
	if c.InsecureHTTP {
		opts = append(opts, safehttp.WithLoopbackInsecure())
	}
	if c.Trust.CACert != "" {
		pool, err := certPool(c.rel(c.Trust.CACert))
		if err != nil {
			return nil, err
		}
		opts = append(opts, safehttp.WithRootCAs(pool))
	}
	return safehttp.New(opts...)
}

// loader builds the trust-list Loader of the configuration; rel resolves file names.
func (t trustFileConfig) loader(rel func(string) string, client *safehttp.Client, cacheDir string) (*trustlist.Loader, error) {
	var opts []trustlist.LoaderOption
	if l := t.LOTL; l != nil {
		signers, err := readCertificates(rel(l.Signers))
		if err != nil {
			return nil, fmt.Errorf("trust.lotl.signers: %w", err)
		}
		opts = append(opts, trustlist.WithLOTL(trustlist.LOTLConfig{URL: l.URL, Signers: signers}))
	}
	for i, l := range t.Lists {
		if !trustlist.IsTerritoryCode(l.Territory) {
			return nil, fmt.Errorf("trust.lists[%d].territory: %q: the two upper-case letters of the territory the list must declare (e.g. JP) are required", i, l.Territory)
		}
		signers, err := readCertificates(rel(l.Signers))
		if err != nil {
			return nil, fmt.Errorf("trust.lists[%d].signers: %w", i, err)
		}
		f := trustlist.FormatXML
		if l.Format == "lote" {
			f = trustlist.FormatLoTE
		}
		label := l.Label
		if label == "" {
			label = l.URL
		}
		opts = append(opts, trustlist.WithList(trustlist.ListConfig{Label: label, URL: l.URL, Format: f, Signers: signers, Territory: l.Territory}))
	}
	if cacheDir != "" {
		opts = append(opts, trustlist.WithCacheDir(cacheDir))
	}
	return trustlist.NewLoader(client.HTTPClient(), opts...)
}

// statusSource fetches status list tokens through the safe client.
func statusSource(client *safehttp.Client) verifier.StatusSource {
	return verifier.StatusSourceFunc(func(ctx context.Context, uri string) ([]byte, error) {
		resp, err := client.Get(ctx, uri, statuslist.MediaType)
		if err != nil {
			return nil, err
		}
		if err := resp.Expect(200); err != nil {
			return nil, err
		}
		return resp.Body, nil
	})
}

// accessCredential returns the desk's access key and chain.
func (c *verifierFileConfig) accessCredential() (verifierKey, error) {
	if c.AccessChain != "" {
		key, err := readPrivateKey(c.rel(c.AccessKey))
		if err != nil {
			return verifierKey{}, err
		}
		chain, err := readCertificates(c.rel(c.AccessChain))
		if err != nil {
			return verifierKey{}, err
		}
		return verifierKey{key: key, chain: chain}, nil
	}
	p, err := pki.Load(c.rel(c.PKIDir))
	if err != nil {
		return verifierKey{}, err
	}
	e, err := p.Entity(pki.RoleAccess, c.DeskID)
	if err != nil {
		return verifierKey{}, err
	}
	return verifierKey{key: e.Signer(), chain: e.Chain}, nil
}

// deskName is the configured desk_name, else the access certificate's organization or
// common name (in English).
func (c *verifierFileConfig) deskName(access verifierKey) map[string]string {
	if len(c.DeskName) > 0 {
		return c.DeskName
	}
	if len(access.chain) == 0 {
		return nil
	}
	subject := access.chain[0].Subject
	if len(subject.Organization) > 0 && subject.Organization[0] != "" {
		return map[string]string{"en": subject.Organization[0]}
	}
	if subject.CommonName != "" {
		return map[string]string{"en": subject.CommonName}
	}
	return nil
}

// verifierKey is the desk's access certificate chain and key.
type verifierKey struct {
	key   crypto.Signer
	chain []*x509.Certificate
}
