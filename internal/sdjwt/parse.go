package sdjwt

import (
	"slices"
	"strings"
	"unsafe"

	b64text "github.com/hashi-vc/hashi/internal/b64"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Disclosure is one decoded disclosure (RFC 9901 §4.2).
type Disclosure struct {
	// Raw is the base64url text exactly as received. Digests are computed over it and
	// presentations repeat it; it is never re-encoded.
	Raw string `json:"raw"`
	// Digest is base64url(H(Raw)) under the SD-JWT's _sd_alg. Verify and Peek set it;
	// ParseUnverified leaves it empty because the hash algorithm is not known yet.
	Digest string `json:"digest,omitempty"`
	// Salt is the disclosure's salt.
	Salt string `json:"salt"`
	// Name is the claim name of an object property disclosure, empty for an array element.
	Name string `json:"name,omitempty"`
	// Element is true for an array element disclosure ([salt, value]).
	Element bool `json:"array_element,omitempty"`
	// Value is the disclosed value as decoded JSON (numbers are json.Number). For recursive
	// disclosures it still holds the embedded "_sd" digests.
	Value any `json:"value"`
}

// Unverified is a parsed SD-JWT or SD-JWT+KB whose signatures and digests have not been
// checked. Nothing in it is trustworthy until Verify or VerifyVC succeeds.
type Unverified struct {
	raw         string
	jws         *jose.JWS
	disclosures []Disclosure
	kb          *jose.JWS // nil for an SD-JWT without KB-JWT
	// presented is the exact text the KB-JWT sd_hash covers: the issuer-signed JWT and the
	// disclosures, each followed by '~' (RFC 9901 §4.3.1).
	presented string
}

// ParseUnverified splits an SD-JWT (<JWT>~<D1>~...~<Dn>~) or SD-JWT+KB
// (<JWT>~<D1>~...~<Dn>~<KB-JWT>) as RFC 9901 §4 and §7.1 step 1 describe and decodes its
// parts: the issuer-signed JWT and the KB-JWT as compact JWS (strict base64url, JSON header
// with "alg", no duplicate members), and each disclosure as base64url JSON arrays of the
// right shape (3 elements [salt, name, value] or 2 elements [salt, value], string salt and
// name, name neither "_sd" nor "..."). A string without '~' (a bare JWT) is rejected, and
// so is an empty disclosure ("~~").
//
// ParseUnverified checks no signature, digest or claim. The issuer payload is decoded later,
// by Verify.
func ParseUnverified(s string) (*Unverified, error) {
	if len(s) > MaxSize {
		return nil, errorf(CodeLimitExceeded, nil, "SD-JWT is %d bytes, more than %d", len(s), MaxSize)
	}
	if b64text.HasLineBreak(s) { // base64 decoding would skip them: one spelling only
		return nil, errorf(CodeMalformed, nil, "line break inside an SD-JWT")
	}
	first := strings.IndexByte(s, '~')
	if first < 0 {
		return nil, errorf(CodeMalformed, nil, "not an SD-JWT: no '~' (an SD-JWT ends with '~', an SD-JWT+KB has a KB-JWT after the last '~')")
	}
	last := strings.LastIndexByte(s, '~')
	jws, err := jose.Parse(s[:first])
	if err != nil {
		return nil, fromJOSE(err, CodeMalformed, "issuer-signed JWT")
	}
	u := &Unverified{raw: s, jws: jws, presented: s[:last+1]}
	if last > first {
		ds, err := parseDisclosures(s[first+1 : last])
		if err != nil {
			return nil, err
		}
		u.disclosures = ds
	}
	if kb := s[last+1:]; kb != "" {
		if !strings.Contains(kb, ".") {
			return nil, errorf(CodeMalformed, nil, "the last component is neither empty nor a KB-JWT: an SD-JWT must end with '~'")
		}
		j, err := jose.Parse(kb)
		if err != nil {
			return nil, &Error{Code: CodeInvalidKeyBinding, Msg: "KB-JWT (the part after the last '~') is not a compact JWS", Err: err}
		}
		u.kb = j
	}
	return u, nil
}

// parseDisclosures decodes the '~'-separated disclosures between the issuer JWT and the
// last '~' and checks the shape of each (RFC 9901 §4.2.1, §4.2.2 and §7.1 step 3). All of
// them are decoded into one buffer and one string, which the decoded strings share.
func parseDisclosures(middle string) ([]Disclosure, error) {
	n := strings.Count(middle, "~") + 1
	if n > MaxDisclosures {
		return nil, errorf(CodeLimitExceeded, nil, "SD-JWT has %d disclosures, more than %d", n, MaxDisclosures)
	}
	ds := make([]Disclosure, n)
	total := 0
	rest := middle
	for i := range ds {
		raw := rest
		if j := strings.IndexByte(rest, '~'); j >= 0 {
			raw, rest = rest[:j], rest[j+1:]
		}
		switch {
		case raw == "":
			return nil, errorf(CodeMalformed, nil, "empty disclosure (\"~~\")")
		case strings.IndexByte(raw, '.') >= 0:
			return nil, errorf(CodeMalformed, nil, "a JWT in a disclosure position: a KB-JWT must be the last component, with no '~' after it")
		case len(raw) > MaxDisclosureSize:
			return nil, errorf(CodeLimitExceeded, nil, "disclosure %d is %d bytes, more than %d", i, len(raw), MaxDisclosureSize)
		}
		ds[i].Raw = raw
		total += b64.DecodedLen(len(raw))
	}
	// Unpadded base64url decodes to exactly DecodedLen bytes, so the boundaries are known.
	buf := make([]byte, total)
	off := 0
	for i := range ds {
		m, err := b64Strict.Decode(buf[off:], stringBytes(ds[i].Raw))
		if err != nil || m != b64.DecodedLen(len(ds[i].Raw)) {
			return nil, errorf(CodeInvalidDisclosure, err, "disclosure %d is not base64url without padding", i)
		}
		off += m
	}
	// buf is never written again, so the decoded strings may share it.
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) //nolint:gosec // buf is immutable from here on
	dec := getDecoder("")
	defer putDecoder(dec)
	off = 0
	for i := range ds {
		end := off + b64.DecodedLen(len(ds[i].Raw))
		if err := checkJSON(buf[off:end]); err != nil {
			return nil, errorf(CodeInvalidDisclosure, err, "disclosure %d is not valid JSON", i)
		}
		dec.b, dec.i = all[off:end], 0
		if err := dec.disclosure(&ds[i]); err != nil {
			return nil, err
		}
		off = end
	}
	return ds, nil
}

// Header returns the protected header of the issuer-signed JWT, unverified. Callers may use
// it to pick a key (kid, x5c) before calling Verify.
func (u *Unverified) Header() jose.Header { return u.jws.Header }

// HasKeyBinding reports whether the input was an SD-JWT+KB (it carried a KB-JWT).
func (u *Unverified) HasKeyBinding() bool { return u.kb != nil }

// Disclosures returns copies of the parsed disclosures in the order received, without
// digests.
func (u *Unverified) Disclosures() []Disclosure {
	return slices.Clone(u.disclosures)
}

// Inspection is what Peek decodes from an SD-JWT or SD-JWT+KB, with no trust decision.
type Inspection struct {
	Header      map[string]any `json:"header"`
	Payload     map[string]any `json:"payload"`
	Disclosures []Disclosure   `json:"disclosures"`
	KeyBinding  *InspectedJWT  `json:"kb_jwt,omitempty"`
}

// InspectedJWT is the decoded header and payload of a JWT, unverified.
type InspectedJWT struct {
	Header  map[string]any `json:"header"`
	Payload map[string]any `json:"payload"`
}

// Peek decodes the header and payload of the issuer-signed JWT, every disclosure (with its
// digest under the payload's _sd_alg, when that is known) and the KB-JWT, for display
// ("hashi credential inspect"). It makes NO trust decision: it checks no signature, does not
// match digests, checks no time or claim, and its output must not be used to accept a
// credential. It fails only when the input cannot be decoded (see ParseUnverified).
func Peek(s string) (*Inspection, error) {
	u, err := ParseUnverified(s)
	if err != nil {
		return nil, err
	}
	in := &Inspection{Disclosures: u.Disclosures()}
	if in.Header, err = decodeObject(u.jws.Header.Raw(), "issuer JWT header"); err != nil {
		return nil, err
	}
	if in.Payload, err = decodeObject(u.jws.Payload, "issuer JWT payload"); err != nil {
		return nil, err
	}
	if alg, err := hashAlgorithmOf(in.Payload); err == nil {
		for i := range in.Disclosures {
			in.Disclosures[i].Digest = alg.digest(in.Disclosures[i].Raw)
		}
	}
	if u.kb != nil {
		kb := &InspectedJWT{}
		if kb.Header, err = decodeObject(u.kb.Header.Raw(), "KB-JWT header"); err != nil {
			return nil, err
		}
		if kb.Payload, err = decodeObject(u.kb.Payload, "KB-JWT payload"); err != nil {
			return nil, err
		}
		in.KeyBinding = kb
	}
	return in, nil
}

// decodeObject decodes JSON that must be an object.
func decodeObject(b []byte, what string) (map[string]any, error) {
	v, err := decodeJSON(b)
	if err != nil {
		return nil, errorf(CodeMalformed, err, "%s", what)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errorf(CodeMalformed, nil, "%s is not a JSON object", what)
	}
	return m, nil
}

// hashAlgorithmOf reads "_sd_alg" from a decoded issuer payload (RFC 9901 §4.1.1).
func hashAlgorithmOf(payload map[string]any) (HashAlgorithm, error) {
	v, ok := payload["_sd_alg"]
	if !ok {
		return SHA256, nil
	}
	s, ok := v.(string)
	if !ok {
		return "", errorf(CodeMalformed, nil, "_sd_alg is not a string")
	}
	if h := HashAlgorithm(s); h.known() {
		return h, nil
	}
	return "", errorf(CodeUnsupportedAlgorithm, nil, "_sd_alg %q is not supported (want sha-256, sha-384 or sha-512)", s)
}
