package verifierhttp

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/trustlist"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/labstack/echo/v4"
	"golang.org/x/text/language"
)

// The desk pages: server-rendered HTML in English and Japanese (internal/webui: the
// browser's language, or the header's switch), no scripts (the default
// Content-Security-Policy of internal/httpx holds), CSRF on every form. With WithPageKey:
//
//	GET  {prefix}/desk/sign-in, POST …/sign-in   the desk's API token → session cookie (8 h)
//	POST {prefix}/desk/sign-out
//	GET  {prefix}/desk/                          "new request": diploma, learning credential
//	                                             or chosen diploma claims; response mode;
//	                                             under the form the RecentOnHome newest
//	                                             requests
//	POST {prefix}/desk/requests                  create → 303 to the request page
//	GET  {prefix}/desk/requests/{id}             pending: QR code and link, reloading every
//	                                             RefreshSeconds; answered: the report
//	GET  {prefix}/desk/recent?before=…           the desk's requests, newest first,
//	                                             RecentPageSize a page ("older" pages by the
//	                                             cursor of recent.go): when, status in
//	                                             words, what was asked, a link to each
//	GET  {prefix}/desk/requests, …/sign-out      303 to {prefix}/desk/ (keeping ?lang=)
//
// A page rendered in answer to a POST (the form again with its errors, an error page) has
// the POST's path, and so has its language switch (?lang=): GET on each POST-only path
// therefore answers 303 to the page its form is on, keeping lang, so the switch works there
// too.
//
// Always (for same-device wallets, no sign-in; the response_code is the credential):
//
//	GET  {prefix}/requests/done/{id}?response_code=…   the student's page: what happened
//	                                                    (shared and accepted, not accepted and
//	                                                    why, declined), not the desk's report
//
// The report names the desk that made the request (WithDeskName) and is printable: the
// print stylesheet drops the navigation and prints black on white on A4.

//go:embed messages/*.json
var pageMessages embed.FS

//go:embed pages/*.html
var pageTemplates embed.FS

//go:embed assets/desk.css
var deskCSS []byte

// deskStyle is the stylesheet, served under {prefix}/assets/ by its content-hashed name.
var deskStyle = webui.NewStylesheet("desk", deskCSS)

// DeskPath is the path of the desk pages under the prefix.
const DeskPath = "/desk"

// SessionCookie is the name of the desk's signed session cookie (its Path the desk pages).
const SessionCookie = "hashi_desk"

// ui holds the pages: the same-device landing page always, the desk pages with a page key.
type ui struct {
	h       *Handler
	cat     *webui.Catalog
	r       *webui.Renderer
	session *webui.TokenSession // nil: no desk pages
	desk    string              // {prefix}/desk
	names   map[string]string   // the desk's names by language (WithDeskName); nil: fallback
	// fallback is the desk's name without WithDeskName: the BaseURL's host and path.
	fallback string
}

func newUI(h *Handler) (*ui, error) {
	msgs, err := fs.Sub(pageMessages, "messages")
	if err != nil {
		return nil, fmt.Errorf("verifierhttp: page messages: %w", err)
	}
	cat, err := webui.NewCatalog(msgs)
	if err != nil {
		return nil, fmt.Errorf("verifierhttp: page messages: %w", err)
	}
	tmpl, err := fs.Sub(pageTemplates, "pages")
	if err != nil {
		return nil, fmt.Errorf("verifierhttp: page templates: %w", err)
	}
	u := &ui{h: h, cat: cat, desk: h.prefix + DeskPath, names: h.cfg.deskName}
	if base, err := url.Parse(h.base); err == nil {
		u.fallback = base.Host + strings.TrimSuffix(base.Path, "/")
	}
	u.r, err = webui.NewRenderer(cat, tmpl, webui.WithServiceName("desk.name"), webui.WithHomePath(u.desk+"/"),
		webui.WithErrorStatus(pageErrorStatus), webui.WithFuncs(template.FuncMap{
			"clock":       clockTime,
			"desk_css":    func() string { return h.prefix + "/assets/" + deskStyle.Name },
			"has_message": func(key string) bool { return cat.Has(webui.English, key) },
			"num":         formatNumber,
			"dict":        dict,
			"type_key":    typeKey,
		}))
	if err != nil {
		return nil, fmt.Errorf("verifierhttp: pages: %w", err)
	}
	if h.cfg.pageKey != nil {
		ck, err := webui.NewSecureCookie(SessionCookie, h.cfg.pageKey, SessionMaxAge, webui.WithCookiePath(u.desk))
		if err != nil {
			return nil, fmt.Errorf("verifierhttp: desk session: %w", err)
		}
		u.session = &webui.TokenSession{Base: u.desk, Cookie: ck, Now: h.cfg.pageClock, Value: u.sessionValue, Check: u.checkToken,
			WrongRule: "desk_token", Render: u.renderSignIn}
	}
	return u, nil
}

// pageErrorStatus gives the error page of a flow error the error's status.
func pageErrorStatus(err error) (int, bool) {
	if e, ok := errors.AsType[*verifier.Error](err); ok {
		return e.HTTPStatus(), true
	}
	return 0, false
}

func clockTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04 UTC")
}

// dict builds a map from name/value pairs, to pass several values to a template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, errors.New("dict: a name is not a string")
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// typeKey is the message key of a credential type's name, "" for an unknown type.
func typeKey(vct string) string {
	switch vct {
	case academic.VCTHashiDiploma:
		return "type.diploma"
	case academic.VCTLearningCredential:
		return "type.learning"
	}
	return ""
}

// formatNumber prints a float without trailing zeros.
func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (u *ui) register(e *echo.Echo) {
	e.GET(webui.StaticPrefix+"*", echo.WrapHandler(webui.StaticHandler()))
	e.GET(u.h.prefix+"/assets/"+deskStyle.Name, deskStyle.Serve)
	mw := u.r.Middleware()
	e.GET(u.h.prefix+strings.TrimSuffix(verifier.PathDone, "/")+"/:id", u.walletDone, append([]echo.MiddlewareFunc{httpx.NoStore()}, mw...)...)
	if u.session == nil {
		return
	}
	g := e.Group(u.desk, append([]echo.MiddlewareFunc{httpx.BodyLimit(MaxPageFormBody)}, mw...)...)
	g.GET("/sign-in", u.session.SignInForm)
	g.POST("/sign-in", u.session.SignIn)
	s := g.Group("", u.session.Require)
	s.POST("/sign-out", u.session.SignOut)
	s.GET("", u.newRequest)
	s.GET("/", u.newRequest)
	s.POST("/requests", u.createRequest)
	s.GET("/requests/:id", u.request)
	s.GET("/recent", u.recent)
	// GET on the POST-only paths: see the package comment above.
	g.GET("/requests", u.toPage("/"))
	g.GET("/sign-out", u.toPage("/"))
}

// toPage answers GET on a POST-only path with 303 to the desk page path (under the desk),
// keeping the lang parameter when it names a served language, so that the language switch of
// a page rendered in answer to the POST (whose link is the POST's path with ?lang=) opens
// that page in the language chosen. The Language middleware has already stored the choice
// in its cookie.
func (u *ui) toPage(path string) echo.HandlerFunc {
	return func(c echo.Context) error {
		loc := u.desk + path
		if l := c.QueryParam(webui.LangParam); slices.ContainsFunc(webui.Languages(), func(tag language.Tag) bool { return tag.String() == l }) {
			loc += "?" + url.Values{webui.LangParam: {l}}.Encode()
		}
		return c.Redirect(http.StatusSeeOther, loc)
	}
}

// named is a text with its language ("" when unknown), for a lang attribute.
type named struct {
	Text string
	Lang string
}

// pickName returns, of names by language tag, the one in lang, else English, else the first
// by tag; ok is false when names is empty.
func pickName(names map[string]string, lang string) (named, bool) {
	for _, l := range []string{lang, "en"} {
		if v, ok := names[l]; ok && v != "" {
			return named{Text: v, Lang: l}, true
		}
	}
	tags := slices.Sorted(maps.Keys(names))
	for _, l := range tags {
		if names[l] != "" {
			return named{Text: names[l], Lang: l}, true
		}
	}
	return named{}, false
}

// deskName is the desk's name for a page in lang (WithDeskName, else the BaseURL's host and
// path).
func (u *ui) deskName(lang string) named {
	if n, ok := pickName(u.names, lang); ok {
		return n
	}
	return named{Text: u.fallback}
}

// ---- session

// sessionValue is a fingerprint of the API token's hash, so a new token ends every session.
func (u *ui) sessionValue() (string, error) {
	return webui.SessionFingerprint("hashi desk session", u.h.cfg.tokenHash[:]), nil
}

// checkToken reports whether token is the desk's API token.
func (u *ui) checkToken(token string) error {
	if !u.h.tokenOK(token) {
		return webui.ErrWrongToken
	}
	return nil
}

// frame is what every page shows around its content.
type frame struct {
	Desk     string
	SignedIn bool
	Current  string
}

// renderSignIn renders the sign-in page (webui.TokenSession's Render).
func (u *ui) renderSignIn(c echo.Context, status int, p *webui.Page) error {
	p.Data = frame{Desk: u.desk}
	return u.r.Render(c, status, "sign-in.html", p)
}

// ---- new request

// claimChoices are the diploma claims the desk can ask for one by one (verifier's diploma
// profile), with their DCQL paths.
var claimChoices = []struct {
	ID   string
	Path dcql.Path
}{
	{"family_name", dcql.Path{"family_name"}},
	{"given_name", dcql.Path{"given_name"}},
	{"title", dcql.Path{"degree", "title"}},
	{"type", dcql.Path{"degree", "type"}},
	{"level", dcql.Path{"degree", "level"}},
	{"field", dcql.Path{"degree", "field"}},
	{"award_date", dcql.Path{"degree", "award_date"}},
	{"credits", dcql.Path{"degree", "credits"}},
	{"awarding_body", dcql.Path{"awarding_body"}},
}

// defaultClaims are checked when the form first shows.
var defaultClaims = []string{"family_name", "title", "level"}

type claimChoice struct {
	ID      string
	Checked bool
}

type newRequestView struct {
	frame
	What       string // "diploma", "learning", "claims"
	Claims     []claimChoice
	Mode       string
	SameDevice bool
	// Recent are the desk's newest requests (RecentOnHome).
	Recent []verifier.RequestSummary
}

func (u *ui) newRequest(c echo.Context) error {
	return u.renderNew(c, http.StatusOK, "diploma", defaultClaims, verifier.ResponseModeDirectPostJWT, false, nil)
}

func (u *ui) renderNew(c echo.Context, status int, what string, checked []string, mode string, same bool, fe webui.FieldErrors) error {
	v := newRequestView{frame: frame{Desk: u.desk, SignedIn: true, Current: "new"}, What: what, Mode: mode, SameDevice: same}
	recent, _, err := u.h.recentPage(c.Request().Context(), "", RecentOnHome)
	if err != nil {
		return err
	}
	v.Recent = recent
	for _, ch := range claimChoices {
		v.Claims = append(v.Claims, claimChoice{ID: ch.ID, Checked: slices.Contains(checked, ch.ID)})
	}
	var flash []webui.Flash
	if fe != nil {
		flash = []webui.Flash{{Kind: webui.FlashError, Key: "form.fix"}}
	}
	return u.r.Render(c, status, "new.html", &webui.Page{Flash: flash, Errors: fe, Data: v})
}

// claimsQuery builds the DCQL query of the chosen diploma claims: one dc+sd-jwt credential
// query for urn:hashi:diploma:1 with those claims.
func claimsQuery(ids []string) (*dcql.Query, error) {
	cq := dcql.CredentialQuery{ID: "diploma", Format: dcql.FormatSDJWTVC, Meta: dcql.Meta{VCTValues: []string{academic.VCTHashiDiploma}}}
	for _, ch := range claimChoices {
		if slices.Contains(ids, ch.ID) {
			cq.Claims = append(cq.Claims, dcql.ClaimsQuery{ID: ch.ID, Path: ch.Path})
		}
	}
	q := &dcql.Query{Credentials: []dcql.CredentialQuery{cq}}
	return q, q.Validate()
}

func (u *ui) createRequest(c echo.Context) error {
	form, err := c.FormParams()
	if err != nil {
		return err
	}
	what, mode, same := form.Get("what"), form.Get("response_mode"), form.Get("same_device") == "on"
	checked := form["claim"]
	var fe webui.FieldErrors
	if what != "diploma" && what != "learning" && what != "claims" {
		fe = append(fe, webui.FieldError{Field: "what", Rule: "required"})
	}
	if what == "claims" && len(checked) == 0 {
		fe = append(fe, webui.FieldError{Field: "claim", Rule: "required"})
	}
	if mode != verifier.ResponseModeDirectPost && mode != verifier.ResponseModeDirectPostJWT {
		fe = append(fe, webui.FieldError{Field: "response_mode", Rule: "required"})
	}
	if fe != nil {
		return u.renderNew(c, http.StatusUnprocessableEntity, what, checked, mode, same, fe)
	}
	in := verifier.RequestInput{ResponseMode: mode, SameDevice: same}
	if what == "claims" {
		if in.Query, err = claimsQuery(checked); err != nil {
			return u.renderNew(c, http.StatusUnprocessableEntity, what, checked, mode, same, webui.FieldErrors{{Field: "claim", Rule: "invalid"}})
		}
	} else {
		in.Profile = what
	}
	cr, err := u.h.flow.CreateRequest(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, u.desk+"/requests/"+url.PathEscape(cr.ID))
}

// ---- request and report

type requestView struct {
	frame
	Report *verifier.Report
	// Href is the openid4vp link for a same-device wallet (a custom scheme html/template would
	// otherwise refuse; the flow built it).
	Href template.URL
	// WebWalletHref is the request at the configured web wallet (WithWebWallet); "" when none.
	WebWalletHref string
	Refresh       int // seconds between reloads; 0: stopped (?refresh=off)
}

func (u *ui) request(c echo.Context) error {
	rep, err := u.h.flow.Status(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if rep.Status != verifier.StatusPending {
		return u.renderReport(c, rep)
	}
	v := requestView{frame: frame{Desk: u.desk, SignedIn: true, Current: "request"}, Report: rep,
		Href: template.URL(rep.Request)} //nolint:gosec // built by the flow: fixed scheme, query-escaped values
	// ?refresh=off stops the reloads, for a screen reader or for copying the link; the
	// "check now" link then checks by hand.
	if c.QueryParam("refresh") != "off" {
		c.Response().Header().Set("Refresh", strconv.Itoa(RefreshSeconds))
		v.Refresh = RefreshSeconds
	}
	if w := u.h.cfg.webWallet; w != "" {
		if q, err := url.Parse(rep.Request); err == nil {
			v.WebWalletHref = w + "/present?" + q.RawQuery
		}
	}
	return u.r.Render(c, http.StatusOK, "request.html", &webui.Page{Data: v})
}

// claimRow is one disclosed claim, flattened: its dotted path, its value as text, and the
// message key of its label: the path's own, else its parent's with the last segment (a
// language tag, an index) as Suffix; "" when neither has one.
type claimRow struct {
	Path   string
	Value  string
	Key    string
	Suffix string
}

// label sets the row's label key from the catalogue.
func (u *ui) label(r *claimRow) {
	if k := "claim." + r.Path; u.cat.Has(webui.English, k) {
		r.Key = k
		return
	}
	if i := strings.LastIndexByte(r.Path, '.'); i > 0 {
		if k := "claim." + r.Path[:i]; u.cat.Has(webui.English, k) {
			r.Key, r.Suffix = k, r.Path[i+1:]
		}
	}
}

type credView struct {
	verifier.CredentialResult
	Rows []claimRow
	// TrustSteps is the trust path with each step's names in the page's language.
	TrustSteps []named
}

type reportView struct {
	frame
	Report   *verifier.Report
	DeskName named  // the desk that made the request
	Verdict  string // accepted, rejected, declined, expired
	Reason   verifier.Code
	Checks   []verifier.Check
	Creds    []credView
}

// verdictOf is the report's verdict: the result's, else declined, expired or rejected by the
// request's status.
func verdictOf(rep *verifier.Report) string {
	if res := rep.Result; res != nil {
		return string(res.Verdict)
	}
	switch rep.Status {
	case verifier.StatusDeclined:
		return "declined"
	case verifier.StatusExpired:
		return "expired"
	default:
		return "rejected"
	}
}

func (u *ui) renderReport(c echo.Context, rep *verifier.Report) error {
	lang := u.r.LangOf(c).String()
	v := reportView{frame: frame{Desk: u.desk, SignedIn: u.session != nil, Current: "request"}, Report: rep,
		DeskName: u.deskName(lang), Verdict: verdictOf(rep)}
	if res := rep.Result; res != nil {
		v.Reason, v.Checks = res.Reason, res.Checks
		for _, cr := range res.Credentials {
			cv := credView{CredentialResult: cr, TrustSteps: trustSteps(cr.TrustSteps, lang)}
			flatten(&cv.Rows, "", cr.Claims)
			for i := range cv.Rows {
				u.label(&cv.Rows[i])
			}
			v.Creds = append(v.Creds, cv)
		}
	}
	return u.r.Render(c, http.StatusOK, "report.html", &webui.Page{Data: v})
}

// trustSteps are the steps of a trust path for a page in lang: a step of names gives the one
// in lang, else English, else the first by tag (pickName).
func trustSteps(steps []trustlist.PathStep, lang string) []named {
	out := make([]named, 0, len(steps))
	for _, st := range steps {
		if n, ok := pickName(st.Names, lang); ok {
			out = append(out, n)
			continue
		}
		out = append(out, named{Text: st.Text})
	}
	return out
}

// ---- the same-device landing page

// doneView is the student's page after answering from a wallet on their own device: what
// happened, in their language, without the desk's report.
type doneView struct {
	frame
	// DeskName is the desk's name (WithDeskName); without it, HasName is false and the page
	// says "this desk" (the BaseURL's host and path would mean little to a student).
	DeskName named
	HasName  bool
	// Verdict: accepted, rejected, declined (the student said no), not_shared (the wallet
	// could not answer), expired.
	Verdict string
	Reason  verifier.Code
	// University: the reason is one only the issuing university can change (expired,
	// revoked, suspended, not yet valid).
	University bool
	Creds      []doneCred
	// CompletedAt is when the wallet answered (zero when it has not): the page carries no
	// more of the report, so that no template edit can show the student's claims here.
	CompletedAt time.Time
}

// doneCred is one credential the student shared: its type and issuer.
type doneCred struct {
	Type   string
	Issuer named
}

// universityReasons are the rejections whose cause lies with the issuing university.
var universityReasons = []verifier.Code{verifier.CodeExpired, verifier.CodeNotYetValid, verifier.CodeStatusRevoked, verifier.CodeStatusSuspended}

func (u *ui) renderDone(c echo.Context, rep *verifier.Report) error {
	lang := u.r.LangOf(c).String()
	v := doneView{Verdict: verdictOf(rep), CompletedAt: rep.CompletedAt}
	v.DeskName, v.HasName = pickName(u.names, lang)
	if v.Verdict == "declined" && rep.WalletError != "access_denied" {
		v.Verdict = "not_shared"
	}
	if res := rep.Result; res != nil {
		v.Reason = res.Reason
		v.University = slices.Contains(universityReasons, res.Reason)
		for _, cr := range res.Credentials {
			if res.Verdict == verifier.VerdictAccepted && !cr.Accepted {
				continue // set aside: the other credentials answered the request
			}
			names := map[string]string{}
			if cr.Issuer.NameEN != "" {
				names["en"] = cr.Issuer.NameEN
			}
			if cr.Issuer.NameJA != "" {
				names["ja"] = cr.Issuer.NameJA
			}
			iss, _ := pickName(names, lang)
			v.Creds = append(v.Creds, doneCred{Type: cr.Type, Issuer: iss})
		}
	}
	return u.r.Render(c, http.StatusOK, "done.html", &webui.Page{Data: v})
}

// hiddenClaims are technical claims the report does not list among the disclosed ones.
var hiddenClaims = []string{"cnf", "status", "vct", "vct#integrity", "iss", "iat", "exp", "nbf", "_sd", "_sd_alg"}

// flatten appends the leaves of v under path, sorted by path.
func flatten(rows *[]claimRow, path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			if path == "" && slices.Contains(hiddenClaims, k) {
				continue
			}
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			flatten(rows, join(path, k), x[k])
		}
	case []any:
		for i, e := range x {
			flatten(rows, join(path, strconv.Itoa(i)), e)
		}
	case nil:
	case string:
		*rows = append(*rows, claimRow{Path: path, Value: x})
	case json.Number:
		*rows = append(*rows, claimRow{Path: path, Value: x.String()})
	default:
		*rows = append(*rows, claimRow{Path: path, Value: fmt.Sprint(x)})
	}
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
