package sdjwt

import (
	"crypto"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/jose"
)

// selectPaths applies a claims path pointer to decoded JSON as OpenID4VP 1.0 §7.1 says and
// returns the concrete paths (strings and ints) of the selected elements. A string applied
// to a non-object, or nil or an int applied to a non-array, is an error; missing members and
// indices drop out of the selection; an empty selection is an error.
func selectPaths(root any, p Path) ([]Path, error) {
	type node struct {
		v    any
		path Path
	}
	cur := []node{{v: root}}
	for i, c := range p {
		var next []node
		for _, n := range cur {
			switch k := c.(type) {
			case string:
				m, ok := n.v.(map[string]any)
				if !ok {
					return nil, errorf(CodeInvalidPath, nil, "%s: component %d (%q) applies to a non-object at %s", p, i, k, n.path)
				}
				if v, ok := m[k]; ok {
					next = append(next, node{v: v, path: append(n.path.clone(), k)})
				}
			case nil:
				a, ok := n.v.([]any)
				if !ok {
					return nil, errorf(CodeInvalidPath, nil, "%s: component %d (null) applies to a non-array at %s", p, i, n.path)
				}
				for j, v := range a {
					next = append(next, node{v: v, path: append(n.path.clone(), j)})
				}
			case int:
				a, ok := n.v.([]any)
				if !ok {
					return nil, errorf(CodeInvalidPath, nil, "%s: component %d (%d) applies to a non-array at %s", p, i, k, n.path)
				}
				if k < len(a) {
					next = append(next, node{v: a[k], path: append(n.path.clone(), k)})
				}
			default:
				return nil, errorf(CodeInvalidPath, nil, "%s: component %d has type %T", p, i, c)
			}
		}
		cur = next
	}
	if len(cur) == 0 {
		return nil, errorf(CodeInvalidPath, nil, "%s selects nothing", p)
	}
	out := make([]Path, len(cur))
	for i, n := range cur {
		out[i] = n.path
	}
	return out, nil
}

// selection is an SD-JWT chosen down to some disclosures.
type selection struct {
	text    string // <JWT>~<D>~...~
	hash    HashAlgorithm
	claims  map[string]any // the processed payload with every disclosure embedded
	payload []byte         // the issuer JWT's payload, as signed
	chosen  []Disclosure   // the disclosures in text, in order
}

// Select returns a presentation of the SD-JWT sdjwt (as received from the issuer, ending
// with '~') without key binding: the issuer-signed JWT followed by exactly the disclosures
// needed for the claims that the claims path pointers select (OpenID4VP 1.0 §7 semantics on
// the fully disclosed claims). For each selected claim that means its own disclosure, the
// disclosures of every object or array element it lies in (recursively), and every
// disclosure inside it (selecting ["address"] selects the address with all its sub-claims).
// No other disclosure is included. Disclosures keep their received text and order.
//
// Select does not verify the issuer signature: the holder verifies a credential when it
// receives it (Verify with KeyBindingForbidden). It does check that the disclosures embed
// cleanly (RFC 9901 §7.1), and fails with CodeInvalidPath when a pointer is malformed or
// selects nothing.
func Select(sdjwt string, paths []Path) (string, error) {
	s, err := selectDisclosures(sdjwt, paths)
	if err != nil {
		return "", err
	}
	return s.text, nil
}

func selectDisclosures(sdjwt string, paths []Path) (*selection, error) {
	if len(paths) > MaxPaths {
		return nil, errorf(CodeLimitExceeded, nil, "%d claims path pointers, more than %d", len(paths), MaxPaths)
	}
	u, err := ParseUnverified(sdjwt)
	if err != nil {
		return nil, err
	}
	if u.kb != nil {
		return nil, errorf(CodeUnexpectedKeyBinding, nil, "the input is an SD-JWT+KB; present from the SD-JWT the issuer sent")
	}
	payload, err := decodeObject(u.jws.Payload, "issuer JWT payload")
	if err != nil {
		return nil, err
	}
	hash, err := hashAlgorithmOf(payload)
	if err != nil {
		return nil, err
	}
	proc, err := newProcessor(hash, u.disclosures)
	if err != nil {
		return nil, err
	}
	claims, err := proc.run(payload)
	if err != nil {
		return nil, err
	}
	if i := proc.unreferenced(); i >= 0 {
		return nil, errorf(CodeUnreferencedDisclosure, nil, "disclosure %d is not referenced", i)
	}
	var selected []Path
	for _, p := range paths {
		if err := p.check(); err != nil {
			return nil, err
		}
		sel, err := selectPaths(claims, p)
		if err != nil {
			return nil, err
		}
		selected = append(selected, sel...)
	}
	jwt := sdjwt[:strings.IndexByte(sdjwt, '~')]
	var sb strings.Builder
	sb.Grow(len(sdjwt))
	sb.WriteString(jwt)
	sb.WriteByte('~')
	var chosen []Disclosure
	for i, d := range u.disclosures {
		dp := proc.paths[i]
		for _, s := range selected {
			if dp.isPrefixOf(s) || s.isPrefixOf(dp) {
				sb.WriteString(d.Raw)
				sb.WriteByte('~')
				chosen = append(chosen, d)
				break
			}
		}
	}
	return &selection{text: sb.String(), hash: hash, claims: claims, payload: u.jws.Payload, chosen: chosen}, nil
}

// Disclosed returns the claims a verifier sees in a presentation of sdjwt made with
// Select(sdjwt, paths): the issuer payload with exactly the selected disclosures embedded,
// "_sd" and "_sd_alg" removed. With no paths it is what every presentation shows. It is the
// holder's own view of what it is about to share (a disclosure selected for one claim
// carries its whole value: selecting ["degree", "level", "eqf"] from a credential that
// discloses "level" as one object shares the whole object), and checks no signature.
func Disclosed(sdjwt string, paths []Path) (map[string]any, error) {
	s, err := selectDisclosures(sdjwt, paths)
	if err != nil {
		return nil, err
	}
	payload, err := decodeObject(s.payload, "issuer JWT payload")
	if err != nil {
		return nil, err
	}
	proc, err := newProcessor(s.hash, s.chosen)
	if err != nil {
		return nil, err
	}
	return proc.run(payload)
}

// Holder creates presentations with key binding. Its key is the one the issuer bound the
// credentials to (cnf.jwk).
type Holder struct {
	signer *jose.Signer
	pub    crypto.PublicKey
}

// NewHolder returns a Holder signing KB-JWTs (typ "kb+jwt") with key; the algorithm follows
// from the key (ES256 for P-256).
func NewHolder(key crypto.Signer) (*Holder, error) {
	s, err := jose.NewSigner(key, jose.SignHeader{Typ: KBType})
	if err != nil {
		return nil, fromJOSE(err, CodeKeyMismatch, "holder signer")
	}
	return &Holder{signer: s, pub: key.Public()}, nil
}

// String describes the Holder without key material.
func (h *Holder) String() string {
	return "sdjwt.Holder(" + string(h.signer.Algorithm()) + ", key redacted)"
}

// KBClaims are the transaction-specific claims of a KB-JWT (RFC 9901 §4.3).
type KBClaims struct {
	// Nonce is the verifier's nonce. Required.
	Nonce string
	// Audience is the verifier (for OpenID4VP its full client_id). Required.
	Audience string
	// IssuedAt is the KB-JWT "iat". Required (time is an input).
	IssuedAt time.Time
}

// Present returns an SD-JWT+KB: Select(sdjwt, paths) followed by a KB-JWT signed with the
// holder key whose "sd_hash" covers exactly that selection (RFC 9901 §4.3). It fails with
// CodeKeyMismatch when the credential's cnf.jwk is not the holder's key. Like Select, it
// does not verify the issuer signature.
func (h *Holder) Present(sdjwt string, paths []Path, kb KBClaims) (string, error) {
	if kb.Nonce == "" || kb.Audience == "" || kb.IssuedAt.IsZero() {
		return "", errorf(CodeInvalidPolicy, nil, "KBClaims needs Nonce, Audience and IssuedAt")
	}
	s, err := selectDisclosures(sdjwt, paths)
	if err != nil {
		return "", err
	}
	if err := h.checkBinding(s.claims); err != nil {
		return "", err
	}
	payload := make([]byte, 0, 256)
	payload = append(payload, `{"aud":`...)
	payload = appendString(payload, kb.Audience)
	payload = append(payload, `,"iat":`...)
	payload, _ = appendJSON(payload, kb.IssuedAt.Unix())
	payload = append(payload, `,"nonce":`...)
	payload = appendString(payload, kb.Nonce)
	payload = append(payload, `,"sd_hash":`...)
	payload = appendString(payload, s.hash.digest(s.text))
	payload = append(payload, '}')
	if err := checkJSON(payload); err != nil {
		return "", errorf(CodeInvalidPolicy, err, "KB-JWT claims are not valid UTF-8")
	}
	jwt, err := h.signer.Sign(payload)
	if err != nil {
		return "", fromJOSE(err, CodeKeyMismatch, "sign KB-JWT")
	}
	return s.text + jwt, nil
}

// checkBinding checks that the credential is bound to the holder's key.
func (h *Holder) checkBinding(claims map[string]any) error {
	cnf, ok := claims["cnf"]
	if !ok {
		return errorf(CodeKeyMismatch, nil, "the credential has no cnf claim: it is not bound to a holder key")
	}
	key, err := confirmationKey(cnf)
	if err != nil {
		return err
	}
	eq, ok := key.(interface{ Equal(crypto.PublicKey) bool })
	if key == nil || !ok || !eq.Equal(h.pub) {
		return errorf(CodeKeyMismatch, nil, "the credential's cnf.jwk is not the holder's key")
	}
	return nil
}
