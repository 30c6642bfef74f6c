package wallethttp

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/wallet"
)

// Credentials of one type from one issuer look alike: a card also shows what tells them
// apart, read from the claims the wallet holds (it holds every disclosure): the title of
// the degree and the holder's name. The shapes read are those of internal/academic: the
// hashi diploma (degree.title {lang, value, translations}, family_name, given_name,
// native_names), the learning credential (achievement_title) and the VCDM 1.1 diploma of
// jwt_vc_json (credentialSubject.degree {name, nameLanguage, title}, familyName,
// givenName, nativeNames).

// claimIndex maps a claims path, its members joined by "/" with the VCDM's camelCase
// names in snake_case and a leading credentialSubject dropped, to its value.
type claimIndex map[string]any

var vcdmNames = map[string]string{"familyName": "family_name", "givenName": "given_name", "nativeNames": "native_names"}

func indexClaims(claims []wallet.ClaimDisclosure) claimIndex {
	ix := make(claimIndex, len(claims))
	for _, cd := range claims {
		p := cd.Path
		if len(p) > 1 && p[0] == "credentialSubject" {
			p = p[1:]
		}
		parts := make([]string, len(p))
		for i, x := range p {
			s := fmt.Sprint(x)
			if n, ok := vcdmNames[s]; ok {
				s = n
			}
			parts[i] = s
		}
		ix[strings.Join(parts, "/")] = cd.Value
	}
	return ix
}

// str returns the string at path, or "".
func (ix claimIndex) str(path string) string {
	s, _ := ix[path].(string)
	return strings.TrimSpace(s)
}

// under returns the string members directly under prefix ("degree/title/translations"),
// by member name.
func (ix claimIndex) under(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range ix {
		rest, ok := strings.CutPrefix(k, prefix+"/")
		if !ok || strings.Contains(rest, "/") {
			continue
		}
		if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
			out[rest] = strings.TrimSpace(s)
		}
	}
	return out
}

// cardTitle is the credential's title in lang when the credential has it in lang, else in
// its original language; "" when it states none.
func cardTitle(claims []wallet.ClaimDisclosure, lang string) string {
	ix := indexClaims(claims)
	for _, shape := range []struct{ value, lang, translations string }{
		{"degree/title/value", "degree/title/lang", "degree/title/translations"}, // hashi diploma
		{"degree/name", "degree/nameLanguage", "degree/title"},                   // VCDM 1.1 diploma
		{"achievement_title", "", ""},                                            // learning credential
	} {
		original := ix.str(shape.value)
		var translations map[string]string
		if shape.translations != "" {
			translations = ix.under(shape.translations)
		}
		if original == "" && len(translations) == 0 {
			continue
		}
		if t, ok := inLang(translations, lang); ok {
			return t
		}
		if original != "" {
			return original
		}
		// Only translations: the first by language tag.
		return translations[slices.Min(slices.Collect(maps.Keys(translations)))]
	}
	return ""
}

// inLang picks from texts by language tag: lang itself, else the first tag (in order)
// whose primary language is lang.
func inLang(texts map[string]string, lang string) (string, bool) {
	if t, ok := texts[lang]; ok {
		return t, true
	}
	for _, k := range slices.Sorted(maps.Keys(texts)) {
		if base, _, _ := strings.Cut(k, "-"); strings.EqualFold(base, lang) {
			return texts[k], true
		}
	}
	return "", false
}

// cardHolder is the holder's name as the credential states it: in lang's own script when
// the credential has it (native_names in lang, not a reading in kana or Latin letters),
// else the Latin-script name; "" when it states none.
func cardHolder(claims []wallet.ClaimDisclosure, lang string) string {
	ix := indexClaims(claims)
	type native struct{ lang, family, given string }
	var natives []native
	for i := 0; ; i++ {
		p := fmt.Sprintf("native_names/%d/", i)
		n := native{lang: ix.str(p + "lang"), family: ix.str(p + "family_name"), given: ix.str(p + "given_name")}
		if n.lang == "" && n.family == "" && n.given == "" {
			break
		}
		natives = append(natives, n)
	}
	for _, exact := range []bool{true, false} {
		for _, n := range natives {
			base, script, _ := strings.Cut(n.lang, "-")
			match := n.lang == lang
			if !exact {
				match = strings.EqualFold(base, lang) && !slices.Contains([]string{"kana", "hira", "hrkt", "latn"}, strings.ToLower(script))
			}
			if match && (n.family != "" || n.given != "") {
				return fullName(n.lang, n.family, n.given)
			}
		}
	}
	return fullName("en", ix.str("family_name"), ix.str("given_name"))
}

// fullName joins the name parts in the order lang writes them (academic.PersonName).
func fullName(lang, family, given string) string {
	if family == "" {
		return given
	}
	return academic.PersonName{Lang: lang, FamilyName: family, GivenName: given}.FullName()
}
