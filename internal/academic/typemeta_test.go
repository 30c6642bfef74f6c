package academic_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"

	"github.com/hashi-vc/hashi/internal/academic"
)

// issuerAdded are claims the issuer (not the builders) adds.
var issuerAdded = []string{"iss", "iat", "exp", "nbf", "vct", "cnf", "jti", "status"}

func TestTypeMetadataWellFormed(t *testing.T) {
	for _, vct := range []string{academic.VCTHashiDiploma, academic.VCTLearningCredential} {
		t.Run("ok/"+vct, func(t *testing.T) {
			raw, ok := academic.TypeMetadataJSON(vct)
			if !ok {
				t.Fatal("no type metadata")
			}
			// Strict decode: only the members of draft -18 that hashi uses.
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			var strict academic.TypeMetadata
			if err := dec.Decode(&strict); err != nil {
				t.Fatalf("decode: %v", err)
			}
			m, ok := academic.LookupTypeMetadata(vct)
			if !ok || m.VCT != vct {
				t.Fatalf("LookupTypeMetadata vct = %q", m.VCT)
			}
			if !hasLocales(len(m.Display), func(i int) (string, string) { return m.Display[i].Locale, m.Display[i].Name }) {
				t.Errorf("type display lacks en or ja: %+v", m.Display)
			}
			seen := map[string]bool{}
			for _, c := range m.Claims {
				if len(c.Path) == 0 {
					t.Fatalf("empty claim path")
				}
				for _, p := range c.Path {
					switch p.(type) {
					case string, nil, int:
					default:
						t.Errorf("path %v has a %T component", c.Path, p)
					}
				}
				if seen[pathKey(c.Path)] {
					t.Errorf("path %v described twice", c.Path)
				}
				seen[pathKey(c.Path)] = true
				if c.SD != academic.SDAlways && c.SD != academic.SDNever && c.SD != academic.SDAllowed {
					t.Errorf("path %v: sd %q", c.Path, c.SD)
				}
				if !hasLocales(len(c.Display), func(i int) (string, string) { return c.Display[i].Locale, c.Display[i].Label }) {
					t.Errorf("path %v: display lacks en or ja label", c.Path)
				}
				if first, _ := c.Path[0].(string); slices.Contains(forbiddenSD, first) && c.SD != academic.SDNever {
					t.Errorf("path %v: SD-JWT VC forbids selective disclosure, sd = %q", c.Path, c.SD)
				}
			}
		})
	}
	t.Run("fail/unknown-vct", func(t *testing.T) {
		if _, ok := academic.TypeMetadataJSON("urn:eudi:pid:1"); ok {
			t.Error("TypeMetadataJSON found an unknown vct")
		}
		if _, ok := academic.LookupTypeMetadata("urn:eudi:pid:1"); ok {
			t.Error("LookupTypeMetadata found an unknown vct")
		}
	})
}

func hasLocales(n int, at func(int) (locale, text string)) bool {
	found := map[string]bool{}
	for i := range n {
		l, text := at(i)
		if text != "" {
			found[l] = true
		}
	}
	return found["en"] && found["ja"]
}

// TestTypeMetadataAgreesWithBuilders checks, for both types and every
// sample, that the metadata's "sd" rules agree with the builders'
// disclosable paths, that every claim the builders produce is described
// (so a wallet can label it in en and ja), and that every mandatory claim
// the issuer does not add is present.
func TestTypeMetadataAgreesWithBuilders(t *testing.T) {
	for _, s := range samples {
		hashi, lc, _ := buildAll(t, s.make())
		for _, cs := range []academic.ClaimSet{hashi, lc} {
			t.Run("ok/"+s.name+"/"+cs.VCT, func(t *testing.T) {
				m, ok := academic.LookupTypeMetadata(cs.VCT)
				if !ok {
					t.Fatal("no type metadata")
				}
				claims := roundTrip(t, cs.Claims)
				disclosable := map[string]bool{}
				for _, p := range cs.Disclosable {
					disclosable[pathKey(p)] = true
				}
				for _, p := range claimPaths(claims) {
					c, ok := m.Claim(p)
					if !ok {
						t.Errorf("claim %v is not described by the type metadata", p)
						continue
					}
					switch {
					case disclosable[pathKey(p)] && c.SD == academic.SDNever:
						t.Errorf("claim %v is disclosable but metadata says sd never", p)
					case !disclosable[pathKey(p)] && c.SD == academic.SDAlways:
						t.Errorf("claim %v is plain but metadata says sd always", p)
					}
				}
				for _, p := range cs.Disclosable {
					if c, ok := m.Claim(p); !ok || c.SD == academic.SDNever {
						t.Errorf("disclosable path %v: metadata %+v", p, c)
					}
				}
				for _, c := range m.Claims {
					first, _ := c.Path[0].(string)
					if !c.Mandatory || slices.Contains(issuerAdded, first) {
						continue
					}
					if len(resolve(claims, c.Path)) == 0 {
						t.Errorf("mandatory claim %v missing", c.Path)
					}
				}
			})
		}
	}
}

// TestLearningCredentialMetadataAgreesWithEUDI checks hashi's learning
// credential metadata against the EUDI reference issuer's: the same claims,
// the same mandatory flags and sd rules, the same English labels.
func TestLearningCredentialMetadataAgreesWithEUDI(t *testing.T) {
	var ref academic.TypeMetadata
	readJSON(t, sharedTestdata+"/academic/eudi-learning_credential-vctm.json", &ref)
	ours, ok := academic.LookupTypeMetadata(academic.VCTLearningCredential)
	if !ok || ref.VCT != ours.VCT {
		t.Fatalf("vct %q vs %q", ref.VCT, ours.VCT)
	}
	if len(ref.Claims) != len(ours.Claims) {
		t.Errorf("%d claims, reference has %d", len(ours.Claims), len(ref.Claims))
	}
	for _, rc := range ref.Claims {
		oc, ok := ours.Claim(rc.Path)
		if !ok {
			t.Errorf("claim %v missing", rc.Path)
			continue
		}
		if oc.SD != rc.SD || oc.Mandatory != rc.Mandatory {
			t.Errorf("claim %v: sd %q mandatory %v, reference sd %q mandatory %v", rc.Path, oc.SD, oc.Mandatory, rc.SD, rc.Mandatory)
		}
		if en := label(rc.Display, "en"); en != label(oc.Display, "en") {
			t.Errorf("claim %v: en label %q, reference %q", rc.Path, label(oc.Display, "en"), en)
		}
	}
}

// TestLearningCredentialMetadataMatchesJPPoC checks our metadata against the
// real EU–JP credential: its plain claims are sd never, its disclosures sd
// always.
func TestLearningCredentialMetadataMatchesJPPoC(t *testing.T) {
	var payload map[string]any
	readJSON(t, sharedTestdata+"/academic/eujp-poc-jws-payload.json", &payload)
	var disclosures []struct {
		Decoded []any `json:"decoded"`
	}
	readJSON(t, sharedTestdata+"/academic/eujp-poc-disclosures.json", &disclosures)
	m, _ := academic.LookupTypeMetadata(academic.VCTLearningCredential)
	for name := range payload {
		if name == "_sd" {
			continue
		}
		if c, ok := m.Claim([]any{name}); !ok || c.SD != academic.SDNever {
			t.Errorf("plain PoC claim %s: metadata %+v", name, c)
		}
	}
	for _, d := range disclosures {
		name := d.Decoded[1].(string)
		if c, ok := m.Claim([]any{name}); !ok || c.SD != academic.SDAlways {
			t.Errorf("PoC disclosure %s: metadata %+v", name, c)
		}
	}
}

func label(ds []academic.ClaimDisplay, locale string) string {
	for _, d := range ds {
		if d.Locale == locale {
			return d.Label
		}
	}
	return ""
}

func TestClaimLabel(t *testing.T) {
	tests := []struct {
		name   string
		vct    string
		path   []any
		lang   string
		want   string
		wantOK bool
	}{
		{"ok/ja", academic.VCTHashiDiploma, []any{"degree", "award_date"}, "ja", "学位授与年月日", true},
		{"ok/en", academic.VCTHashiDiploma, []any{"degree", "award_date"}, "en", "Date of award", true},
		{"ok/region-falls-back-to-language", academic.VCTHashiDiploma, []any{"degree", "document_number"}, "ja-JP", "学位記番号", true},
		{"ok/unknown-language-falls-back-to-english", academic.VCTHashiDiploma, []any{"learner_identification"}, "fr", "Student ID", true},
		{"ok/array-index-matches-wildcard", academic.VCTHashiDiploma, []any{"native_names", 0, "family_name"}, "ja", "姓（原語表記）", true},
		{"ok/language-map-member-ja", academic.VCTHashiDiploma, []any{"degree", "title", "translations", "en"}, "ja", "学位の名称（英語）", true},
		{"ok/language-map-member-en", academic.VCTHashiDiploma, []any{"degree", "title", "translations", "en"}, "en", "Degree title (English)", true},
		{"ok/language-map-member-script", academic.VCTHashiDiploma, []any{"awarding_body", "name", "ja-Kana"}, "ja", "学位授与機関（日本語（カタカナ））", true},
		{"ok/language-map-member-field", academic.VCTHashiDiploma, []any{"degree", "field", "name", "ja"}, "en-GB", "Field of study (Japanese)", true},
		{"ok/language-map-member-unknown-language", academic.VCTHashiDiploma, []any{"awarding_body", "name", "xx"}, "en", "Awarding body (xx)", true},
		{"fail/language-map-member-of-unknown-type", academic.VCTLearningCredential, []any{"awarding_body", "name", "en"}, "en", "", false},
		{"fail/index-under-language-map", academic.VCTHashiDiploma, []any{"awarding_body", "name", 0}, "en", "", false},
		{"ok/float-index-matches-wildcard", academic.VCTHashiDiploma, []any{"degree", "quality_assurance", float64(1), "agency"}, "ja", "評価機関", true},
		{"ok/learning-credential-ja", academic.VCTLearningCredential, []any{"level_of_learning_experience"}, "ja", "学修の水準（EQF）", true},
		{"ok/learning-credential-en", academic.VCTLearningCredential, []any{"learner_identification"}, "en", "Learner identification", true},
		{"fail/unknown-claim", academic.VCTHashiDiploma, []any{"degree", "nickname"}, "en", "", false},
		{"fail/path-too-long", academic.VCTHashiDiploma, []any{"degree", "award_date", "year"}, "en", "", false},
		{"fail/negative-index", academic.VCTHashiDiploma, []any{"native_names", -1, "family_name"}, "en", "", false},
		{"fail/unknown-vct", "urn:eudi:pid:1", []any{"family_name"}, "en", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := academic.ClaimLabel(tt.vct, tt.path, tt.lang)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ClaimLabel = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct {
		name, vct, lang, want string
		wantOK                bool
	}{
		{"ok/hashi-ja", academic.VCTHashiDiploma, "ja", "学位証明書", true},
		{"ok/hashi-en", academic.VCTHashiDiploma, "en-GB", "Diploma", true},
		{"ok/learning-ja", academic.VCTLearningCredential, "ja", "学修歴証明書", true},
		{"ok/learning-default", academic.VCTLearningCredential, "", "Learning Credential", true},
		{"fail/unknown", "urn:x", "en", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := academic.DisplayName(tt.vct, tt.lang)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("DisplayName = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestLookupTypeMetadataReturnsCopy(t *testing.T) {
	m, _ := academic.LookupTypeMetadata(academic.VCTHashiDiploma)
	m.Claims[0].Display[0].Label = "changed"
	m.Display = nil
	again, _ := academic.LookupTypeMetadata(academic.VCTHashiDiploma)
	if again.Claims[0].Display[0].Label == "changed" || again.Display == nil {
		t.Error("LookupTypeMetadata shares state between callers")
	}
}

func TestLookupTypeMetadataIsACopy(t *testing.T) {
	a, ok := academic.LookupTypeMetadata(academic.VCTHashiDiploma)
	if !ok || len(a.Claims) == 0 || len(a.Claims[0].Path) == 0 || len(a.Display) == 0 {
		t.Fatal("no metadata")
	}
	a.Display[0].Name = "changed"
	a.Claims[0].Path[0] = "changed"
	b, _ := academic.LookupTypeMetadata(academic.VCTHashiDiploma)
	if b.Display[0].Name == "changed" || b.Claims[0].Path[0] == "changed" {
		t.Fatal("a caller's change reached the shared metadata")
	}
	if name, _ := academic.DisplayName(academic.VCTHashiDiploma, "en"); name == "changed" {
		t.Fatal("DisplayName sees a caller's change")
	}
}
