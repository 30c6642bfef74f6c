package statuslist

import (
	"bytes"
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"time"
)

// absoluteURI reports whether s is an absolute RFC 3986 URI: ASCII without spaces or control
// characters, parseable, with a scheme, and not longer than maxURILength.
func absoluteURI(s string) bool {
	if s == "" || len(s) > maxURILength {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7F {
			return false
		}
	}
	u, err := url.Parse(s)
	return err == nil && u.IsAbs()
}

// jsonObject decodes b, which has passed jose.CheckJSON, as a JSON object; any other JSON type
// is refused.
func jsonObject(b []byte) (map[string]json.RawMessage, bool) {
	t := bytes.TrimLeft(b, " \t\r\n")
	if len(t) == 0 || t[0] != '{' {
		return nil, false
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(t, &m); err != nil {
		return nil, false
	}
	return m, true
}

// jsonString decodes raw as a JSON string; any other JSON type is refused.
func jsonString(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", false
	}
	return s, true
}

// jsonInt decodes raw as a JSON integer written without fraction or exponent ("-"? digits).
func jsonInt(raw json.RawMessage) (int64, bool) {
	s := string(raw)
	digits := s
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// jsonSeconds decodes raw as a non-negative JSON number of seconds, integer or not (RFC 7519
// NumericDate allows fractions), no larger than limit.
func jsonSeconds(raw json.RawMessage, limit int64) (float64, bool) {
	if len(raw) == 0 || raw[0] < '0' || raw[0] > '9' {
		return 0, false // not a number, or negative
	}
	if n, ok := jsonInt(raw); ok {
		return float64(n), n <= limit
	}
	f, err := strconv.ParseFloat(string(raw), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > float64(limit) {
		return 0, false
	}
	return f, true
}

// numericDate decodes an RFC 7519 NumericDate.
func numericDate(raw json.RawMessage) (time.Time, bool) {
	f, ok := jsonSeconds(raw, maxNumericDate)
	if !ok {
		return time.Time{}, false
	}
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64((f-sec)*1e9)).UTC(), true
}
