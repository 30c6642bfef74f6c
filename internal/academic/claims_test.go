package academic_test

import (
	"slices"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
)

var (
	jst       = time.FixedZone("JST", 9*3600)
	issuedAt  = time.Date(2025, 9, 15, 10, 30, 0, 0, jst)
	expiresAt = time.Date(2030, 3, 31, 0, 0, 0, 0, jst)
)

// forbiddenSD are the claims SD-JWT VC forbids to be selectively
// disclosable; the builders must leave them to the issuer.
var forbiddenSD = []string{"iss", "nbf", "exp", "cnf", "vct", "vct#integrity", "status", "_sd", "_sd_alg"}

func buildAll(t *testing.T, d academic.Diploma) (hashi, lc academic.ClaimSet, vc map[string]any) {
	t.Helper()
	var err error
	if hashi, err = d.HashiDiplomaClaims(); err != nil {
		t.Fatalf("HashiDiplomaClaims: %v", err)
	}
	if lc, err = d.LearningCredentialClaims(academic.LearningCredentialOptions{IssuanceDate: issuedAt, ExpiryDate: expiresAt}); err != nil {
		t.Fatalf("LearningCredentialClaims: %v", err)
	}
	vc, err = d.VCDM11(academic.VCDM11Options{
		IssuerID:     "https://issuer.example/universities/1",
		SubjectID:    "did:jwk:eyJrdHkiOiJFQyJ9",
		CredentialID: "urn:uuid:6a1c7f4e-3a5b-4c2d-9e8f-0a1b2c3d4e5f",
		IssuanceDate: issuedAt,
	})
	if err != nil {
		t.Fatalf("VCDM11: %v", err)
	}
	return hashi, lc, vc
}

func TestClaimsGolden(t *testing.T) {
	for _, s := range samples {
		t.Run("ok/"+s.name, func(t *testing.T) {
			hashi, lc, vc := buildAll(t, s.make())
			golden(t, s.name+".hashi-diploma.json", hashi)
			golden(t, s.name+".learning-credential.json", lc)
			golden(t, s.name+".vcdm11.json", vc)
		})
	}
}

func TestClaimSetShape(t *testing.T) {
	for _, s := range samples {
		t.Run("ok/"+s.name, func(t *testing.T) {
			hashi, lc, _ := buildAll(t, s.make())
			for _, cs := range []academic.ClaimSet{hashi, lc} {
				for _, name := range forbiddenSD {
					if _, ok := cs.Claims[name]; ok {
						t.Errorf("%s: claims contain %q, which the issuer adds", cs.VCT, name)
					}
				}
				seen := map[string]bool{}
				for _, p := range cs.Disclosable {
					if len(p) == 0 {
						t.Fatalf("%s: empty disclosable path", cs.VCT)
					}
					if seen[pathKey(p)] {
						t.Errorf("%s: path %v listed twice", cs.VCT, p)
					}
					seen[pathKey(p)] = true
					if len(resolve(cs.Claims, p)) != 1 {
						t.Errorf("%s: disclosable path %v does not select exactly one claim", cs.VCT, p)
					}
					if first, _ := p[0].(string); slices.Contains(forbiddenSD, first) {
						t.Errorf("%s: forbidden claim %v disclosable", cs.VCT, p)
					}
				}
			}
		})
	}
}

// TestLearningCredentialLikeJPPoC checks our learning credential is shaped
// like the real EU–JP proof-of-concept credential: the claims it shows
// plainly are the PoC's plain claims, the claims it makes selectively
// disclosable are the PoC's disclosures, and the values have the PoC's JSON
// types (level_of_learning_experience an integer, language_of_classes BCP 47
// strings, dates YYYY-MM-DD).
func TestLearningCredentialLikeJPPoC(t *testing.T) {
	var payload map[string]any
	readJSON(t, sharedTestdata+"/academic/eujp-poc-jws-payload.json", &payload)
	var disclosures []struct {
		Decoded []any `json:"decoded"`
	}
	readJSON(t, sharedTestdata+"/academic/eujp-poc-disclosures.json", &disclosures)
	plain := map[string]bool{}
	for k := range payload {
		plain[k] = true
	}
	sd := map[string]any{}
	for _, d := range disclosures {
		sd[d.Decoded[1].(string)] = d.Decoded[2]
	}
	for _, s := range samples {
		t.Run("ok/"+s.name, func(t *testing.T) {
			_, lc, _ := buildAll(t, s.make())
			claims := roundTrip(t, lc.Claims)
			disclosable := map[string]bool{}
			for _, p := range lc.Disclosable {
				if len(p) != 1 {
					t.Fatalf("nested disclosable path %v; the PoC discloses top-level claims only", p)
				}
				disclosable[p[0].(string)] = true
			}
			for name, v := range claims {
				switch {
				case disclosable[name]:
					pv, ok := sd[name]
					if !ok {
						t.Errorf("%s is disclosable here but not a PoC disclosure", name)
					} else if pv != nil && jsonKind(pv) != jsonKind(v) {
						t.Errorf("%s: JSON type %s, PoC has %s", name, jsonKind(v), jsonKind(pv))
					}
				default:
					pv, ok := payload[name]
					if !ok {
						t.Errorf("%s is plain here but not a plain PoC claim", name)
					} else if jsonKind(pv) != jsonKind(v) {
						t.Errorf("%s: JSON type %s, PoC has %s", name, jsonKind(v), jsonKind(pv))
					}
				}
			}
			for _, name := range []string{"issuing_authority", "issuing_country", "date_of_issuance", "family_name",
				"achievement_title", "language_of_classes", "learner_identification", "expected_study_time",
				"level_of_learning_experience", "types_of_quality_assurance"} {
				if _, ok := claims[name]; !ok {
					t.Errorf("mandatory claim %s missing", name)
				}
			}
			if claims["date_of_issuance"] != "2025-09-15" || claims["date_of_expiry"] != "2030-03-31" {
				t.Errorf("dates = %v, %v", claims["date_of_issuance"], claims["date_of_expiry"])
			}
		})
	}
}

func jsonKind(v any) string {
	switch x := v.(type) {
	case string:
		return "string"
	case float64:
		if x == float64(int64(x)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "?"
}

func TestLearningCredentialOptions(t *testing.T) {
	d := academic.SampleJPMedicalBachelor()
	t.Run("ok/default-language-is-original", func(t *testing.T) {
		cs, err := d.LearningCredentialClaims(academic.LearningCredentialOptions{IssuanceDate: issuedAt})
		if err != nil {
			t.Fatal(err)
		}
		if cs.Claims["achievement_title"] != "学士（医学）" || cs.Claims["issuing_authority"] != "例示医科大学" {
			t.Errorf("title %v, authority %v", cs.Claims["achievement_title"], cs.Claims["issuing_authority"])
		}
		if _, ok := cs.Claims["date_of_expiry"]; ok {
			t.Error("date_of_expiry present without ExpiryDate")
		}
	})
	t.Run("ok/english", func(t *testing.T) {
		cs, err := d.LearningCredentialClaims(academic.LearningCredentialOptions{IssuanceDate: issuedAt, Lang: "en"})
		if err != nil {
			t.Fatal(err)
		}
		if cs.Claims["achievement_title"] != "Bachelor of Medicine" || cs.Claims["issuing_authority"] != "Example Medical University" {
			t.Errorf("title %v, authority %v", cs.Claims["achievement_title"], cs.Claims["issuing_authority"])
		}
	})
	t.Run("ok/issuance-date-in-its-own-zone", func(t *testing.T) {
		// 2025-09-15 00:30 in Tokyo is still 2025-09-14 in UTC.
		cs, err := d.LearningCredentialClaims(academic.LearningCredentialOptions{IssuanceDate: time.Date(2025, 9, 15, 0, 30, 0, 0, jst)})
		if err != nil {
			t.Fatal(err)
		}
		if cs.Claims["date_of_issuance"] != "2025-09-15" {
			t.Errorf("date_of_issuance = %v", cs.Claims["date_of_issuance"])
		}
	})
	fails := []struct {
		name string
		d    academic.Diploma
		opts academic.LearningCredentialOptions
		want []fieldKey
	}{
		{"fail/no-issuance-date", d, academic.LearningCredentialOptions{}, []fieldKey{{"date_of_issuance", "required"}}},
		{"fail/issued-before-award", d, academic.LearningCredentialOptions{IssuanceDate: time.Date(2025, 3, 24, 12, 0, 0, 0, jst)},
			[]fieldKey{{"date_of_issuance", "issued_before_award"}}},
		{"fail/expiry-not-after-issuance", d, academic.LearningCredentialOptions{IssuanceDate: issuedAt, ExpiryDate: issuedAt},
			[]fieldKey{{"date_of_expiry", "expiry_before_issuance"}}},
		{"fail/invalid-record", academic.Diploma{}, academic.LearningCredentialOptions{IssuanceDate: issuedAt},
			[]fieldKey{{"learner", "required"}, {"degree", "required"}, {"awarding_body", "required"}}},
	}
	for _, tt := range fails {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.d.LearningCredentialClaims(tt.opts)
			wantError(t, err, academic.CodeInvalid, tt.want)
		})
	}
}

func TestBuildersRejectInvalidRecord(t *testing.T) {
	d := academic.SampleEUMaster()
	d.Degree.EQFLevel = 6
	want := []fieldKey{{"degree.eqf_level", "eqf_crosswalk"}, {"degree.eqf_level", "eqf_isced"}}
	_, err := d.HashiDiplomaClaims()
	wantError(t, err, academic.CodeInvalid, want)
	_, err = d.VCDM11(academic.VCDM11Options{IssuerID: "https://issuer.example", IssuanceDate: issuedAt})
	wantError(t, err, academic.CodeInvalid, want)
}

func TestVCDM11Options(t *testing.T) {
	d := academic.SampleJPMasterEngineering()
	t.Run("ok/minimal-bearer", func(t *testing.T) {
		vc, err := d.VCDM11(academic.VCDM11Options{IssuerID: "did:web:issuer.example", IssuanceDate: issuedAt})
		if err != nil {
			t.Fatal(err)
		}
		if vc["issuanceDate"] != "2025-09-15T01:30:00Z" || vc["issued"] != vc["issuanceDate"] || vc["validFrom"] != vc["issuanceDate"] {
			t.Errorf("dates %v %v %v", vc["issuanceDate"], vc["issued"], vc["validFrom"])
		}
		for _, k := range []string{"id", "expirationDate", "validUntil", "credentialSchema"} {
			if _, ok := vc[k]; ok {
				t.Errorf("%s present without its option", k)
			}
		}
		if _, ok := vc["credentialSubject"].(map[string]any)["id"]; ok {
			t.Error("credentialSubject.id present without SubjectID")
		}
	})
	t.Run("ok/expiry-and-schema", func(t *testing.T) {
		vc, err := d.VCDM11(academic.VCDM11Options{IssuerID: "did:web:issuer.example", IssuanceDate: issuedAt,
			ExpirationDate: expiresAt, SchemaID: "https://api-pilot.ebsi.eu/trusted-schemas-registry/v3/schemas/z3MgUFUkb722uq4x3dv5yAJmnNmzDFeK5UC8x83QoeLJM"})
		if err != nil {
			t.Fatal(err)
		}
		if vc["expirationDate"] != "2030-03-30T15:00:00Z" || vc["validUntil"] != vc["expirationDate"] {
			t.Errorf("expiry %v %v", vc["expirationDate"], vc["validUntil"])
		}
		if s, _ := vc["credentialSchema"].(map[string]any); s["type"] != "FullJsonSchemaValidator2021" {
			t.Errorf("credentialSchema = %v", vc["credentialSchema"])
		}
	})
	t.Run("fail/missing-issuer-and-date", func(t *testing.T) {
		_, err := d.VCDM11(academic.VCDM11Options{})
		wantError(t, err, academic.CodeInvalid, []fieldKey{{"issuer", "required"}, {"issuanceDate", "required"}})
	})
	t.Run("fail/expiry-before-issuance", func(t *testing.T) {
		_, err := d.VCDM11(academic.VCDM11Options{IssuerID: "did:web:issuer.example", IssuanceDate: issuedAt, ExpirationDate: issuedAt.Add(-time.Hour)})
		wantError(t, err, academic.CodeInvalid, []fieldKey{{"expirationDate", "expiry_before_issuance"}})
	})
}
