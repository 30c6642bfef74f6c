package dcql_test

import (
	"crypto/x509"
	"testing"

	"github.com/hashi-vc/hashi/internal/dcql"
)

func TestAKI(t *testing.T) {
	caSKI := []byte{0xb3, 0xdb, 0x48, 0xa4, 0xf9, 0xa1, 0xc5, 0xd8, 0xae, 0x36, 0x41, 0xcc, 0x11, 0x63, 0x69, 0x62, 0x29, 0xbc, 0x4b, 0xc6}
	if got, want := dcql.AKIValue(caSKI), "s9tIpPmhxdiuNkHMEWNpYim8S8Y"; got != want {
		t.Fatalf("AKIValue = %s, want %s (the spec's example)", got, want)
	}
	leaf := &x509.Certificate{AuthorityKeyId: caSKI}
	root := &x509.Certificate{} // no AKI
	q := mustParse(t, cq(`,"trusted_authorities":[{"type":"aki","values":["`+dcql.AKIValue(caSKI)+`"]}]`))
	cred := dcql.Credential{Format: dcql.FormatSDJWTVC, VCT: "v", HolderBinding: true, AuthorityKeyIDs: dcql.AuthorityKeyIDs([]*x509.Certificate{leaf, nil, root})}
	r, err := q.Match([]dcql.Credential{cred})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Satisfiable {
		t.Fatal("leaf AKI does not match")
	}
	if got := dcql.AuthorityKeyIDs([]*x509.Certificate{root}); got != nil {
		t.Fatalf("AuthorityKeyIDs(root) = %v", got)
	}
}
