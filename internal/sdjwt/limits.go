package sdjwt

import "time"

// Named limits. Raise a limit only with evidence, and say why next to it.
const (
	// MaxSize bounds a whole SD-JWT or SD-JWT+KB in bytes. The largest real credential seen
	// (the EU-JP learning credential with an x5c certificate) is under 5 KiB; diplomas with
	// a two-certificate chain and rich claims stay well under 64 KiB.
	MaxSize = 256 << 10

	// MaxDisclosures bounds the number of disclosures in one SD-JWT. The RFC 9901 and
	// SD-JWT VC examples have at most 21; a PID with every age_over_NN claim has about 40.
	MaxDisclosures = 256

	// MaxDisclosureSize bounds one disclosure (base64url text) in bytes. Large values, such as
	// a data: URI image, belong in plain claims of the issuer JWT.
	MaxDisclosureSize = 64 << 10

	// MaxDepth bounds the nesting depth of objects and arrays in the processed payload,
	// counting the levels added by embedding disclosures.
	MaxDepth = 32

	// MaxDecoys bounds the decoy digests an Issuer adds to each _sd array.
	MaxDecoys = 64

	// MaxPaths bounds the number of claims path pointers given to Issue or Present.
	MaxPaths = 1024

	// MaxPathLength bounds the number of components of one claims path pointer.
	MaxPathLength = MaxDepth

	// MaxMetadataSize bounds a JWT VC Issuer Metadata document in bytes.
	MaxMetadataSize = 64 << 10
)

// Defaults used when a Policy leaves a field zero.
const (
	// DefaultKBMaxAge is how old a KB-JWT "iat" may be when Policy.KBMaxAge is zero.
	DefaultKBMaxAge = 5 * time.Minute
)

// saltBytes is the number of random bytes in each salt and decoy: 128 bits, as RFC 9901
// §9.3 recommends.
const saltBytes = 16
