package academic

import "math"

// Methods DeriveECTS states with its result.
const (
	// ECTSMethodNative is stated for credits that already are ECTS.
	ECTSMethodNative = "native ECTS credits, not converted"
	// ECTSMethodJPTaniHours is the method for Japanese credits (単位).
	ECTSMethodJPTaniHours = "by hours: 1 単位 = 45 h (大学設置基準 Art. 21), 1 ECTS = 30 h (upper end of the ECTS Users' Guide 25–30 h), so 1 単位 = 1.5 ECTS; rounded to the nearest whole ECTS"
)

// The methods DeriveECTS states, in Japanese. A credential states the English
// method (degree.credits.ects_method); ECTSMethodText gives it in the reader's
// language.
const (
	// ECTSMethodNativeJA is ECTSMethodNative in Japanese.
	ECTSMethodNativeJA = "ECTS の単位のまま（換算なし）"
	// ECTSMethodJPTaniHoursJA is ECTSMethodJPTaniHours in Japanese.
	ECTSMethodJPTaniHoursJA = "学修時間による換算：1 単位 = 45 時間（大学設置基準第21条）、1 ECTS = 30 時間（ECTS ユーザーズガイドの 25〜30 時間の上限）なので、1 単位 = 1.5 ECTS。整数に四捨五入"
)

// ectsMethods are the methods DeriveECTS states, in every language hashi
// writes them, keyed by the English method a credential carries.
var ectsMethods = map[string]LangMap{
	ECTSMethodNative:      {"en": ECTSMethodNative, "ja": ECTSMethodNativeJA},
	ECTSMethodJPTaniHours: {"en": ECTSMethodJPTaniHours, "ja": ECTSMethodJPTaniHoursJA},
}

// ECTSMethods lists the methods DeriveECTS states (in English, as a credential
// carries them).
func ECTSMethods() []string { return []string{ECTSMethodNative, ECTSMethodJPTaniHours} }

// ECTSMethodText returns method, as a credential states it
// (degree.credits.ects_method), in lang ("en" or "ja"; other languages fall
// back to English) when it is one of the methods DeriveECTS states, and
// whether it is; any other text is returned unchanged with false.
func ECTSMethodText(method, lang string) (string, bool) {
	m, ok := ectsMethods[method]
	if !ok {
		return method, false
	}
	s, _ := m.Pick(primaryLanguage(lang))
	return s, true
}

// jpTaniECTS is the ECTS figure of one 単位 under ECTSMethodJPTaniHours (45 h / 30 h).
const jpTaniECTS = 45.0 / 30.0

// DeriveECTS returns the ECTS figure derived from value credits of framework,
// and the method used, in words. ECTS credits are returned unchanged. For
// Japanese credits (単位) the method is by hours: 45 h per 単位 against 30 h
// per ECTS (the upper end of the 25–30 h range, so the figure is not
// inflated), 1.5 ECTS per 単位, rounded to the nearest whole ECTS: 124 単位 →
// 186 ECTS, 188 単位 → 282 ECTS.
//
// The method is in English, as the credential carries it; ECTSMethodText
// gives it in Japanese.
//
// The derived figure is informational. Carry it beside the native credits and
// their framework, never instead of them. Grades are never converted.
func DeriveECTS(value float64, framework CreditFramework) (ects float64, method string, err error) {
	if math.IsNaN(value) || math.IsInf(value, 0) || value <= 0 || value > 1000 {
		return 0, "", &Error{Code: CodeInvalid, Fields: []FieldError{newFieldError("value", "credit_value", "")}}
	}
	switch framework {
	case FrameworkECTS:
		return value, ECTSMethodNative, nil
	case FrameworkJPTani:
		return math.Round(value * jpTaniECTS), ECTSMethodJPTaniHours, nil
	}
	return 0, "", &Error{Code: CodeInvalid, Fields: []FieldError{newFieldError("framework", "oneof", "ects jp-tani")}}
}
