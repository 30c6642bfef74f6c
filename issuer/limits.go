package issuer

import "regexp"

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// MaxImportRows bounds one graduate import (a large faculty's graduating class).
	MaxImportRows = 5000

	// MaxProofs bounds proofs.jwt before BatchSize is checked (BatchSize is at most 100).
	MaxProofs = 100

	// MaxProofSize bounds one proof JWT (a P-256 jwk header and three claims fit in 1 KiB;
	// x5c or key attestations are not accepted).
	MaxProofSize = 8 << 10

	// MaxIDLength bounds identifiers a client sends (offer ids, transaction ids,
	// notification ids, credential configuration ids, nonces).
	MaxIDLength = 256
)

// graduateIDRE is the form of a registrar's graduate id.
var graduateIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
