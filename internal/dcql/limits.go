package dcql

// Named limits. Raise a limit only with evidence, and say why next to it. The spec's examples
// stay far below all of them (at most 5 credential queries, 7 claims, 3 options).
const (
	// MaxQuerySize bounds a DCQL query in bytes (Parse, UnmarshalJSON). A request object
	// with x5c chains is itself a few KiB; a query asking for hundreds of claims fits in 64 KiB.
	MaxQuerySize = 64 << 10

	// MaxCredentials bounds the credential queries in one query.
	MaxCredentials = 64

	// MaxClaims bounds the claims queries in one credential query. The hashi diploma has
	// about 20 disclosable claims; a PID with every age_over_NN claim about 40.
	MaxClaims = 128

	// MaxClaimSets bounds the options of claim_sets in one credential query.
	MaxClaimSets = 64

	// MaxCredentialSets bounds the credential set queries in one query.
	MaxCredentialSets = 64

	// MaxOptions bounds the options of one credential set query.
	MaxOptions = 64

	// MaxPathLength bounds the components of one claims path pointer. It equals
	// sdjwt.MaxPathLength, so every pointer a query carries can be handed to sdjwt.Select.
	MaxPathLength = 32

	// MaxValues bounds the values of one claims query.
	MaxValues = 64

	// MaxTrustedAuthorities bounds trusted_authorities entries in one credential query, and
	// MaxAuthorityValues the values of one entry.
	MaxTrustedAuthorities = 16
	MaxAuthorityValues    = 64

	// MaxCandidates bounds the credentials given to Match, and MaxPresentations the
	// presentations given to CheckResponse (all entries together).
	MaxCandidates    = 4096
	MaxPresentations = 256
)
