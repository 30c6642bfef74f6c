package academic

// The samples are fictional: no such people or universities exist. Their
// corporate numbers use the base-number block 9999… (no registry office has
// that code) with a correct check digit; their MEXT school codes and EU
// identifiers are made up in the right shape. Quality-assurance agencies are
// real bodies, named as a registrar would name them.

// SampleJPMedicalBachelor returns a fictional Japanese six-year medical
// bachelor's degree (学士（医学）): ISCED 766, EQF 7, 188 単位. Each call
// returns a fresh value.
func SampleJPMedicalBachelor() Diploma {
	return Diploma{
		Learner: Learner{
			FamilyName: "YAMADA",
			GivenName:  "Hanako",
			NativeNames: []PersonName{
				{Lang: "ja", FamilyName: "山田", GivenName: "花子"},
				{Lang: "ja-Kana", FamilyName: "ヤマダ", GivenName: "ハナコ"},
			},
			BirthDate: "1999-05-14",
			StudentID: "M19-0042",
		},
		Degree: Degree{
			Title:          LangMap{"ja": "学士（医学）", "en": "Bachelor of Medicine"},
			TitleLang:      "ja",
			Type:           DegreeBachelorLong,
			DurationYears:  6,
			ISCED:          "766",
			EQFLevel:       7,
			LevelBasis:     "ISCED2011 via NIC-Japan",
			Field:          FieldOfStudy{ISCEDF: "0912", Name: LangMap{"ja": "医学部医学科", "en": "School of Medicine"}},
			AwardDate:      "2025-03-25",
			DocumentNumber: "医第2025-0042号",
			Credits:        &Credits{Value: 188, Framework: FrameworkJPTani},
			Grade:          &Grade{Value: "3.42", Scheme: "GPA 0.0–4.0 (institutional)"},
			Languages:      []string{"ja"},
			QualityAssurance: []QualityAssurance{
				{Type: QACertifiedEvaluation, Agency: "大学改革支援・学位授与機構 (NIAD-QE)", Result: "適合", Date: "2022-03-18"},
			},
			LearningOutcomes: []string{"臨床推論", "医療倫理"},
		},
		AwardingBody: AwardingBody{
			Name:    LangMap{"ja": "例示医科大学", "en": "Example Medical University"},
			Country: "JP",
			Identifiers: []Identifier{
				{Scheme: SchemeJPCorporateNumber, Value: "7999901000001"},
				{Scheme: SchemeMEXTSchoolCode, Value: "F113399999990"},
			},
		},
	}
}

// SampleJPMasterEngineering returns a fictional Japanese master of
// engineering (修士（工学）): ISCED level 7, EQF 7, 30 単位, taught in Japanese
// and English, without a grade. Each call returns a fresh value.
func SampleJPMasterEngineering() Diploma {
	return Diploma{
		Learner: Learner{
			FamilyName:  "SATO",
			GivenName:   "Kenji",
			NativeNames: []PersonName{{Lang: "ja", FamilyName: "佐藤", GivenName: "健二"}},
			BirthDate:   "2001-11-02",
			StudentID:   "E23M-1187",
		},
		Degree: Degree{
			Title:          LangMap{"ja": "修士（工学）", "en": "Master of Engineering"},
			TitleLang:      "ja",
			Type:           DegreeMaster,
			DurationYears:  2,
			ISCED:          "7",
			EQFLevel:       7,
			LevelBasis:     "ISCED2011 level 7 by degree cycle (no NIC-Japan code)",
			Field:          FieldOfStudy{ISCEDF: "0714", Name: LangMap{"ja": "電気電子工学専攻", "en": "Electrical and Electronic Engineering"}},
			AwardDate:      "2025-03-24",
			DocumentNumber: "修第1187号",
			Credits:        &Credits{Value: 30, Framework: FrameworkJPTani},
			Languages:      []string{"ja", "en"},
			QualityAssurance: []QualityAssurance{
				{Type: QACertifiedEvaluation, Agency: "大学基準協会 (JUAA)", Result: "適合"},
			},
		},
		AwardingBody: AwardingBody{
			Name:    LangMap{"ja": "例示工業大学", "en": "Example Institute of Technology"},
			Country: "JP",
			Identifiers: []Identifier{
				{Scheme: SchemeJPCorporateNumber, Value: "6999901000002"},
			},
		},
	}
}

// SampleEUMaster returns a fictional Dutch master of science in computer
// science: second cycle, EQF 7, 120 ECTS, taught in English, title in Dutch.
// Each call returns a fresh value.
func SampleEUMaster() Diploma {
	return Diploma{
		Learner: Learner{
			FamilyName: "de Vries",
			GivenName:  "Sanne",
			BirthDate:  "2000-02-29",
			StudentID:  "s2345678",
		},
		Degree: Degree{
			Title:          LangMap{"nl": "Master of Science in de Informatica", "en": "Master of Science in Computer Science"},
			TitleLang:      "nl",
			Type:           DegreeMaster,
			DurationYears:  2,
			ISCED:          "7",
			EQFLevel:       7,
			LevelBasis:     "QF-EHEA second cycle → EQF 7",
			Field:          FieldOfStudy{ISCEDF: "0613", Name: LangMap{"nl": "Informatica", "en": "Computer Science"}},
			AwardDate:      "2025-08-29",
			DocumentNumber: "VB-2025-004711",
			Credits:        &Credits{Value: 120, Framework: FrameworkECTS},
			Grade:          &Grade{Value: "cum laude", Scheme: "Dutch judicium (met goed gevolg, cum laude)"},
			Languages:      []string{"en"},
			QualityAssurance: []QualityAssurance{
				{Type: QAAccreditation, Agency: "NVAO", Result: "positive", Date: "2021-06-30"},
			},
		},
		AwardingBody: AwardingBody{
			Name:    LangMap{"nl": "Universiteit van Voorbeeld", "en": "University of Voorbeeld"},
			Country: "NL",
			Identifiers: []Identifier{
				{Scheme: SchemeSCHAC, Value: "voorbeeld.example"},
				{Scheme: SchemeErasmus, Value: "NL VOORBEE01"},
				{Scheme: SchemeEIDASLegalIdentifier, Value: "NL/NL/99999999"},
			},
		},
	}
}
