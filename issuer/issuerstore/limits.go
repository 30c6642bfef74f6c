package issuerstore

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// MaxPageSize caps the limit of the List methods and AuditLog: a larger limit is lowered
	// to it. Registrar pages show tens of rows.
	MaxPageSize = 1000

	// MaxListSize bounds the listSize given to RecordIssuance: 2^24 entries of 2 bits (Valid,
	// Invalid, Suspended) are 4 MiB, statuslist.MaxDecompressedSize.
	MaxListSize = 1 << 24

	// MaxBatch bounds the records of one RecordIssuance call (one credential per proven
	// holder key; OpenID4VCI batch sizes are small).
	MaxBatch = 1000

	// maxProbes is how many random indexes RecordIssuance tries for one record before it
	// reads the list's allocated indexes and picks among the free ones: with a list at most
	// half full, 16 misses in a row happen with probability below 2^-16.
	maxProbes = 16

	// maxListRounds bounds how often RecordIssuance re-reads the current status list when
	// another transaction starts a new one under it; past it the transaction is retried
	// as busy.
	maxListRounds = 8
)
