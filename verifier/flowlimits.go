package verifier

import "time"

// Named limits and defaults of the OpenID4VP flow. Raise one only with evidence, and say why
// next to it.
const (
	// DefaultRequestTTL is how long a request (its request_uri, state and nonce) stays
	// answerable by default: long enough to find the phone and consent.
	DefaultRequestTTL = 10 * time.Minute
	// MaxRequestTTL bounds FlowConfig.RequestTTL: nonce and state must not live long.
	MaxRequestTTL = time.Hour

	// DefaultReplayWindow is how long presentation digests are remembered by default: a key
	// binding older than MaxKBMaxAge (plus MaxClockSkew) is refused by Verify anyway.
	DefaultReplayWindow = MaxKBMaxAge + MaxClockSkew
	// MaxReplayWindow bounds FlowConfig.ReplayWindow (table size).
	MaxReplayWindow = 7 * 24 * time.Hour

	// MaxWalletMetadataSize bounds the wallet_metadata a wallet POSTs to the request_uri.
	MaxWalletMetadataSize = 64 << 10
	// MaxWalletNonceLen bounds the wallet_nonce echoed into the request object.
	MaxWalletNonceLen = 256
	// MaxStateLen bounds a state looked up in the store; ours are 43 characters.
	MaxStateLen = 256
	// MaxWalletErrorLen and MaxWalletErrorDescriptionLen bound a wallet's error response
	// (error, error_description) as stored.
	MaxWalletErrorLen            = 64
	MaxWalletErrorDescriptionLen = 1024

	// MaxRecentRequests bounds one Flow.Recent call (a page of the desk's list of requests):
	// each row's stored result is read to find its reason.
	MaxRecentRequests = 200

	// MaxWebhookAttempts is how often a webhook is tried before the outbox gives it up.
	MaxWebhookAttempts = 10
	// WebhookBackoffBase and WebhookBackoffMax shape the retry delay: base·2^(attempts−1),
	// at most max (30 s, 1 min, 2 min, … 1 h).
	WebhookBackoffBase = 30 * time.Second
	WebhookBackoffMax  = time.Hour
	// WebhookLease is how long a claimed outbox entry is hidden from other replicas while
	// one sends it.
	WebhookLease = 2 * time.Minute
	// WebhookLeaseMargin is the part of the lease a delivery pass leaves unused, so that
	// recording the last outcome ends before another replica may claim the entry.
	WebhookLeaseMargin = 15 * time.Second
	// WebhookBatch is how many outbox entries one DeliverWebhooks call sends at most.
	WebhookBatch = 50
	// MaxWebhookErrorLen bounds the last delivery error kept in the outbox.
	MaxWebhookErrorLen = 512
)

// randomBytes is the entropy of ids, state, nonce, kid and response_code: 256 bits, well
// above OpenID4VP's 128-bit floor.
const randomBytes = 32
