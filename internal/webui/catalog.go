package webui

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed messages/*.json
var baseMessages embed.FS

// The languages every Catalog serves, in the order the language switch lists them. English
// is the default and the fallback for a message missing in another language.
var (
	English  = language.English
	Japanese = language.Japanese
)

var supported = []language.Tag{English, Japanese}

// Languages returns the languages every Catalog serves: English, then Japanese.
func Languages() []language.Tag { return slices.Clone(supported) }

// Catalog holds the translated messages of one service: the base messages of this package
// (sign in, sign out, language names, error pages, validation messages) and the service's
// own. It is safe for concurrent use.
type Catalog struct {
	bundle     *i18n.Bundle
	localizers map[language.Tag]*i18n.Localizer
	keys       map[language.Tag]map[string]bool
	matcher    language.Matcher
}

// NewCatalog builds a Catalog from the base messages and then each of files in order. Each
// fs.FS must hold en.json and ja.json at its root, in go-i18n's JSON format: an object of
// message ID to text ({"greeting": "Hello, {{.Name}}"}), or to plural forms ({"n": {"one":
// "…", "other": "…"}}); nested objects give dotted IDs. A key defined twice for one language
// (by two files, or by a service and the base) is an error, so a service cannot silently
// replace a base text. Keys missing in ja.json fall back to English at render time; test
// with webuitest.CheckCatalog, which fails on such gaps.
func NewCatalog(files ...fs.FS) (*Catalog, error) {
	c := &Catalog{
		bundle:     i18n.NewBundle(English),
		localizers: make(map[language.Tag]*i18n.Localizer, len(supported)),
		keys:       make(map[language.Tag]map[string]bool, len(supported)),
		matcher:    language.NewMatcher(supported),
	}
	c.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	base, err := fs.Sub(baseMessages, "messages")
	if err != nil {
		return nil, errorf(CodeCatalog, err, "base messages")
	}
	for i, fsys := range append([]fs.FS{base}, files...) {
		if fsys == nil {
			return nil, errorf(CodeCatalog, nil, "message files %d: nil fs.FS", i)
		}
		for _, tag := range supported {
			if err := c.load(fsys, tag); err != nil {
				if i == 0 {
					return nil, errorf(CodeCatalog, err, "base messages")
				}
				return nil, errorf(CodeCatalog, err, "message files %d", i)
			}
		}
	}
	for _, tag := range supported {
		c.localizers[tag] = i18n.NewLocalizer(c.bundle, tag.String())
	}
	return c, nil
}

func (c *Catalog) load(fsys fs.FS, tag language.Tag) error {
	name := tag.String() + ".json"
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("open %s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMessageFileLen+1))
	if err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if len(b) > maxMessageFileLen {
		return fmt.Errorf("%s: larger than %d bytes", name, maxMessageFileLen)
	}
	mf, err := c.bundle.ParseMessageFileBytes(b, name)
	if err != nil {
		return fmt.Errorf("parse %s: %w", name, err)
	}
	keys := c.keys[tag]
	if keys == nil {
		keys = make(map[string]bool)
		c.keys[tag] = keys
	}
	for _, m := range mf.Messages {
		if keys[m.ID] {
			return fmt.Errorf("%s: key %q defined twice", name, m.ID)
		}
		keys[m.ID] = true
	}
	return nil
}

// Keys returns the sorted message keys defined for tag, or nil for a language the Catalog
// does not serve.
func (c *Catalog) Keys(tag language.Tag) []string {
	keys := make([]string, 0, len(c.keys[tag]))
	for k := range c.keys[tag] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Has reports whether key is defined for tag itself (without falling back to English).
func (c *Catalog) Has(tag language.Tag, key string) bool { return c.keys[tag][key] }

// Translate returns the message key in the language tag, with args as name/value pairs for
// the message's template ("Name", "Aiko", "Count", 3); the value of "Count" also selects
// the plural form. A key missing for tag falls back to English; a key missing in English
// too, an odd number of args, a non-string name or a failing message template is an error
// with CodeMissingMessage or CodeTemplate. A tag the Catalog does not serve is treated as
// English.
func (c *Catalog) Translate(tag language.Tag, key string, args ...any) (string, error) {
	data, count, err := templateData(args)
	if err != nil {
		return "", errorf(CodeTemplate, err, "message %q", key)
	}
	if !c.keys[tag][key] {
		tag = English
	}
	if !c.keys[tag][key] {
		return "", errorf(CodeMissingMessage, nil, "message %q not defined", key)
	}
	s, err := c.localizers[tag].Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil {
		return "", errorf(CodeTemplate, err, "message %q", key)
	}
	return s, nil
}

func templateData(args []any) (data map[string]any, count any, err error) {
	if len(args) == 0 {
		return nil, nil, nil
	}
	if len(args)%2 != 0 {
		return nil, nil, errors.New("args must be name/value pairs")
	}
	data = make(map[string]any, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		name, ok := args[i].(string)
		if !ok || name == "" {
			return nil, nil, fmt.Errorf("arg %d: name must be a non-empty string", i)
		}
		data[name] = args[i+1]
		if name == "Count" {
			count = args[i+1]
		}
	}
	return data, count, nil
}

// Negotiate picks the page language: an explicit choice (the lang query parameter of the
// switch link, else the hashi_lang cookie) when it names a served language, else the best
// match for the Accept-Language header, else English. It never fails: malformed or
// oversized input is ignored.
func (c *Catalog) Negotiate(query, cookie, acceptLanguage string) language.Tag {
	if tag, ok := parseChoice(query); ok {
		return tag
	}
	if tag, ok := parseChoice(cookie); ok {
		return tag
	}
	return c.matchAccept(acceptLanguage)
}

// parseChoice accepts exactly the base language codes of the served languages ("en", "ja").
func parseChoice(s string) (language.Tag, bool) {
	for _, tag := range supported {
		if s == tag.String() {
			return tag, true
		}
	}
	return language.Tag{}, false
}

func (c *Catalog) matchAccept(header string) language.Tag {
	if header == "" || len(header) > maxAcceptLanguageLen {
		return English
	}
	prefs, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(prefs) == 0 {
		return English
	}
	_, i, conf := c.matcher.Match(prefs...)
	if conf == language.No {
		return English
	}
	return supported[i]
}

// FormatDate formats t's calendar date (in t's own location) for tag: "28 November 2026"
// in English, "2026年11月28日" in Japanese. The zero time formats as "".
func FormatDate(tag language.Tag, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if tag == Japanese {
		return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
	}
	return t.Format("2 January 2006")
}

// langLabel returns the switch link's text for tag: "EN", "日本語".
func langLabel(tag language.Tag) string {
	if tag == Japanese {
		return "日本語"
	}
	return strings.ToUpper(tag.String())
}

// langName returns the full name of tag in its own language: "English", "日本語".
func langName(tag language.Tag) string {
	if tag == Japanese {
		return "日本語"
	}
	return "English"
}
