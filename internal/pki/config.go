package pki

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Config describes the pilot PKI: who gets a certificate, and under which jurisdiction.
// Every field is required unless its comment says otherwise. Check it with Validate; Init
// does so itself.
type Config struct {
	// Jurisdictions are the trust domains (one trusted-list scheme each). At least one.
	Jurisdictions []Jurisdiction `json:"jurisdictions" yaml:"jurisdictions"`
	// Universities are the credential issuers; each gets a seal certificate from the seal CA
	// of its jurisdiction. Optional.
	Universities []University `json:"universities" yaml:"universities"`
	// Verifiers are the relying parties; each gets an access certificate from the
	// relying-party access CA of its jurisdiction. Optional.
	Verifiers []Verifier `json:"verifiers" yaml:"verifiers"`
	// TLSHosts are the demo servers; each gets a TLS server certificate from the demo TLS CA.
	// When empty, no TLS CA is made either. Optional.
	TLSHosts []TLSHost `json:"tls_hosts" yaml:"tls_hosts"`
}

// Jurisdiction is one trusted-list scheme: a scheme operator signing a trusted list for a
// territory, and one trust-service provider running two CAs there: a seal CA for
// universities and a relying-party access CA for verifiers.
type Jurisdiction struct {
	// ID names the jurisdiction in the directory layout and in Entity lookups, e.g. "eu",
	// "jp": lowercase letters, digits and '-', starting with a letter; "tls" is reserved.
	ID string `json:"id" yaml:"id"`
	// Country is the scheme territory (ISO 3166-1 alpha-2, upper case, e.g. "NL", "JP"); it
	// is the countryName of the trusted-list signer and of both CAs.
	Country string `json:"country" yaml:"country"`
	// SchemeOperator is the name of the trusted-list scheme operator; it is the
	// organizationName of the trusted-list signer certificate and must equal the list's
	// SchemeOperatorName (ETSI TS 119 612 §5.7.1).
	SchemeOperator string `json:"scheme_operator" yaml:"scheme_operator"`
	// TrustServiceProvider is the organizationName of the seal CA and the access CA.
	TrustServiceProvider string `json:"trust_service_provider" yaml:"trust_service_provider"`
	// LOTLOperator, when not empty, also makes a signer certificate for a list of trusted
	// lists run by this operator (countryName "EU"); the pilot's stand-in for the EU LOTL
	// signer certificates announced in the Official Journal. Optional.
	LOTLOperator string `json:"lotl_operator,omitempty" yaml:"lotl_operator,omitempty"`
}

// Names holds a display name in English and, optionally, Japanese.
type Names struct {
	EN string `json:"en" yaml:"en"`
	JA string `json:"ja,omitempty" yaml:"ja,omitempty"`
}

// University is a credential issuer (an issuer tenant).
type University struct {
	// ID is the tenant id (same syntax as Jurisdiction.ID); it names the entity directory.
	ID string `json:"id" yaml:"id"`
	// Jurisdiction is the ID of the jurisdiction whose seal CA issues the seal certificate.
	Jurisdiction string `json:"jurisdiction" yaml:"jurisdiction"`
	// Country is the countryName of the seal certificate (ISO 3166-1 alpha-2, upper case).
	Country string `json:"country" yaml:"country"`
	// Name is the display name; Name.EN becomes the commonName.
	Name Names `json:"name" yaml:"name"`
	// LegalName is the registered name, used as organizationName. Optional; default Name.EN.
	LegalName string `json:"legal_name,omitempty" yaml:"legal_name,omitempty"`
	// OrganizationIdentifier is the ETSI EN 319 412-1 §5.1.4 semantics identifier placed in
	// the subject's organizationIdentifier (2.5.4.97): e.g. "NTRNL-" and an 8-digit Dutch
	// trade-register number, "NTRJP-" and a 13-digit 法人番号 (check digit verified), or
	// "VAT", "PSD", "LEIXG-" forms. For NTR and VAT the country part must equal Country.
	OrganizationIdentifier string `json:"organization_identifier" yaml:"organization_identifier"`
	// IssuerURL is the university's credential issuer identifier (https, or http on a
	// loopback host; no query, fragment or trailing '/'); it becomes the seal certificate's
	// SAN URI, so a verifier can match an SD-JWT VC "iss" to it.
	IssuerURL string `json:"issuer_url" yaml:"issuer_url"`
}

// Verifier is a relying party; its access certificate's dNSName SAN is the OpenID4VP
// client identifier for the x509_san_dns prefix.
type Verifier struct {
	// ID names the entity directory (same syntax as Jurisdiction.ID).
	ID string `json:"id" yaml:"id"`
	// Jurisdiction is the ID of the jurisdiction whose access CA issues the certificate.
	Jurisdiction string `json:"jurisdiction" yaml:"jurisdiction"`
	// Country is the countryName of the access certificate.
	Country string `json:"country" yaml:"country"`
	// Name is the display name of the relying party.
	Name Names `json:"name" yaml:"name"`
	// LegalName is the organizationName. Optional; default Name.EN.
	LegalName string `json:"legal_name,omitempty" yaml:"legal_name,omitempty"`
	// OrganizationIdentifier is placed in the subject when set (same syntax as for
	// University). Optional.
	OrganizationIdentifier string `json:"organization_identifier,omitempty" yaml:"organization_identifier,omitempty"`
	// DNSName is the verifier's host name, the dNSName SAN and commonName of its access
	// certificate (lower case, letters, digits and '-' per label; no wildcard).
	DNSName string `json:"dns_name" yaml:"dns_name"`
}

// TLSHost is a demo server. At least one DNS name or IP address.
type TLSHost struct {
	// ID names the entity directory (same syntax as Jurisdiction.ID).
	ID string `json:"id" yaml:"id"`
	// DNSNames become dNSName SANs; the first one (or else the first address) becomes the
	// commonName.
	DNSNames []string `json:"dns_names,omitempty" yaml:"dns_names,omitempty"`
	// IPAddresses become iPAddress SANs.
	IPAddresses []netip.Addr `json:"ip_addresses,omitempty" yaml:"ip_addresses,omitempty"`
}

// DefaultIssuerBaseURL is the base URL DefaultConfig uses when given "".
const DefaultIssuerBaseURL = "https://127.0.0.1:8443/issuer"

// DefaultConfig returns the fictional EU–Japan pilot: jurisdiction "eu" (scheme territory
// NL, with the pilot LOTL signer) and "jp"; Universiteit Oostland (NL, tenant "oostland")
// and 桜ヶ丘大学 Sakuragaoka University (JP, tenant "sakuragaoka"), whose issuer URLs are
// issuerBaseURL + "/" + tenant id; one verifier desk per jurisdiction
// ("eu-desk.localhost", "jp-desk.localhost"); and one TLS host "localhost" (localhost,
// both verifier host names, 127.0.0.1 and ::1). issuerBaseURL "" means
// DefaultIssuerBaseURL; a trailing '/' is dropped. All names and identifiers are
// fictional (the 法人番号 has a valid check digit but an unassigned registry-office prefix).
func DefaultConfig(issuerBaseURL string) Config {
	if issuerBaseURL == "" {
		issuerBaseURL = DefaultIssuerBaseURL
	}
	base := strings.TrimRight(issuerBaseURL, "/")
	return Config{
		Jurisdictions: []Jurisdiction{
			{
				ID:                   "eu",
				Country:              "NL",
				SchemeOperator:       "hashi Pilot Trusted List Scheme Operator NL",
				TrustServiceProvider: "hashi Pilot Trust Services NL",
				LOTLOperator:         "hashi Pilot LOTL Scheme Operator EU",
			},
			{
				ID:                   "jp",
				Country:              "JP",
				SchemeOperator:       "hashi Pilot Trusted List Scheme Operator JP",
				TrustServiceProvider: "hashi Pilot Trust Services JP",
			},
		},
		Universities: []University{
			{
				ID:                     "oostland",
				Jurisdiction:           "eu",
				Country:                "NL",
				Name:                   Names{EN: "Universiteit Oostland", JA: "オーストラント大学"},
				OrganizationIdentifier: "NTRNL-99000001",
				IssuerURL:              base + "/oostland",
			},
			{
				ID:                     "sakuragaoka",
				Jurisdiction:           "jp",
				Country:                "JP",
				Name:                   Names{EN: "Sakuragaoka University", JA: "桜ヶ丘大学"},
				LegalName:              "桜ヶ丘大学",
				OrganizationIdentifier: "NTRJP-8999900000001",
				IssuerURL:              base + "/sakuragaoka",
			},
		},
		Verifiers: []Verifier{
			{
				ID:           "eu-desk",
				Jurisdiction: "eu",
				Country:      "NL",
				Name:         Names{EN: "Pilot Admissions Desk NL", JA: "パイロット入学審査窓口（オランダ）"},
				DNSName:      "eu-desk.localhost",
			},
			{
				ID:           "jp-desk",
				Jurisdiction: "jp",
				Country:      "JP",
				Name:         Names{EN: "Pilot Recruitment Desk JP", JA: "パイロット採用窓口（日本）"},
				DNSName:      "jp-desk.localhost",
			},
		},
		TLSHosts: []TLSHost{
			{
				ID:          "localhost",
				DNSNames:    []string{"localhost", "eu-desk.localhost", "jp-desk.localhost"},
				IPAddresses: []netip.Addr{netip.MustParseAddr("127.0.0.1"), netip.MustParseAddr("::1")},
			},
		},
	}
}

// Validate checks the whole Config and returns an error with CodeInvalid naming the first
// problem: ids (syntax, uniqueness per kind, known jurisdiction), countries, names (present,
// at most 64 characters, no control characters), organization identifiers (EN 319 412-1
// syntax; NTRJP check digit), issuer URLs (absolute, https or loopback http, unique), DNS
// names and IP addresses, and the limits in limits.go. It does not check that host names
// resolve or that issuer URLs are reachable.
func (c Config) Validate() error {
	if len(c.Jurisdictions) == 0 {
		return invalid("no jurisdictions")
	}
	if len(c.Jurisdictions) > maxJurisdictions {
		return invalid("more than %d jurisdictions", maxJurisdictions)
	}
	if len(c.Universities) > maxUniversities {
		return invalid("more than %d universities", maxUniversities)
	}
	if len(c.Verifiers) > maxVerifiers {
		return invalid("more than %d verifiers", maxVerifiers)
	}
	if len(c.TLSHosts) > maxTLSHosts {
		return invalid("more than %d TLS hosts", maxTLSHosts)
	}
	juris := make(map[string]bool, len(c.Jurisdictions))
	for i, j := range c.Jurisdictions {
		where := "jurisdictions[" + itoa(i) + "]"
		if err := checkID(where, j.ID); err != nil {
			return err
		}
		if j.ID == reservedTLSDir {
			return invalid("%s: id %q is reserved", where, j.ID)
		}
		if juris[j.ID] {
			return invalid("%s: duplicate id %q", where, j.ID)
		}
		juris[j.ID] = true
		if err := checkCountry(where, j.Country); err != nil {
			return err
		}
		if err := checkName(where+".scheme_operator", j.SchemeOperator); err != nil {
			return err
		}
		if err := checkName(where+".trust_service_provider", j.TrustServiceProvider); err != nil {
			return err
		}
		if j.LOTLOperator != "" {
			if err := checkName(where+".lotl_operator", j.LOTLOperator); err != nil {
				return err
			}
		}
	}
	ids := map[string]bool{}
	urls := map[string]bool{}
	for i, u := range c.Universities {
		where := "universities[" + itoa(i) + "]"
		if err := checkMember(where, u.ID, u.Jurisdiction, u.Country, juris, ids); err != nil {
			return err
		}
		if err := checkNames(where, u.Name, u.LegalName); err != nil {
			return err
		}
		if err := checkOrgID(where, u.OrganizationIdentifier, u.Country); err != nil {
			return err
		}
		if err := checkIssuerURL(where, u.IssuerURL); err != nil {
			return err
		}
		if urls[u.IssuerURL] {
			return invalid("%s: duplicate issuer_url %q", where, u.IssuerURL)
		}
		urls[u.IssuerURL] = true
	}
	ids = map[string]bool{}
	hosts := map[string]bool{}
	for i, v := range c.Verifiers {
		where := "verifiers[" + itoa(i) + "]"
		if err := checkMember(where, v.ID, v.Jurisdiction, v.Country, juris, ids); err != nil {
			return err
		}
		if err := checkNames(where, v.Name, v.LegalName); err != nil {
			return err
		}
		if v.OrganizationIdentifier != "" {
			if err := checkOrgID(where, v.OrganizationIdentifier, v.Country); err != nil {
				return err
			}
		}
		if err := checkDNSName(where+".dns_name", v.DNSName); err != nil {
			return err
		}
		if hosts[v.DNSName] {
			return invalid("%s: duplicate dns_name %q", where, v.DNSName)
		}
		hosts[v.DNSName] = true
	}
	ids = map[string]bool{}
	for i, h := range c.TLSHosts {
		where := "tls_hosts[" + itoa(i) + "]"
		if err := checkID(where, h.ID); err != nil {
			return err
		}
		if ids[h.ID] {
			return invalid("%s: duplicate id %q", where, h.ID)
		}
		ids[h.ID] = true
		n := len(h.DNSNames) + len(h.IPAddresses)
		if n == 0 {
			return invalid("%s: no dns_names and no ip_addresses", where)
		}
		if n > maxNamesPerHost {
			return invalid("%s: more than %d names", where, maxNamesPerHost)
		}
		seen := map[string]bool{}
		for _, d := range h.DNSNames {
			if err := checkDNSName(where+".dns_names", d); err != nil {
				return err
			}
			if seen[d] {
				return invalid("%s: duplicate dns name %q", where, d)
			}
			seen[d] = true
		}
		for _, a := range h.IPAddresses {
			if !a.IsValid() || a.Zone() != "" {
				return invalid("%s: invalid ip address %q", where, a.String())
			}
			if seen[a.String()] {
				return invalid("%s: duplicate ip address %q", where, a.String())
			}
			seen[a.String()] = true
		}
	}
	return nil
}

// reservedTLSDir is the top-level directory of the demo TLS CA and hosts.
const reservedTLSDir = "tls"

func invalid(format string, args ...any) error {
	return errorf(CodeInvalid, nil, "config: "+format, args...)
}

func itoa(i int) string { return strconv.Itoa(i) }

func checkMember(where, id, jurisdiction, country string, juris, ids map[string]bool) error {
	if err := checkID(where, id); err != nil {
		return err
	}
	if ids[id] {
		return invalid("%s: duplicate id %q", where, id)
	}
	ids[id] = true
	if !juris[jurisdiction] {
		return invalid("%s: unknown jurisdiction %q", where, jurisdiction)
	}
	return checkCountry(where, country)
}

func checkID(where, id string) error {
	if id == "" {
		return invalid("%s: empty id", where)
	}
	if len(id) > maxIDLen {
		return invalid("%s: id longer than %d bytes", where, maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '-'):
		default:
			return invalid("%s: id %q must be lowercase letters, digits and '-', starting with a letter", where, id)
		}
	}
	return nil
}

func checkCountry(where, c string) error {
	if len(c) != 2 || !isUpper(c[0]) || !isUpper(c[1]) {
		return invalid("%s: country %q is not an upper-case ISO 3166-1 alpha-2 code", where, c)
	}
	return nil
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func checkName(where, s string) error {
	if strings.TrimSpace(s) == "" {
		return invalid("%s: empty name", where)
	}
	if !utf8.ValidString(s) {
		return invalid("%s: name is not valid UTF-8", where)
	}
	if utf8.RuneCountInString(s) > maxNameLen {
		return invalid("%s: name longer than %d characters", where, maxNameLen)
	}
	if s != strings.TrimSpace(s) {
		return invalid("%s: name has leading or trailing space", where)
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return invalid("%s: name contains a control character", where)
		}
	}
	return nil
}

func checkNames(where string, n Names, legal string) error {
	if err := checkName(where+".name.en", n.EN); err != nil {
		return err
	}
	if n.JA != "" {
		if err := checkName(where+".name.ja", n.JA); err != nil {
			return err
		}
	}
	if legal != "" {
		return checkName(where+".legal_name", legal)
	}
	return nil
}

// checkOrgID checks the semantics identifier syntax of ETSI EN 319 412-1 §5.1.4: a
// three-letter type (VAT, NTR, PSD, LEI) or a two-letter national type followed by ':',
// a two-letter country code, '-', and the identifier.
func checkOrgID(where, id, country string) error {
	where += ".organization_identifier"
	if id == "" {
		return invalid("%s: empty", where)
	}
	if len(id) > maxOrgIDLen {
		return invalid("%s: longer than %d bytes", where, maxOrgIDLen)
	}
	var typ, cc, ref string
	switch {
	case len(id) >= 6 && isUpper(id[0]) && isUpper(id[1]) && isUpper(id[2]) && isUpper(id[3]) && isUpper(id[4]) && id[5] == '-':
		typ, cc, ref = id[:3], id[3:5], id[6:]
	case len(id) >= 6 && isUpper(id[0]) && isUpper(id[1]) && id[2] == ':' && isUpper(id[3]) && isUpper(id[4]) && id[5] == '-':
		typ, cc, ref = id[:3], id[3:5], id[6:]
	default:
		return invalid("%s: %q is not TYPE+CC-identifier (EN 319 412-1 §5.1.4)", where, id)
	}
	if ref == "" {
		return invalid("%s: %q has an empty identifier part", where, id)
	}
	for i := 0; i < len(ref); i++ {
		c := ref[i]
		if c < 0x21 || c > 0x7e {
			return invalid("%s: %q must be printable ASCII without spaces", where, id)
		}
	}
	switch typ {
	case "NTR", "VAT":
		if cc != country && !(typ == "VAT" && cc == "EL" && country == "GR") {
			return invalid("%s: %q names country %s, not %s", where, id, cc, country)
		}
	case "PSD":
	case "LEI":
		if cc != "XG" || len(ref) != 20 {
			return invalid("%s: %q is not LEIXG- and a 20-character LEI", where, id)
		}
	default:
		if typ[2] != ':' {
			return invalid("%s: unknown identifier type %q (want VAT, NTR, PSD, LEI or XX:)", where, typ)
		}
	}
	if typ == "NTR" {
		switch cc {
		case "JP":
			if !validHojinBango(ref) {
				return invalid("%s: %q: a 法人番号 has 13 digits with a valid check digit", where, id)
			}
		case "NL":
			if len(ref) != 8 || !allDigits(ref) {
				return invalid("%s: %q: a Dutch trade-register (KvK) number has 8 digits", where, id)
			}
		}
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// validHojinBango checks a Japanese corporate number (法人番号): 13 digits, the first being
// the check digit 9 - (Σ Pn×Qn mod 9) over the 12-digit base, Pn the n-th digit from the
// right, Qn 1 for odd n and 2 for even n (National Tax Agency specification).
func validHojinBango(s string) bool {
	if len(s) != 13 || !allDigits(s) {
		return false
	}
	sum := 0
	for n := 1; n <= 12; n++ {
		p := int(s[13-n] - '0')
		if n%2 == 0 {
			p *= 2
		}
		sum += p
	}
	return int(s[0]-'0') == 9-sum%9
}

func checkIssuerURL(where, s string) error {
	where += ".issuer_url"
	if s == "" {
		return invalid("%s: empty", where)
	}
	if len(s) > maxURLLen {
		return invalid("%s: longer than %d bytes", where, maxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil {
		return errorf(CodeInvalid, err, "config: %s", where)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || strings.ContainsAny(s, "?#") {
		return invalid("%s: %q must be an absolute URL with a host and no user, query or fragment", where, s)
	}
	if u.String() != s {
		return invalid("%s: %q is not in canonical form", where, s)
	}
	if strings.HasSuffix(u.Path, "/") {
		return invalid("%s: %q ends with '/'", where, s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return invalid("%s: %q must be ASCII", where, s)
		}
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopbackHost(u.Hostname()) {
			return invalid("%s: %q: http is allowed only on a loopback host", where, s)
		}
	default:
		return invalid("%s: %q: scheme must be https", where, s)
	}
	return nil
}

func isLoopbackHost(h string) bool {
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}

// checkDNSName accepts preferred-syntax host names (RFC 1034 §3.5, RFC 1123 §2.1 digits
// first allowed) in lower case, without a trailing dot or wildcard.
func checkDNSName(where, s string) error {
	if s == "" {
		return invalid("%s: empty dns name", where)
	}
	if len(s) > maxDNSNameLen {
		return invalid("%s: dns name longer than %d bytes", where, maxDNSNameLen)
	}
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return invalid("%s: %q is not a valid lower-case dns name", where, s)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || isDigit(c) || c == '-') {
				return invalid("%s: %q is not a valid lower-case dns name", where, s)
			}
		}
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return invalid("%s: %q is an IP address, not a dns name", where, s)
	}
	return nil
}
