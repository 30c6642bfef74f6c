package wallet

import "time"

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// MaxLinkLength bounds an openid-credential-offer:// or openid4vp:// link, including an
	// offer or request passed by value.
	MaxLinkLength = 32 << 10
	// MaxOfferSize bounds a credential offer fetched by reference.
	MaxOfferSize = 64 << 10
	// MaxMetadataSize bounds issuer and authorization-server metadata. A multi-tenant issuer
	// with display data in two languages and logos by URL stays below 64 KiB.
	MaxMetadataSize = 512 << 10
	// MaxOfferedConfigurations bounds credential_configuration_ids in one offer.
	MaxOfferedConfigurations = 16
	// MaxTxCodeLength bounds a transaction code (OpenID4VCI examples use 4 to 8 digits).
	MaxTxCodeLength = 64
	// MaxBatchSize bounds the credentials requested in one batch.
	MaxBatchSize = 16
	// MaxCredentialResponseSize bounds a credential or deferred credential response: a
	// batch of MaxBatchSize SD-JWT VCs with x5c chains.
	MaxCredentialResponseSize = 4 << 20
	// MaxRequestObjectSize bounds an OpenID4VP request object (x5c chains are the bulk).
	MaxRequestObjectSize = 256 << 10
	// MaxReplySize bounds the verifier's reply to a response and small token/nonce answers.
	MaxReplySize = 64 << 10
	// MaxDeferredInterval caps the polling interval an issuer may ask for.
	MaxDeferredInterval = 7 * 24 * time.Hour
)

// clockSkew is tolerated on a credential's iat/nbf/exp when the wallet checks it: an issuer
// that mints the credential a second after the wallet read its clock, or whose clock runs a
// little ahead, is not refused as "issued in the future". One minute, as the issuer side uses.
const clockSkew = time.Minute
