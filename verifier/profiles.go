package verifier

import (
	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
)

// The fixed request profiles of CreateRequest.
const (
	// ProfileDiploma asks for a urn:hashi:diploma:1 SD-JWT VC with the claims a recognition
	// decision needs (ProfileQuery).
	ProfileDiploma = "diploma"
	// ProfileLearning asks for the EUDI learning credential
	// (urn:eu.europa.ec.eudi:learning:credential:1).
	ProfileLearning = "learning"
)

// profileClaim is one claim of a profile; optional claims get claim sets without them.
type profileClaim struct {
	id       string
	path     dcql.Path
	optional bool
}

// diplomaClaims are what a recognition desk reads from a hashi diploma: who (names; a given
// name is absent for mononymous learners), what (title in its original language, degree type,
// ISCED/EQF level with basis, field), when (award date), how much (credits, absent in some
// systems) and from whom (the awarding body, plain in the credential).
var diplomaClaims = []profileClaim{
	{id: "family_name", path: dcql.Path{"family_name"}},
	{id: "given_name", path: dcql.Path{"given_name"}, optional: true},
	{id: "title", path: dcql.Path{"degree", "title"}},
	{id: "type", path: dcql.Path{"degree", "type"}},
	{id: "level", path: dcql.Path{"degree", "level"}},
	{id: "field", path: dcql.Path{"degree", "field"}},
	{id: "award_date", path: dcql.Path{"degree", "award_date"}},
	{id: "credits", path: dcql.Path{"degree", "credits"}, optional: true},
	{id: "awarding_body", path: dcql.Path{"awarding_body"}},
}

// learningClaims are the learning credential's counterparts (EUDI learning credential type
// metadata, internal/academic/typemeta/learning-credential.json).
var learningClaims = []profileClaim{
	{id: "family_name", path: dcql.Path{"family_name"}},
	{id: "given_name", path: dcql.Path{"given_name"}, optional: true},
	{id: "achievement_title", path: dcql.Path{"achievement_title"}},
	{id: "achievement_description", path: dcql.Path{"achievement_description"}},
	{id: "level", path: dcql.Path{"level_of_learning_experience"}},
	{id: "study_time", path: dcql.Path{"expected_study_time"}, optional: true},
	{id: "issuing_authority", path: dcql.Path{"issuing_authority"}},
	{id: "issuing_country", path: dcql.Path{"issuing_country"}},
	{id: "date_of_issuance", path: dcql.Path{"date_of_issuance"}},
}

// ProfileQuery returns the DCQL query of a fixed profile (ProfileDiploma, ProfileLearning):
// one dc+sd-jwt credential query (id "diploma" or "learning") of the profile's vct with its
// claims, holder binding required, and claim_sets that prefer every claim and fall back to
// leaving out the optional ones (given name, credits or study time), so a wallet holding a
// credential without them can still answer (OpenID4VP 1.0 §6.4.1). ok is false for an
// unknown profile.
func ProfileQuery(profile string) (q *dcql.Query, ok bool) {
	var id, vct string
	var claims []profileClaim
	switch profile {
	case ProfileDiploma:
		id, vct, claims = "diploma", academic.VCTHashiDiploma, diplomaClaims
	case ProfileLearning:
		id, vct, claims = "learning", academic.VCTLearningCredential, learningClaims
	default:
		return nil, false
	}
	cq := dcql.CredentialQuery{ID: id, Format: dcql.FormatSDJWTVC, Meta: dcql.Meta{VCTValues: []string{vct}}}
	var required, optional []string
	for _, c := range claims {
		cq.Claims = append(cq.Claims, dcql.ClaimsQuery{ID: c.id, Path: c.path})
		if c.optional {
			optional = append(optional, c.id)
		} else {
			required = append(required, c.id)
		}
	}
	// Every subset of the optional claims, largest first: 2^len(optional) sets (4 here).
	n := len(optional)
	for size := n; size >= 0; size-- {
		for mask := (1 << n) - 1; mask >= 0; mask-- {
			if popcount(mask) != size {
				continue
			}
			set := append([]string(nil), required...)
			for i, o := range optional {
				if mask&(1<<i) != 0 {
					set = append(set, o)
				}
			}
			cq.ClaimSets = append(cq.ClaimSets, set)
		}
	}
	return &dcql.Query{Credentials: []dcql.CredentialQuery{cq}}, true
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
