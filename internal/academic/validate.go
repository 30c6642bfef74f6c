package academic

import (
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
)

// Validate checks every field of the record against its rules and returns an
// *Error with Code CodeInvalid listing every failing field (not only the
// first), or nil.
//
// Validate checks shapes and consistency: required fields, lengths, date
// syntax, BCP 47 tags, ISO 3166-1 alpha-2 country codes, ISCED-A/ISCED-F code
// shapes, EQF range, the 法人番号 check digit, that the title holds its
// original language, that the EQF level agrees with the first ISCED digit
// and with the crosswalk (when the crosswalk knows the country and degree
// type), and that the award date follows the birth date.
//
// Validate does not check facts it cannot know: that the institution exists,
// that the identifiers belong to it, that a MEXT school code's check digit is
// right, or that dates are not in the future (time is not an input here).
func (d Diploma) Validate() error {
	v, err := validatorInstance()
	if err != nil {
		return err
	}
	return toError(v.Struct(d))
}

var validatorInstance = sync.OnceValues(newValidator)

var (
	iscedARe      = regexp.MustCompile(`^[0-8]([0-9]{2})?$`)
	iscedFRe      = regexp.MustCompile(`^(0[0-9]|10|99)[0-9]{2}$`)
	schoolCodeRe  = regexp.MustCompile(`^[A-Z][0-9](0[1-9]|[1-3][0-9]|4[0-7])[0-9]{9}$`)
	eidasLegalRe  = regexp.MustCompile(`^[A-Z]{2}/[A-Z]{2}/[\x21-\x7e]{1,120}$`)
	erasmusCodeRe = regexp.MustCompile(`^[A-Z]{1,3} {1,3}[A-Z][A-Z-]{0,7}[0-9]{2}$`)
	corpNumberRe  = regexp.MustCompile(`^[1-9][0-9]{12}$`)
)

func newValidator() (*validator.Validate, error) {
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	v.RegisterAlias("country", "iso3166_1_alpha2")
	v.RegisterAlias("lang", "bcp47_strict_language_tag,ne=und")
	funcs := map[string]validator.Func{
		"text":        func(fl validator.FieldLevel) bool { return isText(fl.Field().String()) },
		"latin":       func(fl validator.FieldLevel) bool { return isLatin(fl.Field().String()) },
		"date":        func(fl validator.FieldLevel) bool { return isDate(fl.Field().String()) },
		"isced_a":     func(fl validator.FieldLevel) bool { return iscedARe.MatchString(fl.Field().String()) },
		"isced_f":     func(fl validator.FieldLevel) bool { return iscedFRe.MatchString(fl.Field().String()) },
		"eqf":         func(fl validator.FieldLevel) bool { n := fl.Field().Int(); return n >= 1 && n <= 8 },
		"degree_type": func(fl validator.FieldLevel) bool { return isDegreeType(fl.Field().String()) },
	}
	for tag, fn := range funcs {
		if err := v.RegisterValidation(tag, fn); err != nil {
			return nil, fmt.Errorf("register %s: %w", tag, err)
		}
	}
	v.RegisterStructValidation(validateDiplomaLevel, Diploma{})
	v.RegisterStructValidation(validateDegreeLevel, Degree{})
	v.RegisterStructValidation(validateIdentifierLevel, Identifier{})
	return v, nil
}

func isDegreeType(s string) bool {
	return slices.Contains(DegreeTypes(), DegreeType(s))
}

// isText rejects invalid UTF-8, control characters and surrounding spaces.
func isText(s string) bool {
	if !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// isLatin accepts names written in Latin script: Latin letters (with
// diacritics), combining marks, spaces, hyphens, apostrophes and periods.
func isLatin(s string) bool {
	hasLetter := false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Latin, r):
			hasLetter = true
		case unicode.Is(unicode.Mn, r), r == ' ', r == '-', r == '\'', r == '.', r == '’':
		default:
			return false
		}
	}
	return hasLetter
}

func isDate(s string) bool {
	if len(s) != len("2006-01-02") {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

func validateDiplomaLevel(sl validator.StructLevel) {
	d, ok := sl.Current().Interface().(Diploma)
	if !ok {
		return
	}
	if isDate(d.Learner.BirthDate) && isDate(d.Degree.AwardDate) && d.Degree.AwardDate <= d.Learner.BirthDate {
		sl.ReportError(d.Degree.AwardDate, "degree.award_date", "AwardDate", "after_birth_date", "")
	}
	eqf, country := d.Degree.EQFLevel, d.AwardingBody.Country
	if eqf < 1 || eqf > 8 || !isDegreeType(string(d.Degree.Type)) || len(country) != 2 || strings.ToUpper(country) != country {
		return
	}
	lvl, err := Classify(country, d.Degree.Type, d.Degree.DurationYears)
	if err == nil && lvl.EQF != eqf {
		sl.ReportError(eqf, "degree.eqf_level", "EQFLevel", "eqf_crosswalk",
			fmt.Sprintf("%d|%s|%s|%s", lvl.EQF, d.Degree.Type, country, lvl.Basis))
	}
}

func validateDegreeLevel(sl validator.StructLevel) {
	g, ok := sl.Current().Interface().(Degree)
	if !ok {
		return
	}
	if g.TitleLang != "" && len(g.Title) > 0 {
		if _, ok := g.Title[g.TitleLang]; !ok {
			sl.ReportError(g.TitleLang, "title_lang", "TitleLang", "title_lang", "")
		}
	}
	if hasDuplicate(g.Languages) {
		sl.ReportError(g.Languages, "languages", "Languages", "unique", "")
	}
	if g.Credits == nil && g.DurationYears == 0 {
		sl.ReportError(g.Credits, "credits", "Credits", "credits_or_duration", "")
	}
	if iscedARe.MatchString(g.ISCED) && g.EQFLevel >= 1 && g.EQFLevel <= 8 {
		if lvl := int(g.ISCED[0] - '0'); lvl >= 5 && lvl != g.EQFLevel {
			sl.ReportError(g.EQFLevel, "eqf_level", "EQFLevel", "eqf_isced", g.ISCED[:1])
		}
	}
}

func hasDuplicate(s []string) bool {
	seen := make(map[string]bool, len(s))
	for _, v := range s {
		k := strings.ToLower(v)
		if seen[k] {
			return true
		}
		seen[k] = true
	}
	return false
}

func validateIdentifierLevel(sl validator.StructLevel) {
	id, ok := sl.Current().Interface().(Identifier)
	if !ok || id.Value == "" {
		return
	}
	var rule string
	var valid bool
	switch id.Scheme {
	case SchemeJPCorporateNumber:
		rule, valid = "corporate_number", validCorporateNumber(id.Value)
	case SchemeMEXTSchoolCode:
		rule, valid = "school_code", schoolCodeRe.MatchString(id.Value)
	case SchemeEIDASLegalIdentifier:
		rule, valid = "eidas_legal_id", eidasLegalRe.MatchString(id.Value)
	case SchemeSCHAC:
		rule, valid = "schac", isDomain(id.Value)
	case SchemeErasmus:
		rule, valid = "erasmus_code", erasmusCodeRe.MatchString(id.Value)
	default:
		return // the oneof rule on Scheme reports it
	}
	if !valid {
		sl.ReportError(id.Value, "value", "Value", rule, "")
	}
}

// validCorporateNumber checks a 13-digit 法人番号: the leading check digit
// equals 9 − (Σ Pn×Qn mod 9) over the 12-digit base number, where Pn is the
// n-th digit counted from the right and Qn is 1 for odd n and 2 for even n
// (財務省令第七十号 第二条).
func validCorporateNumber(s string) bool {
	if !corpNumberRe.MatchString(s) {
		return false
	}
	sum := 0
	for n := 1; n <= 12; n++ {
		p := int(s[13-n] - '0')
		q := 1
		if n%2 == 0 {
			q = 2
		}
		sum += p * q
	}
	return int(s[0]-'0') == 9-sum%9
}

// isDomain accepts a lower-case DNS name with at least two labels.
func isDomain(s string) bool {
	if len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
				return false
			}
		}
	}
	return true
}

// toError turns validator output into an *Error listing every field.
func toError(err error) error {
	if err == nil {
		return nil
	}
	var verrs validator.ValidationErrors
	if !errors.As(err, &verrs) {
		return &Error{Code: CodeInvalid, Err: err}
	}
	fields := make([]FieldError, 0, len(verrs))
	for _, fe := range verrs {
		fields = append(fields, fieldErrorFrom(fe))
	}
	return &Error{Code: CodeInvalid, Fields: sortFields(fields)}
}

func sortFields(fields []FieldError) []FieldError {
	slices.SortStableFunc(fields, func(a, b FieldError) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Rule, b.Rule))
	})
	return slices.CompactFunc(fields, func(a, b FieldError) bool { return a.Path == b.Path && a.Rule == b.Rule })
}

func fieldErrorFrom(fe validator.FieldError) FieldError {
	path := fe.Namespace()
	if _, rest, ok := strings.Cut(path, "."); ok {
		path = rest // drop the root type name
	}
	f := FieldError{Path: path, Rule: fe.Tag(), Param: fe.Param()}
	if f.Rule == "country" || f.Rule == "lang" {
		f.Param = "" // aliases: the parameter belongs to the underlying rule
	}
	f.Message, f.MessageJA = describe(f.Rule, f.Param, fe.Kind())
	if f.Rule == "eqf_crosswalk" {
		f.Param, _, _ = strings.Cut(f.Param, "|")
	}
	return f
}

// describe states a rule in plain English and Japanese.
func describe(rule, param string, kind reflect.Kind) (en, ja string) {
	isNum := kind >= reflect.Int && kind <= reflect.Float64
	isList := kind == reflect.Slice || kind == reflect.Map || kind == reflect.Array
	switch rule {
	case "required":
		return "is required", "必須です"
	case "max", "lte":
		switch {
		case isList:
			return "must have at most " + param + " items", param + " 件以下でなければなりません"
		case isNum:
			return "must be at most " + param, param + " 以下でなければなりません"
		default:
			return "must be at most " + param + " characters long", param + " 文字以下でなければなりません"
		}
	case "min", "gte":
		switch {
		case isList:
			return "must have at least " + param + " item(s)", param + " 件以上必要です"
		case isNum:
			return "must be at least " + param, param + " 以上でなければなりません"
		default:
			return "must be at least " + param + " characters long", param + " 文字以上でなければなりません"
		}
	case "gt":
		return "must be greater than " + param, param + " より大きくなければなりません"
	case "oneof":
		list := strings.Join(strings.Fields(param), ", ")
		return "must be one of: " + list, "次のいずれかでなければなりません: " + list
	case "unique":
		return "must not contain duplicates", "重複してはいけません"
	case "text":
		return "must be plain text without control characters or surrounding spaces",
			"制御文字や前後の空白を含まないテキストでなければなりません"
	case "latin":
		return "must be written in Latin script, as in the passport", "パスポートと同じラテン文字（ローマ字）で記入してください"
	case "date":
		return "must be a date in YYYY-MM-DD form", "YYYY-MM-DD 形式の日付でなければなりません"
	case "lang":
		return "must be a BCP 47 language tag (e.g. ja, en, ja-Latn)", "BCP 47 言語タグ（例: ja, en, ja-Latn）でなければなりません"
	case "country":
		return "must be an ISO 3166-1 alpha-2 country code", "ISO 3166-1 alpha-2 の国コードでなければなりません"
	case "isced_a":
		return "must be an ISCED 2011 level (1 digit) or programme code (3 digits)",
			"ISCED 2011 の水準（1桁）またはプログラムコード（3桁）でなければなりません"
	case "isced_f":
		return "must be a 4-digit ISCED-F 2013 field code", "4桁の ISCED-F 2013 分野コードでなければなりません"
	case "eqf":
		return "must be between 1 and 8", "1 から 8 の間でなければなりません"
	case "degree_type":
		list := make([]string, 0, 8)
		for _, t := range DegreeTypes() {
			list = append(list, string(t))
		}
		s := strings.Join(list, ", ")
		return "must be one of: " + s, "次のいずれかでなければなりません: " + s
	case "title_lang":
		return "must be one of the languages of degree.title", "degree.title に含まれる言語でなければなりません"
	case "credits_or_duration":
		return "is required when degree.duration_years is absent", "degree.duration_years がない場合は必須です"
	case "eqf_isced":
		return "must equal the ISCED 2011 level (" + param + ", the first digit of degree.isced)",
			"ISCED 2011 の水準（degree.isced の1桁目: " + param + "）と一致しなければなりません"
	case "eqf_crosswalk":
		p := strings.SplitN(param, "|", 4)
		if len(p) == 4 {
			return fmt.Sprintf("must be %s for a %s degree awarded in %s (crosswalk: %s)", p[0], p[1], p[2], p[3]),
				fmt.Sprintf("%s で授与された %s は %s でなければなりません（対応表: %s）", p[2], p[1], p[0], p[3])
		}
		return "must agree with the crosswalk", "対応表と一致しなければなりません"
	case "after_birth_date":
		return "must be after learner.birth_date", "learner.birth_date より後でなければなりません"
	case "corporate_number":
		return "must be a 13-digit 法人番号 with a valid check digit", "検査用数字が正しい13桁の法人番号でなければなりません"
	case "school_code":
		return "must be a 13-character MEXT school code (school type, prefecture 01–47, 9 digits)", "13文字の学校コード（学校種、都道府県番号 01–47、数字9桁）でなければなりません"
	case "eidas_legal_id":
		return "must be an eIDAS legal identifier of the form CC/CC/identifier", "CC/CC/識別子 形式の eIDAS 法人識別子でなければなりません"
	case "schac":
		return "must be a lower-case domain name", "小文字のドメイン名でなければなりません"
	case "erasmus_code":
		return "must be an Erasmus institutional code (e.g. NL AMSTERD01)", "Erasmus 機関コード（例: NL AMSTERD01）でなければなりません"
	case "unknown_field":
		return "is not a known field", "不明な項目です"
	case "duplicate_key":
		return "appears more than once", "重複しています"
	case "type":
		return "must be " + param, typeJA(param) + "でなければなりません"
	case "credit_value":
		return "must be a number greater than 0 and at most 1000", "0 より大きく 1000 以下の数値でなければなりません"
	case "issued_before_award":
		return "must not be before degree.award_date", "degree.award_date より前であってはいけません"
	case "expiry_before_issuance":
		return "must be after the issuance date", "発行日より後でなければなりません"
	}
	return "breaks rule " + rule, "規則 " + rule + " に違反しています"
}

func typeJA(t string) string {
	switch t {
	case "a string":
		return "文字列"
	case "a number":
		return "数値"
	case "a whole number":
		return "整数"
	case "an object":
		return "オブジェクト"
	case "an array":
		return "配列"
	case "a boolean":
		return "真偽値"
	}
	return t
}

// newFieldError builds a FieldError for rules reported outside the validator.
func newFieldError(path, rule, param string) FieldError {
	f := FieldError{Path: path, Rule: rule, Param: param}
	f.Message, f.MessageJA = describe(rule, param, reflect.String)
	return f
}
