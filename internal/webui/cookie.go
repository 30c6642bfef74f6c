package webui

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SecureCookie signs and checks one cookie's value with HMAC-SHA256 over the cookie's name,
// the value and an expiry time, so the browser can hold it but not change it, move it to
// another cookie name, or keep using it after it expires. It does not encrypt: the value is
// readable by the user. Cookies are HttpOnly, SameSite=Lax, Path=/ (unless WithCookiePath)
// and Secure except on plain-HTTP loopback. It is safe for concurrent use.
type SecureCookie struct {
	name   string
	key    []byte
	maxAge time.Duration
	path   string
}

// CookieOption configures a SecureCookie.
type CookieOption func(*SecureCookie) error

// WithCookiePath sets the cookie's Path. Default: "/".
func WithCookiePath(p string) CookieOption {
	return func(s *SecureCookie) error {
		if !strings.HasPrefix(p, "/") || strings.ContainsAny(p, ";\x00\r\n ") {
			return errorf(CodeInvalidOption, nil, "WithCookiePath: %q", p)
		}
		s.path = p
		return nil
	}
}

// NewSecureCookie returns a SecureCookie for the cookie name, signed with key (at least 32
// bytes, kept by the caller; copied here), valid for maxAge (1 minute to 400 days) after
// each Set.
func NewSecureCookie(name string, key []byte, maxAge time.Duration, opts ...CookieOption) (*SecureCookie, error) {
	if name == "" || !validCookieName(name) {
		return nil, errorf(CodeInvalidOption, nil, "NewSecureCookie: invalid name %q", name)
	}
	if len(key) < minCookieKeyLen {
		return nil, errorf(CodeInvalidOption, nil, "NewSecureCookie: key shorter than %d bytes", minCookieKeyLen)
	}
	if maxAge < time.Minute || maxAge > 400*24*time.Hour {
		return nil, errorf(CodeInvalidOption, nil, "NewSecureCookie: maxAge %v out of range", maxAge)
	}
	s := &SecureCookie{name: name, key: append([]byte(nil), key...), maxAge: maxAge, path: "/"}
	for _, o := range opts {
		if o == nil {
			return nil, errorf(CodeInvalidOption, nil, "NewSecureCookie: nil option")
		}
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func validCookieName(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if (b < 'a' || b > 'z') && (b < 'A' || b > 'Z') && (b < '0' || b > '9') && b != '_' && b != '-' {
			return false
		}
	}
	return true
}

// String redacts the key.
func (s *SecureCookie) String() string { return "webui.SecureCookie{" + s.name + ", key: redacted}" }

// LogValue redacts the key.
func (s *SecureCookie) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Encode returns the signed cookie value for value, expiring at expires:
// base64url(value) "." unix-seconds "." base64url(HMAC-SHA256).
func (s *SecureCookie) Encode(value string, expires time.Time) (string, error) {
	if len(value) > maxCookieValueLen {
		return "", errorf(CodeInvalidOption, nil, "cookie value of %d bytes exceeds %d", len(value), maxCookieValueLen)
	}
	exp := expires.Unix()
	return base64.RawURLEncoding.EncodeToString([]byte(value)) + "." + strconv.FormatInt(exp, 10) + "." +
		base64.RawURLEncoding.EncodeToString(s.mac(value, exp)), nil
}

// Decode checks a value made by Encode and returns the original value. A malformed value or
// a bad MAC is an error with CodeCookieInvalid; a good MAC whose expiry is not after now is
// CodeCookieExpired. A zero now is CodeInvalidOption.
func (s *SecureCookie) Decode(raw string, now time.Time) (string, error) {
	if now.IsZero() {
		return "", errorf(CodeInvalidOption, nil, "Decode: zero now")
	}
	if len(raw) > 2*maxCookieValueLen {
		return "", errorf(CodeCookieInvalid, nil, "cookie %s: too long", s.name)
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errorf(CodeCookieInvalid, nil, "cookie %s: malformed", s.name)
	}
	v, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	mac, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || parts[1] != strconv.FormatInt(exp, 10) {
		return "", errorf(CodeCookieInvalid, nil, "cookie %s: malformed", s.name)
	}
	if !hmac.Equal(mac, s.mac(string(v), exp)) {
		return "", errorf(CodeCookieInvalid, nil, "cookie %s: bad signature", s.name)
	}
	if now.Unix() >= exp {
		return "", errorf(CodeCookieExpired, nil, "cookie %s: expired", s.name)
	}
	return string(v), nil
}

// mac is HMAC-SHA256(key, len(name) || name || exp || value), with lengths as 8-byte big
// endian, so no two (name, value, exp) triples share an input.
func (s *SecureCookie) mac(value string, exp int64) []byte {
	m := hmac.New(sha256.New, s.key)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(s.name)))
	m.Write(n[:])
	m.Write([]byte(s.name))
	binary.BigEndian.PutUint64(n[:], uint64(exp)) //nolint:gosec // two's complement bits are fine in a MAC input
	m.Write(n[:])
	m.Write([]byte(value))
	return m.Sum(nil)
}

// Set writes the cookie with value, expiring maxAge after now. A zero now is an error.
func (s *SecureCookie) Set(w http.ResponseWriter, req *http.Request, value string, now time.Time) error {
	if now.IsZero() {
		return errorf(CodeInvalidOption, nil, "Set: zero now")
	}
	exp := now.Add(s.maxAge)
	enc, err := s.Encode(value, exp)
	if err != nil {
		return err
	}
	http.SetCookie(w, s.cookie(req, enc, int(s.maxAge.Seconds()), exp))
	return nil
}

// Get returns the request's cookie value, checked as by Decode. A missing cookie is an
// error with CodeCookieInvalid.
func (s *SecureCookie) Get(req *http.Request, now time.Time) (string, error) {
	ck, err := req.Cookie(s.name)
	if err != nil {
		return "", errorf(CodeCookieInvalid, err, "cookie %s", s.name)
	}
	return s.Decode(ck.Value, now)
}

// Clear deletes the cookie in the browser.
func (s *SecureCookie) Clear(w http.ResponseWriter, req *http.Request) {
	http.SetCookie(w, s.cookie(req, "", -1, time.Unix(0, 0)))
}

func (s *SecureCookie) cookie(req *http.Request, value string, maxAge int, exp time.Time) *http.Cookie {
	// Secure is off only for plain HTTP to a loopback host (see secureFor).
	return &http.Cookie{ //nolint:gosec // G124: Secure depends on the request, HttpOnly and SameSite are set
		Name: s.name, Value: value, Path: s.path, MaxAge: maxAge, Expires: exp.UTC(),
		Secure: secureFor(req), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
}
