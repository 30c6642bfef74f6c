package academic

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// ComparabilityNote is how hashi qualifies every ISCED/EQF level it states for
// a degree from outside the EQF: the level is informational comparability,
// never equivalence, and its basis is always recorded.
const ComparabilityNote = "informational comparability, never equivalence"

//go:embed crosswalk.json
var crosswalkJSON []byte

// Level is a crosswalk result.
type Level struct {
	// ISCED is the ISCED 2011 programme code ("766") or, where the source
	// assigns none, the level alone ("7").
	ISCED string `json:"isced"`
	// EQF is the EQF level 1–8.
	EQF int `json:"eqf"`
	// Basis states how the level was determined, e.g. "ISCED2011 via NIC-Japan".
	Basis string `json:"basis"`
	// Native names the qualification in the source system, e.g. "学士（6年制）"
	// or "second cycle".
	Native string `json:"native"`
}

type crosswalkFile struct {
	Comparability string `json:"comparability"`
	DegreeTypes   []struct {
		Type   DegreeType `json:"type"`
		OBType string     `json:"ob_type"`
		Label  LangMap    `json:"label"`
	} `json:"degree_types"`
	Schemes []struct {
		ID        string   `json:"id"`
		Source    string   `json:"source"`
		Countries []string `json:"countries"`
		Entries   []struct {
			Type     DegreeType `json:"type"`
			Native   string     `json:"native"`
			MinYears float64    `json:"min_years"`
			MaxYears float64    `json:"max_years"`
			ISCED    string     `json:"isced"`
			EQF      int        `json:"eqf"`
			Basis    string     `json:"basis"`
		} `json:"entries"`
	} `json:"schemes"`
}

type crosswalkEntry struct {
	minYears, maxYears float64
	level              Level
}

type crosswalk struct {
	byCountry map[string]map[DegreeType][]crosswalkEntry
	labels    map[DegreeType]LangMap
	obTypes   map[DegreeType]string
}

var loadCrosswalk = sync.OnceValues(func() (*crosswalk, error) { return parseCrosswalk(crosswalkJSON) })

func parseCrosswalk(data []byte) (*crosswalk, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f crosswalkFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("crosswalk: %w", err)
	}
	if f.Comparability != ComparabilityNote {
		return nil, fmt.Errorf("crosswalk: comparability note %q", f.Comparability)
	}
	cw := &crosswalk{
		byCountry: map[string]map[DegreeType][]crosswalkEntry{},
		labels:    map[DegreeType]LangMap{},
		obTypes:   map[DegreeType]string{},
	}
	for _, t := range f.DegreeTypes {
		if !isDegreeType(string(t.Type)) || t.Label["en"] == "" || t.Label["ja"] == "" || t.OBType == "" {
			return nil, fmt.Errorf("crosswalk: degree type %q incomplete", t.Type)
		}
		cw.labels[t.Type], cw.obTypes[t.Type] = t.Label, t.OBType
	}
	for _, t := range DegreeTypes() {
		if _, ok := cw.labels[t]; !ok {
			return nil, fmt.Errorf("crosswalk: degree type %q has no label", t)
		}
	}
	for _, s := range f.Schemes {
		entries := map[DegreeType][]crosswalkEntry{}
		for _, e := range s.Entries {
			if !isDegreeType(string(e.Type)) || e.EQF < 1 || e.EQF > 8 || !iscedARe.MatchString(e.ISCED) ||
				int(e.ISCED[0]-'0') != e.EQF || e.Basis == "" || e.MinYears < 0 ||
				(e.MaxYears != 0 && e.MaxYears < e.MinYears) {
				return nil, fmt.Errorf("crosswalk: scheme %s: bad entry for %q", s.ID, e.Type)
			}
			entries[e.Type] = append(entries[e.Type], crosswalkEntry{
				minYears: e.MinYears, maxYears: e.MaxYears,
				level: Level{ISCED: e.ISCED, EQF: e.EQF, Basis: e.Basis, Native: e.Native},
			})
		}
		for _, c := range s.Countries {
			if _, dup := cw.byCountry[c]; dup || len(c) != 2 || strings.ToUpper(c) != c {
				return nil, fmt.Errorf("crosswalk: country %q listed twice or malformed", c)
			}
			cw.byCountry[c] = entries
		}
	}
	return cw, nil
}

// Classify returns the ISCED 2011 and EQF level of a degree of type t awarded
// in country (ISO 3166-1 alpha-2), from the crosswalk embedded in this
// package (crosswalk.json). durationYears is the programme's standard length;
// 0 means "the standard programme" (the first entry listed for the type). For
// Japan the duration decides between a 4-year bachelor's (ISCED 665, EQF 6)
// and a 6-year one (ISCED 766, EQF 7). For EU and EEA countries the level
// follows the QF-EHEA cycle and the duration is not used.
//
// The level is informational comparability, never equivalence
// (ComparabilityNote); Level.Basis records where it comes from. Classify
// returns an *Error with CodeNoMapping when the crosswalk has no entry.
func Classify(country string, t DegreeType, durationYears float64) (Level, error) {
	cw, err := loadCrosswalk()
	if err != nil {
		return Level{}, err
	}
	key := fmt.Sprintf("%s/%s/%g years", country, t, durationYears)
	byType, ok := cw.byCountry[strings.ToUpper(country)]
	if !ok {
		return Level{}, &Error{Code: CodeNoMapping, Detail: key}
	}
	entries := byType[t]
	if len(entries) == 0 {
		return Level{}, &Error{Code: CodeNoMapping, Detail: key}
	}
	if durationYears == 0 {
		return entries[0].level, nil
	}
	for _, e := range entries {
		if (e.minYears == 0 || durationYears >= e.minYears) && (e.maxYears == 0 || durationYears <= e.maxYears) {
			return e.level, nil
		}
	}
	return Level{}, &Error{Code: CodeNoMapping, Detail: key}
}

// Label returns a human-readable name of the degree type in lang ("en" or
// "ja"; other languages fall back to English), or the raw value for an
// unknown type.
func (t DegreeType) Label(lang string) string {
	cw, err := loadCrosswalk()
	if err != nil {
		return string(t)
	}
	m, ok := cw.labels[t]
	if !ok {
		return string(t)
	}
	base, _, _ := strings.Cut(strings.ToLower(lang), "-")
	s, _ := m.Pick(base)
	return s
}

// levelBasisJA are the bases the crosswalk records (and
// BasisLearningCredential) in Japanese, keyed by the English basis a
// credential carries (degree.level.basis).
var levelBasisJA = map[string]string{
	"ISCED2011 via NIC-Japan":                               "NIC-Japan による ISCED 2011 の分類",
	"ISCED2011 level 6 by degree cycle (no NIC-Japan code)": "学位の課程段階による ISCED 2011 レベル6（NIC-Japan のコードなし）",
	"ISCED2011 level 7 by degree cycle (no NIC-Japan code)": "学位の課程段階による ISCED 2011 レベル7（NIC-Japan のコードなし）",
	"ISCED2011 level 8 by degree cycle (no NIC-Japan code)": "学位の課程段階による ISCED 2011 レベル8（NIC-Japan のコードなし）",
	"QF-EHEA short cycle → EQF 5":                           "QF-EHEA 短期課程 → EQF 5",
	"QF-EHEA first cycle → EQF 6":                           "QF-EHEA 第1サイクル（学士課程）→ EQF 6",
	"QF-EHEA second cycle → EQF 7":                          "QF-EHEA 第2サイクル（修士課程）→ EQF 7",
	"QF-EHEA third cycle → EQF 8":                           "QF-EHEA 第3サイクル（博士課程）→ EQF 8",
	BasisLearningCredential:                                 "発行者が記載した EQF レベル（学修歴証明書には対応付けの根拠が記載されない）",
}

// LevelBasisText returns a level basis (degree.level.basis, in English as the
// crosswalk records it) in lang ("en" or "ja"; other languages get the
// English), and whether it is one of the crosswalk's bases or
// BasisLearningCredential. A basis a registrar wrote itself is returned
// unchanged with false.
func LevelBasisText(basis, lang string) (string, bool) {
	ja, ok := levelBasisJA[basis]
	if !ok {
		return basis, false
	}
	if primaryLanguage(lang) == "ja" {
		return ja, true
	}
	return basis, true
}

// obType returns the Open Badges / VCDM example vocabulary name of t
// ("BachelorDegree", ...).
func obType(t DegreeType) string {
	cw, err := loadCrosswalk()
	if err != nil {
		return ""
	}
	return cw.obTypes[t]
}

// degreeTypeFromOB maps an Open Badges achievement type back to the most
// general DegreeType.
func degreeTypeFromOB(s string) DegreeType {
	switch s {
	case "AssociateDegree":
		return DegreeAssociate
	case "BachelorDegree":
		return DegreeBachelor
	case "MasterDegree":
		return DegreeMaster
	case "DoctoralDegree":
		return DegreeDoctorate
	}
	return ""
}
