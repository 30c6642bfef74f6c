package verifierhttp

import "time"

// Request-body limits of the routes (httpx.BodyLimit); a larger body is refused with 413
// before anything is stored.
const (
	// MaxResponseBody bounds a POST to the response URI (direct_post, direct_post.jwt): a
	// vp_token or JWE with a few SD-JWT VCs, form-encoded.
	MaxResponseBody = 512 << 10
	// MaxRequestObjectBody bounds a POST to the request URI: wallet_metadata (at most
	// verifier.MaxWalletMetadataSize) and wallet_nonce, form-encoded.
	MaxRequestObjectBody = 256 << 10
	// MaxAPIBody bounds POST /api/requests: a DCQL query (at most dcql.MaxQuerySize) and a
	// few members.
	MaxAPIBody = 128 << 10
	// MaxPageFormBody bounds the desk pages' forms.
	MaxPageFormBody = 16 << 10
)

// Webhook delivery (WebhookSender).
const (
	// WebhookTimeout bounds one delivery attempt when the client sets no timeout.
	WebhookTimeout = 10 * time.Second
	// maxWebhookAnswer is how much of a receiver's answer is read (and discarded).
	maxWebhookAnswer = 64 << 10
)

// Desk page settings.
const (
	// SessionMaxAge is how long a desk session lasts after signing in.
	SessionMaxAge = 8 * time.Hour
	// RefreshSeconds is how often a pending request's page reloads itself (HTTP Refresh
	// header), so the report appears without scripts.
	RefreshSeconds = 3
	// MaxDeskNameLen bounds each of the desk's names (WithDeskName), in bytes.
	MaxDeskNameLen = 200
	// RecentPageSize is how many requests one page of the desk's list of its requests
	// ({prefix}/desk/recent) shows, and the default limit of GET /api/requests.
	RecentPageSize = 20
	// RecentOnHome is how many of the newest requests the new-request page lists under its
	// form.
	RecentOnHome = 5
	// MaxRecentLimit bounds the limit of GET /api/requests (a larger one is lowered to it).
	MaxRecentLimit = 100
)
