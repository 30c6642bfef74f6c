package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"unsafe"

	b64text "github.com/hashi-vc/hashi/internal/b64"
)

// Algorithm is a JWS algorithm name as registered by RFC 7518 and RFC 8037.
type Algorithm string

// The algorithms hashi signs and verifies with. ES256 is required by HAIP; ES384 and EdDSA
// are allowed. "none" and every HMAC algorithm are refused everywhere: hashi verifies only
// with public keys.
const (
	ES256 Algorithm = "ES256"
	ES384 Algorithm = "ES384"
	EdDSA Algorithm = "EdDSA"
)

// supported lists the algorithms this package implements.
var supported = map[Algorithm]bool{ES256: true, ES384: true, EdDSA: true}

// checkKey reports whether key is a public key of the family and size alg requires
// (RFC 8725 §3.1: each key is used with exactly one algorithm family).
func checkKey(alg Algorithm, key crypto.PublicKey) error {
	switch alg {
	case ES256, ES384:
		k, ok := key.(*ecdsa.PublicKey)
		if !ok {
			return errorf(CodeKeyMismatch, nil, "%s needs an ECDSA public key, got %T", alg, key)
		}
		want := elliptic.P256()
		if alg == ES384 {
			want = elliptic.P384()
		}
		if k.Curve != want {
			return errorf(CodeKeyMismatch, nil, "%s needs curve %s, got %s", alg, want.Params().Name, k.Curve.Params().Name)
		}
	case EdDSA:
		if _, ok := key.(ed25519.PublicKey); !ok {
			return errorf(CodeKeyMismatch, nil, "EdDSA needs an Ed25519 public key, got %T", key)
		}
	default:
		return errorf(CodeUnsupportedAlgorithm, nil, "algorithm %q is not supported", alg)
	}
	return nil
}

// AlgorithmFor returns the algorithm hashi uses with a public key: ES256 for P-256,
// ES384 for P-384 and EdDSA for Ed25519.
func AlgorithmFor(key crypto.PublicKey) (Algorithm, error) {
	switch k := key.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return ES256, nil
		case elliptic.P384():
			return ES384, nil
		}
	case ed25519.PublicKey:
		return EdDSA, nil
	}
	return "", errorf(CodeKeyMismatch, nil, "no supported algorithm for key type %T", key)
}

// Header is a decoded JWS protected header. The common members have fields; every member,
// including these, stays available through Member.
type Header struct {
	Alg  string          `json:"alg"`
	Typ  string          `json:"typ,omitempty"`
	Kid  string          `json:"kid,omitempty"`
	X5C  []string        `json:"x5c,omitempty"` // standard base64 DER, leaf first (RFC 7515 §4.1.6)
	JWK  json.RawMessage `json:"jwk,omitempty"`
	Crit []string        `json:"crit,omitempty"`

	raw []byte // the decoded header JSON as received
}

// Member decodes the header member name into v and reports whether it was present.
func (h *Header) Member(name string, v any) (bool, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(h.raw, &all); err != nil {
		return false, errorf(CodeMalformed, err, "header")
	}
	m, ok := all[name]
	if !ok {
		return false, nil
	}
	if err := json.Unmarshal(m, v); err != nil {
		return true, errorf(CodeMalformed, err, "header member %q", name)
	}
	return true, nil
}

// Raw returns the header JSON exactly as received (decoded from base64url).
func (h *Header) Raw() []byte { return h.raw }

// Certificates decodes the x5c header into certificates, leaf first. It checks encoding and
// chain length only: whether the chain is trusted is for the caller to decide.
func (h *Header) Certificates() ([]*x509.Certificate, error) {
	return ParseX5C(h.X5C)
}

// ParseX5C decodes x5c values (standard base64 with padding of DER certificates, RFC 7515
// §4.1.6), leaf first.
func ParseX5C(x5c []string) ([]*x509.Certificate, error) {
	if len(x5c) == 0 {
		return nil, errorf(CodeInvalidCertificate, nil, "no x5c certificates")
	}
	if len(x5c) > MaxChainLength {
		return nil, errorf(CodeInvalidCertificate, nil, "x5c has %d certificates, more than %d", len(x5c), MaxChainLength)
	}
	certs := make([]*x509.Certificate, len(x5c))
	for i, s := range x5c {
		if c := x5cCache.get(s); c != nil {
			certs[i] = c
			continue
		}
		der, err := base64.StdEncoding.Strict().DecodeString(s)
		if err != nil {
			return nil, errorf(CodeInvalidCertificate, err, "x5c[%d] is not standard base64", i)
		}
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, errorf(CodeInvalidCertificate, err, "x5c[%d]", i)
		}
		x5cCache.put(s, c)
		certs[i] = c
	}
	return certs, nil
}

// x5cCache keeps recently parsed x5c certificates by their exact base64 text: a verifier sees
// the same few issuer chains again and again, and parsing a certificate costs about as much as
// half an ECDSA verification. Only successfully parsed certificates are kept; the same text
// always parses to the same certificate, so the cache cannot change an outcome. Certificates
// returned by ParseX5C are shared and must not be modified.
var x5cCache = &certCache{m: make(map[string]*x509.Certificate, maxCachedCerts)}

// maxCachedCerts bounds the x5c cache (issuer leaves and intermediates of a deployment's
// trusted issuers fit many times over).
const maxCachedCerts = 512

type certCache struct {
	mu sync.RWMutex
	m  map[string]*x509.Certificate
}

func (c *certCache) get(s string) *x509.Certificate {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[s]
}

func (c *certCache) put(s string, cert *x509.Certificate) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedCerts {
		for k := range c.m { // evict one arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[s] = cert
}

// EncodeX5C encodes certificates as x5c header values.
func EncodeX5C(certs []*x509.Certificate) []string {
	out := make([]string, len(certs))
	for i, c := range certs {
		out[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	return out
}

// JWS is a parsed, unverified compact JWS. Nothing in it is trustworthy until Verify succeeds.
type JWS struct {
	Header    Header
	Payload   []byte // decoded payload bytes exactly as signed
	Signature []byte

	raw          string
	signingInput string // raw up to the second '.'
}

// Raw returns the compact serialization as received.
func (j *JWS) Raw() string { return j.raw }

var b64 = base64.RawURLEncoding.Strict()

// Parse decodes a compact JWS without verifying it: three base64url parts without padding, a
// protected header that is a JSON object with a string "alg", no duplicate members, valid
// UTF-8, no "crit" members and no unencoded payload ("b64": false). The payload is returned
// as bytes; callers check its JSON themselves (see DecodeJSON).
func Parse(compact string) (*JWS, error) {
	if len(compact) > MaxCompactSize {
		return nil, errorf(CodeMalformed, nil, "token is %d bytes, more than %d", len(compact), MaxCompactSize)
	}
	// encoding/base64 skips CR and LF even in strict mode: refused here, so that a token has
	// one spelling (a line break in the signature would leave it valid under another text).
	if b64text.HasLineBreak(compact) {
		return nil, errorf(CodeMalformed, nil, "line break inside a compact JWS")
	}
	d1 := strings.IndexByte(compact, '.')
	if d1 < 0 {
		return nil, errorf(CodeMalformed, nil, "not a compact JWS: no '.'")
	}
	d2 := strings.IndexByte(compact[d1+1:], '.')
	if d2 < 0 {
		return nil, errorf(CodeMalformed, nil, "not a compact JWS: one '.'")
	}
	d2 += d1 + 1
	if strings.IndexByte(compact[d2+1:], '.') >= 0 {
		return nil, errorf(CodeMalformed, nil, "not a compact JWS: more than two '.' (a JWE has five parts)")
	}
	if d1 == 0 {
		return nil, errorf(CodeMalformed, nil, "empty protected header")
	}
	if d1 > base64.RawURLEncoding.EncodedLen(MaxHeaderSize) {
		return nil, errorf(CodeMalformed, nil, "protected header larger than %d bytes", MaxHeaderSize)
	}
	hdr, err := b64.DecodeString(compact[:d1])
	if err != nil {
		return nil, errorf(CodeMalformed, err, "protected header is not base64url without padding")
	}
	payload, err := b64.DecodeString(compact[d1+1 : d2])
	if err != nil {
		return nil, errorf(CodeMalformed, err, "payload is not base64url without padding")
	}
	sig, err := b64.DecodeString(compact[d2+1:])
	if err != nil {
		return nil, errorf(CodeMalformed, err, "signature is not base64url without padding")
	}
	j := &JWS{Payload: payload, Signature: sig, raw: compact, signingInput: compact[:d2]}
	if err := parseHeader(hdr, &j.Header); err != nil {
		return nil, err
	}
	return j, nil
}

func parseHeader(b []byte, h *Header) error {
	if len(b) == 0 || b[0] != '{' {
		return errorf(CodeMalformed, nil, "protected header is not a JSON object")
	}
	// One validating pass that also picks out the members hashi reads; encoding/json would
	// validate the whole header a second time and reflect over it.
	err := scanMembers(b, func(name, v []byte) error {
		var ok bool
		switch string(name) {
		case "alg":
			h.Alg, ok = decodeString(v)
		case "typ":
			h.Typ, ok = decodeString(v)
		case "kid":
			h.Kid, ok = decodeString(v)
		case "x5c":
			h.X5C, ok = decodeStringArray(v)
		case "jwk":
			h.JWK, ok = json.RawMessage(v), v[0] == '{'
		case "crit":
			// RFC 7515 §4.1.11: a recipient must reject critical extensions it does not
			// understand; hashi understands none.
			return errorf(CodeMalformed, nil, "critical header extensions %s are not supported", v)
		case "b64":
			return errorf(CodeMalformed, nil, `unencoded payloads ("b64") are not supported`)
		default:
			return nil
		}
		if !ok {
			return errorf(CodeMalformed, nil, "header member %q has the wrong type", name)
		}
		return nil
	})
	if err != nil {
		return errorf(CodeMalformed, err, "protected header")
	}
	h.raw = b
	if h.Alg == "" {
		return errorf(CodeMalformed, nil, `protected header has no "alg"`)
	}
	return nil
}

// CheckType compares the "typ" header with want as RFC 7515 §4.1.9 says: case-insensitively,
// with an omitted "application/" prefix treated as present. An absent "typ" fails.
func (j *JWS) CheckType(want string) error {
	if !TypeEqual(j.Header.Typ, want) {
		if j.Header.Typ == "" {
			return errorf(CodeWrongType, nil, "missing typ header, want %q", want)
		}
		return errorf(CodeWrongType, nil, "typ is %q, want %q", j.Header.Typ, want)
	}
	return nil
}

// TypeEqual reports whether two media type values name the same type (RFC 7515 §4.1.9).
func TypeEqual(got, want string) bool {
	trim := func(s string) string {
		if len(s) > 12 && strings.EqualFold(s[:12], "application/") {
			return s[12:]
		}
		return s
	}
	return got != "" && strings.EqualFold(trim(got), trim(want))
}

// Verify checks the signature with key, provided the header's "alg" is one of algs (the
// caller's allow-list, never taken from the token) and key belongs to that algorithm's family
// and curve. "none", HMAC and any algorithm hashi does not implement are refused even if
// listed. Verify checks nothing else: not "typ" (CheckType), not claims, not x5c trust.
func (j *JWS) Verify(key crypto.PublicKey, algs ...Algorithm) error {
	alg := Algorithm(j.Header.Alg)
	if !allowed(alg, algs) {
		return errorf(CodeUnsupportedAlgorithm, nil, "algorithm %q is not allowed here (allowed: %v)", j.Header.Alg, algs)
	}
	if err := checkKey(alg, key); err != nil {
		return err
	}
	if !verifySignature(alg, key, readOnlyBytes(j.signingInput), j.Signature) {
		return errorf(CodeInvalidSignature, nil, "signature does not verify")
	}
	return nil
}

func allowed(alg Algorithm, algs []Algorithm) bool {
	if !supported[alg] {
		return false
	}
	for _, a := range algs {
		if a == alg {
			return true
		}
	}
	return false
}

// readOnlyBytes views s as bytes without copying, for functions that only read their input
// (hashes, ed25519.Verify). Copying an issuer JWT's signing input on every verification was
// the largest allocation in it.
func readOnlyBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s)) //nolint:gosec // never written: hashed or verified only
}
