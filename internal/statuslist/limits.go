package statuslist

import "time"

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// MaxTokenSize bounds a compact Status List Token accepted by ParseToken (4 MiB). It
	// leaves room for an lst of MaxCompressedSize bytes after two rounds of base64url. HTTP
	// clients fetching status lists should cap the response body at this size.
	MaxTokenSize = 4 << 20

	// MaxCompressedSize bounds the compressed byte array carried in lst (2 MiB, before
	// base64url). Random 8-bit statuses do not compress, so a 1 MiB list may need about as
	// much.
	MaxCompressedSize = 2 << 20

	// MaxDecompressedSize bounds the decompressed byte array (4 MiB): 2^25 entries at 1 bit,
	// 2^22 at 8 bits. The spec's largest vectors (2^20 entries, up to 1 MiB at 8 bits) fit.
	// Decode stops inflating as soon as the output would pass it, so a zlib bomb costs memory
	// in proportion to this limit (about twice it, for buffer growth), not to its own size.
	MaxDecompressedSize = 4 << 20

	// maxURILength bounds sub, uri and aggregation_uri values.
	maxURILength = 2048

	// maxClockSkew caps Policy.ClockSkew.
	maxClockSkew = 5 * time.Minute

	// maxNumericDate is 9999-12-31T23:59:59Z; later iat/exp/nbf values are rejected so that
	// time arithmetic cannot overflow.
	maxNumericDate = 253402300799

	// maxTTLSeconds bounds ttl (about 100 years): beyond it a ttl is nonsense and would
	// overflow time.Duration arithmetic. Callers apply their own, tighter, caching bounds.
	maxTTLSeconds = 100 * 365 * 24 * 60 * 60

	// maxPickAttempts is how many uniformly random draws PickIndex tries before it scans for
	// an unused index.
	maxPickAttempts = 64
)
