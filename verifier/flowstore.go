package verifier

import (
	"context"
	"time"

	"github.com/hashi-vc/hashi/internal/storeerr"
)

// Store is the persistent state of the OpenID4VP flow: requests, their results, the
// single-use values of responses and the webhook outbox. Every piece of protocol state lives
// here, so several replicas sharing one database can serve one flow (a wallet may fetch the
// request object from one replica and post its response to another). verifierstore
// implements it over SQLite and PostgreSQL.
//
// Contract for every method: a missing row is storeerr.ErrNotFound (wrapped, errors.Is works);
// a uniqueness violation is storeerr.ErrConflict; an argument refused before touching the
// database is storeerr.ErrInvalid; each method is one transaction (all or nothing, durable
// when it returns nil); times are stored with millisecond precision (UTC).
type Store interface {
	// CreateRequest stores a new pending request. Its ID, State and EncryptionKeyID (when not
	// empty) are unique: storeerr.ErrConflict otherwise.
	CreateRequest(ctx context.Context, r *Request) error
	// Request returns the request with this ID.
	Request(ctx context.Context, id string) (*Request, error)
	// RequestByState returns the request whose State is state.
	RequestByState(ctx context.Context, state string) (*Request, error)
	// RequestByKeyID returns the request whose EncryptionKeyID is kid (direct_post.jwt
	// responses carry the state inside the JWE, so the key id finds the request).
	RequestByKeyID(ctx context.Context, kid string) (*Request, error)
	// CompleteRequest records the answer to request c.ID in one transaction: it locks the row,
	// refuses with storeerr.ErrExpired (changing nothing) when the request is pending but
	// c.CompletedAt is not before its ExpiresAt, with storeerr.ErrConflict when it is no longer
	// pending (answered before, possibly on another replica); records uses (a value still
	// remembered: a *UsedError, nothing changes); sets Status, Result, WalletError,
	// WalletErrorDescription, ResponseCodeHash and CompletedAt and clears EncryptionKey (an
	// answered request needs it no more; EncryptionKeyID stays); and, when webhook is not
	// nil, inserts it into the outbox.
	CompleteRequest(ctx context.Context, c *Completion, uses []SingleUse, webhook *Webhook) error
	// RecentRequests returns up to limit requests as stored (a pending one past its ExpiresAt
	// is still pending here), newest first: by CreatedAt descending, then by ID descending.
	// It is keyset-paginated: with a zero before it starts at the newest request; otherwise
	// it returns only the requests after the position (before, beforeID) in that order —
	// created before before, or at before (to the millisecond) with an ID below beforeID — so
	// the next page starts after the CreatedAt and ID of the last request of this one.
	// beforeID "" with a non-zero before means "created before before". IDs compare as the
	// database orders them, the same way in the order and in the comparison. limit must be at
	// least 1 and beforeID must be "" when before is zero (storeerr.ErrInvalid otherwise); an
	// implementation may cap limit (verifierstore: MaxPageSize), so fewer rows than limit do
	// not mean there are no more.
	RecentRequests(ctx context.Context, before time.Time, beforeID string, limit int) ([]Request, error)

	// ClaimWebhooks returns up to limit outbox entries that are not delivered, not given up,
	// and due (NextAttemptAt <= now), oldest first, and leases them: their NextAttemptAt moves
	// to now+lease in the same transaction, so that another replica does not send them at the
	// same time.
	ClaimWebhooks(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Webhook, error)
	// UpdateWebhook records the outcome of one delivery attempt: Attempts, NextAttemptAt,
	// DeliveredAt, GaveUp and LastError of w (by ID) are written.
	UpdateWebhook(ctx context.Context, w *Webhook) error
}

// RequestStatus is the state of a presentation request.
type RequestStatus string

// The request states. Only pending is stored as "not answered"; expired is derived when a
// pending request is read after its ExpiresAt.
const (
	StatusPending  RequestStatus = "pending"  // created; no response yet
	StatusVerified RequestStatus = "verified" // a response arrived and Verify accepted it
	StatusRejected RequestStatus = "rejected" // a response arrived and was rejected (see the Result)
	StatusDeclined RequestStatus = "declined" // the wallet answered with an error (e.g. access_denied)
	StatusExpired  RequestStatus = "expired"  // no response before ExpiresAt
)

// Request is one presentation request as stored.
type Request struct {
	ID       string // public: the request_uri path segment and the status API id
	State    string // OpenID4VP state, ≥128 bits, unique
	Nonce    string // OpenID4VP nonce, ≥128 bits
	ClientID string // the full client_id with its prefix
	// ResponseMode is ResponseModeDirectPost or ResponseModeDirectPostJWT.
	ResponseMode string
	// RequestURIMethod is "get" or "post", as written in the request link.
	RequestURIMethod string
	// Query is the DCQL query as JSON (dcql.Query.Marshal).
	Query []byte
	// Policy names the desk policy (FlowConfig.Policies) the response is judged by.
	Policy string
	// SameDevice: the response URI answers with a redirect_uri carrying a response_code.
	SameDevice bool
	// EncryptionKey is the ephemeral ECDH-ES P-256 private key of a direct_post.jwt request as
	// PKCS #8 DER (stored as opaque bytes, not encrypted at rest); nil for direct_post and
	// once the request is answered.
	EncryptionKey []byte
	// EncryptionKeyID is the key's "kid" in client_metadata.jwks (unique); "" for direct_post.
	EncryptionKeyID string

	Status    RequestStatus
	CreatedAt time.Time
	ExpiresAt time.Time

	// Set by CompleteRequest.
	CompletedAt            time.Time
	Result                 []byte // the Result as JSON; nil when declined
	WalletError            string // the wallet's error code (declined)
	WalletErrorDescription string
	ResponseCodeHash       []byte // SHA-256 of the response_code (same-device); nil otherwise
}

// Completion is what CompleteRequest writes.
type Completion struct {
	ID                     string
	Status                 RequestStatus // verified, rejected or declined
	Result                 []byte
	WalletError            string
	WalletErrorDescription string
	ResponseCodeHash       []byte
	CompletedAt            time.Time
}

// SingleUse is a value a response may use once: the digest of a presentation (its KB-JWT,
// else the whole presentation). The store remembers it until ExpiresAt in the same
// transaction as the completion, so that a vp_token replayed to a second request is refused
// on every replica.
type SingleUse struct {
	Kind      string // UsePresentation
	Value     string
	ExpiresAt time.Time
}

// UsePresentation is the SingleUse kind of presentation digests.
const UsePresentation = "verifier.presentation"

// UsedError reports that a SingleUse value was already used. errors.Is(err,
// storeerr.ErrConflict) holds for it too.
type UsedError struct {
	Kind string
}

func (e *UsedError) Error() string { return "already used: " + e.Kind }

// Is makes a UsedError match storeerr.ErrConflict.
func (e *UsedError) Is(target error) bool { return target == storeerr.ErrConflict }

// Webhook is one outbox entry: a result notification to push to the desk's webhook URL.
type Webhook struct {
	ID        string
	RequestID string
	URL       string
	// Payload is the JSON body (WebhookEvent); DeliverWebhooks signs it.
	Payload       []byte
	CreatedAt     time.Time
	Attempts      int
	NextAttemptAt time.Time
	DeliveredAt   time.Time // zero until delivered
	GaveUp        bool      // true after MaxWebhookAttempts failures
	LastError     string
}
