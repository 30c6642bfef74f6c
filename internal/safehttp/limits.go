package safehttp

import "time"

const (
	// DefaultTimeout bounds a whole exchange (dial, TLS, request, headers and body).
	DefaultTimeout = 10 * time.Second
	// DefaultMaxBodySize bounds a response body. Metadata, offers and request objects are a
	// few KiB; a credential response with a batch of SD-JWT VCs stays far below 1 MiB.
	DefaultMaxBodySize = 1 << 20
	// MaxURLLength bounds a URL given to the client.
	MaxURLLength = 8 << 10

	dialTimeout           = 5 * time.Second
	tlsHandshakeTimeout   = 5 * time.Second
	responseHeaderTimeout = 8 * time.Second
)
