package verifier

import (
	"slices"
	"time"

	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/trustlist"
)

// Policy is what one verification expects: the request's binding values, its DCQL query and
// the desk's recognition policy. Now, ClientID, Nonce and Query are required; a zero
// Recognition is allowed and rejects every credential (fail closed).
type Policy struct {
	// Now is the time everything is judged at. Required: a zero Now is an error, not "now".
	Now time.Time
	// ClientID is the verifier's full client_id, prefix included (e.g.
	// "x509_san_dns:jp-desk.example"): the "aud" every key binding must carry (OpenID4VP 1.0
	// §8.6). Required.
	ClientID string
	// Nonce is the request's nonce; every key binding must carry it. Required. Whether it was
	// already used is the flow's business, not Verify's.
	Nonce string
	// Query is the DCQL query of the request. Required: the vp_token is read against it (its
	// keys are credential query ids, the format comes from the credential query).
	Query *dcql.Query
	// Recognition decides which issuers, types and levels this desk recognises.
	Recognition Recognition
	// Jurisdiction is the desk's own jurisdiction (ISO 3166-1 alpha-2, or "EU"), shown in the
	// qualification comparison. Optional.
	Jurisdiction string
}

// Recognition is a desk's recognition policy (docs/trust.md, decision 5): rules mapping
// (credential type, issuing jurisdiction) to the trust paths accepted, the qualification levels
// recognised and the claims required. The first rule that covers a credential's type and its
// issuer's jurisdiction decides; a credential no rule covers is rejected.
type Recognition struct {
	Rules []Rule
}

// TrustTime says when the anchoring service must have been accepted by its trust list. (The
// credential's own status list can only be read as it is now: status lists carry no history.)
type TrustTime int

// The trust times of a Rule.
const (
	// TrustAtIssuanceAndNow (the zero value) requires the service to be accepted at the
	// credential's issuance time and still now: a later withdrawal rejects.
	TrustAtIssuanceAndNow TrustTime = iota
	// TrustAtIssuance requires the service to be accepted at the issuance time only: a diploma
	// sealed while the university was listed stays recognised after a later withdrawal. The
	// list must still be fresh now.
	TrustAtIssuance
)

// StatusRequirement says whether a credential must carry a status list reference.
type StatusRequirement int

// The status requirements of a Rule. A reference that is present is always checked.
const (
	// StatusRequired (the zero value): the credential must carry status.status_list and the
	// list must say VALID.
	StatusRequired StatusRequirement = iota
	// StatusIfPresent accepts a credential without a status reference (such as the EU–JP proof
	// of concept's learning credential); a reference that is present must say VALID.
	StatusIfPresent
)

// HolderBinding says whether a presentation must prove possession of the credential's key.
type HolderBinding int

// The holder binding modes of a Rule. A key binding that is presented is always verified.
const (
	// HolderBindingRequired (the zero value): a KB-JWT (dc+sd-jwt) or a VP JWT signed by the
	// credential's holder key (jwt_vc_json) is required.
	HolderBindingRequired HolderBinding = iota
	// HolderBindingNotRequiredUnsafe accepts presentations without holder binding when the DCQL
	// query does not require it either (require_cryptographic_holder_binding false).
	//
	// WARNING: anyone holding a copy of such a credential can present it.
	HolderBindingNotRequiredUnsafe
)

// IssuerMatch says how the credential's "iss" must relate to its certificate.
type IssuerMatch int

// The issuer matching modes of a Rule.
const (
	// IssuerMatchCertificate (the zero value): "iss", when present, must be a URI SAN of the
	// leaf certificate or an https URL whose host is a dNSName SAN of it (SD-JWT VC §3.5).
	IssuerMatchCertificate IssuerMatch = iota
	// IssuerMatchDirectListingUnsafe also accepts an "iss" the certificate does not carry when
	// the leaf certificate itself is listed (direct trust, as in the EU–JP proof of concept):
	// the listed entity is then the issuer, and "iss" is only reported.
	//
	// WARNING: "iss" is then an unverified claim; never display it as the issuer.
	IssuerMatchDirectListingUnsafe
)

// Rule is one recognition rule.
type Rule struct {
	// Name labels the rule in results, e.g. "EU diplomas via LOTL".
	Name string
	// Types are the credential types the rule covers: SD-JWT VC vct values, or jwt_vc_json
	// type values (other than "VerifiableCredential"). Required.
	Types []string
	// Jurisdictions are the issuing jurisdictions the rule covers: ISO 3166-1 alpha-2 codes as
	// trust lists write them ("EL" for Greece) compared with the anchoring list's territory
	// (else the leaf certificate's country); "EU" stands for every EU/EEA member state and the
	// EU itself. Required.
	Jurisdictions []string
	// Trust is the trust path accepted: service types (e.g. CA/QC with ForeSeals through the
	// EU lists, EAA/Issuance in the JP LoTE), statuses, AcceptNoStatus, Grace. At least one
	// service type is required.
	Trust trustlist.Policy
	// TrustAt says whether the service must be accepted now too. Default: at issuance and now.
	TrustAt TrustTime
	// Status says whether a status list reference is required. Default: required.
	Status StatusRequirement
	// HolderBinding says whether holder binding is required. Default: required.
	HolderBinding HolderBinding
	// IssuerMatch says how "iss" must match the certificate. Default: it must.
	IssuerMatch IssuerMatch
	// EQFLevels are the EQF levels recognised (e.g. 6, 7, 8). Required: a credential whose
	// level is not disclosed or not listed is rejected with CodeRecognitionLevel.
	EQFLevels []int
	// RequiredClaims are claims path pointers (OpenID4VP 1.0 §7) that must select a disclosed
	// claim, e.g. {"degree", "title"}. Default: none beyond the DCQL query's.
	RequiredClaims []dcql.Path
}

func (p *Policy) validate() error {
	switch {
	case p.Now.IsZero():
		return policyErr("Policy.Now is zero")
	case p.ClientID == "":
		return policyErr("Policy.ClientID is empty")
	case p.Nonce == "":
		return policyErr("Policy.Nonce is empty")
	case p.Query == nil:
		return policyErr("Policy.Query is nil")
	}
	if err := p.Query.Validate(); err != nil {
		return &Error{Code: CodeInvalidPolicy, Msg: "Policy.Query", Err: err}
	}
	for i := range p.Recognition.Rules {
		r := &p.Recognition.Rules[i]
		switch {
		case len(r.Types) == 0:
			return policyErr("rule %d (%s): no types", i, r.Name)
		case len(r.Jurisdictions) == 0:
			return policyErr("rule %d (%s): no jurisdictions", i, r.Name)
		case len(r.Trust.ServiceTypes) == 0:
			return policyErr("rule %d (%s): no accepted service types", i, r.Name)
		case r.Trust.Grace < 0:
			return policyErr("rule %d (%s): negative grace", i, r.Name)
		case len(r.EQFLevels) == 0:
			return policyErr("rule %d (%s): no recognised EQF levels", i, r.Name)
		}
		for _, j := range r.Jurisdictions {
			if !trustlist.IsTerritoryCode(j) {
				return policyErr("rule %d (%s): jurisdiction %q is not two upper-case letters (ISO 3166-1 alpha-2, or EU)", i, r.Name, j)
			}
		}
		for _, l := range r.EQFLevels {
			if l < 1 || l > 8 {
				return policyErr("rule %d (%s): EQF level %d is outside 1..8", i, r.Name, l)
			}
		}
		for _, path := range r.RequiredClaims {
			if len(path) == 0 {
				return policyErr("rule %d (%s): empty required claim path", i, r.Name)
			}
		}
	}
	return nil
}

// euEEA are the territories "EU" stands for in Rule.Jurisdictions: the EU itself (the LOTL),
// the 27 member states as trust lists write them (Greece is "EL") and the EEA states.
var euEEA = []string{
	"EU", "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "EL", "HU", "IE", "IT",
	"LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
}

// canonTerritory spells a territory as trust lists do: Greece EL and the United Kingdom UK
// (TS 119 612 §5.3.3, after the EU's own usage), where certificates and people write GR and
// GB.
func canonTerritory(s string) string {
	switch s {
	case "GR":
		return "EL"
	case "GB":
		return "UK"
	}
	return s
}

// coversJurisdiction reports whether the rule covers jurisdiction j.
func (r *Rule) coversJurisdiction(j string) bool {
	if j == "" {
		return false
	}
	j = canonTerritory(j)
	for _, x := range r.Jurisdictions {
		if canonTerritory(x) == j || (x == "EU" && slices.Contains(euEEA, j)) {
			return true
		}
	}
	return false
}
