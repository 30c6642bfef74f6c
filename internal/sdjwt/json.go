package sdjwt

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/hashi-vc/hashi/internal/jose"
)

// This file holds the JSON plumbing of the package. Every JSON text received (payloads,
// disclosures, KB-JWT claims, metadata) first passes jose.CheckJSON (RFC 8725 §3.7: no
// duplicate members, valid UTF-8, bounded depth) and is then decoded exactly once by
// decodeValue, a small decoder that builds the same values as encoding/json with UseNumber
// (map[string]any, []any, string, json.Number, bool, nil) without reflection. Numbers stay
// json.Number so that large integers (status list indices, timestamps) keep their exact text.

// checkJSON runs jose.CheckJSON and maps its error to CodeMalformed.
func checkJSON(b []byte) error {
	if err := jose.CheckJSON(b); err != nil {
		return &Error{Code: CodeMalformed, Msg: "invalid JSON", Err: err}
	}
	return nil
}

// decodeJSON checks b and decodes it into a generic value.
func decodeJSON(b []byte) (any, error) {
	if err := checkJSON(b); err != nil {
		return nil, err
	}
	// One string copy of the document; every string value is a substring of it.
	d := getDecoder(string(b))
	defer putDecoder(d)
	return d.value()
}

// decoders recycles the scratch stacks of decoders.
var decoders = sync.Pool{New: func() any {
	return &decoder{kv: make([]member, 0, 32), el: make([]any, 0, 32)}
}}

func getDecoder(s string) *decoder {
	d := decoders.Get().(*decoder) //nolint:errcheck // the pool holds only *decoder
	d.b, d.i = s, 0
	return d
}

func putDecoder(d *decoder) {
	if cap(d.kv) > 1024 || cap(d.el) > 1024 {
		return // do not keep what one unusual document grew
	}
	d.b, d.kv, d.el = "", d.kv[:0], d.el[:0]
	decoders.Put(d)
}

// decoder decodes JSON text that jose.CheckJSON has accepted. It still bounds-checks every
// step and fails instead of panicking if that assumption is ever wrong.
type decoder struct {
	b  string
	i  int
	kv []member // members of the objects being decoded, a stack shared by nested objects
	el []any    // elements of the arrays being decoded, likewise
}

type member struct {
	name  string
	value any
}

func (d *decoder) fail() error {
	return errorf(CodeMalformed, nil, "invalid JSON at byte %d", d.i)
}

func (d *decoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value() (any, error) {
	d.ws()
	if d.i >= len(d.b) {
		return nil, d.fail()
	}
	switch d.b[d.i] {
	case '{':
		return d.object()
	case '[':
		return d.array()
	case '"':
		return d.str()
	case 't':
		return d.literal("true", true)
	case 'f':
		return d.literal("false", false)
	case 'n':
		return d.literal("null", nil)
	default:
		return d.number()
	}
}

func (d *decoder) literal(lit string, v any) (any, error) {
	if len(d.b)-d.i < len(lit) || d.b[d.i:d.i+len(lit)] != lit {
		return nil, d.fail()
	}
	d.i += len(lit)
	return v, nil
}

func (d *decoder) object() (any, error) {
	d.i++ // {
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return map[string]any{}, nil
	}
	// Collect the members first so that the map is made once, at its final size.
	base := len(d.kv)
	defer func() { d.kv = d.kv[:base] }()
	for {
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return nil, d.fail()
		}
		k, err := d.str()
		if err != nil {
			return nil, err
		}
		d.ws()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return nil, d.fail()
		}
		d.i++
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.kv = append(d.kv, member{k, v})
		d.ws()
		if d.i >= len(d.b) {
			return nil, d.fail()
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			m := make(map[string]any, len(d.kv)-base)
			for _, e := range d.kv[base:] {
				m[e.name] = e.value
			}
			clear(d.kv[base:]) // drop references held by the reusable stack
			return m, nil
		default:
			return nil, d.fail()
		}
	}
}

func (d *decoder) array() (any, error) {
	d.i++ // [
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
		return []any{}, nil
	}
	// Collect the elements first so that the slice is made once, at its final size.
	base := len(d.el)
	defer func() { d.el = d.el[:base] }()
	for {
		v, err := d.value()
		if err != nil {
			return nil, err
		}
		d.el = append(d.el, v)
		d.ws()
		if d.i >= len(d.b) {
			return nil, d.fail()
		}
		switch d.b[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			a := slices.Clone(d.el[base:])
			clear(d.el[base:])
			return a, nil
		default:
			return nil, d.fail()
		}
	}
}

// str decodes the string starting at the opening quote.
func (d *decoder) str() (string, error) {
	start := d.i
	d.i++
	escaped := false
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case '"':
			d.i++
			if !escaped {
				return d.b[start+1 : d.i-1], nil
			}
			var s string
			if err := json.Unmarshal([]byte(d.b[start:d.i]), &s); err != nil {
				return "", d.fail()
			}
			return s, nil
		case '\\':
			escaped = true
			d.i += 2
		default:
			d.i++
		}
	}
	return "", d.fail()
}

func (d *decoder) number() (any, error) {
	start := d.i
	for d.i < len(d.b) && isNumberByte(d.b[d.i]) {
		d.i++
	}
	if d.i == start {
		return nil, d.fail()
	}
	return json.Number(d.b[start:d.i]), nil
}

func isNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

// disclosure decodes the JSON array of a disclosure, [salt, name, value] or [salt, value],
// into dst (Raw is left alone). Salt and name are read without boxing them.
func (d *decoder) disclosure(dst *Disclosure) error {
	d.ws()
	if d.i >= len(d.b) || d.b[d.i] != '[' {
		return errorf(CodeInvalidDisclosure, nil, "disclosure is not a JSON array")
	}
	d.i++
	var (
		salt, name     string
		saltOK, nameOK bool // the first two elements were strings
		vals           [3]any
		n              int
	)
	d.ws()
	if d.i < len(d.b) && d.b[d.i] == ']' {
		d.i++
	} else {
	elements:
		for {
			d.ws()
			if n < 2 && d.i < len(d.b) && d.b[d.i] == '"' {
				s, err := d.str()
				if err != nil {
					return err
				}
				if n == 0 {
					salt, saltOK = s, true
				} else {
					name, nameOK = s, true
				}
			} else {
				v, err := d.value()
				if err != nil {
					return err
				}
				if n < len(vals) {
					vals[n] = v
				}
			}
			n++
			d.ws()
			if d.i >= len(d.b) {
				return d.fail()
			}
			switch d.b[d.i] {
			case ',':
				d.i++
			case ']':
				d.i++
				break elements
			default:
				return d.fail()
			}
		}
	}
	switch n {
	case 3:
		if !nameOK {
			return errorf(CodeInvalidDisclosure, nil, "disclosure claim name is not a string")
		}
		if name == "_sd" || name == "..." {
			return errorf(CodeInvalidDisclosure, nil, "disclosure claim name %q is reserved", name)
		}
		dst.Name, dst.Value = name, vals[2]
	case 2:
		dst.Element = true
		if nameOK { // the second element of [salt, value] was a string value
			dst.Value = name
		} else {
			dst.Value = vals[1]
		}
	default:
		return errorf(CodeInvalidDisclosure, nil, "disclosure array has %d elements (want 3 for an object property, 2 for an array element)", n)
	}
	if !saltOK {
		return errorf(CodeInvalidDisclosure, nil, "disclosure salt is not a string")
	}
	dst.Salt = salt
	return nil
}

// appendJSON appends the JSON encoding of v. Maps are written with sorted keys, strings
// without HTML escaping; the common generic types are handled without reflection and anything
// else goes through encoding/json. Invalid UTF-8 and non-finite numbers are errors.
func appendJSON(b []byte, v any) ([]byte, error) {
	return appendValue(b, v, -1)
}

// appendClaims is appendJSON for issuer input found at nesting depth depth (>= 0) of the
// claims: it also rejects, anywhere in maps and arrays, the names RFC 9901 reserves and
// nesting deeper than MaxDepth, so that Issue checks the claims in the walk that encodes them.
func appendClaims(b []byte, v any, depth int) ([]byte, error) {
	return appendValue(b, v, depth)
}

// appendValue implements appendJSON (depth < 0) and appendClaims (depth >= 0).
func appendValue(b []byte, v any, depth int) ([]byte, error) {
	next := depth // the depth of v's members and elements
	if depth >= 0 {
		if depth > MaxDepth {
			return nil, errDepth()
		}
		next++
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		b, ok := appendValidString(b, x)
		if !ok {
			return nil, errorf(CodeInvalidClaim, nil, "string is not valid UTF-8")
		}
		return b, nil
	case json.Number:
		if x == "" || !json.Valid([]byte(x)) {
			return nil, errorf(CodeInvalidClaim, nil, "invalid number %q", string(x))
		}
		return append(b, x...), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case float64:
		return appendFloat(b, x)
	case float32:
		return appendFloat(b, float64(x))
	case map[string]any:
		// Members, not just names, sorted on the stack for small objects: no map lookups
		// while writing.
		var arr [16]member
		var orderArr [16]int
		members := sortedMembers(collectMembers(x, &arr), orderArr[:0])
		b = append(b, '{')
		for i, j := range members.order {
			mem := members.m[j]
			if i > 0 {
				b = append(b, ',')
			}
			if depth >= 0 && reservedName(mem.name) {
				return nil, errorf(CodeInvalidClaim, nil, "claim name %q is reserved by RFC 9901", mem.name)
			}
			var ok bool
			if b, ok = appendValidString(b, mem.name); !ok {
				return nil, errorf(CodeInvalidClaim, nil, "member name is not valid UTF-8")
			}
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, mem.value, next); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e, next); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendValidString(b, e); !ok {
				return nil, errorf(CodeInvalidClaim, nil, "string is not valid UTF-8")
			}
		}
		return append(b, ']'), nil
	case json.RawMessage:
		if err := checkJSON(x); err != nil {
			return nil, err
		}
		return append(b, x...), nil
	default:
		raw, err := json.Marshal(v)
		if err != nil {
			return nil, errorf(CodeInvalidClaim, err, "value of type %T cannot be encoded as JSON", v)
		}
		return append(b, raw...), nil
	}
}

// appendFloat writes f the way encoding/json does: integers without exponent, ES6 style.
func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, errorf(CodeInvalidClaim, nil, "number %v cannot be encoded as JSON", f)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// memberOrder is an object's members with their positions in name order.
type memberOrder struct {
	m     []member
	order []int
}

// collectMembers returns the members of obj, in arr when they fit. It is small enough to be
// inlined, so that arr is the caller's stack array and storing into it needs no write
// barrier (members hold pointers, and issuance allocates enough for the GC to run often).
func collectMembers(obj map[string]any, arr *[16]member) []member {
	if len(obj) > len(arr) {
		m := make([]member, 0, len(obj))
		for k, v := range obj {
			m = append(m, member{k, v})
		}
		return m
	}
	n := 0
	for k, v := range obj {
		arr[n] = member{k, v}
		n++
	}
	return arr[:n]
}

// sortedMembers sorts the positions of the members m into order by name (order is passed
// empty, usually backed by an array on the caller's stack). It sorts positions rather than
// the members themselves because members hold pointers: moving them costs a write barrier
// each while the GC runs.
func sortedMembers(m []member, order []int) memberOrder {
	for i := range m {
		order = append(order, i)
	}
	if len(order) > 16 {
		slices.SortFunc(order, func(i, j int) int { return strings.Compare(m[i].name, m[j].name) })
		return memberOrder{m, order}
	}
	// Insertion sort with the inlined string comparison: for the small objects of
	// credentials it beats the generic sort, which calls the comparison function each time.
	for i := 1; i < len(order); i++ {
		for j := i; j > 0 && m[order[j]].name < m[order[j-1]].name; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	return memberOrder{m, order}
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. s must be valid UTF-8.
func appendString(b []byte, s string) []byte {
	return appendStringFrom(b, s, plainPrefix(s))
}

// appendValidString appends s as a JSON string, or reports false when s is not valid UTF-8.
// A plain ASCII prefix, typically the whole string, is scanned once for both purposes.
func appendValidString(b []byte, s string) ([]byte, bool) {
	n := plainPrefix(s)
	if n < len(s) && !utf8.ValidString(s[n:]) {
		return b, false
	}
	return appendStringFrom(b, s, n), true
}

// appendStringFrom appends s as a JSON string, knowing that s[:plain] needs no escaping.
func appendStringFrom(b []byte, s string, plain int) []byte {
	b = append(b, '"')
	start := 0
	for i := plain; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plainPrefix returns the length of the longest prefix of s made of printable ASCII other
// than '"' and '\\', which JSON copies verbatim and which is valid UTF-8. Claims are mostly
// such text, so it examines 8 bytes at a time (SWAR) before finishing byte by byte.
func plainPrefix(s string) int {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		t := s[i : i+8] // one bounds check, and the compiler merges the loads below into one
		w := uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
		quote, backslash := w^(ones*'"'), w^(ones*'\\')
		// The high bit of a byte of special is set where w has a byte >= 0x80 or < 0x20, and
		// somewhere when w has a '"' or '\\' (the classic "has zero byte" test).
		special := w | (w - ones*0x20) | ((quote - ones) &^ quote) | ((backslash - ones) &^ backslash)
		if special&high != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			break
		}
	}
	return i
}
