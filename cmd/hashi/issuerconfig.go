package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/issuer"
)

// issuerFileConfig is the YAML configuration of `hashi issuer serve --config FILE`. Every
// field has a default except base_url, database and tenants.
type issuerFileConfig struct {
	// Listeners (defaults 127.0.0.1:8443 and 127.0.0.1:9443) and TLS.
	ServiceFile `yaml:",inline"`
	// BaseURL is the public base of every tenant's Credential Issuer Identifier
	// (base_url/tenant). Required.
	BaseURL string `yaml:"base_url"`
	// InsecureHTTP allows an http base_url on a loopback address (development only).
	InsecureHTTP bool `yaml:"insecure_http"`
	// Database is a DSN: sqlite:PATH (relative to this file; default sqlite:issuer.db) or
	// postgres://...
	Database string `yaml:"database"`
	// PKIDir is a `hashi pki init` folder; tenants' seals default to its seal entities.
	PKIDir string `yaml:"pki_dir"`
	// Tenants are the universities.
	Tenants []tenantFileConfig `yaml:"tenants"`
	// RequireDPoP makes DPoP mandatory at the token endpoint. Default: false.
	RequireDPoP bool `yaml:"require_dpop"`
	// OfferTTL, TokenTTL, NonceTTL: defaults 168h, 10m, 5m.
	OfferTTL time.Duration `yaml:"offer_ttl"`
	TokenTTL time.Duration `yaml:"token_ttl"`
	NonceTTL time.Duration `yaml:"nonce_ttl"`
	// MaxTxCodeAttempts: default 5. BatchSize: default 4.
	MaxTxCodeAttempts int `yaml:"max_tx_code_attempts"`
	BatchSize         int `yaml:"batch_size"`
	// StatusListTTL is the status list token ttl. Default: 5m.
	StatusListTTL time.Duration `yaml:"status_list_ttl"`
	// PageKeyFile names a file of at least 32 random bytes that signs registrar page
	// sessions; every replica needs the same file. Without it the registrar pages are off
	// (the JSON API still works).
	PageKeyFile string `yaml:"page_key_file"`
}

// tenantFileConfig configures one university.
type tenantFileConfig struct {
	ID      string `yaml:"id"`
	NameEN  string `yaml:"name_en"`
	NameJA  string `yaml:"name_ja"`
	Country string `yaml:"country"`
	// Seal: PEM files of the seal chain (certificate first, intermediates, no anchor) and
	// its PKCS #8 key. Default: the pki_dir seal entity with the tenant's id.
	SealChain string `yaml:"seal_chain"`
	SealKey   string `yaml:"seal_key"`
	// The registrar bearer token: its SHA-256 in hex, or a file or environment variable
	// holding the token itself. Exactly one.
	AdminTokenSHA256 string `yaml:"admin_token_sha256"`
	AdminTokenFile   string `yaml:"admin_token_file"`
	AdminTokenEnv    string `yaml:"admin_token_env"`
}

// loadIssuerConfig reads and checks a config file strictly (unknown fields are errors).
func loadIssuerConfig(path string) (*issuerFileConfig, error) {
	return loadServiceConfig[issuerFileConfig](path)
}

// Validate fills defaults and checks the file-level rules; issuer.Config.Validate checks the
// rest when the issuer is built.
func (c *issuerFileConfig) Validate() error {
	if err := c.checkListeners("127.0.0.1:8443", "127.0.0.1:9443"); err != nil {
		return err
	}
	if c.BaseURL == "" {
		return errors.New("base_url is required")
	}
	if err := checkBaseURL(c.BaseURL, c.InsecureHTTP); err != nil {
		return err
	}
	if c.Database == "" {
		c.Database = "sqlite:issuer.db"
	}
	if len(c.Tenants) == 0 {
		return errors.New("at least one tenant is required")
	}
	for i, t := range c.Tenants {
		if err := t.token().check(); err != nil {
			return fmt.Errorf("tenants[%d] %q: %w", i, t.ID, err)
		}
		if (t.SealChain == "") != (t.SealKey == "") {
			return fmt.Errorf("tenants[%d] %q: seal_chain and seal_key go together", i, t.ID)
		}
		if t.SealChain == "" && c.PKIDir == "" {
			return fmt.Errorf("tenants[%d] %q: seal_chain and seal_key, or pki_dir, are required", i, t.ID)
		}
	}
	return nil
}

// issuerConfig builds the core configuration: seals from files or the PKI folder, registrar
// token hashes from their sources.
func (c *issuerFileConfig) issuerConfig(now func() time.Time) (issuer.Config, error) {
	cfg := issuer.Config{
		BaseURL: c.BaseURL, Clock: now, AllowInsecureHTTP: c.InsecureHTTP, RequireDPoP: c.RequireDPoP,
		OfferTTL: c.OfferTTL, TokenTTL: c.TokenTTL, NonceTTL: c.NonceTTL, MaxTxCodeAttempts: c.MaxTxCodeAttempts,
		BatchSize: c.BatchSize, StatusListTTL: c.StatusListTTL,
	}
	var p *pki.PKI
	if c.PKIDir != "" {
		var err error
		if p, err = pki.Load(c.rel(c.PKIDir)); err != nil {
			return cfg, err
		}
	}
	for _, tc := range c.Tenants {
		t := issuer.Tenant{ID: tc.ID, NameEN: tc.NameEN, NameJA: tc.NameJA, Country: tc.Country}
		if tc.SealChain != "" {
			key, err := readPrivateKey(c.rel(tc.SealKey))
			if err != nil {
				return cfg, err
			}
			chain, err := readCertificates(c.rel(tc.SealChain))
			if err != nil {
				return cfg, err
			}
			t.Seal, t.Chain = key, chain
		} else {
			e, err := p.Entity(pki.RoleSeal, tc.ID)
			if err != nil {
				return cfg, fmt.Errorf("tenant %q: %w", tc.ID, err)
			}
			t.Seal, t.Chain = e.Signer(), e.Chain
		}
		sum, err := c.tokenHash(tc.token())
		if err != nil {
			return cfg, fmt.Errorf("tenant %q: %w", tc.ID, err)
		}
		t.AdminTokenSHA256 = sum
		if p != nil && (t.NameEN == "" || t.NameJA == "" || t.Country == "") {
			fillFromPKI(&t, p)
		}
		cfg.Tenants = append(cfg.Tenants, t)
	}
	return cfg, cfg.Validate()
}

// fillFromPKI takes missing names and country from the PKI configuration of the university.
func fillFromPKI(t *issuer.Tenant, p *pki.PKI) {
	for _, u := range p.Manifest.Config.Universities {
		if u.ID != t.ID {
			continue
		}
		if t.NameEN == "" {
			t.NameEN = u.Name.EN
		}
		if t.NameJA == "" {
			t.NameJA = u.Name.JA
		}
		if t.Country == "" {
			t.Country = u.Country
		}
	}
}

// pageKey reads the registrar page session key, or returns nil when pages are off.
func (c *issuerFileConfig) pageKey() ([]byte, error) {
	if c.PageKeyFile == "" {
		return nil, nil
	}
	return readPageKey(c.rel(c.PageKeyFile))
}

// readPageKey reads a page session key file: at least 32 bytes, not readable by others.
func readPageKey(file string) ([]byte, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return nil, err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("page key file %s is readable by others (mode %o); chmod 600 it", file, fi.Mode().Perm())
	}
	b, err := os.ReadFile(file) //nolint:gosec // the operator names the file
	if err != nil {
		return nil, err
	}
	if len(b) < 32 {
		return nil, fmt.Errorf("page key file %s holds %d bytes, want at least 32", file, len(b))
	}
	return b, nil
}

// token is the tenant's registrar token.
func (t tenantFileConfig) token() tokenRef {
	return tokenRef{key: "admin_token", sum: t.AdminTokenSHA256, file: t.AdminTokenFile, env: t.AdminTokenEnv}
}
