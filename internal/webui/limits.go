package webui

import "time"

// Named limits and defaults. Raise a limit only with evidence, and say why next to it.
const (
	// maxMessageFileLen bounds one embedded message file (en.json, ja.json): 1 MiB.
	maxMessageFileLen = 1 << 20

	// maxAcceptLanguageLen bounds the Accept-Language header considered for negotiation;
	// longer headers are ignored (English). Browsers send well under 256 bytes.
	maxAcceptLanguageLen = 1024

	// maxQRContentLen bounds the text given to the qr template func. Credential offers by
	// reference and OpenID4VP request_uri links are a few hundred bytes.
	maxQRContentLen = 2048

	// maxCookieValueLen bounds the value a SecureCookie signs, so the encoded cookie stays
	// under the 4096-byte limit browsers apply.
	maxCookieValueLen = 3000

	// minCookieKeyLen is the shortest HMAC-SHA256 key SecureCookie accepts (256 bits).
	minCookieKeyLen = 32

	// maxStaticPathLen bounds the path StaticHandler looks up.
	maxStaticPathLen = 128

	// langCookieMaxAge is how long the explicit language choice is remembered.
	langCookieMaxAge = 365 * 24 * time.Hour
)

// Names on the wire.
const (
	// LangCookie is the cookie that remembers the language chosen with the switch link.
	LangCookie = "hashi_lang"

	// LangParam is the query parameter of the language switch link.
	LangParam = "lang"

	// CSRFCookie is the double-submit cookie that holds the CSRF token.
	CSRFCookie = "hashi_csrf"

	// CSRFField is the form field that carries the CSRF token.
	CSRFField = "_csrf"

	// CSRFHeader is the request header that may carry the CSRF token instead of the form
	// field, for scripts that post with fetch.
	CSRFHeader = "X-CSRF-Token"
)
