package verifierhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/hashi-vc/hashi/internal/dcql"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/labstack/echo/v4"
)

// createMembers are the members of a POST /api/requests body (openapi.json: CreateRequest).
var createMembers = []string{"profile", "dcql_query", "response_mode", "request_uri_method", "same_device", "policy", "client_id_prefix"}

// Created is the answer to POST /api/requests (201): the request with the URL of its status.
type Created struct {
	verifier.Created
	StatusURL string `json:"status_url"`
}

// ParseCreateRequest reads a POST /api/requests body strictly: one JSON object (no
// duplicate members, valid UTF-8), no member other than CreateRequest's, each of its type,
// and a dcql_query that parses. Errors name the member.
//
// "client_id_prefix", when present, must be "redirect_uri" (verifier.PrefixRedirectURI): it
// asks for an unsigned request (RequestInput.UnsignedUnsafe), which the flow refuses with
// verifier.CodeInvalidInput unless the desk allows unsigned requests
// (FlowConfig.UnsignedRequestsUnsafe). Signed requests use the desk's configured prefix, so
// no other value is accepted.
func ParseCreateRequest(body []byte) (verifier.RequestInput, error) {
	var in verifier.RequestInput
	if err := jose.CheckJSON(body); err != nil {
		return in, invalidInput("the body is not valid JSON")
	}
	if !bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) {
		return in, invalidInput("the body is not a JSON object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return in, invalidInput("the body is not a JSON object")
	}
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if !slices.Contains(createMembers, k) {
			return in, invalidInput("unknown member " + strconv.Quote(k))
		}
	}
	str := func(name string, dst *string) error {
		raw, ok := m[name]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return invalidInput("member " + strconv.Quote(name) + " must be a string")
		}
		return nil
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"profile", &in.Profile}, {"response_mode", &in.ResponseMode}, {"request_uri_method", &in.RequestURIMethod}, {"policy", &in.Policy}} {
		if err := str(f.name, f.dst); err != nil {
			return in, err
		}
	}
	var prefix string
	if err := str("client_id_prefix", &prefix); err != nil {
		return in, err
	}
	if _, ok := m["client_id_prefix"]; ok {
		if prefix != verifier.PrefixRedirectURI {
			return in, invalidInput(`member "client_id_prefix" must be "redirect_uri" (an unsigned request); signed requests use the desk's configured prefix`)
		}
		in.UnsignedUnsafe = true
	}
	if raw, ok := m["same_device"]; ok {
		if err := json.Unmarshal(raw, &in.SameDevice); err != nil {
			return in, invalidInput(`member "same_device" must be a boolean`)
		}
	}
	if raw, ok := m["dcql_query"]; ok {
		q, err := dcql.Parse(raw)
		if err != nil {
			return in, invalidInput(`member "dcql_query": ` + err.Error())
		}
		in.Query = q
	}
	if (in.Profile == "") == (in.Query == nil) {
		return in, invalidInput(`exactly one of "profile" and "dcql_query" is required`)
	}
	return in, nil
}

// createRequest is POST /api/requests.
func (h *Handler) createRequest(c echo.Context) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return invalidInput("the body must be application/json")
	}
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return err // 413
		}
		return invalidInput("the body cannot be read")
	}
	in, err := ParseCreateRequest(body)
	if err != nil {
		return err
	}
	cr, err := h.flow.CreateRequest(c.Request().Context(), in)
	if err != nil {
		return err
	}
	out := Created{Created: *cr, StatusURL: h.statusURL(cr.ID)}
	c.Response().Header().Set(echo.HeaderLocation, out.StatusURL)
	return c.JSON(http.StatusCreated, out)
}

func (h *Handler) statusURL(id string) string { return h.base + "/api/requests/" + url.PathEscape(id) }

// requestStatus is GET /api/requests/{id}: the verifier.Report.
func (h *Handler) requestStatus(c echo.Context) error {
	rep, err := h.flow.Status(c.Request().Context(), c.Param("id"))
	if errors.Is(err, verifier.ErrRequestNotFound) {
		// The desk API's own 404, as the registrar API's; invalid_request is for wallets.
		return &apiError{status: http.StatusNotFound, code: CodeNotFound, desc: "no such request"}
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}
