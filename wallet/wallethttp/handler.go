package wallethttp

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/wallet"
	"github.com/hashi-vc/hashi/wallet/walletstore"
	"github.com/labstack/echo/v4"
)

//go:embed messages/*.json
var messageFiles embed.FS

//go:embed pages/*.html
var pageFiles embed.FS

//go:embed assets/wallet.css
var walletCSS []byte

// walletStyle is the stylesheet, served under {base}/assets/ by its content-hashed name.
var walletStyle = webui.NewStylesheet("wallet", walletCSS)

// SessionCookie is the name of the session cookie.
const SessionCookie = "hashi_wallet"

// DefaultBasePath is where the pages are mounted without WithBasePath.
const DefaultBasePath = "/wallet"

// Accounts is the account storage the pages use; *walletstore.Store implements it. Errors
// follow walletstore's contract: storeerr.ErrNotFound for a missing account or session,
// storeerr.ErrConflict for a taken username.
type Accounts interface {
	CreateAccount(ctx context.Context, username, passwordHash string, now time.Time) (*walletstore.Account, error)
	AccountByUsername(ctx context.Context, username string) (*walletstore.Account, error)
	Account(ctx context.Context, id string) (*walletstore.Account, error)
	SetPasswordHash(ctx context.Context, id, passwordHash string) error
	CreateSession(ctx context.Context, accountID string, now, expiresAt time.Time) (string, error)
	Session(ctx context.Context, token string, now time.Time) (*walletstore.Session, error)
	DeleteSession(ctx context.Context, token string) error
	RecordFailedSignIn(ctx context.Context, username, client string, at time.Time) error
	FailedSignIns(ctx context.Context, username, client string, since time.Time) (walletstore.SignInFailures, error)
	ClearFailedSignIns(ctx context.Context, username string) error
	DeleteAccount(ctx context.Context, id string) error
}

var _ Accounts = (*walletstore.Store)(nil)

// Option configures a Handler.
type Option func(*config) error

type config struct {
	base     string
	now      func() time.Time
	clientOf func(*http.Request) string
	logger   *slog.Logger
	hash     func(string) (string, error)
}

// WithBasePath mounts the pages under p ("/wallet" by default; "" is not allowed, use "/"
// for the root). It must start with "/" and not end with one (except "/" itself).
func WithBasePath(p string) Option {
	return func(c *config) error {
		if p == "/" {
			c.base = ""
			return nil
		}
		if !strings.HasPrefix(p, "/") || strings.HasSuffix(p, "/") || strings.Contains(p, "//") || strings.ContainsAny(p, "?#\\:*") {
			return fmt.Errorf("wallethttp: WithBasePath: %q is not a clean absolute path", p)
		}
		c.base = p
		return nil
	}
}

// WithClock sets the clock of sessions, rate limits, held requests and card dates. The
// wallet core has its own. Default: time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("wallethttp: WithClock: nil clock")
		}
		c.now = now
		return nil
	}
}

// WithClientKey sets how a request's client is identified for the per-client sign-in
// limit (e.g. from a trusted proxy header). Default: the connection's IP address, an IPv6
// address reduced to its /64.
func WithClientKey(f func(*http.Request) string) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("wallethttp: WithClientKey: nil function")
		}
		c.clientOf = f
		return nil
	}
}

// WithLogger sets the logger of failures the student does not see in detail. Default:
// discard.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("wallethttp: WithLogger: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithPasswordHasherInsecure replaces walletstore.HashPassword for new accounts, e.g. with
// cheaper argon2id parameters in tests. WARNING: a weak hasher makes stolen password hashes
// easy to crack; never use it in production.
func WithPasswordHasherInsecure(f func(string) (string, error)) Option {
	return func(c *config) error {
		if f == nil {
			return errors.New("wallethttp: WithPasswordHasherInsecure: nil function")
		}
		c.hash = f
		return nil
	}
}

// Handler serves the wallet pages.
type Handler struct {
	w    *wallet.Wallet
	acc  Accounts
	cfg  config
	r    *webui.Renderer
	held *holdings
	// dummyHash is checked for unknown usernames, so that a sign-in takes as long whether
	// the account exists or not.
	dummyHash string
}

// New returns the handler of the wallet pages over w and accounts.
func New(w *wallet.Wallet, accounts Accounts, opts ...Option) (*Handler, error) {
	if w == nil || accounts == nil {
		return nil, errors.New("wallethttp: New: wallet and accounts are required")
	}
	cfg := config{base: DefaultBasePath, now: time.Now, clientOf: defaultClientKey, logger: slog.New(slog.DiscardHandler), hash: walletstore.HashPassword}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	msgs, err := fs.Sub(messageFiles, "messages")
	if err != nil {
		return nil, fmt.Errorf("wallethttp: messages: %w", err)
	}
	cat, err := webui.NewCatalog(msgs)
	if err != nil {
		return nil, fmt.Errorf("wallethttp: messages: %w", err)
	}
	tmpl, err := fs.Sub(pageFiles, "pages")
	if err != nil {
		return nil, fmt.Errorf("wallethttp: pages: %w", err)
	}
	home := cfg.base + "/"
	r, err := webui.NewRenderer(cat, tmpl, webui.WithServiceName("wallet.name"), webui.WithHomePath(home), webui.WithErrorStatus(errorStatus),
		webui.WithFuncs(template.FuncMap{"wallet_css": func() string { return walletStyle.Name }}))
	if err != nil {
		return nil, fmt.Errorf("wallethttp: pages: %w", err)
	}
	dummy, err := walletstore.HashPassword(rand.Text())
	if err != nil {
		return nil, fmt.Errorf("wallethttp: dummy hash: %w", err)
	}
	return &Handler{w: w, acc: accounts, cfg: cfg, r: r, held: newHoldings(), dummyHash: dummy}, nil
}

// Catalog returns the message catalogue of the pages (for webuitest.CheckCatalog).
func (h *Handler) Catalog() *webui.Catalog { return h.r.Catalog() }

// errorStatus maps errors the page handlers return to the error page's status.
func errorStatus(err error) (int, bool) {
	switch wallet.CodeOf(err) {
	case wallet.CodeNotFound:
		return http.StatusNotFound, true
	case "":
	default:
		return http.StatusInternalServerError, true
	}
	if errors.Is(err, storeerr.ErrNotFound) {
		return http.StatusNotFound, true
	}
	return 0, false
}

// Register mounts the pages and the shared stylesheet on e.
func (h *Handler) Register(e *echo.Echo) {
	e.GET(webui.StaticPrefix+"*", echo.WrapHandler(webui.StaticHandler()))
	e.GET(h.cfg.base+"/assets/"+walletStyle.Name, walletStyle.Serve)
	mw := append([]echo.MiddlewareFunc{httpx.BodyLimit(MaxFormBody)}, h.r.Middleware()...)
	g := e.Group(h.cfg.base, mw...)
	g.GET("", h.home)
	g.GET("/", h.home)
	g.GET("/sign-up", h.signUpForm)
	g.POST("/sign-up", h.signUp)
	g.GET("/sign-in", h.signInForm)
	g.POST("/sign-in", h.signIn)
	s := g.Group("", h.requireSession)
	s.POST("/sign-out", h.signOut)
	s.GET("/account", h.account)
	s.POST("/account/delete", h.deleteAccount)
	s.GET("/credentials", h.credentials)
	s.GET("/credentials/:id", h.credential)
	s.POST("/credentials/:id/delete", h.deleteCredential)
	s.POST("/pending/:id/poll", h.poll)
	s.GET("/receive", h.receiveForm)
	s.POST("/receive", h.receiveLink)
	s.POST("/receive/accept", h.receiveAccept)
	s.GET("/present", h.presentForm)
	s.POST("/present", h.presentLink)
	s.POST("/present/share", h.share)
	s.POST("/present/decline", h.decline)
	s.POST("/present/reject", h.reject)
	s.GET("/history", h.history)
	// Pictures of QR codes: a larger body limit than forms, so a group of their own, and the
	// session is checked before the CSRF check reads (and spools) a multipart body, so a
	// post without a session costs no more than its headers.
	lang, errs, csrf := h.r.Language(), h.r.Errors(), h.r.CSRF()
	scan := e.Group(h.cfg.base, httpx.BodyLimit(MaxScanBody), lang, errs, h.requireSession, csrf)
	scan.POST("/receive/scan", h.receiveScan)
	scan.POST("/present/scan", h.presentScan)
	// A page rendered in answer to a post links the language switch to the post's own URL
	// with ?lang=: a GET on a POST-only route goes on to the page the post belongs to.
	for path, to := range postOnlyTargets {
		s.GET(path, h.seeOther(to))
	}
}

// postOnlyTargets maps each POST-only route to the page a GET on it goes to: the page that
// shows what the post did (the received card is in the list, a presentation in the
// history) or the form it came from. A held offer or request is not kept: the id is in the
// post's body, not its URL.
var postOnlyTargets = map[string]string{
	"/sign-out":               "/credentials",
	"/account/delete":         "/account",
	"/credentials/:id/delete": "/credentials/:id",
	"/pending/:id/poll":       "/credentials",
	"/receive/accept":         "/credentials",
	"/receive/scan":           "/receive",
	"/present/share":          "/history",
	"/present/decline":        "/history",
	"/present/reject":         "/history",
	"/present/scan":           "/present",
}

// seeOther answers a GET on a POST-only route with a 303 to the page to (":id" filled in
// from the route), keeping the lang query parameter when it names a served language.
func (h *Handler) seeOther(to string) echo.HandlerFunc {
	return func(c echo.Context) error {
		u := h.cfg.base + strings.Replace(to, ":id", url.PathEscape(c.Param("id")), 1)
		if l := c.QueryParam(webui.LangParam); servedLang(l) {
			u += "?" + url.Values{webui.LangParam: {l}}.Encode()
		}
		return c.Redirect(http.StatusSeeOther, u)
	}
}

// servedLang reports whether s is the code of a served language ("en", "ja").
func servedLang(s string) bool {
	for _, tag := range webui.Languages() {
		if s == tag.String() {
			return true
		}
	}
	return false
}

// ---- sessions

type ctxKey string

const (
	ownerKey ctxKey = "wallethttp.owner"
	tokenKey ctxKey = "wallethttp.token"
)

func owner(c echo.Context) string { s, _ := c.Get(string(ownerKey)).(string); return s }

func (h *Handler) sessionOf(c echo.Context) (owner, token string, ok bool) {
	ck, err := c.Cookie(SessionCookie)
	if err != nil || ck.Value == "" {
		return "", "", false
	}
	s, err := h.acc.Session(c.Request().Context(), ck.Value, h.cfg.now())
	if err != nil {
		return "", "", false
	}
	return s.AccountID, ck.Value, true
}

// requireSession sends a request without a live session to the sign-in page, with the page
// it asked for (GET only) as next.
func (h *Handler) requireSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, token, ok := h.sessionOf(c)
		if !ok {
			to := h.cfg.base + "/sign-in"
			if c.Request().Method == http.MethodGet {
				to += "?next=" + url.QueryEscape(c.Request().URL.RequestURI())
			}
			return c.Redirect(http.StatusSeeOther, to)
		}
		c.Set(string(ownerKey), id)
		c.Set(string(tokenKey), token)
		return next(c)
	}
}

func (h *Handler) setSession(c echo.Context, token string, now time.Time) {
	http.SetCookie(c.Response(), h.cookie(c.Request(), token, int(SessionMaxAge.Seconds()), now.Add(SessionMaxAge)))
}

func (h *Handler) clearSession(c echo.Context) {
	http.SetCookie(c.Response(), h.cookie(c.Request(), "", -1, time.Unix(0, 0)))
}

func (h *Handler) cookie(req *http.Request, value string, maxAge int, exp time.Time) *http.Cookie {
	p := h.cfg.base
	if p == "" {
		p = "/"
	}
	return &http.Cookie{ //nolint:gosec // G124: Secure is off only for plain http to loopback; HttpOnly and SameSite are set
		Name: SessionCookie, Value: value, Path: p, MaxAge: maxAge, Expires: exp.UTC(),
		Secure: secureFor(req), HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}
}

// secureFor reports whether the cookie gets Secure: always, except for plain HTTP to a
// loopback host (local development and tests), where the browser would drop it.
func secureFor(req *http.Request) bool {
	if req.TLS != nil {
		return true
	}
	host := req.Host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		host = hh
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return false
	}
	ip := net.ParseIP(host)
	return ip == nil || !ip.IsLoopback()
}

// defaultClientKey is the connection's IP address, an IPv6 address reduced to its /64.
func defaultClientKey(req *http.Request) string {
	host, _, err := net.SplitHostPort(req.RemoteAddr)
	if err != nil {
		host = req.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

// localNext returns next when it is a path under the base, else the credentials page.
func (h *Handler) localNext(next string) string {
	def := h.cfg.base + "/credentials"
	if next == "" || !strings.HasPrefix(next, h.cfg.base+"/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n") {
		return def
	}
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" {
		return def
	}
	return next
}

// ---- held offers and requests

type held struct {
	owner string
	at    time.Time
	offer *wallet.Offer
	req   *wallet.Request
	// rejectErr is the error of an authenticated request that cannot be served (req is
	// its ReplyTo).
	rejectErr error
	// busy is set while a request is being answered, so a double submission sends once.
	busy bool
}

type holdings struct {
	mu sync.Mutex
	m  map[string]*held
}

func newHoldings() *holdings { return &holdings{m: map[string]*held{}} }

var errHoldFull = errors.New("wallethttp: too many held offers and requests")

// put keeps v for owner and returns its id.
func (hs *holdings) put(v *held, now time.Time) (string, error) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	var oldest string
	n := 0
	for id, x := range hs.m {
		if now.Sub(x.at) > HoldTTL {
			delete(hs.m, id)
			continue
		}
		if x.owner == v.owner {
			n++
			if oldest == "" || x.at.Before(hs.m[oldest].at) {
				oldest = id
			}
		}
	}
	if n >= MaxHeldPerOwner {
		delete(hs.m, oldest)
	}
	if len(hs.m) >= MaxHeld {
		return "", errHoldFull
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := base64.RawURLEncoding.EncodeToString(b)
	v.at = now
	hs.m[id] = v
	return id, nil
}

// get returns the held value of owner with id, or nil.
func (hs *holdings) get(owner, id string, now time.Time) *held {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	x := hs.m[id]
	if x == nil || x.owner != owner || now.Sub(x.at) > HoldTTL {
		return nil
	}
	return x
}

// claim returns the held value of owner with id and marks it busy, or nil when there is
// none or it is being answered; release or drop it afterwards.
func (hs *holdings) claim(owner, id string, now time.Time) *held {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	x := hs.m[id]
	if x == nil || x.owner != owner || now.Sub(x.at) > HoldTTL || x.busy {
		return nil
	}
	x.busy = true
	return x
}

// release makes a claimed value usable again.
func (hs *holdings) release(id string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if x := hs.m[id]; x != nil {
		x.busy = false
	}
}

func (hs *holdings) drop(id string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	delete(hs.m, id)
}

func (hs *holdings) dropOwner(owner string) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for id, x := range hs.m {
		if x.owner == owner {
			delete(hs.m, id)
		}
	}
}

// ---- rendering helpers

// frame is what every page shows around its content.
type frame struct {
	Base     string
	SignedIn bool
	Current  string
}

func (h *Handler) frame(c echo.Context, current string) frame {
	return frame{Base: h.cfg.base, SignedIn: owner(c) != "", Current: current}
}

func (h *Handler) lang(c echo.Context) string { return h.r.LangOf(c).String() }

// walletFlash is the student-facing message of a wallet error as a flash.
func (h *Handler) walletFlash(c echo.Context, err error) webui.Flash {
	return webui.Flash{Kind: webui.FlashError, Key: "flash.text", Args: []any{"Text", wallet.Message(wallet.CodeOf(err), h.lang(c))}}
}

// walletFailed reports whether err is a wallet error to show in the page (as opposed to a
// store or internal failure, which is the 500 page) and logs it.
func (h *Handler) walletFailed(c echo.Context, what string, err error) bool {
	code := wallet.CodeOf(err)
	h.cfg.logger.InfoContext(c.Request().Context(), what, "code", string(code), "request_id", httpx.RequestID(c.Request().Context()), "err", err.Error())
	return code != "" && code != wallet.CodeStore && code != wallet.CodeInternal
}

func (h *Handler) home(c echo.Context) error {
	if _, _, ok := h.sessionOf(c); ok {
		return c.Redirect(http.StatusSeeOther, h.cfg.base+"/credentials")
	}
	return c.Redirect(http.StatusSeeOther, h.cfg.base+"/sign-in")
}
