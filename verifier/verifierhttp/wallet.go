package verifierhttp

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"
)

// ContentTypeRequestObject is the media type of request objects (RFC 9101 §10.2).
const ContentTypeRequestObject = "application/oauth-authz-req+jwt"

// readForm reads an application/x-www-form-urlencoded body (only the body: query
// parameters are ignored). An empty body without a content type is an empty form when
// emptyOK. An oversized body returns the *http.MaxBytesError (413).
func readForm(c echo.Context, emptyOK bool) (url.Values, error) {
	req := c.Request()
	ct := req.Header.Get(echo.HeaderContentType)
	body, err := io.ReadAll(req.Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, err
		}
		return nil, invalidRequest("the request body cannot be read")
	}
	if ct == "" && len(body) == 0 && emptyOK {
		return url.Values{}, nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != echo.MIMEApplicationForm {
		return nil, invalidRequest("the body must be application/x-www-form-urlencoded")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalidRequest("the form cannot be parsed")
	}
	return form, nil
}

// requestObject answers the request_uri (OpenID4VP 1.0 §5.10): GET, or POST with
// wallet_metadata and wallet_nonce. Errors are JSON (RFC 6749 style); never a redirect.
func (h *Handler) requestObject(c echo.Context) error {
	var metadata, nonce string
	method := c.Request().Method
	if method == http.MethodPost {
		form, err := readForm(c, true)
		if err != nil {
			return err
		}
		for name, vals := range form {
			if len(vals) > 1 {
				return invalidRequest("parameter " + name + " is repeated")
			}
		}
		metadata, nonce = form.Get("wallet_metadata"), form.Get("wallet_nonce")
	}
	obj, err := h.flow.RequestObject(c.Request().Context(), c.Param("id"), method, metadata, nonce)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, ContentTypeRequestObject, []byte(obj))
}

// response handles direct_post and direct_post.jwt (OpenID4VP 1.0 §8.2, §8.3): 200 with
// {} or {"redirect_uri": …} (same device); errors 400 JSON with the OAuth error.
func (h *Handler) response(c echo.Context) error {
	form, err := readForm(c, false)
	if err != nil {
		return err
	}
	res, err := h.flow.HandleResponse(c.Request().Context(), form)
	if m := h.cfg.responses; m != nil {
		outcome := "refused"
		if err == nil {
			outcome = string(res.Status)
		}
		m.WithLabelValues(outcome).Inc()
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// walletDone is the same-device landing page, where the student's browser lands after
// answering the request whose redirect carried this response_code: what happened, for the
// student (renderDone); the desk's report stays on the desk pages.
func (u *ui) walletDone(c echo.Context) error {
	rep, err := u.h.flow.ResultByResponseCode(c.Request().Context(), c.Param("id"), c.QueryParam("response_code"))
	if err != nil {
		return err
	}
	return u.renderDone(c, rep)
}
