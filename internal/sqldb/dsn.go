package sqldb

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
)

// target is a parsed DSN.
type target struct {
	dialect Dialect
	path    string // SQLite: absolute, cleaned file path
	dsn     string // PostgreSQL: the DSN as given
}

// parseDSN decides the dialect of dsn and, for SQLite, extracts the file path.
//
// Accepted forms:
//
//	postgres://... | postgresql://...          PostgreSQL (passed to pgx as is)
//	sqlite:///abs/path.db | file:///abs/path.db SQLite, absolute path
//	sqlite:rel/path.db    | file:rel/path.db    SQLite, relative to baseDir (the working
//	                                            directory when baseDir is empty)
//	/abs/path.db | rel/path.db                  SQLite, a bare path ending .db, .sqlite or .sqlite3
//
// SQLite paths may be percent-encoded in the URL forms. SQLite DSNs take no query parameters
// (this package sets every pragma itself) and in-memory databases are refused: each pooled
// connection would see a different empty database.
func parseDSN(dsn, baseDir string) (target, error) {
	if dsn == "" {
		return target{}, fmt.Errorf("%w: empty DSN", ErrInvalid)
	}
	if len(dsn) > maxDSNLen {
		return target{}, fmt.Errorf("%w: DSN longer than %d bytes", ErrInvalid, maxDSNLen)
	}
	if strings.ContainsRune(dsn, 0) {
		return target{}, fmt.Errorf("%w: DSN contains NUL", ErrInvalid)
	}
	lower := strings.ToLower(dsn)
	switch {
	case strings.HasPrefix(lower, "postgres://"), strings.HasPrefix(lower, "postgresql://"):
		return target{dialect: Postgres, dsn: dsn}, nil
	case strings.HasPrefix(lower, "sqlite:"):
		return parseSQLitePath(dsn[len("sqlite:"):], baseDir)
	case strings.HasPrefix(lower, "file:"):
		return parseSQLitePath(dsn[len("file:"):], baseDir)
	}
	ext := strings.ToLower(filepath.Ext(dsn))
	if (ext == ".db" || ext == ".sqlite" || ext == ".sqlite3") && !strings.Contains(dsn, "://") &&
		!strings.ContainsAny(dsn, "?#") {
		return sqliteTarget(dsn, baseDir)
	}
	return target{}, fmt.Errorf("%w: DSN must start with postgres://, postgresql://, sqlite: or file:, or be a path ending .db", ErrInvalid)
}

// parseSQLitePath parses what follows "sqlite:" or "file:".
func parseSQLitePath(rest, baseDir string) (target, error) {
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		if !strings.HasPrefix(rest, "/") {
			return target{}, fmt.Errorf("%w: SQLite DSN has a host; use sqlite:///abs/path.db or sqlite:rel/path.db", ErrInvalid)
		}
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		return target{}, fmt.Errorf("%w: SQLite DSN takes no query parameters or fragment", ErrInvalid)
	}
	p, err := url.PathUnescape(rest)
	if err != nil {
		return target{}, fmt.Errorf("%w: SQLite DSN path: %w", ErrInvalid, err)
	}
	return sqliteTarget(p, baseDir)
}

// sqliteTarget checks a SQLite file path and makes it absolute, a relative one against
// baseDir (or the working directory).
func sqliteTarget(p, baseDir string) (target, error) {
	if p == "" {
		return target{}, fmt.Errorf("%w: SQLite DSN has no path", ErrInvalid)
	}
	if strings.ContainsRune(p, 0) {
		return target{}, fmt.Errorf("%w: SQLite path contains NUL", ErrInvalid)
	}
	if p == ":memory:" || strings.HasPrefix(p, ":memory:") {
		return target{}, fmt.Errorf("%w: in-memory SQLite is not supported; use a file", ErrInvalid)
	}
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator)) {
		return target{}, fmt.Errorf("%w: SQLite path names a directory", ErrInvalid)
	}
	if baseDir != "" && !filepath.IsAbs(p) {
		p = filepath.Join(baseDir, p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return target{}, fmt.Errorf("%w: SQLite path: %w", ErrInvalid, err)
	}
	return target{dialect: SQLite, path: abs}, nil
}

// sqliteURI builds the modernc.org/sqlite DSN for an absolute path: a file: URI with the path
// escaped (so '?', '#' and '%' in file names are safe) and the connection settings.
func sqliteURI(path string, busyMillis int64) (string, error) {
	if !filepath.IsAbs(path) {
		return "", errors.New("sqlite path not absolute")
	}
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	if !strings.HasPrefix(u.Path, "/") { // Windows drive letters: file:///C:/...
		u.Path = "/" + u.Path
	}
	q := url.Values{}
	q.Set("_busy_timeout", fmt.Sprint(busyMillis))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "FULL")
	q.Set("_foreign_keys", "on")
	q.Set("_txlock", "immediate")
	q.Set("_dqs", "0")
	return u.String() + "?" + q.Encode(), nil
}
