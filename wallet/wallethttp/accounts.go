package wallethttp

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hashi-vc/hashi/internal/storeerr"
	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/wallet/walletstore"
	"github.com/labstack/echo/v4"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/norm"
)

type authView struct {
	frame
	Username string
	Next     string
}

// normalizeUsername trims a username and enforces the PRECIS UsernameCaseMapped profile
// (RFC 8265 §3.3: fullwidth forms mapped to their ASCII counterparts, case folded, NFC), so
// "Ｈａｎａｋｏ" typed with a Japanese input method signs in as "hanako". A name the profile
// refuses (spaces, emoji, invisible characters such as U+034F or variation selectors) is
// returned lower-cased, NFC-normalised and trimmed, for checkUsername to refuse. Normalising
// twice changes nothing.
func normalizeUsername(s string) string {
	t := strings.TrimSpace(s)
	if u, err := precis.UsernameCaseMapped.String(t); err == nil && precisStable(u) {
		return u
	}
	return strings.TrimSpace(norm.NFC.String(strings.ToLower(s)))
}

// precisStable reports whether u is already in the profile's form, so that it is the one
// spelling of its account.
func precisStable(u string) bool {
	v, err := precis.UsernameCaseMapped.String(u)
	return err == nil && v == u
}

// checkUsername returns the field error of a normalised username, or nil.
func checkUsername(u string) webui.FieldErrors {
	n := utf8.RuneCountInString(u)
	switch {
	case u == "":
		return webui.FieldErrors{{Field: "username", Rule: "required"}}
	case n < MinUsernameLen:
		return webui.FieldErrors{{Field: "username", Rule: "min", Param: strconv.Itoa(MinUsernameLen)}}
	case n > MaxUsernameLen:
		return webui.FieldErrors{{Field: "username", Rule: "max", Param: strconv.Itoa(MaxUsernameLen)}}
	case strings.ContainsFunc(u, func(r rune) bool { return unicode.IsSpace(r) || !unicode.IsPrint(r) }) || !precisStable(u):
		return webui.FieldErrors{{Field: "username", Rule: "username_chars"}}
	}
	return nil
}

func (h *Handler) signUpForm(c echo.Context) error {
	return h.r.Render(c, http.StatusOK, "sign-up.html", &webui.Page{Data: authView{frame: h.frame(c, "sign-up"), Next: c.QueryParam("next")}})
}

func (h *Handler) signUp(c echo.Context) error {
	ctx := c.Request().Context()
	u := normalizeUsername(c.FormValue("username"))
	pw := c.FormValue("password")
	v := authView{frame: h.frame(c, "sign-up"), Username: u, Next: c.FormValue("next")}
	fe := checkUsername(u)
	switch n := utf8.RuneCountInString(pw); {
	case pw == "":
		fe = append(fe, webui.FieldError{Field: "password", Rule: "required"})
	case n < MinPasswordLen:
		fe = append(fe, webui.FieldError{Field: "password", Rule: "min", Param: strconv.Itoa(MinPasswordLen)})
	case len(pw) > walletstore.MaxPasswordLen:
		fe = append(fe, webui.FieldError{Field: "password", Rule: "max", Param: strconv.Itoa(walletstore.MaxPasswordLen)})
	}
	if pw != "" && c.FormValue("password2") != pw {
		fe = append(fe, webui.FieldError{Field: "password2", Rule: "password_match"})
	}
	if fe != nil {
		return h.r.Render(c, http.StatusUnprocessableEntity, "sign-up.html", &webui.Page{Errors: fe, Data: v})
	}
	hash, err := h.cfg.hash(pw)
	if err != nil {
		return err
	}
	now := h.cfg.now()
	a, err := h.acc.CreateAccount(ctx, u, hash, now)
	if errors.Is(err, storeerr.ErrConflict) {
		return h.r.Render(c, http.StatusConflict, "sign-up.html", &webui.Page{Errors: webui.FieldErrors{{Field: "username", Rule: "username_taken"}}, Data: v})
	}
	if err != nil {
		return err
	}
	return h.startSession(c, a.ID, v.Next)
}

func (h *Handler) startSession(c echo.Context, accountID, next string) error {
	now := h.cfg.now()
	token, err := h.acc.CreateSession(c.Request().Context(), accountID, now, now.Add(SessionMaxAge))
	if err != nil {
		return err
	}
	h.setSession(c, token, now)
	return c.Redirect(http.StatusSeeOther, h.localNext(next))
}

func (h *Handler) signInForm(c echo.Context) error {
	if _, _, ok := h.sessionOf(c); ok {
		return c.Redirect(http.StatusSeeOther, h.localNext(c.QueryParam("next")))
	}
	p := &webui.Page{Data: authView{frame: h.frame(c, "sign-in"), Next: c.QueryParam("next")}}
	switch {
	case c.QueryParam("signed_out") == "1":
		p.Flash = []webui.Flash{{Kind: webui.FlashInfo, Key: "signin.signed_out"}}
	case c.QueryParam("deleted") == "1":
		p.Flash = []webui.Flash{{Kind: webui.FlashSuccess, Key: "account.deleted"}}
	}
	return h.r.Render(c, http.StatusOK, "sign-in.html", p)
}

// signIn checks the password after the rate limits: MaxFailuresPerUsername failures of the
// username or MaxFailuresPerClient of the client within SignInWindow give 429 without
// checking anything. An unknown username checks a dummy hash, so both take as long.
func (h *Handler) signIn(c echo.Context) error {
	ctx := c.Request().Context()
	u := normalizeUsername(c.FormValue("username"))
	pw := c.FormValue("password")
	v := authView{frame: h.frame(c, "sign-in"), Username: u, Next: c.FormValue("next")}
	if u == "" || pw == "" || len(u) > walletstore.MaxUsernameLen || len(pw) > walletstore.MaxPasswordLen {
		return h.r.Render(c, http.StatusUnauthorized, "sign-in.html", &webui.Page{Errors: webui.FieldErrors{{Field: "password", Rule: "sign_in"}}, Data: v})
	}
	client := h.cfg.clientOf(c.Request())
	now := h.cfg.now()
	f, err := h.acc.FailedSignIns(ctx, u, client, now.Add(-SignInWindow))
	if err != nil {
		return err
	}
	if f.ByUsername >= MaxFailuresPerUsername || f.ByClient >= MaxFailuresPerClient {
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(SignInWindow.Seconds())))
		return h.r.Render(c, http.StatusTooManyRequests, "sign-in.html", &webui.Page{
			Flash: []webui.Flash{{Kind: webui.FlashError, Key: "signin.too_many", Args: []any{"Minutes", int(SignInWindow.Minutes())}}}, Data: v})
	}
	a, err := h.acc.AccountByUsername(ctx, u)
	hash := h.dummyHash
	switch {
	case err == nil:
		hash = a.PasswordHash
	case !errors.Is(err, storeerr.ErrNotFound):
		return err
	}
	ok, cerr := walletstore.CheckPassword(hash, pw)
	if err != nil || cerr != nil || !ok {
		if rerr := h.acc.RecordFailedSignIn(ctx, u, client, now); rerr != nil {
			return rerr
		}
		return h.r.Render(c, http.StatusUnauthorized, "sign-in.html", &webui.Page{Errors: webui.FieldErrors{{Field: "password", Rule: "sign_in"}}, Data: v})
	}
	if err := h.acc.ClearFailedSignIns(ctx, u); err != nil {
		return err
	}
	if walletstore.PasswordNeedsRehash(a.PasswordHash) {
		if nh, err := walletstore.HashPassword(pw); err == nil {
			if err := h.acc.SetPasswordHash(ctx, a.ID, nh); err != nil {
				h.cfg.logger.WarnContext(ctx, "rehash password", "err", err.Error())
			}
		}
	}
	return h.startSession(c, a.ID, v.Next)
}

func (h *Handler) signOut(c echo.Context) error {
	if tok, _ := c.Get(string(tokenKey)).(string); tok != "" {
		if err := h.acc.DeleteSession(c.Request().Context(), tok); err != nil && !errors.Is(err, storeerr.ErrNotFound) {
			return err
		}
	}
	h.clearSession(c)
	return c.Redirect(http.StatusSeeOther, h.cfg.base+"/sign-in?signed_out=1")
}

type accountView struct {
	frame
	Username string
	Created  string
}

func (h *Handler) accountView(c echo.Context) (accountView, error) {
	a, err := h.acc.Account(c.Request().Context(), owner(c))
	if err != nil {
		return accountView{}, err
	}
	return accountView{frame: h.frame(c, "account"), Username: a.Username, Created: webui.FormatDate(h.r.LangOf(c), a.CreatedAt)}, nil
}

func (h *Handler) account(c echo.Context) error {
	v, err := h.accountView(c)
	if err != nil {
		return err
	}
	return h.r.Render(c, http.StatusOK, "account.html", &webui.Page{Data: v})
}

// deleteAccount deletes the account with everything in it, after the student ticked the
// confirmation and entered the password again.
func (h *Handler) deleteAccount(c echo.Context) error {
	ctx := c.Request().Context()
	v, err := h.accountView(c)
	if err != nil {
		return err
	}
	var fe webui.FieldErrors
	if c.FormValue("confirm") != "yes" {
		fe = append(fe, webui.FieldError{Field: "confirm", Rule: "required"})
	}
	a, err := h.acc.Account(ctx, owner(c))
	if err != nil {
		return err
	}
	pw := c.FormValue("password")
	if ok, err := walletstore.CheckPassword(a.PasswordHash, pw); len(pw) > walletstore.MaxPasswordLen || err != nil || !ok {
		fe = append(fe, webui.FieldError{Field: "password", Rule: "password_wrong"})
	}
	if fe != nil {
		return h.r.Render(c, http.StatusUnprocessableEntity, "account.html", &webui.Page{Errors: fe, Data: v})
	}
	h.held.dropOwner(a.ID)
	if err := h.acc.DeleteAccount(ctx, a.ID); err != nil {
		return err
	}
	h.clearSession(c)
	return c.Redirect(http.StatusSeeOther, h.cfg.base+"/sign-in?deleted=1")
}
