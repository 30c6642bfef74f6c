package issuerhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/academic"
	"github.com/hashi-vc/hashi/internal/jose"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/labstack/echo/v4"
)

func (h *Handler) createOffer(c echo.Context) error {
	var req issuer.OfferRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	res, err := h.is.CreateOffer(c.Request().Context(), c.Param("tenant"), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

func (h *Handler) listOffers(c echo.Context) error {
	before, limit, err := page(c)
	if err != nil {
		return err
	}
	res, err := h.is.ListOffers(c.Request().Context(), c.Param("tenant"), before, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (h *Handler) offer(c echo.Context) error {
	res, err := h.is.Offer(c.Request().Context(), c.Param("tenant"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// ReofferRequest is the body of POST {prefix}/:tenant/admin/offers/:id/reoffer. The body is
// optional: none is {}.
type ReofferRequest struct {
	// TxCode asks for a transaction code. Default: true.
	TxCode *bool `json:"tx_code,omitempty"`
}

func (h *Handler) reoffer(c echo.Context) error {
	var req ReofferRequest
	if c.Request().ContentLength != 0 { // none, or an empty one, whatever its Content-Type
		if err := bindStrict(c, &req); err != nil {
			return err
		}
	}
	res, err := h.is.Reoffer(c.Request().Context(), c.Param("tenant"), c.Param("id"), req.TxCode == nil || *req.TxCode)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, res)
}

func (h *Handler) importGraduates(c echo.Context) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var rows []issuer.GraduateRow
	var pre []issuer.ImportResult // rows rejected while binding, by data row number
	switch mediaType(c) {
	case "application/json":
		rows, err = jsonRows(body)
	case "application/x-ndjson", "application/jsonl":
		rows, pre, err = jsonLines(body)
	case "text/csv":
		rows, pre, err = csvRows(body)
	default:
		err = edgeError(issuer.CodeInvalidRequest, "the request body must be application/json, application/x-ndjson, application/jsonl or text/csv")
	}
	if err != nil {
		return err
	}
	if len(rows)+len(pre) > issuer.MaxImportRows {
		return edgeError(issuer.CodeInvalidInput, "more than "+strconv.Itoa(issuer.MaxImportRows)+" rows in one import")
	}
	res, err := h.is.ImportGraduates(c.Request().Context(), c.Param("tenant"), rows)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, mergeResults(res, pre))
}

// mergeResults numbers the core's results by data row, skipping the rows rejected while
// binding, and merges both lists in row order.
func mergeResults(res, pre []issuer.ImportResult) []issuer.ImportResult {
	if len(pre) == 0 {
		return res
	}
	out := make([]issuer.ImportResult, 0, len(res)+len(pre))
	row, p := 1, 0
	for _, r := range res {
		for p < len(pre) && pre[p].Row == row {
			out = append(out, pre[p])
			p++
			row++
		}
		r.Row = row
		out = append(out, r)
		row++
	}
	return append(out, pre[p:]...)
}

func (h *Handler) listGraduates(c echo.Context) error {
	after, err := queryString(c, "after")
	if err != nil {
		return err
	}
	limit, err := queryLimit(c)
	if err != nil {
		return err
	}
	res, err := h.is.ListGraduates(c.Request().Context(), c.Param("tenant"), after, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (h *Handler) approveGraduate(c echo.Context) error {
	if err := h.is.ApproveGraduate(c.Request().Context(), c.Param("tenant"), c.Param("id")); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h *Handler) listIssuances(c echo.Context) error {
	offerID, err := queryString(c, "offer_id")
	if err != nil {
		return err
	}
	before, limit, err := page(c)
	if err != nil {
		return err
	}
	res, err := h.is.ListIssuances(c.Request().Context(), c.Param("tenant"), offerID, before, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

// StatusRequest is the body of POST {prefix}/:tenant/admin/credentials/:id/status.
type StatusRequest struct {
	// Status is "revoked", "suspended" or "valid".
	Status string `json:"status"`
}

func (h *Handler) setCredentialStatus(c echo.Context) error {
	var req StatusRequest
	if err := bindStrict(c, &req); err != nil {
		return err
	}
	rec, err := h.is.SetCredentialStatus(c.Request().Context(), c.Param("tenant"), c.Param("id"), req.Status)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rec)
}

func (h *Handler) auditLog(c echo.Context) error {
	before, limit, err := page(c)
	if err != nil {
		return err
	}
	res, err := h.is.AuditLog(c.Request().Context(), c.Param("tenant"), before, limit)
	if err != nil {
		return err
	}
	out := make([]AuditEventView, 0, len(res))
	for _, e := range res {
		out = append(out, AuditEventView{At: e.At, Actor: e.Actor, Action: e.Action, Object: e.Object, Detail: e.Detail})
	}
	return c.JSON(http.StatusOK, out)
}

// AuditEventView is an audit event as the registrar API renders it.
type AuditEventView struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Object string    `json:"object"`
	Detail string    `json:"detail,omitempty"`
}

// page reads ?before=RFC3339&limit=N.
func page(c echo.Context) (time.Time, int, error) {
	var before time.Time
	s, err := queryString(c, "before")
	if err != nil {
		return before, 0, err
	}
	if s != "" {
		if before, err = time.Parse(time.RFC3339Nano, s); err != nil {
			return before, 0, invalidInput("before", "rfc3339", "must be an RFC 3339 date-time", "RFC 3339 形式の日時で指定してください")
		}
	}
	limit, err := queryLimit(c)
	return before, limit, err
}

func queryLimit(c echo.Context) (int, error) {
	s, err := queryString(c, "limit")
	if err != nil || s == "" {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > issuer.MaxPageSize {
		return 0, invalidInput("limit", "range", "must be an integer from 1 to "+strconv.Itoa(issuer.MaxPageSize), "1〜"+strconv.Itoa(issuer.MaxPageSize)+"の整数で指定してください")
	}
	return n, nil
}

// queryString returns a query parameter given at most once and at most maxQueryLength long.
func queryString(c echo.Context, name string) (string, error) {
	vs := c.QueryParams()[name]
	switch {
	case len(vs) == 0:
		return "", nil
	case len(vs) > 1:
		return "", invalidInput(name, "repeated", "must be given once", "一度だけ指定してください")
	case len(vs[0]) > maxQueryLength:
		return "", invalidInput(name, "max", "is too long", "長すぎます")
	}
	return vs[0], nil
}

func invalidInput(path, rule, en, ja string) *issuer.Error {
	return &issuer.Error{Code: issuer.CodeInvalidInput, Description: path + " " + en,
		Fields: []academic.FieldError{{Path: path, Rule: rule, Message: en, MessageJA: ja}}}
}

// bindStrict reads an application/json body into v (a pointer to a struct): well-formed
// JSON without duplicate members (jose.CheckJSON), a single object, no member v does not
// declare, and members of the declared JSON types. Failures are CodeInvalidInput naming the
// member, or CodeInvalidRequest for the media type.
func bindStrict(c echo.Context, v any) error {
	if err := requireMediaType(c, "application/json"); err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeStrict(body, v, "")
}

// decodeStrict is bindStrict's decoder; prefix goes before member names in field paths.
func decodeStrict(body []byte, v any, prefix string) error {
	if err := jose.CheckJSON(body); err != nil {
		return invalidInput(prefix+"body", "json", "is not well-formed JSON (or repeats a member): "+err.Error(), "JSONとして不正です（メンバーの重複を含む）")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil || members == nil {
		return invalidInput(prefix+"body", "object", "must be a JSON object", "JSONオブジェクトで指定してください")
	}
	known := jsonNames(reflect.TypeOf(v).Elem())
	names := make([]string, 0, len(members))
	for k := range members {
		names = append(names, k)
	}
	slices.Sort(names)
	out := &issuer.Error{Code: issuer.CodeInvalidInput}
	for _, k := range names {
		if !slices.Contains(known, k) {
			out.Fields = append(out.Fields, academic.FieldError{Path: prefix + k, Rule: "unknown_field", Message: "is not a known member", MessageJA: "不明なメンバーです"})
		}
	}
	if len(out.Fields) > 0 {
		out.Description = "unknown member " + out.Fields[0].Path
		return out
	}
	if err := json.Unmarshal(body, v); err != nil {
		path := prefix + "body"
		if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && te.Field != "" {
			path = prefix + te.Field
		}
		return invalidInput(path, "type", "has the wrong JSON type", "JSONの型が違います")
	}
	return nil
}

// jsonNames returns the JSON member names of struct type t's exported fields.
func jsonNames(t reflect.Type) []string {
	var out []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	return out
}

// jsonRows reads an application/json array of GraduateRow; any malformed element rejects the
// whole request (nothing is imported).
func jsonRows(body []byte) ([]issuer.GraduateRow, error) {
	if err := jose.CheckJSON(body); err != nil {
		return nil, invalidInput("body", "json", "is not well-formed JSON (or repeats a member): "+err.Error(), "JSONとして不正です（メンバーの重複を含む）")
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(body, &elems); err != nil {
		return nil, invalidInput("body", "array", "must be a JSON array of graduate rows", "卒業生の行のJSON配列で指定してください")
	}
	rows := make([]issuer.GraduateRow, len(elems))
	for i, e := range elems {
		if err := decodeStrict(e, &rows[i], "["+strconv.Itoa(i)+"]."); err != nil {
			return nil, err
		}
	}
	return rows, nil
}

// jsonLines reads JSON lines of GraduateRow (blank lines skipped). A line that is not a valid
// row is reported as a rejected row; the others are imported.
func jsonLines(body []byte) ([]issuer.GraduateRow, []issuer.ImportResult, error) {
	var rows []issuer.GraduateRow
	var pre []issuer.ImportResult
	n := 0
	for line := range bytes.Lines(body) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		n++
		if n > issuer.MaxImportRows {
			return nil, nil, edgeError(issuer.CodeInvalidInput, "more than "+strconv.Itoa(issuer.MaxImportRows)+" rows in one import")
		}
		var r issuer.GraduateRow
		if err := decodeStrict(line, &r, ""); err != nil {
			pre = append(pre, rejected(n, "", err))
			continue
		}
		rows = append(rows, r)
	}
	return rows, pre, nil
}

// rejected is the result of a row rejected while binding.
func rejected(row int, id string, err error) issuer.ImportResult {
	res := issuer.ImportResult{Row: row, ID: id, Outcome: "rejected"}
	if e, ok := errors.AsType[*issuer.Error](err); ok && len(e.Fields) > 0 {
		res.Errors = e.Fields
	} else {
		res.Errors = []academic.FieldError{{Path: "row", Rule: "invalid", Message: err.Error()}}
	}
	return res
}
