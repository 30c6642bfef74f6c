package wallet

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/internal/safehttp"
)

// Protocol names of OpenID4VCI 1.0.
const (
	GrantPreAuthorizedCode = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	GrantAuthorizationCode = "authorization_code"
	ProofTypeJWT           = "openid4vci-proof+jwt"
	FormatSDJWTVC          = "dc+sd-jwt"
	FormatJWTVCJSON        = "jwt_vc_json"
)

// CredentialOffer is an OpenID4VCI 1.0 §4.1.1 credential offer.
type CredentialOffer struct {
	CredentialIssuer           string   `json:"credential_issuer"`
	CredentialConfigurationIDs []string `json:"credential_configuration_ids"`
	// PreAuthorizedCode is the pre-authorized code grant, nil when the offer has none.
	PreAuthorizedCode *PreAuthorizedGrant `json:"-"`
	// AuthorizationCode reports that the offer carries an authorization_code grant (not
	// supported by this wallet).
	AuthorizationCode bool `json:"-"`
}

// PreAuthorizedGrant is the urn:ietf:params:oauth:grant-type:pre-authorized_code grant.
type PreAuthorizedGrant struct {
	PreAuthorizedCode   string  `json:"pre-authorized_code"`
	TxCode              *TxCode `json:"tx_code,omitempty"`
	AuthorizationServer string  `json:"authorization_server,omitempty"`
}

// TxCode describes the transaction code the student must enter (OpenID4VCI 1.0 §4.1.1).
type TxCode struct {
	// InputMode is "numeric" (the default) or "text".
	InputMode string `json:"input_mode,omitempty"`
	// Length is the code's length, 0 when not announced.
	Length int `json:"length,omitempty"`
	// Description tells the student where the code comes from (at most 300 characters).
	Description string `json:"description,omitempty"`
}

// OfferLink is a parsed openid-credential-offer:// link: an offer by value, or the URI of
// one.
type OfferLink struct {
	Offer    *CredentialOffer
	OfferURI string
}

// ParseOfferLink parses an offer link (openid-credential-offer://, haip-vci:// or the
// wallet's own https URL) with exactly one of credential_offer (parsed with
// ParseCredentialOffer) and credential_offer_uri (an absolute http(s) URL; whether the wallet
// may fetch it is checked when fetching). It does no I/O.
func ParseOfferLink(raw string) (*OfferLink, error) {
	if len(raw) > MaxLinkLength {
		return nil, errorf(CodeInvalidOffer, nil, "link longer than %d bytes", MaxLinkLength)
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, errorf(CodeInvalidOffer, err, "unparsable link")
	}
	switch u.Scheme {
	case "openid-credential-offer", "haip-vci", "https", "http":
	default:
		return nil, errorf(CodeInvalidOffer, nil, "scheme %q is not an offer link", u.Scheme)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, errorf(CodeInvalidOffer, err, "unparsable query")
	}
	byValue, byRef := q["credential_offer"], q["credential_offer_uri"]
	switch {
	case len(byValue) == 1 && len(byRef) == 0:
		o, err := ParseCredentialOffer([]byte(byValue[0]))
		if err != nil {
			return nil, err
		}
		return &OfferLink{Offer: o}, nil
	case len(byRef) == 1 && len(byValue) == 0:
		ref, err := url.Parse(byRef[0])
		if err != nil || !ref.IsAbs() || (ref.Scheme != "https" && ref.Scheme != "http") || ref.Host == "" {
			return nil, errorf(CodeInvalidOffer, err, "credential_offer_uri is not an absolute https URL")
		}
		return &OfferLink{OfferURI: byRef[0]}, nil
	default:
		return nil, errorf(CodeInvalidOffer, nil, "need exactly one credential_offer or credential_offer_uri")
	}
}

// ParseCredentialOffer decodes and checks a credential offer object: strict JSON (no
// duplicate members), credential_issuer an absolute http(s) URL without query or fragment,
// credential_configuration_ids non-empty, unique and at most MaxOfferedConfigurations, and
// the pre-authorized code grant (when present) with a non-empty code and a tx_code of a
// known input mode, a length in [0, MaxTxCodeLength] and a description of at most 300
// characters. Unknown members and grants are ignored (§4.1.1).
func ParseCredentialOffer(b []byte) (*CredentialOffer, error) {
	var raw struct {
		CredentialIssuer           string                     `json:"credential_issuer"`
		CredentialConfigurationIDs []string                   `json:"credential_configuration_ids"`
		Grants                     map[string]json.RawMessage `json:"grants"`
	}
	if len(b) > MaxOfferSize {
		return nil, errorf(CodeInvalidOffer, nil, "offer larger than %d bytes", MaxOfferSize)
	}
	if err := jose.DecodeJSON(b, &raw); err != nil {
		return nil, errorf(CodeInvalidOffer, err, "offer is not a JSON object")
	}
	if err := checkIssuerID(raw.CredentialIssuer); err != nil {
		return nil, errorf(CodeInvalidOffer, err, "credential_issuer")
	}
	ids := raw.CredentialConfigurationIDs
	if len(ids) == 0 || len(ids) > MaxOfferedConfigurations {
		return nil, errorf(CodeInvalidOffer, nil, "credential_configuration_ids must hold 1 to %d ids", MaxOfferedConfigurations)
	}
	for i, id := range ids {
		if id == "" || slices.Contains(ids[:i], id) {
			return nil, errorf(CodeInvalidOffer, nil, "empty or duplicate credential_configuration_id")
		}
	}
	o := &CredentialOffer{CredentialIssuer: raw.CredentialIssuer, CredentialConfigurationIDs: ids}
	if g, ok := raw.Grants[GrantPreAuthorizedCode]; ok {
		var pre PreAuthorizedGrant
		if err := json.Unmarshal(g, &pre); err != nil {
			return nil, errorf(CodeInvalidOffer, err, "pre-authorized_code grant")
		}
		if pre.PreAuthorizedCode == "" {
			return nil, errorf(CodeInvalidOffer, nil, "empty pre-authorized_code")
		}
		if tc := pre.TxCode; tc != nil {
			if tc.InputMode == "" {
				tc.InputMode = "numeric"
			}
			if (tc.InputMode != "numeric" && tc.InputMode != "text") || tc.Length < 0 || tc.Length > MaxTxCodeLength ||
				utf8.RuneCountInString(tc.Description) > 300 {
				return nil, errorf(CodeInvalidOffer, nil, "bad tx_code description")
			}
		}
		o.PreAuthorizedCode = &pre
	}
	if _, ok := raw.Grants[GrantAuthorizationCode]; ok {
		o.AuthorizationCode = true
	}
	return o, nil
}

// checkIssuerID checks the syntax of a Credential Issuer Identifier (§12.2.1): an absolute
// https URL (http is let through here; the fetching client decides) with a host, without
// user info, query or fragment.
func checkIssuerID(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#") {
		return errorf(CodeInvalidOffer, nil, "not an https URL without query and fragment")
	}
	return nil
}

// wellKnown inserts /.well-known/<name> between the host and the path of id.
func wellKnown(id, name string) (string, error) {
	u, err := url.Parse(id)
	if err != nil {
		return "", err
	}
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Host + "/.well-known/" + name + p, nil
}

// IssuerMetadata is the part of Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4) the
// wallet uses.
type IssuerMetadata struct {
	CredentialIssuer             string                   `json:"credential_issuer"`
	AuthorizationServers         []string                 `json:"authorization_servers,omitempty"`
	CredentialEndpoint           string                   `json:"credential_endpoint"`
	NonceEndpoint                string                   `json:"nonce_endpoint,omitempty"`
	DeferredCredentialEndpoint   string                   `json:"deferred_credential_endpoint,omitempty"`
	NotificationEndpoint         string                   `json:"notification_endpoint,omitempty"`
	BatchCredentialIssuance      *BatchCredentialIssuance `json:"batch_credential_issuance,omitempty"`
	CredentialResponseEncryption *EncryptionMetadata      `json:"credential_response_encryption,omitempty"`
	CredentialRequestEncryption  *EncryptionMetadata      `json:"credential_request_encryption,omitempty"`
	Display                      []MetadataDisplay        `json:"display,omitempty"`
	// CredentialConfigurationsSupported holds only the configurations the offer names.
	CredentialConfigurationsSupported map[string]CredentialConfiguration `json:"-"`
}

// BatchCredentialIssuance is the batch_credential_issuance metadata.
type BatchCredentialIssuance struct {
	BatchSize int `json:"batch_size"`
}

// EncryptionMetadata is credential request or response encryption metadata; the wallet
// only reads whether encryption is required.
type EncryptionMetadata struct {
	EncryptionRequired bool `json:"encryption_required"`
}

// MetadataDisplay is one display entry of issuer or credential metadata.
type MetadataDisplay struct {
	Name        string `json:"name,omitempty"`
	Locale      string `json:"locale,omitempty"`
	Description string `json:"description,omitempty"`
}

// CredentialConfiguration is one credential configuration (§12.2.4) as the wallet reads it.
type CredentialConfiguration struct {
	Format                               string                       `json:"format"`
	Scope                                string                       `json:"scope,omitempty"`
	VCT                                  string                       `json:"vct,omitempty"`
	CredentialDefinition                 *CredentialDefinition        `json:"credential_definition,omitempty"`
	CryptographicBindingMethodsSupported []string                     `json:"cryptographic_binding_methods_supported,omitempty"`
	ProofTypesSupported                  map[string]ProofTypeMetadata `json:"proof_types_supported,omitempty"`
	CredentialMetadata                   *struct {
		Display []MetadataDisplay `json:"display,omitempty"`
	} `json:"credential_metadata,omitempty"`
}

// CredentialDefinition is the jwt_vc_json credential_definition.
type CredentialDefinition struct {
	Type []string `json:"type"`
}

// ProofTypeMetadata is one entry of proof_types_supported.
type ProofTypeMetadata struct {
	ProofSigningAlgValuesSupported []string `json:"proof_signing_alg_values_supported"`
}

// Offer is a resolved credential offer: the offer, the issuer's metadata and its
// authorization server's token endpoint, with what a UI needs to prompt the student. It is
// plain data (JSON-encodable), so the hosted wallet can keep it between the prompt and
// Receive.
type Offer struct {
	CredentialOffer *CredentialOffer `json:"credential_offer"`
	// PreAuthorizedCode duplicates CredentialOffer.PreAuthorizedCode for JSON round trips.
	PreAuthorizedCode *PreAuthorizedGrant                `json:"pre_authorized_code"`
	Metadata          *IssuerMetadata                    `json:"issuer_metadata"`
	Configurations    map[string]CredentialConfiguration `json:"configurations"`
	TokenEndpoint     string                             `json:"token_endpoint"`
	// IssuerName is the issuer's display name from its metadata.
	IssuerName Names `json:"issuer_name,omitempty"`
	// Credentials lists what is offered, in offer order, with display names.
	Credentials []OfferedCredential `json:"credentials"`
}

// OfferedCredential is one offered credential configuration.
type OfferedCredential struct {
	ConfigurationID string   `json:"credential_configuration_id"`
	Format          string   `json:"format"`
	VCT             string   `json:"vct,omitempty"`
	Types           []string `json:"types,omitempty"`
	Display         Display  `json:"display"`
}

// TxCode returns the transaction code the student must enter first, or nil when none is
// needed.
func (o *Offer) TxCode() *TxCode {
	if o.PreAuthorizedCode == nil {
		return nil
	}
	return o.PreAuthorizedCode.TxCode
}

// ParseOffer resolves an offer link: parses it (ParseOfferLink), fetches the offer by
// reference through the wallet's client when needed (https, or loopback http where the
// client allows; no redirects; MaxOfferSize), fetches the issuer metadata from the
// path-inserted well-known URL and requires its credential_issuer to equal the offer's byte
// for byte, checks that every offered configuration exists with a supported format
// (dc+sd-jwt, jwt_vc_json), a jwt proof type allowing ES256 when key binding is asked for,
// and no mandatory encryption, and fetches the RFC 8414 authorization-server metadata
// (path-inserted, of the grant's authorization_server, the only listed one, or the issuer
// itself), whose issuer must match and which must name a token endpoint.
//
// Only the pre-authorized code flow is supported: an offer without that grant fails with
// CodeUnsupportedOffer. ParseOffer stores nothing.
func (w *Wallet) ParseOffer(ctx context.Context, link string) (*Offer, error) {
	l, err := ParseOfferLink(link)
	if err != nil {
		return nil, err
	}
	co := l.Offer
	if co == nil {
		resp, err := w.client.Get(ctx, l.OfferURI, "application/json", safehttp.MaxBody(MaxOfferSize))
		if err != nil {
			return nil, fetchErr(err, "fetch credential offer")
		}
		if err := resp.Expect(200); err != nil {
			return nil, errorf(CodeInvalidOffer, err, "fetch credential offer")
		}
		if co, err = ParseCredentialOffer(resp.Body); err != nil {
			return nil, err
		}
	}
	if co.PreAuthorizedCode == nil {
		return nil, errorf(CodeUnsupportedOffer, nil, "the offer has no pre-authorized code grant")
	}
	md, confs, err := w.issuerMetadata(ctx, co)
	if err != nil {
		return nil, err
	}
	tokenEndpoint, err := w.tokenEndpoint(ctx, co, md)
	if err != nil {
		return nil, err
	}
	o := &Offer{
		CredentialOffer: co, PreAuthorizedCode: co.PreAuthorizedCode, Metadata: md, Configurations: confs,
		TokenEndpoint: tokenEndpoint, IssuerName: namesOf(md.Display),
	}
	for _, id := range co.CredentialConfigurationIDs {
		c := confs[id]
		oc := OfferedCredential{ConfigurationID: id, Format: c.Format, VCT: c.VCT, Display: displayFor(c, md)}
		if c.CredentialDefinition != nil {
			oc.Types = c.CredentialDefinition.Type
		}
		o.Credentials = append(o.Credentials, oc)
	}
	return o, nil
}

func (w *Wallet) getJSON(ctx context.Context, rawURL string, limit int64, v any, code Code, what string) error {
	resp, err := w.client.Get(ctx, rawURL, "application/json", safehttp.MaxBody(limit))
	if err != nil {
		return fetchErr(err, "fetch "+what)
	}
	if err := resp.Expect(200); err != nil {
		return errorf(code, err, "fetch %s", what)
	}
	if err := jose.DecodeJSON(resp.Body, v); err != nil {
		return errorf(code, err, "decode %s", what)
	}
	return nil
}

func (w *Wallet) issuerMetadata(ctx context.Context, co *CredentialOffer) (*IssuerMetadata, map[string]CredentialConfiguration, error) {
	mdURL, err := wellKnown(co.CredentialIssuer, "openid-credential-issuer")
	if err != nil {
		return nil, nil, errorf(CodeInvalidOffer, err, "credential_issuer")
	}
	var raw struct {
		IssuerMetadata
		Configurations map[string]json.RawMessage `json:"credential_configurations_supported"`
	}
	if err := w.getJSON(ctx, mdURL, MaxMetadataSize, &raw, CodeInvalidIssuerMetadata, "issuer metadata"); err != nil {
		return nil, nil, err
	}
	md := raw.IssuerMetadata
	if md.CredentialIssuer != co.CredentialIssuer {
		return nil, nil, errorf(CodeInvalidIssuerMetadata, nil, "metadata credential_issuer %q is not the offer's %q", md.CredentialIssuer, co.CredentialIssuer)
	}
	for _, e := range []string{md.CredentialEndpoint, md.NonceEndpoint, md.DeferredCredentialEndpoint, md.NotificationEndpoint} {
		if e == "" && e != md.CredentialEndpoint {
			continue
		}
		if _, err := w.client.CheckURL(e); err != nil {
			return nil, nil, errorf(CodeInvalidIssuerMetadata, err, "endpoint %q", e)
		}
	}
	if md.CredentialRequestEncryption != nil && md.CredentialRequestEncryption.EncryptionRequired ||
		md.CredentialResponseEncryption != nil && md.CredentialResponseEncryption.EncryptionRequired {
		return nil, nil, errorf(CodeUnsupportedOffer, nil, "the issuer requires encrypted credential requests or responses")
	}
	confs := map[string]CredentialConfiguration{}
	for _, id := range co.CredentialConfigurationIDs {
		b, ok := raw.Configurations[id]
		if !ok {
			return nil, nil, errorf(CodeInvalidOffer, nil, "offered configuration %q is not in the issuer metadata", id)
		}
		var c CredentialConfiguration
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, nil, errorf(CodeInvalidIssuerMetadata, err, "configuration %q", id)
		}
		switch c.Format {
		case FormatSDJWTVC:
			if c.VCT == "" {
				return nil, nil, errorf(CodeInvalidIssuerMetadata, nil, "configuration %q has no vct", id)
			}
		case FormatJWTVCJSON:
			if c.CredentialDefinition == nil || len(c.CredentialDefinition.Type) == 0 {
				return nil, nil, errorf(CodeInvalidIssuerMetadata, nil, "configuration %q has no credential_definition.type", id)
			}
		default:
			return nil, nil, errorf(CodeUnsupportedOffer, nil, "format %q is not supported", c.Format)
		}
		if c.ProofTypesSupported != nil {
			jwt, ok := c.ProofTypesSupported["jwt"]
			if !ok || !slices.Contains(jwt.ProofSigningAlgValuesSupported, string(jose.ES256)) {
				return nil, nil, errorf(CodeUnsupportedOffer, nil, "configuration %q needs a proof type other than jwt with ES256", id)
			}
		}
		confs[id] = c
	}
	md.CredentialConfigurationsSupported = confs
	return &md, confs, nil
}

// ASMetadata is the part of RFC 8414 authorization-server metadata the wallet uses.
type ASMetadata struct {
	Issuer                        string   `json:"issuer"`
	TokenEndpoint                 string   `json:"token_endpoint"`
	GrantTypesSupported           []string `json:"grant_types_supported,omitempty"`
	DPoPSigningAlgValuesSupported []string `json:"dpop_signing_alg_values_supported,omitempty"`
}

// tokenEndpoint finds the token endpoint for the offer's pre-authorized code: at the grant's
// authorization_server (which the issuer must list), else at the first listed server whose
// metadata does not rule the grant out (OpenID4VCI 1.0 §12.2.4: the wallet may tell them
// apart by grant_types_supported), else at the credential issuer itself.
func (w *Wallet) tokenEndpoint(ctx context.Context, co *CredentialOffer, md *IssuerMetadata) (string, error) {
	candidates := []string{co.CredentialIssuer}
	if len(md.AuthorizationServers) > 0 {
		candidates = md.AuthorizationServers
		if g := co.PreAuthorizedCode.AuthorizationServer; g != "" {
			if !slices.Contains(md.AuthorizationServers, g) {
				return "", errorf(CodeInvalidOffer, nil, "grant authorization_server is not listed in the issuer metadata")
			}
			candidates = []string{g}
		}
	}
	var last error
	for _, as := range candidates {
		am, err := w.asMetadata(ctx, as)
		if err != nil {
			last = err
			continue
		}
		if am.GrantTypesSupported != nil && !slices.Contains(am.GrantTypesSupported, GrantPreAuthorizedCode) {
			last = errorf(CodeUnsupportedOffer, nil, "authorization server %s does not support the pre-authorized code grant", as)
			continue
		}
		return am.TokenEndpoint, nil
	}
	return "", last
}

// asMetadata fetches and checks one authorization server's metadata.
func (w *Wallet) asMetadata(ctx context.Context, as string) (*ASMetadata, error) {
	if err := checkIssuerID(as); err != nil {
		return nil, errorf(CodeInvalidIssuerMetadata, err, "authorization server")
	}
	asURL, err := wellKnown(as, "oauth-authorization-server")
	if err != nil {
		return nil, errorf(CodeInvalidIssuerMetadata, err, "authorization server")
	}
	var am ASMetadata
	if err := w.getJSON(ctx, asURL, MaxMetadataSize, &am, CodeInvalidIssuerMetadata, "authorization server metadata"); err != nil {
		return nil, err
	}
	if am.Issuer != as {
		return nil, errorf(CodeInvalidIssuerMetadata, nil, "authorization server metadata issuer %q is not %q", am.Issuer, as)
	}
	if _, err := w.client.CheckURL(am.TokenEndpoint); err != nil {
		return nil, errorf(CodeInvalidIssuerMetadata, err, "token_endpoint")
	}
	return &am, nil
}

func namesOf(ds []MetadataDisplay) Names {
	n := Names{}
	for _, d := range ds {
		loc := d.Locale
		if loc == "" {
			loc = "en"
		}
		if _, ok := n[loc]; !ok && d.Name != "" {
			n[loc] = d.Name
		}
	}
	if len(n) == 0 {
		return nil
	}
	return n
}

// displayFor builds the display snapshot of a configuration: the type metadata's names
// (en, ja) when the vct is known, else the issuer metadata's credential display.
func displayFor(c CredentialConfiguration, md *IssuerMetadata) Display {
	d := Display{IssuerName: namesOf(md.Display)}
	if tm, ok := academic.LookupTypeMetadata(c.VCT); ok && c.VCT != "" {
		d.Name, d.Description = Names{}, Names{}
		for _, td := range tm.Display {
			d.Name[td.Locale] = td.Name
			if td.Description != "" {
				d.Description[td.Locale] = td.Description
			}
		}
		return d
	}
	if c.CredentialMetadata != nil {
		d.Name = namesOf(c.CredentialMetadata.Display)
	}
	return d
}
