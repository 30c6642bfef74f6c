package jose

import (
	"encoding/json"
	"unicode/utf8"
)

// CheckJSON reports whether b is exactly one well-formed JSON value (RFC 8259) with valid
// UTF-8 in every string, no duplicate member names in any object, and nesting no deeper than
// MaxJSONDepth. encoding/json accepts duplicates (last wins) and replaces invalid UTF-8
// silently; RFC 8725 §3.7 asks for neither, so every JOSE-borne JSON in hashi passes here first.
func CheckJSON(b []byte) error {
	s := scanner{b: b}
	s.ws()
	if err := s.value(0); err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.b) {
		return s.fail("trailing data after JSON value")
	}
	return nil
}

// DecodeJSON checks b with CheckJSON and then unmarshals it into v.
func DecodeJSON(b []byte, v any) error {
	if err := CheckJSON(b); err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errorf(CodeMalformed, err, "invalid JSON")
	}
	return nil
}

// scanMembers checks b like CheckJSON, requires it to be an object, and calls fn with each
// top-level member's decoded name and raw value bytes, in order.
func scanMembers(b []byte, fn func(name, value []byte) error) error {
	s := scanner{b: b, onMember: fn}
	s.ws()
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return s.fail("not a JSON object")
	}
	if err := s.value(0); err != nil {
		return err
	}
	s.ws()
	if s.i != len(s.b) {
		return s.fail("trailing data after JSON value")
	}
	return nil
}

// decodeString decodes a JSON string value; raw strings without escapes are converted directly.
func decodeString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	for _, c := range inner {
		if c == '\\' {
			var out string
			if json.Unmarshal(v, &out) != nil {
				return "", false
			}
			return out, true
		}
	}
	return string(inner), true
}

// decodeStringArray decodes a JSON array of strings (already validated by the scanner).
func decodeStringArray(v []byte) ([]string, bool) {
	s := scanner{b: v}
	if len(v) == 0 || v[0] != '[' {
		return nil, false
	}
	s.i++
	out := []string{}
	for {
		s.ws()
		if s.i < len(s.b) && s.b[s.i] == ']' && len(out) == 0 {
			return out, true
		}
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return nil, false
		}
		e, err := s.str(true)
		if err != nil {
			return nil, false
		}
		out = append(out, string(e))
		s.ws()
		if s.i >= len(s.b) {
			return nil, false
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			return out, true
		default:
			return nil, false
		}
	}
}

type scanner struct {
	b []byte
	i int
	// onMember, when set, receives the members of the top-level object.
	onMember func(name, value []byte) error
}

func (s *scanner) fail(msg string) error {
	return errorf(CodeMalformed, nil, "invalid JSON at byte %d: %s", s.i, msg)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) value(depth int) error {
	if depth > MaxJSONDepth {
		return s.fail("nested too deeply")
	}
	if s.i >= len(s.b) {
		return s.fail("unexpected end")
	}
	switch c := s.b[s.i]; {
	case c == '{':
		return s.object(depth)
	case c == '[':
		return s.array(depth)
	case c == '"':
		_, err := s.str(false)
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if len(s.b)-s.i >= len(lit) && string(s.b[s.i:s.i+len(lit)]) == lit {
				s.i += len(lit)
				return nil
			}
		}
		return s.fail("unexpected character")
	}
}

func (s *scanner) object(depth int) error {
	s.i++ // {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	// Objects in JOSE payloads are small: a slice on the stack beats a map, and names are
	// compared as the raw bytes between their quotes unless they hold escapes.
	var arr [16][]byte
	seen := arr[:0]
	for {
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return s.fail("expected member name")
		}
		name, err := s.str(true)
		if err != nil {
			return err
		}
		for _, n := range seen {
			if string(n) == string(name) {
				return s.fail("duplicate member " + quoteName(string(name)))
			}
		}
		seen = append(seen, name)
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return s.fail("expected ':'")
		}
		s.i++
		s.ws()
		start := s.i
		if err := s.value(depth + 1); err != nil {
			return err
		}
		if depth == 0 && s.onMember != nil {
			if err := s.onMember(name, s.b[start:s.i]); err != nil {
				return err
			}
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.fail("unexpected end in object")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case '}':
			s.i++
			return nil
		default:
			return s.fail("expected ',' or '}'")
		}
	}
}

func (s *scanner) array(depth int) error {
	s.i++ // [
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		if err := s.value(depth + 1); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return s.fail("unexpected end in array")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
			s.ws()
		case ']':
			s.i++
			return nil
		default:
			return s.fail("expected ',' or ']'")
		}
	}
}

// str scans a string starting at the opening quote. When want is true it returns the
// decoded value (used for member names): a sub-slice of the input when the string has no
// escapes, a decoded copy otherwise.
func (s *scanner) str(want bool) ([]byte, error) {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		// Most string bytes are plain ASCII; skip runs of them without the checks below.
		for s.i < len(s.b) && plainASCII[s.b[s.i]] {
			s.i++
		}
		if s.i >= len(s.b) {
			break
		}
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !want {
				return nil, nil
			}
			if !escaped {
				return s.b[start+1 : s.i-1], nil
			}
			var out string
			if err := json.Unmarshal(s.b[start:s.i], &out); err != nil {
				return nil, s.fail("invalid string")
			}
			return []byte(out), nil
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.b) {
				return nil, s.fail("unterminated escape")
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) || !isHex4(s.b[s.i+2:s.i+6]) {
					return nil, s.fail("invalid \\u escape")
				}
				s.i += 6
			default:
				return nil, s.fail("invalid escape")
			}
		case c < 0x20:
			return nil, s.fail("control character in string")
		case c < utf8.RuneSelf:
			s.i++
		default:
			r, n := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && n <= 1 {
				return nil, s.fail("invalid UTF-8")
			}
			s.i += n
		}
	}
	return nil, s.fail("unterminated string")
}

// plainASCII marks the bytes a JSON string may hold as they are: printable ASCII other
// than the quote and the backslash.
var plainASCII = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func isHex4(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

func (s *scanner) number() error {
	start := s.i
	if s.b[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i < len(s.b) && s.b[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		s.i = start
		return s.fail("invalid number")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if digits() == 0 {
			return s.fail("invalid number fraction")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return s.fail("invalid number exponent")
		}
	}
	return nil
}

func quoteName(n string) string {
	b, _ := json.Marshal(n)
	return string(b)
}
