package academic

import "math"

// Methods DeriveECTS states with its result.
const (
	// ECTSMethodNative is stated for credits that already are ECTS.
	ECTSMethodNative = "native ECTS credits, not converted"
	// ECTSMethodJPTaniHours is the method for Japanese credits (単位).
	ECTSMethodJPTaniHours = "by hours: 1 単位 = 45 h (大学設置基準 Art. 21), 1 ECTS = 30 h (upper end of the ECTS Users' Guide 25–30 h), so 1 単位 = 1.5 ECTS; rounded to the nearest whole ECTS"
)

// jpTaniECTS is the ECTS figure of one 単位 under ECTSMethodJPTaniHours (45 h / 30 h).
const jpTaniECTS = 45.0 / 30.0

// DeriveECTS returns the ECTS figure derived from value credits of framework,
// and the method used, in words. ECTS credits are returned unchanged. For
// Japanese credits (単位) the method is by hours: 45 h per 単位 against 30 h
// per ECTS (the upper end of the 25–30 h range, so the figure is not
// inflated), 1.5 ECTS per 単位, rounded to the nearest whole ECTS: 124 単位 →
// 186 ECTS, 188 単位 → 282 ECTS.
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
