package dcql

import (
	"encoding/json"
	"fmt"
)

// Credential Format Identifiers of OpenID4VP 1.0 Appendix B. Other non-empty formats parse,
// but no credential matches them.
const (
	FormatSDJWTVC   = "dc+sd-jwt"   // IETF SD-JWT VC (§B.3); meta member vct_values
	FormatJWTVCJSON = "jwt_vc_json" // W3C VCDM 1.1 JWT without JSON-LD (§B.1.3.1); meta member type_values
	FormatLDPVC     = "ldp_vc"      // W3C VC with Data Integrity proofs (§B.1.3.2); meta member type_values
	FormatMSOMdoc   = "mso_mdoc"    // ISO mdoc (§B.2); meta member doctype_value. Parsed, never matched.
)

// Trusted Authorities Query types of OpenID4VP 1.0 §6.1.1.
const (
	AuthorityAKI              = "aki"               // base64url KeyIdentifier of an AuthorityKeyIdentifier in the credential's X.509 chain
	AuthorityETSITrustedList  = "etsi_tl"           // identifier (URL) of an ETSI TS 119 612 Trusted List
	AuthorityOpenIDFederation = "openid_federation" // Entity Identifier of an OpenID Federation trust anchor (never matched here)
)

// Query is a DCQL query (OpenID4VP 1.0 §6), the value of the dcql_query request parameter.
// Build one in Go and call Validate, or decode one with Parse (json.Unmarshal into a Query
// calls Parse too). Its JSON form is the spec's.
type Query struct {
	// Credentials is REQUIRED and non-empty.
	Credentials []CredentialQuery `json:"credentials"`
	// CredentialSets is OPTIONAL; nil means every credential query is requested.
	CredentialSets []CredentialSetQuery `json:"credential_sets,omitempty"`
}

// CredentialQuery asks for one (or, with Multiple, several) presentations of a credential
// (OpenID4VP 1.0 §6.1).
type CredentialQuery struct {
	// ID names the query in the response and in credential_sets: [A-Za-z0-9_-]+, unique.
	ID string `json:"id"`
	// Format is the Credential Format Identifier, e.g. FormatSDJWTVC.
	Format string `json:"format"`
	// Multiple allows several presentations for this query. Default: false.
	Multiple bool `json:"multiple,omitempty"`
	// Meta constrains the credential's type; the member the format needs is REQUIRED.
	Meta Meta `json:"meta"`
	// TrustedAuthorities, when not nil, is non-empty; a credential should match one entry.
	TrustedAuthorities []TrustedAuthoritiesQuery `json:"trusted_authorities,omitempty"`
	// RequireCryptographicHolderBinding, when nil, means true (the spec's default); use
	// HolderBindingRequired to read it.
	RequireCryptographicHolderBinding *bool `json:"require_cryptographic_holder_binding,omitempty"`
	// Claims, when not nil, is non-empty; nil requests no selectively disclosable claim.
	Claims []ClaimsQuery `json:"claims,omitempty"`
	// ClaimSets lists acceptable combinations of claim ids, most preferred first. It needs
	// Claims, and every claim then needs an ID.
	ClaimSets [][]string `json:"claim_sets,omitempty"`
}

// HolderBindingRequired reports whether the query requires cryptographic holder binding:
// true unless RequireCryptographicHolderBinding is set to false.
func (c *CredentialQuery) HolderBindingRequired() bool {
	return c.RequireCryptographicHolderBinding == nil || *c.RequireCryptographicHolderBinding
}

// Meta holds the format-specific meta members (OpenID4VP 1.0 §B.1.1, §B.2.3, §B.3.5). Only
// the member of the credential query's format may be set; meta members of formats this
// package does not know are ignored by Parse.
type Meta struct {
	// VCTValues (dc+sd-jwt, REQUIRED): allowed vct values, non-empty.
	VCTValues []string `json:"vct_values,omitempty"`
	// TypeValues (jwt_vc_json, ldp_vc, REQUIRED): alternatives, each a non-empty set of fully
	// expanded types that must all be in the credential's type.
	TypeValues [][]string `json:"type_values,omitempty"`
	// DoctypeValue (mso_mdoc, REQUIRED): the mdoc doctype.
	DoctypeValue string `json:"doctype_value,omitempty"`
}

// TrustedAuthoritiesQuery names authorities the verifier accepts as certifying the issuer
// (OpenID4VP 1.0 §6.1.1).
type TrustedAuthoritiesQuery struct {
	Type   string   `json:"type"`   // e.g. AuthorityAKI
	Values []string `json:"values"` // non-empty
}

// ClaimsQuery asks for one claim (OpenID4VP 1.0 §6.3).
type ClaimsQuery struct {
	// ID is REQUIRED when the credential query has claim_sets: [A-Za-z0-9_-]+, unique in
	// its claims.
	ID string `json:"id,omitempty"`
	// Path points at the claim (§7).
	Path Path `json:"path"`
	// Values, when not nil, lists accepted values: string, bool, or an integer (Parse yields
	// int64; Go callers may use int or int64).
	Values []any `json:"values,omitempty"`
	// IntentToRetain is the mso_mdoc claims parameter intent_to_retain; nil when absent.
	IntentToRetain *bool `json:"intent_to_retain,omitempty"`
}

// CredentialSetQuery constrains which credential queries are answered together
// (OpenID4VP 1.0 §6.2).
type CredentialSetQuery struct {
	// Options lists alternatives, each a non-empty list of credential query ids.
	Options [][]string `json:"options"`
	// Required, when nil, means true (the spec's default); use IsRequired to read it.
	Required *bool `json:"required,omitempty"`
}

// IsRequired reports whether the set must be satisfied: true unless Required is false.
func (s *CredentialSetQuery) IsRequired() bool { return s.Required == nil || *s.Required }

// Credential returns the credential query with the given id, or nil.
func (q *Query) Credential(id string) *CredentialQuery {
	for i := range q.Credentials {
		if q.Credentials[i].ID == id {
			return &q.Credentials[i]
		}
	}
	return nil
}

// UnmarshalJSON decodes a query with Parse, so a Query embedded in a request object is
// decoded as strictly as one parsed alone.
func (q *Query) UnmarshalJSON(b []byte) error {
	p, err := Parse(b)
	if err != nil {
		return err
	}
	*q = *p
	return nil
}

// Marshal returns the JSON form of q after validating it.
func (q *Query) Marshal() ([]byte, error) {
	if err := q.Validate(); err != nil {
		return nil, err
	}
	// Query has no MarshalJSON: encoding/json renders the spec's member names from the tags.
	type plain Query
	return json.Marshal((*plain)(q))
}

// Validate checks q against the rules of OpenID4VP 1.0 §6 and §7 and the limits in
// limits.go; Parse applies it to every query it returns. It does not check that the
// format is one this package can match.
func (q *Query) Validate() error {
	if q == nil {
		return errorf(CodeInvalidQuery, nil, "nil query")
	}
	if len(q.Credentials) == 0 {
		return errorf(CodeInvalidQuery, nil, "credentials is empty")
	}
	if len(q.Credentials) > MaxCredentials {
		return errorf(CodeLimitExceeded, nil, "%d credential queries, more than %d", len(q.Credentials), MaxCredentials)
	}
	ids := make(map[string]bool, len(q.Credentials))
	for i := range q.Credentials {
		c := &q.Credentials[i]
		at := fmt.Sprintf("credentials[%d]", i)
		if err := checkID(c.ID, at+".id"); err != nil {
			return err
		}
		if ids[c.ID] {
			return errorf(CodeDuplicateID, nil, "%s.id: %q occurs more than once", at, c.ID)
		}
		ids[c.ID] = true
		if err := c.validate(at); err != nil {
			return err
		}
	}
	if q.CredentialSets != nil {
		if len(q.CredentialSets) == 0 {
			return errorf(CodeInvalidQuery, nil, "credential_sets is empty")
		}
		if len(q.CredentialSets) > MaxCredentialSets {
			return errorf(CodeLimitExceeded, nil, "%d credential sets, more than %d", len(q.CredentialSets), MaxCredentialSets)
		}
		for i, s := range q.CredentialSets {
			at := fmt.Sprintf("credential_sets[%d].options", i)
			if err := checkOptions(s.Options, ids, at, MaxOptions); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *CredentialQuery) validate(at string) error {
	if c.Format == "" {
		return errorf(CodeInvalidQuery, nil, "%s.format is empty", at)
	}
	if err := c.Meta.validate(c.Format, at+".meta"); err != nil {
		return err
	}
	if c.TrustedAuthorities != nil {
		if len(c.TrustedAuthorities) == 0 {
			return errorf(CodeInvalidQuery, nil, "%s.trusted_authorities is empty", at)
		}
		if len(c.TrustedAuthorities) > MaxTrustedAuthorities {
			return errorf(CodeLimitExceeded, nil, "%s.trusted_authorities: %d entries, more than %d", at, len(c.TrustedAuthorities), MaxTrustedAuthorities)
		}
		for j, ta := range c.TrustedAuthorities {
			if ta.Type == "" {
				return errorf(CodeInvalidQuery, nil, "%s.trusted_authorities[%d].type is empty", at, j)
			}
			if len(ta.Values) == 0 {
				return errorf(CodeInvalidQuery, nil, "%s.trusted_authorities[%d].values is empty", at, j)
			}
			if len(ta.Values) > MaxAuthorityValues {
				return errorf(CodeLimitExceeded, nil, "%s.trusted_authorities[%d]: %d values, more than %d", at, j, len(ta.Values), MaxAuthorityValues)
			}
			for k, v := range ta.Values {
				if v == "" {
					return errorf(CodeInvalidQuery, nil, "%s.trusted_authorities[%d].values[%d] is empty", at, j, k)
				}
			}
		}
	}
	if c.Claims == nil {
		if c.ClaimSets != nil {
			return errorf(CodeInvalidRef, nil, "%s.claim_sets without claims", at)
		}
		return nil
	}
	if len(c.Claims) == 0 {
		return errorf(CodeInvalidQuery, nil, "%s.claims is empty", at)
	}
	if len(c.Claims) > MaxClaims {
		return errorf(CodeLimitExceeded, nil, "%s: %d claims, more than %d", at, len(c.Claims), MaxClaims)
	}
	claimIDs := make(map[string]bool, len(c.Claims))
	for j := range c.Claims {
		cl := &c.Claims[j]
		cat := fmt.Sprintf("%s.claims[%d]", at, j)
		if cl.ID == "" {
			if c.ClaimSets != nil {
				return errorf(CodeInvalidRef, nil, "%s.id is required with claim_sets", cat)
			}
		} else {
			if err := checkID(cl.ID, cat+".id"); err != nil {
				return err
			}
			if claimIDs[cl.ID] {
				return errorf(CodeDuplicateID, nil, "%s.id: %q occurs more than once", cat, cl.ID)
			}
			claimIDs[cl.ID] = true
		}
		if err := cl.Path.check(); err != nil {
			return errorf(err.Code, nil, "%s.path: %s", cat, err.Msg)
		}
		if c.Format == FormatMSOMdoc && !mdocPath(cl.Path) {
			return errorf(CodeInvalidPath, nil, "%s.path: an %s pointer is a namespace and a data element identifier (§7.2)", cat, FormatMSOMdoc)
		}
		if err := checkValues(cl.Values, cat+".values"); err != nil {
			return err
		}
		if cl.IntentToRetain != nil && c.Format != FormatMSOMdoc {
			return errorf(CodeInvalidQuery, nil, "%s.intent_to_retain is a parameter of %s only", cat, FormatMSOMdoc)
		}
	}
	if c.ClaimSets != nil {
		if len(c.ClaimSets) == 0 {
			return errorf(CodeInvalidQuery, nil, "%s.claim_sets is empty", at)
		}
		return checkOptions(c.ClaimSets, claimIDs, at+".claim_sets", MaxClaimSets)
	}
	return nil
}

func (m *Meta) validate(format, at string) error {
	switch format {
	case FormatSDJWTVC:
		if len(m.VCTValues) == 0 {
			return errorf(CodeInvalidMeta, nil, "%s.vct_values is required for %s and must not be empty", at, format)
		}
		if len(m.VCTValues) > MaxValues {
			return errorf(CodeLimitExceeded, nil, "%s.vct_values: %d values, more than %d", at, len(m.VCTValues), MaxValues)
		}
		for i, v := range m.VCTValues {
			if v == "" {
				return errorf(CodeInvalidMeta, nil, "%s.vct_values[%d] is empty", at, i)
			}
		}
		if m.TypeValues != nil || m.DoctypeValue != "" {
			return errorf(CodeInvalidMeta, nil, "%s: only vct_values applies to %s", at, format)
		}
	case FormatJWTVCJSON, FormatLDPVC:
		if len(m.TypeValues) == 0 {
			return errorf(CodeInvalidMeta, nil, "%s.type_values is required for %s and must not be empty", at, format)
		}
		if len(m.TypeValues) > MaxValues {
			return errorf(CodeLimitExceeded, nil, "%s.type_values: %d alternatives, more than %d", at, len(m.TypeValues), MaxValues)
		}
		for i, alt := range m.TypeValues {
			if len(alt) == 0 {
				return errorf(CodeInvalidMeta, nil, "%s.type_values[%d] is empty", at, i)
			}
			if len(alt) > MaxValues {
				return errorf(CodeLimitExceeded, nil, "%s.type_values[%d]: %d types, more than %d", at, i, len(alt), MaxValues)
			}
			for j, t := range alt {
				if t == "" {
					return errorf(CodeInvalidMeta, nil, "%s.type_values[%d][%d] is empty", at, i, j)
				}
			}
		}
		if m.VCTValues != nil || m.DoctypeValue != "" {
			return errorf(CodeInvalidMeta, nil, "%s: only type_values applies to %s", at, format)
		}
	case FormatMSOMdoc:
		if m.DoctypeValue == "" {
			return errorf(CodeInvalidMeta, nil, "%s.doctype_value is required for %s and must not be empty", at, format)
		}
		if m.VCTValues != nil || m.TypeValues != nil {
			return errorf(CodeInvalidMeta, nil, "%s: only doctype_value applies to %s", at, format)
		}
	default:
		// Formats this package does not know: their meta members are not modelled.
		if m.VCTValues != nil || m.TypeValues != nil || m.DoctypeValue != "" {
			return errorf(CodeInvalidMeta, nil, "%s: no known meta member applies to format %q", at, format)
		}
	}
	return nil
}

// mdocPath reports whether p has the form §7.2 requires for mdocs: exactly two strings.
func mdocPath(p Path) bool {
	if len(p) != 2 {
		return false
	}
	_, ok0 := p[0].(string)
	_, ok1 := p[1].(string)
	return ok0 && ok1
}

// checkID enforces the id syntax of §6.1 and §6.3: non-empty, [A-Za-z0-9_-] only.
func checkID(id, at string) error {
	if id == "" {
		return errorf(CodeInvalidID, nil, "%s is empty", at)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return errorf(CodeInvalidID, nil, "%s %q has a character outside [A-Za-z0-9_-]", at, id)
		}
	}
	return nil
}

// checkOptions checks claim_sets or credential_sets options: non-empty, bounded, each option
// non-empty and naming known ids.
func checkOptions(opts [][]string, known map[string]bool, at string, limit int) error {
	if len(opts) == 0 {
		return errorf(CodeInvalidQuery, nil, "%s is empty", at)
	}
	if len(opts) > limit {
		return errorf(CodeLimitExceeded, nil, "%s: %d options, more than %d", at, len(opts), limit)
	}
	for i, o := range opts {
		if len(o) == 0 {
			return errorf(CodeInvalidQuery, nil, "%s[%d] is empty", at, i)
		}
		if len(o) > MaxClaims {
			return errorf(CodeLimitExceeded, nil, "%s[%d]: %d ids, more than %d", at, i, len(o), MaxClaims)
		}
		for _, id := range o {
			if !known[id] {
				return errorf(CodeInvalidRef, nil, "%s[%d] names %q, which does not exist", at, i, id)
			}
		}
	}
	return nil
}

// checkValues checks a claims query's values: nil, or 1..MaxValues strings, bools and integers.
func checkValues(vs []any, at string) error {
	if vs == nil {
		return nil
	}
	if len(vs) == 0 {
		return errorf(CodeInvalidValues, nil, "%s is empty", at)
	}
	if len(vs) > MaxValues {
		return errorf(CodeLimitExceeded, nil, "%s: %d values, more than %d", at, len(vs), MaxValues)
	}
	for i, v := range vs {
		switch v.(type) {
		case string, bool, int, int64:
		default:
			return errorf(CodeInvalidValues, nil, "%s[%d] has type %T (want string, integer or bool)", at, i, v)
		}
	}
	return nil
}
