package academic

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ClaimSet is the payload of an SD-JWT VC before the SD-JWT layer turns it
// into a credential: the type, the claims, and the claims that must be
// selectively disclosable.
//
// Claims holds only JSON values: map[string]any, []any, string, int,
// float64. It never holds the claims SD-JWT VC forbids to be selectively
// disclosable (iss, nbf, exp, cnf, vct, vct#integrity, status): the issuer
// adds those.
//
// Disclosable lists claim path pointers (OpenID4VP 1.0 §7: a string selects
// an object member, an integer an array index, nil every array element) of
// the claims to make selectively disclosable, each disclosed as a whole.
// Every other claim stays plainly visible. The type metadata of VCT agrees:
// these paths are its "sd": "always" claims that are present.
type ClaimSet struct {
	VCT         string         `json:"vct"`
	Claims      map[string]any `json:"claims"`
	Disclosable [][]any        `json:"disclosable"`
}

// claimBuilder collects claims and their disclosability.
type claimBuilder struct {
	claims map[string]any
	sd     [][]any
}

func (b *claimBuilder) put(obj map[string]any, path []any, value any, disclosable bool) {
	obj[path[len(path)-1].(string)] = value
	if disclosable {
		b.sd = append(b.sd, slices.Clone(path))
	}
}

// HashiDiplomaClaims builds the claims of the hashi diploma (VCTHashiDiploma)
// after validating the record (an invalid record yields its *Error).
//
// Personal data (family_name, given_name, birthdate, learner_identification,
// native_names) and every member of degree are selectively disclosable, each
// as a whole (e.g. degree.level carries isced, eqf and basis together, so the
// EQF level never travels without its basis). The degree object itself and
// awarding_body stay visible: the awarding body is the issuer, and its
// certificate names it anyway. The derived ECTS figure is added to
// degree.credits with its method (DeriveECTS).
func (d Diploma) HashiDiplomaClaims() (ClaimSet, error) {
	if err := d.Validate(); err != nil {
		return ClaimSet{}, err
	}
	b := &claimBuilder{claims: map[string]any{}}
	c := b.claims
	b.put(c, []any{"family_name"}, d.Learner.FamilyName, true)
	if d.Learner.GivenName != "" {
		b.put(c, []any{"given_name"}, d.Learner.GivenName, true)
	}
	b.put(c, []any{"birthdate"}, d.Learner.BirthDate, true)
	b.put(c, []any{"learner_identification"}, d.Learner.StudentID, true)
	if len(d.Learner.NativeNames) > 0 {
		names := make([]any, 0, len(d.Learner.NativeNames))
		for _, n := range d.Learner.NativeNames {
			m := map[string]any{"lang": n.Lang, "family_name": n.FamilyName}
			if n.GivenName != "" {
				m["given_name"] = n.GivenName
			}
			names = append(names, m)
		}
		b.put(c, []any{"native_names"}, names, true)
	}

	g := d.Degree
	deg := map[string]any{}
	b.put(c, []any{"degree"}, deg, false)
	title := map[string]any{"lang": g.TitleLang, "value": g.Title[g.TitleLang]}
	if len(g.Title) > 1 {
		tr := map[string]any{}
		for l, v := range g.Title {
			if l != g.TitleLang {
				tr[l] = v
			}
		}
		title["translations"] = tr
	}
	b.put(deg, []any{"degree", "title"}, title, true)
	b.put(deg, []any{"degree", "type"}, string(g.Type), true)
	level := map[string]any{"eqf": g.EQFLevel, "basis": g.LevelBasis}
	if g.ISCED != "" {
		level["isced"] = g.ISCED
	}
	b.put(deg, []any{"degree", "level"}, level, true)
	field := map[string]any{"isced_f": g.Field.ISCEDF}
	if len(g.Field.Name) > 0 {
		field["name"] = langMapValue(g.Field.Name)
	}
	b.put(deg, []any{"degree", "field"}, field, true)
	b.put(deg, []any{"degree", "award_date"}, g.AwardDate, true)
	if g.DurationYears > 0 {
		b.put(deg, []any{"degree", "duration_years"}, g.DurationYears, true)
	}
	if g.DocumentNumber != "" {
		b.put(deg, []any{"degree", "document_number"}, g.DocumentNumber, true)
	}
	if g.Credits != nil {
		ects, method, err := DeriveECTS(g.Credits.Value, g.Credits.Framework)
		if err != nil {
			return ClaimSet{}, err
		}
		b.put(deg, []any{"degree", "credits"}, map[string]any{
			"value": g.Credits.Value, "framework": string(g.Credits.Framework),
			"ects": ects, "ects_method": method,
		}, true)
	}
	if g.Grade != nil {
		b.put(deg, []any{"degree", "grade"}, map[string]any{"value": g.Grade.Value, "scheme": g.Grade.Scheme}, true)
	}
	b.put(deg, []any{"degree", "languages"}, stringsValue(g.Languages), true)
	qa := make([]any, 0, len(g.QualityAssurance))
	for _, q := range g.QualityAssurance {
		m := map[string]any{"type": q.Type, "agency": q.Agency}
		if q.Result != "" {
			m["result"] = q.Result
		}
		if q.Date != "" {
			m["date"] = q.Date
		}
		qa = append(qa, m)
	}
	b.put(deg, []any{"degree", "quality_assurance"}, qa, true)
	if len(g.LearningOutcomes) > 0 {
		b.put(deg, []any{"degree", "learning_outcomes"}, stringsValue(g.LearningOutcomes), true)
	}

	ids := make([]any, 0, len(d.AwardingBody.Identifiers))
	for _, id := range d.AwardingBody.Identifiers {
		ids = append(ids, map[string]any{"scheme": id.Scheme, "value": id.Value})
	}
	b.put(c, []any{"awarding_body"}, map[string]any{
		"name":        langMapValue(d.AwardingBody.Name),
		"country":     d.AwardingBody.Country,
		"identifiers": ids,
	}, false)
	return ClaimSet{VCT: VCTHashiDiploma, Claims: c, Disclosable: b.sd}, nil
}

// LearningCredentialOptions are the inputs of LearningCredentialClaims that
// are not part of the record.
type LearningCredentialOptions struct {
	// IssuanceDate becomes date_of_issuance, formatted as YYYY-MM-DD in the
	// time's own location (pass the issuer's local date). Required; it must
	// not be before the award date.
	IssuanceDate time.Time
	// ExpiryDate becomes date_of_expiry when not zero; it must be after
	// IssuanceDate. Default: no date_of_expiry.
	ExpiryDate time.Time
	// Lang is the language for the single-text claims (issuing_authority,
	// achievement_title, achievement_description). Default: the original
	// language of the degree title, then English.
	Lang string
}

// LearningCredentialClaims builds the claims of the EUDI learning credential
// (VCTLearningCredential), shaped like the EU–Japan proof-of-concept
// credential: issuing_authority, issuing_country, date_of_issuance,
// date_of_expiry, achievement_title, achievement_description and
// language_of_classes are visible; family_name, given_name,
// learner_identification, expected_study_time, level_of_learning_experience
// (the EQF level, an integer), types_of_quality_assurance, learning_outcomes
// and assessment_grade are selectively disclosable. It validates the record
// first.
//
// The learning credential has no place for the award date, degree type,
// ISCED code, mapping basis, field code or native credits as such; use
// HashiDiplomaClaims for cross-border recognition. Names are the Latin-script
// passport names. expected_study_time states its unit ("188 単位 ...",
// "120 ECTS credits ...").
func (d Diploma) LearningCredentialClaims(opts LearningCredentialOptions) (ClaimSet, error) {
	if err := d.Validate(); err != nil {
		return ClaimSet{}, err
	}
	if opts.IssuanceDate.IsZero() {
		return ClaimSet{}, &Error{Code: CodeInvalid, Fields: []FieldError{newFieldError("date_of_issuance", "required", "")}}
	}
	issued := opts.IssuanceDate.Format(time.DateOnly)
	if issued < d.Degree.AwardDate {
		return ClaimSet{}, &Error{Code: CodeInvalid, Fields: []FieldError{newFieldError("date_of_issuance", "issued_before_award", "")}}
	}
	lang := opts.Lang
	if lang == "" {
		lang = d.Degree.TitleLang
	}
	b := &claimBuilder{claims: map[string]any{}}
	c := b.claims
	authority, _ := d.AwardingBody.Name.Pick(lang)
	b.put(c, []any{"issuing_authority"}, authority, false)
	b.put(c, []any{"issuing_country"}, d.AwardingBody.Country, false)
	b.put(c, []any{"date_of_issuance"}, issued, false)
	if !opts.ExpiryDate.IsZero() {
		expiry := opts.ExpiryDate.Format(time.DateOnly)
		if expiry <= issued {
			return ClaimSet{}, &Error{Code: CodeInvalid, Fields: []FieldError{newFieldError("date_of_expiry", "expiry_before_issuance", "")}}
		}
		b.put(c, []any{"date_of_expiry"}, expiry, false)
	}
	b.put(c, []any{"family_name"}, d.Learner.FamilyName, true)
	if d.Learner.GivenName != "" {
		b.put(c, []any{"given_name"}, d.Learner.GivenName, true)
	}
	title, _ := d.Degree.Title.Pick(lang)
	b.put(c, []any{"achievement_title"}, title, false)
	b.put(c, []any{"achievement_description"}, d.achievementDescription(lang), false)
	if len(d.Degree.LearningOutcomes) > 0 {
		b.put(c, []any{"learning_outcomes"}, stringsValue(d.Degree.LearningOutcomes), true)
	}
	if g := d.Degree.Grade; g != nil {
		b.put(c, []any{"assessment_grade"}, g.Value+" ["+g.Scheme+"]", true)
	}
	b.put(c, []any{"language_of_classes"}, stringsValue(d.Degree.Languages), false)
	b.put(c, []any{"learner_identification"}, d.Learner.StudentID, true)
	b.put(c, []any{"expected_study_time"}, d.expectedStudyTime(), true)
	b.put(c, []any{"level_of_learning_experience"}, d.Degree.EQFLevel, true)
	qa := make([]any, 0, len(d.Degree.QualityAssurance))
	for _, q := range d.Degree.QualityAssurance {
		qa = append(qa, qaText(q))
	}
	b.put(c, []any{"types_of_quality_assurance"}, qa, true)
	return ClaimSet{VCT: VCTLearningCredential, Claims: c, Disclosable: b.sd}, nil
}

// achievementDescription reads e.g. "学士（6年制課程）: 医学 (ISCED-F 0912)".
func (d Diploma) achievementDescription(lang string) string {
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	desc := d.Degree.Type.Label(base)
	if name, _ := d.Degree.Field.Name.Pick(lang); name != "" {
		desc += ": " + name
	}
	return desc + " (ISCED-F " + d.Degree.Field.ISCEDF + ")"
}

// expectedStudyTime states the workload with its unit, e.g.
// "188 単位 (Japanese credits, 1 単位 = 45 h: 8460 h); standard duration 6 years".
func (d Diploma) expectedStudyTime() string {
	var parts []string
	if cr := d.Degree.Credits; cr != nil {
		v := formatNumber(cr.Value)
		switch cr.Framework {
		case FrameworkJPTani:
			parts = append(parts, fmt.Sprintf("%s 単位 (Japanese credits, 1 単位 = 45 h: %s h)", v, formatNumber(cr.Value*45)))
		case FrameworkECTS:
			parts = append(parts, v+" ECTS credits (1 ECTS = 25–30 h)")
		}
	}
	if d.Degree.DurationYears > 0 {
		parts = append(parts, "standard duration "+formatNumber(d.Degree.DurationYears)+" years")
	}
	return strings.Join(parts, "; ")
}

// StudyTimeText returns an expected_study_time claim of the learning
// credential, as LearningCredentialClaims writes it in English, in lang ("en"
// or "ja"; other languages get the English), and whether it is in that form; a
// text in another form is returned unchanged with false.
func StudyTimeText(s, lang string) (string, bool) {
	parts := strings.Split(s, "; ")
	ja := make([]string, 0, len(parts))
	for _, p := range parts {
		switch m := studyTimeRe.FindStringSubmatch(p); {
		case m == nil:
			return s, false
		case m[1] != "":
			ja = append(ja, fmt.Sprintf("%s 単位（日本の大学の単位、1 単位 = 45 時間：計 %s 時間）", m[1], m[2]))
		case m[3] != "":
			ja = append(ja, fmt.Sprintf("%s ECTS 単位（1 ECTS = 25〜30 時間）", m[3]))
		default:
			ja = append(ja, fmt.Sprintf("標準修業年限 %s 年", m[4]))
		}
	}
	if primaryLanguage(lang) != "ja" {
		return s, true
	}
	return strings.Join(ja, "、"), true
}

// studyTimeRe matches one part of expectedStudyTime.
var studyTimeRe = regexp.MustCompile(`^(?:([0-9.]+) 単位 \(Japanese credits, 1 単位 = 45 h: ([0-9.]+) h\)|([0-9.]+) ECTS credits \(1 ECTS = 25–30 h\)|standard duration ([0-9.]+) years)$`)

var qaLabels = map[string]string{
	QACertifiedEvaluation: "External Evaluation (certified evaluation, 認証評価)",
	QAAccreditation:       "External Evaluation (accreditation)",
	QAExternalEvaluation:  "External Evaluation",
	QAInternalEvaluation:  "Internal Evaluation",
}

// qaText reads e.g. "External Evaluation (accreditation) by NVAO: positive".
func qaText(q QualityAssurance) string {
	s := qaLabels[q.Type] + " by " + q.Agency
	if q.Result != "" {
		s += ": " + q.Result
	}
	return s
}

// QualityAssuranceText returns an entry of the learning credential's
// types_of_quality_assurance, as LearningCredentialClaims writes it in English
// ("External Evaluation (accreditation) by NVAO: positive"), in lang ("en" or
// "ja"; other languages get the English), and whether it is in that form: in
// Japanese the type in words, then the agency and the result as stated
// (「アクレディテーション（適格認定）、評価機関：NVAO、評価結果：positive」). A
// text in another form is returned unchanged with false.
func QualityAssuranceText(s, lang string) (string, bool) {
	for _, t := range QualityAssuranceTypes() {
		rest, ok := strings.CutPrefix(s, qaLabels[t]+" by ")
		if !ok || rest == "" {
			continue
		}
		if primaryLanguage(lang) != "ja" {
			return s, true
		}
		agency, result, hasResult := strings.Cut(rest, ": ")
		ja := QualityAssuranceTypeLabel(t, "ja") + "、評価機関：" + agency
		if hasResult {
			ja += "、評価結果：" + result
		}
		return ja, true
	}
	return s, false
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func langMapValue(m LangMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range maps.All(m) {
		out[k] = v
	}
	return out
}

func stringsValue(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
