package issuerhttp

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/labstack/echo/v4"
)

// Option configures New.
type Option func(*config) error

type config struct {
	issued          *prometheus.CounterVec // WithMetrics; nil: none
	importBodyLimit int64
	pageKey         []byte           // WithPageKey; nil: no registrar pages
	pageClock       func() time.Time // WithPageClock
}

// WithMetrics registers the issuer's own metrics on reg (the service's registry, e.g.
// httpx.Server.Registerer): hashi_issuer_credentials_total{tenant, configuration, outcome}
// counts credentials issued ("issued") and credential requests deferred ("deferred").
// Default: none.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(c *config) error {
		if reg == nil {
			return errors.New("issuerhttp: nil metrics registerer")
		}
		c.issued = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hashi_issuer_credentials_total",
			Help: "Credentials issued, and credential requests deferred, by tenant and configuration.",
		}, []string{"tenant", "configuration", "outcome"})
		return reg.Register(c.issued)
	}
}

// WithImportBodyLimit sets the request-body limit of POST {prefix}/:tenant/admin/graduates,
// in bytes (1 KiB to 64 MiB). Default: DefaultImportBodyLimit.
func WithImportBodyLimit(n int64) Option {
	return func(c *config) error {
		if n < 1<<10 || n > 64<<20 {
			return fmt.Errorf("issuerhttp: import body limit %d: want 1 KiB..64 MiB", n)
		}
		c.importBodyLimit = n
		return nil
	}
}

// Handler serves one Issuer's tenants over HTTP.
type Handler struct {
	is      *issuer.Issuer
	cfg     config
	prefix  string // path of Config.BaseURL, "" or "/issuer"
	openAPI []byte // the OpenAPI document with "servers" set to the BaseURL
	pages   *pages // the registrar pages, when WithPageKey is given
}

// New returns a Handler for is. The route prefix is the path of the issuer's BaseURL.
func New(is *issuer.Issuer, opts ...Option) (*Handler, error) {
	if is == nil {
		return nil, errors.New("issuerhttp: an issuer is required")
	}
	h := &Handler{is: is, cfg: config{importBodyLimit: DefaultImportBodyLimit}}
	for _, o := range opts {
		if err := o(&h.cfg); err != nil {
			return nil, err
		}
	}
	base := is.BaseURL()
	u, err := url.Parse(base)
	if err != nil || u.RawPath != "" {
		return nil, fmt.Errorf("issuerhttp: base URL %q has an escaped path", base)
	}
	h.prefix = u.Path
	if h.openAPI, err = httpx.OpenAPIDocument(openAPIJSON, base); err != nil {
		return nil, err
	}
	if h.cfg.pageKey != nil {
		if h.pages, err = newPages(is, h.prefix, h.cfg); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Prefix returns the path under which the routes are registered ("" or e.g. "/issuer").
func (h *Handler) Prefix() string { return h.prefix }

// Register adds the issuer's routes to e and, when WithPageKey was given, the registrar
// pages under {prefix}/{tenant}/registrar with their stylesheet (webui.StaticHandler at
// webui.StaticPrefix).
func (h *Handler) Register(e *echo.Echo) {
	p := h.prefix
	e.GET(issuer.WellKnownCredentialIssuer+p+"/:tenant", h.metadata)
	e.GET(issuer.WellKnownOAuthServer+p+"/:tenant", h.authorizationServerMetadata)
	e.GET(issuer.WellKnownJWTVCIssuer+p+"/:tenant", h.jwtVCIssuerMetadata)
	e.GET(p+"/openapi.json", h.openAPIDoc)

	t := e.Group(p + "/:tenant")
	t.GET(strings.TrimSuffix(issuer.PathOffers, "/")+"/:id", h.credentialOffer, httpx.NoStore())
	t.POST(issuer.PathToken, h.token, httpx.NoStore())
	t.POST(issuer.PathNonce, h.nonce, httpx.NoStore())
	t.POST(issuer.PathCredential, h.credential, httpx.NoStore())
	t.POST(issuer.PathDeferredCredential, h.deferredCredential, httpx.NoStore())
	t.POST(issuer.PathNotification, h.notification, httpx.NoStore())
	t.GET(strings.TrimSuffix(issuer.PathStatus, "/")+"/:id", h.statusList)

	admin := func(method, path string, fn echo.HandlerFunc, m ...echo.MiddlewareFunc) {
		t.Add(method, "/admin"+path, fn, append([]echo.MiddlewareFunc{h.requireRegistrar, httpx.NoStore()}, m...)...)
	}
	admin(http.MethodPost, "/offers", h.createOffer)
	admin(http.MethodGet, "/offers", h.listOffers)
	admin(http.MethodGet, "/offers/:id", h.offer)
	admin(http.MethodPost, "/offers/:id/reoffer", h.reoffer)
	admin(http.MethodPost, "/graduates", h.importGraduates, httpx.BodyLimit(h.cfg.importBodyLimit))
	admin(http.MethodGet, "/graduates", h.listGraduates)
	admin(http.MethodPost, "/graduates/:id/approve", h.approveGraduate)
	admin(http.MethodGet, "/credentials", h.listIssuances)
	admin(http.MethodPost, "/credentials/:id/status", h.setCredentialStatus)
	admin(http.MethodGet, "/audit", h.auditLog)

	if h.pages != nil {
		h.pages.register(e)
	}
}

// requireRegistrar checks "Authorization: Bearer <registrar token>" for the path's tenant.
func (h *Handler) requireRegistrar(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, token, err := authorizationHeader(c)
		if err != nil || scheme != schemeBearer {
			token = ""
		}
		if err := h.is.Authorize(c.Param("tenant"), token); err != nil {
			return err
		}
		return next(c)
	}
}

func (h *Handler) openAPIDoc(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, h.openAPI)
}
