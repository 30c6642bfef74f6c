package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DB is an open SQLite or PostgreSQL database. It is safe for concurrent use; open one per
// database and share it. Its query methods take "?" placeholders (see Dialect.Rebind) and
// translate driver errors (see ErrNotFound, ErrConflict, ErrBusy).
type DB struct {
	db      *sql.DB
	dialect Dialect
	path    string // SQLite file; empty for PostgreSQL
	cfg     config
	// committer shares commits among concurrent read-write transactions (SQLite only).
	committer *committer
}

// Option configures Open.
type Option func(*config) error

type config struct {
	logger       *slog.Logger
	busyTimeout  time.Duration
	maxOpenConns int
	maxAttempts  int
	baseDir      string
}

// WithLogger sets the logger for migration progress. Default: a logger that discards.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return fmt.Errorf("%w: nil logger", ErrInvalid)
		}
		c.logger = l
		return nil
	}
}

// WithBusyTimeout sets how long a SQLite statement waits for another connection's lock before
// failing with SQLITE_BUSY (PRAGMA busy_timeout). It must be between 1ms and 1 minute. It has
// no effect on PostgreSQL. Default: 5s.
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < time.Millisecond || d > time.Minute {
			return fmt.Errorf("%w: busy timeout %v outside [1ms, 1m]", ErrInvalid, d)
		}
		c.busyTimeout = d
		return nil
	}
}

// WithMaxOpenConns sets the connection pool size (between 1 and 1000).
// Default: 4 for SQLite, 10 for PostgreSQL.
func WithMaxOpenConns(n int) Option {
	return func(c *config) error {
		if n < 1 || n > 1000 {
			return fmt.Errorf("%w: max open conns %d outside [1, 1000]", ErrInvalid, n)
		}
		c.maxOpenConns = n
		return nil
	}
}

// WithMaxAttempts sets how many times Tx runs a transaction that fails with a retryable error
// (busy, locked, serialization failure, deadlock), counting the first run; 1 disables
// retries. It must be between 1 and 100. Default: 10.
func WithMaxAttempts(n int) Option {
	return func(c *config) error {
		if n < 1 || n > maxMaxAttempts {
			return fmt.Errorf("%w: max attempts %d outside [1, %d]", ErrInvalid, n, maxMaxAttempts)
		}
		c.maxAttempts = n
		return nil
	}
}

// WithBaseDir resolves a relative SQLite path in the DSN against dir instead of the working
// directory: a service passes the folder of its configuration file, whose other relative
// paths are relative to that folder too. PostgreSQL DSNs are not affected.
func WithBaseDir(dir string) Option {
	return func(c *config) error {
		c.baseDir = dir
		return nil
	}
}

// SQLitePath returns the absolute file path a SQLite DSN names, a relative one resolved
// against baseDir (or the working directory when baseDir is empty); ok is false for a
// PostgreSQL DSN.
func SQLitePath(dsn, baseDir string) (path string, ok bool, err error) {
	t, err := parseDSN(dsn, baseDir)
	if err != nil {
		return "", false, fmt.Errorf("sqldb: %w", err)
	}
	return t.path, t.dialect == SQLite, nil
}

// Open opens the database named by dsn and checks that it answers. The DSN decides the
// database:
//
//	postgres://user@host:5432/db?sslmode=verify-full   PostgreSQL (pgx); postgresql:// also works
//	sqlite:///var/lib/hashi/issuer.db                  SQLite, absolute path
//	sqlite:data/issuer.db, file:data/issuer.db         SQLite, relative to the working directory
//	                                                   (or to WithBaseDir)
//	data/issuer.db                                     SQLite, a bare path ending .db/.sqlite/.sqlite3
//
// SQLite: the parent directory is created with mode 0700 and a new database file with mode
// 0600 (existing files and directories keep their modes). Every connection runs with
// journal_mode=WAL, synchronous=FULL (a committed transaction survives power loss),
// foreign_keys=on, busy_timeout (see WithBusyTimeout), double-quoted string literals off, and
// BEGIN IMMEDIATE for read-write transactions so that two writers never deadlock upgrading a
// read lock. SQLite DSNs take no query parameters, and in-memory databases are refused. One
// process should own a SQLite file: Migrate serialises migrations only within the process.
//
// PostgreSQL: the DSN is parsed by pgx (query parameters such as sslmode and
// application_name work); the pool keeps at most 10 connections (WithMaxOpenConns),
// recycled after 30 minutes.
//
// Open fails if the database cannot be reached within ctx, so a service fails fast at start.
func Open(ctx context.Context, dsn string, opts ...Option) (*DB, error) {
	cfg := config{
		logger:      slog.New(slog.DiscardHandler),
		busyTimeout: defaultBusyTimeout,
		maxAttempts: defaultMaxAttempts,
	}
	for _, o := range opts {
		if o == nil {
			return nil, fmt.Errorf("sqldb: open: %w: nil option", ErrInvalid)
		}
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("sqldb: open: %w", err)
		}
	}
	t, err := parseDSN(dsn, cfg.baseDir)
	if err != nil {
		return nil, fmt.Errorf("sqldb: open: %w", err)
	}
	var db *DB
	switch t.dialect {
	case SQLite:
		db, err = openSQLite(t.path, cfg)
	case Postgres:
		db, err = openPostgres(t.dsn, cfg)
	default:
		err = fmt.Errorf("%w: unknown dialect", ErrInvalid)
	}
	if err != nil {
		return nil, fmt.Errorf("sqldb: open %s: %w", t.dialect, err)
	}
	if err := db.check(ctx); err != nil {
		_ = db.Close() // stops the committer too
		return nil, fmt.Errorf("sqldb: open %s: %w", t.dialect, err)
	}
	return db, nil
}

func openSQLite(path string, cfg config) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create directory: %w", err)
	}
	// Create the file ourselves so that it gets mode 0600; SQLite gives its -wal and -shm
	// files the same mode as the database file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600) //nolint:gosec // G304: the operator chose this path in the DSN
	if err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("create database file: %w", err)
	}
	uri, err := sqliteURI(path, cfg.busyTimeout.Milliseconds())
	if err != nil {
		return nil, err
	}
	sdb, err := sql.Open(SQLite.driverName(), uri)
	if err != nil {
		return nil, err
	}
	n := cfg.maxOpenConns
	if n == 0 {
		n = defaultSQLiteMaxOpenConns
	}
	sdb.SetMaxOpenConns(n)
	sdb.SetMaxIdleConns(n)
	sdb.SetConnMaxLifetime(0)
	sdb.SetConnMaxIdleTime(0)
	db := &DB{db: sdb, dialect: SQLite, path: path, cfg: cfg}
	db.committer = newCommitter(db)
	return db, nil
}

func openPostgres(dsn string, cfg config) (*DB, error) {
	pc, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx's message can quote the DSN, password included; keep only a generic reason.
		return nil, fmt.Errorf("%w: cannot parse PostgreSQL DSN", ErrInvalid)
	}
	sdb := stdlib.OpenDB(*pc)
	n := cfg.maxOpenConns
	if n == 0 {
		n = defaultPostgresMaxOpenConns
	}
	sdb.SetMaxOpenConns(n)
	sdb.SetMaxIdleConns(n)
	sdb.SetConnMaxLifetime(postgresConnMaxLifetime)
	sdb.SetConnMaxIdleTime(postgresConnMaxIdleTime)
	return &DB{db: sdb, dialect: Postgres, cfg: cfg}, nil
}

// check verifies the connection and, for SQLite, that the settings took effect.
func (db *DB) check(ctx context.Context) error {
	if err := db.Ready(ctx); err != nil {
		return err
	}
	if db.dialect != SQLite {
		return nil
	}
	var version string
	if err := db.db.QueryRowContext(ctx, "SELECT sqlite_version()").Scan(&version); err != nil {
		return err
	}
	if !sqliteAtLeast(version, 3, 35) {
		return fmt.Errorf("SQLite %s is older than 3.35 (RETURNING)", version)
	}
	var mode string
	if err := db.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if !strings.EqualFold(mode, "wal") {
		return fmt.Errorf("journal_mode is %q, want wal", mode)
	}
	var fk int
	if err := db.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		return err
	}
	if fk != 1 {
		return errors.New("foreign_keys is off")
	}
	return nil
}

// sqliteAtLeast reports whether the dotted version v is at least major.minor.
func sqliteAtLeast(v string, major, minor int) bool {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// Close closes the database. Call it once, after all users are done; transactions still
// queued then fail with ErrClosed.
func (db *DB) Close() error {
	if db.committer != nil {
		db.committer.close()
	}
	return db.db.Close()
}

// Dialect reports which database this is.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying *sql.DB, for code that needs database/sql directly. Queries on it
// get neither placeholder rebinding nor error translation.
func (db *DB) SQL() *sql.DB { return db.db }

// Ready reports whether the database answers a trivial query within ctx. Use it for
// readiness checks (/healthz); it does not check that migrations have run.
func (db *DB) Ready(ctx context.Context) error {
	var one int
	if err := db.db.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqldb: ready: %w", err)
	}
	if one != 1 {
		return errors.New("sqldb: ready: unexpected answer")
	}
	return nil
}

// Querier is what DB and Tx have in common, so that a store helper can run either inside or
// outside a transaction. Queries use "?" placeholders; errors are translated.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *Row
	Dialect() Dialect
}

var (
	_ Querier = (*DB)(nil)
	_ Querier = (*Tx)(nil)
)

// ExecContext runs a statement outside any transaction (autocommit). It is not retried; use
// Tx for writes that must ride out contention.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.db.ExecContext(ctx, db.dialect.Rebind(query), args...)
	return res, translate(err)
}

// QueryContext runs a query outside any transaction. Errors from the returned rows
// (rows.Err) are not translated.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := db.db.QueryContext(ctx, db.dialect.Rebind(query), args...)
	return rows, translate(err)
}

// QueryRowContext runs a query expected to return at most one row, outside any transaction.
// Row.Scan returns an error wrapping ErrNotFound when there is no row.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *Row {
	return &Row{row: db.db.QueryRowContext(ctx, db.dialect.Rebind(query), args...)}
}

// Row is the result of QueryRowContext.
type Row struct {
	row *sql.Row
}

// Scan copies the row's columns into dest, like sql.Row.Scan. With no row it returns an error
// wrapping both ErrNotFound and sql.ErrNoRows.
func (r *Row) Scan(dest ...any) error {
	return translate(r.row.Scan(dest...))
}

// Err returns the error, if any, of running the query, translated like Scan's.
func (r *Row) Err() error {
	return translate(r.row.Err())
}

// sqliteMigrateLocks serialises Migrate per SQLite file within this process.
var sqliteMigrateLocks sync.Map // absolute path -> *sync.Mutex

func (db *DB) sqliteMigrateLock() *sync.Mutex {
	m, _ := sqliteMigrateLocks.LoadOrStore(db.path, new(sync.Mutex))
	return m.(*sync.Mutex)
}
