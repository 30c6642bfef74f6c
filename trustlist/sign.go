package trustlist

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"strconv"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"

	"github.com/hashi-vc/hashi/internal/jose"
)

// ListSigner signs lists: the scheme operator's key, its certificate (the one verifiers pin or
// a LOTL pointer announces) and the signing time.
type ListSigner struct {
	Key         crypto.Signer
	Certificate *x509.Certificate
	// Time is the signing time (XAdES SigningTime, JAdES sigT); the certificate must be valid
	// then.
	Time time.Time
}

// String names the signer certificate and keeps the key out of logs.
func (s ListSigner) String() string {
	if s.Certificate == nil {
		return "trustlist.ListSigner{key=[redacted]}"
	}
	return "trustlist.ListSigner{" + s.Certificate.Subject.String() + " key=[redacted]}"
}

func (s ListSigner) check() error {
	switch {
	case s.Key == nil || s.Certificate == nil:
		return errorf(CodeInvalidArgument, nil, "signer key and certificate are required")
	case s.Time.IsZero():
		return errorf(CodeInvalidArgument, nil, "signing time is required")
	case s.Time.Before(s.Certificate.NotBefore) || s.Time.After(s.Certificate.NotAfter):
		return errorf(CodeInvalidArgument, nil, "signer certificate is not valid at %s", s.Time.UTC().Format(time.RFC3339))
	}
	if !publicKeyEqual(s.Key.Public(), s.Certificate.PublicKey) {
		return errorf(CodeInvalidArgument, nil, "signer key does not match the certificate")
	}
	return nil
}

func publicKeyEqual(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// xmlMethod picks the SignatureMethod for the signer's key: ECDSA P-256 / P-384 with SHA-256 /
// SHA-384, RSA (2048 bits or more) PKCS #1 v1.5 with SHA-256.
func xmlMethod(pub crypto.PublicKey) (string, crypto.Hash, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", crypto.SHA256, nil
		case elliptic.P384():
			return "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", crypto.SHA384, nil
		}
	case *rsa.PublicKey:
		if k.N.BitLen() >= minRSAKeyBits {
			return "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", crypto.SHA256, nil
		}
	}
	return "", 0, errorf(CodeUnsupportedAlgorithm, nil, "signer key %T: want ECDSA P-256/P-384 or RSA >= %d bits", pub, minRSAKeyBits)
}

const (
	algSHA256    = "http://www.w3.org/2001/04/xmlenc#sha256"
	tslTag       = "http://uri.etsi.org/19612/TSLTag"
	xmlTimeFmt   = "2006-01-02T15:04:05Z"
	refListID    = "ref-list"
	signedPrefix = "xades-"
)

// SignXML builds the ETSI TS 119 612 XML list that d describes and signs it with an enveloped
// XAdES baseline-B signature in the profile of EU trusted lists (TS 119 612 clause 5.7, §1.8 of
// docs/trust.md): exclusive C14N, a reference URI="" with the enveloped-signature transform
// and SHA-256, a reference to the SignedProperties, SigningTime, SigningCertificate (version
// 5 lists) or SigningCertificateV2 (version 6 lists) naming the signer certificate, a
// DataObjectFormat, and the certificate in KeyInfo. Before returning it verifies the output
// with VerifyXML against the signer certificate, so it never hands out a list hashi itself
// would reject.
func SignXML(d *Description, s ListSigner) ([]byte, error) {
	l, err := d.model(FormatXML)
	if err != nil {
		return nil, err
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	method, hash, err := xmlMethod(s.Certificate.PublicKey)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	doc.CreateProcInst("xml", `version="1.0" encoding="UTF-8"`)
	root := buildXML(doc, d, l)

	rootC14N, err := excC14N(root.Copy())
	if err != nil {
		return nil, err
	}
	rootDigest := sha256.Sum256(rootC14N)
	id := hex.EncodeToString(rootDigest[:6])
	sigID, spID := "sig-"+id, signedPrefix+id

	sig := root.CreateElement("ds:Signature")
	sig.CreateAttr("xmlns:ds", nsDS)
	sig.CreateAttr("Id", sigID)
	si := sig.CreateElement("ds:SignedInfo")
	si.CreateElement("ds:CanonicalizationMethod").CreateAttr("Algorithm", algExcC14N)
	si.CreateElement("ds:SignatureMethod").CreateAttr("Algorithm", method)
	r1 := si.CreateElement("ds:Reference")
	r1.CreateAttr("Id", refListID)
	r1.CreateAttr("URI", "")
	tr := r1.CreateElement("ds:Transforms")
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", algEnveloped)
	tr.CreateElement("ds:Transform").CreateAttr("Algorithm", algExcC14N)
	r1.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA256)
	r1.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(rootDigest[:]))
	r2 := si.CreateElement("ds:Reference")
	r2.CreateAttr("Type", typeSignedProps)
	r2.CreateAttr("URI", "#"+spID)
	r2.CreateElement("ds:Transforms").CreateElement("ds:Transform").CreateAttr("Algorithm", algExcC14N)
	r2.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA256)
	spDigest := r2.CreateElement("ds:DigestValue")
	sigValue := sig.CreateElement("ds:SignatureValue")
	sigValue.CreateAttr("Id", sigID+"-value")
	sig.CreateElement("ds:KeyInfo").CreateElement("ds:X509Data").CreateElement("ds:X509Certificate").
		SetText(base64.StdEncoding.EncodeToString(s.Certificate.Raw))

	qp := sig.CreateElement("ds:Object").CreateElement("xades:QualifyingProperties")
	qp.CreateAttr("xmlns:xades", nsXAdES)
	qp.CreateAttr("Target", "#"+sigID)
	sp := qp.CreateElement("xades:SignedProperties")
	sp.CreateAttr("Id", spID)
	ssp := sp.CreateElement("xades:SignedSignatureProperties")
	ssp.CreateElement("xades:SigningTime").SetText(s.Time.UTC().Format(xmlTimeFmt))
	certDigest := sha256.Sum256(s.Certificate.Raw)
	var cert *etree.Element
	if l.Version >= 6 {
		cert = ssp.CreateElement("xades:SigningCertificateV2").CreateElement("xades:Cert")
	} else {
		cert = ssp.CreateElement("xades:SigningCertificate").CreateElement("xades:Cert")
	}
	cd := cert.CreateElement("xades:CertDigest")
	cd.CreateElement("ds:DigestMethod").CreateAttr("Algorithm", algSHA256)
	cd.CreateElement("ds:DigestValue").SetText(base64.StdEncoding.EncodeToString(certDigest[:]))
	if l.Version < 6 {
		is := cert.CreateElement("xades:IssuerSerial")
		is.CreateElement("ds:X509IssuerName").SetText(s.Certificate.Issuer.String())
		is.CreateElement("ds:X509SerialNumber").SetText(s.Certificate.SerialNumber.String())
	}
	dof := sp.CreateElement("xades:SignedDataObjectProperties").CreateElement("xades:DataObjectFormat")
	dof.CreateAttr("ObjectReference", "#"+refListID)
	dof.CreateElement("xades:MimeType").SetText("text/xml")

	spC14N, err := excC14N(sp)
	if err != nil {
		return nil, err
	}
	spSum := sha256.Sum256(spC14N)
	spDigest.SetText(base64.StdEncoding.EncodeToString(spSum[:]))
	siC14N, err := excC14N(si)
	if err != nil {
		return nil, err
	}
	raw, err := signDigest(s.Key, hash, siC14N)
	if err != nil {
		return nil, err
	}
	sigValue.SetText(base64.StdEncoding.EncodeToString(raw))

	doc.Indent(etree.NoIndent)
	out, err := doc.WriteToBytes()
	if err != nil {
		return nil, errorf(CodeMalformed, err, "serialize")
	}
	if _, err := VerifyXML(out, VerifyOptions{Signers: []*x509.Certificate{s.Certificate}, At: s.Time}); err != nil {
		return nil, prefixed(err, "self-check of the signed list")
	}
	return out, nil
}

// signDigest signs the hash of data; ECDSA signatures are returned as r||s (XMLDSig, RFC 4051
// §3.4.1), each integer left-padded to the curve size.
func signDigest(key crypto.Signer, hash crypto.Hash, data []byte) ([]byte, error) {
	h := hash.New()
	h.Write(data)
	raw, err := key.Sign(rand.Reader, h.Sum(nil), hash)
	if err != nil {
		return nil, errorf(CodeSignatureInvalid, err, "sign")
	}
	pub, ok := key.Public().(*ecdsa.PublicKey)
	if !ok {
		return raw, nil
	}
	var r, sv big.Int
	in := cryptobyte.String(raw)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Integer(&r) || !seq.ReadASN1Integer(&sv) || !seq.Empty() {
		return nil, errorf(CodeSignatureInvalid, nil, "ECDSA signer returned a malformed signature")
	}
	n := (pub.Curve.Params().BitSize + 7) / 8
	return append(r.FillBytes(make([]byte, n)), sv.FillBytes(make([]byte, n))...), nil
}

// excC14N canonicalizes el (exclusive C14N without comments) with the namespaces its
// ancestors declare in scope.
func excC14N(el *etree.Element) ([]byte, error) {
	det := el
	if el.Parent() != nil {
		ctx, err := etreeutils.NSBuildParentContext(el)
		if err != nil {
			return nil, errorf(CodeMalformed, err, "namespace context")
		}
		if det, err = etreeutils.NSDetatch(ctx, el); err != nil {
			return nil, errorf(CodeMalformed, err, "namespace context")
		}
	}
	out, err := dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("").Canonicalize(det)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "canonicalization")
	}
	return out, nil
}

// buildXML writes the TrustServiceStatusList of d (checked as l) under doc, in the element
// order of the TS 119 612 schema.
func buildXML(doc *etree.Document, d *Description, l *List) *etree.Element {
	root := doc.CreateElement("TrustServiceStatusList")
	root.CreateAttr("xmlns", nsTSL)
	root.CreateAttr("xmlns:tslx", nsTSLX)
	root.CreateAttr("TSLTag", tslTag)
	si := root.CreateElement("SchemeInformation")
	si.CreateElement("TSLVersionIdentifier").SetText(strconv.Itoa(l.Version))
	si.CreateElement("TSLSequenceNumber").SetText(strconv.FormatUint(l.SequenceNumber, 10))
	si.CreateElement("TSLType").SetText(l.Type)
	xmlNames(si, "SchemeOperatorName", "Name", l.OperatorNames)
	xmlAddress(si.CreateElement("SchemeOperatorAddress"), d.Operator.Address)
	xmlNames(si, "SchemeName", "Name", l.SchemeNames)
	infoURIs := l.InformationURIs
	if len(infoURIs) == 0 {
		infoURIs = []LangString{{Lang: "en", Value: d.Operator.Address.URI}}
	}
	xmlNames(si, "SchemeInformationURI", "URI", infoURIs)
	si.CreateElement("StatusDeterminationApproach").SetText(l.StatusDeterminationApproach)
	if len(l.CommunityRules) > 0 {
		xmlNames(si, "SchemeTypeCommunityRules", "URI", l.CommunityRules)
	}
	si.CreateElement("SchemeTerritory").SetText(l.Territory)
	xmlNames(si, "PolicyOrLegalNotice", "TSLLegalNotice", legalNotice(d))
	si.CreateElement("HistoricalInformationPeriod").SetText(strconv.Itoa(l.HistoricalInformationPeriod))
	if len(l.Pointers) > 0 {
		ptrs := si.CreateElement("PointersToOtherTSL")
		for _, p := range l.Pointers {
			op := ptrs.CreateElement("OtherTSLPointer")
			sdis := op.CreateElement("ServiceDigitalIdentities")
			for _, c := range p.Signers {
				sdis.CreateElement("ServiceDigitalIdentity").CreateElement("DigitalId").
					CreateElement("X509Certificate").SetText(base64.StdEncoding.EncodeToString(c.Raw))
			}
			op.CreateElement("TSLLocation").SetText(p.Location)
			ai := op.CreateElement("AdditionalInformation")
			ai.CreateElement("OtherInformation").CreateElement("TSLType").SetText(p.Type)
			if len(p.OperatorNames) > 0 {
				xmlNames(ai.CreateElement("OtherInformation"), "SchemeOperatorName", "Name", p.OperatorNames)
			}
			ai.CreateElement("OtherInformation").CreateElement("SchemeTerritory").SetText(p.Territory)
			ai.CreateElement("OtherInformation").CreateElement("tslx:MimeType").SetText(p.MimeType)
		}
	}
	si.CreateElement("ListIssueDateTime").SetText(l.IssueDate.Format(xmlTimeFmt))
	si.CreateElement("NextUpdate").CreateElement("dateTime").SetText(l.NextUpdate.Format(xmlTimeFmt))
	if len(l.DistributionPoints) > 0 {
		dp := si.CreateElement("DistributionPoints")
		for _, u := range l.DistributionPoints {
			dp.CreateElement("URI").SetText(u)
		}
	}
	if len(l.Providers) == 0 {
		return root
	}
	tspl := root.CreateElement("TrustServiceProviderList")
	for i, p := range l.Providers {
		pd := d.Providers[i]
		tsp := tspl.CreateElement("TrustServiceProvider")
		info := tsp.CreateElement("TSPInformation")
		xmlNames(info, "TSPName", "Name", p.Names)
		if len(p.TradeNames) > 0 {
			xmlNames(info, "TSPTradeName", "Name", p.TradeNames)
		}
		xmlAddress(info.CreateElement("TSPAddress"), pd.Address)
		uris := p.InformationURIs
		if len(uris) == 0 {
			uris = []LangString{{Lang: "en", Value: pd.Address.URI}}
		}
		xmlNames(info, "TSPInformationURI", "URI", uris)
		svcs := tsp.CreateElement("TSPServices")
		for _, s := range p.Services {
			ts := svcs.CreateElement("TSPService")
			xmlState(ts.CreateElement("ServiceInformation"), s.ServiceState)
			if len(s.History) > 0 {
				hist := ts.CreateElement("ServiceHistory")
				for _, h := range s.History {
					xmlState(hist.CreateElement("ServiceHistoryInstance"), h)
				}
			}
		}
	}
	return root
}

func legalNotice(d *Description) []LangString {
	if n, _ := d.LegalNotice.list("legal_notice", false); len(n) > 0 {
		return n
	}
	return []LangString{{Lang: "en", Value: defaultLegalText}}
}

func xmlNames(parent *etree.Element, tag, item string, names []LangString) {
	e := parent.CreateElement(tag)
	for _, n := range names {
		c := e.CreateElement(item)
		c.CreateAttr("xml:lang", n.Lang)
		c.SetText(n.Value)
	}
}

func xmlAddress(e *etree.Element, a Address) {
	pa := e.CreateElement("PostalAddresses").CreateElement("PostalAddress")
	pa.CreateAttr("xml:lang", a.lang())
	pa.CreateElement("StreetAddress").SetText(a.Street)
	pa.CreateElement("Locality").SetText(a.Locality)
	if a.PostalCode != "" {
		pa.CreateElement("PostalCode").SetText(a.PostalCode)
	}
	pa.CreateElement("CountryName").SetText(a.Country)
	u := e.CreateElement("ElectronicAddress").CreateElement("URI")
	u.CreateAttr("xml:lang", "en")
	u.SetText(a.URI)
}

func xmlState(e *etree.Element, st ServiceState) {
	e.CreateElement("ServiceTypeIdentifier").SetText(st.Type)
	xmlNames(e, "ServiceName", "Name", st.Names)
	sdi := e.CreateElement("ServiceDigitalIdentity")
	for _, c := range st.Identity.Certificates {
		sdi.CreateElement("DigitalId").CreateElement("X509Certificate").SetText(base64.StdEncoding.EncodeToString(c.Raw))
	}
	e.CreateElement("ServiceStatus").SetText(st.Status)
	e.CreateElement("StatusStartingTime").SetText(st.StatusStart.Format(xmlTimeFmt))
	if asi := st.Extensions.AdditionalServiceInformation; len(asi) > 0 {
		exts := e.CreateElement("ServiceInformationExtensions")
		for _, u := range asi {
			uri := exts.CreateElement("Extension")
			uri.CreateAttr("Critical", "false")
			el := uri.CreateElement("AdditionalServiceInformation").CreateElement("URI")
			el.CreateAttr("xml:lang", "en")
			el.SetText(u)
		}
	}
}

// SignLoTE builds the ETSI TS 119 602 JSON LoTE that d describes and signs it as a compact JWS
// (ES256 for a P-256 key, ES384 for P-384; header "typ" "JWT", "x5c" with the signer
// certificate, JAdES "sigT" with the signing time), the distribution form of the EU–JP proof
// of concept. Services without a status are written without ServiceStatus. Pointers and
// AdditionalServiceInformation are refused (not representable). Before returning it verifies
// the output with VerifyLoTE against the signer certificate.
func SignLoTE(d *Description, s ListSigner) ([]byte, error) {
	l, err := d.model(FormatLoTE)
	if err != nil {
		return nil, err
	}
	if len(l.Pointers) > 0 {
		return nil, invalid("pointers", "not supported in a LoTE")
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(loteJSON(d, l))
	if err != nil {
		return nil, errorf(CodeMalformed, err, "encode LoTE")
	}
	signer, err := jose.NewSigner(s.Key, jose.SignHeader{
		Typ:   "JWT",
		X5C:   []*x509.Certificate{s.Certificate},
		Extra: map[string]any{"sigT": s.Time.UTC().Format(time.RFC3339)},
	})
	if err != nil {
		return nil, errorf(CodeUnsupportedAlgorithm, err, "LoTE signer")
	}
	if a := signer.Algorithm(); a != jose.ES256 && a != jose.ES384 {
		return nil, errorf(CodeUnsupportedAlgorithm, nil, "LoTE signer algorithm %s (want ES256 or ES384)", a)
	}
	compact, err := signer.Sign(payload)
	if err != nil {
		return nil, errorf(CodeSignatureInvalid, err, "sign LoTE")
	}
	out := []byte(compact)
	if _, err := VerifyLoTE(out, VerifyOptions{Signers: []*x509.Certificate{s.Certificate}, At: s.Time}); err != nil {
		return nil, prefixed(err, "self-check of the signed LoTE")
	}
	return out, nil
}

// The JSON binding of TS 119 602, members in schema order.
type (
	jLang struct {
		Lang  string `json:"lang"`
		Value string `json:"value"`
	}
	jLangURI struct {
		Lang     string `json:"lang"`
		URIValue string `json:"uriValue"`
	}
	jPostal struct {
		Lang          string `json:"lang"`
		StreetAddress string `json:"StreetAddress"`
		Locality      string `json:"Locality"`
		PostalCode    string `json:"PostalCode,omitempty"`
		Country       string `json:"Country"`
	}
	jSchemeAddress struct {
		Postal     []jPostal  `json:"SchemeOperatorPostalAddress"`
		Electronic []jLangURI `json:"SchemeOperatorElectronicAddress"`
	}
	jTEAddress struct {
		Postal     []jPostal  `json:"TEPostalAddress"`
		Electronic []jLangURI `json:"TEElectronicAddress"`
	}
	jLegal struct {
		Notice string `json:"LoTELegalNotice"`
	}
	jScheme struct {
		Version           int            `json:"LoTEVersionIdentifier"`
		Sequence          uint64         `json:"LoTESequenceNumber"`
		Type              string         `json:"LoTEType"`
		OperatorName      []jLang        `json:"SchemeOperatorName"`
		OperatorAddress   jSchemeAddress `json:"SchemeOperatorAddress"`
		SchemeName        []jLang        `json:"SchemeName"`
		InformationURI    []jLangURI     `json:"SchemeInformationURI,omitempty"`
		StatusDetn        string         `json:"StatusDeterminationApproach,omitempty"`
		CommunityRules    []jLangURI     `json:"SchemeTypeCommunityRules,omitempty"`
		Territory         string         `json:"SchemeTerritory"`
		PolicyOrLegal     []jLegal       `json:"PolicyOrLegalNotice"`
		HistoricalPeriod  int            `json:"HistoricalInformationPeriod"`
		IssueDate         string         `json:"ListIssueDateTime"`
		NextUpdate        string         `json:"NextUpdate"`
		DistributionPoint []string       `json:"DistributionPoints,omitempty"`
	}
	jCert struct {
		Val string `json:"val"`
	}
	jIdentity struct {
		Certs []jCert `json:"X509Certificates"`
	}
	jState struct {
		Name        []jLang   `json:"ServiceName"`
		Identity    jIdentity `json:"ServiceDigitalIdentity"`
		Type        string    `json:"ServiceTypeIdentifier"`
		Status      string    `json:"ServiceStatus,omitempty"`
		StatusStart string    `json:"StatusStartingTime,omitempty"`
	}
	jService struct {
		Info    jState   `json:"ServiceInformation"`
		History []jState `json:"ServiceHistory,omitempty"`
	}
	jEntityInfo struct {
		Name      []jLang    `json:"TEName"`
		TradeName []jLang    `json:"TETradeName,omitempty"`
		Address   jTEAddress `json:"TEAddress"`
		InfoURI   []jLangURI `json:"TEInformationURI"`
	}
	jEntity struct {
		Info     jEntityInfo `json:"TrustedEntityInformation"`
		Services []jService  `json:"TrustedEntityServices"`
	}
	jLoTE struct {
		LoTE struct {
			Scheme   jScheme   `json:"ListAndSchemeInformation"`
			Entities []jEntity `json:"TrustedEntitiesList,omitempty"`
		} `json:"LoTE"`
	}
)

func jLangs(in []LangString) []jLang {
	out := make([]jLang, 0, len(in))
	for _, n := range in {
		out = append(out, jLang(n))
	}
	return out
}

func jURIs(in []LangString) []jLangURI {
	out := make([]jLangURI, 0, len(in))
	for _, n := range in {
		out = append(out, jLangURI{Lang: n.Lang, URIValue: n.Value})
	}
	return out
}

func jPostals(a Address) []jPostal {
	return []jPostal{{Lang: a.lang(), StreetAddress: a.Street, Locality: a.Locality, PostalCode: a.PostalCode, Country: a.Country}}
}

func jStateOf(st ServiceState) jState {
	js := jState{Name: jLangs(st.Names), Type: st.Type, Status: st.Status}
	if st.Status != "" {
		js.StatusStart = st.StatusStart.Format(time.RFC3339)
	}
	for _, c := range st.Identity.Certificates {
		js.Identity.Certs = append(js.Identity.Certs, jCert{Val: base64.StdEncoding.EncodeToString(c.Raw)})
	}
	return js
}

func loteJSON(d *Description, l *List) jLoTE {
	var doc jLoTE
	sch := &doc.LoTE.Scheme
	sch.Version = l.Version
	sch.Sequence = l.SequenceNumber
	sch.Type = l.Type
	sch.OperatorName = jLangs(l.OperatorNames)
	sch.OperatorAddress = jSchemeAddress{
		Postal:     jPostals(d.Operator.Address),
		Electronic: []jLangURI{{Lang: "en", URIValue: d.Operator.Address.URI}},
	}
	sch.SchemeName = jLangs(l.SchemeNames)
	sch.InformationURI = jURIs(l.InformationURIs)
	sch.StatusDetn = l.StatusDeterminationApproach
	sch.CommunityRules = jURIs(l.CommunityRules)
	sch.Territory = l.Territory
	for _, n := range legalNotice(d) {
		sch.PolicyOrLegal = append(sch.PolicyOrLegal, jLegal{Notice: n.Value})
	}
	sch.HistoricalPeriod = l.HistoricalInformationPeriod
	sch.IssueDate = l.IssueDate.Format(time.RFC3339)
	sch.NextUpdate = l.NextUpdate.Format(time.RFC3339)
	sch.DistributionPoint = l.DistributionPoints
	for i, p := range l.Providers {
		pd := d.Providers[i]
		e := jEntity{Info: jEntityInfo{
			Name:      jLangs(p.Names),
			TradeName: jLangs(p.TradeNames),
			Address: jTEAddress{
				Postal:     jPostals(pd.Address),
				Electronic: []jLangURI{{Lang: "en", URIValue: pd.Address.URI}},
			},
			InfoURI: jURIs(p.InformationURIs),
		}}
		if len(e.Info.InfoURI) == 0 {
			e.Info.InfoURI = []jLangURI{{Lang: "en", URIValue: pd.Address.URI}}
		}
		if len(e.Info.TradeName) == 0 {
			e.Info.TradeName = nil
		}
		for _, s := range p.Services {
			js := jService{Info: jStateOf(s.ServiceState)}
			for _, h := range s.History {
				js.History = append(js.History, jStateOf(h))
			}
			e.Services = append(e.Services, js)
		}
		doc.LoTE.Entities = append(doc.LoTE.Entities, e)
	}
	return doc
}
