package webui_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/webui"
)

func httptestTLS() *tls.ConnectionState { return &tls.ConnectionState{HandshakeComplete: true} }

var cookieKey = bytes.Repeat([]byte{7}, 32)

func TestSecureCookie(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	sc, err := webui.NewSecureCookie("hashi_session", cookieKey, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := webui.NewSecureCookie("hashi_sessiom", cookieKey, time.Hour) // same length as the real name
	otherKey, _ := webui.NewSecureCookie("hashi_session", bytes.Repeat([]byte{8}, 32), time.Hour)
	good, err := sc.Encode("student:42", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	tests := []struct {
		name string
		raw  string
		now  time.Time
		want string
		code webui.Code
	}{
		{"ok/fresh", good, now, "student:42", ""},
		{"ok/just before expiry", good, now.Add(time.Hour - time.Second), "student:42", ""},
		{"ok/empty value", must(sc.Encode("", now.Add(time.Hour))), now, "", ""},
		{"fail/expired at expiry", good, now.Add(time.Hour), "", webui.CodeCookieExpired},
		{"fail/expired later", good, now.Add(48 * time.Hour), "", webui.CodeCookieExpired},
		{"fail/value tampered", "c3R1ZGVudDo0Mw." + parts[1] + "." + parts[2], now, "", webui.CodeCookieInvalid},
		{"fail/expiry extended", parts[0] + "." + fmt.Sprint(now.Add(100*time.Hour).Unix()) + "." + parts[2], now, "", webui.CodeCookieInvalid},
		{"fail/expiry with leading zero", parts[0] + ".0" + parts[1] + "." + parts[2], now, "", webui.CodeCookieInvalid},
		{"fail/mac tampered", parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])), now, "", webui.CodeCookieInvalid},
		{"fail/other cookie name", must(other.Encode("student:42", now.Add(time.Hour))), now, "", webui.CodeCookieInvalid},
		{"fail/other key", must(otherKey.Encode("student:42", now.Add(time.Hour))), now, "", webui.CodeCookieInvalid},
		{"fail/two parts", parts[0] + "." + parts[1], now, "", webui.CodeCookieInvalid},
		{"fail/bad base64", "!!." + parts[1] + "." + parts[2], now, "", webui.CodeCookieInvalid},
		{"fail/empty", "", now, "", webui.CodeCookieInvalid},
		{"fail/zero now", good, time.Time{}, "", webui.CodeInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sc.Decode(tt.raw, tt.now)
			if webui.CodeOf(err) != tt.code || got != tt.want {
				t.Fatalf("Decode = %q, %v; want %q, code %q", got, err, tt.want, tt.code)
			}
		})
	}
	if _, err := sc.Encode(strings.Repeat("x", 3001), now); webui.CodeOf(err) != webui.CodeInvalidOption {
		t.Errorf("oversized value: %v", err)
	}
	if s := fmt.Sprint(sc); strings.Contains(s, "\x07") || !strings.Contains(s, "redacted") {
		t.Errorf("String = %q", s)
	}
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func TestSecureCookieHTTP(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	sc, err := webui.NewSecureCookie("hashi_session", cookieKey, 30*time.Minute, webui.WithCookiePath("/registrar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		host   string
		secure bool
	}{{"127.0.0.1:9000", false}, {"registrar.example", true}} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = tc.host
		if err := sc.Set(rec, req, "v", now); err != nil {
			t.Fatal(err)
		}
		cks := rec.Result().Cookies()
		if len(cks) != 1 {
			t.Fatalf("cookies %v", cks)
		}
		ck := cks[0]
		if ck.Secure != tc.secure || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/registrar" || ck.MaxAge != 1800 {
			t.Errorf("%s: cookie %+v", tc.host, ck)
		}
		back := httptest.NewRequest(http.MethodGet, "/", nil)
		back.AddCookie(ck)
		if v, err := sc.Get(back, now.Add(29*time.Minute)); err != nil || v != "v" {
			t.Errorf("Get = %q, %v", v, err)
		}
		if _, err := sc.Get(back, now.Add(30*time.Minute)); webui.CodeOf(err) != webui.CodeCookieExpired {
			t.Errorf("Get after expiry: %v", err)
		}
	}
	if _, err := sc.Get(httptest.NewRequest(http.MethodGet, "/", nil), now); webui.CodeOf(err) != webui.CodeCookieInvalid {
		t.Errorf("Get without cookie: %v", err)
	}
	if err := sc.Set(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil), "v", time.Time{}); webui.CodeOf(err) != webui.CodeInvalidOption {
		t.Errorf("Set with zero now: %v", err)
	}
	rec := httptest.NewRecorder()
	sc.Clear(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if cks := rec.Result().Cookies(); len(cks) != 1 || cks[0].MaxAge != -1 || cks[0].Value != "" {
		t.Errorf("Clear: %v", cks)
	}
}

func TestNewSecureCookie(t *testing.T) {
	tests := []struct {
		name   string
		cname  string
		key    []byte
		maxAge time.Duration
		opts   []webui.CookieOption
		code   webui.Code
	}{
		{"ok/minimal", "s", cookieKey, time.Minute, nil, ""},
		{"fail/short key", "s", cookieKey[:31], time.Hour, nil, webui.CodeInvalidOption},
		{"fail/empty name", "", cookieKey, time.Hour, nil, webui.CodeInvalidOption},
		{"fail/bad name", "a;b", cookieKey, time.Hour, nil, webui.CodeInvalidOption},
		{"fail/short maxAge", "s", cookieKey, time.Second, nil, webui.CodeInvalidOption},
		{"fail/long maxAge", "s", cookieKey, 401 * 24 * time.Hour, nil, webui.CodeInvalidOption},
		{"fail/bad path", "s", cookieKey, time.Hour, []webui.CookieOption{webui.WithCookiePath("x;y")}, webui.CodeInvalidOption},
		{"fail/nil option", "s", cookieKey, time.Hour, []webui.CookieOption{nil}, webui.CodeInvalidOption},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webui.NewSecureCookie(tt.cname, tt.key, tt.maxAge, tt.opts...)
			if webui.CodeOf(err) != tt.code {
				t.Fatalf("err = %v, want %q", err, tt.code)
			}
		})
	}
	// The key is copied: changing the caller's slice does not change signatures.
	key := bytes.Repeat([]byte{1}, 32)
	sc, _ := webui.NewSecureCookie("s", key, time.Hour)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	v, _ := sc.Encode("x", now.Add(time.Hour))
	key[0] = 2
	if _, err := sc.Decode(v, now); err != nil {
		t.Errorf("key not copied: %v", err)
	}
}

func FuzzSecureCookieDecode(f *testing.F) {
	sc, err := webui.NewSecureCookie("hashi_session", cookieKey, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	f.Add(must(sc.Encode("student:42", now.Add(time.Hour))), "x")
	f.Add("..", "")
	f.Add("a.-1.b", "日本語")
	f.Add("YQ.99999999999999999999.YQ", "a.b")
	f.Fuzz(func(t *testing.T, raw, value string) {
		_, _ = sc.Decode(raw, now)
		if len(value) > 3000 {
			return
		}
		enc, err := sc.Encode(value, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		got, err := sc.Decode(enc, now)
		if err != nil || got != value {
			t.Fatalf("round trip: %q, %v; want %q", got, err, value)
		}
	})
}
