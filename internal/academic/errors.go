package academic

import (
	"fmt"
	"strings"
)

// Code classifies an Error. Codes are stable; compare them, never messages.
type Code int

// Error codes.
const (
	// CodeInvalid: the input is well-formed JSON (or a Go value) but one or
	// more fields break a rule. Error.Fields lists every failing field.
	CodeInvalid Code = iota + 1
	// CodeMalformed: the input is not a JSON object (syntax error, invalid
	// UTF-8, trailing data, nesting too deep).
	CodeMalformed
	// CodeTooLarge: the input exceeds a limit in limits.go.
	CodeTooLarge
	// CodeUnknownType: the credential type (vct) is not one this package knows.
	CodeUnknownType
	// CodeNoMapping: the crosswalk has no level for the country, degree type
	// and duration asked about.
	CodeNoMapping
)

var codeNames = map[Code]string{
	CodeInvalid:     "invalid",
	CodeMalformed:   "malformed",
	CodeTooLarge:    "too large",
	CodeUnknownType: "unknown credential type",
	CodeNoMapping:   "no crosswalk mapping",
}

// String returns the code's name.
func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// Sentinels for errors.Is. An *Error matches the sentinel with the same Code.
var (
	ErrInvalid     = &Error{Code: CodeInvalid}
	ErrMalformed   = &Error{Code: CodeMalformed}
	ErrTooLarge    = &Error{Code: CodeTooLarge}
	ErrUnknownType = &Error{Code: CodeUnknownType}
	ErrNoMapping   = &Error{Code: CodeNoMapping}
)

// Error is the one error type of this package.
type Error struct {
	Code Code
	// Fields lists every failing field for CodeInvalid (and the offending
	// field, when there is one, for other codes), sorted by Path.
	Fields []FieldError
	// Detail is extra context in English, e.g. the crosswalk key.
	Detail string
	// Err is the underlying cause, if any (e.g. a JSON syntax error).
	Err error
}

// FieldError names one failing field and the rule it breaks.
type FieldError struct {
	// Path is the JSON path of the field: member names joined by ".", array
	// indexes and language-map keys in brackets, e.g. "degree.eqf_level",
	// "learner.native_names[0].family_name", "degree.title[ja]".
	Path string `json:"path"`
	// Rule is the stable machine name of the rule, e.g. "required", "eqf",
	// "country", "lang", "unknown_field", "type".
	Rule string `json:"rule"`
	// Param is the rule's parameter, if any (e.g. "8" for max=8).
	Param string `json:"param,omitempty"`
	// Message states the rule in plain English, e.g. "must be between 1 and 8".
	Message string `json:"message"`
	// MessageJA states the rule in Japanese.
	MessageJA string `json:"message_ja"`
}

// String returns "path message", e.g. "degree.eqf_level must be between 1 and 8".
func (f FieldError) String() string {
	if f.Path == "" {
		return f.Message
	}
	return f.Path + " " + f.Message
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("academic: ")
	b.WriteString(e.Code.String())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	for i, f := range e.Fields {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(f.String())
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel (or any *Error) with e's Code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}
