package trustlist_test

import (
	"crypto/x509"
	"testing"

	"github.com/hashi-vc/hashi/trustlist"
)

// realSources verifies the real national lists of testdata (the same signers as TestVerifyXML)
// and returns them as sources with their provenance.
func realSources(b testing.TB) []trustlist.Labeled {
	b.Helper()
	var out []trustlist.Labeled
	for _, c := range []struct{ lotl, territory, file string }{
		{lotl248, "NL", "eu/tl-NL-seq41.xml"},
		{lotl248, "AT", "eu/tl-AT-seq42.xml"},
		{lotl248, "BE", "eu/tl-BE-seq43.xml"},
		{lotl248, "CY", "eu/tl-CY-seq31.xml"},
		{lotl248, "FI", "eu/tl-FI-seq32.xml"},
		{lotl248, "SE", "eu/tl-SE-seq32.xml"},
		{lotl248, "SK", "eu/tl-SK-seq59.xml"},
		{lotl248, "SK", "eu/tl-SK-seq95.xml"},
		{lotl341, "SE", "eu/tl-SE-seq55-2025.xml"},
		{mraLOTL, "XX", "mra/mra-zz-tl.xml"},
	} {
		out = append(out, trustlist.Labeled{Label: c.lotl + " → " + c.file, List: verifiedFixture(b, c.file, pointerSigners(b, c.lotl, c.territory))})
	}
	const fi6 = "other/tl-FI-v6-seq49-testsigned.xml"
	return append(out, trustlist.Labeled{Label: fi6, List: verifiedFixture(b, fi6, keyInfoCert(b, fi6))})
}

func countServices(srcs []trustlist.Labeled) int {
	n := 0
	for _, s := range srcs {
		for _, p := range s.List.Providers {
			n += len(p.Services)
		}
	}
	return n
}

// BenchmarkLookup answers one direct hit (a listed NL CA certificate) and one CA-trust miss
// (a generated chain) against the NL list alone and against all real lists: the time per
// lookup does not grow with the number of listed services (index lookups, no scans).
func BenchmarkLookup(b *testing.B) {
	all := realSources(b)
	nl := all[:1]
	hit := []*x509.Certificate{nl[0].List.Providers[0].Services[0].Identity.Certificates[0]}
	ca, _ := newCA(b, "unlisted CA", nil)
	miss := []*x509.Certificate{newLeaf(b, "unlisted leaf", ca).cert, ca.cert}
	issued, now := day(2019, 2, 1), day(2019, 3, 1)
	for _, size := range []struct {
		name string
		srcs []trustlist.Labeled
	}{{"nl-only", nl}, {"all-lists", all}} {
		set := newSet(b, size.srcs...)
		b.Logf("%s: %d lists, %d services", size.name, len(size.srcs), countServices(size.srcs))
		for _, q := range []struct {
			name  string
			chain []*x509.Certificate
			want  trustlist.Reason
		}{{"direct-hit", hit, ""}, {"ca-miss", miss, trustlist.ReasonNoAnchor}} {
			b.Run(size.name+"/"+q.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if r := set.Lookup(q.chain, issued, now, caQCSignatures); r.Reason != q.want {
						b.Fatalf("reason %q (%s)", r.Reason, r.Detail)
					}
				}
			})
		}
	}
}
