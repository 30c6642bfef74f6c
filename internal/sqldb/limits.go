package sqldb

import "time"

// Named limits and defaults. Raise a limit only with evidence, and say why next to it.
const (
	// maxDSNLen bounds the DSN passed to Open; real DSNs are well under 1 KiB.
	maxDSNLen = 4096

	// maxStoreNameLen bounds a store name given to Migrate. The name becomes part of the
	// version table name goose_<store>, and PostgreSQL identifiers are at most 63 bytes.
	maxStoreNameLen = 40

	// maxMigrationFiles bounds the number of migration files one store may embed.
	maxMigrationFiles = 10000

	// maxMigrationFileSize bounds one migration file (1 MiB); schema changes are small.
	maxMigrationFileSize = 1 << 20

	// MaxKindLen is the longest kind accepted by SingleUse, in bytes.
	MaxKindLen = 64

	// MaxValueLen is the longest value accepted by SingleUse, in bytes. Values are stored as
	// their SHA-256, so this bounds work per call, not storage.
	MaxValueLen = 4096
)

// Defaults for Open. Each can be changed with an Option.
const (
	// defaultBusyTimeout is how long a SQLite statement waits for a lock held by another
	// connection before failing with SQLITE_BUSY.
	defaultBusyTimeout = 5 * time.Second

	// defaultSQLiteMaxOpenConns is the SQLite pool size. SQLite admits one writer at a time, so
	// a small pool keeps writers queueing in database/sql (which honours ctx) instead of
	// sleeping in SQLite's busy handler; WAL mode still lets these connections read in parallel.
	defaultSQLiteMaxOpenConns = 4

	// defaultPostgresMaxOpenConns is the PostgreSQL pool size per replica. With N replicas the
	// server sees up to N times this; the PostgreSQL default max_connections is 100.
	defaultPostgresMaxOpenConns = 10

	// postgresConnMaxLifetime recycles server connections so that failovers and
	// configuration changes are picked up.
	postgresConnMaxLifetime = 30 * time.Minute

	// postgresConnMaxIdleTime closes connections idle for longer than this.
	postgresConnMaxIdleTime = 5 * time.Minute

	// defaultMaxAttempts is how many times Tx runs a transaction that keeps failing with a
	// busy, lock, serialization or deadlock error, including the first run.
	defaultMaxAttempts = 10

	// maxMaxAttempts caps WithMaxAttempts.
	maxMaxAttempts = 100

	// retryBaseDelay and retryMaxDelay shape the jittered exponential backoff between
	// attempts: the n-th retry sleeps a uniformly random time in [0, min(max, base*2^(n-1))].
	retryBaseDelay = 5 * time.Millisecond
	retryMaxDelay  = 250 * time.Millisecond

	// migrationLockPollSeconds and migrationLockPolls bound how long Migrate waits on
	// PostgreSQL for another replica that holds the store's migration lock: 1 s × 300 = 5 min.
	migrationLockPollSeconds = 1
	migrationLockPolls       = 300
)
