package academic

import (
	"strings"
	"unicode"
)

// scriptOf returns the ISO 15924 code of the script text is written in:
// "Jpan" for Japanese (kana, or Han with a Japanese language tag), "Hani",
// "Hang", "Kore" (Hangul with Han), "Latn", "Cyrl", "Grek", "Arab", "Hebr", or "" when text has no
// letters. An explicit script subtag in lang (e.g. "ja-Latn") wins. CJK
// characters decide a mixed title such as "学士（AI工学）".
func scriptOf(text, lang string) string {
	parts := strings.Split(lang, "-")
	for _, p := range parts[1:] {
		if len(p) == 4 && isAlpha(p) {
			return strings.ToUpper(p[:1]) + strings.ToLower(p[1:])
		}
	}
	base := strings.ToLower(parts[0])
	counts := map[string]int{}
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Hiragana, r), unicode.Is(unicode.Katakana, r):
			counts["kana"]++
		case unicode.Is(unicode.Han, r):
			counts["Hani"]++
		case unicode.Is(unicode.Hangul, r):
			counts["Hang"]++
		case unicode.Is(unicode.Latin, r):
			counts["Latn"]++
		case unicode.Is(unicode.Cyrillic, r):
			counts["Cyrl"]++
		case unicode.Is(unicode.Greek, r):
			counts["Grek"]++
		case unicode.Is(unicode.Arabic, r):
			counts["Arab"]++
		case unicode.Is(unicode.Hebrew, r):
			counts["Hebr"]++
		}
	}
	switch {
	case counts["kana"] > 0, counts["Hani"] > 0 && base == "ja":
		return "Jpan"
	case counts["Hang"] > 0 && counts["Hani"] > 0:
		return "Kore"
	case counts["Hang"] > 0:
		return "Hang"
	case counts["Hani"] > 0:
		return "Hani"
	}
	best, n := "", 0
	for _, s := range []string{"Latn", "Cyrl", "Grek", "Arab", "Hebr"} {
		if counts[s] > n {
			best, n = s, counts[s]
		}
	}
	return best
}

func isAlpha(s string) bool {
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}
