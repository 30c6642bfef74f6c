package verifierhttp

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/labstack/echo/v4"
)

// Option configures New.
type Option func(*config) error

type config struct {
	tokenHash [sha256.Size]byte
	hasToken  bool
	pageKey   []byte                 // WithPageKey; nil: no desk pages
	pageClock func() time.Time       // WithPageClock
	responses *prometheus.CounterVec // WithMetrics; nil: none
	webWallet string                 // WithWebWallet; "": none
	deskName  map[string]string      // WithDeskName; nil: the BaseURL's host and path
}

// WithDeskName gives the desk's own name, by language ("en", "ja"; any other BCP 47 tag is
// kept but shown only as a last resort): the pages and printed reports say which desk made
// the request, and the student's same-device landing page whom they answered. Pass the name
// the desk's access certificate was issued for (its organizationName; pki's Verifier.Name
// has it in English and Japanese). A page shows the name in its language, else English, else
// the first by tag. Default: the host and path of the flow's BaseURL (e.g.
// "desk.example/verifier"), which is what the handler knows of the desk by itself.
func WithDeskName(names map[string]string) Option {
	return func(c *config) error {
		if len(names) == 0 {
			return errors.New("verifierhttp: no desk name")
		}
		c.deskName = make(map[string]string, len(names))
		for lang, name := range names {
			name = strings.TrimSpace(name)
			if lang == "" || name == "" || len(name) > MaxDeskNameLen || strings.ContainsFunc(name, unicode.IsControl) {
				return fmt.Errorf("verifierhttp: desk name %q (%q): empty, longer than %d bytes or with control characters", name, lang, MaxDeskNameLen)
			}
			c.deskName[lang] = name
		}
		return nil
	}
}

// WithWebWallet names a hosted web wallet (its base URL, e.g. https://wallet.example/wallet)
// that takes requests at base/present?<the request's query>, as hashi's wallet does. The desk's
// request page then also links the request there ("Open in the web wallet"), for students
// whose wallet is a web page rather than an app that handles openid4vp:// links. Default:
// none.
func WithWebWallet(base string) Option {
	return func(c *config) error {
		u, err := url.Parse(base)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return fmt.Errorf("verifierhttp: web wallet %q is not an absolute http(s) URL without query and fragment", base)
		}
		c.webWallet = strings.TrimSuffix(base, "/")
		return nil
	}
}

// WithMetrics registers the desk's own metrics on reg (the service's registry, e.g.
// httpx.Server.Registerer): hashi_verifier_responses_total{outcome} counts wallet
// responses by what the desk recorded (verified, rejected, declined) and "refused" for
// responses answered with an error. Default: none.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(c *config) error {
		if reg == nil {
			return errors.New("verifierhttp: nil metrics registerer")
		}
		c.responses = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hashi_verifier_responses_total",
			Help: "Wallet responses by outcome: verified, rejected, declined, or refused (an error answer).",
		}, []string{"outcome"})
		return reg.Register(c.responses)
	}
}

// WithAPITokenSHA256 sets the SHA-256 of the desk's bearer token, which the desk API
// (Authorization: Bearer) and the desk pages' sign-in require. Required.
func WithAPITokenSHA256(sum [sha256.Size]byte) Option {
	return func(c *config) error {
		if sum == [sha256.Size]byte{} {
			return errors.New("verifierhttp: zero API token hash")
		}
		c.tokenHash, c.hasToken = sum, true
		return nil
	}
}

// WithPageKey enables the desk pages and sets the key (at least 32 bytes, kept secret, the
// same on every replica) that signs their session cookies. Without it only the wallet
// routes, the same-device landing page and the JSON API are mounted.
func WithPageKey(key []byte) Option {
	return func(c *config) error {
		if len(key) < 32 {
			return errors.New("verifierhttp: page key shorter than 32 bytes")
		}
		c.pageKey = append([]byte(nil), key...)
		return nil
	}
}

// WithPageClock sets the clock of the desk sessions (sign-in time and cookie expiry).
// Default: time.Now.
func WithPageClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("verifierhttp: nil page clock")
		}
		c.pageClock = now
		return nil
	}
}

// Handler serves one verifier desk (a verifier.Flow) over HTTP.
type Handler struct {
	flow    *verifier.Flow
	cfg     config
	base    string // the flow's BaseURL without a trailing slash
	prefix  string // its path: "" or e.g. "/verifier"
	openAPI []byte
	ui      *ui
}

// New returns a Handler for flow. The routes live under the path of the flow's BaseURL.
// WithAPITokenSHA256 is required.
func New(flow *verifier.Flow, opts ...Option) (*Handler, error) {
	if flow == nil {
		return nil, errors.New("verifierhttp: a flow is required")
	}
	h := &Handler{flow: flow}
	for _, o := range opts {
		if err := o(&h.cfg); err != nil {
			return nil, err
		}
	}
	if !h.cfg.hasToken {
		return nil, errors.New("verifierhttp: WithAPITokenSHA256 is required")
	}
	if h.cfg.pageClock == nil {
		h.cfg.pageClock = time.Now
	}
	h.base = strings.TrimSuffix(flow.ResponseURI(), verifier.PathResponse)
	u, err := url.Parse(h.base)
	if err != nil || u.RawPath != "" {
		return nil, fmt.Errorf("verifierhttp: base URL %q has an escaped path", h.base)
	}
	h.prefix = strings.TrimSuffix(u.Path, "/")
	if h.openAPI, err = httpx.OpenAPIDocument(openAPIJSON, h.base); err != nil {
		return nil, err
	}
	if h.ui, err = newUI(h); err != nil {
		return nil, err
	}
	return h, nil
}

// Prefix returns the path under which the routes are registered ("" or e.g. "/verifier").
func (h *Handler) Prefix() string { return h.prefix }

// Catalog returns the message catalogue of the pages (for webuitest.CheckCatalog).
func (h *Handler) Catalog() *webui.Catalog { return h.ui.cat }

// Register adds the desk's routes to e:
//
//	GET, POST {prefix}/oid4vp/requests/{id}   request object (application/oauth-authz-req+jwt)
//	POST      {prefix}/oid4vp/response        direct_post and direct_post.jwt responses
//	GET       {prefix}/requests/done/{id}     same-device landing page (?response_code=)
//	POST      {prefix}/api/requests           create a request (bearer token)
//	GET       {prefix}/api/requests           the desk's requests, newest first (?before=&limit=; bearer token)
//	GET       {prefix}/api/requests/{id}      its status and result (bearer token)
//	GET       {prefix}/openapi.json           the API's OpenAPI 3.1 document
//
// and, with WithPageKey, the desk pages under {prefix}/desk (see pages.go).
func (h *Handler) Register(e *echo.Echo) {
	p := h.prefix
	ro := p + strings.TrimSuffix(verifier.PathRequestObject, "/") + "/:id"
	e.GET(ro, h.requestObject, httpx.NoStore())
	e.POST(ro, h.requestObject, httpx.NoStore(), httpx.BodyLimit(MaxRequestObjectBody))
	e.POST(p+verifier.PathResponse, h.response, httpx.NoStore(), httpx.BodyLimit(MaxResponseBody))
	e.GET(p+"/openapi.json", h.openAPIDoc)

	e.POST(p+"/api/requests", h.createRequest, h.requireToken, httpx.NoStore(), httpx.BodyLimit(MaxAPIBody))
	e.GET(p+"/api/requests", h.listRequests, h.requireToken, httpx.NoStore())
	e.GET(p+"/api/requests/:id", h.requestStatus, h.requireToken, httpx.NoStore())

	h.ui.register(e)
}

// tokenOK compares a presented bearer token with the configured hash in constant time.
func (h *Handler) tokenOK(token string) bool {
	sum := sha256.Sum256([]byte(token))
	return token != "" && subtle.ConstantTimeCompare(sum[:], h.cfg.tokenHash[:]) == 1
}

// requireToken checks "Authorization: Bearer <token>".
func (h *Handler) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		auth := c.Request().Header.Values(echo.HeaderAuthorization)
		if len(auth) != 1 {
			return errUnauthorized
		}
		scheme, token, ok := strings.Cut(auth[0], " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || !h.tokenOK(strings.TrimSpace(token)) {
			return errUnauthorized
		}
		return next(c)
	}
}

func (h *Handler) openAPIDoc(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, h.openAPI)
}
