package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/labstack/echo/v4"
)

// Sentinel errors returned by New, its options and Run.
var (
	// ErrInvalidOption means an option was given a value it does not accept, or two options
	// contradict each other. The wrapping error says which.
	ErrInvalidOption = errors.New("httpx: invalid option")

	// ErrInvalidListener means Run was given no app listener.
	ErrInvalidListener = errors.New("httpx: invalid listener")

	// ErrAlreadyRunning means Run was called on a Server that has already been run. A Server
	// runs once; build a new one to serve again.
	ErrAlreadyRunning = errors.New("httpx: server already run")
)

// ErrorResponse is the error body of OAuth 2.0 (RFC 6749 §5.2), OpenID4VCI (§6.3, §8.3.1)
// and OpenID4VP (§8.5): {"error": "...", "error_description": "..."}.
type ErrorResponse struct {
	// Error is the spec's error code, such as "invalid_request" or "invalid_nonce".
	Error string `json:"error"`

	// ErrorDescription is optional human-readable text for the client developer. It must
	// not carry internal detail.
	ErrorDescription string `json:"error_description,omitempty"`

	// Header holds extra response headers, such as WWW-Authenticate for a 401 from a
	// protected resource (RFC 6750 §3, RFC 9449 §7.1). It is not part of the body.
	Header http.Header `json:"-"`
}

// WireHeader returns the extra response headers carried by r.
func (r ErrorResponse) WireHeader() http.Header { return r.Header }

// WireError is an error that knows its own HTTP status and JSON body. The error handler
// finds it anywhere in a returned error's chain (errors.As) when no ErrorMapper claimed the
// error first. If the body has a WireHeader() http.Header method, those headers are sent too.
type WireError interface {
	error
	HTTPStatus() int
	WireBody() any
}

// ErrorMapper maps an error returned by a handler to an HTTP status (400–599) and a JSON
// body, usually an ErrorResponse. It returns ok=false for errors it does not know, which the
// error handler then treats as described in [WithErrorMapper]. Each service supplies one, and
// it is the only place that service turns domain error codes into wire errors.
type ErrorMapper func(err error) (status int, body any, ok bool)

// wireHeaderer is implemented by bodies that carry extra headers, such as ErrorResponse.
type wireHeaderer interface{ WireHeader() http.Header }

// panicError is a recovered panic, turned into an error for the error handler.
type panicError struct {
	value any
	stack []byte
}

func (p *panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// representationHeaders are removed before an error response is written, so that headers a
// handler set for the response it meant to send do not describe the error body.
var representationHeaders = []string{
	echo.HeaderContentType, echo.HeaderContentLength, echo.HeaderContentEncoding,
	echo.HeaderContentDisposition, "Content-Language", "Content-Range", "Content-Location",
	"ETag", echo.HeaderLastModified, echo.HeaderLocation, "Refresh",
}

// WriteError writes body as the JSON error response with the given status (400–599). It
// sets Cache-Control: no-store (RFC 6749 §5.2 for token responses; harmless elsewhere),
// removes representation headers a handler may have set, adds the body's WireHeader() if it
// has one, and marshals the body completely before writing anything, so a marshalling
// failure writes nothing. A HEAD request gets the status and headers without a body. A
// response that is already committed is left alone and an error is returned.
func WriteError(c echo.Context, status int, body any) error {
	if status < 400 || status > 599 {
		return fmt.Errorf("httpx: error status %d out of range", status)
	}
	if c.Response().Committed {
		return errors.New("httpx: response already committed")
	}
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return fmt.Errorf("httpx: marshal error body: %w", err)
		}
	}
	h := c.Response().Header()
	for _, k := range representationHeaders {
		h.Del(k)
	}
	if wh, ok := body.(wireHeaderer); ok {
		for k, vs := range wh.WireHeader() {
			h.Del(k)
			for _, v := range vs {
				h.Add(k, v)
			}
		}
	}
	h.Set(echo.HeaderCacheControl, "no-store")
	if c.Request().Method == http.MethodHead || body == nil {
		return c.NoContent(status)
	}
	return c.Blob(status, echo.MIMEApplicationJSON, b)
}

// resolve decides the status and body for err. internal reports an error the client learns
// nothing about (500 with only the request ID).
func (s *Server) resolve(err error, c echo.Context) (status int, body any, internal bool) {
	if mbe, ok := errors.AsType[*http.MaxBytesError](err); ok && mbe != nil {
		return http.StatusRequestEntityTooLarge, ErrorResponse{Error: "invalid_request", ErrorDescription: "request body too large"}, false
	}
	if s.cfg.mapper != nil {
		if st, b, ok := s.cfg.mapper(err); ok {
			if st >= 400 && st <= 599 {
				return st, b, false
			}
			s.logger.LogAttrs(c.Request().Context(), slog.LevelError, "error mapper returned a status out of range",
				slog.Int("status", st), slog.String("request_id", RequestID(c.Request().Context())))
			return http.StatusInternalServerError, internalBody(c), true
		}
	}
	if we, ok := errors.AsType[WireError](err); ok && we != nil {
		if st := we.HTTPStatus(); st >= 400 && st <= 599 {
			return st, we.WireBody(), false
		}
		return http.StatusInternalServerError, internalBody(c), true
	}
	if he, ok := errors.AsType[*echo.HTTPError](err); ok && he != nil {
		if inner, ok := errors.AsType[*echo.HTTPError](he.Internal); ok && inner != nil {
			he = inner
		}
		if st, b, ok := echoErrorBody(he.Code); ok {
			return st, b, false
		}
	}
	return http.StatusInternalServerError, internalBody(c), true
}

// internalBody is the body of every error the client must learn nothing about.
func internalBody(c echo.Context) ErrorResponse {
	return ErrorResponse{
		Error:            "server_error",
		ErrorDescription: "internal error (request id " + RequestID(c.Request().Context()) + ")",
	}
}

// echoErrorBody gives Echo's own errors (router 404 and 405, binder 400 and 415, and any
// *echo.HTTPError a handler returns) a stable body. The HTTPError's message is not sent: it
// may quote the request or internal state. 5xx codes other than 503 report false so that
// they are handled like unknown errors.
func echoErrorBody(code int) (int, ErrorResponse, bool) {
	switch {
	case code == http.StatusNotFound:
		return code, ErrorResponse{Error: "not_found", ErrorDescription: "no such endpoint"}, true
	case code == http.StatusMethodNotAllowed:
		return code, ErrorResponse{Error: "method_not_allowed", ErrorDescription: "method not allowed"}, true
	case code == http.StatusRequestEntityTooLarge:
		return code, ErrorResponse{Error: "invalid_request", ErrorDescription: "request body too large"}, true
	case code == http.StatusUnsupportedMediaType:
		return code, ErrorResponse{Error: "invalid_request", ErrorDescription: "unsupported media type"}, true
	case code == http.StatusBadRequest:
		return code, ErrorResponse{Error: "invalid_request", ErrorDescription: "malformed request"}, true
	case code == http.StatusTooManyRequests:
		return code, ErrorResponse{Error: "too_many_requests", ErrorDescription: "too many requests"}, true
	case code == http.StatusServiceUnavailable:
		return code, ErrorResponse{Error: "temporarily_unavailable", ErrorDescription: "service unavailable"}, true
	case code >= 400 && code <= 499:
		return code, ErrorResponse{Error: "invalid_request", ErrorDescription: strings.ToLower(http.StatusText(code))}, true
	default:
		return 0, ErrorResponse{}, false
	}
}

// handleError is the server's one HTTPErrorHandler. It never writes part of a response: a
// committed response is only logged, and a body that fails to marshal is replaced by the
// fixed internal-error body.
func (s *Server) handleError(err error, c echo.Context) {
	ctx := c.Request().Context()
	if c.Response().Committed {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "error after response was committed",
			slog.String("request_id", RequestID(ctx)), slog.String("error", truncate(err.Error(), maxLoggedErrorLen)))
		return
	}
	if pe, ok := errors.AsType[*panicError](err); ok && pe != nil {
		s.logger.LogAttrs(ctx, slog.LevelError, "panic recovered",
			slog.String("request_id", RequestID(ctx)),
			slog.String("panic", truncate(fmt.Sprint(pe.value), maxLoggedErrorLen)),
			slog.String("stack", string(pe.stack)))
	}
	status, body, _ := s.resolve(err, c)
	if werr := WriteError(c, status, body); werr != nil {
		s.logger.LogAttrs(ctx, slog.LevelError, "write error response",
			slog.String("request_id", RequestID(ctx)), slog.String("error", truncate(werr.Error(), maxLoggedErrorLen)))
		if !c.Response().Committed {
			_ = WriteError(c, http.StatusInternalServerError, internalBody(c))
		}
	}
}

// recoverPanic runs next and turns a panic into a *panicError. http.ErrAbortHandler is
// re-raised, as net/http expects.
func recoverPanic(next echo.HandlerFunc, c echo.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok && errors.Is(e, http.ErrAbortHandler) {
				panic(r)
			}
			err = &panicError{value: r, stack: debug.Stack()}
		}
	}()
	return next(c)
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
