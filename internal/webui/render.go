package webui

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"
	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
)

//go:embed templates/*.html
var baseTemplates embed.FS

// ContentType is the Content-Type of every page the Renderer writes.
const ContentType = "text/html; charset=utf-8"

// Echo context keys set by the middleware of this package.
const (
	langKey = "webui.lang"
	csrfKey = "webui.csrf"
)

// reservedFuncs are the template funcs this package defines; WithFuncs may not replace them.
var reservedFuncs = []string{
	"t", "date", "qr", "lang", "csrf_field", "static", "service_name", "lang_links",
	"field_error", "flash_text", "home",
}

// Option configures a Renderer.
type Option func(*config) error

type config struct {
	serviceKey string
	homePath   string
	statusOf   func(error) (int, bool)
	funcs      template.FuncMap
}

// WithServiceName sets the message key of the service name shown in the header and the
// <title>, such as "issuer.name". The key must exist in the Catalog. Default: "app.name"
// ("hashi").
func WithServiceName(key string) Option {
	return func(c *config) error {
		if key == "" {
			return errorf(CodeInvalidOption, nil, "WithServiceName: empty key")
		}
		c.serviceKey = key
		return nil
	}
}

// WithHomePath sets the site-relative path that the header's service name and the error
// pages' "back" link point to. Default: "/".
func WithHomePath(p string) Option {
	return func(c *config) error {
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\?#\x00") {
			return errorf(CodeInvalidOption, nil, "WithHomePath: %q is not a site-relative path", p)
		}
		c.homePath = p
		return nil
	}
}

// WithErrorStatus sets the service's mapping from handler errors to the HTTP status of the
// error page (for example a domain "not found" Code to 404). It is asked first; when it
// returns ok=false or a status outside 400–599, [Renderer.StatusOf]'s defaults apply.
func WithErrorStatus(f func(err error) (status int, ok bool)) Option {
	return func(c *config) error {
		if f == nil {
			return errorf(CodeInvalidOption, nil, "WithErrorStatus: nil func")
		}
		c.statusOf = f
		return nil
	}
}

// WithFuncs adds the service's own template funcs. They are not request-bound, and may not
// reuse the names of this package's funcs.
func WithFuncs(fm template.FuncMap) Option {
	return func(c *config) error {
		for name := range fm {
			if slices.Contains(reservedFuncs, name) {
				return errorf(CodeInvalidOption, nil, "WithFuncs: %q is reserved", name)
			}
		}
		if c.funcs == nil {
			c.funcs = template.FuncMap{}
		}
		for name, f := range fm {
			c.funcs[name] = f
		}
		return nil
	}
}

// Renderer renders a service's pages inside the base layout, in the request's language. It
// is safe for concurrent use.
type Renderer struct {
	cat   *Catalog
	cfg   config
	pages map[string]*template.Template
	errT  *template.Template
}

// NewRenderer parses the base layout and partials, the error page, and the service's pages.
// pages may be nil (error pages only). Every *.html file at the root of pages whose name
// starts with "_" is a partial, parsed into every page; every other *.html file is a page,
// rendered by its file name ("index.html"), and must define "content" and should define
// "title". The base layout defines "layout" (the whole document), and the partials "flash"
// (Page.Flash), "field_errors" (a FieldErrors list) and "qr_figure" (a QR code with its
// hint; the argument is the text to encode).
//
// Template funcs, bound to the request at render time:
//
//	t "key" ["Name" value]...  the message in the request's language (Catalog.Translate)
//	date time.Time              the date in the request's language (FormatDate)
//	qr "text"                   an inline SVG QR code (QRSVG)
//	lang                        the request's language code, "en" or "ja"
//	csrf_field                  the hidden CSRF input (needs the CSRF middleware)
//	static "hashi.css"          the content-hashed URL of an embedded asset (StaticURL)
//	service_name, home          the service name and the home path
//	lang_links                  the language switch links ([]LangLink)
//	field_error FieldError      the translated text of one validation error
//	flash_text Flash            the translated text of one flash message
func NewRenderer(cat *Catalog, pages fs.FS, opts ...Option) (*Renderer, error) {
	if cat == nil {
		return nil, errorf(CodeInvalidOption, nil, "NewRenderer: nil Catalog")
	}
	r := &Renderer{cat: cat, cfg: config{serviceKey: "app.name", homePath: "/"}, pages: map[string]*template.Template{}}
	for _, o := range opts {
		if o == nil {
			return nil, errorf(CodeInvalidOption, nil, "NewRenderer: nil Option")
		}
		if err := o(&r.cfg); err != nil {
			return nil, err
		}
	}
	if !cat.Has(English, r.cfg.serviceKey) {
		return nil, errorf(CodeInvalidOption, nil, "service name key %q is not in the Catalog", r.cfg.serviceKey)
	}
	base, err := template.New("base").Funcs(r.funcs(&reqState{})).ParseFS(baseTemplates, "templates/layout.html", "templates/partials.html")
	if err != nil {
		return nil, errorf(CodeTemplate, err, "parse base templates")
	}
	if r.errT, err = parseOnto(base, baseTemplates, "templates/error.html"); err != nil {
		return nil, errorf(CodeTemplate, err, "parse error page")
	}
	if pages == nil {
		return r, nil
	}
	names, err := fs.Glob(pages, "*.html")
	if err != nil {
		return nil, errorf(CodeTemplate, err, "list pages")
	}
	var partials, pageNames []string
	for _, n := range names {
		if strings.HasPrefix(n, "_") {
			partials = append(partials, n)
		} else {
			pageNames = append(pageNames, n)
		}
	}
	for _, n := range pageNames {
		t, err := parseOnto(base, pages, append(slices.Clone(partials), n)...)
		if err != nil {
			return nil, errorf(CodeTemplate, err, "parse page %s", n)
		}
		if t.Lookup("content") == nil {
			return nil, errorf(CodeTemplate, nil, "page %s does not define \"content\"", n)
		}
		r.pages[n] = t
	}
	return r, nil
}

func parseOnto(base *template.Template, fsys fs.FS, patterns ...string) (*template.Template, error) {
	t, err := base.Clone()
	if err != nil {
		return nil, err
	}
	return t.ParseFS(fsys, patterns...)
}

// Catalog returns the Catalog the Renderer translates with.
func (r *Renderer) Catalog() *Catalog { return r.cat }

// Pages returns the sorted names of the service's pages.
func (r *Renderer) Pages() []string {
	names := make([]string, 0, len(r.pages))
	for n := range r.pages {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Page is what a service hands to Render; templates see it as "." ({{.Data.Name}}).
type Page struct {
	// Flash holds messages shown above the content, such as "Credential issued".
	Flash []Flash

	// Errors holds form validation errors; show them with {{template "field_errors" .Errors}}
	// or per field with {{template "field_errors" (.Errors.For "email")}}.
	Errors FieldErrors

	// Data is the page's own data.
	Data any
}

// FlashKind is the kind of a flash message, used as its CSS class (flash-info, …).
type FlashKind string

// The flash kinds.
const (
	FlashInfo    FlashKind = "info"
	FlashSuccess FlashKind = "success"
	FlashError   FlashKind = "error"
)

// Flash is a message shown above the page's content.
type Flash struct {
	Kind FlashKind
	Key  string // message key
	Args []any  // name/value pairs for the message, as for Catalog.Translate
}

// FieldError is one form validation error.
type FieldError struct {
	// Field names the form field. Its label is the message "field.<Field>" when the
	// Catalog has one, else Field itself.
	Field string

	// Rule is the failed rule, a validator tag such as "required" or "max"; its text is the
	// message "validation.<Rule>", or "validation.invalid" for a rule without one.
	Rule string

	// Param is the rule's parameter, such as "64" for max=64.
	Param string
}

// FieldErrors is a list of form validation errors.
type FieldErrors []FieldError

// For returns the errors of one field.
func (fe FieldErrors) For(field string) FieldErrors {
	var out FieldErrors
	for _, e := range fe {
		if e.Field == field {
			out = append(out, e)
		}
	}
	return out
}

// ValidationErrors converts the validator.ValidationErrors in err's chain to FieldErrors,
// with Field from the validator's field name (register a tag-name func on the validator to
// use form names). It returns nil when err holds none.
func ValidationErrors(err error) FieldErrors {
	ves, ok := errors.AsType[validator.ValidationErrors](err)
	if !ok {
		return nil
	}
	out := make(FieldErrors, 0, len(ves))
	for _, ve := range ves {
		out = append(out, FieldError{Field: ve.Field(), Rule: ve.Tag(), Param: ve.Param()})
	}
	return out
}

// LangLink is one entry of the language switch.
type LangLink struct {
	Lang    string // "en" or "ja"
	Label   string // the language's name in itself: "EN", "日本語"
	Name    string // the language's full name in itself, for aria-label: "English", "日本語"
	URL     string // the current path and query with lang set
	Current bool   // the page is in this language
}

// reqState is what the template funcs of one render see.
type reqState struct {
	req  *http.Request
	tag  language.Tag
	csrf string
}

func (r *Renderer) state(c echo.Context) *reqState {
	s := &reqState{req: c.Request(), tag: r.LangOf(c)}
	if tok, ok := c.Get(csrfKey).(string); ok {
		s.csrf = tok
	}
	return s
}

// LangOf returns the request's language: the one the Language middleware chose, or, without
// it, the one Catalog.Negotiate picks from the request.
func (r *Renderer) LangOf(c echo.Context) language.Tag {
	if tag, ok := c.Get(langKey).(language.Tag); ok {
		return tag
	}
	return r.cat.Negotiate(c.QueryParam(LangParam), cookieValue(c.Request(), LangCookie), c.Request().Header.Get("Accept-Language"))
}

func cookieValue(req *http.Request, name string) string {
	ck, err := req.Cookie(name)
	if err != nil {
		return ""
	}
	return ck.Value
}

func (r *Renderer) funcs(s *reqState) template.FuncMap {
	t := func(key string, args ...any) (string, error) { return r.cat.Translate(s.tag, key, args...) }
	fm := template.FuncMap{
		"t":    t,
		"date": func(d time.Time) string { return FormatDate(s.tag, d) },
		"qr": func(content string) (template.HTML, error) {
			label, err := t("qr.alt")
			if err != nil {
				return "", err
			}
			return QRSVG(content, label)
		},
		"lang": func() string { return s.tag.String() },
		"csrf_field": func() (template.HTML, error) {
			if s.csrf == "" {
				return "", errorf(CodeTemplate, nil, "csrf_field: the CSRF middleware is not installed on this route")
			}
			// The token is base32 text from crypto/rand and needs no escaping.
			return template.HTML(`<input type="hidden" name="` + CSRFField + `" value="` + s.csrf + `">`), nil //nolint:gosec // token alphabet is [A-Z2-7]
		},
		"static":       StaticURL,
		"service_name": func() (string, error) { return t(r.cfg.serviceKey) },
		"home":         func() string { return r.cfg.homePath },
		"lang_links": func() []LangLink {
			links := make([]LangLink, 0, len(supported))
			for _, tag := range supported {
				links = append(links, LangLink{Lang: tag.String(), Label: langLabel(tag), Name: langName(tag), URL: switchURL(s.req, tag), Current: tag == s.tag})
			}
			return links
		},
		"field_error": func(fe FieldError) (string, error) {
			label := fe.Field
			if r.cat.Has(English, "field."+fe.Field) {
				var err error
				if label, err = t("field." + fe.Field); err != nil {
					return "", err
				}
			}
			key := "validation." + fe.Rule
			if !r.cat.Has(English, key) {
				key = "validation.invalid"
			}
			return t(key, "Field", label, "Param", fe.Param)
		},
		"flash_text": func(f Flash) (string, error) { return t(f.Key, f.Args...) },
	}
	for name, f := range r.cfg.funcs {
		fm[name] = f
	}
	return fm
}

// switchURL returns the request's path and query with the lang parameter set to tag. A path
// that is not plainly site-relative becomes "/", so the link never leaves the site.
func switchURL(req *http.Request, tag language.Tag) string {
	if req == nil || req.URL == nil {
		return "/?" + LangParam + "=" + tag.String()
	}
	p := req.URL.Path
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		p = "/"
	}
	q := req.URL.Query()
	q.Set(LangParam, tag.String())
	return (&url.URL{Path: p, RawQuery: q.Encode()}).String()
}

// Render executes the page name with p in the base layout, in the request's language, into
// a buffer, and only then writes it with status, Content-Type text/html; charset=utf-8,
// Content-Language and Cache-Control: no-store. A failing template writes nothing and
// returns an error with CodeTemplate or CodeMissingMessage.
func (r *Renderer) Render(c echo.Context, status int, name string, p *Page) error {
	t, ok := r.pages[name]
	if !ok {
		return errorf(CodeTemplate, nil, "no page %q", name)
	}
	return r.execute(c, status, t, p)
}

func (r *Renderer) execute(c echo.Context, status int, set *template.Template, p *Page) error {
	if p == nil {
		p = &Page{}
	}
	s := r.state(c)
	t, err := set.Clone()
	if err != nil {
		return errorf(CodeTemplate, err, "clone")
	}
	var buf bytes.Buffer
	if err := t.Funcs(r.funcs(s)).ExecuteTemplate(&buf, "layout", p); err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return e
		}
		return errorf(CodeTemplate, err, "execute")
	}
	h := c.Response().Header()
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("Content-Language", s.tag.String())
	if err := c.Blob(status, ContentType, buf.Bytes()); err != nil {
		return fmt.Errorf("webui: write page: %w", err)
	}
	return nil
}
