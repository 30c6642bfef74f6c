package jose

const (
	// MaxCompactSize bounds a compact JWS or JWE accepted by Parse and Decrypt. Status list
	// tokens for 2^20 entries are the largest tokens hashi expects (about 200 KiB); callers
	// impose tighter limits where they know better.
	MaxCompactSize = 4 << 20

	// MaxHeaderSize bounds a decoded protected header (x5c chains are the bulk of it).
	MaxHeaderSize = 64 << 10

	// MaxChainLength bounds the number of certificates in an x5c header.
	MaxChainLength = 10

	// MaxJSONDepth bounds the nesting depth of JSON checked by CheckJSON.
	MaxJSONDepth = 64
)
