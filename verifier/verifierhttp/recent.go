package verifierhttp

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hashi-vc/hashi/internal/webui"
	"github.com/hashi-vc/hashi/verifier"
	"github.com/labstack/echo/v4"
)

// The desk's list of its requests, newest first (verifier.Flow.Recent), in the desk API
// (GET {prefix}/api/requests) and in the pages ({prefix}/desk/recent, and the newest few on
// the new-request page). Both page by keyset with the same cursor: "before" is the "next"
// of the page before, which names the creation time (unix milliseconds) and id of that
// page's last request, "<millis>.<id>".

// errCursor reports a "before" cursor that is not one this desk hands out.
var errCursor = errors.New("verifierhttp: bad cursor")

// maxCursorLen bounds a cursor: the digits of a time and an id of at most
// verifier.MaxStateLen.
const maxCursorLen = 20 + 1 + verifier.MaxStateLen

// cursorOf is the cursor of the page after s.
func cursorOf(s verifier.RequestSummary) string {
	return strconv.FormatInt(s.CreatedAt.UnixMilli(), 10) + "." + s.ID
}

// parseCursor reads a cursor; "" is the newest page (zero time, no id).
func parseCursor(c string) (time.Time, string, error) {
	if c == "" {
		return time.Time{}, "", nil
	}
	ms, id, ok := strings.Cut(c, ".")
	if !ok || len(c) > maxCursorLen || ms == "" || id == "" || strings.Trim(ms, "0123456789") != "" {
		return time.Time{}, "", errCursor
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil {
		return time.Time{}, "", errCursor
	}
	return time.UnixMilli(n).UTC(), id, nil
}

// recentPage reads up to n requests after the cursor before ("": from the newest) and the
// cursor of the page after them ("" when there is none: one more is asked for to know).
func (h *Handler) recentPage(ctx context.Context, before string, n int) ([]verifier.RequestSummary, string, error) {
	at, id, err := parseCursor(before)
	if err != nil {
		return nil, "", err
	}
	rows, err := h.flow.Recent(ctx, at, id, n+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > n {
		rows = rows[:n]
		next = cursorOf(rows[n-1])
	}
	return rows, next, nil
}

// RequestList is the answer to GET /api/requests: a page of the desk's requests, newest
// first, and the cursor of the next (older) page.
type RequestList struct {
	Requests []verifier.RequestSummary `json:"requests"`
	// Next is the "before" of the next page; absent on the last page.
	Next string `json:"next,omitempty"`
}

// listRequests is GET /api/requests?before=&limit=: the desk's requests, newest first,
// limit (default RecentPageSize, at most MaxRecentLimit) at a time.
func (h *Handler) listRequests(c echo.Context) error {
	limit := RecentPageSize
	if v := c.QueryParam("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return invalidInput(`parameter "limit" must be a whole number of at least 1`)
		}
		limit = min(n, MaxRecentLimit)
	}
	rows, next, err := h.recentPage(c.Request().Context(), c.QueryParam("before"), limit)
	if errors.Is(err, errCursor) {
		return invalidInput(`parameter "before" must be the "next" of an earlier answer`)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, RequestList{Requests: rows, Next: next})
}

// recentView is the list page: a page of requests and the cursor of the older ones.
type recentView struct {
	frame
	Rows  []verifier.RequestSummary
	Next  string // the cursor of the older page; "": none
	Paged bool   // not the newest page
}

// recent is GET {prefix}/desk/recent?before=: a page of the desk's requests, newest first.
func (u *ui) recent(c echo.Context) error {
	before := c.QueryParam("before")
	rows, next, err := u.h.recentPage(c.Request().Context(), before, RecentPageSize)
	if errors.Is(err, errCursor) {
		return echo.NewHTTPError(http.StatusBadRequest, "bad before cursor")
	}
	if err != nil {
		return err
	}
	v := recentView{frame: frame{Desk: u.desk, SignedIn: true, Current: "recent"}, Rows: rows, Next: next, Paged: before != ""}
	return u.r.Render(c, http.StatusOK, "recent.html", &webui.Page{Data: v})
}
