package academic

import (
	"slices"
	"strings"
)

// Credential types (SD-JWT VC "vct" values) this package builds claims for.
const (
	// VCTLearningCredential is the EUDI learning credential type, the type the
	// EU–Japan proof of concept exchanges.
	VCTLearningCredential = "urn:eu.europa.ec.eudi:learning:credential:1"
	// VCTHashiDiploma is hashi's diploma type, which carries what cross-border
	// recognition needs (award date, degree type, ISCED/EQF level with its
	// mapping basis, field of study, credits with their framework, grade in its
	// native scheme, awarding body identifiers).
	VCTHashiDiploma = "urn:hashi:diploma:1"
)

// Diploma is the canonical record of one awarded degree: one graduate, one
// degree, one awarding body. Every credential view (the hashi diploma, the
// EUDI learning credential, the jwt_vc_json VCDM 1.1 credential) is built from
// it. The JSON member names are those a registrar sends; see
// ParseDiplomaJSON.
//
// A Diploma is a plain value: build it, call Validate, then call a claim
// builder. The builders validate again and refuse an invalid record.
type Diploma struct {
	Learner      Learner      `json:"learner" validate:"required"`
	Degree       Degree       `json:"degree" validate:"required"`
	AwardingBody AwardingBody `json:"awarding_body" validate:"required"`
}

// Learner identifies the graduate.
type Learner struct {
	// FamilyName is the family name in Latin script, as printed in the
	// learner's passport (e.g. "YAMADA").
	FamilyName string `json:"family_name" validate:"required,max=128,text,latin"`
	// GivenName is the given name in Latin script, as in the passport. It is
	// optional because some people have only one name.
	GivenName string `json:"given_name,omitempty" validate:"omitempty,max=128,text,latin"`
	// NativeNames are the names in their own script (e.g. ja 山田 花子, or a
	// ja-Kana reading), each tagged with its language.
	NativeNames []PersonName `json:"native_names,omitempty" validate:"omitempty,max=4,dive"`
	// BirthDate is the date of birth, YYYY-MM-DD (Gregorian, never a Japanese
	// era date).
	BirthDate string `json:"birth_date" validate:"required,date"`
	// StudentID is the institution's learner identifier (学籍番号).
	StudentID string `json:"student_id" validate:"required,max=64,text"`
}

// PersonName is a name in a given language and script. Family and given name
// are kept apart, so the family-name-first order of Japanese (and other East
// Asian) names is preserved; see FullName.
type PersonName struct {
	// Lang is a BCP 47 language tag, e.g. "ja" or "ja-Kana".
	Lang       string `json:"lang" validate:"required,lang"`
	FamilyName string `json:"family_name" validate:"required,max=128,text"`
	GivenName  string `json:"given_name,omitempty" validate:"omitempty,max=128,text"`
}

// FullName joins the name parts in the order the language writes them:
// family name first for Japanese, Chinese and Korean ("山田 花子"), given name
// first otherwise.
func (n PersonName) FullName() string {
	if n.GivenName == "" {
		return n.FamilyName
	}
	base, _, _ := strings.Cut(strings.ToLower(n.Lang), "-")
	switch base {
	case "ja", "zh", "ko":
		return n.FamilyName + " " + n.GivenName
	default:
		return n.GivenName + " " + n.FamilyName
	}
}

// LangMap maps BCP 47 language tags to text, e.g.
// {"ja": "学士（工学）", "en": "Bachelor of Engineering"}.
type LangMap map[string]string

// Pick returns the text in the first of langs the map holds, then English,
// then the text under the alphabetically first tag. It returns "" and "" for
// an empty map.
func (m LangMap) Pick(langs ...string) (text, lang string) {
	for _, l := range append(slices.Clone(langs), "en") {
		if l == "" {
			continue
		}
		if v, ok := m[l]; ok {
			return v, l
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return "", ""
	}
	slices.Sort(keys)
	return m[keys[0]], keys[0]
}

// codeLabel returns code in words in lang from labels (primary language,
// then English), or code itself when labels do not know it.
func codeLabel[K ~string](labels map[K]LangMap, code K, lang string) string {
	m, ok := labels[code]
	if !ok {
		return string(code)
	}
	s, _ := m.Pick(primaryLanguage(lang))
	return s
}

// primaryLanguage is the lower-case primary language subtag of a BCP 47 tag:
// "ja-JP" → "ja".
func primaryLanguage(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	return base
}

// DegreeType is the kind of degree, independent of the country.
type DegreeType string

// Degree types. The Japanese names are those of 学位規則; the EU names follow
// the QF-EHEA cycles.
const (
	// DegreeAssociate is 短期大学士 (junior college) or an EU short-cycle
	// qualification.
	DegreeAssociate DegreeType = "associate"
	// DegreeBachelor is 学士 (4 years) or an EU first-cycle degree.
	DegreeBachelor DegreeType = "bachelor"
	// DegreeBachelorLong is a long first degree: the six-year 学士 in
	// medicine, dentistry, clinical pharmacy and veterinary medicine, or an EU
	// integrated long programme. ISCED 2011 puts it at level 7.
	DegreeBachelorLong DegreeType = "bachelor_long"
	// DegreeBachelorProfessional is 学士（専門職） or an EU professional
	// bachelor.
	DegreeBachelorProfessional DegreeType = "bachelor_professional"
	// DegreeMaster is 修士 or an EU second-cycle degree.
	DegreeMaster DegreeType = "master"
	// DegreeProfessionalMaster is a Japanese professional degree (専門職学位:
	// 修士（専門職）, 法務博士（専門職）, 教職修士（専門職）) or an EU
	// professional master.
	DegreeProfessionalMaster DegreeType = "professional_master"
	// DegreeDoctorate is 博士 or an EU third-cycle degree.
	DegreeDoctorate DegreeType = "doctorate"
)

// DegreeTypes lists every DegreeType, in ascending order of level.
func DegreeTypes() []DegreeType {
	return []DegreeType{
		DegreeAssociate, DegreeBachelor, DegreeBachelorProfessional, DegreeBachelorLong,
		DegreeMaster, DegreeProfessionalMaster, DegreeDoctorate,
	}
}

// Degree describes the qualification awarded.
type Degree struct {
	// Title is the degree title in one or more languages,
	// e.g. {"ja": "学士（工学）", "en": "Bachelor of Engineering"}.
	Title LangMap `json:"title" validate:"required,min=1,max=8,dive,keys,lang,endkeys,required,max=256,text"`
	// TitleLang is the language of the original title; Title must hold it.
	TitleLang string `json:"title_lang" validate:"required,lang"`
	// Type is the kind of degree.
	Type DegreeType `json:"type" validate:"required,degree_type"`
	// DurationYears is the standard length of the programme in years
	// (標準修業年限), e.g. 4 or 6. It selects the long first degree in the
	// crosswalk. Required when Credits is absent.
	DurationYears float64 `json:"duration_years,omitempty" validate:"omitempty,gt=0,lte=12"`
	// ISCED is the ISCED 2011 level (one digit, e.g. "7") or programme code
	// (three digits, e.g. "766"). Optional: some sources assign only a level.
	ISCED string `json:"isced,omitempty" validate:"omitempty,isced_a"`
	// EQFLevel is the EQF level 1–8. For a non-EU degree it states
	// informational comparability, never equivalence.
	EQFLevel int `json:"eqf_level" validate:"required,eqf"`
	// LevelBasis says how ISCED and EQF were determined,
	// e.g. "ISCED2011 via NIC-Japan".
	LevelBasis string `json:"level_basis" validate:"required,max=256,text"`
	// Field is the field of study.
	Field FieldOfStudy `json:"field" validate:"required"`
	// AwardDate is the date the degree was conferred (学位授与年月日),
	// YYYY-MM-DD. It is not the credential's issuance date.
	AwardDate string `json:"award_date" validate:"required,date"`
	// DocumentNumber is the number printed on the diploma (学位記番号).
	DocumentNumber string `json:"document_number,omitempty" validate:"omitempty,max=64,text"`
	// Credits are the credits of the whole programme in their native
	// framework. Required when DurationYears is absent.
	Credits *Credits `json:"credits,omitempty"`
	// Grade is the overall result in its native scheme. It is never converted.
	Grade *Grade `json:"grade,omitempty"`
	// Languages are the languages of instruction as BCP 47 tags, e.g.
	// ["ja", "en"], each listed once.
	Languages []string `json:"languages" validate:"required,min=1,max=8,dive,lang"`
	// QualityAssurance lists the quality assurance the programme or
	// institution is under (認証評価, accreditation, ...).
	QualityAssurance []QualityAssurance `json:"quality_assurance" validate:"required,min=1,max=8,dive"`
	// LearningOutcomes are short titles of the skills or competences gained.
	LearningOutcomes []string `json:"learning_outcomes,omitempty" validate:"omitempty,max=32,dive,required,max=256,text"`
}

// FieldOfStudy is the field of study, classified with ISCED-F 2013.
type FieldOfStudy struct {
	// ISCEDF is the 4-digit ISCED-F 2013 detailed field, e.g. "0912" (Medicine).
	ISCEDF string `json:"isced_f" validate:"required,isced_f"`
	// Name is the institution's name for the field (学部・学科・専攻).
	Name LangMap `json:"name,omitempty" validate:"omitempty,max=8,dive,keys,lang,endkeys,required,max=256,text"`
}

// CreditFramework names a credit system.
type CreditFramework string

// Credit frameworks.
const (
	// FrameworkECTS is the European Credit Transfer and Accumulation System.
	FrameworkECTS CreditFramework = "ects"
	// FrameworkJPTani is the Japanese credit (単位): 45 hours of learning
	// including self-study (大学設置基準 Art. 21).
	FrameworkJPTani CreditFramework = "jp-tani"
)

// CreditFrameworks lists every CreditFramework.
func CreditFrameworks() []CreditFramework { return []CreditFramework{FrameworkECTS, FrameworkJPTani} }

// creditFrameworkLabels are the credit frameworks in words.
var creditFrameworkLabels = map[CreditFramework]LangMap{
	FrameworkECTS:   {"en": "ECTS credits (European Credit Transfer and Accumulation System)", "ja": "ECTS（欧州単位互換制度）の単位"},
	FrameworkJPTani: {"en": "Japanese university credits (単位, 45 hours of study each)", "ja": "日本の大学の単位（1単位＝45時間の学修）"},
}

// Label returns the credit framework in words in lang ("en" or "ja"; other
// languages fall back to English), or the raw value for an unknown framework.
func (f CreditFramework) Label(lang string) string { return codeLabel(creditFrameworkLabels, f, lang) }

// Credits is a credit amount in its native framework.
type Credits struct {
	Value     float64         `json:"value" validate:"gt=0,lte=1000"`
	Framework CreditFramework `json:"framework" validate:"required,oneof=ects jp-tani"`
}

// Grade is a result in its native grading scheme. hashi never converts grades.
type Grade struct {
	// Value is the grade as awarded, e.g. "3.42" or "cum laude".
	Value string `json:"value" validate:"required,max=64,text"`
	// Scheme names the grading scheme, e.g. "GPA 0–4 (institutional)".
	Scheme string `json:"scheme" validate:"required,max=128,text"`
}

// Quality assurance types.
const (
	// QACertifiedEvaluation is Japanese 認証評価 by a MEXT-certified agency.
	QACertifiedEvaluation = "certified_evaluation"
	// QAAccreditation is programme or institutional accreditation.
	QAAccreditation = "accreditation"
	// QAExternalEvaluation is another external evaluation.
	QAExternalEvaluation = "external_evaluation"
	// QAInternalEvaluation is internal quality assurance.
	QAInternalEvaluation = "internal_evaluation"
)

// QualityAssuranceTypes lists the QA... constants, the types of
// QualityAssurance.Type.
func QualityAssuranceTypes() []string {
	return []string{QACertifiedEvaluation, QAAccreditation, QAExternalEvaluation, QAInternalEvaluation}
}

// qaTypeLabels are the quality assurance types in words.
var qaTypeLabels = map[string]LangMap{
	QACertifiedEvaluation: {"en": "Certified evaluation (Japan, 認証評価)", "ja": "認証評価"},
	QAAccreditation:       {"en": "Accreditation", "ja": "アクレディテーション（適格認定）"},
	QAExternalEvaluation:  {"en": "External evaluation", "ja": "外部評価"},
	QAInternalEvaluation:  {"en": "Internal evaluation", "ja": "内部評価（自己点検・評価）"},
}

// QualityAssuranceTypeLabel returns a quality assurance type (one of the QA...
// constants) in words in lang ("en" or "ja"; other languages fall back to
// English), or t itself for an unknown type.
func QualityAssuranceTypeLabel(t, lang string) string { return codeLabel(qaTypeLabels, t, lang) }

// QualityAssurance is one quality assurance the degree is under.
type QualityAssurance struct {
	// Type is one of the QA... constants.
	Type string `json:"type" validate:"required,oneof=certified_evaluation accreditation external_evaluation internal_evaluation"`
	// Agency is the agency's name, e.g. "NIAD-QE" or "NVAO".
	Agency string `json:"agency" validate:"required,max=256,text"`
	// Result is the outcome as stated by the agency, e.g. "適合".
	Result string `json:"result,omitempty" validate:"omitempty,max=256,text"`
	// Date is the date of the decision, YYYY-MM-DD.
	Date string `json:"date,omitempty" validate:"omitempty,date"`
}

// AwardingBody is the institution that conferred the degree.
type AwardingBody struct {
	// Name is the institution's name in one or more languages.
	Name LangMap `json:"name" validate:"required,min=1,max=8,dive,keys,lang,endkeys,required,max=256,text"`
	// Country is the ISO 3166-1 alpha-2 code of the institution's country.
	Country string `json:"country" validate:"required,country"`
	// Identifiers identify the institution in national and EU registers.
	Identifiers []Identifier `json:"identifiers" validate:"required,min=1,max=8,dive"`
}

// Identifier schemes for awarding bodies.
const (
	// SchemeJPCorporateNumber is the 13-digit 法人番号 (corporate number) of
	// the school corporation; the check digit is verified.
	SchemeJPCorporateNumber = "jp-corporate-number"
	// SchemeMEXTSchoolCode is the 13-character MEXT 学校コード; only its shape
	// is checked (the check digit rule is not published in a primary source
	// we read).
	SchemeMEXTSchoolCode = "mext-school-code"
	// SchemeEIDASLegalIdentifier is an eIDAS legal person identifier,
	// "CC/CC/identifier".
	SchemeEIDASLegalIdentifier = "eu-eidas-legal-identifier"
	// SchemeSCHAC is the SCHAC home organisation, a DNS domain.
	SchemeSCHAC = "schac"
	// SchemeErasmus is the Erasmus institutional code, e.g. "NL AMSTERD01".
	SchemeErasmus = "erasmus"
)

// IdentifierSchemes lists the Scheme... constants, the schemes of
// Identifier.Scheme.
func IdentifierSchemes() []string {
	return []string{SchemeJPCorporateNumber, SchemeMEXTSchoolCode, SchemeEIDASLegalIdentifier, SchemeSCHAC, SchemeErasmus}
}

// identifierSchemeLabels are the identifier schemes in words.
var identifierSchemeLabels = map[string]LangMap{
	SchemeJPCorporateNumber:    {"en": "Japanese corporate number (法人番号)", "ja": "法人番号"},
	SchemeMEXTSchoolCode:       {"en": "Japanese school code (学校コード, Ministry of Education)", "ja": "学校コード（文部科学省）"},
	SchemeEIDASLegalIdentifier: {"en": "eIDAS legal person identifier", "ja": "eIDAS 法人識別子"},
	SchemeSCHAC:                {"en": "Home organisation domain (SCHAC)", "ja": "所属機関ドメイン（SCHAC）"},
	SchemeErasmus:              {"en": "Erasmus institutional code", "ja": "エラスムス機関コード"},
}

// IdentifierSchemeLabel returns an identifier scheme (one of the Scheme...
// constants) in words in lang ("en" or "ja"; other languages fall back to
// English), or scheme itself for an unknown scheme.
func IdentifierSchemeLabel(scheme, lang string) string {
	return codeLabel(identifierSchemeLabels, scheme, lang)
}

// Identifier is an identifier of the awarding body in a named scheme.
type Identifier struct {
	Scheme string `json:"scheme" validate:"required,oneof=jp-corporate-number mext-school-code eu-eidas-legal-identifier schac erasmus"`
	Value  string `json:"value" validate:"required,max=128,text"`
}
