package issuer

import (
	"net/url"
	"strings"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/jose"
)

// GrantPreAuthorizedCode is the pre-authorized code grant type (OpenID4VCI 1.0 §4.1.1).
const GrantPreAuthorizedCode = "urn:ietf:params:oauth:grant-type:pre-authorized_code"

// Endpoint paths under a tenant's Credential Issuer Identifier.
const (
	PathToken              = "/token"
	PathNonce              = "/nonce"
	PathCredential         = "/credential"
	PathDeferredCredential = "/deferred_credential"
	PathNotification       = "/notification"
	PathOffers             = "/offers/" // + offer id
	PathStatus             = "/status/" // + list id
)

// Well-known suffixes, inserted between host and path (RFC 8414 §3.1, OpenID4VCI 1.0 §12.2.2).
const (
	WellKnownCredentialIssuer = "/.well-known/openid-credential-issuer"
	WellKnownOAuthServer      = "/.well-known/oauth-authorization-server"
	WellKnownJWTVCIssuer      = "/.well-known/jwt-vc-issuer"
)

// WellKnownURL inserts the well-known suffix between the host and the path of an issuer
// identifier: https://h/issuer/t → https://h/.well-known/openid-credential-issuer/issuer/t.
func WellKnownURL(issuerID, suffix string) string {
	u, err := url.Parse(issuerID)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host + suffix + strings.TrimSuffix(u.EscapedPath(), "/")
}

// Metadata is the Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4).
type Metadata struct {
	CredentialIssuer                  string                             `json:"credential_issuer"`
	CredentialEndpoint                string                             `json:"credential_endpoint"`
	NonceEndpoint                     string                             `json:"nonce_endpoint"`
	DeferredCredentialEndpoint        string                             `json:"deferred_credential_endpoint"`
	NotificationEndpoint              string                             `json:"notification_endpoint"`
	BatchCredentialIssuance           *BatchCredentialIssuance           `json:"batch_credential_issuance,omitempty"`
	Display                           []Display                          `json:"display"`
	CredentialConfigurationsSupported map[string]CredentialConfiguration `json:"credential_configurations_supported"`
}

// BatchCredentialIssuance is batch_credential_issuance.
type BatchCredentialIssuance struct {
	BatchSize int `json:"batch_size"`
}

// Display is a display entry (name per locale).
type Display struct {
	Name        string `json:"name"`
	Locale      string `json:"locale"`
	Description string `json:"description,omitempty"`
}

// CredentialConfiguration is one credential_configurations_supported entry.
type CredentialConfiguration struct {
	Format                               string                       `json:"format"`
	Scope                                string                       `json:"scope"`
	VCT                                  string                       `json:"vct,omitempty"`
	CredentialDefinition                 *CredentialDefinition        `json:"credential_definition,omitempty"`
	CredentialSigningAlgValuesSupported  []string                     `json:"credential_signing_alg_values_supported"`
	CryptographicBindingMethodsSupported []string                     `json:"cryptographic_binding_methods_supported"`
	ProofTypesSupported                  map[string]ProofTypeMetadata `json:"proof_types_supported"`
	CredentialMetadata                   CredentialMetadataDisplay    `json:"credential_metadata"`
}

// CredentialDefinition is the jwt_vc_json credential_definition.
type CredentialDefinition struct {
	Type []string `json:"type"`
}

// ProofTypeMetadata is one proof_types_supported entry.
type ProofTypeMetadata struct {
	ProofSigningAlgValuesSupported []string `json:"proof_signing_alg_values_supported"`
}

// CredentialMetadataDisplay is credential_metadata: display and claims description.
type CredentialMetadataDisplay struct {
	Display []Display       `json:"display"`
	Claims  []ClaimMetadata `json:"claims,omitempty"`
}

// ClaimMetadata describes one claim (OpenID4VCI 1.0 Appendix B.2).
type ClaimMetadata struct {
	Path      []any     `json:"path"`
	Mandatory bool      `json:"mandatory,omitempty"`
	Display   []Display `json:"display,omitempty"`
}

// AuthorizationServerMetadata is the RFC 8414 metadata of a tenant's authorization server
// (the credential issuer itself), pre-authorized code grant only. It announces no
// authorization_details types: the token endpoint grants the offer's configurations, which
// the credential request names by credential_configuration_id.
type AuthorizationServerMetadata struct {
	Issuer                            string   `json:"issuer"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	PreAuthorizedGrantAnonymousAccess bool     `json:"pre-authorized_grant_anonymous_access_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	DPoPSigningAlgValuesSupported     []string `json:"dpop_signing_alg_values_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
}

// JWTVCIssuerMetadata is the JWT VC Issuer Metadata (SD-JWT VC draft -18 §5).
type JWTVCIssuerMetadata struct {
	Issuer string         `json:"issuer"`
	JWKS   map[string]any `json:"jwks"`
}

var algsES256 = []string{"ES256"}

// Metadata returns the tenant's Credential Issuer Metadata.
func (is *Issuer) Metadata(tenantID string) (*Metadata, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	ci := is.issuerID(t)
	m := &Metadata{
		CredentialIssuer:                  ci,
		CredentialEndpoint:                ci + PathCredential,
		NonceEndpoint:                     ci + PathNonce,
		DeferredCredentialEndpoint:        ci + PathDeferredCredential,
		NotificationEndpoint:              ci + PathNotification,
		Display:                           []Display{{Name: t.NameEN, Locale: "en"}, {Name: t.NameJA, Locale: "ja"}},
		CredentialConfigurationsSupported: map[string]CredentialConfiguration{},
	}
	if is.cfg.BatchSize >= 2 {
		m.BatchCredentialIssuance = &BatchCredentialIssuance{BatchSize: is.cfg.BatchSize}
	}
	for _, c := range Configurations {
		m.CredentialConfigurationsSupported[c.ID] = configurationMetadata(c)
	}
	return m, nil
}

func configurationMetadata(c Configuration) CredentialConfiguration {
	cc := CredentialConfiguration{
		Format:                               c.Format,
		Scope:                                c.ID,
		CredentialSigningAlgValuesSupported:  algsES256,
		CryptographicBindingMethodsSupported: []string{"jwk"},
		ProofTypesSupported:                  map[string]ProofTypeMetadata{"jwt": {ProofSigningAlgValuesSupported: algsES256}},
	}
	vct := c.VCT
	if c.Format == FormatJWTVCJSON {
		cc.CredentialDefinition = &CredentialDefinition{Type: c.Types}
		vct = academic.VCTHashiDiploma // same record, same display names
	} else {
		cc.VCT = c.VCT
	}
	if tm, ok := academic.LookupTypeMetadata(vct); ok {
		for _, d := range tm.Display {
			cc.CredentialMetadata.Display = append(cc.CredentialMetadata.Display, Display{Name: d.Name, Locale: d.Locale, Description: d.Description})
		}
		if c.Format == FormatSDJWTVC {
			for _, cl := range tm.Claims {
				cm := ClaimMetadata{Path: cl.Path, Mandatory: cl.Mandatory}
				for _, d := range cl.Display {
					cm.Display = append(cm.Display, Display{Name: d.Label, Locale: d.Locale})
				}
				cc.CredentialMetadata.Claims = append(cc.CredentialMetadata.Claims, cm)
			}
		}
	}
	return cc
}

// AuthorizationServerMetadata returns the tenant's RFC 8414 metadata.
func (is *Issuer) AuthorizationServerMetadata(tenantID string) (*AuthorizationServerMetadata, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	ci := is.issuerID(t)
	return &AuthorizationServerMetadata{
		Issuer:                            ci,
		TokenEndpoint:                     ci + PathToken,
		GrantTypesSupported:               []string{GrantPreAuthorizedCode},
		PreAuthorizedGrantAnonymousAccess: true,
		TokenEndpointAuthMethodsSupported: []string{"none"},
		DPoPSigningAlgValuesSupported:     algsES256,
		ResponseTypesSupported:            []string{},
	}, nil
}

// JWTVCIssuerMetadata returns the tenant's JWT VC Issuer Metadata: its seal key as a JWK
// Set (kid = RFC 7638 thumbprint).
func (is *Issuer) JWTVCIssuerMetadata(tenantID string) (*JWTVCIssuerMetadata, error) {
	t, err := is.tenant(tenantID)
	if err != nil {
		return nil, err
	}
	jwk, err := jose.PublicJWK(t.Seal.Public())
	if err != nil {
		return nil, errorf(CodeInternal, err, "seal key")
	}
	kid, err := jose.Thumbprint(t.Seal.Public())
	if err != nil {
		return nil, errorf(CodeInternal, err, "seal key")
	}
	jwk["kid"], jwk["alg"], jwk["use"] = kid, "ES256", "sig"
	return &JWTVCIssuerMetadata{Issuer: is.issuerID(t), JWKS: map[string]any{"keys": []any{jwk}}}, nil
}
