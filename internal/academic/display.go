package academic

// valueWords is a claim whose value is a code of the model (or a fixed phrase
// this package writes in English), with the function that puts a value in
// words in a language: the text and whether it knew the value.
type valueWords struct {
	path  []any
	words func(value, lang string) (string, bool)
}

func degreeTypeWords(v, lang string) (string, bool) {
	return known(DegreeType(v).Label(lang), v, isDegreeType(v))
}

func frameworkWords(v, lang string) (string, bool) {
	_, ok := creditFrameworkLabels[CreditFramework(v)]
	return known(CreditFramework(v).Label(lang), v, ok)
}

func qaTypeWords(v, lang string) (string, bool) {
	_, ok := qaTypeLabels[v]
	return known(QualityAssuranceTypeLabel(v, lang), v, ok)
}

func schemeWords(v, lang string) (string, bool) {
	_, ok := identifierSchemeLabels[v]
	return known(IdentifierSchemeLabel(v, lang), v, ok)
}

func typeWords(v, lang string) (string, bool) {
	if s, ok := DisplayName(v, lang); ok {
		return s, true
	}
	return v, false
}

func known(text, code string, ok bool) (string, bool) {
	if !ok {
		return code, false
	}
	return text, true
}

// claimValueWords are, per credential type, the claims ClaimValueText puts in
// words.
var claimValueWords = map[string][]valueWords{
	VCTHashiDiploma: {
		{[]any{"vct"}, typeWords},
		{[]any{"native_names", nil, "lang"}, LanguageName},
		{[]any{"degree", "title", "lang"}, LanguageName},
		{[]any{"degree", "type"}, degreeTypeWords},
		{[]any{"degree", "level", "basis"}, LevelBasisText},
		{[]any{"degree", "credits", "framework"}, frameworkWords},
		{[]any{"degree", "credits", "ects_method"}, ECTSMethodText},
		{[]any{"degree", "languages", nil}, LanguageName},
		{[]any{"degree", "quality_assurance", nil, "type"}, qaTypeWords},
		{[]any{"awarding_body", "country"}, CountryName},
		{[]any{"awarding_body", "identifiers", nil, "scheme"}, schemeWords},
	},
	VCTLearningCredential: {
		{[]any{"vct"}, typeWords},
		{[]any{"issuing_country"}, CountryName},
		{[]any{"language_of_classes", nil}, LanguageName},
		{[]any{"expected_study_time"}, StudyTimeText},
		{[]any{"types_of_quality_assurance", nil}, QualityAssuranceText},
	},
}

// ClaimValueText returns the value of the claim at path (a concrete claim
// path, as for ClaimLabel) of a credential of type vct in words in lang ("en"
// or "ja"; other languages fall back to English), for the claims whose values
// are codes rather than words: the degree type, the credit framework, the
// quality assurance type and the identifier scheme (the enumerations of the
// model, see DegreeType.Label, CreditFramework.Label,
// QualityAssuranceTypeLabel and IdentifierSchemeLabel), language tags
// (LanguageName), country codes (CountryName) and the credential type (vct),
// and for the fixed English phrases this package writes into claims (the
// ECTS method, the crosswalk's level basis, and the learning credential's
// expected study time and quality assurance; see ECTSMethodText,
// LevelBasisText, StudyTimeText and QualityAssuranceText).
//
// ok is false, and the caller shows the value as it is, for any other claim,
// a value that is not a string, or a code this package does not know. A
// display should keep the code at hand (a tooltip) next to the words.
func ClaimValueText(vct string, path []any, value any, lang string) (text string, ok bool) {
	s, isString := value.(string)
	if !isString {
		return "", false
	}
	for _, w := range claimValueWords[vct] {
		if pathMatches(w.path, path) {
			return w.words(s, lang)
		}
	}
	return s, false
}
