// Package academic is hashi's model of a higher-education diploma and its
// credential views, shared by the issuer, the wallet and the verifier.
//
// One canonical record, Diploma, holds one graduate's degree: the learner
// (Latin-script passport names, native-script names, birth date, student
// ID), the degree (title with its original language, degree type, ISCED 2011
// and EQF level with the mapping basis, ISCED-F field, award date, document
// number 学位記番号, credits in their framework, grade in its native scheme,
// languages of instruction, quality assurance) and the awarding body (names,
// country, identifiers such as 法人番号). ParseDiplomaJSON reads a registrar's
// JSON strictly; Diploma.Validate lists every failing field by JSON path with
// the rule in plain English and Japanese (validator/v10 tags on every field).
//
// From the record the package builds three views:
//
//   - Diploma.HashiDiplomaClaims: the SD-JWT VC claims of hashi's diploma,
//     vct "urn:hashi:diploma:1";
//   - Diploma.LearningCredentialClaims: the EUDI learning credential, vct
//     "urn:eu.europa.ec.eudi:learning:credential:1", shaped like the EU–Japan
//     proof-of-concept credential;
//   - Diploma.VCDM11: the VCDM 1.1 "vc" object of a jwt_vc_json credential.
//
// The SD-JWT builders return a ClaimSet: claims plus the claim paths to make
// selectively disclosable. This package does not implement SD-JWT, sign, or
// add iss, iat, nbf, exp, cnf, vct or status; the issuer does.
//
// The embedded SD-JWT VC type metadata of both types (TypeMetadataJSON,
// LookupTypeMetadata, DisplayName, ClaimLabel) has English and Japanese
// display for the type and every claim, and its "sd" rules agree with the
// builders' paths. For the learning credential it keeps the claims, mandatory
// flags and sd rules of the EUDI reference issuer's metadata. ClaimLabel also
// labels the members of language maps (degree.title.translations.en: "Degree
// title (English)"), which type metadata cannot describe.
//
// For displays, the model's enumerations have words in English and Japanese
// next to their constants (DegreeType.Label, CreditFramework.Label,
// QualityAssuranceTypeLabel, IdentifierSchemeLabel), as do language tags and
// country codes (LanguageName, CountryName) and the English phrases this
// package writes into claims (ECTSMethodText, LevelBasisText, StudyTimeText,
// QualityAssuranceText). ClaimValueText applies them by claim path, so a
// wallet or verifier shows 「日本の大学の単位」 rather than "jp-tani".
//
// For verifiers, QualificationFromClaims and QualificationFromVCDM11 read the
// disclosed claims of either type back into a Qualification for comparison;
// undisclosed claims are simply absent.
//
// Classify is the ISCED 2011 / EQF / Japanese-degree crosswalk, driven by the
// embedded crosswalk.json: 短期大学士 544 → EQF 5, 学士 665 → 6, six-year 学士
// 766 → 7 (not 6), 修士 → 7, 博士 → 8; EU cycles short → 5, first → 6,
// second → 7, third → 8. Levels are informational comparability, never
// equivalence, and the basis is always recorded. DeriveECTS states a derived
// ECTS figure with its method; grades are never converted.
//
// Everything here is pure: no I/O, no clock (dates are inputs), no globals
// beyond embedded read-only data.
//
// References: SD-JWT VC draft -18 (type metadata, claim paths),
// OpenID4VP 1.0 §7 (claim path pointers), VCDM 1.1 §6.3.1 (JWT encoding),
// and hashi's docs/trust.md §4.3, §4.5–4.7.
package academic
