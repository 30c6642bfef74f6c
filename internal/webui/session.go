package webui

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// ErrWrongToken is what a TokenSession's Check returns for a token that is not the right one
// (the sign-in page then says so under the field); any other error is the server's.
var ErrWrongToken = errors.New("webui: wrong token")

// TokenSession is the sign-in of pages whose users hold a bearer token of the service (the
// registrar's pages, the verifier desk): the token is typed once into the sign-in form, and
// the session is a signed cookie whose value is a fingerprint of the token's stored hash
// (SessionFingerprint), so issuing a new token ends every session. Its handlers, for the
// caller to mount:
//
//	GET  Base/sign-in    SignInForm: the form (a live session goes to Base/)
//	POST Base/sign-in    SignIn: the token → the cookie, 303 to Base/; a wrong one: 401 and
//	                     the form with the field's error
//	POST Base/sign-out   SignOut: clears the cookie, 303 to the form with a notice
//
// Every field is required.
type TokenSession struct {
	Base   string // the pages' path
	Cookie *SecureCookie
	Now    func() time.Time
	// Value is the session cookie's value, computed per request (the token may change).
	Value func() (string, error)
	// Check reports whether token is the right one: nil, ErrWrongToken, or another error.
	Check func(token string) error
	// WrongRule is the FieldErrors rule (message "field.<rule>") for a wrong token.
	WrongRule string
	// Render renders the sign-in page with its flash and field errors in p; the caller
	// sets p.Data.
	Render func(c echo.Context, status int, p *Page) error
}

// SessionFingerprint is base64url(SHA-256(label, 0, parts...)): a session value derived
// from a token's stored hash that names nothing else.
func SessionFingerprint(label string, parts ...[]byte) string {
	h := sha256.New()
	h.Write([]byte(label + "\x00"))
	for _, p := range parts {
		h.Write(p)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil))
}

// SignedIn reports whether the request carries a live session.
func (s *TokenSession) SignedIn(c echo.Context) bool {
	v, err := s.Cookie.Get(c.Request(), s.Now())
	if err != nil {
		return false
	}
	want, err := s.Value()
	return err == nil && v == want
}

// Require sends a request without a live session to the sign-in page.
func (s *TokenSession) Require(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if !s.SignedIn(c) {
			return c.Redirect(http.StatusSeeOther, s.Base+"/sign-in")
		}
		return next(c)
	}
}

// SignInForm shows the sign-in form, or sends a live session home.
func (s *TokenSession) SignInForm(c echo.Context) error {
	if s.SignedIn(c) {
		return c.Redirect(http.StatusSeeOther, s.Base+"/")
	}
	p := &Page{}
	if c.QueryParam("signed_out") == "1" {
		p.Flash = []Flash{{Kind: FlashInfo, Key: "signin.signed_out"}}
	}
	return s.Render(c, http.StatusOK, p)
}

// SignIn checks the form's token and opens the session.
func (s *TokenSession) SignIn(c echo.Context) error {
	token := c.FormValue("token")
	var fe FieldErrors
	if strings.TrimSpace(token) == "" {
		fe = FieldErrors{{Field: "token", Rule: "required"}}
	} else if err := s.Check(token); errors.Is(err, ErrWrongToken) {
		fe = FieldErrors{{Field: "token", Rule: s.WrongRule}}
	} else if err != nil {
		return err
	}
	if fe != nil {
		return s.Render(c, http.StatusUnauthorized, &Page{Errors: fe})
	}
	v, err := s.Value()
	if err != nil {
		return err
	}
	if err := s.Cookie.Set(c.Response(), c.Request(), v, s.Now()); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, s.Base+"/")
}

// SignOut ends the session.
func (s *TokenSession) SignOut(c echo.Context) error {
	s.Cookie.Clear(c.Response(), c.Request())
	return c.Redirect(http.StatusSeeOther, s.Base+"/sign-in?signed_out=1")
}
