package academic

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// SD rules of claim metadata (SD-JWT VC draft -18, "Claim Selective
// Disclosure Metadata").
const (
	SDAlways  = "always"
	SDAllowed = "allowed"
	SDNever   = "never"
)

//go:embed typemeta/*.json
var typeMetaFS embed.FS

var typeMetaFiles = map[string]string{
	VCTHashiDiploma:       "typemeta/hashi-diploma.json",
	VCTLearningCredential: "typemeta/learning-credential.json",
}

// TypeMetadata is an SD-JWT VC Type Metadata document (draft-ietf-oauth-
// sd-jwt-vc-18, "SD-JWT VC Type Metadata"), the members hashi uses.
type TypeMetadata struct {
	VCT         string          `json:"vct"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Display     []TypeDisplay   `json:"display,omitempty"`
	Claims      []ClaimMetadata `json:"claims,omitempty"`
}

// TypeDisplay is display metadata of the type for one locale.
type TypeDisplay struct {
	Locale      string `json:"locale"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// ClaimMetadata is the metadata of the claim(s) Path selects.
type ClaimMetadata struct {
	// Path is a claim path: strings select object members, nil every element
	// of an array, non-negative integers one element.
	Path    []any          `json:"path"`
	Display []ClaimDisplay `json:"display,omitempty"`
	// Mandatory: the issuer must include the claim.
	Mandatory bool `json:"mandatory,omitempty"`
	// SD is SDAlways, SDAllowed or SDNever; "" means SDAllowed.
	SD string `json:"sd,omitempty"`
}

// ClaimDisplay is display metadata of a claim for one locale.
type ClaimDisplay struct {
	Locale      string `json:"locale"`
	Label       string `json:"label"`
	Description string `json:"description,omitempty"`
}

// TypeMetadataJSON returns the type metadata document of vct exactly as
// hashi serves it (the bytes a vct#integrity digest covers), and whether vct
// is one of VCTHashiDiploma and VCTLearningCredential. The caller gets its
// own copy.
func TypeMetadataJSON(vct string) ([]byte, bool) {
	name, ok := typeMetaFiles[vct]
	if !ok {
		return nil, false
	}
	b, err := typeMetaFS.ReadFile(name)
	return b, err == nil
}

var parsedTypeMeta = sync.OnceValues(func() (map[string][]byte, error) {
	out := map[string][]byte{}
	for vct := range typeMetaFiles {
		b, _ := TypeMetadataJSON(vct)
		if _, err := parseTypeMetadata(b); err != nil {
			return nil, fmt.Errorf("type metadata %s: %w", vct, err)
		}
		out[vct] = b
	}
	return out, nil
})

// sharedTypeMeta holds each type's parsed metadata once, read only: DisplayName and
// ClaimLabel run for every claim a page shows, and parsing the JSON each time dominated a
// wallet's consent page.
var sharedTypeMeta = sync.OnceValue(func() map[string]TypeMetadata {
	all, err := parsedTypeMeta()
	out := map[string]TypeMetadata{}
	if err != nil {
		return out
	}
	for vct, b := range all {
		if m, err := parseTypeMetadata(b); err == nil {
			out[vct] = m
		}
	}
	return out
})

func parseTypeMetadata(b []byte) (TypeMetadata, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m TypeMetadata
	if err := dec.Decode(&m); err != nil {
		return TypeMetadata{}, err
	}
	for i, c := range m.Claims {
		for j, p := range c.Path {
			if f, ok := p.(float64); ok {
				m.Claims[i].Path[j] = int(f)
			}
		}
	}
	return m, nil
}

// LookupTypeMetadata returns the parsed type metadata of vct (a fresh copy the
// caller may change) and whether vct is known. Numbers in claim paths are
// ints.
func LookupTypeMetadata(vct string) (TypeMetadata, bool) {
	m, ok := sharedTypeMeta()[vct]
	if !ok {
		return TypeMetadata{}, false
	}
	return m.clone(), true
}

// clone deep-copies m, so callers may change their copy.
func (m TypeMetadata) clone() TypeMetadata {
	c := m
	c.Display = slices.Clone(m.Display)
	c.Claims = make([]ClaimMetadata, len(m.Claims))
	for i, cl := range m.Claims {
		cl.Path = slices.Clone(cl.Path)
		cl.Display = slices.Clone(cl.Display)
		c.Claims[i] = cl
	}
	return c
}

// DisplayName returns the end-user name of type vct in lang (see ClaimLabel
// for the language fallback), and whether vct is known.
func DisplayName(vct, lang string) (string, bool) {
	m, ok := sharedTypeMeta()[vct]
	if !ok {
		return "", false
	}
	i := pickLocale(len(m.Display), func(i int) string { return m.Display[i].Locale }, lang)
	if i < 0 {
		return "", false
	}
	return m.Display[i].Name, true
}

// ClaimLabel returns the end-user label of the claim at path in a credential
// of type vct, in lang, and whether the type metadata describes that claim
// (or, for a member of a language map, the map).
// path is a concrete or wildcard claim path ([]any{"degree", "title"},
// []any{"native_names", 0, "family_name"}); a nil component in the metadata
// matches any array index. The language is chosen by exact locale, then by
// primary language ("ja-JP" → "ja"), then English.
//
// A member of a language map (see LanguageMapClaim), which type metadata
// cannot describe, is labelled by the map's claim with the language in words:
// ["degree", "title", "translations", "en"] is "Degree title (English)" in
// English and 「学位の名称（英語）」 in Japanese.
func ClaimLabel(vct string, path []any, lang string) (string, bool) {
	m, ok := sharedTypeMeta()[vct]
	if !ok {
		return "", false
	}
	if d, ok := m.claimDisplay(path, lang); ok {
		return d.Label, true
	}
	// A member of a language map: the map's label with the language in words.
	if len(path) == 0 {
		return "", false
	}
	tag, ok := path[len(path)-1].(string)
	if !ok {
		return "", false
	}
	for _, lm := range languageMaps[vct] {
		if !pathMatches(lm.path, path[:len(path)-1]) {
			continue
		}
		d, ok := m.claimDisplay(lm.labelPath, lang)
		if !ok {
			return "", false
		}
		name, _ := LanguageName(tag, d.Locale)
		if primaryLanguage(d.Locale) == "ja" {
			return d.Label + "（" + name + "）", true
		}
		return d.Label + " (" + name + ")", true
	}
	return "", false
}

// claimDisplay returns the display of the claim at path in the locale best
// for lang (see ClaimLabel).
func (m TypeMetadata) claimDisplay(path []any, lang string) (ClaimDisplay, bool) {
	c, ok := m.Claim(path)
	if !ok {
		return ClaimDisplay{}, false
	}
	i := pickLocale(len(c.Display), func(i int) string { return c.Display[i].Locale }, lang)
	if i < 0 {
		return ClaimDisplay{}, false
	}
	return c.Display[i], true
}

// languageMaps are, per type, the claims whose members are BCP 47 language
// tags ({"en": "Master of Engineering", "ja": "修士（工学）"}): their member
// names are data, not claim names, so type metadata cannot describe them (a
// claim path selects object members by name). Each comes with the claim whose
// label, with the language in words, labels a member: "Degree title
// (English)", 「学位授与機関（日本語）」.
var languageMaps = map[string][]struct{ path, labelPath []any }{
	VCTHashiDiploma: {
		{path: []any{"degree", "title", "translations"}, labelPath: []any{"degree", "title"}},
		{path: []any{"degree", "field", "name"}, labelPath: []any{"degree", "field"}},
		{path: []any{"awarding_body", "name"}, labelPath: []any{"awarding_body"}},
	},
}

// LanguageMapClaim reports whether the claim at path of a credential of type
// vct is a language map: an object whose members are BCP 47 language tags
// (degree.title.translations, degree.field.name and awarding_body.name of the
// hashi diploma).
func LanguageMapClaim(vct string, path []any) bool {
	for _, lm := range languageMaps[vct] {
		if pathMatches(lm.path, path) {
			return true
		}
	}
	return false
}

// Claim returns the metadata of the claim at path (see ClaimLabel for path
// matching).
func (m TypeMetadata) Claim(path []any) (ClaimMetadata, bool) {
	for _, c := range m.Claims {
		if pathMatches(c.Path, path) {
			return c, true
		}
	}
	return ClaimMetadata{}, false
}

// pathMatches reports whether the claim path pattern (from type metadata or a
// DCQL query) selects path: same length, equal strings, and nil in pattern
// matching any index (or nil) in path. Integers may be int or float64.
func pathMatches(pattern, path []any) bool {
	if len(pattern) != len(path) {
		return false
	}
	for i, p := range pattern {
		q := path[i]
		switch pv := p.(type) {
		case string:
			if qs, ok := q.(string); !ok || qs != pv {
				return false
			}
		case nil:
			if _, ok := asIndex(q); !ok && q != nil {
				return false
			}
		default:
			pi, ok1 := asIndex(pv)
			qi, ok2 := asIndex(q)
			if !ok1 || !ok2 || pi != qi {
				return false
			}
		}
	}
	return true
}

func asIndex(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, n >= 0
	case float64:
		return int(n), n >= 0 && n == float64(int(n))
	}
	return 0, false
}

// pickLocale returns the index of the best locale for lang, or -1.
func pickLocale(n int, locale func(int) string, lang string) int {
	lang = strings.ToLower(lang)
	base, _, _ := strings.Cut(lang, "-")
	best, bestScore := -1, 0
	for i := range n {
		l := strings.ToLower(locale(i))
		lb, _, _ := strings.Cut(l, "-")
		score := 0
		switch {
		case l == lang:
			score = 4
		case lb == base:
			score = 3
		case l == "en":
			score = 2
		case lb == "en":
			score = 1
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 && n > 0 {
		return 0
	}
	return best
}
