package dcql_test

import (
	"testing"

	"github.com/hashi-vc/hashi/internal/dcql"
)

func BenchmarkParse(b *testing.B) {
	data := readTestdata(b, "credentials_alternatives")
	for b.Loop() {
		if _, err := dcql.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	q := mustParse(b, string(readTestdata(b, "credentials_alternatives")))
	creds := make([]dcql.Credential, 0, 100)
	for range 20 {
		creds = append(creds, pidFull, pidNoStreet, reduced1, reduced2, rewards)
	}
	for b.Loop() {
		if _, err := q.Match(creds); err != nil {
			b.Fatal(err)
		}
	}
}
