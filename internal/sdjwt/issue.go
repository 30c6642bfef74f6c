package sdjwt

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Issuer creates SD-JWTs with one signing key and one fixed protected header. It is safe for
// concurrent use if its random source is (crypto/rand is).
type Issuer struct {
	signer *jose.Signer
	rand   io.Reader
	decoys int
	vc     bool
}

type issuerConfig struct {
	rand   io.Reader
	decoys int
}

// IssuerOption configures an Issuer.
type IssuerOption func(*issuerConfig) error

// WithRandom sets the source of salts and decoy digests. Default: crypto/rand. Pass a
// deterministic reader only in tests: predictable salts make disclosures guessable.
func WithRandom(r io.Reader) IssuerOption {
	return func(c *issuerConfig) error {
		if r == nil {
			return errorf(CodeInvalidPolicy, nil, "WithRandom: nil reader")
		}
		c.rand = r
		return nil
	}
}

// WithDecoys adds n decoy digests (RFC 9901 §4.2.5) to every "_sd" array the Issuer writes,
// so that a verifier cannot count the undisclosed claims of an object. Default: 0.
func WithDecoys(n int) IssuerOption {
	return func(c *issuerConfig) error {
		if n < 0 || n > MaxDecoys {
			return errorf(CodeInvalidPolicy, nil, "WithDecoys: %d is outside 0..%d", n, MaxDecoys)
		}
		c.decoys = n
		return nil
	}
}

// NewIssuer returns an Issuer of plain SD-JWTs (RFC 9901) signing with key under header h.
// h.Typ is required (explicit typing, RFC 8725 §3.11), e.g. "example+sd-jwt". The algorithm
// follows from the key (ES256 for P-256, ES384 for P-384, EdDSA for Ed25519). For SD-JWT VCs
// use NewVCIssuer.
func NewIssuer(key crypto.Signer, h jose.SignHeader, opts ...IssuerOption) (*Issuer, error) {
	if h.Typ == "" {
		return nil, errorf(CodeInvalidPolicy, nil, "NewIssuer: the header needs a typ")
	}
	return newIssuer(key, h, false, opts)
}

// NewVCIssuer returns an Issuer of SD-JWT VCs (draft-ietf-oauth-sd-jwt-vc-18): the header
// "typ" is always "dc+sd-jwt" (h.Typ must be empty or that value; the legacy "vc+sd-jwt" is
// never emitted), and Issue enforces the SD-JWT VC claim rules (see Issue). Put the issuer
// certificate chain in h.X5C (leaf first, without the trust anchor) for x5c key resolution,
// or a kid in h.Kid for JWT VC Issuer Metadata.
func NewVCIssuer(key crypto.Signer, h jose.SignHeader, opts ...IssuerOption) (*Issuer, error) {
	if h.Typ != "" && h.Typ != VCType {
		return nil, errorf(CodeInvalidPolicy, nil, "NewVCIssuer: typ must be %q, not %q", VCType, h.Typ)
	}
	h.Typ = VCType
	return newIssuer(key, h, true, opts)
}

// String describes the Issuer without key material.
func (is *Issuer) String() string {
	kind := "SD-JWT"
	if is.vc {
		kind = "SD-JWT VC"
	}
	return "sdjwt.Issuer(" + kind + ", " + string(is.signer.Algorithm()) + ", key redacted)"
}

func newIssuer(key crypto.Signer, h jose.SignHeader, vc bool, opts []IssuerOption) (*Issuer, error) {
	c := issuerConfig{rand: rand.Reader}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	s, err := jose.NewSigner(key, h)
	if err != nil {
		return nil, fromJOSE(err, CodeKeyMismatch, "issuer signer")
	}
	return &Issuer{signer: s, rand: c.rand, decoys: c.decoys, vc: vc}, nil
}

// Issue returns an SD-JWT (ending with '~') over claims, making selectively disclosable
// every claim that a claims path pointer in disclosable selects (OpenID4VP 1.0 §7
// semantics: a string selects an object member, an int an array element, nil every
// element of an array). Selected object members become object property disclosures and
// selected array elements array element disclosures. When one selected claim lies inside
// another, the inner one is disclosed recursively: the outer disclosure carries the inner
// digest (RFC 9901 §4.2.6).
//
// Each disclosure has a fresh 128-bit salt; "_sd" arrays are sorted (never in claim order),
// receive the configured decoys, and are omitted when empty; "_sd_alg" is "sha-256" and is
// written only when something is selectively disclosable. Objects and arrays that a path
// descends into must be map[string]any and []any; other values may be any JSON-encodable Go
// value. The names "_sd", "..." and "_sd_alg" may not appear in claims. Issue adds no claims
// of its own (no "iat", no "cnf"): the caller puts them in claims.
//
// For an Issuer from NewVCIssuer, Issue also requires "vct" (a non-empty string), checks
// "iss" (an https URL when present), "iat"/"nbf"/"exp" (numbers), "cnf" (an object whose
// "jwk" is a public key) and "status" ({"status_list": {"idx": n >= 0, "uri": string}}), and
// refuses to make iss, nbf, exp, cnf, vct, vct#integrity, status or aka_vcts (or anything
// inside them) selectively disclosable.
func (is *Issuer) Issue(claims map[string]any, disclosable []Path) (string, error) {
	if len(disclosable) > MaxPaths {
		return "", errorf(CodeLimitExceeded, nil, "%d claims path pointers, more than %d", len(disclosable), MaxPaths)
	}
	if is.vc {
		if err := checkVCPaths(disclosable); err != nil {
			return "", err
		}
	}
	b := builderPool.Get().(*builder)
	defer b.release()
	root := b.marks.new()
	for _, p := range disclosable {
		if err := p.check(); err != nil {
			return "", err
		}
		n, err := root.addPath(claims, p, p)
		if err != nil {
			return "", err
		}
		if n == 0 {
			return "", errorf(CodeInvalidPath, nil, "%s selects nothing", p)
		}
	}
	// addPath counted the disclosures and "_sd" arrays as it marked them: no second walk.
	salts, sdObjects := b.marks.disclosures, b.marks.sdObjects
	b.decoys, b.sdAlg = is.decoys, salts > 0
	b.random = slices.Grow(b.random[:0], (salts+is.decoys*sdObjects)*saltBytes)
	b.random = b.random[:(salts+is.decoys*sdObjects)*saltBytes]
	if _, err := io.ReadFull(is.rand, b.random); err != nil {
		return "", errorf(CodeInvalidPolicy, err, "read random salts")
	}
	// The walk that writes the payload also rejects reserved names and excessive depth
	// (one traversal of the claims instead of two).
	var err error
	if b.payload, err = b.object(b.payload[:0], claims, root, 0, 0, true); err != nil {
		return "", err
	}
	if is.vc {
		// After the walk, which has bounded the depth of the claims checkVCClaims reads.
		if err := checkVCClaims(claims); err != nil {
			return "", err
		}
	}
	if b.out, err = is.signer.AppendSign(b.out[:0], b.payload); err != nil {
		return "", fromJOSE(err, CodeKeyMismatch, "sign")
	}
	// The signed JWT, "~" and the disclosures: one concatenation copies each buffer once,
	// straight into the returned string.
	return string(b.out) + "~" + string(b.tail), nil
}

// builderPool keeps builders and their buffers between issuances: an issuer under load
// then allocates little more than the SD-JWT string it returns.
var builderPool = sync.Pool{New: func() any { return new(builder) }}

// maxPooledBuffer is the largest buffer a builder keeps for reuse.
const maxPooledBuffer = 64 << 10

func (b *builder) release() {
	if cap(b.payload) > maxPooledBuffer || cap(b.out) > maxPooledBuffer || cap(b.tail) > maxPooledBuffer {
		return
	}
	clear(b.random) // salts are secrets of the credential just issued
	b.marks.reset()
	// Field by field: x = x[:0] stores only a length, where rebuilding the struct rewrites
	// every pointer (with write barriers while the GC runs).
	b.decoys, b.sdAlg, b.pos = 0, false, 0
	b.random = b.random[:0]
	b.tail = b.tail[:0]
	b.payload = b.payload[:0]
	b.out = b.out[:0]
	b.digests = b.digests[:0]
	builderPool.Put(b)
}

// reservedName reports whether RFC 9901 reserves name anywhere in the input claims.
func reservedName(name string) bool {
	return name == "_sd" || name == "..." || name == "_sd_alg"
}

// errDepth is the error for claims nested deeper than MaxDepth.
func errDepth() error {
	return errorf(CodeLimitExceeded, nil, "claims nested deeper than %d", MaxDepth)
}

// mark records which parts of the input claims become selectively disclosable. Objects and
// arrays have few marked children, so slices beat maps; nodes come from the builder's arena.
type mark struct {
	sd    bool // this claim becomes a disclosure
	hasSD bool // an object with a selectively disclosable member, so it gets an "_sd" array
	keys  []keyMark
	elems []elemMark
	arena *markArena
}

type keyMark struct {
	name string
	m    *mark
}

type elemMark struct {
	i int
	m *mark
}

// key returns the mark of object member name, or nil.
func (m *mark) key(name string) *mark {
	if m == nil {
		return nil
	}
	for _, k := range m.keys {
		if k.name == name {
			return k.m
		}
	}
	return nil
}

// at returns the mark of array element i, or nil.
func (m *mark) at(i int) *mark {
	if m == nil {
		return nil
	}
	for _, e := range m.elems {
		if e.i == i {
			return e.m
		}
	}
	return nil
}

// markArena hands out marks in blocks, so marking a credential's paths costs a few
// allocations rather than one per node; pooled with the builder.
type markArena struct {
	blocks [][]mark
	n      int // marks used in the last block
	// Counted while marking, to size the random buffer without walking the marks again.
	disclosures int // marks with sd set
	sdObjects   int // marks with hasSD set
}

const markBlock = 32

func (a *markArena) new() *mark {
	if len(a.blocks) == 0 || a.n == markBlock {
		a.blocks = append(a.blocks, make([]mark, markBlock))
		a.n = 0
	}
	m := &a.blocks[len(a.blocks)-1][a.n]
	a.n++
	// Field by field: a reused mark keeps its arena and children slices, and x = x[:0]
	// stores only a length (no pointer writes, so no write barriers while the GC runs).
	m.sd, m.hasSD = false, false
	m.keys = m.keys[:0]
	m.elems = m.elems[:0]
	if m.arena != a {
		m.arena = a
	}
	return m
}

// reset makes every mark reusable, keeping the first block and the children slices.
func (a *markArena) reset() {
	if len(a.blocks) > 1 {
		a.blocks = a.blocks[:1]
	}
	a.n, a.disclosures, a.sdObjects = 0, 0, 0
}

// addPath marks what the claims path pointer rest selects in v, with the semantics of
// OpenID4VP 1.0 §7.1 (see selectPaths), and returns how many elements it selected.
func (m *mark) addPath(v any, rest, full Path) (int, error) {
	if len(rest) == 0 {
		if !m.sd {
			m.sd = true
			m.arena.disclosures++
		}
		return 1, nil
	}
	switch c := rest[0].(type) {
	case string:
		obj, ok := v.(map[string]any)
		if !ok {
			return 0, errorf(CodeInvalidPath, nil, "%s: %q applies to a non-object (objects must be map[string]any)", full, c)
		}
		child, ok := obj[c]
		if !ok {
			return 0, nil
		}
		next := m.key(c)
		if next == nil {
			next = m.arena.new()
			m.keys = append(m.keys, keyMark{c, next})
		}
		n, err := next.addPath(child, rest[1:], full)
		if next.sd && !m.hasSD {
			m.hasSD = true
			m.arena.sdObjects++
		}
		return n, err
	case int:
		arr, ok := v.([]any)
		if !ok {
			return 0, errorf(CodeInvalidPath, nil, "%s: index %d applies to a non-array (arrays must be []any)", full, c)
		}
		if c >= len(arr) {
			return 0, nil
		}
		return m.elem(c).addPath(arr[c], rest[1:], full)
	case nil:
		arr, ok := v.([]any)
		if !ok {
			return 0, errorf(CodeInvalidPath, nil, "%s: null applies to a non-array (arrays must be []any)", full)
		}
		total := 0
		for i, e := range arr {
			n, err := m.elem(i).addPath(e, rest[1:], full)
			if err != nil {
				return 0, err
			}
			total += n
		}
		return total, nil
	}
	return 0, errorf(CodeInvalidPath, nil, "%s: component of type %T", full, rest[0])
}

func (m *mark) elem(i int) *mark {
	next := m.at(i)
	if next == nil {
		next = m.arena.new()
		m.elems = append(m.elems, elemMark{i, next})
	}
	return next
}

// digestLen is the length of a base64url SHA-256 digest, the only hash issuers use.
const digestLen = 43

type digest [digestLen]byte

// builder writes the issuer payload and the disclosures in one pass: the payload JSON is
// appended to a buffer, each disclosure's base64url text is appended to tail (followed by
// '~') and hashed where it lies, so no intermediate objects are built. The same pass rejects
// the names RFC 9901 reserves and claims nested deeper than MaxDepth.
type builder struct {
	decoys  int
	sdAlg   bool
	random  []byte   // salts and decoys, consumed from pos on
	pos     int      // next unused byte of random
	tail    []byte   // "<D1>~<D2>~...~"
	scratch [][]byte // disclosure JSON buffers, one per disclosure nesting level
	payload []byte   // the issuer JWT payload
	out     []byte   // the SD-JWT
	digests []digest // "_sd" digests of the objects being written, a stack shared by nested objects
	marks   markArena
}

func (b *builder) next() []byte {
	r := b.random[b.pos : b.pos+saltBytes]
	b.pos += saltBytes
	return r
}

// value appends v, found at nesting depth depth of the claims, with the marks applied.
func (b *builder) value(buf []byte, v any, m *mark, level, depth int) ([]byte, error) {
	if m == nil || (len(m.keys) == 0 && len(m.elems) == 0) {
		return appendClaims(buf, v, depth)
	}
	if depth > MaxDepth {
		return nil, errDepth()
	}
	switch x := v.(type) {
	case map[string]any:
		return b.object(buf, x, m, level, depth, false)
	case []any:
		return b.array(buf, x, m, level, depth)
	}
	return appendClaims(buf, v, depth)
}

func (b *builder) object(buf []byte, in map[string]any, m *mark, level, depth int, root bool) ([]byte, error) {
	// Members in name order: deterministic output, and with a deterministic random source
	// deterministic salts. Small objects sort on the stack.
	var arr [16]member
	var orderArr [16]int
	members := sortedMembers(collectMembers(in, &arr), orderArr[:0])
	base := len(b.digests) // this object's digests are b.digests[base:]
	buf = append(buf, '{')
	first := true
	for _, i := range members.order {
		k, v := members.m[i].name, members.m[i].value
		if reservedName(k) {
			return nil, errorf(CodeInvalidClaim, nil, "claim name %q is reserved by RFC 9901", k)
		}
		if !utf8.ValidString(k) {
			return nil, errorf(CodeInvalidClaim, nil, "member name is not valid UTF-8")
		}
		cm := m.key(k)
		if cm != nil && cm.sd {
			d, err := b.disclose(k, true, v, cm, level, depth+1)
			if err != nil {
				return nil, err
			}
			b.digests = append(b.digests, d)
			continue
		}
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = appendString(buf, k)
		buf = append(buf, ':')
		var err error
		if buf, err = b.value(buf, v, cm, level, depth+1); err != nil {
			return nil, err
		}
	}
	if len(b.digests) > base {
		for range b.decoys {
			b.digests = append(b.digests, digestOf(b.next()))
		}
		sd := b.digests[base:]
		// Sort positions, not the 43-byte digests themselves: swaps stay cheap.
		var orderArr [32]int
		order := orderArr[:0]
		for i := range sd {
			order = append(order, i)
		}
		slices.SortFunc(order, func(x, y int) int { return bytes.Compare(sd[x][:], sd[y][:]) })
		if !first {
			buf = append(buf, ',')
		}
		first = false
		buf = append(buf, `"_sd":[`...)
		for i, j := range order {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, '"')
			buf = append(buf, sd[j][:]...)
			buf = append(buf, '"')
		}
		buf = append(buf, ']')
		b.digests = b.digests[:base]
	}
	if root && b.sdAlg {
		if !first {
			buf = append(buf, ',')
		}
		buf = append(buf, `"_sd_alg":"sha-256"`...)
	}
	return append(buf, '}'), nil
}

func (b *builder) array(buf []byte, in []any, m *mark, level, depth int) ([]byte, error) {
	buf = append(buf, '[')
	for i, e := range in {
		if i > 0 {
			buf = append(buf, ',')
		}
		cm := m.at(i)
		if cm != nil && cm.sd {
			d, err := b.disclose("", false, e, cm, level, depth+1)
			if err != nil {
				return nil, err
			}
			buf = append(buf, `{"...":"`...)
			buf = append(buf, d[:]...)
			buf = append(buf, `"}`...)
			continue
		}
		var err error
		if buf, err = b.value(buf, e, cm, level, depth+1); err != nil {
			return nil, err
		}
	}
	return append(buf, ']'), nil
}

// disclose writes the disclosure [salt, name, value] (or [salt, value]) to tail and returns
// its digest; v lies at depth depth of the claims. Disclosures inside value are written
// first (recursive disclosures).
func (b *builder) disclose(name string, named bool, v any, m *mark, level, depth int) (digest, error) {
	if len(b.scratch) <= level {
		b.scratch = append(b.scratch, make([]byte, 0, 256))
	}
	js := append(b.scratch[level][:0], `["`...)
	js = b64.AppendEncode(js, b.next())
	js = append(js, '"', ',')
	if named {
		js = appendString(js, name)
		js = append(js, ',')
	}
	js, err := b.value(js, v, m, level+1, depth)
	if err != nil {
		return digest{}, err
	}
	js = append(js, ']')
	if cap(js) > cap(b.scratch[level]) {
		b.scratch[level] = js // keep the grown buffer; otherwise no store (and no write barrier)
	}
	start := len(b.tail)
	b.tail = b64.AppendEncode(b.tail, js)
	d := digestOf(b.tail[start:])
	b.tail = append(b.tail, '~')
	return d, nil
}

// digestOf returns base64url(SHA-256(p)).
func digestOf(p []byte) digest {
	sum := sha256.Sum256(p)
	var d digest
	b64.Encode(d[:], sum[:])
	return d
}
