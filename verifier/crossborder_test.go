package verifier_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/verifier"
)

// The cross-border cases of the pilot at the core level: an EU diploma at the JP desk through
// the EU lists (LOTL → NL list), a JP diploma at the EU desk through the JP LoTE, each rejected
// when its provider is withdrawn (at issuance, or later under a rule that requires trust now)
// or its list is stale.
func TestCrossBorder(t *testing.T) {
	f := getPilot()
	later := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	withdrawnLater := serviceState{status: "withdrawn", since: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC), grantedFrom: grantedFrom}
	withdrawnBefore := serviceState{status: "withdrawn", since: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), grantedFrom: grantedFrom}
	stale := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC) // the lists' NextUpdate

	type direction struct {
		name     string
		diploma  func() diploma
		clientID string
		policy   func(now time.Time, rules ...verifier.Rule) verifier.Policy
		rule     func() verifier.Rule
		set      func(s serviceState) (eu, jp serviceState)
	}
	dirs := []direction{
		{"eu-diploma-at-jp-desk", f.euDiploma, jpDeskClientID, jpDeskPolicy, euRule, func(s serviceState) (serviceState, serviceState) { return s, granted() }},
		{"jp-diploma-at-eu-desk", f.jpDiploma, euDeskClientID, euDeskPolicy, jpRule, func(s serviceState) (serviceState, serviceState) { return granted(), s }},
	}
	atIssuanceOnly := func(r verifier.Rule) verifier.Rule { r.TrustAt = verifier.TrustAtIssuance; return r }
	for _, d := range dirs {
		for _, tc := range []struct {
			name     string
			state    serviceState
			now      time.Time
			rule     func(verifier.Rule) verifier.Rule
			wantCode verifier.Code
		}{
			{name: "ok/granted", state: granted(), now: later},
			{name: "ok/grace-past-next-update", state: serviceState{status: "granted", since: grantedFrom, nextUpdate: later.Add(-time.Hour)}, now: later,
				rule: func(r verifier.Rule) verifier.Rule { r.Trust.Grace = 2 * time.Hour; return r }},
			{name: "ok/withdrawn-later-rule-trusts-at-issuance", state: withdrawnLater, now: later, rule: atIssuanceOnly},
			{name: "fail/withdrawn-later", state: withdrawnLater, now: later, wantCode: verifier.CodeIssuerWithdrawn},
			{name: "fail/withdrawn-at-issuance", state: withdrawnBefore, now: later, wantCode: verifier.CodeIssuerWithdrawn},
			{name: "fail/withdrawn-at-issuance-rule-trusts-at-issuance", state: withdrawnBefore, now: later, rule: atIssuanceOnly, wantCode: verifier.CodeIssuerWithdrawn},
			{name: "fail/list-stale", state: granted(), now: stale, wantCode: verifier.CodeTrustListStale},
			{name: "fail/list-stale-rule-trusts-at-issuance", state: granted(), now: stale, rule: atIssuanceOnly, wantCode: verifier.CodeTrustListStale},
			{name: "fail/not-yet-granted-at-issuance", state: serviceState{status: "granted", since: issuedAt.Add(time.Hour)}, now: later, wantCode: verifier.CodeIssuerNotTrusted},
		} {
			t.Run(d.name+"/"+tc.name, func(t *testing.T) {
				eu, jp := d.set(tc.state)
				set := f.trustSet(eu, jp)
				v := must1(verifier.New(set, defaultStatus(f, tc.now)))
				r := d.rule()
				if tc.rule != nil {
					r = tc.rule(r)
				}
				tok := vpToken("diploma", f.present(f.issue(d.diploma()), share, d.clientID, testNonce, tc.now.Add(-time.Minute)))
				res := must1(v.Verify(t.Context(), tok, d.policy(tc.now, r)))
				assertResult(t, res, tc.wantCode, verifier.CheckTrust)
				cr := res.Credentials[0]
				if tc.wantCode == "" && cr.TrustPath == "" {
					t.Fatal("accepted without a trust path")
				}
				if tc.wantCode != "" {
					if _, ran := cr.Check(verifier.CheckStatus); ran {
						t.Fatal("the status list was fetched for an untrusted credential")
					}
				}
			})
		}
	}
}

// TestJPDiplomaAtEUDesk checks the result an EU desk gets for the Japanese diploma: names in
// both languages from the JP LoTE, the title in Japanese script, credits in 単位 with the derived
// ECTS figure, and the EU reading of the degree type.
func TestJPDiplomaAtEUDesk(t *testing.T) {
	f := getPilot()
	v := must1(verifier.New(f.trustSet(granted(), granted()), defaultStatus(f, presentedAt)))
	tok := vpToken("diploma", f.present(f.issue(f.jpDiploma()), share, euDeskClientID, testNonce, kbTime))
	res := must1(v.Verify(t.Context(), tok, euDeskPolicy(presentedAt)))
	assertResult(t, res, "", "")
	cr := res.Credentials[0]
	if cr.Issuer.NameEN != "Sakuragaoka University" || cr.Issuer.NameJA != "桜ヶ丘大学" || cr.Issuer.Country != "JP" {
		t.Fatalf("issuer = %+v", cr.Issuer)
	}
	if !strings.HasPrefix(cr.TrustPath, jpLabel+" → JP → ") || !strings.Contains(cr.TrustPath, "桜ヶ丘大学") {
		t.Fatalf("trust path = %q", cr.TrustPath)
	}
	q := cr.Qualification
	if q == nil || q.Title != "修士（工学）" || q.TitleScript != "Jpan" || q.DegreeType != academic.DegreeMaster || q.EQFLevel != 7 || q.LevelBasis == "" {
		t.Fatalf("qualification = %+v", q)
	}
	if q.Credits == nil || q.Credits.Framework != string(academic.FrameworkJPTani) || q.Credits.ECTS == 0 || q.Credits.ECTSMethod == "" {
		t.Fatalf("credits = %+v", q.Credits)
	}
	if q.DeskJurisdiction != "EU" || !strings.Contains(q.DeskView, "second cycle") {
		t.Fatalf("desk view = %q", q.DeskView)
	}
}
