package academic

import "strings"

// Words for the standard codes a diploma carries: BCP 47 language tags (the
// title's language, the languages of instruction, the language of a native
// name) and ISO 3166-1 alpha-2 country codes (the awarding body's country).
// The tables cover the languages and countries of the EU–Japan pilot (Japanese,
// the EU's official languages and their EEA neighbours, and the languages and
// countries a Japanese or European university commonly names); a code they do
// not hold is shown as it is.

// languageNames are primary language subtags in words.
var languageNames = map[string]LangMap{
	"ja": {"en": "Japanese", "ja": "日本語"},
	"en": {"en": "English", "ja": "英語"},
	"bg": {"en": "Bulgarian", "ja": "ブルガリア語"},
	"cs": {"en": "Czech", "ja": "チェコ語"},
	"da": {"en": "Danish", "ja": "デンマーク語"},
	"de": {"en": "German", "ja": "ドイツ語"},
	"el": {"en": "Greek", "ja": "ギリシャ語"},
	"es": {"en": "Spanish", "ja": "スペイン語"},
	"et": {"en": "Estonian", "ja": "エストニア語"},
	"fi": {"en": "Finnish", "ja": "フィンランド語"},
	"fr": {"en": "French", "ja": "フランス語"},
	"ga": {"en": "Irish", "ja": "アイルランド語"},
	"hr": {"en": "Croatian", "ja": "クロアチア語"},
	"hu": {"en": "Hungarian", "ja": "ハンガリー語"},
	"it": {"en": "Italian", "ja": "イタリア語"},
	"lt": {"en": "Lithuanian", "ja": "リトアニア語"},
	"lv": {"en": "Latvian", "ja": "ラトビア語"},
	"mt": {"en": "Maltese", "ja": "マルタ語"},
	"nl": {"en": "Dutch", "ja": "オランダ語"},
	"pl": {"en": "Polish", "ja": "ポーランド語"},
	"pt": {"en": "Portuguese", "ja": "ポルトガル語"},
	"ro": {"en": "Romanian", "ja": "ルーマニア語"},
	"sk": {"en": "Slovak", "ja": "スロバキア語"},
	"sl": {"en": "Slovenian", "ja": "スロベニア語"},
	"sv": {"en": "Swedish", "ja": "スウェーデン語"},
	"is": {"en": "Icelandic", "ja": "アイスランド語"},
	"no": {"en": "Norwegian", "ja": "ノルウェー語"},
	"nb": {"en": "Norwegian Bokmål", "ja": "ノルウェー語（ブークモール）"},
	"nn": {"en": "Norwegian Nynorsk", "ja": "ノルウェー語（ニーノシュク）"},
	"ca": {"en": "Catalan", "ja": "カタルーニャ語"},
	"eu": {"en": "Basque", "ja": "バスク語"},
	"gl": {"en": "Galician", "ja": "ガリシア語"},
	"lb": {"en": "Luxembourgish", "ja": "ルクセンブルク語"},
	"cy": {"en": "Welsh", "ja": "ウェールズ語"},
	"la": {"en": "Latin", "ja": "ラテン語"},
	"zh": {"en": "Chinese", "ja": "中国語"},
	"ko": {"en": "Korean", "ja": "韓国語"},
	"ru": {"en": "Russian", "ja": "ロシア語"},
	"uk": {"en": "Ukrainian", "ja": "ウクライナ語"},
	"tr": {"en": "Turkish", "ja": "トルコ語"},
	"ar": {"en": "Arabic", "ja": "アラビア語"},
	"vi": {"en": "Vietnamese", "ja": "ベトナム語"},
	"th": {"en": "Thai", "ja": "タイ語"},
	"id": {"en": "Indonesian", "ja": "インドネシア語"},
	"hi": {"en": "Hindi", "ja": "ヒンディー語"},
}

// tagNames are whole tags whose words are not the sum of their parts.
var tagNames = map[string]LangMap{
	"ja-latn": {"en": "Japanese (romanized)", "ja": "日本語（ローマ字）"},
}

// scriptNames are ISO 15924 script subtags in words.
var scriptNames = map[string]LangMap{
	"latn": {"en": "Latin script", "ja": "ラテン文字"},
	"kana": {"en": "Katakana", "ja": "カタカナ"},
	"hira": {"en": "Hiragana", "ja": "ひらがな"},
	"hrkt": {"en": "Kana", "ja": "かな"},
	"jpan": {"en": "Japanese script", "ja": "漢字かな交じり"},
	"hani": {"en": "Han characters", "ja": "漢字"},
	"hans": {"en": "Simplified", "ja": "簡体字"},
	"hant": {"en": "Traditional", "ja": "繁体字"},
	"cyrl": {"en": "Cyrillic", "ja": "キリル文字"},
	"grek": {"en": "Greek script", "ja": "ギリシャ文字"},
	"hang": {"en": "Hangul", "ja": "ハングル"},
}

// countryNames are ISO 3166-1 alpha-2 codes in words: Japan, every country of
// the crosswalk (EU and EEA) and a few more a diploma commonly names.
var countryNames = map[string]LangMap{
	"JP": {"en": "Japan", "ja": "日本"},
	"AT": {"en": "Austria", "ja": "オーストリア"},
	"BE": {"en": "Belgium", "ja": "ベルギー"},
	"BG": {"en": "Bulgaria", "ja": "ブルガリア"},
	"CY": {"en": "Cyprus", "ja": "キプロス"},
	"CZ": {"en": "Czechia", "ja": "チェコ"},
	"DE": {"en": "Germany", "ja": "ドイツ"},
	"DK": {"en": "Denmark", "ja": "デンマーク"},
	"EE": {"en": "Estonia", "ja": "エストニア"},
	"ES": {"en": "Spain", "ja": "スペイン"},
	"FI": {"en": "Finland", "ja": "フィンランド"},
	"FR": {"en": "France", "ja": "フランス"},
	"GR": {"en": "Greece", "ja": "ギリシャ"},
	"HR": {"en": "Croatia", "ja": "クロアチア"},
	"HU": {"en": "Hungary", "ja": "ハンガリー"},
	"IE": {"en": "Ireland", "ja": "アイルランド"},
	"IS": {"en": "Iceland", "ja": "アイスランド"},
	"IT": {"en": "Italy", "ja": "イタリア"},
	"LI": {"en": "Liechtenstein", "ja": "リヒテンシュタイン"},
	"LT": {"en": "Lithuania", "ja": "リトアニア"},
	"LU": {"en": "Luxembourg", "ja": "ルクセンブルク"},
	"LV": {"en": "Latvia", "ja": "ラトビア"},
	"MT": {"en": "Malta", "ja": "マルタ"},
	"NL": {"en": "Netherlands", "ja": "オランダ"},
	"NO": {"en": "Norway", "ja": "ノルウェー"},
	"PL": {"en": "Poland", "ja": "ポーランド"},
	"PT": {"en": "Portugal", "ja": "ポルトガル"},
	"RO": {"en": "Romania", "ja": "ルーマニア"},
	"SE": {"en": "Sweden", "ja": "スウェーデン"},
	"SI": {"en": "Slovenia", "ja": "スロベニア"},
	"SK": {"en": "Slovakia", "ja": "スロバキア"},
	"CH": {"en": "Switzerland", "ja": "スイス"},
	"GB": {"en": "United Kingdom", "ja": "イギリス"},
	"US": {"en": "United States", "ja": "アメリカ合衆国"},
	"CA": {"en": "Canada", "ja": "カナダ"},
	"AU": {"en": "Australia", "ja": "オーストラリア"},
	"CN": {"en": "China", "ja": "中国"},
	"KR": {"en": "South Korea", "ja": "韓国"},
	"TW": {"en": "Taiwan", "ja": "台湾"},
}

// LanguageName returns a BCP 47 language tag in words in lang ("en" or "ja";
// other languages fall back to English): "ja" → "Japanese" / "日本語",
// "ja-Kana" → "Japanese (Katakana)" / "日本語（カタカナ）", "en-GB" →
// "English (United Kingdom)" / "英語（イギリス）". It returns tag itself and
// false when it does not know the primary language; a script or region it
// does not know is left out of the words.
func LanguageName(tag, lang string) (string, bool) {
	in := primaryLanguage(lang)
	if m, ok := tagNames[strings.ToLower(tag)]; ok {
		s, _ := m.Pick(in)
		return s, true
	}
	parts := strings.Split(tag, "-")
	base, ok := languageNames[strings.ToLower(parts[0])]
	if !ok {
		return tag, false
	}
	name, _ := base.Pick(in)
	var extra []string
	for _, p := range parts[1:] {
		var m LangMap
		switch len(p) {
		case 4:
			m = scriptNames[strings.ToLower(p)]
		case 2:
			m = countryNames[strings.ToUpper(p)]
		}
		if s, _ := m.Pick(in); s != "" {
			extra = append(extra, s)
		}
	}
	if len(extra) == 0 {
		return name, true
	}
	if in == "ja" {
		return name + "（" + strings.Join(extra, "、") + "）", true
	}
	return name + " (" + strings.Join(extra, ", ") + ")", true
}

// CountryName returns an ISO 3166-1 alpha-2 country code in words in lang
// ("en" or "ja"; other languages fall back to English), and whether it knows
// the code; an unknown code is returned as it is.
func CountryName(code, lang string) (string, bool) {
	m, ok := countryNames[code]
	if !ok {
		return code, false
	}
	s, _ := m.Pick(primaryLanguage(lang))
	return s, true
}
