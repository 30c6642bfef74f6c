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

	// maxProbes is how many random indexes RecordIssuance draws for one record before it runs
	// again with the list locked, reading its allocated indexes and picking among the free
	// ones: with a list at most half full, 16 misses in a row happen with probability below
	// 2^-16.
	maxProbes = 16

	// minProbeListSize is the smallest list RecordIssuance allocates in without locking it.
	// Two unlocked transactions that each draw an index the other holds uncommitted wait for
	// each other until PostgreSQL breaks the deadlock (deadlock_timeout, 1 s by default);
	// with at least this many entries that takes two unlikely draws in a row. The issuer's
	// own lists have at least 1024 entries (issuer.Config.StatusListSize).
	minProbeListSize = 1024
)
