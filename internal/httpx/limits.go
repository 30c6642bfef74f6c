package httpx

import "time"

// Named limits and defaults. Raise a limit only with evidence, and say why next to it.
const (
	// DefaultBodyLimit is the request-body limit applied to every route unless WithBodyLimit
	// or the BodyLimit middleware says otherwise: 64 KiB. OpenID4VCI and OpenID4VP requests
	// (token, credential, direct_post with a few SD-JWT presentations) are well under this.
	DefaultBodyLimit = 64 << 10

	// maxBodyLimit caps WithBodyLimit and BodyLimit (64 MiB). The largest legitimate upload
	// is an ETSI trusted list or LOTL, a few MiB.
	maxBodyLimit = 64 << 20

	// maxRequestIDLen is the longest X-Request-ID accepted from a client. UUIDs are 36 bytes,
	// ULIDs 26, the IDs generated here 26.
	maxRequestIDLen = 64

	// maxServiceNameLen bounds WithServiceName; the name is a metric label and a log attribute.
	maxServiceNameLen = 32

	// maxCheckNameLen bounds a readiness check name.
	maxCheckNameLen = 32

	// maxChecks bounds the number of readiness checks one server may register.
	maxChecks = 32

	// maxLoggedErrorLen bounds the error text written to a request's log line, in bytes.
	maxLoggedErrorLen = 1024

	// maxReadinessErrorLen bounds the error text of a failed check in the /readyz body.
	maxReadinessErrorLen = 256

	// maxCSPLen bounds a Content-Security-Policy given to WithContentSecurityPolicy.
	maxCSPLen = 4096

	// maxHeaderBytes bounds request headers (Go's default is 1 MiB). DPoP proofs, access
	// tokens and session cookies together stay under a few KiB.
	maxHeaderBytes = 64 << 10

	// opsMaxRequestsInFlight bounds concurrent /metrics scrapes.
	opsMaxRequestsInFlight = 4
)

// http.Server timeouts. The app listener serves small JSON and HTML requests; nothing streams.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
)

// Lifecycle defaults.
const (
	// DefaultShutdownTimeout is how long Run waits for in-flight requests once its context
	// is cancelled, before it closes the remaining connections.
	DefaultShutdownTimeout = 15 * time.Second

	// maxShutdownTimeout caps WithShutdownTimeout.
	maxShutdownTimeout = 5 * time.Minute

	// readinessCheckTimeout bounds one readiness check; a check that takes longer fails.
	readinessCheckTimeout = 3 * time.Second
)

// Default response headers.
const (
	// DefaultContentSecurityPolicy is sent on every app response unless WithContentSecurityPolicy
	// or the ContentSecurityPolicy middleware replaces it. It suits server-rendered pages that
	// load their own scripts, styles and images (QR codes as data: URLs) and are never framed.
	// It sets no form-action, because a form posted to the service may legitimately redirect
	// to another origin (an OpenID4VP redirect_uri).
	DefaultContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

	// hstsValue is sent only on responses over TLS when the server has a TLS configuration.
	hstsValue = "max-age=31536000"
)
