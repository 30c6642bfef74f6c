package webui

import (
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// Language returns middleware that picks each request's language with Catalog.Negotiate,
// keeps it for Render and the error pages, and sends Content-Language and Vary:
// Accept-Language, Cookie. When the lang query parameter names a served language (the
// switch link), it also sets the hashi_lang cookie (Path=/, one year, HttpOnly, SameSite=Lax, Secure
// except on plain-HTTP loopback), so the choice holds on the next pages.
func (r *Renderer) Language() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			query := c.QueryParam(LangParam)
			cookie := cookieValue(req, LangCookie)
			tag := r.cat.Negotiate(query, cookie, req.Header.Get("Accept-Language"))
			if chosen, ok := parseChoice(query); ok && cookie != query {
				http.SetCookie(c.Response(), &http.Cookie{ //nolint:gosec // G124: Secure off only on plain-HTTP loopback (secureFor)
					Name: LangCookie, Value: chosen.String(), Path: "/",
					MaxAge:   int(langCookieMaxAge.Seconds()),
					Secure:   secureFor(req),
					HttpOnly: true,
					SameSite: http.SameSiteLaxMode,
				})
			}
			c.Set(langKey, tag)
			h := c.Response().Header()
			h.Add("Vary", "Accept-Language")
			h.Add("Vary", "Cookie")
			h.Set("Content-Language", tag.String())
			return next(c)
		}
	}
}

// Middleware returns, in order, the Language, Errors and CSRF middleware, for a group of
// page routes: g := e.Group("/registrar", r.Middleware()...).
func (r *Renderer) Middleware() []echo.MiddlewareFunc {
	return []echo.MiddlewareFunc{r.Language(), r.Errors(), r.CSRF()}
}

// secureFor reports whether cookies set in reply to req should carry Secure: always, except
// for plain HTTP to a loopback host (local development and tests), where the browser would
// drop them.
func secureFor(req *http.Request) bool {
	if req.TLS != nil {
		return true
	}
	return !isLoopback(req.Host)
}

func isLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
