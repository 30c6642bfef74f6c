package academic

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ParseDiplomaJSON builds a Diploma from a registrar's JSON document (the
// JSON form of Diploma) and validates it.
//
// Decoding is strict: the document must be one JSON object in valid UTF-8,
// at most MaxDiplomaJSONBytes long and maxJSONDepth deep, with no trailing
// data. Member names match exactly (case-sensitive). Unknown members,
// duplicate members and values of the wrong JSON type are reported as field
// errors with their paths (Rule "unknown_field", "duplicate_key", "type"),
// together with every rule the record breaks (see Diploma.Validate), in one
// *Error with CodeInvalid.
//
// When the document states none of degree.isced, degree.eqf_level and
// degree.level_basis, ParseDiplomaJSON fills all three from the crosswalk
// (Classify) for awarding_body.country, degree.type and
// degree.duration_years; the basis then records where the level comes from.
// When it states some of them, none is filled and the rest are required.
//
// ParseDiplomaJSON returns an *Error with CodeTooLarge, CodeMalformed or
// CodeInvalid.
func ParseDiplomaJSON(data []byte) (Diploma, error) {
	if len(data) > MaxDiplomaJSONBytes {
		return Diploma{}, &Error{Code: CodeTooLarge, Detail: fmt.Sprintf("%d bytes, limit %d", len(data), MaxDiplomaJSONBytes)}
	}
	if !utf8.Valid(data) {
		return Diploma{}, &Error{Code: CodeMalformed, Detail: "not valid UTF-8"}
	}
	w := &walker{dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	tok, err := w.dec.Token()
	if err != nil {
		return Diploma{}, &Error{Code: CodeMalformed, Detail: "not a JSON object", Err: err}
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return Diploma{}, &Error{Code: CodeMalformed, Detail: "not a JSON object"}
	}
	if err := w.value(tok, reflect.TypeFor[Diploma](), "", 1); err != nil {
		return Diploma{}, err
	}
	if _, err := w.dec.Token(); !errors.Is(err, io.EOF) {
		return Diploma{}, &Error{Code: CodeMalformed, Detail: "trailing data after the JSON object"}
	}
	if w.undecodable > 0 {
		return Diploma{}, &Error{Code: CodeInvalid, Fields: sortFields(w.errs)}
	}
	var d Diploma
	if err := json.Unmarshal(data, &d); err != nil {
		return Diploma{}, &Error{Code: CodeMalformed, Err: err}
	}
	if d.Degree.EQFLevel == 0 && d.Degree.ISCED == "" && d.Degree.LevelBasis == "" {
		if lvl, err := Classify(d.AwardingBody.Country, d.Degree.Type, d.Degree.DurationYears); err == nil {
			d.Degree.ISCED, d.Degree.EQFLevel, d.Degree.LevelBasis = lvl.ISCED, lvl.EQF, lvl.Basis
		}
	}
	fields := w.errs
	if err := d.Validate(); err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return Diploma{}, err
		}
		fields = append(fields, e.Fields...)
	}
	if len(fields) > 0 {
		if len(fields) > maxFieldErrors {
			fields = append(fields[:maxFieldErrors], FieldError{Rule: "too_many_errors", Message: "more errors not shown", MessageJA: "以降のエラーは省略しました"})
		}
		return Diploma{}, &Error{Code: CodeInvalid, Fields: sortFields(fields)}
	}
	return d, nil
}

// walker checks a JSON token stream against a Go type: member names, JSON
// types, duplicates and depth.
type walker struct {
	dec         *json.Decoder
	errs        []FieldError
	undecodable int
}

var errTooDeep = &Error{Code: CodeMalformed, Detail: fmt.Sprintf("nested deeper than %d levels", maxJSONDepth)}

func (w *walker) add(f FieldError) {
	if len(w.errs) <= maxFieldErrors {
		w.errs = append(w.errs, f)
	}
}

func (w *walker) typeError(path, want string) {
	w.undecodable++
	w.add(newFieldError(path, "type", want))
}

func (w *walker) next() (json.Token, error) {
	tok, err := w.dec.Token()
	if err != nil {
		return nil, &Error{Code: CodeMalformed, Err: err}
	}
	return tok, nil
}

// value checks the value that starts with tok against t.
func (w *walker) value(tok json.Token, t reflect.Type, path string, depth int) error {
	if tok == nil {
		return nil // null leaves the zero value; required rules catch it
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	delim, isDelim := tok.(json.Delim)
	if isDelim && depth > maxJSONDepth {
		return errTooDeep
	}
	switch t.Kind() {
	case reflect.Struct:
		if !isDelim || delim != '{' {
			return w.mismatch(tok, path, "an object", depth)
		}
		fields := jsonFields(t)
		return w.object(path, func(key, p string, vtok json.Token) error {
			ft, ok := fields[key]
			if !ok {
				w.add(newFieldError(p, "unknown_field", ""))
				return w.skip(vtok, depth+1)
			}
			return w.value(vtok, ft, p, depth+1)
		}, ".")
	case reflect.Map:
		if !isDelim || delim != '{' {
			return w.mismatch(tok, path, "an object", depth)
		}
		return w.object(path, func(_, p string, vtok json.Token) error {
			return w.value(vtok, t.Elem(), p, depth+1)
		}, "[")
	case reflect.Slice:
		if !isDelim || delim != '[' {
			return w.mismatch(tok, path, "an array", depth)
		}
		for i := 0; w.dec.More(); i++ {
			vtok, err := w.next()
			if err != nil {
				return err
			}
			if err := w.value(vtok, t.Elem(), path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		_, err := w.next() // ']'
		return err
	case reflect.String:
		if _, ok := tok.(string); !ok {
			return w.mismatch(tok, path, "a string", depth)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := tok.(json.Number)
		if !ok {
			return w.mismatch(tok, path, "a whole number", depth)
		}
		if _, err := n.Int64(); err != nil {
			w.typeError(path, "a whole number")
		}
	case reflect.Float32, reflect.Float64:
		n, ok := tok.(json.Number)
		if !ok {
			return w.mismatch(tok, path, "a number", depth)
		}
		if _, err := n.Float64(); err != nil {
			w.typeError(path, "a number")
		}
	case reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return w.mismatch(tok, path, "a boolean", depth)
		}
	default:
		return &Error{Code: CodeMalformed, Detail: "unsupported field type " + t.String()}
	}
	return nil
}

// object walks the members of an object whose '{' was read. sep is "." for
// struct members and "[" for map keys.
func (w *walker) object(path string, member func(key, p string, vtok json.Token) error, sep string) error {
	seen := map[string]bool{}
	for w.dec.More() {
		ktok, err := w.next()
		if err != nil {
			return err
		}
		key, _ := ktok.(string)
		var p string
		switch {
		case sep == "[":
			p = path + "[" + key + "]"
		case path == "":
			p = key
		default:
			p = path + "." + key
		}
		if seen[key] {
			w.undecodable++ // the record cannot be decoded unambiguously
			w.add(newFieldError(p, "duplicate_key", ""))
		}
		seen[key] = true
		vtok, err := w.next()
		if err != nil {
			return err
		}
		if err := member(key, p, vtok); err != nil {
			return err
		}
	}
	_, err := w.next() // '}'
	return err
}

// mismatch records a type error and skips the offending value.
func (w *walker) mismatch(tok json.Token, path, want string, depth int) error {
	w.typeError(path, want)
	return w.skip(tok, depth)
}

// skip consumes the rest of a value that starts with tok.
func (w *walker) skip(tok json.Token, depth int) error {
	d, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	if depth > maxJSONDepth {
		return errTooDeep
	}
	if d != '{' && d != '[' {
		return &Error{Code: CodeMalformed, Detail: "unexpected " + d.String()}
	}
	for w.dec.More() {
		if d == '{' {
			if _, err := w.next(); err != nil { // key
				return err
			}
		}
		vtok, err := w.next()
		if err != nil {
			return err
		}
		if err := w.skip(vtok, depth+1); err != nil {
			return err
		}
	}
	_, err := w.next()
	return err
}

// jsonFields maps the JSON member names of struct type t to field types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	m := make(map[string]reflect.Type, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	return m
}
