package academic_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

// FuzzParseDiplomaJSON checks that ParseDiplomaJSON never panics, fails only
// with an *academic.Error, and that what it accepts is valid and round-trips
// through its own JSON form.
func FuzzParseDiplomaJSON(f *testing.F) {
	seeds, err := filepath.Glob(filepath.Join("testdata", "registrar", "*.json"))
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no seeds: %v", err)
	}
	for _, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"learner":{"family_name":"A","x":[[{}]]},"degree":null}`))
	f.Add([]byte(`{"degree":{"eqf_level":1e400,"eqf_level":"7"}}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := academic.ParseDiplomaJSON(data)
		if err != nil {
			var e *academic.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, not *academic.Error", err, err)
			}
			return
		}
		if err := d.Validate(); err != nil {
			t.Fatalf("accepted an invalid record: %v", err)
		}
		b1, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := academic.ParseDiplomaJSON(b1)
		if err != nil {
			t.Fatalf("own JSON rejected: %v\n%s", err, b1)
		}
		b2, err := json.Marshal(d2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("round trip changed the record:\n%s\n%s", b1, b2)
		}
	})
}

// FuzzQualificationFromClaims checks that reading arbitrary decoded claims
// never panics and fails only with an *academic.Error.
func FuzzQualificationFromClaims(f *testing.F) {
	for _, s := range samples {
		d := s.make()
		hashi, err := d.HashiDiplomaClaims()
		if err != nil {
			f.Fatal(err)
		}
		b, _ := json.Marshal(hashi.Claims)
		f.Add(academic.VCTHashiDiploma, b)
		vc, err := d.VCDM11(academic.VCDM11Options{IssuerID: "did:web:x.example", IssuanceDate: issuedAt})
		if err != nil {
			f.Fatal(err)
		}
		b, _ = json.Marshal(vc)
		f.Add(academic.FormatJWTVCJSON, b)
	}
	if b, err := os.ReadFile(filepath.Join(sharedTestdata, "academic", "eujp-poc-jws-payload.json")); err == nil {
		f.Add(academic.VCTLearningCredential, b)
	}
	f.Fuzz(func(t *testing.T, vct string, data []byte) {
		var claims map[string]any
		if json.Unmarshal(data, &claims) != nil {
			return
		}
		var err error
		if vct == academic.FormatJWTVCJSON {
			_, err = academic.QualificationFromVCDM11(claims)
		} else {
			_, err = academic.QualificationFromClaims(vct, claims)
		}
		var e *academic.Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error %v is %T, not *academic.Error", err, err)
		}
	})
}
