package sdjwt

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// Path is a claims path pointer (OpenID4VP 1.0 §7, OpenID4VCI 1.0 Appendix C): a non-empty
// list whose components are a string (an object member), a non-negative int (an array
// index) or nil (every element of an array). For example Path{"address", "locality"} or
// Path{"nationalities", nil}.
type Path []any

// ParsePath decodes a claims path pointer from its JSON form, e.g. ["degrees", null, "type"].
func ParsePath(b []byte) (Path, error) {
	if err := checkJSON(b); err != nil {
		return nil, errorf(CodeInvalidPath, err, "claims path pointer")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var raw []any
	if err := dec.Decode(&raw); err != nil {
		return nil, errorf(CodeInvalidPath, err, "claims path pointer is not a JSON array")
	}
	p := make(Path, len(raw))
	for i, c := range raw {
		switch v := c.(type) {
		case string, nil:
			p[i] = v
		case json.Number:
			n, err := strconv.Atoi(v.String())
			if err != nil {
				return nil, errorf(CodeInvalidPath, nil, "component %d (%s) is not an integer index", i, v)
			}
			p[i] = n
		default:
			return nil, errorf(CodeInvalidPath, nil, "component %d has type %T", i, c)
		}
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

// String returns the JSON form of p, e.g. ["address","locality"].
func (p Path) String() string {
	b := []byte{'['}
	for i, c := range p {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := c.(type) {
		case string:
			b = appendString(b, v)
		case int:
			b = strconv.AppendInt(b, int64(v), 10)
		case nil:
			b = append(b, "null"...)
		default:
			b = append(b, '?')
		}
	}
	return string(append(b, ']'))
}

// check validates the form of p: non-empty, bounded, and made of strings, non-negative ints
// and nils only.
func (p Path) check() error {
	if len(p) == 0 {
		return errorf(CodeInvalidPath, nil, "claims path pointer is empty")
	}
	if len(p) > MaxPathLength {
		return errorf(CodeInvalidPath, nil, "claims path pointer has %d components, more than %d", len(p), MaxPathLength)
	}
	for i, c := range p {
		switch v := c.(type) {
		case string, nil:
		case int:
			if v < 0 {
				return errorf(CodeInvalidPath, nil, "component %d of %s is a negative index", i, p)
			}
		default:
			return errorf(CodeInvalidPath, nil, "component %d of %s has type %T (want string, int or nil)", i, p, c)
		}
	}
	return nil
}

// clone returns a copy of p that does not share its backing array.
func (p Path) clone() Path {
	return append(Path(nil), p...)
}

// isPrefixOf reports whether q starts with all components of p, comparing concrete paths
// (strings and ints only).
func (p Path) isPrefixOf(q Path) bool {
	if len(p) > len(q) {
		return false
	}
	for i := range p {
		if p[i] != q[i] {
			return false
		}
	}
	return true
}
