package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// Prepared statements (SQLite). The pure-Go SQLite driver parses and plans every statement
// it is given; under load that parsing is a tenth of an issuance's database time. DB keeps
// one *sql.Stmt per distinct query text (database/sql prepares it once per connection and
// reuses it) and runs queries, in and out of transactions, through it. The stores' queries
// are constants, so the cache stays small; it stops growing at maxCachedStatements and
// further queries run unprepared. PostgreSQL's driver (pgx) caches its own statements.

// maxCachedStatements bounds the statement cache.
const maxCachedStatements = 1024

type stmtCache struct {
	mu    sync.Mutex
	stmts sync.Map // rebound query text -> *sql.Stmt
	n     atomic.Int32
}

// stmt returns the cached statement for query (already rebound), preparing it on first use;
// nil when the cache is off (PostgreSQL), full, or the query does not prepare (the caller
// then runs it unprepared and gets the driver's own error).
func (db *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	c := db.stmts
	if c == nil {
		return nil
	}
	if s, ok := c.stmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	if c.n.Load() >= maxCachedStatements {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.stmts.Load(query); ok {
		return s.(*sql.Stmt)
	}
	s, err := db.db.PrepareContext(context.WithoutCancel(ctx), query) //nolint:sqlclosecheck // cached for the DB's lifetime; stmtCache.close closes it
	if err != nil {
		return nil
	}
	c.stmts.Store(query, s)
	c.n.Add(1)
	return s
}

// close closes every cached statement.
func (c *stmtCache) close() {
	c.stmts.Range(func(_, v any) bool {
		_ = v.(*sql.Stmt).Close()
		return true
	})
}
