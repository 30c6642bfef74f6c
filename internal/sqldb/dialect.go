package sqldb

import (
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
)

// This file holds every difference between the two databases that the rest of the module has
// to know about. Store packages write their SQL once, following these rules:
//
//   - Placeholders: write "?" and let DB and Tx rebind them ([Dialect.Rebind]); PostgreSQL gets
//     $1..$n. A "?" inside a '...' string, a "..." identifier or a comment is left alone. Do not
//     use PostgreSQL's "?" JSON operators.
//   - Times: store instants as BIGINT unix milliseconds (UTC) and convert with [Millis] and
//     [FromMillis]. Never pass time.Time as a query argument (the drivers encode it
//     differently) and never call now(), CURRENT_TIMESTAMP or datetime('now') in SQL: time
//     is an input, so callers pass now and tests fix it.
//   - Types that work on both: TEXT, BIGINT, INTEGER, BOOLEAN (SQLite stores 0/1; bind and
//     scan Go bool), DOUBLE PRECISION. Types that differ: binary data is BLOB on SQLite and
//     BYTEA on PostgreSQL; put such tables in dialect-specific migrations (see Migrate).
//   - Keys: generate IDs in Go (random text or BLOB/BYTEA) instead of AUTOINCREMENT / IDENTITY,
//     which are spelled differently and leak ordering.
//   - Upsert: INSERT ... ON CONFLICT (cols) DO NOTHING / DO UPDATE SET c = excluded.c
//     [WHERE ...] is the same on both (SQLite >= 3.24).
//   - RETURNING works on both (SQLite >= 3.35; Open checks the version).
//   - Isolation: SQLite transactions are always serializable (one writer at a time, and Tx
//     begins writers with BEGIN IMMEDIATE); PostgreSQL defaults to READ COMMITTED, and
//     TxOptions.Isolation can raise it. Write single statements that are atomic under READ
//     COMMITTED (DELETE ... RETURNING, INSERT ... ON CONFLICT) where you can.
//   - String comparison: "=" is case-sensitive on both; LIKE is case-insensitive for ASCII on
//     SQLite and case-sensitive on PostgreSQL, so avoid LIKE for identity checks.

// Dialect names the database behind a DB.
type Dialect int

// The supported dialects.
const (
	// SQLite is embedded SQLite through modernc.org/sqlite (driver "sqlite").
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL through github.com/jackc/pgx/v5/stdlib (driver "pgx").
	Postgres
)

// String returns "sqlite" or "postgres"; these are also the names of the dialect-specific
// migration sub-directories.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	default:
		return "Dialect(" + strconv.Itoa(int(d)) + ")"
	}
}

// driverName is the database/sql driver for d.
func (d Dialect) driverName() string {
	if d == Postgres {
		return "pgx"
	}
	return "sqlite"
}

// gooseDialect is the goose dialect for d.
func (d Dialect) gooseDialect() goose.Dialect {
	if d == Postgres {
		return goose.DialectPostgres
	}
	return goose.DialectSQLite3
}

// Rebind rewrites the "?" placeholders of query for d. For SQLite it returns query unchanged.
// For PostgreSQL it numbers them $1, $2, ... from left to right, skipping any "?" inside a
// single-quoted string ('it”s?'), a double-quoted identifier, a -- line comment or a
// /* block comment */. Dollar-quoted strings ($$...$$) are not recognised; do not put "?"
// in them.
func (d Dialect) Rebind(query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"':
			// Copy through the closing quote; a doubled quote is an escaped quote and the scan
			// simply continues past it. An unterminated string runs to the end.
			j := i + 1
			for j < len(query) && query[j] != c {
				j++
			}
			if j < len(query) {
				j++
			}
			b.WriteString(query[i:j])
			i = j - 1
		case c == '-' && i+1 < len(query) && query[i+1] == '-':
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			j := strings.Index(query[i+2:], "*/")
			end := len(query)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(query[i:end])
			i = end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			if i+1 < len(query) && query[i+1] >= '0' && query[i+1] <= '9' {
				// "?1" is not a placeholder hashi writes; without the space "$1" would run
				// into the digits and PostgreSQL would read another parameter ("$11").
				b.WriteByte(' ')
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Millis converts t to the stored time representation: unix milliseconds, UTC, truncated.
// Use a BIGINT column.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// FromMillis converts a stored BIGINT unix-millisecond value back to a time.Time in UTC.
func FromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
