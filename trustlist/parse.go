package trustlist

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// XML namespaces (matched by URI, never by prefix).
const (
	nsTSL   = "http://uri.etsi.org/02231/v2#"
	nsTSLX  = "http://uri.etsi.org/02231/v2/additionaltypes#"
	nsECC   = "http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/#"
	nsMRA   = "http://ec.europa.eu/tools/lotl/mra/schema/v2#"
	nsDS    = "http://www.w3.org/2000/09/xmldsig#"
	nsXAdES = "http://uri.etsi.org/01903/v1.3.2#"
)

// ParseXML parses an ETSI TS 119 612 XML trust list (v5 or v6) WITHOUT verifying its
// signature: the result is unauthenticated and must not be trusted. It checks that the input
// is well-formed, namespace-correct XML within the limits of limits.go, carries no DTD, entity
// declaration or processing instruction (other than the XML declaration), has a
// TrustServiceStatusList root in the TS 119 612 namespace, and that required scheme fields
// (version, sequence number, issue date) parse. It does not check the XSD beyond that, the
// list's freshness, or any signature. Use VerifyXML for lists you act on.
func ParseXML(data []byte) (*List, error) {
	b, err := preflight(data)
	if err != nil {
		return nil, err
	}
	return decodeList(b)
}

// preflight enforces the size limit, strips a UTF-8 BOM and leading whitespace, and scans the
// token stream for forbidden constructs, depth and element counts. It returns the document
// bytes to parse.
func preflight(data []byte) ([]byte, error) {
	if len(data) > MaxXMLSize {
		return nil, errorf(CodeTooLarge, nil, "input is %d bytes, limit %d", len(data), MaxXMLSize)
	}
	b := bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		return nil, errorf(CodeMalformed, nil, "empty input")
	}
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	depth, elements, roots := 0, 0, 0
	first := true
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, errorf(CodeMalformed, err, "not well-formed XML")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return nil, errorf(CodeMalformed, nil, "more than one root element")
				}
			}
			depth++
			elements++
			if depth > MaxDepth {
				return nil, errorf(CodeTooLarge, nil, "element depth exceeds %d", MaxDepth)
			}
			if elements > MaxElements {
				return nil, errorf(CodeTooLarge, nil, "more than %d elements", MaxElements)
			}
			if len(t.Attr) > MaxAttributes {
				return nil, errorf(CodeTooLarge, nil, "element with more than %d attributes", MaxAttributes)
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return nil, errorf(CodeDTDNotAllowed, nil, "DOCTYPE or markup declaration not allowed")
		case xml.ProcInst:
			if !first || t.Target != "xml" {
				return nil, errorf(CodeDTDNotAllowed, nil, "processing instruction %q not allowed", t.Target)
			}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return nil, errorf(CodeMalformed, nil, "text outside the root element")
			}
		}
		first = false
	}
	if roots != 1 {
		return nil, errorf(CodeMalformed, nil, "no root element")
	}
	return b, nil
}

type xLang struct {
	Lang  string `xml:"lang,attr"`
	Value string `xml:",chardata"`
}

type xNames struct {
	Names []xLang `xml:"http://uri.etsi.org/02231/v2# Name"`
}

type xURIs struct {
	URIs []xLang `xml:"http://uri.etsi.org/02231/v2# URI"`
}

type xDigitalID struct {
	Cert        *string `xml:"http://uri.etsi.org/02231/v2# X509Certificate"`
	SubjectName *string `xml:"http://uri.etsi.org/02231/v2# X509SubjectName"`
	SKI         *string `xml:"http://uri.etsi.org/02231/v2# X509SKI"`
}

type xSDI struct {
	IDs []xDigitalID `xml:"http://uri.etsi.org/02231/v2# DigitalId"`
}

type xAny struct {
	XMLName xml.Name
}

type xOtherInfo struct {
	TSLType      *string `xml:"http://uri.etsi.org/02231/v2# TSLType"`
	Territory    *string `xml:"http://uri.etsi.org/02231/v2# SchemeTerritory"`
	MimeType     *string `xml:"http://uri.etsi.org/02231/v2/additionaltypes# MimeType"`
	OperatorName *xNames `xml:"http://uri.etsi.org/02231/v2# SchemeOperatorName"`
	Other        []xAny  `xml:",any"`
}

type xPointer struct {
	SDIs struct {
		SDI []xSDI `xml:"http://uri.etsi.org/02231/v2# ServiceDigitalIdentity"`
	} `xml:"http://uri.etsi.org/02231/v2# ServiceDigitalIdentities"`
	Location string `xml:"http://uri.etsi.org/02231/v2# TSLLocation"`
	AddInfo  struct {
		Other []xOtherInfo `xml:"http://uri.etsi.org/02231/v2# OtherInformation"`
	} `xml:"http://uri.etsi.org/02231/v2# AdditionalInformation"`
}

type xScheme struct {
	Version        *string `xml:"http://uri.etsi.org/02231/v2# TSLVersionIdentifier"`
	Sequence       *string `xml:"http://uri.etsi.org/02231/v2# TSLSequenceNumber"`
	Type           string  `xml:"http://uri.etsi.org/02231/v2# TSLType"`
	OperatorName   xNames  `xml:"http://uri.etsi.org/02231/v2# SchemeOperatorName"`
	SchemeName     xNames  `xml:"http://uri.etsi.org/02231/v2# SchemeName"`
	InfoURI        xURIs   `xml:"http://uri.etsi.org/02231/v2# SchemeInformationURI"`
	StatusDetn     string  `xml:"http://uri.etsi.org/02231/v2# StatusDeterminationApproach"`
	CommunityRules xURIs   `xml:"http://uri.etsi.org/02231/v2# SchemeTypeCommunityRules"`
	Territory      string  `xml:"http://uri.etsi.org/02231/v2# SchemeTerritory"`
	HistPeriod     string  `xml:"http://uri.etsi.org/02231/v2# HistoricalInformationPeriod"`
	Pointers       struct {
		P []xPointer `xml:"http://uri.etsi.org/02231/v2# OtherTSLPointer"`
	} `xml:"http://uri.etsi.org/02231/v2# PointersToOtherTSL"`
	IssueDate  *string `xml:"http://uri.etsi.org/02231/v2# ListIssueDateTime"`
	NextUpdate struct {
		DateTime *string `xml:"http://uri.etsi.org/02231/v2# dateTime"`
	} `xml:"http://uri.etsi.org/02231/v2# NextUpdate"`
	DistPoints struct {
		URIs []string `xml:"http://uri.etsi.org/02231/v2# URI"`
	} `xml:"http://uri.etsi.org/02231/v2# DistributionPoints"`
}

type xQualEl struct {
	Qualifiers struct {
		Q []struct {
			URI string `xml:"uri,attr"`
		} `xml:"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/# Qualifier"`
	} `xml:"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/# Qualifiers"`
	Criteria struct {
		Assert string `xml:"assert,attr"`
	} `xml:"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/# CriteriaList"`
}

type xExt struct {
	Critical string `xml:"Critical,attr"`
	ASI      *struct {
		URI xLang `xml:"http://uri.etsi.org/02231/v2# URI"`
	} `xml:"http://uri.etsi.org/02231/v2# AdditionalServiceInformation"`
	Quals *struct {
		Els []xQualEl `xml:"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/# QualificationElement"`
	} `xml:"http://uri.etsi.org/TrstSvc/SvcInfoExt/eSigDir-1999-93-EC-TrustedList/# Qualifications"`
	ECRI  *string `xml:"http://uri.etsi.org/02231/v2# ExpiredCertsRevocationInfo"`
	Other []xAny  `xml:",any"`
}

type xSvcInfo struct {
	Type         string  `xml:"http://uri.etsi.org/02231/v2# ServiceTypeIdentifier"`
	Name         xNames  `xml:"http://uri.etsi.org/02231/v2# ServiceName"`
	SDI          xSDI    `xml:"http://uri.etsi.org/02231/v2# ServiceDigitalIdentity"`
	Status       string  `xml:"http://uri.etsi.org/02231/v2# ServiceStatus"`
	Start        *string `xml:"http://uri.etsi.org/02231/v2# StatusStartingTime"`
	SupplyPoints struct {
		P []string `xml:"http://uri.etsi.org/02231/v2# ServiceSupplyPoint"`
	} `xml:"http://uri.etsi.org/02231/v2# ServiceSupplyPoints"`
	Exts struct {
		E []xExt `xml:"http://uri.etsi.org/02231/v2# Extension"`
	} `xml:"http://uri.etsi.org/02231/v2# ServiceInformationExtensions"`
}

type xService struct {
	Info    xSvcInfo `xml:"http://uri.etsi.org/02231/v2# ServiceInformation"`
	History struct {
		I []xSvcInfo `xml:"http://uri.etsi.org/02231/v2# ServiceHistoryInstance"`
	} `xml:"http://uri.etsi.org/02231/v2# ServiceHistory"`
}

type xTSP struct {
	Info struct {
		Name      xNames `xml:"http://uri.etsi.org/02231/v2# TSPName"`
		TradeName xNames `xml:"http://uri.etsi.org/02231/v2# TSPTradeName"`
		InfoURI   xURIs  `xml:"http://uri.etsi.org/02231/v2# TSPInformationURI"`
	} `xml:"http://uri.etsi.org/02231/v2# TSPInformation"`
	Services struct {
		S []xService `xml:"http://uri.etsi.org/02231/v2# TSPService"`
	} `xml:"http://uri.etsi.org/02231/v2# TSPServices"`
}

type xList struct {
	XMLName xml.Name `xml:"http://uri.etsi.org/02231/v2# TrustServiceStatusList"`
	Tag     string   `xml:"TSLTag,attr"`
	Scheme  *xScheme `xml:"http://uri.etsi.org/02231/v2# SchemeInformation"`
	TSPs    struct {
		P []xTSP `xml:"http://uri.etsi.org/02231/v2# TrustServiceProvider"`
	} `xml:"http://uri.etsi.org/02231/v2# TrustServiceProviderList"`
}

// decodeList maps already preflighted bytes onto the model.
func decodeList(b []byte) (*List, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var x xList
	if err := d.Decode(&x); err != nil {
		return nil, errorf(CodeMalformed, err, "not a TS 119 612 TrustServiceStatusList")
	}
	if x.Scheme == nil {
		return nil, errorf(CodeMalformed, nil, "missing SchemeInformation")
	}
	s := x.Scheme
	l := &List{
		Format:                      FormatXML,
		Tag:                         strings.TrimSpace(x.Tag),
		Type:                        strings.TrimSpace(s.Type),
		OperatorNames:               langs(s.OperatorName.Names),
		SchemeNames:                 langs(s.SchemeName.Names),
		InformationURIs:             langs(s.InfoURI.URIs),
		StatusDeterminationApproach: strings.TrimSpace(s.StatusDetn),
		CommunityRules:              langs(s.CommunityRules.URIs),
		Territory:                   strings.TrimSpace(s.Territory),
	}
	var err error
	if s.Version == nil {
		return nil, errorf(CodeMalformed, nil, "missing TSLVersionIdentifier")
	}
	if l.Version, err = strconv.Atoi(strings.TrimSpace(*s.Version)); err != nil || l.Version < 1 {
		return nil, errorf(CodeMalformed, err, "bad TSLVersionIdentifier")
	}
	if s.Sequence == nil {
		return nil, errorf(CodeMalformed, nil, "missing TSLSequenceNumber")
	}
	if l.SequenceNumber, err = strconv.ParseUint(strings.TrimSpace(*s.Sequence), 10, 64); err != nil || l.SequenceNumber == 0 {
		return nil, errorf(CodeMalformed, err, "bad TSLSequenceNumber")
	}
	if hp := strings.TrimSpace(s.HistPeriod); hp != "" {
		if l.HistoricalInformationPeriod, err = strconv.Atoi(hp); err != nil {
			return nil, errorf(CodeMalformed, err, "bad HistoricalInformationPeriod")
		}
	}
	if s.IssueDate == nil {
		return nil, errorf(CodeMalformed, nil, "missing ListIssueDateTime")
	}
	if l.IssueDate, err = parseTime(*s.IssueDate); err != nil {
		return nil, errorf(CodeMalformed, err, "bad ListIssueDateTime")
	}
	if s.NextUpdate.DateTime != nil {
		if l.NextUpdate, err = parseTime(*s.NextUpdate.DateTime); err != nil {
			return nil, errorf(CodeMalformed, err, "bad NextUpdate")
		}
	}
	for _, u := range s.DistPoints.URIs {
		l.DistributionPoints = append(l.DistributionPoints, strings.TrimSpace(u))
	}
	for i, xp := range s.Pointers.P {
		p, err := pointer(xp)
		if err != nil {
			return nil, errorf(CodeMalformed, err, "pointer %d", i+1)
		}
		l.Pointers = append(l.Pointers, p)
	}
	for i, xt := range x.TSPs.P {
		p := Provider{
			Names:           langs(xt.Info.Name.Names),
			TradeNames:      langs(xt.Info.TradeName.Names),
			InformationURIs: langs(xt.Info.InfoURI.URIs),
		}
		for j, xs := range xt.Services.S {
			svc, err := service(xs)
			if err != nil {
				return nil, errorf(CodeMalformed, err, "provider %d service %d", i+1, j+1)
			}
			p.Services = append(p.Services, svc)
		}
		l.Providers = append(l.Providers, p)
	}
	return l, nil
}

func langs(in []xLang) []LangString {
	var out []LangString
	for _, n := range in {
		out = append(out, LangString{Lang: strings.TrimSpace(n.Lang), Value: strings.TrimSpace(n.Value)})
	}
	return out
}

// parseTime parses an xsd:dateTime; a value without a zone is taken as UTC.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("2006-01-02T15:04:05.999999999", s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// decodeBase64 decodes standard base64 with any whitespace (including CR from &#xD;) removed.
func decodeBase64(s string) ([]byte, error) {
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
}

func pointer(xp xPointer) (Pointer, error) {
	p := Pointer{Location: strings.TrimSpace(xp.Location)}
	for _, sdi := range xp.SDIs.SDI {
		id, err := identity(sdi)
		if err != nil {
			return p, err
		}
		p.Signers = append(p.Signers, id.Certificates...)
		p.UnparsedSigners = append(p.UnparsedSigners, id.UnparsedCertificates...)
	}
	for _, oi := range xp.AddInfo.Other {
		switch {
		case oi.TSLType != nil:
			p.Type = strings.TrimSpace(*oi.TSLType)
		case oi.Territory != nil:
			p.Territory = strings.TrimSpace(*oi.Territory)
		case oi.MimeType != nil:
			p.MimeType = strings.TrimSpace(*oi.MimeType)
		case oi.OperatorName != nil:
			p.OperatorNames = langs(oi.OperatorName.Names)
		}
		for _, o := range oi.Other {
			if o.XMLName.Space == nsMRA {
				p.HasMRA = true
			}
		}
	}
	return p, nil
}

func identity(x xSDI) (DigitalIdentity, error) {
	var id DigitalIdentity
	for _, d := range x.IDs {
		switch {
		case d.Cert != nil:
			der, err := decodeBase64(*d.Cert)
			if err != nil || len(der) == 0 {
				return id, errors.Join(errors.New("bad X509Certificate base64"), err)
			}
			if c, err := x509.ParseCertificate(der); err == nil {
				id.Certificates = append(id.Certificates, c)
			} else {
				id.UnparsedCertificates = append(id.UnparsedCertificates, der)
			}
		case d.SubjectName != nil:
			id.SubjectNames = append(id.SubjectNames, strings.TrimSpace(*d.SubjectName))
		case d.SKI != nil:
			ski, err := decodeBase64(*d.SKI)
			if err != nil {
				return id, errors.Join(errors.New("bad X509SKI base64"), err)
			}
			id.SKIs = append(id.SKIs, ski)
		}
	}
	return id, nil
}

func state(x xSvcInfo) (ServiceState, error) {
	st := ServiceState{
		Type:   strings.TrimSpace(x.Type),
		Names:  langs(x.Name.Names),
		Status: strings.TrimSpace(x.Status),
	}
	if st.Type == "" || st.Status == "" || x.Start == nil {
		return st, errors.New("missing ServiceTypeIdentifier, ServiceStatus or StatusStartingTime")
	}
	var err error
	if st.StatusStart, err = parseTime(*x.Start); err != nil {
		return st, errors.Join(errors.New("bad StatusStartingTime"), err)
	}
	if st.Identity, err = identity(x.SDI); err != nil {
		return st, err
	}
	for _, e := range x.Exts.E {
		critical, err := strconv.ParseBool(strings.TrimSpace(e.Critical))
		if err != nil {
			return st, errors.Join(errors.New("bad Extension Critical attribute"), err)
		}
		if e.ASI != nil {
			st.Extensions.AdditionalServiceInformation = append(st.Extensions.AdditionalServiceInformation, strings.TrimSpace(e.ASI.URI.Value))
		}
		if e.Quals != nil {
			for _, qe := range e.Quals.Els {
				q := Qualification{Assert: qe.Criteria.Assert, Critical: critical}
				for _, u := range qe.Qualifiers.Q {
					q.Qualifiers = append(q.Qualifiers, strings.TrimSpace(u.URI))
				}
				st.Extensions.Qualifications = append(st.Extensions.Qualifications, q)
			}
		}
		if e.ECRI != nil {
			if st.Extensions.ExpiredCertsRevocationInfo, err = parseTime(*e.ECRI); err != nil {
				return st, errors.Join(errors.New("bad ExpiredCertsRevocationInfo"), err)
			}
		}
		for _, o := range e.Other {
			st.Extensions.Other = append(st.Extensions.Other, OtherExtension{Namespace: o.XMLName.Space, Name: o.XMLName.Local, Critical: critical})
		}
	}
	return st, nil
}

func service(x xService) (Service, error) {
	cur, err := state(x.Info)
	if err != nil {
		return Service{}, err
	}
	svc := Service{ServiceState: cur}
	for _, p := range x.Info.SupplyPoints.P {
		svc.SupplyPoints = append(svc.SupplyPoints, strings.TrimSpace(p))
	}
	for i, h := range x.History.I {
		hs, err := state(h)
		if err != nil {
			return Service{}, errors.Join(errors.New("history instance "+strconv.Itoa(i+1)), err)
		}
		svc.History = append(svc.History, hs)
	}
	return svc, nil
}
