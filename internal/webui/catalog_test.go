package webui_test

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/internal/webui/webuitest"
	"golang.org/x/text/language"
)

func TestBaseCatalogParity(t *testing.T) {
	c, err := webui.NewCatalog()
	if err != nil {
		t.Fatal(err)
	}
	webuitest.CheckCatalog(t, c)
	webuitest.CheckCatalog(t, newCatalog(t))
	for _, k := range []string{"nav.sign_in", "nav.sign_out", "lang.en", "lang.ja", "error.404.heading", "error.403.text", "error.500.heading", "validation.required"} {
		if !c.Has(webui.English, k) || !c.Has(webui.Japanese, k) {
			t.Errorf("base catalogue lacks %q", k)
		}
	}
}

// TestCheckCatalogCatchesGaps runs CheckCatalog against a catalogue with a ja gap and an
// en gap and expects it to report both.
func TestCheckCatalogCatchesGaps(t *testing.T) {
	c, err := webui.NewCatalog(fstest.MapFS{
		"en.json": {Data: []byte(`{"x.only_en": "English only"}`)},
		"ja.json": {Data: []byte(`{"x.only_ja": "日本語のみ"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{TB: t}
	webuitest.CheckCatalog(rec, c)
	got := strings.Join(rec.errs, "\n")
	if len(rec.errs) != 2 || !strings.Contains(got, `"x.only_en" is missing for ja`) || !strings.Contains(got, `"x.only_ja" is missing for en`) {
		t.Errorf("CheckCatalog reported:\n%s", got)
	}
	// The missing ja message falls back to English.
	if s, err := c.Translate(webui.Japanese, "x.only_en"); err != nil || s != "English only" {
		t.Errorf("fallback = %q, %v", s, err)
	}
}

// recorder is a testing.TB that collects Errorf calls instead of failing.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, strings.TrimSpace(fmt.Sprintf(format, args...)))
}
func (r *recorder) Helper() {}

func TestNewCatalog(t *testing.T) {
	tests := []struct {
		name  string
		files fstest.MapFS
		want  webui.Code
	}{
		{"ok/service messages", demoMessages, ""},
		{"fail/missing ja.json", fstest.MapFS{"en.json": {Data: []byte(`{}`)}}, webui.CodeCatalog},
		{"fail/malformed JSON", fstest.MapFS{"en.json": {Data: []byte(`{`)}, "ja.json": {Data: []byte(`{}`)}}, webui.CodeCatalog},
		{"fail/redefines a base key", fstest.MapFS{"en.json": {Data: []byte(`{"nav.sign_in": "Log in"}`)}, "ja.json": {Data: []byte(`{}`)}}, webui.CodeCatalog},
		{"fail/too large", fstest.MapFS{"en.json": {Data: []byte(`{"a": "` + strings.Repeat("x", 1<<20) + `"}`)}, "ja.json": {Data: []byte(`{}`)}}, webui.CodeCatalog},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := webui.NewCatalog(tt.files)
			if got := webui.CodeOf(err); got != tt.want {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.want, err)
			}
		})
	}
	if _, err := webui.NewCatalog(demoMessages, demoMessages); webui.CodeOf(err) != webui.CodeCatalog {
		t.Errorf("the same files twice: err = %v", err)
	}
	if _, err := webui.NewCatalog(nil); webui.CodeOf(err) != webui.CodeCatalog {
		t.Errorf("nil fs: err = %v", err)
	}
}

func TestTranslate(t *testing.T) {
	c := newCatalog(t)
	tests := []struct {
		name string
		tag  language.Tag
		key  string
		args []any
		want string
		code webui.Code
	}{
		{"ok/en", webui.English, "nav.sign_in", nil, "Sign in", ""},
		{"ok/ja", webui.Japanese, "nav.sign_in", nil, "ログイン", ""},
		{"ok/args en", webui.English, "demo.hello", []any{"Name", "Aiko"}, "Hello, Aiko", ""},
		{"ok/args ja", webui.Japanese, "demo.hello", []any{"Name", "愛子"}, "こんにちは、愛子さん", ""},
		{"ok/plural one", webui.English, "demo.items", []any{"Count", 1}, "1 credential", ""},
		{"ok/plural other", webui.English, "demo.items", []any{"Count", 3}, "3 credentials", ""},
		{"ok/ja plural", webui.Japanese, "demo.items", []any{"Count", 1}, "証明書1件", ""},
		{"ok/unserved language is English", language.French, "nav.sign_out", nil, "Sign out", ""},
		{"fail/unknown key", webui.English, "no.such.key", nil, "", webui.CodeMissingMessage},
		{"fail/odd args", webui.English, "demo.hello", []any{"Name"}, "", webui.CodeTemplate},
		{"fail/non-string name", webui.English, "demo.hello", []any{1, "x"}, "", webui.CodeTemplate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Translate(tt.tag, tt.key, tt.args...)
			if webui.CodeOf(err) != tt.code || got != tt.want {
				t.Fatalf("Translate = %q, %v; want %q, code %q", got, err, tt.want, tt.code)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	c := newCatalog(t)
	tests := []struct {
		name                  string
		query, cookie, accept string
		want                  language.Tag
	}{
		{"ok/nothing is English", "", "", "", webui.English},
		{"ok/accept ja", "", "", "ja", webui.Japanese},
		{"ok/accept ja-JP with q", "", "", "ja-JP,ja;q=0.9,en;q=0.8", webui.Japanese},
		{"ok/accept en first", "", "", "en-GB,ja;q=0.5", webui.English},
		{"ok/accept ja preferred by q", "", "", "en;q=0.3,ja;q=0.9", webui.Japanese},
		{"ok/accept unserved only", "", "", "fr-FR,de;q=0.8", webui.English},
		{"ok/accept unserved then ja", "", "", "fr,ja;q=0.5", webui.Japanese},
		{"ok/cookie beats accept", "", "ja", "en", webui.Japanese},
		{"ok/cookie en beats accept ja", "", "en", "ja", webui.English},
		{"ok/query beats cookie", "en", "ja", "ja", webui.English},
		{"ok/query ja", "ja", "", "", webui.Japanese},
		{"ok/bad query ignored", "xx", "ja", "", webui.Japanese},
		{"ok/query must be exact", "JA", "", "", webui.English},
		{"ok/bad cookie ignored", "", "ja-JP", "", webui.English},
		{"ok/malformed accept", "", "", ";;;,=q", webui.English},
		{"ok/oversized accept", "", "", strings.Repeat("ja,", 400), webui.English},
		{"ok/wildcard", "", "", "*", webui.English},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Negotiate(tt.query, tt.cookie, tt.accept); got != tt.want {
				t.Fatalf("Negotiate(%q, %q, %q) = %v, want %v", tt.query, tt.cookie, tt.accept, got, tt.want)
			}
		})
	}
}

func FuzzNegotiate(f *testing.F) {
	c, err := webui.NewCatalog()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "ja", "ja-JP,ja;q=0.9,en;q=0.8", "*;q=0", "en-GB;q=abc", "x-klingon", "zh-Hant-TW;q=0.1,ja;q=1.0", ",,,;", "und"} {
		f.Add("", "", s)
	}
	f.Add("ja", "en", "fr")
	f.Fuzz(func(t *testing.T, query, cookie, accept string) {
		got := c.Negotiate(query, cookie, accept)
		if got != webui.English && got != webui.Japanese {
			t.Fatalf("Negotiate returned unserved %v", got)
		}
	})
}

func TestFormatDate(t *testing.T) {
	d := time.Date(2026, 11, 28, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		tag  language.Tag
		t    time.Time
		want string
	}{
		{"ok/en", webui.English, d, "28 November 2026"},
		{"ok/ja", webui.Japanese, d, "2026年11月28日"},
		{"ok/ja single digits", webui.Japanese, time.Date(2027, 3, 5, 0, 0, 0, 0, time.UTC), "2027年3月5日"},
		{"ok/own location", webui.Japanese, d.In(time.FixedZone("JST", 9*3600)), "2026年11月29日"},
		{"ok/zero", webui.English, time.Time{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := webui.FormatDate(tt.tag, tt.t); got != tt.want {
				t.Fatalf("FormatDate = %q, want %q", got, tt.want)
			}
		})
	}
}
