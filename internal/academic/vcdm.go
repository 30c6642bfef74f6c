package academic

import (
	"time"
)

// VCDM 1.1 vocabulary used by VCDM11.
const (
	// ContextVCDM11 is the base JSON-LD context of VCDM 1.1.
	ContextVCDM11 = "https://www.w3.org/2018/credentials/v1"
	// TypeUniversityDegreeCredential is the credential type of the diploma
	// in the jwt_vc_json view (as in the OpenID4VCI 1.0 example).
	TypeUniversityDegreeCredential = "UniversityDegreeCredential"
	// TypeVerifiableAttestation is EBSI's base credential type.
	TypeVerifiableAttestation = "VerifiableAttestation"
)

// VCDM11Options are the inputs of VCDM11 that are not part of the record.
type VCDM11Options struct {
	// IssuerID is the issuer's URL or DID (vc.issuer; the JWT's iss). Required.
	IssuerID string
	// SubjectID is the holder's DID (credentialSubject.id; the JWT's sub).
	// Default: none (a bearer credential).
	SubjectID string
	// CredentialID is the credential's URI (vc.id; the JWT's jti). Default: none.
	CredentialID string
	// IssuanceDate becomes issuanceDate and EBSI's issued and validFrom
	// (RFC 3339, UTC, whole seconds). Required.
	IssuanceDate time.Time
	// ExpirationDate becomes expirationDate and EBSI's validUntil when not
	// zero. Default: none (diplomas do not expire).
	ExpirationDate time.Time
	// SchemaID, when set, adds credentialSchema {id: SchemaID, type:
	// "FullJsonSchemaValidator2021"} as EBSI requires. Default: none.
	SchemaID string
}

// VCDM11 builds the VCDM 1.1 credential object, the "vc" claim of a
// jwt_vc_json credential (VCDM 1.1 §6.3.1), from the record after validating
// it. @context is [ContextVCDM11]; type is ["VerifiableCredential",
// "VerifiableAttestation", "UniversityDegreeCredential"] (EBSI-shaped);
// credentialSubject carries the learner and a degree object with the same
// facts as the hashi diploma, in camelCase (degree.type is the Open Badges
// name such as "BachelorDegree", degree.degreeType hashi's DegreeType).
//
// VCDM11 does not build the JWT: internal/vcjwt adds iss, sub, jti, nbf and
// exp from IssuerID, SubjectID, CredentialID and the dates, and signs.
func (d Diploma) VCDM11(opts VCDM11Options) (map[string]any, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var missing []FieldError // options, named by their VCDM 1.1 property
	if opts.IssuerID == "" {
		missing = append(missing, newFieldError("issuer", "required", ""))
	}
	if opts.IssuanceDate.IsZero() {
		missing = append(missing, newFieldError("issuanceDate", "required", ""))
	}
	if !opts.ExpirationDate.IsZero() && !opts.ExpirationDate.After(opts.IssuanceDate) {
		missing = append(missing, newFieldError("expirationDate", "expiry_before_issuance", ""))
	}
	if len(missing) > 0 {
		return nil, &Error{Code: CodeInvalid, Fields: missing}
	}
	g := d.Degree
	title := map[string]any{}
	for l, v := range g.Title {
		title[l] = v
	}
	degree := map[string]any{
		"type":                   obType(g.Type),
		"degreeType":             string(g.Type),
		"name":                   g.Title[g.TitleLang],
		"nameLanguage":           g.TitleLang,
		"title":                  title,
		"eqfLevel":               g.EQFLevel,
		"levelBasis":             g.LevelBasis,
		"awardDate":              g.AwardDate,
		"languagesOfInstruction": stringsValue(g.Languages),
	}
	if g.ISCED != "" {
		degree["iscedCode"] = g.ISCED
	}
	field := map[string]any{"iscedF": g.Field.ISCEDF}
	if len(g.Field.Name) > 0 {
		field["name"] = langMapValue(g.Field.Name)
	}
	degree["fieldOfStudy"] = field
	if g.DurationYears > 0 {
		degree["durationYears"] = g.DurationYears
	}
	if g.DocumentNumber != "" {
		degree["documentNumber"] = g.DocumentNumber
	}
	if g.Credits != nil {
		ects, method, err := DeriveECTS(g.Credits.Value, g.Credits.Framework)
		if err != nil {
			return nil, err
		}
		degree["credits"] = map[string]any{
			"value": g.Credits.Value, "framework": string(g.Credits.Framework),
			"ects": ects, "ectsMethod": method,
		}
	}
	if g.Grade != nil {
		degree["grade"] = map[string]any{"value": g.Grade.Value, "scheme": g.Grade.Scheme}
	}
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
	degree["qualityAssurance"] = qa
	if len(g.LearningOutcomes) > 0 {
		degree["learningOutcomes"] = stringsValue(g.LearningOutcomes)
	}

	ids := make([]any, 0, len(d.AwardingBody.Identifiers))
	for _, id := range d.AwardingBody.Identifiers {
		ids = append(ids, map[string]any{"schemeID": id.Scheme, "value": id.Value})
	}
	subject := map[string]any{
		"familyName":   d.Learner.FamilyName,
		"dateOfBirth":  d.Learner.BirthDate,
		"studentId":    d.Learner.StudentID,
		"degree":       degree,
		"awardingBody": map[string]any{"name": langMapValue(d.AwardingBody.Name), "country": d.AwardingBody.Country, "identifiers": ids},
	}
	if opts.SubjectID != "" {
		subject["id"] = opts.SubjectID
	}
	if d.Learner.GivenName != "" {
		subject["givenName"] = d.Learner.GivenName
	}
	if len(d.Learner.NativeNames) > 0 {
		names := make([]any, 0, len(d.Learner.NativeNames))
		for _, n := range d.Learner.NativeNames {
			m := map[string]any{"lang": n.Lang, "familyName": n.FamilyName}
			if n.GivenName != "" {
				m["givenName"] = n.GivenName
			}
			names = append(names, m)
		}
		subject["nativeNames"] = names
	}

	issued := opts.IssuanceDate.UTC().Truncate(time.Second).Format(time.RFC3339)
	vc := map[string]any{
		"@context":          []any{ContextVCDM11},
		"type":              []any{"VerifiableCredential", TypeVerifiableAttestation, TypeUniversityDegreeCredential},
		"issuer":            opts.IssuerID,
		"issuanceDate":      issued,
		"issued":            issued,
		"validFrom":         issued,
		"credentialSubject": subject,
	}
	if opts.CredentialID != "" {
		vc["id"] = opts.CredentialID
	}
	if !opts.ExpirationDate.IsZero() {
		exp := opts.ExpirationDate.UTC().Truncate(time.Second).Format(time.RFC3339)
		vc["expirationDate"] = exp
		vc["validUntil"] = exp
	}
	if opts.SchemaID != "" {
		vc["credentialSchema"] = map[string]any{"id": opts.SchemaID, "type": "FullJsonSchemaValidator2021"}
	}
	return vc, nil
}
