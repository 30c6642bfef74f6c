package dcql

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/hashi-vc/hashi/internal/jose"
)

// Parse decodes a DCQL query (the JSON value of the dcql_query parameter) and validates it.
//
// The JSON must be strict (RFC 8259, valid UTF-8, no duplicate member names, at most
// MaxQuerySize bytes); member names match exactly (encoding/json would also accept "ID" for
// "id"); members the spec defines must have their JSON types (null is not "absent"); and
// members it does not define are ignored, as OpenID4VP 1.0 §6 demands, including meta
// members of other formats. The result passes Validate. Errors are *Error with the code of
// the broken rule and the JSON location in the message.
func Parse(data []byte) (*Query, error) {
	if len(data) > MaxQuerySize {
		return nil, errorf(CodeLimitExceeded, nil, "query is %d bytes, more than %d", len(data), MaxQuerySize)
	}
	if err := jose.CheckJSON(data); err != nil {
		return nil, errorf(CodeMalformed, err, "query is not strict JSON")
	}
	top, err := object(data, "query")
	if err != nil {
		return nil, err
	}
	q := &Query{}
	raw, ok := top["credentials"]
	if !ok {
		return nil, errorf(CodeMalformed, nil, "credentials is missing")
	}
	creds, err := array(raw, "credentials", MaxCredentials)
	if err != nil {
		return nil, err
	}
	q.Credentials = make([]CredentialQuery, len(creds))
	for i, c := range creds {
		if err := parseCredential(c, fmt.Sprintf("credentials[%d]", i), &q.Credentials[i]); err != nil {
			return nil, err
		}
	}
	if raw, ok := top["credential_sets"]; ok {
		sets, err := array(raw, "credential_sets", MaxCredentialSets)
		if err != nil {
			return nil, err
		}
		q.CredentialSets = make([]CredentialSetQuery, len(sets))
		for i, s := range sets {
			at := fmt.Sprintf("credential_sets[%d]", i)
			m, err := object(s, at)
			if err != nil {
				return nil, err
			}
			raw, ok := m["options"]
			if !ok {
				return nil, errorf(CodeMalformed, nil, "%s.options is missing", at)
			}
			if q.CredentialSets[i].Options, err = stringArrays(raw, at+".options", MaxOptions, MaxClaims); err != nil {
				return nil, err
			}
			if raw, ok := m["required"]; ok {
				b, err := boolean(raw, at+".required")
				if err != nil {
					return nil, err
				}
				q.CredentialSets[i].Required = &b
			}
		}
	}
	if err := q.Validate(); err != nil {
		return nil, err
	}
	return q, nil
}

func parseCredential(data json.RawMessage, at string, c *CredentialQuery) error {
	m, err := object(data, at)
	if err != nil {
		return err
	}
	if c.ID, err = requiredString(m, "id", at); err != nil {
		return err
	}
	if c.Format, err = requiredString(m, "format", at); err != nil {
		return err
	}
	if raw, ok := m["multiple"]; ok {
		if c.Multiple, err = boolean(raw, at+".multiple"); err != nil {
			return err
		}
	}
	raw, ok := m["meta"]
	if !ok {
		return errorf(CodeInvalidMeta, nil, "%s.meta is missing", at)
	}
	if err := parseMeta(raw, c.Format, at+".meta", &c.Meta); err != nil {
		return err
	}
	if raw, ok := m["trusted_authorities"]; ok {
		tas, err := array(raw, at+".trusted_authorities", MaxTrustedAuthorities)
		if err != nil {
			return err
		}
		c.TrustedAuthorities = make([]TrustedAuthoritiesQuery, len(tas))
		for j, t := range tas {
			tat := fmt.Sprintf("%s.trusted_authorities[%d]", at, j)
			tm, err := object(t, tat)
			if err != nil {
				return err
			}
			if c.TrustedAuthorities[j].Type, err = requiredString(tm, "type", tat); err != nil {
				return err
			}
			raw, ok := tm["values"]
			if !ok {
				return errorf(CodeMalformed, nil, "%s.values is missing", tat)
			}
			if c.TrustedAuthorities[j].Values, err = stringArray(raw, tat+".values", MaxAuthorityValues); err != nil {
				return err
			}
		}
	}
	if raw, ok := m["require_cryptographic_holder_binding"]; ok {
		b, err := boolean(raw, at+".require_cryptographic_holder_binding")
		if err != nil {
			return err
		}
		c.RequireCryptographicHolderBinding = &b
	}
	if raw, ok := m["claims"]; ok {
		cls, err := array(raw, at+".claims", MaxClaims)
		if err != nil {
			return err
		}
		c.Claims = make([]ClaimsQuery, len(cls))
		for j, cl := range cls {
			if err := parseClaim(cl, fmt.Sprintf("%s.claims[%d]", at, j), c.Format, &c.Claims[j]); err != nil {
				return err
			}
		}
	}
	if raw, ok := m["claim_sets"]; ok {
		if c.ClaimSets, err = stringArrays(raw, at+".claim_sets", MaxClaimSets, MaxClaims); err != nil {
			return err
		}
	}
	return nil
}

func parseMeta(data json.RawMessage, format, at string, meta *Meta) error {
	m, err := object(data, at)
	if err != nil {
		return errorf(CodeInvalidMeta, err, "%s", at)
	}
	// Keep a limit's code; any other defect of a meta member is CodeInvalidMeta.
	metaErr := func(err error, member string) error {
		if CodeOf(err) == CodeLimitExceeded {
			return err
		}
		return errorf(CodeInvalidMeta, err, "%s.%s", at, member)
	}
	switch format {
	case FormatSDJWTVC:
		raw, ok := m["vct_values"]
		if !ok {
			return errorf(CodeInvalidMeta, nil, "%s.vct_values is required for %s", at, format)
		}
		if meta.VCTValues, err = stringArray(raw, at+".vct_values", MaxValues); err != nil {
			return metaErr(err, "vct_values")
		}
	case FormatJWTVCJSON, FormatLDPVC:
		raw, ok := m["type_values"]
		if !ok {
			return errorf(CodeInvalidMeta, nil, "%s.type_values is required for %s", at, format)
		}
		if meta.TypeValues, err = stringArrays(raw, at+".type_values", MaxValues, MaxValues); err != nil {
			return metaErr(err, "type_values")
		}
	case FormatMSOMdoc:
		raw, ok := m["doctype_value"]
		if !ok {
			return errorf(CodeInvalidMeta, nil, "%s.doctype_value is required for %s", at, format)
		}
		if meta.DoctypeValue, err = str(raw, at+".doctype_value"); err != nil {
			return metaErr(err, "doctype_value")
		}
	}
	return nil
}

func parseClaim(data json.RawMessage, at, format string, cl *ClaimsQuery) error {
	m, err := object(data, at)
	if err != nil {
		return err
	}
	if raw, ok := m["id"]; ok {
		if cl.ID, err = str(raw, at+".id"); err != nil {
			return err
		}
		if cl.ID == "" {
			return errorf(CodeInvalidID, nil, "%s.id is empty", at)
		}
	}
	raw, ok := m["path"]
	if !ok {
		return errorf(CodeInvalidPath, nil, "%s.path is missing", at)
	}
	if cl.Path, err = parsePath(raw, at+".path"); err != nil {
		return err
	}
	if raw, ok := m["values"]; ok {
		vs, err := array(raw, at+".values", MaxValues)
		if err != nil {
			return err
		}
		cl.Values = make([]any, len(vs))
		for i, v := range vs {
			if cl.Values[i], err = scalar(v); err != nil {
				return errorf(CodeInvalidValues, err, "%s.values[%d]", at, i)
			}
		}
	}
	if raw, ok := m["intent_to_retain"]; ok && format == FormatMSOMdoc {
		b, err := boolean(raw, at+".intent_to_retain")
		if err != nil {
			return err
		}
		cl.IntentToRetain = &b
	}
	return nil
}

func parsePath(data json.RawMessage, at string) (Path, error) {
	elems, err := array(data, at, MaxPathLength)
	if err != nil {
		if CodeOf(err) == CodeLimitExceeded {
			return nil, err
		}
		return nil, errorf(CodeInvalidPath, err, "%s", at)
	}
	p := make(Path, len(elems))
	for i, e := range elems {
		switch e[0] {
		case '"':
			if p[i], err = str(e, at); err != nil {
				return nil, err
			}
		case 'n': // null (CheckJSON has vetted the literal)
			p[i] = nil
		default:
			n, ok := index(e)
			if !ok {
				return nil, errorf(CodeInvalidPath, nil, "%s[%d] is %s, not a string, null or non-negative integer", at, i, e)
			}
			p[i] = n
		}
	}
	return p, nil
}

// index decodes a JSON number written as a non-negative integer without fraction or exponent.
func index(b []byte) (int, bool) {
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(string(b))
	return n, err == nil
}

// scalar decodes a values element: a string, a bool, or an integer (as int64, written
// without fraction or exponent).
func scalar(b json.RawMessage) (any, error) {
	switch b[0] {
	case '"':
		return str(b, "value")
	case 't', 'f':
		return b[0] == 't', nil
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		digits := b
		if digits[0] == '-' {
			digits = digits[1:]
		}
		for _, c := range digits {
			if c < '0' || c > '9' {
				return nil, errorf(CodeInvalidValues, nil, "%s is not an integer", b)
			}
		}
		n, err := strconv.ParseInt(string(b), 10, 64)
		if err != nil {
			return nil, errorf(CodeInvalidValues, nil, "%s is out of the int64 range", b)
		}
		return n, nil
	default:
		return nil, errorf(CodeInvalidValues, nil, "%.20s is not a string, integer or boolean", b)
	}
}

// The helpers below decode one JSON value of a known kind. Their input has passed
// jose.CheckJSON and comes from encoding/json as a RawMessage (no surrounding space).

func object(b []byte, at string) (map[string]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return nil, errorf(CodeMalformed, nil, "%s is not a JSON object", at)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, errorf(CodeMalformed, err, "%s", at)
	}
	for k, v := range m {
		m[k] = bytes.TrimSpace(v)
	}
	return m, nil
}

func array(b []byte, at string, limit int) ([]json.RawMessage, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '[' {
		return nil, errorf(CodeMalformed, nil, "%s is not a JSON array", at)
	}
	var a []json.RawMessage
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, errorf(CodeMalformed, err, "%s", at)
	}
	for i, v := range a {
		a[i] = bytes.TrimSpace(v)
	}
	if len(a) > limit {
		return nil, errorf(CodeLimitExceeded, nil, "%s has %d elements, more than %d", at, len(a), limit)
	}
	return a, nil
}

func str(b []byte, at string) (string, error) {
	if len(b) == 0 || b[0] != '"' {
		return "", errorf(CodeMalformed, nil, "%s is not a JSON string", at)
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return "", errorf(CodeMalformed, err, "%s", at)
	}
	return s, nil
}

func boolean(b []byte, at string) (bool, error) {
	switch string(b) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, errorf(CodeMalformed, nil, "%s is not a JSON boolean", at)
}

func requiredString(m map[string]json.RawMessage, name, at string) (string, error) {
	raw, ok := m[name]
	if !ok {
		return "", errorf(CodeMalformed, nil, "%s.%s is missing", at, name)
	}
	return str(raw, at+"."+name)
}

func stringArray(b []byte, at string, limit int) ([]string, error) {
	a, err := array(b, at, limit)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(a))
	for i, e := range a {
		if out[i], err = str(e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func stringArrays(b []byte, at string, limit, inner int) ([][]string, error) {
	a, err := array(b, at, limit)
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(a))
	for i, e := range a {
		if out[i], err = stringArray(e, fmt.Sprintf("%s[%d]", at, i), inner); err != nil {
			return nil, err
		}
	}
	return out, nil
}
