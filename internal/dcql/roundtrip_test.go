package dcql_test

import (
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/hashi-vc/hashi/internal/dcql"
)

var (
	genID   = rapid.StringMatching(`[A-Za-z0-9_-]{1,8}`)
	genText = rapid.StringN(1, 12, -1)
)

func genPath(t *rapid.T, label string) dcql.Path {
	n := rapid.IntRange(1, 6).Draw(t, label+"_len")
	p := make(dcql.Path, n)
	for i := range p {
		switch rapid.IntRange(0, 2).Draw(t, label+"_kind") {
		case 0:
			p[i] = rapid.String().Draw(t, label+"_key")
		case 1:
			p[i] = nil
		default:
			p[i] = rapid.IntRange(0, 1<<40).Draw(t, label+"_index")
		}
	}
	return p
}

func genValues(t *rapid.T) []any {
	if !rapid.Bool().Draw(t, "has_values") {
		return nil
	}
	n := rapid.IntRange(1, 4).Draw(t, "values_len")
	vs := make([]any, n)
	for i := range vs {
		switch rapid.IntRange(0, 2).Draw(t, "value_kind") {
		case 0:
			vs[i] = rapid.String().Draw(t, "value_string")
		case 1:
			vs[i] = rapid.Int64().Draw(t, "value_int")
		default:
			vs[i] = rapid.Bool().Draw(t, "value_bool")
		}
	}
	return vs
}

func genOptBool(t *rapid.T, label string) *bool {
	switch rapid.IntRange(0, 2).Draw(t, label) {
	case 0:
		return nil
	case 1:
		return ptr(true)
	default:
		return ptr(false)
	}
}

// genQuery draws a valid query in the form Parse produces (int64 values, int indices).
func genQuery(t *rapid.T) *dcql.Query {
	ids := rapid.SliceOfNDistinct(genID, 1, 5, rapid.ID[string]).Draw(t, "ids")
	q := &dcql.Query{}
	for _, id := range ids {
		c := dcql.CredentialQuery{ID: id, Multiple: rapid.Bool().Draw(t, "multiple"),
			RequireCryptographicHolderBinding: genOptBool(t, "binding")}
		c.Format = rapid.SampledFrom([]string{dcql.FormatSDJWTVC, dcql.FormatJWTVCJSON, dcql.FormatLDPVC, dcql.FormatMSOMdoc, "vc+cose"}).Draw(t, "format")
		switch c.Format {
		case dcql.FormatSDJWTVC:
			c.Meta.VCTValues = rapid.SliceOfN(genText, 1, 3).Draw(t, "vct_values")
		case dcql.FormatJWTVCJSON, dcql.FormatLDPVC:
			c.Meta.TypeValues = rapid.SliceOfN(rapid.SliceOfN(genText, 1, 3), 1, 3).Draw(t, "type_values")
		case dcql.FormatMSOMdoc:
			c.Meta.DoctypeValue = genText.Draw(t, "doctype")
		}
		if rapid.Bool().Draw(t, "has_ta") {
			c.TrustedAuthorities = []dcql.TrustedAuthoritiesQuery{{
				Type:   rapid.SampledFrom([]string{dcql.AuthorityAKI, dcql.AuthorityETSITrustedList, "other"}).Draw(t, "ta_type"),
				Values: rapid.SliceOfN(genText, 1, 3).Draw(t, "ta_values"),
			}}
		}
		if rapid.Bool().Draw(t, "has_claims") {
			withSets := rapid.Bool().Draw(t, "has_claim_sets")
			claimIDs := rapid.SliceOfNDistinct(genID, 1, 5, rapid.ID[string]).Draw(t, "claim_ids")
			for _, cid := range claimIDs {
				cl := dcql.ClaimsQuery{Path: genPath(t, "path"), Values: genValues(t)}
				if c.Format == dcql.FormatMSOMdoc {
					cl.Path = dcql.Path{rapid.String().Draw(t, "namespace"), rapid.String().Draw(t, "element")}
				}
				if withSets || rapid.Bool().Draw(t, "claim_has_id") {
					cl.ID = cid
				}
				if c.Format == dcql.FormatMSOMdoc {
					cl.IntentToRetain = genOptBool(t, "retain")
				}
				c.Claims = append(c.Claims, cl)
			}
			if withSets {
				c.ClaimSets = rapid.SliceOfN(rapid.SliceOfN(rapid.SampledFrom(claimIDs), 1, 3), 1, 3).Draw(t, "claim_sets")
			}
		}
		q.Credentials = append(q.Credentials, c)
	}
	if rapid.Bool().Draw(t, "has_sets") {
		n := rapid.IntRange(1, 3).Draw(t, "sets")
		for range n {
			q.CredentialSets = append(q.CredentialSets, dcql.CredentialSetQuery{
				Options:  rapid.SliceOfN(rapid.SliceOfN(rapid.SampledFrom(ids), 1, 3), 1, 3).Draw(t, "options"),
				Required: genOptBool(t, "required"),
			})
		}
	}
	return q
}

// TestRoundTrip: for every valid query q, Parse(Marshal(q)) is q.
func TestRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		q := genQuery(t)
		if err := q.Validate(); err != nil {
			t.Fatalf("generated query is invalid: %v", err)
		}
		b, err := q.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		q2, err := dcql.Parse(b)
		if err != nil {
			t.Fatalf("Parse: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(q, q2) {
			t.Fatalf("round trip differs:\n%#v\n%#v\n%s", q, q2, b)
		}
	})
}
