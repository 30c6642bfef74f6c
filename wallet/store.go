package wallet

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"time"
)

// Store keeps a wallet's data. Every method is scoped by an owner id (the hosted wallet's
// account id; the CLI holder uses "local"): a record of one owner is never returned,
// changed or deleted through another owner's id. wallet/walletstore implements it over
// SQLite and PostgreSQL with encryption at rest for Credential.Raw, Credential.HolderKey,
// PendingIssuance.AccessToken, PendingIssuance.DPoPKey and PendingIssuance.HolderKeys.
//
// Error contract: a missing record (or one of another owner) is reported with an error
// for which errors.Is(err, storeerr.ErrNotFound) holds; an id that exists already with
// storeerr.ErrConflict. Other errors are failures of the store. Records passed in are not
// retained; records returned are the caller's.
type Store interface {
	// SaveCredentials stores creds (all of the same owner, ids unique) in one transaction.
	// When resolvesPending is not empty it also deletes that pending issuance of owner in
	// the same transaction, and fails with ErrNotFound (storing nothing) when it is gone, so
	// that two pollers never both store a deferred credential. Either every credential is
	// stored or none (ErrConflict when an id exists).
	SaveCredentials(ctx context.Context, owner string, creds []Credential, resolvesPending string) error
	// Credential returns one credential of owner.
	Credential(ctx context.Context, owner, id string) (*Credential, error)
	// Credentials returns every credential of owner, oldest first.
	Credentials(ctx context.Context, owner string) ([]Credential, error)
	// DeleteCredential deletes one credential of owner with its holder key.
	DeleteCredential(ctx context.Context, owner, id string) error

	// PutPending creates or replaces a pending (deferred) issuance of owner.
	PutPending(ctx context.Context, p PendingIssuance) error
	// Pending returns one pending issuance of owner.
	Pending(ctx context.Context, owner, id string) (*PendingIssuance, error)
	// PendingIssuances returns every pending issuance of owner, oldest first.
	PendingIssuances(ctx context.Context, owner string) ([]PendingIssuance, error)
	// DeletePending deletes one pending issuance of owner.
	DeletePending(ctx context.Context, owner, id string) error

	// AddPresentation appends an entry to owner's presentation history (ErrConflict when
	// the id exists).
	AddPresentation(ctx context.Context, r PresentationRecord) error
	// Presentations returns owner's presentation history, newest first.
	Presentations(ctx context.Context, owner string) ([]PresentationRecord, error)
}

// Secret is key material or a token the store must encrypt at rest. It never prints.
type Secret []byte

// String redacts the secret.
func (Secret) String() string { return "[redacted]" }

// GoString redacts the secret.
func (Secret) GoString() string { return "[redacted]" }

// LogValue redacts the secret.
func (Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// Names is a text in several languages, keyed by language tag ("en", "ja").
type Names map[string]string

// In returns the text in lang, falling back to its primary language, English, then any.
func (n Names) In(lang string) string {
	if v, ok := n[lang]; ok {
		return v
	}
	if len(lang) > 2 {
		if v, ok := n[lang[:2]]; ok {
			return v
		}
	}
	if v, ok := n["en"]; ok {
		return v
	}
	keys := slices.Sorted(maps.Keys(n))
	if len(keys) == 0 {
		return ""
	}
	return n[keys[0]]
}

// Credential is a stored credential with its holder key.
type Credential struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	// Format is "dc+sd-jwt" or "jwt_vc_json".
	Format string `json:"format"`
	// Issuer is the Credential Issuer Identifier it came from.
	Issuer string `json:"issuer"`
	// ConfigurationID is the issuer's credential_configuration_id.
	ConfigurationID string `json:"credential_configuration_id"`
	// VCT is the SD-JWT VC type; Types the jwt_vc_json types.
	VCT   string   `json:"vct,omitempty"`
	Types []string `json:"types,omitempty"`
	// BatchID links the copies received in one batch (each with its own key); "" otherwise.
	BatchID string `json:"batch_id,omitempty"`
	// Raw is the credential exactly as received (an SD-JWT with every disclosure, or a JWT).
	Raw Secret `json:"-"`
	// HolderKey is the private JWK of the key the credential is bound to; nil for a
	// credential without cryptographic holder binding.
	HolderKey Secret `json:"-"`
	// ReceivedAt is when the wallet stored it; IssuedAt and ExpiresAt come from the credential.
	ReceivedAt time.Time `json:"received_at"`
	IssuedAt   time.Time `json:"issued_at,omitzero"`
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	// Status is the Token Status List reference, nil when absent.
	Status *StatusReference `json:"status,omitempty"`
	// Display is the display snapshot taken when received.
	Display Display `json:"display"`
	// Trust is what the trust lists said of the issuer when received.
	Trust TrustSummary `json:"trust"`
}

// LogValue describes the credential without its content or key.
func (c Credential) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.String("format", c.Format), slog.String("issuer", c.Issuer))
}

// StatusReference is a Token Status List reference.
type StatusReference struct {
	URI   string `json:"uri"`
	Index uint64 `json:"idx"`
}

// Display is what a card shows of a credential, in every language known.
type Display struct {
	// Name is the credential type's name (type metadata, else issuer metadata display).
	Name Names `json:"name,omitempty"`
	// Description is the type's description, when known.
	Description Names `json:"description,omitempty"`
	// IssuerName is the issuer's display name from its metadata.
	IssuerName Names `json:"issuer_name,omitempty"`
}

// TrustSummary is what the trust lists say of a certificate chain (an issuer's seal or a
// verifier's access certificate), in words for the student.
type TrustSummary struct {
	// Checked is false when no trust source was configured.
	Checked bool `json:"checked"`
	// Trusted: the chain anchors in an accepted service that is accepted now.
	Trusted bool `json:"trusted"`
	// TrustedAtIssuance: accepted at the issuance time (credentials only).
	TrustedAtIssuance bool `json:"trusted_at_issuance,omitempty"`
	// Reason is the trust list's stable reason when not trusted.
	Reason string `json:"reason,omitempty"`
	// ListLabel and Territory identify the list, e.g. "JP pilot list", "JP".
	ListLabel string `json:"list_label,omitempty"`
	Territory string `json:"territory,omitempty"`
	// Path is the trust path in words.
	Path string `json:"path,omitempty"`
	// ProviderNames are the provider's names from the list.
	ProviderNames Names `json:"provider_names,omitempty"`
	// ServiceType is the listed service's type URI.
	ServiceType string `json:"service_type,omitempty"`
	// RootsOnly: not listed, but the chain verifies to a root the wallet was configured with.
	RootsOnly bool `json:"roots_only,omitempty"`
	// Subject is the leaf certificate's subject.
	Subject string `json:"subject,omitempty"`
}

// Message says in lang what the trust lists say, e.g. "Listed by JP pilot list as Sakura
// Trust (JP)." or a warning.
func (t TrustSummary) Message(lang string) string {
	ja := isJA(lang)
	switch {
	case t.Trusted:
		name := t.ProviderNames.In(lang)
		if ja {
			return t.ListLabel + " に " + name + "（" + t.Territory + "）として登録されています。"
		}
		return "Listed by " + t.ListLabel + " as " + name + " (" + t.Territory + ")."
	case t.RootsOnly:
		if ja {
			return "注意：信頼リストには登録されていませんが、ウォレットに設定されたルート証明書で検証されました。"
		}
		return "Warning: not on any trust list; verified only against a root certificate configured in this wallet."
	case !t.Checked:
		if ja {
			return "信頼リストは確認されていません。"
		}
		return "Not checked against any trust list."
	case t.TrustedAtIssuance:
		if ja {
			return "注意：発行時には " + t.ListLabel + " に登録されていましたが、現在は登録が取り消されています。"
		}
		return "Warning: listed by " + t.ListLabel + " when issued, but withdrawn since."
	default:
		if ja {
			return "警告：どの信頼リストにも登録されていません。内容を信頼する前に発行元を確認してください。"
		}
		return "Warning: not listed by any trust list. Check who issued it before relying on it."
	}
}

// PendingIssuance is a deferred issuance the wallet polls (OpenID4VCI 1.0 §9).
type PendingIssuance struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	// Issuer, ConfigurationID and Format say what is awaited.
	Issuer          string   `json:"issuer"`
	ConfigurationID string   `json:"credential_configuration_id"`
	Format          string   `json:"format"`
	VCT             string   `json:"vct,omitempty"`
	Types           []string `json:"types,omitempty"`
	// TransactionID is the issuer's transaction_id.
	TransactionID string `json:"transaction_id"`
	// DeferredEndpoint and NotificationEndpoint come from the issuer metadata.
	DeferredEndpoint     string `json:"deferred_credential_endpoint"`
	NotificationEndpoint string `json:"notification_endpoint,omitempty"`
	// AccessToken and TokenType ("DPoP" or "Bearer") authorize the deferred request.
	AccessToken Secret `json:"-"`
	TokenType   string `json:"token_type"`
	// DPoPKey is the private JWK of the DPoP key the token is bound to.
	DPoPKey Secret `json:"-"`
	// HolderKeys are the private JWKs of the keys whose proofs were sent.
	HolderKeys []Secret `json:"-"`
	// Interval is the issuer's polling interval; NextPollAt = last poll + Interval.
	Interval   time.Duration `json:"interval"`
	NextPollAt time.Time     `json:"next_poll_at"`
	CreatedAt  time.Time     `json:"created_at"`
	Display    Display       `json:"display"`
}

// LogValue describes the pending issuance without secrets.
func (p PendingIssuance) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", p.ID), slog.String("issuer", p.Issuer), slog.String("configuration", p.ConfigurationID))
}

// Outcomes of a presentation history entry.
const (
	OutcomeSent     = "sent"     // the verifier accepted the response
	OutcomeRejected = "rejected" // the response was sent and the verifier refused it
	OutcomeFailed   = "failed"   // the response could not be delivered
	OutcomeDeclined = "declined" // the student declined; access_denied was sent
	OutcomeError    = "error"    // the request could not be served; its OAuth error was sent (Reject)
)

// PresentationRecord is one entry of the presentation history: to whom, what, when, outcome.
type PresentationRecord struct {
	ID    string `json:"id"`
	Owner string `json:"owner"`
	// ClientID is the verifier's full client_id; VerifierName its name (certificate
	// organization, or the trust list's provider names); VerifierTrust what the trust lists
	// say of its access certificate.
	ClientID      string       `json:"client_id"`
	VerifierName  Names        `json:"verifier_name,omitempty"`
	VerifierTrust TrustSummary `json:"verifier_trust"`
	ResponseURI   string       `json:"response_uri"`
	// Credentials lists what was disclosed (empty when declined).
	Credentials []DisclosedCredential `json:"credentials,omitempty"`
	At          time.Time             `json:"at"`
	Outcome     string                `json:"outcome"`
	// Error is the verifier's error or the wallet's error code when not sent.
	Error string `json:"error,omitempty"`
}

// DisclosedCredential is one presented credential in the history.
type DisclosedCredential struct {
	QueryID      string `json:"query_id"`
	CredentialID string `json:"credential_id"`
	Format       string `json:"format"`
	Name         Names  `json:"name,omitempty"`
	// Claims are the claims path pointers disclosed, in JSON form (e.g. ["degree","title"]);
	// ["*"] for a jwt_vc_json credential, which is always shared whole.
	Claims []string `json:"claims"`
}
