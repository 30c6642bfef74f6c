package pki

import (
	"crypto/x509/pkix"
	"fmt"
	"strings"
)

// attributeNames are the RFC 4514 short names used in manifest subjects.
var attributeNames = map[string]string{
	"2.5.4.3":  "CN",
	"2.5.4.6":  "C",
	"2.5.4.7":  "L",
	"2.5.4.8":  "ST",
	"2.5.4.10": "O",
	"2.5.4.11": "OU",
	"2.5.4.5":  "serialNumber",
	"2.5.4.97": "organizationIdentifier",
}

// formatName renders parsed name attributes (in certificate order) as an RFC 4514 string
// (most specific first), with readable names for organizationIdentifier.
func formatName(names []pkix.AttributeTypeAndValue) string {
	parts := make([]string, 0, len(names))
	for i := len(names) - 1; i >= 0; i-- {
		a := names[i]
		t, ok := attributeNames[a.Type.String()]
		if !ok {
			t = a.Type.String()
		}
		parts = append(parts, t+"="+escapeValue(fmt.Sprint(a.Value)))
	}
	return strings.Join(parts, ",")
}

// escapeValue escapes an attribute value per RFC 4514 §2.4.
func escapeValue(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r == ',' || r == '+' || r == '"' || r == '\\' || r == '<' || r == '>' || r == ';' || r == '=':
			b.WriteByte('\\')
		case i == 0 && (r == ' ' || r == '#'):
			b.WriteByte('\\')
		case i == len(s)-1 && r == ' ':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
