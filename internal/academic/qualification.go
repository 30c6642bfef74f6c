package academic

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
)

// BasisLearningCredential is the LevelBasis of a Qualification read from a
// learning credential, which states an EQF level but no mapping basis.
const BasisLearningCredential = "EQF level as stated by the issuer (the learning credential carries no mapping basis)"

// FormatJWTVCJSON is the Qualification.Source of a jwt_vc_json credential.
const FormatJWTVCJSON = "jwt_vc_json"

// Qualification is what a verifier compares across borders, read from the
// disclosed claims of a credential. A field whose claim was not disclosed (or
// that the credential type does not carry) is simply empty.
type Qualification struct {
	// Source is the vct of the credential, or FormatJWTVCJSON.
	Source string `json:"source"`
	// Title is the degree title in its original language and script.
	Title string `json:"title,omitempty"`
	// TitleLang is the BCP 47 tag of Title, when the credential states it.
	TitleLang string `json:"title_lang,omitempty"`
	// TitleScript is the ISO 15924 script of Title ("Jpan", "Latn", ...),
	// taken from TitleLang's script subtag or detected from the characters
	// (Han-only text counts as Japanese when TitleLang is Japanese or, with
	// no TitleLang, the country is JP).
	TitleScript string `json:"title_script,omitempty"`
	// TitleTranslations are the title in other languages.
	TitleTranslations LangMap `json:"title_translations,omitempty"`
	// DegreeType is the kind of degree.
	DegreeType DegreeType `json:"degree_type,omitempty"`
	// ISCED is the ISCED 2011 level or programme code.
	ISCED string `json:"isced,omitempty"`
	// EQFLevel is the EQF level (0: not disclosed). For a degree from
	// outside the EQF it is informational comparability, never equivalence.
	EQFLevel int `json:"eqf_level,omitempty"`
	// LevelBasis says how ISCED and EQF were determined.
	LevelBasis string `json:"level_basis,omitempty"`
	// FieldISCEDF is the ISCED-F 2013 field code.
	FieldISCEDF string `json:"field_isced_f,omitempty"`
	// FieldName is the institution's name for the field.
	FieldName LangMap `json:"field_name,omitempty"`
	// AwardDate is the date the degree was conferred (YYYY-MM-DD). The
	// learning credential carries no award date.
	AwardDate string `json:"award_date,omitempty"`
	// DurationYears is the programme's standard length.
	DurationYears float64 `json:"duration_years,omitempty"`
	// Credits are the native credits with their framework and the issuer's
	// derived ECTS figure and method.
	Credits *QualificationCredits `json:"credits,omitempty"`
	// StudyTime is the learning credential's expected_study_time, as stated.
	StudyTime string `json:"study_time,omitempty"`
	// Grade is the grade in its native scheme (Scheme is empty when the
	// credential does not name it, as in the learning credential).
	Grade *Grade `json:"grade,omitempty"`
	// Languages are the languages of instruction (BCP 47).
	Languages []string `json:"languages,omitempty"`
	// AwardingBody is the awarding body's name in the title's language (or
	// as stated), AwardingBodyNames all its names.
	AwardingBody      string  `json:"awarding_body,omitempty"`
	AwardingBodyNames LangMap `json:"awarding_body_names,omitempty"`
	// Country is the awarding body's ISO 3166-1 alpha-2 country.
	Country string `json:"country,omitempty"`
}

// QualificationCredits are credits as a credential states them.
type QualificationCredits struct {
	Value float64 `json:"value"`
	// Framework is "ects", "jp-tani" or another framework's name.
	Framework  string  `json:"framework"`
	ECTS       float64 `json:"ects,omitempty"`
	ECTSMethod string  `json:"ects_method,omitempty"`
}

// QualificationFromClaims reads a Qualification from the processed claims of
// an SD-JWT VC (the issuer-signed claims with the disclosed ones inserted, as
// the SD-JWT layer returns them) of type vct: VCTHashiDiploma or
// VCTLearningCredential. Undisclosed claims are simply absent.
//
// It checks the JSON type and shape of every claim it reads (dates, BCP 47
// tags, country code, ISCED and ISCED-F codes, EQF range, degree type, and
// that EQF and the first ISCED digit agree) and returns an *Error with
// CodeInvalid listing every bad claim by its path, or CodeUnknownType for
// another vct.
//
// It does not verify anything: the signature, the disclosures, the issuer's
// trust and the type metadata's mandatory claims are checked before, by the
// SD-JWT and verifier layers. It ignores claims it does not read.
func QualificationFromClaims(vct string, claims map[string]any) (Qualification, error) {
	r := &claimReader{}
	var q Qualification
	switch vct {
	case VCTHashiDiploma:
		q = r.hashi(claims)
	case VCTLearningCredential:
		q = r.learning(claims)
	default:
		return Qualification{}, &Error{Code: CodeUnknownType, Detail: vct}
	}
	return r.finish(q)
}

// QualificationFromVCDM11 reads a Qualification from a VCDM 1.1 credential
// object: the "vc" claim of a jwt_vc_json credential (a whole JWT payload
// with a "vc" member is accepted too). It reads hashi's VCDM11 shape and the
// common credentialSubject.degree {type, name} shape of the VCDM and
// OpenID4VCI examples, mapping Open Badges degree types (BachelorDegree, ...)
// to DegreeType. Its checks and non-checks are those of
// QualificationFromClaims; paths in errors are relative to the vc object.
func QualificationFromVCDM11(vc map[string]any) (Qualification, error) {
	if inner, ok := vc["vc"].(map[string]any); ok && vc["credentialSubject"] == nil {
		vc = inner
	}
	r := &claimReader{}
	q := Qualification{Source: FormatJWTVCJSON}
	subject := r.object(vc, "credentialSubject", "credentialSubject")
	deg := r.object(subject, "degree", "credentialSubject.degree")
	p := "credentialSubject.degree."
	q.Title = r.str(deg, "name", p+"name", "text")
	q.TitleLang = r.str(deg, "nameLanguage", p+"nameLanguage", "lang")
	if titles := r.langMap(deg, "title", p+"title"); len(titles) > 0 {
		q.TitleTranslations = withoutKey(titles, q.TitleLang)
	}
	q.DegreeType = DegreeType(r.str(deg, "degreeType", p+"degreeType", "degree_type"))
	if q.DegreeType == "" {
		q.DegreeType = degreeTypeFromOB(r.str(deg, "type", p+"type", "text"))
	}
	q.ISCED = r.str(deg, "iscedCode", p+"iscedCode", "isced_a")
	q.EQFLevel = r.int(deg, "eqfLevel", p+"eqfLevel", "eqf")
	q.LevelBasis = r.str(deg, "levelBasis", p+"levelBasis", "text")
	field := r.object(deg, "fieldOfStudy", p+"fieldOfStudy")
	q.FieldISCEDF = r.str(field, "iscedF", p+"fieldOfStudy.iscedF", "isced_f")
	q.FieldName = r.langMap(field, "name", p+"fieldOfStudy.name")
	q.AwardDate = r.str(deg, "awardDate", p+"awardDate", "date")
	q.DurationYears = r.number(deg, "durationYears", p+"durationYears")
	if cr := r.object(deg, "credits", p+"credits"); cr != nil {
		q.Credits = &QualificationCredits{
			Value:      r.number(cr, "value", p+"credits.value"),
			Framework:  r.str(cr, "framework", p+"credits.framework", "text"),
			ECTS:       r.number(cr, "ects", p+"credits.ects"),
			ECTSMethod: r.str(cr, "ectsMethod", p+"credits.ectsMethod", "text"),
		}
	}
	q.Grade = r.grade(deg, "grade", p+"grade")
	q.Languages = r.strs(deg, "languagesOfInstruction", p+"languagesOfInstruction", "lang")
	body := r.object(subject, "awardingBody", "credentialSubject.awardingBody")
	q.AwardingBodyNames = r.langMap(body, "name", "credentialSubject.awardingBody.name")
	q.Country = r.str(body, "country", "credentialSubject.awardingBody.country", "country")
	r.checkLevel(q, p+"eqfLevel")
	return r.finish(q)
}

func (r *claimReader) hashi(c map[string]any) Qualification {
	q := Qualification{Source: VCTHashiDiploma}
	deg := r.object(c, "degree", "degree")
	if title := r.object(deg, "title", "degree.title"); title != nil {
		q.TitleLang = r.str(title, "lang", "degree.title.lang", "lang")
		q.Title = r.str(title, "value", "degree.title.value", "text")
		q.TitleTranslations = r.langMap(title, "translations", "degree.title.translations")
	}
	q.DegreeType = DegreeType(r.str(deg, "type", "degree.type", "degree_type"))
	if lvl := r.object(deg, "level", "degree.level"); lvl != nil {
		q.ISCED = r.str(lvl, "isced", "degree.level.isced", "isced_a")
		q.EQFLevel = r.int(lvl, "eqf", "degree.level.eqf", "eqf")
		q.LevelBasis = r.str(lvl, "basis", "degree.level.basis", "text")
	}
	if field := r.object(deg, "field", "degree.field"); field != nil {
		q.FieldISCEDF = r.str(field, "isced_f", "degree.field.isced_f", "isced_f")
		q.FieldName = r.langMap(field, "name", "degree.field.name")
	}
	q.AwardDate = r.str(deg, "award_date", "degree.award_date", "date")
	q.DurationYears = r.number(deg, "duration_years", "degree.duration_years")
	if cr := r.object(deg, "credits", "degree.credits"); cr != nil {
		q.Credits = &QualificationCredits{
			Value:      r.number(cr, "value", "degree.credits.value"),
			Framework:  r.str(cr, "framework", "degree.credits.framework", "text"),
			ECTS:       r.number(cr, "ects", "degree.credits.ects"),
			ECTSMethod: r.str(cr, "ects_method", "degree.credits.ects_method", "text"),
		}
	}
	q.Grade = r.grade(deg, "grade", "degree.grade")
	q.Languages = r.strs(deg, "languages", "degree.languages", "lang")
	body := r.object(c, "awarding_body", "awarding_body")
	q.AwardingBodyNames = r.langMap(body, "name", "awarding_body.name")
	q.Country = r.str(body, "country", "awarding_body.country", "country")
	r.checkLevel(q, "degree.level.eqf")
	return q
}

func (r *claimReader) learning(c map[string]any) Qualification {
	q := Qualification{Source: VCTLearningCredential}
	q.Title = r.str(c, "achievement_title", "achievement_title", "text")
	q.EQFLevel = r.int(c, "level_of_learning_experience", "level_of_learning_experience", "eqf")
	if q.EQFLevel != 0 {
		q.LevelBasis = BasisLearningCredential
	}
	q.StudyTime = r.str(c, "expected_study_time", "expected_study_time", "text")
	if g := r.str(c, "assessment_grade", "assessment_grade", "text"); g != "" {
		q.Grade = &Grade{Value: g}
	}
	q.Languages = r.strs(c, "language_of_classes", "language_of_classes", "lang")
	q.AwardingBody = r.str(c, "issuing_authority", "issuing_authority", "text")
	q.Country = r.str(c, "issuing_country", "issuing_country", "country")
	return q
}

// finish derives the display fields and returns the collected errors.
func (r *claimReader) finish(q Qualification) (Qualification, error) {
	if len(r.errs) > 0 {
		return Qualification{}, &Error{Code: CodeInvalid, Fields: sortFields(r.errs)}
	}
	hint := q.TitleLang
	if hint == "" && q.Country == "JP" {
		hint = "ja" // Han-only text from a Japanese issuer is Japanese
	}
	q.TitleScript = scriptOf(q.Title, hint)
	if q.AwardingBody == "" && len(q.AwardingBodyNames) > 0 {
		q.AwardingBody, _ = q.AwardingBodyNames.Pick(q.TitleLang)
	}
	return q, nil
}

func (r *claimReader) checkLevel(q Qualification, path string) {
	if len(q.ISCED) > 0 && q.EQFLevel != 0 {
		if lvl := int(q.ISCED[0] - '0'); lvl >= 5 && lvl != q.EQFLevel {
			r.errs = append(r.errs, newFieldError(path, "eqf_isced", q.ISCED[:1]))
		}
	}
}

// claimReader reads claims of JSON type, collecting every error.
type claimReader struct {
	errs []FieldError
}

func (r *claimReader) typeErr(path, want string) {
	r.errs = append(r.errs, newFieldError(path, "type", want))
}

// validMemo remembers short values that passed a rule (validation is a pure function of the
// value and the rule): the same language tags, codes and dates come back in every
// credential a desk reads. Only successes are kept, at most maxValidMemo of them.
var (
	validMemo  sync.Map // validKey -> struct{}
	validMemoN atomic.Int32
)

type validKey struct{ value, rule string }

const (
	maxValidMemo      = 4096
	maxValidMemoValue = 32 // bytes
)

// check applies a validate rule to a string value read at path.
func (r *claimReader) check(s, path, rule string) bool {
	key := validKey{s, rule}
	if len(s) <= maxValidMemoValue {
		if _, ok := validMemo.Load(key); ok {
			return true
		}
	}
	v, err := validatorInstance()
	if err != nil {
		r.errs = append(r.errs, FieldError{Path: path, Rule: "internal", Message: err.Error()})
		return false
	}
	tag := rule
	if rule == "text" {
		tag = "required,max=1024,text"
	}
	if err := v.Var(s, tag); err != nil {
		var e *Error
		if errors.As(toError(err), &e) && len(e.Fields) > 0 {
			f := e.Fields[0]
			f.Path = path
			r.errs = append(r.errs, f)
		} else {
			r.errs = append(r.errs, FieldError{Path: path, Rule: rule, Message: err.Error(), MessageJA: err.Error()})
		}
		return false
	}
	if len(s) <= maxValidMemoValue && validMemoN.Load() < maxValidMemo {
		if _, loaded := validMemo.LoadOrStore(key, struct{}{}); !loaded {
			validMemoN.Add(1)
		}
	}
	return true
}

func (r *claimReader) object(m map[string]any, key, path string) map[string]any {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	o, ok := v.(map[string]any)
	if !ok {
		r.typeErr(path, "an object")
		return nil
	}
	return o
}

func (r *claimReader) str(m map[string]any, key, path, rule string) string {
	v, ok := m[key]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.typeErr(path, "a string")
		return ""
	}
	if !r.check(s, path, rule) {
		return ""
	}
	return s
}

func (r *claimReader) number(m map[string]any, key, path string) float64 {
	v, ok := m[key]
	if !ok || v == nil {
		return 0
	}
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case json.Number:
		var err error
		if f, err = n.Float64(); err != nil {
			r.typeErr(path, "a number")
			return 0
		}
	default:
		r.typeErr(path, "a number")
		return 0
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		r.errs = append(r.errs, newFieldError(path, "min", "0"))
		return 0
	}
	return f
}

func (r *claimReader) int(m map[string]any, key, path, rule string) int {
	v, ok := m[key]
	if !ok || v == nil {
		return 0
	}
	var n int
	switch x := v.(type) {
	case int:
		n = x
	case int64:
		n = int(x)
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1e9 {
			r.typeErr(path, "a whole number")
			return 0
		}
		n = int(x)
	case json.Number:
		i, err := x.Int64()
		if err != nil || i > 1e9 || i < -1e9 {
			r.typeErr(path, "a whole number")
			return 0
		}
		n = int(i)
	default:
		r.typeErr(path, "a whole number")
		return 0
	}
	if rule == "eqf" && (n < 1 || n > 8) {
		r.errs = append(r.errs, newFieldError(path, "eqf", ""))
		return 0
	}
	return n
}

func (r *claimReader) strs(m map[string]any, key, path, rule string) []string {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	arr, ok := v.([]any)
	if !ok {
		r.typeErr(path, "an array")
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		p := path + "[" + strconv.Itoa(i) + "]"
		s, ok := e.(string)
		if !ok {
			r.typeErr(p, "a string")
			continue
		}
		if r.check(s, p, rule) {
			out = append(out, s)
		}
	}
	return out
}

func (r *claimReader) langMap(m map[string]any, key, path string) LangMap {
	o := r.object(m, key, path)
	if o == nil {
		return nil
	}
	out := make(LangMap, len(o))
	for k, v := range o {
		p := path + "[" + k + "]"
		s, ok := v.(string)
		if !ok {
			r.typeErr(p, "a string")
			continue
		}
		if r.check(k, p, "lang") && r.check(s, p, "text") {
			out[k] = s
		}
	}
	return out
}

func (r *claimReader) grade(m map[string]any, key, path string) *Grade {
	o := r.object(m, key, path)
	if o == nil {
		return nil
	}
	return &Grade{
		Value:  r.str(o, "value", path+".value", "text"),
		Scheme: r.str(o, "scheme", path+".scheme", "text"),
	}
}

func withoutKey(m LangMap, key string) LangMap {
	out := LangMap{}
	for k, v := range m {
		if k != key {
			out[k] = v
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
