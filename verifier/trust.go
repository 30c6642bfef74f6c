package verifier

import (
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/pki"
	"github.com/hashi-vc/hashi/internal/sdjwt"
	"github.com/hashi-vc/hashi/trustlist"
)

// checkChain checks what HAIP and SD-JWT VC ask of an x5c chain before any trust decision:
// a bounded length, a leaf that is not self-signed, not a CA, and carries the digitalSignature
// key usage. Path building to the listed anchor is trustlist's (crypto/x509).
func checkChain(chain []*x509.Certificate) (Code, string) {
	leaf := chain[0]
	switch {
	case len(chain) > MaxChainLength:
		return CodeChainInvalid, fmt.Sprintf("x5c holds %d certificates, more than %d", len(chain), MaxChainLength)
	case pki.SelfSigned(leaf):
		return CodeChainInvalid, "the leaf certificate is self-signed"
	case leaf.IsCA:
		return CodeChainInvalid, "the leaf certificate is a CA certificate"
	case leaf.KeyUsage&x509.KeyUsageDigitalSignature == 0:
		return CodeChainInvalid, "the leaf certificate lacks the digitalSignature key usage"
	case tlsOnly(leaf):
		return CodeChainInvalid, "the leaf certificate is for TLS (its extended key usages are server or client authentication only), not for sealing credentials"
	}
	return "", ""
}

// tlsOnly reports whether c's extended key usages are all TLS ones: a website or client
// certificate, which a CA listed for seals may also issue, is no issuer's seal.
func tlsOnly(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 || len(c.UnknownExtKeyUsage) > 0 {
		return false
	}
	for _, u := range c.ExtKeyUsage {
		if u != x509.ExtKeyUsageServerAuth && u != x509.ExtKeyUsageClientAuth {
			return false
		}
	}
	return true
}

// selection is the recognition rule chosen for a credential and the trust answer under it.
type selection struct {
	rule     *Rule
	tr       trustlist.Result
	anchored bool // tr describes a service (the chain anchored somewhere)
	code     Code
	detail   string
}

// selectRule picks the first rule that covers the credential's type and its issuer's
// jurisdiction and under which the chain is trusted; when none is trusted, the first covering
// rule with its failure.
func (v *Verifier) selectRule(vd *verified, issued time.Time, p *Policy) selection {
	var types []string
	if vd.vcdm {
		types = vd.types
	} else {
		types = []string{vd.vct}
	}
	leafCountry := certCountry(vd.chain[0])
	var first *selection
	typed := false
	var seen []string
	for i := range p.Recognition.Rules {
		r := &p.Recognition.Rules[i]
		if !slices.ContainsFunc(r.Types, func(t string) bool { return t != "VerifiableCredential" && slices.Contains(types, t) }) {
			continue
		}
		typed = true
		tr := v.lookup(vd.chain, issued, p.Now, r)
		anchored := tr.Match != "" || tr.Path != ""
		j := leafCountry
		if anchored && tr.Territory != "" {
			j = tr.Territory
		}
		if !r.coversJurisdiction(j) {
			seen = append(seen, j)
			continue
		}
		s := selection{rule: r, tr: tr, anchored: anchored}
		if trusted(tr, r) {
			s.detail = fmt.Sprintf("rule %q: %s", r.Name, trustWords(tr, r))
			return s
		}
		s.code, s.detail = trustFailure(tr, r)
		if first == nil {
			first = &s
		}
	}
	switch {
	case first != nil:
		return *first
	case !typed:
		return selection{code: CodeRecognitionType, detail: "no recognition rule covers type " + strings.Join(types, ", ")}
	default:
		if leafCountry == "" && len(seen) == 0 {
			seen = append(seen, "unknown")
		}
		return selection{code: CodeRecognitionJurisdiction, detail: fmt.Sprintf("no recognition rule for type %s covers issuing jurisdiction %s", strings.Join(types, ", "), strings.Join(slices.Compact(seen), ", "))}
	}
}

func trusted(tr trustlist.Result, r *Rule) bool {
	if r.TrustAt == TrustAtIssuance {
		return tr.TrustedAtIssuance
	}
	return tr.TrustedAtIssuance && tr.TrustedNow
}

func trustWords(tr trustlist.Result, r *Rule) string {
	s := "trusted at issuance and now through " + tr.Path
	if !tr.TrustedNow {
		s = "trusted at issuance (the rule does not require now; status now " + lastSegment(tr.StatusNow) + ") through " + tr.Path
	}
	_ = r
	return s
}

func lastSegment(uri string) string {
	if uri == "" {
		return "none"
	}
	if i := strings.LastIndexByte(uri, '/'); i >= 0 {
		return uri[i+1:]
	}
	return uri
}

// trustFailure maps a trust answer that the rule does not accept onto a code.
func trustFailure(tr trustlist.Result, r *Rule) (Code, string) {
	detail := fmt.Sprintf("rule %q: %s: %s", r.Name, tr.Reason, tr.Detail)
	if tr.Path != "" {
		detail += " (path: " + tr.Path + ")"
	}
	switch tr.Reason {
	case trustlist.ReasonStaleList, trustlist.ReasonClosedList:
		return CodeTrustListStale, detail
	case trustlist.ReasonWithdrawnSince:
		return CodeIssuerWithdrawn, detail
	case trustlist.ReasonNotGrantedAtIssuance:
		if tr.StatusAtIssuance != "" {
			return CodeIssuerWithdrawn, detail
		}
		return CodeIssuerNotTrusted, detail
	case trustlist.ReasonChainInvalid:
		return CodeChainInvalid, detail
	default:
		return CodeIssuerNotTrusted, detail
	}
}

// trustKey identifies a cached trust answer: the chain, the issuance time and the rule's trust
// policy with its trust time.
type trustKey struct {
	chain  [sha256.Size]byte
	issued int64
	policy string
}

type trustEntry struct{ tr trustlist.Result }

func (v *Verifier) lookup(chain []*x509.Certificate, issued, now time.Time, r *Rule) trustlist.Result {
	if v.trustCache == nil {
		return v.trust.Lookup(chain, issued, now, r.Trust)
	}
	h := sha256.New()
	for _, c := range chain {
		d := sha256.Sum256(c.Raw)
		h.Write(d[:])
	}
	k := trustKey{issued: issued.UnixNano(), policy: policyKey(r)}
	h.Sum(k.chain[:0])
	if e, ok := v.trustCache.get(k, now); ok {
		return e.tr
	}
	tr := v.trust.Lookup(chain, issued, now, r.Trust)
	v.trustCache.put(k, trustEntry{tr: tr}, now, now.Add(v.cfg.trustTTL))
	return tr
}

// checkTypeMetadata applies the type metadata's claim rules to a verified SD-JWT VC (SD-JWT VC
// draft-18 §6): no "sd: never" claim was disclosed, and no "sd: always" claim is plain. It
// returns "" when the credential conforms. "mandatory" is an obligation on the issuer and is
// not enforced: the real EU–JP proof-of-concept credential omits the mandatory "jti".
func checkTypeMetadata(m *academic.TypeMetadata, vd *verified) string {
	var bad []string
	for _, cm := range m.Claims {
		switch cm.SD {
		case academic.SDNever:
			if slices.ContainsFunc(vd.disclosed, func(d sdjwt.Path) bool { return len(d) == len(cm.Path) && hasPrefix(d, cm.Path) }) {
				bad = append(bad, pathString(cm.Path)+" is disclosed but must stay plain")
			}
		case academic.SDAlways:
			if slices.Contains(cm.Path, nil) {
				continue // array elements: presence cannot be told apart from disclosure here
			}
			if !present(cm.Path, vd.claims) {
				continue // not disclosed
			}
			if !slices.ContainsFunc(vd.disclosed, func(d sdjwt.Path) bool { return hasPrefix(cm.Path, d) }) {
				bad = append(bad, pathString(cm.Path)+" is plain but must be selectively disclosable")
			}
		}
	}
	return strings.Join(bad, "; ")
}

// hasPrefix reports whether path p starts with prefix q, a nil component of either matching any
// index.
func hasPrefix(p, q []any) bool {
	if len(q) > len(p) {
		return false
	}
	for i := range q {
		if q[i] == nil || p[i] == nil {
			if _, isStr := p[i].(string); isStr {
				return false
			}
			if _, isStr := q[i].(string); isStr {
				return false
			}
			continue
		}
		if p[i] != q[i] {
			return false
		}
	}
	return true
}

func pathString(p []any) string { return dcql.Path(p).String() }

// present reports whether the claim at path (strings and indices only) exists in claims.
func present(path []any, claims map[string]any) bool {
	var cur any = claims
	for _, c := range path {
		switch k := c.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			if cur, ok = m[k]; !ok {
				return false
			}
		case int:
			a, ok := cur.([]any)
			if !ok || k < 0 || k >= len(a) {
				return false
			}
			cur = a[k]
		default:
			return false
		}
	}
	return true
}

// policyKey is the part of a rule a trust answer depends on, as a cache key.
func policyKey(r *Rule) string {
	var b strings.Builder
	for _, st := range r.Trust.ServiceTypes {
		b.WriteString(st.URI)
		for _, ai := range st.AdditionalInfo {
			b.WriteString("+" + ai)
		}
		b.WriteByte('\n')
	}
	b.WriteString("s:")
	for _, s := range r.Trust.Statuses {
		b.WriteString(s + " ")
	}
	fmt.Fprintf(&b, "\n%t %t %d", r.Trust.AcceptNoStatus, r.Trust.AcceptClosedLists, r.Trust.Grace)
	return b.String()
}
