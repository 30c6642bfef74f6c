package verifier

import (
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/trustlist"
)

// Verdict is the outcome of a verification.
type Verdict string

// The verdicts.
const (
	VerdictAccepted Verdict = "accepted"
	VerdictRejected Verdict = "rejected"
)

// The names of the checks, in the order they run. Response-level checks (CheckVPToken,
// CheckQuery) are in Result.Checks, the others in each CredentialResult.Checks.
const (
	CheckVPToken       = "vp_token"       // the vp_token shape against the query (ids, counts, limits)
	CheckFormat        = "format"         // the credential query's format is supported
	CheckParse         = "parse"          // the presentation parses
	CheckSignature     = "signature"      // issuer signature: allow-listed alg, x5c leaf key, exact bytes
	CheckDisclosures   = "disclosures"    // RFC 9901 §7.1 disclosure processing
	CheckValidity      = "validity"       // exp, nbf, iat at Now
	CheckHolderBinding = "holder_binding" // KB-JWT (or VP JWT): nonce, aud, iat window, sd_hash, cnf key
	CheckChain         = "chain"          // x5c usable: not self-signed, not a CA, digitalSignature, length
	CheckTrust         = "trust"          // recognition rule chosen; chain anchored in an accepted service
	CheckIss           = "iss"            // iss consistent with the certificate
	CheckType          = "type"           // vct known, type metadata respected
	CheckStatus        = "status"         // status list entry VALID
	CheckQualification = "qualification"  // academic claims readable
	CheckLevel         = "level"          // EQF level recognised
	CheckClaims        = "claims"         // the rule's required claims disclosed
	CheckQuery         = "query"          // DCQL: presentation answers its query; query satisfied
)

// Check is one verification step and its outcome. A check that did not run, because an earlier
// one made it meaningless or unsafe (no status list is fetched for a credential whose signature
// failed), is not listed.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Code   Code   `json:"code,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// Result is the outcome of Verify: the verdict, why, every check, and what each credential
// says. A rejected Result always has a Reason. An accepted Result may list presentations that
// were discarded (OpenID4VP 1.0 §8.6: not Accepted, the rest answered the query); their
// checks and issuer are kept to explain them, their claims and qualification are not given.
type Result struct {
	Verdict Verdict `json:"verdict"`
	// Reason is "" when accepted; otherwise the code of the failing vp_token check, else the
	// Reason of the first rejected credential (when the accepted ones do not satisfy the
	// query, or a key binding was made for another request), else query_unsatisfied.
	Reason Code `json:"reason,omitempty"`
	// Checks are the response-level checks (CheckVPToken, CheckQuery).
	Checks []Check `json:"checks"`
	// Credentials has one entry per presentation, in credential query order and then in array
	// order.
	Credentials []CredentialResult `json:"credentials"`
}

// Err returns nil for an accepted Result, else an *Error with the Result's Reason, so callers
// can use errors.Is(res.Err(), verifier.ErrIssuerNotTrusted).
func (r *Result) Err() error {
	if r.Verdict == VerdictAccepted {
		return nil
	}
	msg := ""
	for _, c := range r.Checks {
		if !c.OK && c.Code == r.Reason {
			msg = c.Detail
			break
		}
	}
	if msg == "" {
		for _, cr := range r.Credentials {
			if cr.Reason == r.Reason {
				msg = cr.QueryID + ": " + cr.failDetail()
				break
			}
		}
	}
	return &Error{Code: r.Reason, Msg: msg}
}

// Check returns the credential check named name, if it ran.
func (c *CredentialResult) Check(name string) (Check, bool) {
	for _, ch := range c.Checks {
		if ch.Name == name {
			return ch, true
		}
	}
	return Check{}, false
}

func (c *CredentialResult) failDetail() string {
	for _, ch := range c.Checks {
		if !ch.OK && ch.Code == c.Reason {
			return ch.Detail
		}
	}
	return ""
}

// CredentialResult is what one presentation showed.
type CredentialResult struct {
	replay string // what the flow's replay protection remembers of the presentation (see replayText)
	// replayable: replay is genuine — the signatures it rests on verified (sdReplayable) — so
	// the flow may remember it; a forged one must not make the genuine one a "replay".
	replayable bool
	// QueryID is the credential query id (the vp_token key) and Index the position in its array.
	QueryID string `json:"query_id"`
	Index   int    `json:"index"`
	// Format is the credential format ("dc+sd-jwt" or "jwt_vc_json").
	Format string `json:"format"`
	// Type is the vct, or the most specific jwt_vc_json type.
	Type string `json:"type,omitempty"`
	// Accepted reports whether every check of this presentation passed; Reason is the code of
	// the first failing one.
	Accepted bool `json:"accepted"`
	Reason   Code `json:"reason,omitempty"`
	// Rule names the recognition rule applied ("" when none covered the credential).
	Rule string `json:"rule,omitempty"`
	// Issuer identifies the issuer.
	Issuer Issuer `json:"issuer"`
	// TrustPath is the trust path in words (e.g. "EU LOTL → NL trusted list → NL → Oostland
	// University → …"); empty when the chain anchors nowhere.
	TrustPath string `json:"trust_path,omitempty"`
	// TrustSteps are TrustPath's steps, with the names of the provider and the service by
	// language tag, for pages that show each in the reader's language.
	TrustSteps []trustlist.PathStep `json:"trust_steps,omitempty"`
	// TrustedAtIssuance and TrustedNow are the trust list's answers at the issuance time and now.
	TrustedAtIssuance bool `json:"trusted_at_issuance"`
	TrustedNow        bool `json:"trusted_now"`
	// Status is the status list value ("VALID", "INVALID", "SUSPENDED", ...), "none" when the
	// credential has no status reference, "" when it was not checked.
	Status string `json:"status,omitempty"`
	// IssuedAt and ExpiresAt are the credential's iat (else nbf) and exp; zero when absent.
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// HolderBound reports that the presentation proved possession of the holder key.
	HolderBound bool `json:"holder_bound"`
	// Claims are the verified claims: the issuer-signed plain claims with the disclosed ones
	// (dc+sd-jwt), or the VCDM 1.1 credential (jwt_vc_json). Numbers are json.Number. Nil when
	// the signature did not verify.
	Claims map[string]any `json:"claims,omitempty"`
	// Unrequested lists the claims the holder disclosed although the credential query did
	// not ask for them (claims path pointers, e.g. ["birthdate"]); OpenID4VP leaves
	// minimisation to the wallet, so this is reported, not rejected. Empty when the query
	// names no claims.
	Unrequested []string `json:"unrequested,omitempty"`
	// Qualification is the academic comparison read from the disclosed claims; nil when the
	// credential could not be read.
	Qualification *Qualification `json:"qualification,omitempty"`
	// Checks lists every check that ran, in order.
	Checks []Check `json:"checks"`
}

// Issuer is the credential's issuer as the verifier established it.
type Issuer struct {
	// ID is the "iss" claim (or the VCDM issuer); empty when absent. With
	// IssuerMatchDirectListingUnsafe it may not be in the certificate: see the iss check.
	ID string `json:"id,omitempty"`
	// NameEN and NameJA are the issuer's names from the trust list's provider names (the
	// certificate's organization when the list gives none in that language, or when the chain
	// anchors nowhere).
	NameEN string `json:"name_en,omitempty"`
	NameJA string `json:"name_ja,omitempty"`
	// Country is the issuer's jurisdiction: the anchoring list's territory, else the leaf
	// certificate's country.
	Country string `json:"country,omitempty"`
	// Certificate is the leaf certificate's subject (RFC 4514).
	Certificate string `json:"certificate,omitempty"`
}

// Qualification is the academic comparison a desk needs: the qualification as the credential
// states it (title in its original language and script, degree type, ISCED 2011 and EQF level
// with the mapping basis, credits with their framework and derived ECTS figure) and how it
// reads from the desk's jurisdiction.
type Qualification struct {
	academic.Qualification
	// DeskJurisdiction is Policy.Jurisdiction.
	DeskJurisdiction string `json:"desk_jurisdiction,omitempty"`
	// Comparability says what the level comparison means: informational comparability, never
	// equivalence.
	Comparability string `json:"comparability"`
	// DeskView names the qualification of the desk's jurisdiction at the same level (e.g.
	// "修士 (master's degree, ISCED 7, EQF 7)" for a JP desk reading an EU second-cycle degree);
	// empty when the crosswalk has no entry.
	DeskView string `json:"desk_view,omitempty"`
}
