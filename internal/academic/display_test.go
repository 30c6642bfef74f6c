package academic_test

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/hashi-vc/hashi/internal/academic"
)

// allDiplomas are the Go samples and the registrar files (parsed), by name.
func allDiplomas(t *testing.T) map[string]academic.Diploma {
	t.Helper()
	out := map[string]academic.Diploma{}
	for _, s := range samples {
		out["sample/"+s.name] = s.make()
	}
	files, err := filepath.Glob(filepath.Join("testdata", "registrar", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("registrar files: %v %v", files, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d, err := academic.ParseDiplomaJSON(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out["registrar/"+filepath.Base(f)] = d
	}
	return out
}

// leafPaths lists the concrete path (array indexes as ints) of every leaf of
// a claims tree, with its value.
func leafPaths(v any, path []any, f func([]any, any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			leafPaths(e, append(slices.Clone(path), k), f)
		}
	case []any:
		for i, e := range x {
			leafPaths(e, append(slices.Clone(path), i), f)
		}
	default:
		f(path, x)
	}
}

func hasNonASCII(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r > unicode.MaxASCII }) >= 0
}

// TestEveryLeafHasLabel: every claim value a wallet or verifier shows (every
// leaf of both credential types built from every sample and registrar file,
// members of language maps included, and the issuer's own iss, iat, exp and
// vct) has a label in English and in Japanese: the Japanese one is written in
// Japanese, not the English fallback.
func TestEveryLeafHasLabel(t *testing.T) {
	for name, d := range allDiplomas(t) {
		hashi, lc, _ := buildAll(t, d)
		for _, cs := range []academic.ClaimSet{hashi, lc} {
			t.Run("ok/"+name+"/"+cs.VCT, func(t *testing.T) {
				claims := roundTrip(t, cs.Claims)
				for _, k := range []string{"iss", "iat", "exp", "vct"} {
					claims[k] = "x"
				}
				n := 0
				leafPaths(claims, nil, func(p []any, _ any) {
					n++
					en, okEN := academic.ClaimLabel(cs.VCT, p, "en")
					ja, okJA := academic.ClaimLabel(cs.VCT, p, "ja")
					switch {
					case !okEN || !okJA || en == "" || ja == "":
						t.Errorf("%v: label en %q (%v), ja %q (%v)", p, en, okEN, ja, okJA)
					case !hasNonASCII(ja):
						t.Errorf("%v: Japanese label %q is not in Japanese", p, ja)
					case hasNonASCII(en) && !strings.ContainsAny(en, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
						t.Errorf("%v: English label %q is not in English", p, en)
					}
				})
				if n < 10 {
					t.Fatalf("only %d leaves", n)
				}
			})
		}
	}
}

// enumWords are the model's enumerations by the JSON path of their field (array
// elements left out), with the function that puts a value in words and the
// claim path of the hashi diploma that carries it.
var enumWords = map[string]struct {
	words func(code, lang string) string
	claim []any
}{
	"degree.type":                      {func(c, l string) string { return academic.DegreeType(c).Label(l) }, []any{"degree", "type"}},
	"degree.credits.framework":         {func(c, l string) string { return academic.CreditFramework(c).Label(l) }, []any{"degree", "credits", "framework"}},
	"degree.quality_assurance.type":    {academic.QualityAssuranceTypeLabel, []any{"degree", "quality_assurance", 0, "type"}},
	"awarding_body.identifiers.scheme": {academic.IdentifierSchemeLabel, []any{"awarding_body", "identifiers", 1, "scheme"}},
}

// modelEnums walks the model's types and returns, by JSON path, the values
// each enumerated field allows: the oneof= list of its validate tag, or
// DegreeTypes for the degree_type rule.
func modelEnums(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	var walk func(typ reflect.Type, prefix string)
	walk = func(typ reflect.Type, prefix string) {
		for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
			typ = typ.Elem()
		}
		if typ.Kind() != reflect.Struct {
			return
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			path := prefix + name
			for rule := range strings.SplitSeq(f.Tag.Get("validate"), ",") {
				if rule == "dive" {
					break // the rules of elements or map entries follow
				}
				if values, ok := strings.CutPrefix(rule, "oneof="); ok {
					out[path] = strings.Fields(values)
				}
				if rule == "degree_type" {
					for _, d := range academic.DegreeTypes() {
						out[path] = append(out[path], string(d))
					}
				}
			}
			walk(f.Type, path+".")
		}
	}
	walk(reflect.TypeFor[academic.Diploma](), "")
	if len(out) < 4 {
		t.Fatalf("found only the enumerations %v", out)
	}
	return out
}

// TestEnumerationWords: every value of every enumeration of the model (read
// from the validate tags, so a new value or a new enumerated field fails here
// until it has words) reads as words in English and in Japanese, through the
// exported tables and through ClaimValueText on the claim that carries it; the
// exported lists of values are exactly the allowed ones.
func TestEnumerationWords(t *testing.T) {
	enums := modelEnums(t)
	for path, values := range enums {
		ew, ok := enumWords[path]
		if !ok {
			t.Errorf("enumeration %s %v has no words (add a table next to its constants and a row to enumWords)", path, values)
			continue
		}
		for _, v := range values {
			en, ja := ew.words(v, "en"), ew.words(v, "ja")
			switch {
			case en == v || ja == v || en == "" || ja == "" || en == ja:
				t.Errorf("%s %q: en %q, ja %q", path, v, en, ja)
			case !hasNonASCII(ja):
				t.Errorf("%s %q: Japanese %q is not in Japanese", path, v, ja)
			}
			if got := ew.words(v, "ja-JP"); got != ja {
				t.Errorf("%s %q in ja-JP: %q, want %q", path, v, got, ja)
			}
			if got := ew.words(v, "fr"); got != en {
				t.Errorf("%s %q in fr: %q, want the English %q", path, v, got, en)
			}
			for _, lang := range []string{"en", "ja"} {
				got, ok := academic.ClaimValueText(academic.VCTHashiDiploma, ew.claim, v, lang)
				if want := ew.words(v, lang); !ok || got != want {
					t.Errorf("ClaimValueText(%v, %q, %s) = %q, %v; want %q", ew.claim, v, lang, got, ok, want)
				}
			}
		}
		if got := ew.words("no-such-code", "ja"); got != "no-such-code" {
			t.Errorf("%s: unknown code in words %q", path, got)
		}
		if _, ok := academic.ClaimValueText(academic.VCTHashiDiploma, ew.claim, "no-such-code", "ja"); ok {
			t.Errorf("%s: ClaimValueText knows an unknown code", path)
		}
	}
	for path := range enumWords {
		if _, ok := enums[path]; !ok {
			t.Errorf("enumWords lists %s, which the model does not enumerate", path)
		}
	}
	lists := map[string][]string{
		"degree.credits.framework":         stringsOf(academic.CreditFrameworks()),
		"degree.quality_assurance.type":    academic.QualityAssuranceTypes(),
		"awarding_body.identifiers.scheme": academic.IdentifierSchemes(),
		"degree.type":                      stringsOf(academic.DegreeTypes()),
	}
	for path, list := range lists {
		got, want := slices.Sorted(slices.Values(list)), slices.Sorted(slices.Values(enums[path]))
		if !slices.Equal(got, want) {
			t.Errorf("the exported list of %s is %v, the model allows %v", path, got, want)
		}
	}
}

func stringsOf[S ~string](s []S) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = string(v)
	}
	return out
}

// TestECTSMethodText: every method DeriveECTS states has a Japanese version,
// returned for Japanese (and ja-JP) readers; English readers get the method
// as the credential states it; other text stays as it is.
func TestECTSMethodText(t *testing.T) {
	var seen []string
	for _, f := range academic.CreditFrameworks() {
		_, method, err := academic.DeriveECTS(30, f)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, method)
		if en, ok := academic.ECTSMethodText(method, "en"); !ok || en != method {
			t.Errorf("%s: en %q, %v", f, en, ok)
		}
		ja, ok := academic.ECTSMethodText(method, "ja-JP")
		if !ok || ja == method || !strings.Contains(ja, "換算") {
			t.Errorf("%s: ja %q, %v", f, ja, ok)
		}
		if strings.Contains(ja, " by ") || strings.Contains(ja, "rounded") {
			t.Errorf("%s: ja %q is partly English", f, ja)
		}
		if got, ok := academic.ClaimValueText(academic.VCTHashiDiploma, []any{"degree", "credits", "ects_method"}, method, "ja"); !ok || got != ja {
			t.Errorf("ClaimValueText ects_method = %q, %v", got, ok)
		}
	}
	if !slices.Equal(slices.Sorted(slices.Values(seen)), slices.Sorted(slices.Values(academic.ECTSMethods()))) {
		t.Errorf("ECTSMethods %v, DeriveECTS states %v", academic.ECTSMethods(), seen)
	}
	if s, ok := academic.ECTSMethodText("by a method of our own", "ja"); ok || s != "by a method of our own" {
		t.Errorf("unknown method: %q, %v", s, ok)
	}
}

func TestLanguageAndCountryNames(t *testing.T) {
	for _, tt := range []struct {
		tag, lang, want string
		ok              bool
	}{
		{"en", "ja", "英語", true},
		{"en", "en", "English", true},
		{"ja", "ja-JP", "日本語", true},
		{"nl", "fr", "Dutch", true},
		{"ja-Kana", "ja", "日本語（カタカナ）", true},
		{"ja-Kana", "en", "Japanese (Katakana)", true},
		{"ja-Latn", "ja", "日本語（ローマ字）", true},
		{"en-GB", "ja", "英語（イギリス）", true},
		{"EN-gb", "en", "English (United Kingdom)", true},
		{"de-CH-1996", "en", "German (Switzerland)", true},
		{"xx", "ja", "xx", false},
	} {
		if got, ok := academic.LanguageName(tt.tag, tt.lang); got != tt.want || ok != tt.ok {
			t.Errorf("LanguageName(%q, %q) = %q, %v; want %q, %v", tt.tag, tt.lang, got, ok, tt.want, tt.ok)
		}
	}
	// Every language and country the samples and registrar files name has words.
	for name, d := range allDiplomas(t) {
		tags := slices.Concat(d.Degree.Languages, []string{d.Degree.TitleLang})
		for l := range d.Degree.Title {
			tags = append(tags, l)
		}
		for l := range d.AwardingBody.Name {
			tags = append(tags, l)
		}
		for l := range d.Degree.Field.Name {
			tags = append(tags, l)
		}
		for _, n := range d.Learner.NativeNames {
			tags = append(tags, n.Lang)
		}
		for _, tag := range tags {
			en, ok1 := academic.LanguageName(tag, "en")
			ja, ok2 := academic.LanguageName(tag, "ja")
			if !ok1 || !ok2 || !hasNonASCII(ja) || en == tag {
				t.Errorf("%s: language %q: %q, %q", name, tag, en, ja)
			}
		}
		if ja, ok := academic.CountryName(d.AwardingBody.Country, "ja"); !ok || !hasNonASCII(ja) {
			t.Errorf("%s: country %q: %q", name, d.AwardingBody.Country, ja)
		}
	}
	if got, ok := academic.CountryName("JP", "ja"); !ok || got != "日本" {
		t.Errorf("CountryName JP = %q, %v", got, ok)
	}
	if got, ok := academic.CountryName("ZZ", "ja"); ok || got != "ZZ" {
		t.Errorf("CountryName ZZ = %q, %v", got, ok)
	}
}

// TestClaimValueTextInJapanese: on every sample, the values of both credential
// types that ClaimValueText puts in words read in Japanese, with no code and
// no English phrase of this package left.
func TestClaimValueTextInJapanese(t *testing.T) {
	english := []string{"Japanese credits", "standard duration", "ECTS credits (", "External Evaluation", "Internal Evaluation", "by hours", "native ECTS"}
	for name, d := range allDiplomas(t) {
		hashi, lc, _ := buildAll(t, d)
		for _, cs := range []academic.ClaimSet{hashi, lc} {
			claims := roundTrip(t, cs.Claims)
			claims["vct"] = cs.VCT
			words := 0
			leafPaths(claims, nil, func(p []any, v any) {
				ja, ok := academic.ClaimValueText(cs.VCT, p, v, "ja")
				if !ok {
					return
				}
				words++
				if !hasNonASCII(ja) {
					t.Errorf("%s %s %v: %q → %q", name, cs.VCT, p, v, ja)
				}
				for _, e := range english {
					if strings.Contains(ja, e) {
						t.Errorf("%s %s %v: %q still says %q", name, cs.VCT, p, ja, e)
					}
				}
				if en, ok := academic.ClaimValueText(cs.VCT, p, v, "en"); !ok || en == "" {
					t.Errorf("%s %s %v: no English words", name, cs.VCT, p)
				}
			})
			if words < 4 {
				t.Errorf("%s %s: only %d values in words", name, cs.VCT, words)
			}
		}
	}
	if _, ok := academic.ClaimValueText(academic.VCTHashiDiploma, []any{"degree", "level", "eqf"}, 7.0, "ja"); ok {
		t.Error("a number in words")
	}
	if _, ok := academic.ClaimValueText("urn:x", []any{"degree", "type"}, "master", "ja"); ok {
		t.Error("words for an unknown type")
	}
}

func TestStudyTimeAndQualityAssuranceText(t *testing.T) {
	for _, tt := range []struct {
		in, ja string
		ok     bool
	}{
		{"188 単位 (Japanese credits, 1 単位 = 45 h: 8460 h); standard duration 6 years", "188 単位（日本の大学の単位、1 単位 = 45 時間：計 8460 時間）、標準修業年限 6 年", true},
		{"120 ECTS credits (1 ECTS = 25–30 h)", "120 ECTS 単位（1 ECTS = 25〜30 時間）", true},
		{"standard duration 2.5 years", "標準修業年限 2.5 年", true},
		{"about four years", "about four years", false},
		{"120 ECTS credits (1 ECTS = 25–30 h); about four years", "120 ECTS credits (1 ECTS = 25–30 h); about four years", false},
	} {
		if got, ok := academic.StudyTimeText(tt.in, "ja"); got != tt.ja || ok != tt.ok {
			t.Errorf("StudyTimeText(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.ja, tt.ok)
		}
		if got, _ := academic.StudyTimeText(tt.in, "en"); got != tt.in {
			t.Errorf("StudyTimeText(%q, en) = %q", tt.in, got)
		}
	}
	for _, tt := range []struct {
		in, ja string
		ok     bool
	}{
		{"External Evaluation (certified evaluation, 認証評価) by 大学基準協会 (JUAA): 適合", "認証評価、評価機関：大学基準協会 (JUAA)、評価結果：適合", true},
		{"External Evaluation (accreditation) by NVAO", "アクレディテーション（適格認定）、評価機関：NVAO", true},
		{"Internal Evaluation by the university: passed", "内部評価（自己点検・評価）、評価機関：the university、評価結果：passed", true},
		{"Accredited by NVAO", "Accredited by NVAO", false},
	} {
		if got, ok := academic.QualityAssuranceText(tt.in, "ja"); got != tt.ja || ok != tt.ok {
			t.Errorf("QualityAssuranceText(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.ja, tt.ok)
		}
	}
}
