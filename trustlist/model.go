package trustlist

import (
	"crypto"
	"crypto/x509"
	"slices"
	"sort"
	"time"
)

// Format names the wire format a List was read from.
type Format string

// The list formats of the model: ETSI TS 119 612 XML (ParseXML, VerifyXML) and ETSI TS 119 602
// JSON Lists of Trusted Entities (ParseLoTE, VerifyLoTE).
const (
	FormatXML  Format = "ts119612-xml"
	FormatLoTE Format = "ts119602-json"
)

// Well-known URIs (TS 119 612, as used in EU lists).
const (
	TSLTypeEUGeneric             = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric"
	TSLTypeEUListOfLists         = "http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUlistofthelists"
	MimeTypeTSLXML               = "application/vnd.etsi.tsl+xml"
	StatusGranted                = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
	StatusWithdrawn              = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn"
	ServiceTypeCAQC              = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
	ServiceTypeEAAQ              = "http://uri.etsi.org/TrstSvc/Svctype/EAA/Q"
	AdditionalInfoForeSeals      = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSeals"
	AdditionalInfoForeSignatures = "http://uri.etsi.org/TrstSvc/TrustedList/SvcInfoExt/ForeSignatures"
)

// LangString is a text in one language (xml:lang for TS 119 612, "lang" for TS 119 602).
type LangString struct {
	Lang  string
	Value string
}

// List is one trust list, in either format: the scheme information, the pointers to other
// lists (a list of lists), and the trust service providers. A List returned by ParseXML is
// unauthenticated; one returned by VerifyXML carries the verified Signature.
type List struct {
	Format Format
	// Tag is the TSLTag attribute (TS 119 612) of the root element; empty for a LoTE.
	Tag string
	// Version is TSLVersionIdentifier (5 for TS 119 612 v2.1.1 lists, 6 for v2.4.1) or
	// LoTEVersionIdentifier (1).
	Version int
	// SequenceNumber is TSLSequenceNumber.
	SequenceNumber uint64
	// Type is TSLType, e.g. TSLTypeEUGeneric or TSLTypeEUListOfLists, or LoTEType.
	Type string
	// OperatorNames are the SchemeOperatorName entries, one per language.
	OperatorNames []LangString
	// SchemeNames are the SchemeName entries.
	SchemeNames []LangString
	// InformationURIs are SchemeInformationURI entries (the EU LOTL lists its pivots here).
	InformationURIs []LangString
	// StatusDeterminationApproach is the scheme's status determination URI.
	StatusDeterminationApproach string
	// CommunityRules are the SchemeTypeCommunityRules URIs.
	CommunityRules []LangString
	// Territory is SchemeTerritory ("EU" for the LOTL, "EL" for Greece); may be empty.
	Territory string
	// HistoricalInformationPeriod is in days (65535 = unlimited).
	HistoricalInformationPeriod int
	// IssueDate is ListIssueDateTime.
	IssueDate time.Time
	// NextUpdate is NextUpdate/dateTime; the zero time means the list is closed.
	NextUpdate time.Time
	// DistributionPoints are the URIs the list is published at.
	DistributionPoints []string
	// Pointers are the PointersToOtherTSL entries (the LOTL's pointers to national lists).
	Pointers []Pointer
	// Providers are the trust service providers (TrustServiceProviderList).
	Providers []Provider
	// Signature describes the verified signature; nil when the list was only parsed.
	Signature *Signature
}

// Pointer is one pointer to another list (OtherTSLPointer) with the certificates it announces
// as allowed signers of that list.
type Pointer struct {
	// Location is TSLLocation.
	Location string
	// Territory, Type and MimeType come from AdditionalInformation.
	Territory string
	Type      string
	MimeType  string
	// OperatorNames is the pointed list's SchemeOperatorName from AdditionalInformation.
	OperatorNames []LangString
	// Signers are the announced signer certificates (ServiceDigitalIdentities) that Go
	// could parse. Only these may sign the pointed list.
	Signers []*x509.Certificate
	// UnparsedSigners holds the DER of announced certificates Go's crypto/x509 rejects (for
	// example the 2019 DE signers); they can never match a signer and are kept for reports.
	UnparsedSigners [][]byte
	// HasMRA reports a mra:MutualRecognitionAgreementInformation block (third-country list).
	HasMRA bool
}

// Provider is a trust service provider (TS 119 612) or trusted entity (TS 119 602).
type Provider struct {
	// Names are TSPName entries, one per language.
	Names []LangString
	// TradeNames are TSPTradeName entries; EU lists put identifiers such as "VATBE-…" or
	// "NTRFI-…" here.
	TradeNames []LangString
	// InformationURIs are TSPInformationURI entries.
	InformationURIs []LangString
	// Services are the provider's services.
	Services []Service
}

// Service is one trust service: its current state and its history.
type Service struct {
	// ServiceState is the current information (ServiceInformation).
	ServiceState
	// SupplyPoints are the ServiceSupplyPoint URIs.
	SupplyPoints []string
	// History holds the ServiceHistoryInstance entries as listed (newest first by convention).
	History []ServiceState
}

// ServiceState is the information of a service valid from StatusStart: the current
// ServiceInformation or one ServiceHistoryInstance.
type ServiceState struct {
	// Type is ServiceTypeIdentifier, e.g. ServiceTypeCAQC.
	Type string
	// Names are the ServiceName entries.
	Names []LangString
	// Status is the ServiceStatus URI, e.g. StatusGranted. It is empty for a TS 119 602 service
	// without ServiceStatus (the EU LoTE profiles omit it: presence on the list is the status);
	// such a service is never "granted" by this package's reading, callers decide by policy.
	Status string
	// StatusStart is StatusStartingTime; zero for a TS 119 602 service without one.
	StatusStart time.Time
	// Identity is the ServiceDigitalIdentity.
	Identity DigitalIdentity
	// Extensions are the ServiceInformationExtensions that matter for decisions.
	Extensions Extensions
}

// DigitalIdentity is a service's digital identity: certificates, subject names, SKIs.
type DigitalIdentity struct {
	// Certificates are the X509Certificate values Go could parse.
	Certificates []*x509.Certificate
	// UnparsedCertificates holds the DER of X509Certificate values Go's crypto/x509 rejects
	// (brainpool keys, RSA keys without NULL parameters, ...).
	UnparsedCertificates [][]byte
	// SubjectNames are X509SubjectName values, as written.
	SubjectNames []string
	// SKIs are X509SKI values (decoded).
	SKIs [][]byte
	// PublicKeys are the TS 119 602 PublicKeyValues JWKs Go and internal/jose can use (EC
	// P-256/P-384, Ed25519).
	PublicKeys []crypto.PublicKey
	// UnparsedPublicKeys holds the JSON of PublicKeyValues JWKs that are not usable public keys
	// (RSA, symmetric "oct", private keys, other curves); they can never match a key.
	UnparsedPublicKeys [][]byte
	// OtherIDs are TS 119 602 OtherIds values, as written.
	OtherIDs []string
}

// Extensions are the service information extensions hashi interprets, plus the names and
// criticality of the others.
type Extensions struct {
	// AdditionalServiceInformation holds the AdditionalServiceInformation URIs, e.g.
	// AdditionalInfoForeSeals.
	AdditionalServiceInformation []string
	// Qualifications holds each QualificationElement's qualifier URIs.
	Qualifications []Qualification
	// ExpiredCertsRevocationInfo is the ExpiredCertsRevocationInfo date, if any.
	ExpiredCertsRevocationInfo time.Time
	// Other names the extensions not interpreted above, with their Critical flag.
	Other []OtherExtension
}

// Qualification is one QualificationElement of a Qualifications extension.
type Qualification struct {
	// Qualifiers are the Qualifier URIs, e.g. ".../SvcInfoExt/QCForESeal".
	Qualifiers []string
	// Assert is the top CriteriaList's assert attribute (all, atLeastOne, none).
	Assert string
	// Critical is the enclosing Extension's Critical flag.
	Critical bool
}

// OtherExtension is an extension this package does not interpret.
type OtherExtension struct {
	Namespace string
	Name      string
	Critical  bool
}

// HasUnknownCritical reports whether an uninterpreted extension is marked critical; such a
// service must not be relied upon.
func (e Extensions) HasUnknownCritical() bool {
	for _, o := range e.Other {
		if o.Critical {
			return true
		}
	}
	return false
}

// StatusWindow is the period [Start, End) during which a service state applied. A zero End
// means the window is still open (the current state).
type StatusWindow struct {
	State ServiceState
	Start time.Time
	End   time.Time
}

// Contains reports whether t lies in [Start, End).
func (w StatusWindow) Contains(t time.Time) bool {
	return !t.Before(w.Start) && (w.End.IsZero() || t.Before(w.End))
}

// Windows returns the service's states as windows ordered oldest first: each history
// instance applies from its StatusStart to the next newer StatusStart, and the current state
// from its StatusStart on. History instances dated after the current state are ignored. Of
// two instances with the same StatusStart the one listed first is the newer (history is
// listed newest first, TS 119 612 §5.6) and is the one that applied.
func (s *Service) Windows() []StatusWindow {
	states := make([]ServiceState, 0, len(s.History)+1)
	for _, h := range slices.Backward(s.History) { // oldest first, ties in the same order
		if !h.StatusStart.After(s.StatusStart) {
			states = append(states, h)
		}
	}
	sort.SliceStable(states, func(i, j int) bool { return states[i].StatusStart.Before(states[j].StatusStart) })
	states = append(states, s.ServiceState)
	out := make([]StatusWindow, 0, len(states))
	for i, st := range states {
		w := StatusWindow{State: st, Start: st.StatusStart}
		if i+1 < len(states) {
			w.End = states[i+1].StatusStart
		}
		if i+1 < len(states) && !w.End.After(w.Start) {
			continue // empty window (same start as the next state)
		}
		out = append(out, w)
	}
	return out
}

// StateAt returns the state that applied at t, or false if t is before the oldest known
// state.
func (s *Service) StateAt(t time.Time) (ServiceState, bool) {
	for _, w := range s.Windows() {
		if w.Contains(t) {
			return w.State, true
		}
	}
	return ServiceState{}, false
}

// Signature describes a verified list signature.
type Signature struct {
	// Signer is the KeyInfo certificate (XML) or the x5c leaf (LoTE JWS), which matched one of
	// the accepted signers.
	Signer *x509.Certificate
	// Method is the SignatureMethod URI (XML) or the JWS "alg" (LoTE, e.g. "ES256").
	Method string
	// SigningTime is the XAdES SigningTime or the JAdES "sigT" header, if present.
	SigningTime time.Time
}

// XMLPointersTo returns the pointers to TS 119 612 XML lists (MimeType MimeTypeTSLXML) for
// territory, in list order. PDF and other pointers are left out.
func (l *List) XMLPointersTo(territory string) []Pointer {
	var out []Pointer
	for _, p := range l.Pointers {
		if p.Territory == territory && p.MimeType == MimeTypeTSLXML {
			out = append(out, p)
		}
	}
	return out
}
