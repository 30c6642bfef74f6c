package issuerhttp

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/labstack/echo/v4"
)

// The registrar pages: server-rendered HTML under {prefix}/{tenant}/registrar, in English
// and Japanese (internal/webui: the browser's language, or the header's switch), with a
// signed session cookie per tenant and CSRF on every form. No scripts: the default
// Content-Security-Policy of internal/httpx holds. Each handler calls the same issuer method
// as the JSON registrar API.
//
//	GET  /sign-in, POST /sign-in     the registrar token → session cookie (8 h), POST /sign-out
//	GET  /                           overview: the university's names and counts
//	GET  /graduates                  graduates (?after=) and the import form
//	POST /graduates/import           file upload (CSV, JSON lines, JSON array): per-row outcome
//	GET  /graduates/sample.csv       a sample CSV: every column the import accepts, one example row
//	POST /graduates/:id/approve      approve the conferral
//	GET  /offers/new, POST /offers   the offer form → the offer page
//	GET  /offers                     offers (?before=) with their state
//	GET  /offers/:id                 QR code, link, PIN, expiry, state; POST .../reoffer
//	GET  /credentials                issued credentials (?offer_id=, ?before=)
//	POST /credentials/:id/status     revoke, suspend or reinstate (confirmed in the page)
//	GET  /audit                      the audit log (?before=)
//
// A request without a live session is redirected to the sign-in page. The session cookie's
// Path is the tenant's pages and its value names the tenant and a fingerprint of the
// registrar token's hash, so it opens no other tenant's pages and dies with a new token.

//go:embed messages/*.json
var pageMessages embed.FS

//go:embed pages/*.html
var pageTemplates embed.FS

//go:embed assets/registrar.css
var registrarCSS []byte

// registrarStyle is the stylesheet, served under {base}/assets/ by its content-hashed name.
var registrarStyle = webui.NewStylesheet("registrar", registrarCSS)

// RegistrarPath is the path segment of the registrar pages under a tenant:
// {prefix}/{tenant}/registrar.
const RegistrarPath = "/registrar"

// SessionCookie is the name of the registrar's signed session cookie (one per tenant, its
// Path the tenant's registrar pages).
const SessionCookie = "hashi_registrar"

// SessionMaxAge is how long a registrar session lasts after signing in.
const SessionMaxAge = 8 * time.Hour

// WithPageKey enables the registrar pages and sets the key (at least 32 bytes, kept secret,
// the same on every replica) that signs their session cookies. Without it the pages are not
// mounted and only the JSON registrar API serves registrars.
func WithPageKey(key []byte) Option {
	return func(c *config) error {
		if len(key) < 32 {
			return errors.New("issuerhttp: page key shorter than 32 bytes")
		}
		c.pageKey = append([]byte(nil), key...)
		return nil
	}
}

// WithPageClock sets the clock of the registrar sessions (sign-in time and cookie expiry).
// Default: time.Now.
func WithPageClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("issuerhttp: nil page clock")
		}
		c.pageClock = now
		return nil
	}
}

// pages serves every tenant's registrar pages.
type pages struct {
	is      *issuer.Issuer
	cat     *webui.Catalog
	limit   int64
	tenants []*tenantPages
}

// SampleCSVPath is the path of the sample CSV under a tenant's registrar pages; it downloads
// as sampleCSVFile.
const SampleCSVPath = "/graduates/sample.csv"

const sampleCSVFile = "graduates-sample.csv"

// tenantPages are one tenant's pages: their own renderer (the header's home link is the
// tenant's dashboard) and session cookie (its Path is the tenant's pages).
type tenantPages struct {
	p       *pages
	id      string
	base    string // {prefix}/{tenant}/registrar
	r       *webui.Renderer
	session *webui.TokenSession
	sample  []byte // the sample CSV (tenantSample)
}

func newPages(is *issuer.Issuer, prefix string, cfg config) (*pages, error) {
	msgs, err := fs.Sub(pageMessages, "messages")
	if err != nil {
		return nil, fmt.Errorf("issuerhttp: page messages: %w", err)
	}
	cat, err := webui.NewCatalog(msgs)
	if err != nil {
		return nil, fmt.Errorf("issuerhttp: page messages: %w", err)
	}
	tmpl, err := fs.Sub(pageTemplates, "pages")
	if err != nil {
		return nil, fmt.Errorf("issuerhttp: page templates: %w", err)
	}
	now := cfg.pageClock
	if now == nil {
		now = time.Now
	}
	p := &pages{is: is, cat: cat, limit: cfg.importBodyLimit}
	for _, id := range is.TenantIDs() {
		sample, err := tenantSample(is, id)
		if err != nil {
			return nil, fmt.Errorf("issuerhttp: %w", err)
		}
		base := prefix + "/" + id + RegistrarPath
		r, err := webui.NewRenderer(cat, tmpl, webui.WithServiceName("registrar.name"), webui.WithHomePath(base),
			webui.WithErrorStatus(pageErrorStatus), webui.WithFuncs(template.FuncMap{"clock": clockTime, "registrar_css": func() string { return registrarStyle.Name }, "has_message": func(key string) bool { return cat.Has(webui.English, key) },
				"sample_csv": func() string { return SampleCSVPath }}))
		if err != nil {
			return nil, fmt.Errorf("issuerhttp: registrar pages: %w", err)
		}
		ck, err := webui.NewSecureCookie(SessionCookie, cfg.pageKey, SessionMaxAge, webui.WithCookiePath(base))
		if err != nil {
			return nil, fmt.Errorf("issuerhttp: registrar session: %w", err)
		}
		tp := &tenantPages{p: p, id: id, base: base, r: r, sample: sample}
		tp.session = &webui.TokenSession{Base: base, Cookie: ck, Now: now, Value: tp.sessionValue, Check: tp.checkToken,
			WrongRule: "registrar_token", Render: tp.renderSignIn}
		p.tenants = append(p.tenants, tp)
	}
	return p, nil
}

// SampleGraduateID is the graduate id of the sample CSV's row: one no real student has, so
// importing the sample as it is adds an example graduate instead of overwriting one.
const SampleGraduateID = "SAMPLE-0001"

// tenantSample is the sample CSV of tenant id: academic's sample diploma awarded by the
// tenant's own university (its names and country; the register identifiers stay the
// example's), for SampleGraduateID, not approved.
func tenantSample(is *issuer.Issuer, id string) ([]byte, error) {
	t, err := is.Tenant(id)
	if err != nil {
		return nil, err
	}
	ex := academic.SampleJPMasterEngineering()
	ex.Learner.StudentID = SampleGraduateID
	name := academic.LangMap{"en": t.NameEN}
	if t.NameJA != "" {
		name["ja"] = t.NameJA
	}
	ex.AwardingBody.Name, ex.AwardingBody.Country = name, t.Country
	return sampleCSV(SampleGraduateID, false, ex)
}

// pageErrorStatus gives the error page of an issuer error the error's status.
func pageErrorStatus(err error) (int, bool) {
	if e, ok := errors.AsType[*issuer.Error](err); ok {
		return e.HTTPStatus(), true
	}
	return 0, false
}

// clockTime is the time of day of t in UTC, shown next to dates.
func clockTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04 UTC")
}

// register mounts every tenant's pages. Each tenant's pages are a static route group, so the
// tenant's API routes keep their JSON errors and an unknown page under the group is the HTML
// 404 of the group's catch-all.
func (p *pages) register(e *echo.Echo) {
	e.GET(webui.StaticPrefix+"*", echo.WrapHandler(webui.StaticHandler()))
	for _, tp := range p.tenants {
		e.GET(tp.base+"/assets/"+registrarStyle.Name, registrarStyle.Serve)
		mw := tp.r.Middleware()
		g := e.Group(tp.base, mw...)
		g.GET("/sign-in", tp.session.SignInForm)
		g.POST("/sign-in", tp.session.SignIn)
		s := g.Group("", tp.session.Require)
		s.POST("/sign-out", tp.session.SignOut)
		s.GET("", tp.dashboard)
		s.GET("/", tp.dashboard)
		s.GET("/graduates", tp.graduates)
		s.GET(SampleCSVPath, tp.sampleFile)
		// The language switch of the import's result page links here.
		s.GET("/graduates/import", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, tp.base+"/graduates") })
		s.POST("/graduates/:id/approve", tp.approve)
		s.GET("/offers", tp.offers)
		s.GET("/offers/new", tp.newOffer)
		s.POST("/offers", tp.createOffer)
		s.GET("/offers/:id", tp.offer)
		s.POST("/offers/:id/reoffer", tp.reoffer)
		s.GET("/credentials", tp.credentials)
		s.POST("/credentials/:id/status", tp.setStatus)
		s.GET("/audit", tp.audit)
		// The upload raises the body limit before the CSRF check reads the form.
		up := e.Group(tp.base+"/graduates/import", append([]echo.MiddlewareFunc{httpx.BodyLimit(p.limit)}, mw...)...)
		up.POST("", tp.importGraduates, tp.session.Require)
	}
}

// sessionValue is the session cookie's value for the tenant: its id and a fingerprint of
// its registrar token's hash, so changing the token ends every session.
func (tp *tenantPages) sessionValue() (string, error) {
	t, err := tp.p.is.Tenant(tp.id)
	if err != nil {
		return "", err
	}
	return tp.id + "." + webui.SessionFingerprint("hashi registrar session", []byte(tp.id+"\x00"), t.AdminTokenSHA256[:]), nil
}

// checkToken reports whether token is the tenant's registrar token.
func (tp *tenantPages) checkToken(token string) error {
	err := tp.p.is.Authorize(tp.id, token)
	if issuer.CodeOf(err) == issuer.CodeUnauthorized {
		return webui.ErrWrongToken
	}
	return err
}

// frame is what every page shows around its content: the university and the navigation.
type frame struct {
	Base     string
	Tenant   string
	UniEN    string
	UniJA    string
	SignedIn bool
	Current  string // the navigation entry of the page
}

func (tp *tenantPages) frame(current string, signedIn bool) (frame, error) {
	t, err := tp.p.is.Tenant(tp.id)
	if err != nil {
		return frame{}, err
	}
	return frame{Base: tp.base, Tenant: tp.id, UniEN: t.NameEN, UniJA: t.NameJA, SignedIn: signedIn, Current: current}, nil
}

// ---- sign in

// renderSignIn renders the sign-in page (webui.TokenSession's Render).
func (tp *tenantPages) renderSignIn(c echo.Context, status int, p *webui.Page) error {
	f, err := tp.frame("", false)
	if err != nil {
		return err
	}
	p.Data = f
	return tp.r.Render(c, status, "sign-in.html", p)
}

// ---- dashboard

// count is a number of items, capped at one listing page.
type count struct {
	N    int
	More bool // there are at least N
}

type dashboardView struct {
	frame
	Graduates, Unapproved           count
	Offers, Pending, Redeemed       count
	Credentials, Revoked, Suspended count
}

func (tp *tenantPages) dashboard(c echo.Context) error {
	ctx := c.Request().Context()
	f, err := tp.frame("dashboard", true)
	if err != nil {
		return err
	}
	v := dashboardView{frame: f}
	gs, err := tp.p.is.ListGraduates(ctx, tp.id, "", issuer.MaxPageSize)
	if err != nil {
		return err
	}
	more := len(gs) == issuer.MaxPageSize
	v.Graduates = count{len(gs), more}
	v.Unapproved.More = more
	for _, g := range gs {
		if !g.Approved {
			v.Unapproved.N++
		}
	}
	os, err := tp.p.is.ListOffers(ctx, tp.id, time.Time{}, issuer.MaxPageSize)
	if err != nil {
		return err
	}
	more = len(os) == issuer.MaxPageSize
	v.Offers, v.Pending.More, v.Redeemed.More = count{len(os), more}, more, more
	for _, o := range os {
		switch o.State {
		case "pending":
			v.Pending.N++
		case "redeemed":
			v.Redeemed.N++
		}
	}
	cs, err := tp.p.is.ListIssuances(ctx, tp.id, "", time.Time{}, issuer.MaxPageSize)
	if err != nil {
		return err
	}
	more = len(cs) == issuer.MaxPageSize
	v.Credentials, v.Revoked.More, v.Suspended.More = count{len(cs), more}, more, more
	for _, x := range cs {
		switch x.Status {
		case "revoked":
			v.Revoked.N++
		case "suspended":
			v.Suspended.N++
		}
	}
	return tp.r.Render(c, http.StatusOK, "dashboard.html", &webui.Page{Data: v})
}

// ---- graduates and the import

type graduatesView struct {
	frame
	Graduates []issuer.GraduateView
	Next      string // after= of the next page, "" when this is the last
	Imported  bool
	Results   []issuer.ImportResult
	Created   int
	Updated   int
	Rejected  int
	// ImportErrors are the errors of an import rejected as a whole (a bad CSV header);
	// UnknownColumn: one of them is a column the import does not know.
	ImportErrors  []academic.FieldError
	UnknownColumn bool
	// OnlyRejected: the import was too long to list every row; Results are the rejected ones.
	OnlyRejected bool
}

// maxShownResults is the longest import whose every row's outcome is listed; a longer one
// lists its rejected rows only (the summary counts all).
const maxShownResults = 100

func (tp *tenantPages) graduates(c echo.Context) error {
	after, err := queryString(c, "after")
	if err != nil {
		return err
	}
	var flash []webui.Flash
	if id, _ := queryString(c, "approved"); id != "" {
		flash = append(flash, webui.Flash{Kind: webui.FlashSuccess, Key: "graduates.approved", Args: []any{"ID", id}})
	}
	return tp.renderGraduates(c, http.StatusOK, after, graduatesView{}, flash)
}

func (tp *tenantPages) renderGraduates(c echo.Context, status int, after string, v graduatesView, flash []webui.Flash) error {
	f, err := tp.frame("graduates", true)
	if err != nil {
		return err
	}
	v.frame = f
	if v.Graduates, err = tp.p.is.ListGraduates(c.Request().Context(), tp.id, after, issuer.DefaultPageSize); err != nil {
		return err
	}
	if len(v.Graduates) == issuer.DefaultPageSize {
		v.Next = v.Graduates[len(v.Graduates)-1].ID
	}
	return tp.r.Render(c, status, "graduates.html", &webui.Page{Flash: flash, Data: v})
}

func (tp *tenantPages) approve(c echo.Context) error {
	id := c.Param("id")
	if err := tp.p.is.ApproveGraduate(c.Request().Context(), tp.id, id); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, tp.base+"/graduates?approved="+url.QueryEscape(id))
}

// importGraduates reads the uploaded file (CSV, JSON lines or a JSON array, told apart by
// the file name, else by the first character) and shows every row's outcome.
func (tp *tenantPages) importGraduates(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		if errors.Is(err, http.ErrMissingFile) {
			f, ferr := tp.frame("graduates", true)
			if ferr != nil {
				return ferr
			}
			v := graduatesView{frame: f}
			if v.Graduates, err = tp.p.is.ListGraduates(c.Request().Context(), tp.id, "", issuer.DefaultPageSize); err != nil {
				return err
			}
			return tp.r.Render(c, http.StatusUnprocessableEntity, "graduates.html", &webui.Page{Errors: webui.FieldErrors{{Field: "file", Rule: "required"}}, Data: v})
		}
		return err
	}
	fd, err := fh.Open()
	if err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(fd, tp.p.limit+1))
	_ = fd.Close()
	if err != nil {
		return err
	}
	if int64(len(body)) > tp.p.limit {
		return &http.MaxBytesError{Limit: tp.p.limit}
	}
	var rows []issuer.GraduateRow
	var pre []issuer.ImportResult
	format := importFormat(fh.Filename, body)
	switch format {
	case "json":
		rows, err = jsonRows(body)
	case "jsonl":
		rows, pre, err = jsonLines(body)
	default:
		rows, pre, err = csvRows(body)
	}
	if err == nil && len(rows)+len(pre) > issuer.MaxImportRows {
		err = invalidInput("file", "max", "has more than "+strconv.Itoa(issuer.MaxImportRows)+" rows", strconv.Itoa(issuer.MaxImportRows)+"行を超えています")
	}
	var res []issuer.ImportResult
	if err == nil {
		res, err = tp.p.is.ImportGraduates(c.Request().Context(), tp.id, rows)
	}
	if err != nil {
		e, ok := errors.AsType[*issuer.Error](err)
		if !ok || (e.Code != issuer.CodeInvalidInput && e.Code != issuer.CodeInvalidRequest) {
			return err
		}
		fields := e.Fields
		if len(fields) == 0 {
			fields = []academic.FieldError{{Path: "file", Rule: "invalid", Message: e.Description}}
		}
		v := graduatesView{Imported: true, ImportErrors: fields}
		v.UnknownColumn = slices.ContainsFunc(fields, func(fe academic.FieldError) bool { return fe.Rule == "unknown_column" })
		flash := []webui.Flash{{Kind: webui.FlashError, Key: "import.failed"}}
		return tp.renderGraduates(c, http.StatusUnprocessableEntity, "", v, flash)
	}
	v := graduatesView{Imported: true, Results: mergeResults(res, pre)}
	if format == "csv" {
		columnPaths(v.Results)
	}
	for _, r := range v.Results {
		switch r.Outcome {
		case "created":
			v.Created++
		case "updated":
			v.Updated++
		default:
			v.Rejected++
		}
	}
	if len(v.Results) > maxShownResults {
		v.OnlyRejected = true
		kept := v.Results[:0:0]
		for _, r := range v.Results {
			if r.Outcome == "rejected" {
				kept = append(kept, r)
			}
		}
		v.Results = kept
	}
	flash := []webui.Flash{importSummary(v.Created, v.Updated, v.Rejected)}
	return tp.renderGraduates(c, http.StatusOK, "", v, flash)
}

// importSummary says what an import saved: everything, some rows, or nothing (every row
// rejected, or no rows at all).
func importSummary(created, updated, rejected int) webui.Flash {
	f := webui.Flash{Kind: webui.FlashError, Args: []any{"Created", created, "Updated", updated, "Rejected", rejected}}
	switch {
	case created+updated+rejected == 0:
		f.Key = "import.summary_empty"
	case created+updated == 0:
		f.Key = "import.summary_none_saved"
	case rejected > 0:
		f.Key = "import.summary_partial"
	default:
		f.Kind, f.Key = webui.FlashSuccess, "import.summary"
	}
	return f
}

// sampleFile serves the sample CSV as a download.
func (tp *tenantPages) sampleFile(c echo.Context) error {
	c.Response().Header().Set(echo.HeaderContentDisposition, `attachment; filename="`+sampleCSVFile+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", tp.sample)
}

// ---- names

// graduateNames returns the names, for a page in lang (GraduateView.NameIn), of the
// graduates ids (empty and unknown ids left out), looked up one by one: a page names at
// most a page of them.
func (tp *tenantPages) graduateNames(ctx context.Context, lang string, ids ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, id := range ids {
		if _, done := out[id]; done || id == "" {
			continue
		}
		g, err := tp.p.is.Graduate(ctx, tp.id, id)
		if issuer.CodeOf(err) == issuer.CodeNotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		out[id] = g.NameIn(lang)
	}
	return out, nil
}

// columnPaths names a CSV row's record fields as the file's columns do: the core's
// record.degree.eqf_level is the column degree.eqf_level.
func columnPaths(res []issuer.ImportResult) {
	for i := range res {
		if len(res[i].Errors) == 0 {
			continue
		}
		errs := make([]academic.FieldError, len(res[i].Errors))
		for j, fe := range res[i].Errors {
			fe.Path = strings.TrimPrefix(fe.Path, "record.")
			errs[j] = fe
		}
		res[i].Errors = errs
	}
}

// importFormat tells the upload's format: by extension, else a leading "[" is a JSON array
// and a leading "{" JSON lines; anything else is CSV.
func importFormat(name string, body []byte) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".csv":
		return "csv"
	case ".jsonl", ".ndjson":
		return "jsonl"
	case ".json":
		return "json"
	}
	s := strings.TrimLeft(strings.TrimPrefix(string(body[:min(len(body), 64)]), "\ufeff"), " \t\r\n")
	switch {
	case strings.HasPrefix(s, "["):
		return "json"
	case strings.HasPrefix(s, "{"):
		return "jsonl"
	}
	return "csv"
}

// ---- offers

// configChoice is a credential configuration with its display names from the metadata.
type configChoice struct {
	ID     string
	NameEN string
	NameJA string
	Format string // message key of the format's name
}

func (tp *tenantPages) configChoices() ([]configChoice, error) {
	md, err := tp.p.is.Metadata(tp.id)
	if err != nil {
		return nil, err
	}
	out := make([]configChoice, 0, len(issuer.Configurations))
	for _, conf := range issuer.Configurations {
		ch := configChoice{ID: conf.ID, NameEN: conf.ID, NameJA: conf.ID, Format: "format.sd_jwt"}
		if conf.Format == issuer.FormatJWTVCJSON {
			ch.Format = "format.jwt_vc"
		}
		if cc, ok := md.CredentialConfigurationsSupported[conf.ID]; ok {
			for _, d := range cc.CredentialMetadata.Display {
				switch {
				case strings.HasPrefix(d.Locale, "ja"):
					ch.NameJA = d.Name
				case strings.HasPrefix(d.Locale, "en"):
					ch.NameEN = d.Name
				}
			}
		}
		out = append(out, ch)
	}
	return out, nil
}

// configNames maps configuration ids to their choices, for lists.
func (tp *tenantPages) configNames() (map[string]configChoice, error) {
	cs, err := tp.configChoices()
	if err != nil {
		return nil, err
	}
	m := make(map[string]configChoice, len(cs))
	for _, ch := range cs {
		m[ch.ID] = ch
	}
	return m, nil
}

type newOfferView struct {
	frame
	Configs    []configChoice
	Graduates  []issuer.GraduateView
	Config     string
	GraduateID string
	TxCode     bool
	// FieldErrs are the issuer's errors by form field; Other are those of no field of the
	// form.
	FieldErrs map[string][]academic.FieldError
	Other     []academic.FieldError
}

func (tp *tenantPages) newOffer(c echo.Context) error {
	gid, err := queryString(c, "graduate_id")
	if err != nil {
		return err
	}
	return tp.renderNewOffer(c, http.StatusOK, newOfferView{Config: issuer.ConfigDiplomaSDJWT, GraduateID: gid, TxCode: true})
}

func (tp *tenantPages) renderNewOffer(c echo.Context, status int, v newOfferView) error {
	f, err := tp.frame("new_offer", true)
	if err != nil {
		return err
	}
	v.frame = f
	if v.Configs, err = tp.configChoices(); err != nil {
		return err
	}
	if v.Graduates, err = tp.p.is.ListGraduates(c.Request().Context(), tp.id, "", issuer.MaxPageSize); err != nil {
		return err
	}
	var flash []webui.Flash
	if len(v.FieldErrs)+len(v.Other) > 0 {
		flash = []webui.Flash{{Kind: webui.FlashError, Key: "form.fix"}}
	}
	return tp.r.Render(c, status, "offer-new.html", &webui.Page{Flash: flash, Data: v})
}

func (tp *tenantPages) createOffer(c echo.Context) error {
	v := newOfferView{
		Config:     c.FormValue("credential_configuration_id"),
		GraduateID: strings.TrimSpace(c.FormValue("graduate_id")),
		TxCode:     c.FormValue("tx_code") == "on",
	}
	txCode := v.TxCode
	res, err := tp.p.is.CreateOffer(c.Request().Context(), tp.id, issuer.OfferRequest{
		CredentialConfigurationID: v.Config, GraduateID: v.GraduateID, TxCode: &txCode,
	})
	if err != nil {
		e, ok := errors.AsType[*issuer.Error](err)
		if !ok || e.Code != issuer.CodeInvalidInput || len(e.Fields) == 0 {
			return err
		}
		v.FieldErrs = map[string][]academic.FieldError{}
		for _, fe := range e.Fields {
			switch fe.Path {
			case "credential_configuration_id", "graduate_id":
				v.FieldErrs[fe.Path] = append(v.FieldErrs[fe.Path], fe)
			default:
				v.Other = append(v.Other, fe)
			}
		}
		return tp.renderNewOffer(c, http.StatusUnprocessableEntity, v)
	}
	return c.Redirect(http.StatusSeeOther, tp.base+"/offers/"+url.PathEscape(res.OfferID)+"?created=1")
}

type offerItem struct {
	issuer.OfferView
	Config configChoice
	Name   string // the graduate's, when known
}

type offersView struct {
	frame
	Offers []offerItem
	Older  string // before= of the next page
}

func (tp *tenantPages) offers(c echo.Context) error {
	before, _, err := page(c)
	if err != nil {
		return err
	}
	f, err := tp.frame("offers", true)
	if err != nil {
		return err
	}
	names, err := tp.configNames()
	if err != nil {
		return err
	}
	os, err := tp.p.is.ListOffers(c.Request().Context(), tp.id, before, issuer.DefaultPageSize)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(os))
	for _, o := range os {
		ids = append(ids, o.GraduateID)
	}
	who, err := tp.graduateNames(c.Request().Context(), tp.r.LangOf(c).String(), ids...)
	if err != nil {
		return err
	}
	v := offersView{frame: f}
	for _, o := range os {
		v.Offers = append(v.Offers, offerItem{OfferView: o, Config: names[o.ConfigurationID], Name: who[o.GraduateID]})
	}
	if len(os) == issuer.DefaultPageSize {
		v.Older = os[len(os)-1].CreatedAt.UTC().Format(time.RFC3339Nano)
	}
	return tp.r.Render(c, http.StatusOK, "offers.html", &webui.Page{Data: v})
}

type offerView struct {
	frame
	Offer  issuer.OfferView
	Config configChoice
	// Href is the offer link for same-device wallets (a custom scheme html/template would
	// otherwise refuse; the issuer built it).
	Href       template.URL
	Spelt      string    // the PIN's digits separated by spaces, for screen readers
	RedeemedAt time.Time // zero while not redeemed
	Name       string    // the graduate's, when known
}

func (tp *tenantPages) offer(c echo.Context) error {
	o, err := tp.p.is.Offer(c.Request().Context(), tp.id, c.Param("id"))
	if err != nil {
		return err
	}
	f, err := tp.frame("offers", true)
	if err != nil {
		return err
	}
	names, err := tp.configNames()
	if err != nil {
		return err
	}
	v := offerView{frame: f, Offer: *o, Config: names[o.ConfigurationID], Href: template.URL(o.Offer)} //nolint:gosec // built by the issuer: fixed scheme, query-escaped URI
	v.Spelt = strings.Join(strings.Split(o.TxCode, ""), " ")
	who, err := tp.graduateNames(c.Request().Context(), tp.r.LangOf(c).String(), o.GraduateID)
	if err != nil {
		return err
	}
	v.Name = who[o.GraduateID]
	if o.RedeemedAt != nil {
		v.RedeemedAt = *o.RedeemedAt
	}
	var flash []webui.Flash
	if c.QueryParam("created") == "1" {
		flash = append(flash, webui.Flash{Kind: webui.FlashSuccess, Key: "offer.created"})
	}
	return tp.r.Render(c, http.StatusOK, "offer.html", &webui.Page{Flash: flash, Data: v})
}

func (tp *tenantPages) reoffer(c echo.Context) error {
	res, err := tp.p.is.Reoffer(c.Request().Context(), tp.id, c.Param("id"), c.FormValue("tx_code") != "off")
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, tp.base+"/offers/"+url.PathEscape(res.OfferID)+"?created=1")
}

// ---- issued credentials

type credentialItem struct {
	issuer.IssuanceView
	Config configChoice
	Name   string // the graduate's, when known
}

type credentialsView struct {
	frame
	Credentials []credentialItem
	OfferID     string
	Older       string
}

// statusWords are the statuses a registrar can set.
var statusWords = []string{"revoked", "suspended", "valid"}

func (tp *tenantPages) credentials(c echo.Context) error {
	var flash []webui.Flash
	if st := c.QueryParam("changed"); st != "" {
		for _, w := range statusWords {
			if st == w {
				flash = append(flash, webui.Flash{Kind: webui.FlashSuccess, Key: "credentials.changed." + w})
			}
		}
	}
	return tp.renderCredentials(c, http.StatusOK, flash)
}

func (tp *tenantPages) renderCredentials(c echo.Context, status int, flash []webui.Flash) error {
	before, _, err := page(c)
	if err != nil {
		return err
	}
	offerID, err := queryString(c, "offer_id")
	if err != nil {
		return err
	}
	f, err := tp.frame("credentials", true)
	if err != nil {
		return err
	}
	names, err := tp.configNames()
	if err != nil {
		return err
	}
	cs, err := tp.p.is.ListIssuances(c.Request().Context(), tp.id, offerID, before, issuer.DefaultPageSize)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(cs))
	for _, x := range cs {
		ids = append(ids, x.GraduateID)
	}
	who, err := tp.graduateNames(c.Request().Context(), tp.r.LangOf(c).String(), ids...)
	if err != nil {
		return err
	}
	v := credentialsView{frame: f, OfferID: offerID}
	for _, x := range cs {
		v.Credentials = append(v.Credentials, credentialItem{IssuanceView: x, Config: names[x.ConfigurationID], Name: who[x.GraduateID]})
	}
	if len(cs) == issuer.DefaultPageSize {
		v.Older = cs[len(cs)-1].IssuedAt.UTC().Format(time.RFC3339Nano)
	}
	return tp.r.Render(c, status, "credentials.html", &webui.Page{Flash: flash, Data: v})
}

func (tp *tenantPages) setStatus(c echo.Context) error {
	st := c.FormValue("status")
	rec, err := tp.p.is.SetCredentialStatus(c.Request().Context(), tp.id, c.Param("id"), st)
	if issuer.CodeOf(err) == issuer.CodeConflict {
		return tp.renderCredentials(c, http.StatusConflict, []webui.Flash{{Kind: webui.FlashError, Key: "credentials.conflict"}})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, tp.base+"/credentials?changed="+url.QueryEscape(rec.Status))
}

// ---- audit log

type auditView struct {
	frame
	Events []auditItem
	Older  string
}

// auditItem is an audit event with what the registrar can recognise: the graduate it
// concerns, and its detail in words.
type auditItem struct {
	issuer.AuditEvent
	// Kind is what Object is: "graduate", "offer", "credential", "notification", or "".
	Kind       string
	GraduateID string // the graduate the event concerns, when known
	Name       string // their name, when known
	// The detail in words: a message, or a credential configuration and a number of
	// credentials; neither shows Detail as it is.
	DetailKey string
	Config    *configChoice
	Count     int
}

// auditKinds tells what an action's Object is (issuer core: the audit events it writes).
var auditKinds = map[string]string{
	"graduate_imported":      "graduate",
	"graduate_approved":      "graduate",
	"offer_created":          "offer",
	"offer_withdrawn":        "offer",
	"offer_redeemed":         "offer",
	"offer_locked":           "offer",
	"issuance_deferred":      "offer",
	"credential_issued":      "offer",
	"credential_redelivered": "offer",
	"credential_revoked":     "credential",
	"credential_suspended":   "credential",
	"credential_valid":       "credential",
	"notification":           "notification",
}

// auditDetailKeys are the messages of the fixed details the issuer writes.
var auditDetailKeys = map[string]string{
	"re-offered":                    "audit.detail.reoffered",
	"too many wrong tx_code values": "audit.detail.too_many_pins",
}

func (tp *tenantPages) audit(c echo.Context) error {
	before, _, err := page(c)
	if err != nil {
		return err
	}
	f, err := tp.frame("audit", true)
	if err != nil {
		return err
	}
	ev, err := tp.p.is.AuditLog(c.Request().Context(), tp.id, before, issuer.DefaultPageSize)
	if err != nil {
		return err
	}
	v := auditView{frame: f}
	if v.Events, err = tp.auditItems(c.Request().Context(), tp.r.LangOf(c).String(), ev); err != nil {
		return err
	}
	if len(ev) == issuer.DefaultPageSize {
		v.Older = ev[len(ev)-1].At.UTC().Format(time.RFC3339Nano)
	}
	return tp.r.Render(c, http.StatusOK, "audit.html", &webui.Page{Data: v})
}

// auditItems adds to each event the graduate it concerns (an offer's or a credential's
// graduate, looked up by id) with their name, and its detail in words. A notification's object (the wallet's notification id) is
// named in no list the pages can read, so it stays an id.
func (tp *tenantPages) auditItems(ctx context.Context, lang string, ev []issuer.AuditEvent) ([]auditItem, error) {
	configs, err := tp.configNames()
	if err != nil {
		return nil, err
	}
	items := make([]auditItem, len(ev))
	offers, creds := map[string]string{}, map[string]string{} // id → graduate id
	for i, e := range ev {
		it := auditItem{AuditEvent: e, Kind: auditKinds[e.Action]}
		switch it.Kind {
		case "graduate":
			it.GraduateID = e.Object
		case "offer":
			offers[e.Object] = ""
		case "credential":
			creds[e.Object] = ""
		}
		it.DetailKey, it.Config, it.Count = tp.auditDetail(e, configs)
		items[i] = it
	}
	for id := range offers {
		o, err := tp.p.is.Offer(ctx, tp.id, id)
		if issuer.CodeOf(err) == issuer.CodeNotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		offers[id] = o.GraduateID
	}
	for id := range creds {
		x, err := tp.p.is.Issuance(ctx, tp.id, id)
		if issuer.CodeOf(err) == issuer.CodeNotFound {
			continue
		} else if err != nil {
			return nil, err
		}
		creds[id] = x.GraduateID
	}
	ids := make([]string, 0, len(items))
	for i := range items {
		switch items[i].Kind {
		case "offer":
			items[i].GraduateID = offers[items[i].Object]
		case "credential":
			items[i].GraduateID = creds[items[i].Object]
		}
		ids = append(ids, items[i].GraduateID)
	}
	who, err := tp.graduateNames(ctx, lang, ids...)
	if err != nil {
		return nil, err
	}
	for i := range items {
		items[i].Name = who[items[i].GraduateID]
	}
	return items, nil
}

// auditDetail puts an event's detail in words: a message for the issuer's fixed details
// and the wallet's notification events, else the credential configuration it names, with
// the number of credentials ("hashi_diploma_sd_jwt ×1"). Other details show as they are.
func (tp *tenantPages) auditDetail(e issuer.AuditEvent, configs map[string]configChoice) (key string, conf *configChoice, n int) {
	if k, ok := auditDetailKeys[e.Detail]; ok {
		return k, nil, 0
	}
	if e.Action == "notification" && tp.p.cat.Has(webui.English, "credentials.event."+e.Detail) {
		return "credentials.event." + e.Detail, nil, 0
	}
	id, count, counted := strings.Cut(e.Detail, " ×")
	ch, ok := configs[id]
	if !ok {
		return "", nil, 0
	}
	if !counted {
		return "", &ch, 0
	}
	if n, err := strconv.Atoi(count); err == nil && n > 0 {
		return "", &ch, n
	}
	return "", nil, 0
}
