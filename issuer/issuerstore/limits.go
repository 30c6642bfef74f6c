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

	// maxProbes is how many random indexes RecordIssuance draws for one record before it
	// gives up drawing: a shared allocation then runs again exclusively, and an exclusive
	// one reads the list's allocated indexes and picks among the free ones. With a list at
	// most half full, 16 misses in a row happen with probability below 2^-16.
	maxProbes = 16

	// minProbeListSize is the smallest list RecordIssuance allocates in without the tenant's
	// allocation lock (PostgreSQL). In smaller lists draws keep hitting indexes other
	// transactions hold; the issuer's own lists have at least 1024 entries
	// (issuer.Config.StatusListSize).
	minProbeListSize = 1024

	// probeLockTimeout is PostgreSQL's lock_timeout for a shared allocation: waiting longer
	// for an index another transaction holds uncommitted makes it run again exclusively,
	// instead of waiting for the deadlock detector (deadlock_timeout, 1 s) when the other
	// transaction waits for one of its own.
	probeLockTimeout = "100ms"
)
