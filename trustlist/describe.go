package trustlist

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"
)

// Description is the source of a list a pilot operator signs with SignXML or SignLoTE (and
// `hashi trustlist sign --in list.yaml`): one description gives a TS 119 612 XML list and a
// TS 119 602 LoTE with the same content. Read it with ParseDescription; build one in Go for
// generated lists (the demo's pilot lists). Certificates are PEM text; in a YAML file they
// may also be paths relative to the file.
//
// Example (YAML):
//
//	territory: JP
//	sequence: 3
//	issued: 2026-11-01T00:00:00Z
//	next_update: 2027-05-01T00:00:00Z
//	lote_type: http://tl.eujp.ownd-project.com/19602/LoTEType/EAAProvidersList
//	operator:
//	  names: {en: hashi pilot operator, ja: hashi パイロット運営者}
//	  address: {street: 1-1 Chiyoda, locality: Tokyo, country: JP, uri: https://pilot.example/}
//	providers:
//	  - names: {en: Sakuragaoka University, ja: 桜ヶ丘大学}
//	    address: {locality: Kyoto, country: JP, uri: https://sakuragaoka.example/}
//	    services:
//	      - type: http://tl.eujp.ownd-project.com/19602/SvcType/EAA/Issuance
//	        names: {en: Diploma seal}
//	        certificates: [sakuragaoka-seal.pem]
//	        status: granted
//	        status_start: 2026-06-01T00:00:00Z
type Description struct {
	// TSLType is the XML TSLType. Default: EUlistofthelists for territory EU,
	// EUgeneric for an EU/EEA member state, http://uri.etsi.org/TrstSvc/TrustedList/TSLType/CClist
	// (CC = territory) otherwise, as TS 119 612 clause 5.3.3 names non-EU lists.
	TSLType string `yaml:"tsl_type"`
	// LoTEType is the LoTE LoTEType; required for SignLoTE.
	LoTEType string `yaml:"lote_type"`
	// Version is the XML TSLVersionIdentifier: 5 (TS 119 612 v2.1.1) or 6 (v2.4.1).
	// Default: 6. A LoTE is always LoTEVersionIdentifier 1.
	Version int `yaml:"version"`
	// Sequence is the sequence number; at least 1, and higher than the last published one.
	Sequence uint64 `yaml:"sequence"`
	// Territory is the SchemeTerritory: two upper-case letters ("EU" for the LOTL).
	Territory string `yaml:"territory"`
	// Operator is the scheme operator.
	Operator Party `yaml:"operator"`
	// SchemeNames are SchemeName per language. Default: "<territory> trusted list" in English.
	SchemeNames Names `yaml:"scheme_names"`
	// InformationURIs are SchemeInformationURI per language (the LOTL lists its pivots here).
	InformationURIs Names `yaml:"information_uris"`
	// StatusDeterminationApproach: default ".../StatusDetn/EUappropriate" for EU and EU/EEA
	// member-state lists; required for XML lists of other territories.
	StatusDeterminationApproach string `yaml:"status_determination_approach"`
	// CommunityRules are SchemeTypeCommunityRules URIs. Default for EU member states:
	// .../schemerules/EUcommon and .../schemerules/<territory>; for the LOTL,
	// .../schemerules/EUlistofthelists.
	CommunityRules []string `yaml:"community_rules"`
	// LegalNotice is the PolicyOrLegalNotice text per language. Default: a pilot notice.
	LegalNotice Names `yaml:"legal_notice"`
	// HistoricalPeriod is HistoricalInformationPeriod in days. Default: 65535 (unlimited).
	HistoricalPeriod int `yaml:"historical_period"`
	// Issued is ListIssueDateTime; NextUpdate must be after it (a list is stale from then on).
	Issued     time.Time `yaml:"issued"`
	NextUpdate time.Time `yaml:"next_update"`
	// DistributionPoints are the URLs the list is published at.
	DistributionPoints []string `yaml:"distribution_points"`
	// Pointers point to other lists (a LOTL's pointers to member-state lists).
	Pointers []PointerDescription `yaml:"pointers"`
	// Providers are the trust service providers / trusted entities.
	Providers []ProviderDescription `yaml:"providers"`
}

// Party is a named organisation with an address.
type Party struct {
	Names   Names   `yaml:"names"`
	Address Address `yaml:"address"`
}

// Address is a postal address in one language plus an electronic address (a URI; an e-mail
// address is written "mailto:...").
type Address struct {
	Street     string `yaml:"street"`
	Locality   string `yaml:"locality"`
	PostalCode string `yaml:"postal_code"`
	Country    string `yaml:"country"`
	URI        string `yaml:"uri"`
	// Lang is the language of the postal address. Default: en.
	Lang string `yaml:"lang"`
}

// Names maps a language tag to a text ({en: ..., ja: ...}). Output lists English first, then
// the other languages in tag order.
type Names map[string]string

// PointerDescription is a pointer to another list.
type PointerDescription struct {
	Location  string `yaml:"location"`
	Territory string `yaml:"territory"`
	// Type is the pointed list's TSLType. Default: EUgeneric.
	Type string `yaml:"type"`
	// MimeType defaults to application/vnd.etsi.tsl+xml.
	MimeType      string `yaml:"mime_type"`
	OperatorNames Names  `yaml:"operator_names"`
	// Signers are the certificates allowed to sign the pointed list (PEM; in a YAML file also
	// paths). At least one.
	Signers []string `yaml:"signers"`
}

// ProviderDescription is one trust service provider / trusted entity.
type ProviderDescription struct {
	Party `yaml:",inline"`
	// TradeNames carry identifiers (e.g. "VATNL-..." or a 法人番号 "JCN-...").
	TradeNames      Names                `yaml:"trade_names"`
	InformationURIs Names                `yaml:"information_uris"`
	Services        []ServiceDescription `yaml:"services"`
}

// ServiceDescription is one service: its current state and its history, newest first.
type ServiceDescription struct {
	StateDescription `yaml:",inline"`
	History          []StateDescription `yaml:"history"`
}

// StateDescription is a service state.
type StateDescription struct {
	// Type is the ServiceTypeIdentifier URI; a value without a scheme is taken relative to
	// http://uri.etsi.org/TrstSvc/Svctype/ (e.g. "CA/QC", "EAA/Q"). History entries default
	// to the service's type.
	Type  string `yaml:"type"`
	Names Names  `yaml:"names"`
	// Certificates are the service's digital identity (PEM; in a YAML file also paths).
	// History entries default to the service's certificates.
	Certificates []string `yaml:"certificates"`
	// Status is the ServiceStatus URI or its last segment ("granted", "withdrawn", ...).
	// Required in XML lists; may be empty in a LoTE (presence on the list is the status).
	Status      string    `yaml:"status"`
	StatusStart time.Time `yaml:"status_start"`
	// AdditionalInformation holds AdditionalServiceInformation URIs (e.g.
	// AdditionalInfoForeSeals); XML lists only.
	AdditionalInformation []string `yaml:"additional_information"`
}

// Well-known URI prefixes.
const (
	tslTypePrefix    = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/"
	statusPrefix     = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/"
	serviceTypeBase  = "http://uri.etsi.org/TrstSvc/Svctype/"
	schemeRulesBase  = "http://uri.etsi.org/TrstSvc/TrustedList/schemerules/"
	statusDetnEU     = "http://uri.etsi.org/TrstSvc/TrustedList/StatusDetn/EUappropriate"
	defaultLegalText = "hashi EU–Japan pilot trust list. Not for production use."
)

// euTerritories are the EU member states (EL for Greece) and the EEA states with lists.
var euTerritories = []string{
	"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
	"LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "IS", "LI", "NO",
}

var territoryRE = regexp.MustCompile(`^[A-Z]{2}$`)

// maxDescriptionSize bounds a YAML description (1 MiB).
const maxDescriptionSize = 1 << 20

// ParseDescription reads a YAML description strictly (unknown fields are errors) and checks it
// (Validate). Certificate entries that are not PEM text are read as paths from files (the
// directory of the YAML file); pass nil to allow PEM text only. After ParseDescription every
// certificate entry holds PEM text.
func ParseDescription(data []byte, files fs.FS) (*Description, error) {
	if len(data) > maxDescriptionSize {
		return nil, errorf(CodeTooLarge, nil, "description is %d bytes, limit %d", len(data), maxDescriptionSize)
	}
	var d Description
	if err := yaml.UnmarshalWithOptions(data, &d, yaml.Strict(), yaml.DisallowUnknownField(), yaml.CustomUnmarshaler(yamlTime)); err != nil {
		return nil, errorf(CodeMalformed, nil, "description: %s", yaml.FormatError(err, false, false))
	}
	resolve := func(refs []string, what string) error {
		for i, r := range refs {
			if strings.Contains(r, "-----BEGIN") {
				continue
			}
			if files == nil {
				return errorf(CodeInvalidArgument, nil, "%s: %q is not PEM text", what, r)
			}
			b, err := fs.ReadFile(files, strings.TrimPrefix(r, "./"))
			if err != nil {
				return errorf(CodeInvalidArgument, err, "%s: read %s", what, r)
			}
			refs[i] = string(b)
		}
		return nil
	}
	for i := range d.Pointers {
		if err := resolve(d.Pointers[i].Signers, fmt.Sprintf("pointers[%d].signers", i)); err != nil {
			return nil, err
		}
	}
	for i := range d.Providers {
		for j := range d.Providers[i].Services {
			s := &d.Providers[i].Services[j]
			where := fmt.Sprintf("providers[%d].services[%d]", i, j)
			if err := resolve(s.Certificates, where+".certificates"); err != nil {
				return nil, err
			}
			for k := range s.History {
				if err := resolve(s.History[k].Certificates, fmt.Sprintf("%s.history[%d].certificates", where, k)); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	return &d, nil
}

// yamlTime reads an RFC 3339 date-time (quoted or not); anything else is an error, never a
// zero time.
func yamlTime(t *time.Time, b []byte) error {
	v, err := time.Parse(time.RFC3339, strings.Trim(strings.TrimSpace(string(b)), `"'`))
	if err != nil {
		return fmt.Errorf("%q is not an RFC 3339 date-time (e.g. 2027-05-01T00:00:00Z)", b)
	}
	*t = v.UTC()
	return nil
}

// Validate checks the description; the error names the first offending field. It does not
// check LoTEType (only SignLoTE needs it) or the signer.
func (d *Description) Validate() error {
	_, err := d.model(FormatXML)
	return err
}

// List returns the model of the list the description gives in format f, unsigned (Signature
// is nil), with every default applied: what SignXML or SignLoTE will sign.
func (d *Description) List(f Format) (*List, error) {
	return d.model(f)
}

func invalid(field, format string, args ...any) error {
	return errorf(CodeInvalidArgument, nil, "description %s: %s", field, fmt.Sprintf(format, args...))
}

// model checks d and builds the List model for format f.
func (d *Description) model(f Format) (*List, error) {
	l := &List{Format: f, SequenceNumber: d.Sequence, Territory: d.Territory, IssueDate: d.Issued.UTC(), NextUpdate: d.NextUpdate.UTC()}
	if !territoryRE.MatchString(d.Territory) {
		return nil, invalid("territory", "%q is not two upper-case letters", d.Territory)
	}
	eu := d.Territory == "EU"
	member := slices.Contains(euTerritories, d.Territory)
	switch f {
	case FormatXML:
		l.Version = d.Version
		if l.Version == 0 {
			l.Version = 6
		}
		if l.Version != 5 && l.Version != 6 {
			return nil, invalid("version", "%d (want 5 or 6)", d.Version)
		}
		l.Type = d.TSLType
		if l.Type == "" {
			switch {
			case eu:
				l.Type = TSLTypeEUListOfLists
			case member:
				l.Type = TSLTypeEUGeneric
			default:
				l.Type = tslTypePrefix + d.Territory + "list"
			}
		}
		l.StatusDeterminationApproach = d.StatusDeterminationApproach
		if l.StatusDeterminationApproach == "" {
			if !eu && !member {
				return nil, invalid("status_determination_approach", "required for territory %s", d.Territory)
			}
			l.StatusDeterminationApproach = statusDetnEU
		}
	case FormatLoTE:
		l.Version = LoTEVersion
		l.Type = d.LoTEType
		if l.Type == "" {
			return nil, invalid("lote_type", "required for a LoTE")
		}
		l.StatusDeterminationApproach = d.StatusDeterminationApproach
	default:
		return nil, errorf(CodeInvalidArgument, nil, "format %q", f)
	}
	if err := checkAbsURI(l.Type); err != nil {
		return nil, invalid("type", "%v", err)
	}
	if l.StatusDeterminationApproach != "" {
		if err := checkAbsURI(l.StatusDeterminationApproach); err != nil {
			return nil, invalid("status_determination_approach", "%v", err)
		}
	}
	if d.Sequence < 1 {
		return nil, invalid("sequence", "must be at least 1")
	}
	if d.Issued.IsZero() || d.NextUpdate.IsZero() {
		return nil, invalid("issued/next_update", "both are required")
	}
	if !d.NextUpdate.After(d.Issued) {
		return nil, invalid("next_update", "%s is not after issued %s", d.NextUpdate.Format(time.RFC3339), d.Issued.Format(time.RFC3339))
	}
	if d.HistoricalPeriod < 0 || d.HistoricalPeriod > 65535 {
		return nil, invalid("historical_period", "%d out of range 0..65535", d.HistoricalPeriod)
	}
	l.HistoricalInformationPeriod = d.HistoricalPeriod
	if l.HistoricalInformationPeriod == 0 {
		l.HistoricalInformationPeriod = 65535
	}
	var err error
	if l.OperatorNames, err = d.Operator.Names.list("operator.names", true); err != nil {
		return nil, err
	}
	if err := d.Operator.Address.check("operator.address"); err != nil {
		return nil, err
	}
	if l.SchemeNames, err = d.SchemeNames.list("scheme_names", false); err != nil {
		return nil, err
	}
	if len(l.SchemeNames) == 0 {
		l.SchemeNames = []LangString{{Lang: "en", Value: d.Territory + " trusted list"}}
	}
	if l.InformationURIs, err = d.InformationURIs.uris("information_uris"); err != nil {
		return nil, err
	}
	rules := d.CommunityRules
	if len(rules) == 0 && d.TSLType == "" && f == FormatXML {
		switch {
		case eu:
			rules = []string{schemeRulesBase + "EUlistofthelists"}
		case member:
			rules = []string{schemeRulesBase + "EUcommon", schemeRulesBase + d.Territory}
		}
	}
	for i, r := range rules {
		if err := checkAbsURI(r); err != nil {
			return nil, invalid(fmt.Sprintf("community_rules[%d]", i), "%v", err)
		}
		l.CommunityRules = append(l.CommunityRules, LangString{Lang: "en", Value: r})
	}
	if _, err := d.LegalNotice.list("legal_notice", false); err != nil {
		return nil, err
	}
	for i, u := range d.DistributionPoints {
		if err := checkAbsURI(u); err != nil {
			return nil, invalid(fmt.Sprintf("distribution_points[%d]", i), "%v", err)
		}
		l.DistributionPoints = append(l.DistributionPoints, u)
	}
	for i, p := range d.Pointers {
		ptr, err := p.model(fmt.Sprintf("pointers[%d]", i))
		if err != nil {
			return nil, err
		}
		l.Pointers = append(l.Pointers, ptr)
	}
	for i, p := range d.Providers {
		prov, err := p.model(fmt.Sprintf("providers[%d]", i), f)
		if err != nil {
			return nil, err
		}
		l.Providers = append(l.Providers, prov)
	}
	return l, nil
}

func (p PointerDescription) model(where string) (Pointer, error) {
	ptr := Pointer{Location: p.Location, Territory: p.Territory, Type: p.Type, MimeType: p.MimeType}
	if err := checkAbsURI(p.Location); err != nil {
		return ptr, invalid(where+".location", "%v", err)
	}
	if !territoryRE.MatchString(p.Territory) {
		return ptr, invalid(where+".territory", "%q is not two upper-case letters", p.Territory)
	}
	if ptr.Type == "" {
		ptr.Type = TSLTypeEUGeneric
	}
	if ptr.MimeType == "" {
		ptr.MimeType = MimeTypeTSLXML
	}
	var err error
	if ptr.OperatorNames, err = p.OperatorNames.list(where+".operator_names", false); err != nil {
		return ptr, err
	}
	if ptr.Signers, err = parsePEMs(p.Signers, where+".signers"); err != nil {
		return ptr, err
	}
	if len(ptr.Signers) == 0 {
		return ptr, invalid(where+".signers", "at least one certificate is required")
	}
	return ptr, nil
}

func (p ProviderDescription) model(where string, f Format) (Provider, error) {
	var prov Provider
	var err error
	if prov.Names, err = p.Names.list(where+".names", true); err != nil {
		return prov, err
	}
	if err := p.Address.check(where + ".address"); err != nil {
		return prov, err
	}
	if prov.TradeNames, err = p.TradeNames.list(where+".trade_names", false); err != nil {
		return prov, err
	}
	if prov.InformationURIs, err = p.InformationURIs.uris(where + ".information_uris"); err != nil {
		return prov, err
	}
	if len(p.Services) == 0 {
		return prov, invalid(where+".services", "at least one service is required")
	}
	for i, s := range p.Services {
		sw := fmt.Sprintf("%s.services[%d]", where, i)
		cur, err := s.model(sw, f, nil)
		if err != nil {
			return prov, err
		}
		svc := Service{ServiceState: cur}
		prev := cur.StatusStart
		for j, h := range s.History {
			hw := fmt.Sprintf("%s.history[%d]", sw, j)
			st, err := h.model(hw, f, &cur)
			if err != nil {
				return prov, err
			}
			if f == FormatXML || st.Status != "" {
				if st.StatusStart.IsZero() || !st.StatusStart.Before(prev) {
					return prov, invalid(hw+".status_start", "history is newest first: each status_start must be before the one above it")
				}
				prev = st.StatusStart
			}
			svc.History = append(svc.History, st)
		}
		prov.Services = append(prov.Services, svc)
	}
	return prov, nil
}

// model checks a state; cur is the service's current state when s is a history entry.
func (s StateDescription) model(where string, f Format, cur *ServiceState) (ServiceState, error) {
	st := ServiceState{Type: s.Type, Status: s.Status, StatusStart: s.StatusStart.UTC()}
	if st.Type == "" && cur != nil {
		st.Type = cur.Type
	}
	if st.Type != "" && !strings.Contains(st.Type, "://") {
		st.Type = serviceTypeBase + st.Type
	}
	if err := checkAbsURI(st.Type); err != nil {
		return st, invalid(where+".type", "%v", err)
	}
	if st.Status != "" && !strings.Contains(st.Status, "://") {
		st.Status = statusPrefix + st.Status
	}
	switch {
	case st.Status == "" && (f == FormatXML || cur != nil):
		return st, invalid(where+".status", "required (XML lists and history entries)")
	case st.Status != "":
		if err := checkAbsURI(st.Status); err != nil {
			return st, invalid(where+".status", "%v", err)
		}
		if st.StatusStart.IsZero() {
			return st, invalid(where+".status_start", "required with a status")
		}
	}
	var err error
	if cur != nil && len(s.Names) == 0 {
		st.Names = cur.Names
	} else if st.Names, err = s.Names.list(where+".names", true); err != nil {
		return st, err
	}
	if st.Identity.Certificates, err = parsePEMs(s.Certificates, where+".certificates"); err != nil {
		return st, err
	}
	if len(st.Identity.Certificates) == 0 {
		if cur == nil {
			return st, invalid(where+".certificates", "at least one certificate is required")
		}
		st.Identity.Certificates = cur.Identity.Certificates
	}
	if len(s.AdditionalInformation) > 0 && f == FormatLoTE {
		return st, invalid(where+".additional_information", "not representable in a LoTE")
	}
	for i, u := range s.AdditionalInformation {
		if err := checkAbsURI(u); err != nil {
			return st, invalid(fmt.Sprintf("%s.additional_information[%d]", where, i), "%v", err)
		}
		st.Extensions.AdditionalServiceInformation = append(st.Extensions.AdditionalServiceInformation, u)
	}
	return st, nil
}

// list returns the names English first, then by tag; required names must be non-empty.
func (n Names) list(where string, required bool) ([]LangString, error) {
	if required && len(n) == 0 {
		return nil, invalid(where, "at least one name is required")
	}
	langs := make([]string, 0, len(n))
	for k, v := range n {
		if k == "" || strings.TrimSpace(v) == "" {
			return nil, invalid(where, "empty language tag or text")
		}
		langs = append(langs, k)
	}
	slices.SortFunc(langs, func(a, b string) int {
		switch {
		case a == b:
			return 0
		case a == "en":
			return -1
		case b == "en":
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]LangString, 0, len(langs))
	for _, k := range langs {
		out = append(out, LangString{Lang: k, Value: n[k]})
	}
	return out, nil
}

func (n Names) uris(where string) ([]LangString, error) {
	out, err := n.list(where, false)
	for _, u := range out {
		if err := checkAbsURI(u.Value); err != nil {
			return nil, invalid(where, "%v", err)
		}
	}
	return out, err
}

func (a Address) check(where string) error {
	switch {
	case a.Street == "" || a.Locality == "" || a.Country == "":
		return invalid(where, "street, locality and country are required")
	case !territoryRE.MatchString(a.Country):
		return invalid(where+".country", "%q is not two upper-case letters", a.Country)
	case a.URI == "":
		return invalid(where+".uri", "an electronic address is required (https://... or mailto:...)")
	}
	if err := checkAbsURI(a.URI); err != nil {
		return invalid(where+".uri", "%v", err)
	}
	return nil
}

func (a Address) lang() string {
	if a.Lang == "" {
		return "en"
	}
	return a.Lang
}

func checkAbsURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || strings.ContainsAny(s, " \t\r\n") {
		return fmt.Errorf("%q is not an absolute URI", s)
	}
	return nil
}

// parsePEMs decodes every CERTIFICATE block of every entry.
func parsePEMs(entries []string, where string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for i, e := range entries {
		rest := []byte(e)
		n := 0
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			if b.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, errorf(CodeInvalidArgument, err, "description %s[%d]: certificate", where, i)
			}
			out = append(out, c)
			n++
		}
		if n == 0 || len(bytes.TrimSpace(rest)) != 0 {
			return nil, invalid(fmt.Sprintf("%s[%d]", where, i), "not PEM certificates")
		}
	}
	return out, nil
}
