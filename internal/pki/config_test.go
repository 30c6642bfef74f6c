package pki_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/hashi-vc/hashi/internal/pki"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(c *pki.Config)
		wantCode pki.Code
	}{
		{name: "ok/default"},
		{name: "ok/no-universities-verifiers-hosts", edit: func(c *pki.Config) { c.Universities, c.Verifiers, c.TLSHosts = nil, nil, nil }},
		{name: "ok/real-hojin-bango-nta", edit: func(c *pki.Config) { c.Universities[1].OrganizationIdentifier = "NTRJP-7000012050002" }},
		{name: "ok/real-hojin-bango-check-9", edit: func(c *pki.Config) { c.Universities[1].OrganizationIdentifier = "NTRJP-5010005007398" }},
		{name: "ok/vat", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "VATNL-NL123456789B01" }},
		{name: "ok/vat-greece", edit: func(c *pki.Config) {
			c.Universities[0].Country = "GR"
			c.Universities[0].OrganizationIdentifier = "VATEL-123456789"
		}},
		{name: "ok/lei", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "LEIXG-5299000J2N45DDNE4Y28" }},
		{name: "ok/national-scheme", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "BE:NL-0123" }},
		{name: "ok/ntr-other-country", edit: func(c *pki.Config) {
			c.Universities[0].Country = "DE"
			c.Universities[0].OrganizationIdentifier = "NTRDE-HRB12345"
		}},
		{name: "ok/verifier-org-id", edit: func(c *pki.Config) { c.Verifiers[1].OrganizationIdentifier = "NTRJP-7000012050002" }},
		{name: "ok/ip-only-host", edit: func(c *pki.Config) { c.TLSHosts[0].DNSNames = nil }},
		{name: "ok/http-loopback", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "http://127.0.0.1:8080/issuer/oostland" }},
		{name: "ok/64-character-name", edit: func(c *pki.Config) { c.Universities[1].Name.JA = strings.Repeat("桜", 64) }},

		{name: "fail/no-jurisdictions", edit: func(c *pki.Config) { c.Jurisdictions = nil }, wantCode: pki.CodeInvalid},
		{name: "fail/reserved-jurisdiction-id", edit: func(c *pki.Config) { c.Jurisdictions[1].ID = "tls" }, wantCode: pki.CodeInvalid},
		{name: "fail/duplicate-jurisdiction", edit: func(c *pki.Config) { c.Jurisdictions[1].ID = "eu" }, wantCode: pki.CodeInvalid},
		{name: "fail/upper-case-id", edit: func(c *pki.Config) { c.Universities[0].ID = "Oostland" }, wantCode: pki.CodeInvalid},
		{name: "fail/id-path", edit: func(c *pki.Config) { c.Universities[0].ID = "../x" }, wantCode: pki.CodeInvalid},
		{name: "fail/id-too-long", edit: func(c *pki.Config) { c.Verifiers[0].ID = strings.Repeat("a", 64) }, wantCode: pki.CodeInvalid},
		{name: "fail/country-lower-case", edit: func(c *pki.Config) { c.Jurisdictions[0].Country = "nl" }, wantCode: pki.CodeInvalid},
		{name: "fail/country-three-letters", edit: func(c *pki.Config) { c.Universities[1].Country = "JPN" }, wantCode: pki.CodeInvalid},
		{name: "fail/empty-scheme-operator", edit: func(c *pki.Config) { c.Jurisdictions[1].SchemeOperator = "" }, wantCode: pki.CodeInvalid},
		{name: "fail/name-too-long", edit: func(c *pki.Config) { c.Jurisdictions[1].TrustServiceProvider = strings.Repeat("x", 65) }, wantCode: pki.CodeInvalid},
		{name: "fail/name-control-char", edit: func(c *pki.Config) { c.Universities[0].Name.EN = "Oost\nland" }, wantCode: pki.CodeInvalid},
		{name: "fail/name-invalid-utf8", edit: func(c *pki.Config) { c.Universities[1].LegalName = "\xff" }, wantCode: pki.CodeInvalid},
		{name: "fail/name-padded", edit: func(c *pki.Config) { c.Verifiers[0].Name.EN = " Desk" }, wantCode: pki.CodeInvalid},
		{name: "fail/unknown-jurisdiction", edit: func(c *pki.Config) { c.Universities[0].Jurisdiction = "us" }, wantCode: pki.CodeInvalid},
		{name: "fail/duplicate-university", edit: func(c *pki.Config) { c.Universities[1].ID = "oostland" }, wantCode: pki.CodeInvalid},
		{name: "fail/duplicate-issuer-url", edit: func(c *pki.Config) { c.Universities[1].IssuerURL = c.Universities[0].IssuerURL }, wantCode: pki.CodeInvalid},
		{name: "fail/org-id-empty", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "" }, wantCode: pki.CodeInvalid},
		{name: "fail/org-id-no-prefix", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "12345678" }, wantCode: pki.CodeInvalid},
		{name: "fail/org-id-unknown-type", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "ABCNL-12345678" }, wantCode: pki.CodeInvalid},
		{name: "fail/org-id-country-mismatch", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "NTRDE-12345678" }, wantCode: pki.CodeInvalid},
		{name: "fail/org-id-empty-reference", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "NTRNL-" }, wantCode: pki.CodeInvalid},
		{name: "fail/org-id-space", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "PSDNL-12 34" }, wantCode: pki.CodeInvalid},
		{name: "fail/kvk-seven-digits", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "NTRNL-1234567" }, wantCode: pki.CodeInvalid},
		{name: "fail/hojin-bango-check-digit", edit: func(c *pki.Config) { c.Universities[1].OrganizationIdentifier = "NTRJP-1999900000001" }, wantCode: pki.CodeInvalid},
		{name: "fail/hojin-bango-twelve-digits", edit: func(c *pki.Config) { c.Universities[1].OrganizationIdentifier = "NTRJP-999900000001" }, wantCode: pki.CodeInvalid},
		{name: "fail/lei-wrong-length", edit: func(c *pki.Config) { c.Universities[0].OrganizationIdentifier = "LEIXG-5299000J2N45" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-empty", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-relative", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "/issuer/oostland" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-http-remote", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "http://issuer.example/oostland" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-query", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "https://issuer.example/oostland?x=1" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-fragment", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "https://issuer.example/oostland#x" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-trailing-slash", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "https://issuer.example/oostland/" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-userinfo", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "https://u@issuer.example/oostland" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-scheme", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "ftp://issuer.example/oostland" }, wantCode: pki.CodeInvalid},
		{name: "fail/issuer-url-not-canonical", edit: func(c *pki.Config) { c.Universities[0].IssuerURL = "HTTPS://issuer.example/oostland" }, wantCode: pki.CodeInvalid},
		{name: "fail/dns-upper-case", edit: func(c *pki.Config) { c.Verifiers[0].DNSName = "Desk.example" }, wantCode: pki.CodeInvalid},
		{name: "fail/dns-wildcard", edit: func(c *pki.Config) { c.Verifiers[0].DNSName = "*.example" }, wantCode: pki.CodeInvalid},
		{name: "fail/dns-trailing-dot", edit: func(c *pki.Config) { c.Verifiers[0].DNSName = "desk.example." }, wantCode: pki.CodeInvalid},
		{name: "fail/dns-ip", edit: func(c *pki.Config) { c.Verifiers[0].DNSName = "127.0.0.1" }, wantCode: pki.CodeInvalid},
		{name: "fail/dns-label-hyphen", edit: func(c *pki.Config) { c.Verifiers[0].DNSName = "-desk.example" }, wantCode: pki.CodeInvalid},
		{name: "fail/duplicate-verifier-dns", edit: func(c *pki.Config) { c.Verifiers[1].DNSName = c.Verifiers[0].DNSName }, wantCode: pki.CodeInvalid},
		{name: "fail/host-without-names", edit: func(c *pki.Config) { c.TLSHosts[0].DNSNames, c.TLSHosts[0].IPAddresses = nil, nil }, wantCode: pki.CodeInvalid},
		{name: "fail/host-invalid-ip", edit: func(c *pki.Config) { c.TLSHosts[0].IPAddresses = []netip.Addr{{}} }, wantCode: pki.CodeInvalid},
		{name: "fail/host-ip-zone", edit: func(c *pki.Config) { c.TLSHosts[0].IPAddresses = []netip.Addr{netip.MustParseAddr("fe80::1%eth0")} }, wantCode: pki.CodeInvalid},
		{name: "fail/host-duplicate-name", edit: func(c *pki.Config) { c.TLSHosts[0].DNSNames = []string{"localhost", "localhost"} }, wantCode: pki.CodeInvalid},
		{name: "fail/duplicate-host", edit: func(c *pki.Config) { c.TLSHosts = append(c.TLSHosts, c.TLSHosts[0]) }, wantCode: pki.CodeInvalid},
		{name: "fail/too-many-hosts", edit: func(c *pki.Config) {
			for i := range 101 {
				c.TLSHosts = append(c.TLSHosts, pki.TLSHost{ID: "h" + strings.Repeat("x", i%50), DNSNames: []string{"localhost"}})
			}
		}, wantCode: pki.CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := pki.DefaultConfig("")
			if tt.edit != nil {
				tt.edit(&c)
			}
			assertCode(t, c.Validate(), tt.wantCode)
		})
	}
}

func TestDefaultConfig(t *testing.T) {
	tests := []struct {
		name string
		base string
		want []string
	}{
		{name: "ok/empty-base", base: "", want: []string{"https://127.0.0.1:8443/issuer/oostland", "https://127.0.0.1:8443/issuer/sakuragaoka"}},
		{name: "ok/trailing-slash", base: "https://issuer.example/", want: []string{"https://issuer.example/oostland", "https://issuer.example/sakuragaoka"}},
		{name: "ok/path", base: "https://pilot.example/tenants", want: []string{"https://pilot.example/tenants/oostland", "https://pilot.example/tenants/sakuragaoka"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := pki.DefaultConfig(tt.base)
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			for i, u := range c.Universities {
				if u.IssuerURL != tt.want[i] {
					t.Errorf("issuer URL %q, want %q", u.IssuerURL, tt.want[i])
				}
			}
		})
	}
}
