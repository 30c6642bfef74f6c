package webui

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"
)

// csrfMaxMemory bounds the multipart form kept in memory while looking for the token; the
// body itself is bounded by httpx's body limit.
const csrfMaxMemory = 1 << 20

// CSRF returns middleware that protects the forms of the routes it wraps with a
// double-submit token. Every request gets a token: the one in the hashi_csrf cookie (HttpOnly,
// SameSite=Lax, Path=/, Secure except on plain-HTTP loopback, no Max-Age) or, when that is
// absent or malformed, a fresh one of 130 random bits, set in the cookie. csrf_field writes
// it into forms. Requests other than GET, HEAD, OPTIONS and TRACE must send the same token
// in the _csrf form field (URL-encoded or multipart; never the query string) or the
// X-CSRF-Token header, compared in constant time, and must not carry Sec-Fetch-Site:
// cross-site. Otherwise the middleware renders the 403 error page in the request's language
// and returns an error with CodeCSRF (already answered, so Echo's error handler only logs
// it). A body over the limit is passed on as the *http.MaxBytesError it is.
//
// It does not bind the token to a user session (there is none here): it stops other sites
// from posting forms, not a sub-domain that can set cookies for this host.
func (r *Renderer) CSRF() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			token := cookieValue(req, CSRFCookie)
			if !validToken(token) {
				token = ""
			}
			switch req.Method {
			case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
				if token == "" {
					token = rand.Text()
					http.SetCookie(c.Response(), &http.Cookie{ //nolint:gosec // G124: Secure off only on plain-HTTP loopback (secureFor)
						Name: CSRFCookie, Value: token, Path: "/",
						Secure: secureFor(req), HttpOnly: true, SameSite: http.SameSiteLaxMode,
					})
				}
				c.Set(csrfKey, token)
				return next(c)
			}
			sent, err := submittedToken(req)
			if err != nil {
				if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
					return err
				}
				sent = ""
			}
			reason := ""
			switch {
			case req.Header.Get("Sec-Fetch-Site") == "cross-site":
				reason = "cross-site request"
			case token == "":
				reason = "no CSRF cookie"
			case sent == "":
				reason = "no CSRF token in the request"
			case !tokensEqual(sent, token):
				reason = "CSRF token does not match"
			}
			if reason != "" {
				cerr := errorf(CodeCSRF, nil, "%s", reason)
				if perr := r.ErrorPage(c, http.StatusForbidden); perr != nil {
					return errors.Join(cerr, perr)
				}
				return cerr
			}
			c.Set(csrfKey, token)
			return next(c)
		}
	}
}

// submittedToken returns the token of an unsafe request: the X-CSRF-Token header, else the
// _csrf field of a URL-encoded or multipart body.
func submittedToken(req *http.Request) (string, error) {
	if h := req.Header.Get(CSRFHeader); h != "" {
		return h, nil
	}
	mt, _, _ := mime.ParseMediaType(req.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
		if err := req.ParseMultipartForm(csrfMaxMemory); err != nil {
			return "", err
		}
	case "application/x-www-form-urlencoded":
		if err := req.ParseForm(); err != nil {
			return "", err
		}
	default:
		return "", nil
	}
	return req.PostForm.Get(CSRFField), nil
}

// tokensEqual compares two tokens in constant time (for tokens of equal length; the length
// of a valid token is public).
func tokensEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// validToken reports whether s looks like a token from rand.Text: 26 characters of the
// base32 alphabet.
func validToken(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if (b < 'A' || b > 'Z') && (b < '2' || b > '7') {
			return false
		}
	}
	return true
}

// CSRFToken returns the request's CSRF token, for pages that post with a script and send it
// in the X-CSRF-Token header; "" when the CSRF middleware did not run.
func CSRFToken(c echo.Context) string {
	tok, _ := c.Get(csrfKey).(string)
	return tok
}
