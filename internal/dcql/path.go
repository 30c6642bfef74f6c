package dcql

import (
	"encoding/json"
	"strconv"
)

// Path is a claims path pointer (OpenID4VP 1.0 §7): a non-empty list whose components are a
// string (an object member), a non-negative int (an array index) or nil (every element of an
// array), e.g. Path{"degree", "title"} or Path{"nationalities", nil}. It has the underlying
// type of sdjwt.Path, so sdjwt.Path(p) hands it to sdjwt.Select unchanged.
type Path []any

// check validates the form of p: non-empty, at most MaxPathLength components, each a string,
// nil or non-negative int.
func (p Path) check() *Error {
	if len(p) == 0 {
		return errorf(CodeInvalidPath, nil, "claims path pointer is empty")
	}
	if len(p) > MaxPathLength {
		return errorf(CodeLimitExceeded, nil, "claims path pointer has %d components, more than %d", len(p), MaxPathLength)
	}
	for i, c := range p {
		switch v := c.(type) {
		case string, nil:
		case int:
			if v < 0 {
				return errorf(CodeInvalidPath, nil, "component %d is a negative index", i)
			}
		default:
			return errorf(CodeInvalidPath, nil, "component %d has type %T (want string, int or nil)", i, c)
		}
	}
	return nil
}

// String returns the JSON form of p, e.g. ["degree","title"].
func (p Path) String() string {
	b := []byte{'['}
	for i, c := range p {
		if i > 0 {
			b = append(b, ',')
		}
		switch v := c.(type) {
		case string:
			s, _ := json.Marshal(v) // a string always marshals
			b = append(b, s...)
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

// Equal reports whether p and o have the same components. Components other than strings,
// ints and nil are never equal.
func (p Path) Equal(o Path) bool {
	if len(p) != len(o) {
		return false
	}
	for i := range p {
		switch a := p[i].(type) {
		case string:
			if b, ok := o[i].(string); !ok || a != b {
				return false
			}
		case int:
			if b, ok := o[i].(int); !ok || a != b {
				return false
			}
		case nil:
			if o[i] != nil {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// node is one selected JSON element and the concrete path (strings and ints) to it.
type node struct {
	v    any
	path Path
}

// Select processes the claims path pointer path against the decoded JSON document doc as
// OpenID4VP 1.0 §7.1 says and returns the selected elements, in document order of arrays.
// Objects must be map[string]any and arrays []any (as encoding/json decodes into any).
//
// It fails with CodeInvalidPath when path is malformed, CodePathTypeMismatch when a string
// applies to a non-object or null or an index to a non-array, and CodeNoMatch when nothing
// is selected (missing members and indices drop out of the selection first).
func Select(path Path, doc any) ([]any, error) {
	nodes, err := selectNodes(path, doc)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(nodes))
	for i, n := range nodes {
		out[i] = n.v
	}
	return out, nil
}

// selectNodes is Select returning the concrete path of each selected element too.
func selectNodes(path Path, doc any) ([]node, error) {
	if err := path.check(); err != nil {
		return nil, err
	}
	cur := []node{{v: doc}}
	for i, c := range path {
		var next []node
		for _, n := range cur {
			switch k := c.(type) {
			case string:
				m, ok := n.v.(map[string]any)
				if !ok {
					return nil, errorf(CodePathTypeMismatch, nil, "%s: component %d (%q) applies to a non-object at %s", path, i, k, n.path)
				}
				if v, ok := m[k]; ok {
					next = append(next, node{v: v, path: extend(n.path, k)})
				}
			case nil:
				a, ok := n.v.([]any)
				if !ok {
					return nil, errorf(CodePathTypeMismatch, nil, "%s: component %d (null) applies to a non-array at %s", path, i, n.path)
				}
				for j, v := range a {
					next = append(next, node{v: v, path: extend(n.path, j)})
				}
			case int:
				a, ok := n.v.([]any)
				if !ok {
					return nil, errorf(CodePathTypeMismatch, nil, "%s: component %d (%d) applies to a non-array at %s", path, i, k, n.path)
				}
				if k < len(a) {
					next = append(next, node{v: a[k], path: extend(n.path, k)})
				}
			}
		}
		cur = next
	}
	if len(cur) == 0 {
		return nil, errorf(CodeNoMatch, nil, "%s selects nothing", path)
	}
	return cur, nil
}

// extend returns p with c appended, never sharing p's backing array.
func extend(p Path, c any) Path {
	out := make(Path, len(p), len(p)+1)
	copy(out, p)
	return append(out, c)
}
