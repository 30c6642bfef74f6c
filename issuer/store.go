package issuer

import (
	"context"
	"time"

	"github.com/hashi-vc/hashi/internal/statuslist"
	"github.com/hashi-vc/hashi/internal/storeerr"
)

// Store is the issuer's persistent state: every piece of protocol state lives here so that
// several replicas sharing one database can serve one flow. issuerstore implements it over
// SQLite and PostgreSQL.
//
// Contract for every method: a missing row is sqldb.ErrNotFound (wrapped, errors.Is works); a
// uniqueness violation is sqldb.ErrConflict; each method is one transaction (all or
// nothing, durable when it returns nil); callbacks passed to a method are pure and may run
// more than once when the store retries a transaction; times are stored with millisecond
// precision (UTC); Tenant scopes every row, and a row of another tenant is "not found".
type Store interface {
	// UpsertGraduate inserts the graduate or replaces the record and Approved flag of an
	// existing one (same Tenant and ID), keeping CreatedAt. created reports an insert.
	UpsertGraduate(ctx context.Context, g *Graduate, audit AuditEvent) (created bool, err error)
	// Graduate returns one graduate.
	Graduate(ctx context.Context, tenant, id string) (*Graduate, error)
	// ListGraduates returns up to limit graduates of the tenant with ID > after, by ID.
	ListGraduates(ctx context.Context, tenant, after string, limit int) ([]Graduate, error)
	// ApproveGraduate sets Approved (conferral approved by the registrar). Deferred
	// transactions waiting for it become issuable.
	ApproveGraduate(ctx context.Context, tenant, id string, at time.Time, audit AuditEvent) error

	// CreateOffer stores a new offer (ID and PreAuthorizedCode are unique across tenants).
	CreateOffer(ctx context.Context, o *Offer, audit AuditEvent) error
	// Offer returns one offer by its ID.
	Offer(ctx context.Context, tenant, id string) (*Offer, error)
	// ListOffers returns up to limit offers of the tenant, newest first, created before
	// `before` (zero: no bound).
	ListOffers(ctx context.Context, tenant string, before time.Time, limit int) ([]Offer, error)
	// RedeemOffer locks the offer whose PreAuthorizedCode is code (any tenant), calls decide
	// with it, and in the same transaction writes the offer's new State, TxCodeAttempts and
	// RedeemedAt from the returned Redemption and, if Redemption.Token is set, inserts that
	// access token and appends Redemption.Audit when set. It returns the offer as stored
	// afterwards. decide's changes are committed
	// even when they mean failure (a wrong tx_code is counted), so decide reports failure in
	// Redemption.Err, which RedeemOffer returns after committing.
	//
	// Before anything else it records uses (see SingleUse); when one is still remembered it
	// returns a *UsedError and changes nothing.
	RedeemOffer(ctx context.Context, code string, uses []SingleUse, now time.Time, decide func(Offer) Redemption) (*Offer, error)
	// WithdrawOffer sets a pending offer's State to OfferWithdrawn (its code dies) and appends
	// audit. An offer that is not pending is left as it is (nil error): withdrawing is about
	// making sure the code can no longer be redeemed.
	WithdrawOffer(ctx context.Context, tenant, id string, audit AuditEvent) error

	// AccessToken returns the token with this hash.
	AccessToken(ctx context.Context, hash string) (*AccessToken, error)

	// RecordIssuance records, in one transaction, the credentials issued (or about to be
	// signed) for one credential configuration under one access token: it refuses with
	// sqldb.ErrConflict (changing nothing) when tokenHash has already been used for
	// recs[0].ConfigurationID; allocates a distinct random unused index for each record in
	// the tenant's current status list of listSize entries (starting the next list, ID+1,
	// when fewer than len(recs) indexes are free; the first list has ID 1; a call that read
	// the current list just before another started the next may still allocate in it) with
	// status Valid; inserts the records with their StatusList and StatusIndex filled in (also in
	// recs); deletes the deferred transaction deferredID when it is not empty (not found:
	// sqldb.ErrNotFound, nothing changes); records uses (a value still remembered: a
	// *UsedError, nothing changes); and appends audit. All records share Tenant, OfferID,
	// ConfigurationID and NotificationID.
	RecordIssuance(ctx context.Context, tokenHash, deferredID string, uses []SingleUse, now time.Time, recs []Issuance, listSize int, audit AuditEvent) error
	// Issuance returns one issued credential record.
	Issuance(ctx context.Context, tenant, id string) (*Issuance, error)
	// ListIssuances returns up to limit issued credentials of the tenant, newest first,
	// issued before `before` (zero: no bound); when offerID is not empty, only that offer's.
	ListIssuances(ctx context.Context, tenant, offerID string, before time.Time, limit int) ([]Issuance, error)
	// SetStatus sets the status of an issued credential and its status-list entry in one
	// transaction and bumps that list's Version. Revocation is final: setting another status
	// on a revoked (Invalid) credential is storeerr.ErrConflict, decided inside the
	// transaction so that a concurrent reinstatement cannot undo a revocation.
	SetStatus(ctx context.Context, tenant, issuanceID string, status statuslist.Status, at time.Time, audit AuditEvent) error
	// StatusList returns one status list of the tenant: its entries' statuses by index
	// (allocated indexes only; the others are Valid) and its Version.
	StatusList(ctx context.Context, tenant string, id int) (*StatusListState, error)

	// CreateDeferred stores a deferred issuance transaction and records uses (a value still
	// remembered: a *UsedError, nothing changes).
	CreateDeferred(ctx context.Context, d *Deferred, uses []SingleUse, now time.Time, audit AuditEvent) error
	// Deferred returns one deferred transaction by its TransactionID (any tenant).
	Deferred(ctx context.Context, transactionID string) (*Deferred, error)

	// Notify records a wallet notification for the issuances of offerID with this
	// NotificationID (sqldb.ErrNotFound when there are none: the id is unknown, or another
	// offer's). Repeating the same event is not an error.
	Notify(ctx context.Context, tenant, offerID, notificationID, event string, at time.Time, audit AuditEvent) error

	// AuditLog returns up to limit events of the tenant, newest first, before `before`.
	AuditLog(ctx context.Context, tenant string, before time.Time, limit int) ([]AuditEvent, error)

	// Remember records single-use values for requests that change nothing else (deferred
	// polls, notifications, a lost credential response delivered again), in one transaction
	// with audit when it is not nil; a *UsedError when one is still remembered, or
	// (Expired) when its expiry has passed by now, and then nothing is recorded. Writes that
	// take SingleUse values (RecordIssuance, CreateDeferred, RedeemOffer) refuse them the
	// same way.
	Remember(ctx context.Context, uses []SingleUse, now time.Time, audit *AuditEvent) error

	// Secret returns the deployment-wide secret called name, creating it with generate the
	// first time (atomically: concurrent replicas all get the value that was stored first).
	Secret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)
}

// SingleUse is a value a request may use once: a DPoP proof's jti (scoped by its key
// thumbprint) or a c_nonce. The store remembers it until ExpiresAt in the same transaction
// as the change the request makes, so a replay is refused on every replica.
type SingleUse struct {
	Kind      string // UseDPoPJTI or UseCNonce
	Value     string
	ExpiresAt time.Time
}

// The kinds of SingleUse.
const (
	UseDPoPJTI = "issuer.dpop_jti"
	UseCNonce  = "issuer.c_nonce"
)

// UsedError reports that a SingleUse value was already used. errors.Is(err,
// storeerr.ErrConflict) holds for it too.
type UsedError struct {
	Kind string
	// Expired: the value's expiry had passed by the time of the write (it was valid when
	// checked, moments earlier); it is refused like a used one.
	Expired bool
}

func (e *UsedError) Error() string {
	if e.Expired {
		return "expired: " + e.Kind
	}
	return "already used: " + e.Kind
}

// Is makes a UsedError match storeerr.ErrConflict.
func (e *UsedError) Is(target error) bool { return target == storeerr.ErrConflict }

// Graduate is a graduate a registrar imported: the diploma record as validated JSON
// (academic.Diploma) and whether the conferral is approved.
type Graduate struct {
	Tenant    string
	ID        string
	Name      string // display name for registrar pages (Latin script)
	Record    []byte // academic.Diploma as JSON
	Approved  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OfferState is the lifecycle state of a credential offer.
type OfferState string

// The offer states.
const (
	// OfferPending: created, its pre-authorized code not yet redeemed.
	OfferPending OfferState = "pending"
	// OfferRedeemed: the code was exchanged for an access token.
	OfferRedeemed OfferState = "redeemed"
	// OfferLocked: too many wrong tx_code attempts; the code is dead.
	OfferLocked OfferState = "locked"
	// OfferWithdrawn: the registrar withdrew the offer (e.g. to re-offer).
	OfferWithdrawn OfferState = "withdrawn"
)

// Offer is a credential offer with its pre-authorized code.
type Offer struct {
	ID                string // public: the credential_offer_uri path segment
	Tenant            string
	ConfigurationIDs  []string
	GraduateID        string // empty when the claims were given directly
	Record            []byte // the academic.Diploma JSON the credentials will carry
	Approved          bool   // false: credentials are deferred until the graduate is approved
	PreAuthorizedCode string
	TxCode            string // empty: no tx_code required
	TxCodeAttempts    int
	State             OfferState
	CreatedAt         time.Time
	ExpiresAt         time.Time
	RedeemedAt        time.Time
}

// Redemption is decide's answer in Store.RedeemOffer.
type Redemption struct {
	State          OfferState
	TxCodeAttempts int
	RedeemedAt     time.Time
	Token          *AccessToken // inserted when not nil
	Audit          *AuditEvent  // appended when not nil (redemptions and lock-outs)
	Err            error        // returned by RedeemOffer after the changes are committed
}

// AccessToken is an issued access token, stored by the SHA-256 of its value.
type AccessToken struct {
	Hash             string
	Tenant           string
	OfferID          string
	ConfigurationIDs []string
	JKT              string // DPoP key thumbprint the token is bound to; empty for a Bearer token
	IssuedAt         time.Time
	ExpiresAt        time.Time
}

// Issuance is one issued credential.
type Issuance struct {
	ID              string
	Tenant          string
	OfferID         string
	GraduateID      string
	ConfigurationID string
	StatusList      int // status list ID (1, 2, ...)
	StatusIndex     int
	Status          statuslist.Status // Valid, Invalid (revoked) or Suspended
	NotificationID  string
	Event           string // last wallet notification event, if any
	HolderJKT       string // thumbprint of the holder key the credential is bound to
	IssuedAt        time.Time
	UpdatedAt       time.Time
}

// StatusListState is a status list as stored: the statuses of its allocated entries.
type StatusListState struct {
	Tenant   string
	ID       int
	Size     int
	Statuses map[int]statuslist.Status
	Version  int64
	Updated  time.Time
}

// Deferred is a deferred issuance transaction (OpenID4VCI 1.0 §9): the credential request was
// valid but the conferral is not yet approved.
type Deferred struct {
	TransactionID   string
	Tenant          string
	TokenHash       string
	OfferID         string
	ConfigurationID string
	HolderKeys      [][]byte // the proven holder keys as public JWK JSON, one per credential
	CreatedAt       time.Time
	ExpiresAt       time.Time
}

// AuditEvent is one entry of the audit log: who did what to which object, with ids only
// (no personal data).
type AuditEvent struct {
	Tenant string
	At     time.Time
	Actor  string // "registrar", "wallet", "system"
	Action string // e.g. "offer_created", "credential_issued", "credential_revoked"
	Object string // the id of the offer, issuance or graduate
	Detail string // short, non-personal detail (configuration id, counts, status)
}
