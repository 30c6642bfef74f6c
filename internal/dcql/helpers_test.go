package dcql_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hashi-vc/hashi/internal/dcql"
)

// specExamples are the DCQL queries of openid/OpenID4VP 1.0/examples copied to testdata.
var specExamples = []string{
	"simple", "claims_alternatives", "credentials_alternatives", "value_matching_simple",
	"multi_credentials", "simple_mdoc", "complex_mdoc", "dcql_jwt_vc", "dcql_ldp_vc",
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustParse(t testing.TB, s string) *dcql.Query {
	t.Helper()
	q, err := dcql.Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return q
}

func ptr[T any](v T) *T { return &v }
