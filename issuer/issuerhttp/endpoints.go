package issuerhttp

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hashi-vc/hashi/internal/httpx"
	"github.com/hashi-vc/hashi/issuer"
	"github.com/labstack/echo/v4"
)

// Media types.
const (
	mimeForm       = "application/x-www-form-urlencoded"
	mimeStatusList = "application/statuslist+jwt"
)

func (h *Handler) metadata(c echo.Context) error {
	m, err := h.is.Metadata(c.Param("tenant"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (h *Handler) authorizationServerMetadata(c echo.Context) error {
	m, err := h.is.AuthorizationServerMetadata(c.Param("tenant"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (h *Handler) jwtVCIssuerMetadata(c echo.Context) error {
	m, err := h.is.JWTVCIssuerMetadata(c.Param("tenant"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, m)
}

func (h *Handler) credentialOffer(c echo.Context) error {
	o, err := h.is.CredentialOffer(c.Request().Context(), c.Param("tenant"), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// token serves the token endpoint: an application/x-www-form-urlencoded body only (RFC 6749
// §3.2), parameters passed to the core as received (repeats included; the query string is
// not read), with every DPoP header value.
func (h *Handler) token(c echo.Context) error {
	if err := requireMediaType(c, mimeForm); err != nil {
		return tokenEndpoint(err)
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return tokenEndpoint(edgeError(issuer.CodeInvalidRequest, "the request body is not a valid form"))
	}
	res, err := h.is.Token(c.Request().Context(), c.Param("tenant"), issuer.TokenRequest{Form: form, DPoP: c.Request().Header.Values(headerDPoP)})
	if err != nil {
		return tokenEndpoint(err)
	}
	c.Response().Header().Set("Pragma", "no-cache")
	return c.JSON(http.StatusOK, res)
}

func (h *Handler) nonce(c echo.Context) error {
	res, err := h.is.Nonce(c.Request().Context(), c.Param("tenant"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, res)
}

func (h *Handler) credential(c echo.Context) error {
	auth, body, err := resourceRequest(c)
	if err != nil {
		return err
	}
	res, err := h.is.Credential(c.Request().Context(), c.Param("tenant"), auth, body)
	if err != nil {
		return resource(auth, err)
	}
	h.count(c.Param("tenant"), body, res)
	if res.Deferred() {
		return c.JSON(http.StatusAccepted, res)
	}
	return c.JSON(http.StatusOK, res)
}

func (h *Handler) deferredCredential(c echo.Context) error {
	auth, body, err := resourceRequest(c)
	if err != nil {
		return err
	}
	res, err := h.is.DeferredCredential(c.Request().Context(), c.Param("tenant"), auth, body)
	if err != nil {
		return resource(auth, err)
	}
	if !res.Deferred() {
		h.count(c.Param("tenant"), nil, res)
	}
	if res.Deferred() {
		return c.JSON(http.StatusAccepted, res)
	}
	return c.JSON(http.StatusOK, res)
}

func (h *Handler) notification(c echo.Context) error {
	auth, body, err := resourceRequest(c)
	if err != nil {
		return err
	}
	if err := h.is.Notification(c.Request().Context(), c.Param("tenant"), auth, body); err != nil {
		return resource(auth, err)
	}
	return c.NoContent(http.StatusNoContent)
}

// statusList serves a status list token (draft-ietf-oauth-status-list-20 §8) with
// Cache-Control: max-age from its remaining ttl. Historical resolution (?time=) is not
// supported: 501, as the draft asks of such servers.
func (h *Handler) statusList(c echo.Context) error {
	if c.QueryParams().Has("time") {
		return c.JSON(http.StatusNotImplemented, httpx.ErrorResponse{Error: "invalid_request", ErrorDescription: "historical resolution (time) is not supported"})
	}
	id, err := strconv.Atoi(c.Param("id"))
	if err != nil || id < 1 || strconv.Itoa(id) != c.Param("id") {
		return edgeError(issuer.CodeNotFound, "no such status list")
	}
	tok, err := h.is.StatusList(c.Request().Context(), c.Param("tenant"), id)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "max-age="+strconv.Itoa(max(0, int(tok.MaxAge.Seconds()))))
	return c.Blob(http.StatusOK, mimeStatusList, []byte(tok.Token))
}

// resourceRequest binds a credential, deferred credential or notification request: the
// access token from exactly one Authorization header (scheme Bearer or DPoP, any case), the
// DPoP header values, and an application/json body. A request without an Authorization
// header goes to the core with an empty Authorization (unknown tenant: 404; otherwise 401
// with challenges that carry no error code).
func resourceRequest(c echo.Context) (issuer.Authorization, []byte, error) {
	scheme, token, err := authorizationHeader(c)
	if err != nil && !errors.Is(err, errNoAuthorization) {
		return issuer.Authorization{}, nil, &endpointError{kind: kindResource, scheme: scheme, err: err}
	}
	auth := issuer.Authorization{Scheme: scheme, Token: token, DPoP: c.Request().Header.Values(headerDPoP)}
	if err := requireMediaType(c, echo.MIMEApplicationJSON); err != nil {
		// §8.3.1, §9.3, §11.3: the endpoint's own error code, not the generic invalid_request.
		code := issuer.CodeInvalidCredentialRequest
		if strings.HasSuffix(c.Path(), issuer.PathNotification) {
			code = issuer.CodeInvalidNotificationRequest
		}
		return auth, nil, edgeError(code, "the request body must be application/json")
	}
	body, err := readBody(c)
	if err != nil {
		return auth, nil, err
	}
	return auth, body, nil
}

const (
	headerDPoP   = "DPoP"
	schemeBearer = "Bearer"
	schemeDPoP   = "DPoP"
)

// authorizationHeader parses the one Authorization header: scheme (normalized to "Bearer"
// or "DPoP") and token (RFC 6750 §2.1 b64token). A missing header is errNoAuthorization;
// several headers or a malformed token are CodeInvalidRequest (RFC 6750 §3.1), an unknown
// scheme CodeInvalidToken.
func authorizationHeader(c echo.Context) (scheme, token string, err error) {
	vs := c.Request().Header.Values(echo.HeaderAuthorization)
	switch {
	case len(vs) == 0:
		return "", "", errNoAuthorization
	case len(vs) > 1:
		return "", "", edgeError(issuer.CodeInvalidRequest, "exactly one Authorization header is allowed")
	}
	s, tok, ok := strings.Cut(vs[0], " ")
	tok = strings.TrimLeft(tok, " ")
	switch {
	case strings.EqualFold(s, schemeBearer):
		scheme = schemeBearer
	case strings.EqualFold(s, schemeDPoP):
		scheme = schemeDPoP
	default:
		return "", "", edgeError(issuer.CodeInvalidToken, "the Authorization scheme must be Bearer or DPoP")
	}
	if !ok || !validB64Token(tok) {
		return scheme, "", edgeError(issuer.CodeInvalidRequest, "the Authorization header is malformed")
	}
	return scheme, tok, nil
}

// validB64Token reports whether s is an RFC 6750 §2.1 b64token.
func validB64Token(s string) bool {
	if s == "" || len(s) > issuer.MaxIDLength {
		return false
	}
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := range len(body) {
		b := body[i]
		if (b < 'a' || b > 'z') && (b < 'A' || b > 'Z') && (b < '0' || b > '9') && !strings.ContainsRune("-._~+/", rune(b)) {
			return false
		}
	}
	return true
}

// requireMediaType checks the request's Content-Type (parameters such as charset ignored).
func requireMediaType(c echo.Context, want ...string) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err == nil {
		for _, w := range want {
			if strings.EqualFold(mt, w) {
				return nil
			}
		}
	}
	return edgeError(issuer.CodeInvalidRequest, "the request body must be "+strings.Join(want, " or "))
}

// mediaType returns the request's media type in lower case, or "".
func mediaType(c echo.Context) string {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// readBody reads the whole body; httpx bounds it (413 beyond the limit).
func readBody(c echo.Context) ([]byte, error) {
	b, err := io.ReadAll(c.Request().Body)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// count records issued or deferred credentials in the metrics (configuration "" when the
// request body does not name it, as in deferred polls).
func (h *Handler) count(tenant string, body []byte, res *issuer.CredentialResponse) {
	if h.cfg.issued == nil {
		return
	}
	var req struct {
		ID string `json:"credential_configuration_id"`
	}
	_ = json.Unmarshal(body, &req)
	if res.Deferred() {
		h.cfg.issued.WithLabelValues(tenant, req.ID, "deferred").Inc()
		return
	}
	h.cfg.issued.WithLabelValues(tenant, req.ID, "issued").Add(float64(len(res.Credentials)))
}
