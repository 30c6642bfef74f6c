package walletstore

// Named limits. Raise one only with evidence, and say why next to it.
const (
	// MaxIDLen bounds owner ids, record ids and account ids, in bytes. The wallet core
	// generates short random ids; account ids are 32 hex characters.
	MaxIDLen = 256

	// MaxUsernameLen bounds a username, in bytes.
	MaxUsernameLen = 256

	// MaxPasswordHashLen bounds a stored password hash (a PHC string is about 100 bytes).
	MaxPasswordHashLen = 512

	// MaxSecretLen bounds one secret (a credential as received, a JWK, a token), in bytes.
	// An SD-JWT VC diploma with every disclosure is tens of KiB.
	MaxSecretLen = 1 << 20

	// MaxBatch bounds the credentials of one SaveCredentials call (OpenID4VCI batch
	// issuance gives a handful of copies).
	MaxBatch = 100

	// MaxHolderKeys bounds the holder keys of one pending issuance.
	MaxHolderKeys = 100

	// MaxPasswordLen bounds the password given to HashPassword and CheckPassword, in bytes,
	// so that a huge request body cannot make one hash expensive beyond argon2id's cost.
	MaxPasswordLen = 1024

	// MaxKeyFileSize bounds the wallet key file LoadKey reads.
	MaxKeyFileSize = 1024

	// maxArgonMemoryKiB, maxArgonTime and maxArgonThreads bound the parameters CheckPassword
	// accepts from a stored hash, so that a planted hash cannot exhaust memory or CPU.
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 16
	maxArgonThreads   = 16

	// minSaltLen, maxSaltLen, minHashLen and maxHashLen bound the salt and the hash of a PHC
	// string; HashPassword writes 16 and 32 bytes.
	minSaltLen = 8
	maxSaltLen = 64
	minHashLen = 16
	maxHashLen = 64

	// maxPHCLen bounds the PHC string CheckPassword parses.
	maxPHCLen = MaxPasswordHashLen
)
