package trustlist

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// LoTEVersion is the only LoTEVersionIdentifier ParseLoTE accepts (TS 119 602 V1.1.1).
const LoTEVersion = 1

// ParseLoTE parses an ETSI TS 119 602 List of Trusted Entities in the JSON binding (the
// JSON document {"LoTE": {...}}, i.e. the payload of the signed JWS) WITHOUT verifying any
// signature: the result is unauthenticated and must not be trusted. Use VerifyLoTE for lists
// you act on.
//
// It checks: the size limit (MaxLoTESize); strict JSON (no duplicate member names, valid
// UTF-8, bounded depth); the JSON schema's member names exactly (case-sensitive) with no
// unknown members wherever the schema says additionalProperties false (also in
// ServiceDigitalIdentity, where the published schema misplaces that keyword); the required
// members and their JSON types; non-empty arrays where the schema demands minItems 1;
// LoTEVersionIdentifier = LoTEVersion; LoTESequenceNumber >= 1; SchemeTerritory of two
// upper-case ASCII letters; RFC 3339 date-times; absolute URIs for LoTEType,
// StatusDeterminationApproach, ServiceTypeIdentifier, ServiceStatus and every uriValue; base64
// for X509Certificates values and X509SKIs; "kty" in every PublicKeyValues JWK.
//
// It does NOT check: the freshness of the list, the EU profile rules of TS 119 602 annexes
// D–H (territory EU, NextUpdate within six months, ...), the content of extensions (kept as
// OtherExtension entries), postal and electronic addresses beyond their shape, or whether
// certificates and keys are usable: X509Certificates values Go cannot parse are kept in
// DigitalIdentity.UnparsedCertificates and JWKs it cannot use in UnparsedPublicKeys, like
// ParseXML does.
//
// The result has Format FormatLoTE. Entities become Providers (TEName, TETradeName,
// TEInformationURI), their services Services. A service without ServiceStatus (the EU
// profiles omit it: presence on the list is the status) has an empty Status and a zero
// StatusStart; no status is invented. Each LoTEQualifier of a PointersToOtherLoTE entry
// becomes one Pointer with that entry's location and certificates.
func ParseLoTE(data []byte) (*List, error) {
	if len(data) > MaxLoTESize {
		return nil, errorf(CodeTooLarge, nil, "input is %d bytes, limit %d", len(data), MaxLoTESize)
	}
	b := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(b) == 0 {
		return nil, errorf(CodeMalformed, nil, "empty input")
	}
	if err := jose.CheckJSON(b); err != nil {
		return nil, errorf(CodeMalformed, err, "not strict JSON")
	}
	root, err := jobject(b, "document", []string{"LoTE"}, "LoTE")
	if err != nil {
		return nil, err
	}
	lote, err := root.object("LoTE", true, []string{"ListAndSchemeInformation", "TrustedEntitiesList"}, "ListAndSchemeInformation")
	if err != nil {
		return nil, err
	}
	l := &List{Format: FormatLoTE}
	if err := loteScheme(lote, l); err != nil {
		return nil, err
	}
	entities, err := lote.array("TrustedEntitiesList", false)
	if err != nil {
		return nil, err
	}
	for i, raw := range entities {
		p, err := loteEntity(raw, fmt.Sprintf("document.LoTE.TrustedEntitiesList[%d]", i))
		if err != nil {
			return nil, err
		}
		l.Providers = append(l.Providers, p)
	}
	return l, nil
}

var schemeMembers = []string{
	"LoTEVersionIdentifier", "LoTESequenceNumber", "LoTEType", "SchemeOperatorName",
	"SchemeOperatorAddress", "SchemeName", "SchemeInformationURI", "StatusDeterminationApproach",
	"SchemeTypeCommunityRules", "SchemeTerritory", "PolicyOrLegalNotice",
	"HistoricalInformationPeriod", "PointersToOtherLoTE", "ListIssueDateTime", "NextUpdate",
	"DistributionPoints", "SchemeExtensions",
}

func loteScheme(lote jobj, l *List) error {
	s, err := lote.object("ListAndSchemeInformation", true, schemeMembers,
		"LoTEVersionIdentifier", "LoTESequenceNumber", "SchemeOperatorName", "ListIssueDateTime", "NextUpdate")
	if err != nil {
		return err
	}
	v, _, err := s.integer("LoTEVersionIdentifier")
	if err != nil {
		return err
	}
	if v != LoTEVersion {
		return errorf(CodeMalformed, nil, "LoTEVersionIdentifier is %d, want %d", v, LoTEVersion)
	}
	l.Version = int(v)
	seq, _, err := s.integer("LoTESequenceNumber")
	if err != nil {
		return err
	}
	if seq < 1 {
		return errorf(CodeMalformed, nil, "LoTESequenceNumber %d is not positive", seq)
	}
	l.SequenceNumber = uint64(seq)
	if l.Type, err = s.uri("LoTEType"); err != nil {
		return err
	}
	if l.OperatorNames, err = s.langStrings("SchemeOperatorName"); err != nil {
		return err
	}
	if err := s.address("SchemeOperatorAddress", "SchemeOperatorPostalAddress", "SchemeOperatorElectronicAddress"); err != nil {
		return err
	}
	if l.SchemeNames, err = s.langStrings("SchemeName"); err != nil {
		return err
	}
	if l.InformationURIs, err = s.langURIs("SchemeInformationURI"); err != nil {
		return err
	}
	if l.StatusDeterminationApproach, err = s.uri("StatusDeterminationApproach"); err != nil {
		return err
	}
	if l.CommunityRules, err = s.langURIs("SchemeTypeCommunityRules"); err != nil {
		return err
	}
	if l.Territory, err = s.territory("SchemeTerritory"); err != nil {
		return err
	}
	if err := s.policies("PolicyOrLegalNotice"); err != nil {
		return err
	}
	if hp, ok, err := s.integer("HistoricalInformationPeriod"); err != nil {
		return err
	} else if ok {
		if hp < 0 || hp > 1<<31-1 {
			return errorf(CodeMalformed, nil, "HistoricalInformationPeriod %d out of range", hp)
		}
		l.HistoricalInformationPeriod = int(hp)
	}
	if l.IssueDate, err = s.dateTime("ListIssueDateTime"); err != nil {
		return err
	}
	if l.NextUpdate, err = s.dateTime("NextUpdate"); err != nil {
		return err
	}
	dps, err := s.array("DistributionPoints", false)
	if err != nil {
		return err
	}
	for i, raw := range dps {
		u, err := uriValue(raw, fmt.Sprintf("%s.DistributionPoints[%d]", s.path, i))
		if err != nil {
			return err
		}
		l.DistributionPoints = append(l.DistributionPoints, u)
	}
	ptrs, err := s.array("PointersToOtherLoTE", false)
	if err != nil {
		return err
	}
	for i, raw := range ptrs {
		ps, err := lotePointer(raw, fmt.Sprintf("%s.PointersToOtherLoTE[%d]", s.path, i))
		if err != nil {
			return err
		}
		l.Pointers = append(l.Pointers, ps...)
	}
	if _, err := s.array("SchemeExtensions", false); err != nil {
		return err
	}
	return nil
}

func lotePointer(raw json.RawMessage, path string) ([]Pointer, error) {
	o, err := jobject(raw, path, []string{"LoTELocation", "ServiceDigitalIdentities", "LoTEQualifiers"},
		"LoTELocation", "ServiceDigitalIdentities", "LoTEQualifiers")
	if err != nil {
		return nil, err
	}
	loc, err := o.uri("LoTELocation")
	if err != nil {
		return nil, err
	}
	sdis, err := o.array("ServiceDigitalIdentities", true)
	if err != nil {
		return nil, err
	}
	var id DigitalIdentity
	for i, r := range sdis {
		one, err := loteIdentity(r, fmt.Sprintf("%s.ServiceDigitalIdentities[%d]", path, i))
		if err != nil {
			return nil, err
		}
		id.Certificates = append(id.Certificates, one.Certificates...)
		id.UnparsedCertificates = append(id.UnparsedCertificates, one.UnparsedCertificates...)
	}
	quals, err := o.array("LoTEQualifiers", true)
	if err != nil {
		return nil, err
	}
	var out []Pointer
	for i, r := range quals {
		q, err := jobject(r, fmt.Sprintf("%s.LoTEQualifiers[%d]", path, i),
			[]string{"LoTEType", "SchemeOperatorName", "SchemeTypeCommunityRules", "SchemeTerritory", "MimeType"},
			"LoTEType", "SchemeOperatorName", "MimeType")
		if err != nil {
			return nil, err
		}
		p := Pointer{Location: loc, Signers: slices.Clone(id.Certificates), UnparsedSigners: slices.Clone(id.UnparsedCertificates)}
		if p.Type, err = q.uri("LoTEType"); err != nil {
			return nil, err
		}
		if p.OperatorNames, err = q.langStrings("SchemeOperatorName"); err != nil {
			return nil, err
		}
		if _, err = q.langURIs("SchemeTypeCommunityRules"); err != nil {
			return nil, err
		}
		if p.Territory, err = q.territory("SchemeTerritory"); err != nil {
			return nil, err
		}
		if p.MimeType, _, err = q.str("MimeType"); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func loteEntity(raw json.RawMessage, path string) (Provider, error) {
	var p Provider
	e, err := jobject(raw, path, []string{"TrustedEntityInformation", "TrustedEntityServices"},
		"TrustedEntityInformation", "TrustedEntityServices")
	if err != nil {
		return p, err
	}
	info, err := e.object("TrustedEntityInformation", true,
		[]string{"TEName", "TETradeName", "TEAddress", "TEInformationURI", "TEInformationExtensions"},
		"TEName", "TEAddress", "TEInformationURI")
	if err != nil {
		return p, err
	}
	if p.Names, err = info.langStrings("TEName"); err != nil {
		return p, err
	}
	if p.TradeNames, err = info.langStrings("TETradeName"); err != nil {
		return p, err
	}
	if err := info.address("TEAddress", "TEPostalAddress", "TEElectronicAddress"); err != nil {
		return p, err
	}
	if p.InformationURIs, err = info.langURIs("TEInformationURI"); err != nil {
		return p, err
	}
	if _, err := info.array("TEInformationExtensions", false); err != nil {
		return p, err
	}
	svcs, err := e.array("TrustedEntityServices", true)
	if err != nil {
		return p, err
	}
	for i, r := range svcs {
		s, err := loteService(r, fmt.Sprintf("%s.TrustedEntityServices[%d]", path, i))
		if err != nil {
			return p, err
		}
		p.Services = append(p.Services, s)
	}
	return p, nil
}

var serviceInfoMembers = []string{
	"ServiceName", "ServiceDigitalIdentity", "ServiceTypeIdentifier", "ServiceStatus",
	"StatusStartingTime", "SchemeServiceDefinitionURI", "ServiceSupplyPoints",
	"ServiceDefinitionURI", "ServiceInformationExtensions",
}

var historyMembers = []string{
	"ServiceName", "ServiceDigitalIdentity", "ServiceStatus", "StatusStartingTime",
	"ServiceTypeIdentifier", "ServiceInformationExtensions",
}

func loteService(raw json.RawMessage, path string) (Service, error) {
	var svc Service
	o, err := jobject(raw, path, []string{"ServiceInformation", "ServiceHistory"}, "ServiceInformation")
	if err != nil {
		return svc, err
	}
	si, err := o.object("ServiceInformation", true, serviceInfoMembers, "ServiceName", "ServiceDigitalIdentity")
	if err != nil {
		return svc, err
	}
	if svc.ServiceState, err = loteState(si); err != nil {
		return svc, err
	}
	for _, name := range []string{"SchemeServiceDefinitionURI", "ServiceDefinitionURI"} {
		if _, err := si.langURIs(name); err != nil {
			return svc, err
		}
	}
	sps, err := si.array("ServiceSupplyPoints", false)
	if err != nil {
		return svc, err
	}
	for i, r := range sps {
		sp, err := jobject(r, fmt.Sprintf("%s.ServiceSupplyPoints[%d]", si.path, i), []string{"ServiceType", "uriValue"}, "uriValue")
		if err != nil {
			return svc, err
		}
		if _, err := sp.uri("ServiceType"); err != nil {
			return svc, err
		}
		u, err := sp.uri("uriValue")
		if err != nil {
			return svc, err
		}
		svc.SupplyPoints = append(svc.SupplyPoints, u)
	}
	hist, err := o.array("ServiceHistory", false)
	if err != nil {
		return svc, err
	}
	for i, r := range hist {
		h, err := jobject(r, fmt.Sprintf("%s.ServiceHistory[%d]", path, i), historyMembers,
			"ServiceName", "ServiceDigitalIdentity", "ServiceStatus", "StatusStartingTime")
		if err != nil {
			return svc, err
		}
		st, err := loteState(h)
		if err != nil {
			return svc, err
		}
		svc.History = append(svc.History, st)
	}
	return svc, nil
}

// loteState reads the members ServiceInformation and ServiceHistoryInstance share.
// Required members were checked by the caller's jobject.
func loteState(o jobj) (ServiceState, error) {
	var st ServiceState
	var err error
	if st.Names, err = o.langStrings("ServiceName"); err != nil {
		return st, err
	}
	if st.Type, err = o.uri("ServiceTypeIdentifier"); err != nil {
		return st, err
	}
	if st.Status, err = o.uri("ServiceStatus"); err != nil {
		return st, err
	}
	if _, ok := o.m["StatusStartingTime"]; ok {
		if st.StatusStart, err = o.dateTime("StatusStartingTime"); err != nil {
			return st, err
		}
	}
	if st.Identity, err = loteIdentity(o.m["ServiceDigitalIdentity"], o.path+".ServiceDigitalIdentity"); err != nil {
		return st, err
	}
	exts, err := o.array("ServiceInformationExtensions", false)
	if err != nil {
		return st, err
	}
	for i, r := range exts {
		ext, err := loteExtension(r, fmt.Sprintf("%s.ServiceInformationExtensions[%d]", o.path, i))
		if err != nil {
			return st, err
		}
		st.Extensions.Other = append(st.Extensions.Other, ext)
	}
	return st, nil
}

// loteExtension records one ServiceInformationExtensions entry as an OtherExtension. The JSON
// schema leaves extension entries open; hashi requires an object, names the extension by its
// member names other than "Critical" (sorted, comma-separated), and takes Critical from a
// boolean "Critical" member (absent: false). A non-object entry is malformed.
func loteExtension(raw json.RawMessage, path string) (OtherExtension, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return OtherExtension{}, errorf(CodeMalformed, err, "%s is not an object", path)
	}
	ext := OtherExtension{}
	var names []string
	for k, v := range m {
		if k == "Critical" {
			switch string(v) {
			case "true":
				ext.Critical = true
			case "false":
			default:
				return ext, errorf(CodeMalformed, nil, "%s.Critical is not a boolean", path)
			}
			continue
		}
		names = append(names, k)
	}
	slices.Sort(names)
	ext.Name = strings.Join(names, ",")
	return ext, nil
}

var identityMembers = []string{"X509Certificates", "X509SubjectNames", "PublicKeyValues", "X509SKIs", "OtherIds"}

func loteIdentity(raw json.RawMessage, path string) (DigitalIdentity, error) {
	var id DigitalIdentity
	o, err := jobject(raw, path, identityMembers)
	if err != nil {
		return id, err
	}
	certs, err := o.array("X509Certificates", false)
	if err != nil {
		return id, err
	}
	for i, r := range certs {
		p := fmt.Sprintf("%s.X509Certificates[%d]", path, i)
		c, err := jobject(r, p, []string{"encoding", "specRef", "val"}, "val")
		if err != nil {
			return id, err
		}
		if _, err := c.uri("encoding"); err != nil {
			return id, err
		}
		if _, _, err := c.str("specRef"); err != nil {
			return id, err
		}
		val, _, err := c.str("val")
		if err != nil {
			return id, err
		}
		der, err := base64.StdEncoding.Strict().DecodeString(val)
		if err != nil || len(der) == 0 {
			return id, errorf(CodeMalformed, err, "%s.val is not base64", p)
		}
		if cert, err := x509.ParseCertificate(der); err == nil {
			id.Certificates = append(id.Certificates, cert)
		} else {
			id.UnparsedCertificates = append(id.UnparsedCertificates, der)
		}
	}
	if id.SubjectNames, err = o.strings("X509SubjectNames"); err != nil {
		return id, err
	}
	skis, err := o.strings("X509SKIs")
	if err != nil {
		return id, err
	}
	for i, s := range skis {
		ski, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil || len(ski) == 0 {
			return id, errorf(CodeMalformed, err, "%s.X509SKIs[%d] is not base64", path, i)
		}
		id.SKIs = append(id.SKIs, ski)
	}
	keys, err := o.array("PublicKeyValues", false)
	if err != nil {
		return id, err
	}
	for i, r := range keys {
		var jwk struct {
			Kty *string `json:"kty"`
		}
		if err := json.Unmarshal(r, &jwk); err != nil || jwk.Kty == nil || !slices.Contains([]string{"EC", "RSA", "oct"}, *jwk.Kty) {
			return id, errorf(CodeMalformed, err, "%s.PublicKeyValues[%d] is not a JWK with kty EC, RSA or oct", path, i)
		}
		if pub, err := jose.ParsePublicJWK(r); err == nil {
			id.PublicKeys = append(id.PublicKeys, pub)
		} else {
			id.UnparsedPublicKeys = append(id.UnparsedPublicKeys, slices.Clone([]byte(r)))
		}
	}
	if id.OtherIDs, err = o.strings("OtherIds"); err != nil {
		return id, err
	}
	return id, nil
}

// jobj is one JSON object of a LoTE, its members by exact name, and its path for messages.
type jobj struct {
	m    map[string]json.RawMessage
	path string
}

// jobject decodes raw as an object whose member names are all in allowed (exact,
// case-sensitive; nil allows any) and which has every required member.
func jobject(raw json.RawMessage, path string, allowed []string, required ...string) (jobj, error) {
	o := jobj{path: path}
	if len(raw) == 0 || raw[0] != '{' {
		return o, errorf(CodeMalformed, nil, "%s is not an object", path)
	}
	if err := json.Unmarshal(raw, &o.m); err != nil {
		return o, errorf(CodeMalformed, err, "%s is not an object", path)
	}
	if allowed != nil {
		for k := range o.m {
			if !slices.Contains(allowed, k) {
				return o, errorf(CodeMalformed, nil, "%s has unknown member %q", path, k)
			}
		}
	}
	for _, r := range required {
		if _, ok := o.m[r]; !ok {
			return o, errorf(CodeMalformed, nil, "%s lacks required member %q", path, r)
		}
	}
	return o, nil
}

func (o jobj) object(name string, required bool, allowed []string, req ...string) (jobj, error) {
	raw, ok := o.m[name]
	if !ok {
		if required {
			return jobj{}, errorf(CodeMalformed, nil, "%s lacks required member %q", o.path, name)
		}
		return jobj{}, nil
	}
	return jobject(raw, o.path+"."+name, allowed, req...)
}

// array returns the elements of the array member name; a present array must not be empty
// (the schema's minItems 1) nor null.
func (o jobj) array(name string, required bool) ([]json.RawMessage, error) {
	raw, ok := o.m[name]
	if !ok {
		if required {
			return nil, errorf(CodeMalformed, nil, "%s lacks required member %q", o.path, name)
		}
		return nil, nil
	}
	var a []json.RawMessage
	if len(raw) == 0 || raw[0] != '[' {
		return nil, errorf(CodeMalformed, nil, "%s.%s is not an array", o.path, name)
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, errorf(CodeMalformed, err, "%s.%s is not an array", o.path, name)
	}
	if len(a) == 0 {
		return nil, errorf(CodeMalformed, nil, "%s.%s is empty", o.path, name)
	}
	return a, nil
}

// str returns the string member name and whether it was present.
func (o jobj) str(name string) (string, bool, error) {
	raw, ok := o.m[name]
	if !ok {
		return "", false, nil
	}
	s, err := jstring(raw, o.path+"."+name)
	return s, true, err
}

func jstring(raw json.RawMessage, path string) (string, error) {
	var s string
	if len(raw) == 0 || raw[0] != '"' {
		return "", errorf(CodeMalformed, nil, "%s is not a string", path)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errorf(CodeMalformed, err, "%s is not a string", path)
	}
	return s, nil
}

// strings returns the elements of a non-empty array of strings, if present.
func (o jobj) strings(name string) ([]string, error) {
	a, err := o.array(name, false)
	if err != nil {
		return nil, err
	}
	var out []string
	for i, r := range a {
		s, err := jstring(r, fmt.Sprintf("%s.%s[%d]", o.path, name, i))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// integer returns the integer member name and whether it was present. Only plain JSON
// integers are accepted (no fraction, no exponent).
func (o jobj) integer(name string) (int64, bool, error) {
	raw, ok := o.m[name]
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return 0, true, errorf(CodeMalformed, err, "%s.%s is not an integer", o.path, name)
	}
	return n, true, nil
}

// uri returns the member name, which must be an absolute URI if present ("" if absent).
func (o jobj) uri(name string) (string, error) {
	raw, ok := o.m[name]
	if !ok {
		return "", nil
	}
	return uriValue(raw, o.path+"."+name)
}

func uriValue(raw json.RawMessage, path string) (string, error) {
	s, err := jstring(raw, path)
	if err != nil {
		return "", err
	}
	if err := checkURI(s); err != nil {
		return "", errorf(CodeMalformed, err, "%s is not an absolute URI", path)
	}
	return s, nil
}

// checkURI requires an absolute URI (RFC 3986 with a scheme) without spaces or controls.
func checkURI(s string) error {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return errors.New("empty or contains spaces or control characters")
	}
	u, err := url.Parse(s)
	if err != nil {
		return err
	}
	if u.Scheme == "" {
		return errors.New("no scheme")
	}
	return nil
}

func (o jobj) dateTime(name string) (time.Time, error) {
	s, ok, err := o.str(name)
	if err != nil || !ok {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, errorf(CodeMalformed, err, "%s.%s is not an RFC 3339 date-time", o.path, name)
	}
	return t.UTC(), nil
}

func (o jobj) territory(name string) (string, error) {
	s, ok, err := o.str(name)
	if err != nil || !ok {
		return "", err
	}
	if !IsTerritoryCode(s) {
		return "", errorf(CodeMalformed, nil, "%s.%s %q is not two upper-case letters", o.path, name, s)
	}
	return s, nil
}

// langStrings reads an array of multiLangString {lang, value}.
func (o jobj) langStrings(name string) ([]LangString, error) {
	return o.langs(name, "value", false)
}

// langURIs reads an array of NonEmptyMultiLangURI {lang, uriValue}.
func (o jobj) langURIs(name string) ([]LangString, error) {
	return o.langs(name, "uriValue", true)
}

func (o jobj) langs(name, member string, isURI bool) ([]LangString, error) {
	a, err := o.array(name, false)
	if err != nil {
		return nil, err
	}
	var out []LangString
	for i, r := range a {
		ls, err := langItem(r, fmt.Sprintf("%s.%s[%d]", o.path, name, i), member, isURI)
		if err != nil {
			return nil, err
		}
		out = append(out, ls)
	}
	return out, nil
}

func langItem(raw json.RawMessage, path, member string, isURI bool) (LangString, error) {
	e, err := jobject(raw, path, []string{"lang", member}, "lang", member)
	if err != nil {
		return LangString{}, err
	}
	lang, _, err := e.str("lang")
	if err != nil {
		return LangString{}, err
	}
	var v string
	if isURI {
		v, err = e.uri(member)
	} else {
		v, _, err = e.str(member)
	}
	return LangString{Lang: lang, Value: v}, err
}

// address checks a SchemeOperatorAddress / TEAddress object: postal addresses and electronic
// addresses (URIs), both required when the address is present. Addresses are not mapped.
func (o jobj) address(name, postal, electronic string) error {
	a, err := o.object(name, false, []string{postal, electronic}, postal, electronic)
	if err != nil || a.m == nil {
		return err
	}
	pas, err := a.array(postal, true)
	if err != nil {
		return err
	}
	for i, r := range pas {
		p, err := jobject(r, fmt.Sprintf("%s.%s[%d]", a.path, postal, i),
			[]string{"lang", "StreetAddress", "Locality", "StateOrProvince", "PostalCode", "Country"},
			"lang", "StreetAddress", "Country")
		if err != nil {
			return err
		}
		for k := range p.m {
			if _, _, err := p.str(k); err != nil {
				return err
			}
		}
	}
	_, err = a.langURIs(electronic)
	return err
}

// policies checks PolicyOrLegalNotice: all entries LoTEPolicy (a multilingual URI) or all
// LoTELegalNotice (a string).
func (o jobj) policies(name string) error {
	a, err := o.array(name, false)
	if err != nil {
		return err
	}
	kind := ""
	for i, r := range a {
		p := fmt.Sprintf("%s.%s[%d]", o.path, name, i)
		e, err := jobject(r, p, nil)
		if err != nil {
			return err
		}
		k := ""
		switch raw, pol := e.m["LoTEPolicy"]; {
		case pol:
			k = "LoTEPolicy"
			if _, err := langItem(raw, p+".LoTEPolicy", "uriValue", true); err != nil {
				return err
			}
		default:
			k = "LoTELegalNotice"
			if _, ok, err := e.str(k); err != nil {
				return err
			} else if !ok {
				return errorf(CodeMalformed, nil, "%s has neither LoTEPolicy nor LoTELegalNotice", p)
			}
		}
		if kind != "" && k != kind {
			return errorf(CodeMalformed, nil, "%s mixes LoTEPolicy and LoTELegalNotice entries", o.path+"."+name)
		}
		kind = k
	}
	return nil
}
