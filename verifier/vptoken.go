package verifier

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/hashi-vc/hashi/internal/dcql"
)

// parseVPToken reads the vp_token (OpenID4VP 1.0 §8.1) strictly and checks its shape against q:
// one JSON object, valid UTF-8, no duplicate keys, each key a credential query id, each value a
// non-empty array of strings (one string unless the query allows multiple), MaxPresentations
// strings in all, nothing after the object. It is a small scanner for exactly this shape:
// presentations are long base64url strings, and a general JSON decoder spends most of a
// verification's non-cryptographic time on them.
func parseVPToken(b []byte, q *dcql.Query) (map[string][]string, error) {
	if len(b) > MaxVPTokenSize {
		return nil, fmt.Errorf("vp_token is %d bytes, more than %d", len(b), MaxVPTokenSize)
	}
	s := &vpScanner{b: b}
	s.space()
	if !s.eat('{') {
		return nil, errors.New("vp_token is not a JSON object")
	}
	out := map[string][]string{}
	total := 0
	s.space()
	if s.eat('}') {
		return nil, errors.New("vp_token holds no presentation")
	}
	for {
		s.space()
		id, err := s.str()
		if err != nil {
			return nil, fmt.Errorf("vp_token key: %w", err)
		}
		if _, dup := out[id]; dup {
			return nil, fmt.Errorf("vp_token key %q occurs twice", id)
		}
		cq := q.Credential(id)
		if cq == nil {
			return nil, fmt.Errorf("vp_token key %q is not a credential query id", id)
		}
		s.space()
		if !s.eat(':') {
			return nil, errors.New("vp_token: ':' expected")
		}
		s.space()
		if !s.eat('[') {
			return nil, fmt.Errorf("vp_token[%q] is not an array of presentation strings", id)
		}
		var arr []string
		s.space()
		if !s.eat(']') {
			for {
				s.space()
				p, err := s.str()
				if err != nil {
					return nil, fmt.Errorf("vp_token[%q] is not an array of presentation strings: %w", id, err)
				}
				arr = append(arr, p)
				if total+len(arr) > MaxPresentations {
					return nil, fmt.Errorf("vp_token holds more than %d presentations", MaxPresentations)
				}
				s.space()
				if s.eat(']') {
					break
				}
				if !s.eat(',') {
					return nil, fmt.Errorf("vp_token[%q]: ',' or ']' expected", id)
				}
			}
		}
		switch {
		case len(arr) == 0:
			return nil, fmt.Errorf("vp_token[%q] holds no presentation", id)
		case len(arr) > 1 && !cq.Multiple:
			return nil, fmt.Errorf("vp_token[%q] holds %d presentations and the query does not allow multiple", id, len(arr))
		}
		total += len(arr)
		out[id] = arr
		s.space()
		if s.eat('}') {
			break
		}
		if !s.eat(',') {
			return nil, errors.New("vp_token: ',' or '}' expected")
		}
	}
	s.space()
	if s.i != len(s.b) {
		return nil, errors.New("vp_token: data after the JSON object")
	}
	return out, nil
}

type vpScanner struct {
	b []byte
	i int
}

func (s *vpScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *vpScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a JSON string. Strings without escapes (every real presentation) are copied as
// they are after a UTF-8 and control-character check; others go through encoding/json.
func (s *vpScanner) str() (string, error) {
	if !s.eat('"') {
		return "", errors.New("string expected")
	}
	// Fast path for presentations (kilobytes of base64url): the closing quote and any
	// backslash found with bytes.IndexByte, then plain ASCII without control characters
	// checked eight bytes at a time.
	if end := bytes.IndexByte(s.b[s.i:], '"'); end >= 0 {
		raw := s.b[s.i : s.i+end]
		if bytes.IndexByte(raw, '\\') < 0 && plainASCII(raw) {
			s.i += end + 1
			return string(raw), nil
		}
	}
	start, escaped := s.i, false
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			raw := s.b[start:s.i]
			s.i++
			if !escaped {
				if !utf8.Valid(raw) {
					return "", errors.New("invalid UTF-8")
				}
				return string(raw), nil
			}
			var out string
			if err := json.Unmarshal(s.b[start-1:s.i], &out); err != nil {
				return "", err
			}
			if !utf8.Valid(raw) { // encoding/json replaces invalid UTF-8 silently
				return "", errors.New("invalid UTF-8")
			}
			return out, nil
		case c == '\\':
			escaped = true
			s.i++ // skip the escaped character (a quote or backslash must not end the string)
		case c < 0x20:
			return "", errors.New("control character in string")
		}
	}
	return "", errors.New("unterminated string")
}

// plainASCII reports whether b is printable ASCII: every byte in 0x20..0x7f. Eight bytes at
// a time: a byte is below 0x20 when subtracting 0x20 borrows into its top bit while that bit
// was clear, and non-ASCII when its top bit is set.
func plainASCII(b []byte) bool {
	const highs, spaces = 0x8080808080808080, 0x20 * 0x0101010101010101
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&highs != 0 || (x-spaces)&^x&highs != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i] < 0x20 || b[i] >= 0x80 {
			return false
		}
	}
	return true
}
