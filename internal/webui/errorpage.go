package webui

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/labstack/echo/v4"
)

// errorView is the Data of the error page.
type errorView struct {
	Status    int
	Heading   string // message key
	Text      string // message key
	RequestID string
}

// pageStatuses are the statuses with their own error text; other 4xx use 400's, other 5xx
// 500's (the page still carries the real status).
var pageStatuses = map[int]bool{400: true, 403: true, 404: true, 405: true, 413: true, 500: true}

// ErrorPage writes the HTML error page for status (400–599) in the request's language: a
// heading, a short explanation, the request ID from httpx for 5xx, and a link home. It
// renders into a buffer first and writes with Cache-Control: no-store. A HEAD request gets
// the headers only. A committed response is left alone.
func (r *Renderer) ErrorPage(c echo.Context, status int) error {
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	if c.Response().Committed {
		return errorf(CodeTemplate, nil, "error page: response already committed")
	}
	key := status
	if !pageStatuses[key] {
		key = 400
		if status >= 500 {
			key = 500
		}
	}
	v := errorView{Status: status, Heading: "error." + strconv.Itoa(key) + ".heading", Text: "error." + strconv.Itoa(key) + ".text"}
	if status >= 500 {
		v.RequestID = httpx.RequestID(c.Request().Context())
	}
	// Headers a handler set for the response it meant to send do not describe this one.
	h := c.Response().Header()
	for _, k := range []string{echo.HeaderLocation, echo.HeaderContentDisposition, echo.HeaderContentEncoding, echo.HeaderContentLength, "ETag"} {
		h.Del(k)
	}
	return r.execute(c, status, r.errT, &Page{Data: v})
}

// StatusOf returns the error page status for a handler error: the WithErrorStatus mapping
// if it claims the error; 413 for *http.MaxBytesError; 403 for CodeCSRF; the code of an
// *echo.HTTPError (router 404 and 405, binder 400 and 415); else 500.
func (r *Renderer) StatusOf(err error) int {
	if r.cfg.statusOf != nil {
		if st, ok := r.cfg.statusOf(err); ok && st >= 400 && st <= 599 {
			return st
		}
	}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return http.StatusRequestEntityTooLarge
	}
	if errors.Is(err, ErrCSRF) {
		return http.StatusForbidden
	}
	if he, ok := errors.AsType[*echo.HTTPError](err); ok && he.Code >= 400 && he.Code <= 599 {
		return he.Code
	}
	return http.StatusInternalServerError
}

// Errors returns middleware that answers a page route's error with the HTML error page
// (status from StatusOf) and then returns the error unchanged, so the server's error handler
// (httpx's, or Echo's default) logs it and, the response being committed, writes nothing
// more. Install it inside Language and outside CSRF and the handlers, as Middleware does.
func (r *Renderer) Errors() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			err := next(c)
			if err == nil || c.Response().Committed {
				return err
			}
			if perr := r.ErrorPage(c, r.StatusOf(err)); perr != nil {
				return errors.Join(err, perr)
			}
			return err
		}
	}
}
