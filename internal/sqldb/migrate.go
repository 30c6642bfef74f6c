package sqldb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// Migrate brings the schema of one store up to date by applying, in version order, the
// migrations in fsys that this database has not yet recorded. It is idempotent, so services
// call it at every start.
//
// store names the store (e.g. "issuer", "singleuse"): lower-case ASCII letters, digits and
// underscores, starting with a letter, at most 40 bytes. Applied versions are recorded in the
// table goose_<store>, so stores sharing a database migrate independently.
//
// Layout of fsys (usually an embed.FS, narrowed with fs.Sub to the store's directory):
//
//	00001_create_offers.sql       shared: runs on both databases
//	00002_add_index.sql           shared
//	sqlite/00003_tokens.sql       dialect-specific: this version runs the sqlite/ file on
//	postgres/00003_tokens.sql     SQLite and the postgres/ file on PostgreSQL
//
// Files are goose SQL migrations (https://pressly.github.io/goose/): the name starts with a
// positive version number and an underscore, and the text has a "-- +goose Up" section (and
// usually "-- +goose Down"). Each migration runs in its own transaction unless it says
// "-- +goose NO TRANSACTION". Write a version once at the top level when the SQL is the same
// on both databases; when it must differ (BLOB vs BYTEA, see dialect.go), write the version
// in both sqlite/ and postgres/ and not at the top level. Migrate checks this before touching
// the database: every .sql file must carry a version, a version appears either at the top
// level or in both dialect directories, never twice, and no other directories exist. Other
// files (README.md) are ignored. Never edit a released migration; add a new version.
//
// Concurrency: on PostgreSQL, Migrate holds a session-level advisory lock specific to the
// store while it runs, so replicas that start at once apply each migration exactly once (a
// replica waits up to 5 minutes for another to finish). On SQLite, Migrate calls on the same
// file are serialised within this process. Versions recorded in the database but unknown to
// fsys (a newer replica already migrated) are tolerated; a missing older version is an
// error.
func (db *DB) Migrate(ctx context.Context, store string, fsys fs.FS) error {
	if err := checkStoreName(store); err != nil {
		return fmt.Errorf("sqldb: migrate %q: %w", store, err)
	}
	if fsys == nil {
		return fmt.Errorf("sqldb: migrate %s: %w: nil fs", store, ErrInvalid)
	}
	mfs, err := selectMigrations(fsys, db.dialect)
	if err != nil {
		return fmt.Errorf("sqldb: migrate %s: %w", store, err)
	}
	opts := []goose.ProviderOption{
		goose.WithTableName("goose_" + store),
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(db.cfg.logger.With("store", store)),
	}
	if db.dialect == Postgres {
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(migrationLockID(store)),
			lock.WithLockTimeout(migrationLockPollSeconds, migrationLockPolls),
		)
		if err != nil {
			return fmt.Errorf("sqldb: migrate %s: %w", store, err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	} else {
		mu := db.sqliteMigrateLock()
		mu.Lock()
		defer mu.Unlock()
	}
	p, err := goose.NewProvider(db.dialect.gooseDialect(), db.db, mfs, opts...)
	if err != nil {
		return fmt.Errorf("sqldb: migrate %s: %w", store, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqldb: migrate %s: %w", store, err)
	}
	return nil
}

// checkStoreName enforces the store-name rule documented on Migrate.
func checkStoreName(s string) error {
	if s == "" || len(s) > maxStoreNameLen {
		return fmt.Errorf("%w: store name must be 1 to %d bytes", ErrInvalid, maxStoreNameLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || i > 0 && (c >= '0' && c <= '9' || c == '_') {
			continue
		}
		return fmt.Errorf("%w: store name must match [a-z][a-z0-9_]*", ErrInvalid)
	}
	return nil
}

// migrationLockID derives the PostgreSQL advisory-lock key of a store, so that different
// stores (and other goose users, which default to key 4097083626) do not wait for each other.
func migrationLockID(store string) int64 {
	h := fnv.New64a()
	_, _ = io.WriteString(h, "hashi/sqldb/migrate/"+store) // hash writes never fail
	// A lock key: wrapping to a negative number is fine.
	return int64(h.Sum64()) //nolint:gosec // G115: intentional wrap
}

// dialectDirs are the dialect-specific sub-directories Migrate knows.
var dialectDirs = []string{SQLite.String(), Postgres.String()}

// selectMigrations checks the layout of fsys and returns a flat file system holding the
// migrations for d: the top-level files plus d's own directory.
func selectMigrations(fsys fs.FS, d Dialect) (fs.FS, error) {
	top, dirs, err := readMigrationDir(fsys, ".", true)
	if err != nil {
		return nil, err
	}
	perDialect := map[string]map[int64]string{}
	for _, dir := range dialectDirs {
		perDialect[dir] = map[int64]string{}
		if !slices.Contains(dirs, dir) {
			continue
		}
		files, _, err := readMigrationDir(fsys, dir, false)
		if err != nil {
			return nil, err
		}
		perDialect[dir] = files
	}
	for v, name := range perDialect[SQLite.String()] {
		if other, ok := top[v]; ok {
			return nil, fmt.Errorf("%w: version %d is both shared (%s) and dialect-specific (%s)", ErrInvalid, v, other, name)
		}
		if _, ok := perDialect[Postgres.String()][v]; !ok {
			return nil, fmt.Errorf("%w: version %d (%s) has no postgres/ counterpart", ErrInvalid, v, name)
		}
	}
	for v, name := range perDialect[Postgres.String()] {
		if other, ok := top[v]; ok {
			return nil, fmt.Errorf("%w: version %d is both shared (%s) and dialect-specific (%s)", ErrInvalid, v, other, name)
		}
		if _, ok := perDialect[SQLite.String()][v]; !ok {
			return nil, fmt.Errorf("%w: version %d (%s) has no sqlite/ counterpart", ErrInvalid, v, name)
		}
	}
	out := memFS{}
	add := func(p string) error {
		b, err := readLimited(fsys, p)
		if err != nil {
			return err
		}
		out[path.Base(p)] = b
		return nil
	}
	for _, name := range top {
		if err := add(name); err != nil {
			return nil, err
		}
	}
	for _, name := range perDialect[d.String()] {
		if err := add(name); err != nil {
			return nil, err
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no migrations", ErrInvalid)
	}
	return out, nil
}

// readMigrationDir lists the versioned .sql files of dir (version -> path) and, at the top
// level, its dialect sub-directories.
func readMigrationDir(fsys fs.FS, dir string, top bool) (map[int64]string, []string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", dir, err)
	}
	if len(entries) > maxMigrationFiles {
		return nil, nil, fmt.Errorf("%w: more than %d entries in %s", ErrInvalid, maxMigrationFiles, dir)
	}
	files := map[int64]string{}
	var dirs []string
	for _, e := range entries {
		name := e.Name()
		p := path.Join(dir, name)
		if e.IsDir() {
			if top && slices.Contains(dialectDirs, name) {
				dirs = append(dirs, name)
				continue
			}
			return nil, nil, fmt.Errorf("%w: unexpected directory %s (only sqlite/ and postgres/ at the top level)", ErrInvalid, p)
		}
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		v, err := goose.NumericComponent(name)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: migration %s: %w", ErrInvalid, p, err)
		}
		if other, ok := files[v]; ok {
			return nil, nil, fmt.Errorf("%w: version %d appears twice (%s, %s)", ErrInvalid, v, other, p)
		}
		files[v] = p
	}
	return files, dirs, nil
}

// readLimited reads one migration file, refusing oversized ones.
func readLimited(fsys fs.FS, p string) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only: nothing to flush
	b, err := io.ReadAll(io.LimitReader(f, maxMigrationFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(b) > maxMigrationFileSize {
		return nil, fmt.Errorf("%w: %s larger than %d bytes", ErrInvalid, p, maxMigrationFileSize)
	}
	return b, nil
}

// memFS is a flat, read-only, in-memory file system: file name -> contents.
type memFS map[string][]byte

func (m memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		names := make([]string, 0, len(m))
		for n := range m {
			names = append(names, n)
		}
		slices.Sort(names)
		entries := make([]fs.DirEntry, len(names))
		for i, n := range names {
			entries[i] = fs.FileInfoToDirEntry(memInfo{name: n, size: int64(len(m[n]))})
		}
		return &memDir{entries: entries}, nil
	}
	b, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{Reader: bytes.NewReader(b), info: memInfo{name: name, size: int64(len(b))}}, nil
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.dir }
func (i memInfo) Sys() any           { return nil }

type memFile struct {
	*bytes.Reader
	info memInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	entries []fs.DirEntry
	off     int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return memInfo{name: ".", dir: true}, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: errors.New("is a directory")}
}
func (d *memDir) Close() error { return nil }

func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}
