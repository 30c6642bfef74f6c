package trustlist

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/pki"
)

// Reason says why a Set lookup does not give full trust. Reasons are stable and safe to show
// to users; compare them, never the Detail text.
type Reason string

// The reasons of a Result. The empty Reason means trusted at issuance and now.
const (
	// ReasonNoAnchor: no listed certificate is the chain's leaf or an anchor of the chain.
	ReasonNoAnchor Reason = "no_anchor"
	// ReasonChainInvalid: a listed certificate was found for the chain (by hash, SKI or
	// subject) but the chain does not verify to it at the issuance time (bad signature,
	// expired or not yet valid certificate, name or path constraints), or the directly
	// listed leaf was not valid at the issuance time.
	ReasonChainInvalid Reason = "chain_invalid"
	// ReasonWrongServiceType: the anchoring service's type, or its required
	// AdditionalServiceInformation, is not accepted by the policy.
	ReasonWrongServiceType Reason = "wrong_service_type"
	// ReasonUnknownCriticalExtension: the anchoring service carries an extension marked
	// critical that this package does not interpret; it must not be relied upon.
	ReasonUnknownCriticalExtension Reason = "unknown_critical_extension"
	// ReasonNotGrantedAtIssuance: the service's status at the issuance time (from its status
	// history) is not an accepted status, or the issuance time precedes its known history.
	ReasonNotGrantedAtIssuance Reason = "not_granted_at_issuance"
	// ReasonWithdrawnSince: the service was accepted at the issuance time but its status now
	// is not accepted (withdrawn, suspended, ...). TrustedAtIssuance is true.
	ReasonWithdrawnSince Reason = "withdrawn_since"
	// ReasonStaleList: the list holding the service is past its NextUpdate (plus the policy's
	// grace period) at "now"; it contributes no trust.
	ReasonStaleList Reason = "stale_list"
	// ReasonClosedList: the list holding the service has no NextUpdate (a closed list, TS 119
	// 612 clause 5.3.15) and the policy does not accept closed lists.
	ReasonClosedList Reason = "closed_list"
	// ReasonInvalidArgument: the caller passed an unusable query or policy (empty chain, nil
	// certificate, zero times, issuance after now, no accepted service types, negative
	// grace). It points at a bug, not at the credential.
	ReasonInvalidArgument Reason = "invalid_argument"
)

// MatchKind says how a chain anchored in a listed service.
type MatchKind string

// The match kinds of a Result.
const (
	// MatchDirect: the listed certificate is the chain's leaf (byte for byte).
	MatchDirect MatchKind = "direct"
	// MatchCA: the chain verifies (crypto/x509) to a listed certificate used as the only root.
	MatchCA MatchKind = "ca"
)

// ServiceTypeRule accepts services of one type URI, optionally only those whose
// AdditionalServiceInformation lists every URI in AdditionalInfo (e.g. ServiceTypeCAQC with
// AdditionalInfoForeSeals).
type ServiceTypeRule struct {
	URI            string
	AdditionalInfo []string
}

// Policy is a relying party's trust policy for Set.Lookup and the freshness rule of
// Policy.Freshness. The zero Policy accepts nothing (no service types).
type Policy struct {
	// ServiceTypes are the accepted service types; at least one is required.
	ServiceTypes []ServiceTypeRule
	// Statuses are the accepted status URIs; nil means only StatusGranted.
	Statuses []string
	// AcceptNoStatus accepts services that carry no status at all (TS 119 602 LoTE profiles
	// where presence on the list is the status). Off by default.
	AcceptNoStatus bool
	// Grace extends a list's validity past its NextUpdate. Zero (the default) means a list
	// is stale from its NextUpdate on. It must not be negative.
	Grace time.Duration
	// AcceptClosedLists accepts lists without NextUpdate as always fresh. Off by default:
	// TS 119 612 uses an empty NextUpdate for a list whose scheme has ceased operation, so
	// such a list is never fresh.
	AcceptClosedLists bool
}

// Freshness reports whether l may contribute trust at now under p: "" when fresh,
// ReasonStaleList when now is at or after NextUpdate + Grace, ReasonClosedList when l has no
// NextUpdate and closed lists are not accepted, ReasonInvalidArgument for a nil list, a zero
// now or a negative grace. It never accepts by fallback.
func (p Policy) Freshness(l *List, now time.Time) Reason {
	switch {
	case l == nil || now.IsZero() || p.Grace < 0:
		return ReasonInvalidArgument
	case l.NextUpdate.IsZero():
		if p.AcceptClosedLists {
			return ""
		}
		return ReasonClosedList
	case !now.Before(l.NextUpdate.Add(p.Grace)):
		return ReasonStaleList
	}
	return ""
}

// Source answers trust queries over verified lists. *Set answers over a fixed set of lists;
// *Refresher over the lists it last loaded. Verifiers take a Source and never fetch lists
// themselves.
type Source interface {
	// Lookup answers, for a decoded chain (leaf first), an issuance time and now, whether the
	// chain anchors in an accepted service of a fresh list (see Set.Lookup).
	Lookup(chain []*x509.Certificate, issued, now time.Time, p Policy) Result
}

var _ Source = (*Set)(nil)

// Labeled is one verified list with its provenance in words, e.g. "EU LOTL → NL trusted list".
type Labeled struct {
	Label string
	List  *List
	// Via is the list that made List authentic: the LOTL whose pointer named the signers of
	// a national list; nil for a list anchored in configuration. Its freshness counts too: a
	// stale LOTL no longer vouches for the lists it points to.
	Via *Labeled
}

// Set is an index over verified lists answering chain queries (Lookup) by SHA-256 of the
// certificate DER, by SubjectKeyId and by subject name, never by scanning services. A Set is
// immutable and safe for concurrent use.
type Set struct {
	sources   []Labeled
	byHash    map[[sha256.Size]byte][]anchor
	bySKI     map[string][]anchor
	bySubject map[string][]anchor
}

// anchor is one listed certificate of one service.
type anchor struct {
	src, prov, svc int
	cert           *x509.Certificate
}

// NewSet indexes the certificates of every service (current and historical states) of the
// given lists. Every source needs a label and a list carrying a Signature (a list returned by
// VerifyXML or VerifyLoTE; NewSet does not verify anything itself). Freshness is judged per
// query, not here.
func NewSet(sources ...Labeled) (*Set, error) {
	s := &Set{
		byHash:    map[[sha256.Size]byte][]anchor{},
		bySKI:     map[string][]anchor{},
		bySubject: map[string][]anchor{},
	}
	for i, src := range sources {
		if src.Label == "" || src.List == nil || src.List.Signature == nil {
			return nil, errorf(CodeInvalidArgument, nil, "source %d: a label and a verified list are required", i)
		}
		s.sources = append(s.sources, src)
		for pi := range src.List.Providers {
			for si := range src.List.Providers[pi].Services {
				s.index(i, pi, si, &src.List.Providers[pi].Services[si])
			}
		}
	}
	return s, nil
}

func (s *Set) index(src, prov, svc int, sv *Service) {
	seen := map[[sha256.Size]byte]bool{}
	add := func(c *x509.Certificate) {
		h := sha256.Sum256(c.Raw)
		if seen[h] {
			return
		}
		seen[h] = true
		a := anchor{src: src, prov: prov, svc: svc, cert: c}
		s.byHash[h] = append(s.byHash[h], a)
		if len(c.SubjectKeyId) > 0 {
			s.bySKI[string(c.SubjectKeyId)] = append(s.bySKI[string(c.SubjectKeyId)], a)
		}
		s.bySubject[string(c.RawSubject)] = append(s.bySubject[string(c.RawSubject)], a)
	}
	for _, c := range sv.Identity.Certificates {
		add(c)
	}
	for _, h := range sv.History {
		for _, c := range h.Identity.Certificates {
			add(c)
		}
	}
}

// Result is the answer of Set.Lookup.
type Result struct {
	// TrustedAtIssuance: the chain anchors in an accepted service whose status was accepted
	// at the issuance time, in a list fresh now.
	TrustedAtIssuance bool
	// TrustedNow: in addition, the service's status is still accepted now.
	TrustedNow bool
	// Reason is "" when trusted at issuance and now, ReasonWithdrawnSince when trusted only
	// at issuance, otherwise why not.
	Reason Reason
	// Detail explains Reason in words (not stable; for logs and users).
	Detail string
	// Match is how the chain anchored; empty for ReasonNoAnchor and ReasonInvalidArgument.
	Match MatchKind
	// Path is the trust path in words: list label → territory → provider names → service
	// name → listed certificate subject. Empty when no service was found.
	Path string
	// Steps are Path's steps, with names kept by language, for readers who want each in one
	// language.
	Steps []PathStep
	// ListLabel and Territory identify the list of the anchoring service.
	ListLabel string
	Territory string
	// ProviderNames are the provider's names in every language the list gives.
	ProviderNames []LangString
	// ServiceNames are the service's current names in every language.
	ServiceNames []LangString
	// ServiceType is the service's type URI at the issuance time (its current type when the
	// issuance time precedes the history).
	ServiceType string
	// StatusAtIssuance and StatusNow are the service's status URIs at both times ("" when
	// unknown or absent).
	StatusAtIssuance string
	StatusNow        string
	// Anchor is the listed certificate the chain anchored in.
	Anchor *x509.Certificate
}

// maxCandidates bounds the listed certificates tried as roots for one chain; real lists
// list a CA under one subject and SKI a handful of times at most.
const maxCandidates = 32

// Lookup answers whether chain (leaf first, already decoded) anchors in a service the policy
// accepts, with an accepted status at issued (from the status history, Service.StateAt) and
// still at now, in a list fresh at now (Policy.Freshness). Direct trust: the leaf is a listed
// certificate (and valid at issued). CA trust: the leaf verifies with crypto/x509 to a listed
// certificate as the only root, intermediates from the chain, at issued, for any key usage;
// candidates are found through the index (SHA-256 of a chain certificate, the AuthorityKeyId
// and issuer name of each chain certificate). When several services match, the best answer
// is returned (trusted now, then trusted at issuance, then the most specific failure).
//
// Lookup does not check revocation, the credential's own signature, certificate policies or
// qualified-certificate statements, nor TS 119 602 PublicKeyValues (only certificates anchor).
func (s *Set) Lookup(chain []*x509.Certificate, issued, now time.Time, p Policy) Result {
	if len(chain) == 0 || slices.Contains(chain, nil) || issued.IsZero() || now.IsZero() || now.Before(issued) || len(p.ServiceTypes) == 0 || p.Grace < 0 {
		return Result{Reason: ReasonInvalidArgument, Detail: "need a non-empty chain, issued <= now, accepted service types and a non-negative grace"}
	}
	best := Result{Reason: ReasonNoAnchor, Detail: "no listed certificate is the leaf or an anchor of the chain"}
	consider := func(r Result) {
		if rank(r) > rank(best) {
			best = r
		}
	}
	leaf := chain[0]
	for _, a := range s.byHash[sha256.Sum256(leaf.Raw)] {
		r := s.evaluate(a, MatchDirect, issued, now, p)
		if r.Reason != ReasonInvalidArgument && (issued.Before(leaf.NotBefore) || issued.After(leaf.NotAfter)) {
			r.TrustedAtIssuance, r.TrustedNow = false, false
			r.Reason, r.Detail = ReasonChainInvalid, "the listed leaf certificate was not valid at the issuance time"
		}
		consider(r)
	}
	for _, a := range s.candidates(chain) {
		if _, err := leaf.Verify(caOptions(a.cert, chain[1:], issued)); err != nil {
			consider(s.describe(a, MatchCA, Result{Reason: ReasonChainInvalid, Detail: "chain does not verify to the listed certificate: " + err.Error()}))
			continue
		}
		consider(s.evaluate(a, MatchCA, issued, now, p))
	}
	return best
}

func caOptions(root *x509.Certificate, intermediates []*x509.Certificate, at time.Time) x509.VerifyOptions {
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(root)
	for _, c := range intermediates {
		inter.AddCert(c)
	}
	return x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
}

// candidates returns the listed certificates that may anchor chain, found by index: a chain
// certificate after the leaf that is itself listed, or a listed certificate whose SKI is a
// chain certificate's AuthorityKeyId or whose subject is its issuer. Deduplicated, bounded.
func (s *Set) candidates(chain []*x509.Certificate) []anchor {
	type key struct {
		src, prov, svc int
		h              [sha256.Size]byte
	}
	seen := map[key]bool{}
	var out []anchor
	add := func(as []anchor) {
		for _, a := range as {
			k := key{a.src, a.prov, a.svc, sha256.Sum256(a.cert.Raw)}
			if !seen[k] && len(out) < maxCandidates {
				seen[k] = true
				out = append(out, a)
			}
		}
	}
	for i, c := range chain {
		if i > 0 {
			add(s.byHash[sha256.Sum256(c.Raw)])
		}
		if len(c.AuthorityKeyId) > 0 {
			add(s.bySKI[string(c.AuthorityKeyId)])
		}
		add(s.bySubject[string(c.RawIssuer)])
	}
	return out
}

// evaluate judges the service of a under p at issued and now (freshness, type, status).
func (s *Set) evaluate(a anchor, kind MatchKind, issued, now time.Time, p Policy) Result {
	src := s.sources[a.src]
	sv := &src.List.Providers[a.prov].Services[a.svc]
	r := Result{}
	atIss, okIss := sv.StateAt(issued)
	atNow, okNow := sv.StateAt(now)
	if okIss {
		r.StatusAtIssuance = atIss.Status
		r.ServiceType = atIss.Type
	} else {
		r.ServiceType = sv.Type
	}
	if okNow {
		r.StatusNow = atNow.Status
	}
	fail := func(reason Reason, detail string) Result {
		r.Reason, r.Detail = reason, detail
		return s.describe(a, kind, r)
	}
	for l := &src; l != nil; l = l.Via {
		switch f := p.Freshness(l.List, now); f {
		case ReasonStaleList:
			return fail(f, fmt.Sprintf("%s: next update was %s", l.Label, l.List.NextUpdate.UTC().Format(time.RFC3339)))
		case ReasonClosedList:
			return fail(f, l.Label+": the list has no next update (closed)")
		case "":
		default:
			return fail(f, "unusable freshness policy")
		}
	}
	if !okIss {
		return fail(ReasonNotGrantedAtIssuance, "the issuance time precedes the service's known status history")
	}
	if reason, detail := p.acceptState(atIss); reason != "" {
		if reason == ReasonNotGrantedAtIssuance {
			detail = "status at issuance: " + detail
		}
		return fail(reason, detail)
	}
	r.TrustedAtIssuance = true
	if reason, detail := p.acceptState(atNow); !okNow || reason != "" {
		return fail(ReasonWithdrawnSince, "status now: "+detail)
	}
	r.TrustedNow = true
	return s.describe(a, kind, r)
}

// acceptState checks one service state against the policy: type rule, unknown critical
// extensions, status.
func (p Policy) acceptState(st ServiceState) (Reason, string) {
	if !slices.ContainsFunc(p.ServiceTypes, func(rule ServiceTypeRule) bool {
		if rule.URI != st.Type {
			return false
		}
		for _, need := range rule.AdditionalInfo {
			if !slices.Contains(st.Extensions.AdditionalServiceInformation, need) {
				return false
			}
		}
		return true
	}) {
		return ReasonWrongServiceType, "service type " + st.Type + " with additional information [" + strings.Join(st.Extensions.AdditionalServiceInformation, " ") + "] is not accepted"
	}
	if st.Extensions.HasUnknownCritical() {
		return ReasonUnknownCriticalExtension, "the service has an unknown critical extension"
	}
	if st.Status == "" {
		if p.AcceptNoStatus {
			return "", ""
		}
		return ReasonNotGrantedAtIssuance, "the service carries no status and the policy does not accept that"
	}
	statuses := p.Statuses
	if statuses == nil {
		statuses = []string{StatusGranted}
	}
	if !slices.Contains(statuses, st.Status) {
		return ReasonNotGrantedAtIssuance, st.Status + " is not an accepted status"
	}
	return "", ""
}

// describe fills r's path fields from the service of a.
func (s *Set) describe(a anchor, kind MatchKind, r Result) Result {
	src := s.sources[a.src]
	prov := &src.List.Providers[a.prov]
	sv := &prov.Services[a.svc]
	r.Match = kind
	r.ListLabel = src.Label
	r.Territory = src.List.Territory
	r.ProviderNames = slices.Clone(prov.Names)
	r.ServiceNames = slices.Clone(sv.Names)
	if r.ServiceType == "" {
		r.ServiceType = sv.Type
	}
	r.Anchor = a.cert
	subject := pki.NameString(a.cert.Subject)
	r.Path = strings.Join([]string{src.Label, src.List.Territory, words(prov.Names), words(sv.Names), subject}, " → ")
	r.Steps = []PathStep{{Text: src.Label}, {Text: src.List.Territory}, {Names: byLang(prov.Names)}, {Names: byLang(sv.Names)}, {Text: subject}}
	return r
}

// PathStep is one step of a trust path: a text (a list label, a territory, a certificate
// subject) or names by language tag (a provider's, a service's).
type PathStep struct {
	Text  string            `json:"text,omitempty"`
	Names map[string]string `json:"names,omitempty"`
}

// byLang maps names by language tag, the first of a tag kept.
func byLang(names []LangString) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		if _, seen := m[n.Lang]; !seen {
			m[n.Lang] = n.Value
		}
	}
	return m
}

// words renders names in every language: "Name [en] / Naam [nl]".
func words(names []LangString) string {
	parts := make([]string, 0, len(names))
	for _, n := range names {
		if n.Lang != "" {
			parts = append(parts, n.Value+" ["+n.Lang+"]")
		} else {
			parts = append(parts, n.Value)
		}
	}
	return strings.Join(parts, " / ")
}

// rank orders results: trusted now, trusted at issuance, then failures from the most
// specific (the chain anchored but the list or status failed) to no anchor.
func rank(r Result) int {
	switch {
	case r.TrustedNow:
		return 100
	case r.TrustedAtIssuance:
		return 90
	}
	switch r.Reason {
	case ReasonStaleList, ReasonClosedList:
		return 80
	case ReasonNotGrantedAtIssuance:
		return 70
	case ReasonUnknownCriticalExtension:
		return 60
	case ReasonWrongServiceType:
		return 50
	case ReasonChainInvalid:
		return 40
	case ReasonNoAnchor:
		return 10
	default:
		return 0
	}
}
