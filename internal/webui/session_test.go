package webui_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/labstack/echo/v4"
)

// TestTokenSession: the sign-in of token holders — every outcome of the form, the session
// it opens, what a new token does to it, and signing out.
func TestTokenSession(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	ck, err := webui.NewSecureCookie("demo_session", key, time.Hour, webui.WithCookiePath("/desk"))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	token, storeDown := "right-token", false
	s := &webui.TokenSession{
		Base: "/desk", Cookie: ck, Now: func() time.Time { return now },
		Value: func() (string, error) { return webui.SessionFingerprint("demo session", []byte(token)), nil },
		Check: func(t string) error {
			switch {
			case storeDown:
				return errors.New("store down")
			case t != token:
				return webui.ErrWrongToken
			}
			return nil
		},
		WrongRule: "demo_token",
		Render: func(c echo.Context, status int, p *webui.Page) error {
			var b strings.Builder
			for _, f := range p.Flash {
				b.WriteString("flash:" + f.Key + ";")
			}
			for _, fe := range p.Errors {
				b.WriteString("error:" + fe.Field + "." + fe.Rule + ";")
			}
			return c.String(status, b.String())
		},
	}
	e := echo.New()
	e.GET("/desk/sign-in", s.SignInForm)
	e.POST("/desk/sign-in", s.SignIn)
	e.POST("/desk/sign-out", s.SignOut, s.Require)
	e.GET("/desk/", func(c echo.Context) error { return c.String(http.StatusOK, "home") }, s.Require)

	var jar []*http.Cookie
	do := func(method, target string, form url.Values) *httptest.ResponseRecorder {
		t.Helper()
		req := httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, c := range jar {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			jar = []*http.Cookie{c}
			if c.MaxAge < 0 {
				jar = nil
			}
		}
		return rec
	}
	want := func(what string, rec *httptest.ResponseRecorder, status int, body string) {
		t.Helper()
		if rec.Code != status || (body != "" && rec.Body.String() != body && rec.Header().Get("Location") != body) {
			t.Fatalf("%s: %d %q (Location %q), want %d %q", what, rec.Code, rec.Body.String(), rec.Header().Get("Location"), status, body)
		}
	}

	want("home without a session", do("GET", "/desk/", nil), http.StatusSeeOther, "/desk/sign-in")
	want("form", do("GET", "/desk/sign-in", nil), http.StatusOK, "")
	want("empty token", do("POST", "/desk/sign-in", url.Values{"token": {"  "}}), http.StatusUnauthorized, "error:token.required;")
	want("wrong token", do("POST", "/desk/sign-in", url.Values{"token": {"wrong"}}), http.StatusUnauthorized, "error:token.demo_token;")
	if jar != nil {
		t.Fatal("a cookie after failed sign-ins")
	}
	storeDown = true
	want("check failing", do("POST", "/desk/sign-in", url.Values{"token": {token}}), http.StatusInternalServerError, "")
	storeDown = false

	want("right token", do("POST", "/desk/sign-in", url.Values{"token": {token}}), http.StatusSeeOther, "/desk/")
	want("home", do("GET", "/desk/", nil), http.StatusOK, "home")
	want("form when signed in", do("GET", "/desk/sign-in", nil), http.StatusSeeOther, "/desk/")

	// A new token ends the session.
	token = "new-token"
	want("home after a new token", do("GET", "/desk/", nil), http.StatusSeeOther, "/desk/sign-in")
	want("sign in with the new token", do("POST", "/desk/sign-in", url.Values{"token": {token}}), http.StatusSeeOther, "/desk/")

	// Past the cookie's lifetime the session is gone.
	now = now.Add(2 * time.Hour)
	want("home after expiry", do("GET", "/desk/", nil), http.StatusSeeOther, "/desk/sign-in")
	now = now.Add(-2 * time.Hour)

	want("sign out", do("POST", "/desk/sign-out", url.Values{}), http.StatusSeeOther, "/desk/sign-in?signed_out=1")
	if jar != nil {
		t.Fatal("cookie kept after signing out")
	}
	want("form after signing out", do("GET", "/desk/sign-in?signed_out=1", nil), http.StatusOK, "flash:signin.signed_out;")
	want("home after signing out", do("GET", "/desk/", nil), http.StatusSeeOther, "/desk/sign-in")
}
