package sqldb_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{name: "ok/none", query: "SELECT 1", want: "SELECT 1"},
		{name: "ok/three", query: "INSERT INTO t (a, b, c) VALUES (?, ?, ?)", want: "INSERT INTO t (a, b, c) VALUES ($1, $2, $3)"},
		{name: "ok/adjacent", query: "??", want: "$1$2"},
		{name: "ok/single-quoted", query: "SELECT '?' , ?", want: "SELECT '?' , $1"},
		{name: "ok/escaped-quote", query: "SELECT 'it''s ?', ?", want: "SELECT 'it''s ?', $1"},
		{name: "ok/double-quoted", query: `SELECT "col?" FROM t WHERE a = ?`, want: `SELECT "col?" FROM t WHERE a = $1`},
		{name: "ok/line-comment", query: "SELECT ? -- why?\n, ?", want: "SELECT $1 -- why?\n, $2"},
		{name: "ok/line-comment-at-end", query: "SELECT ? -- why?", want: "SELECT $1 -- why?"},
		{name: "ok/block-comment", query: "SELECT /* a ? b */ ?", want: "SELECT /* a ? b */ $1"},
		{name: "ok/unterminated-string", query: "SELECT ?, 'abc?", want: "SELECT $1, 'abc?"},
		{name: "ok/unterminated-comment", query: "SELECT ? /* ?", want: "SELECT $1 /* ?"},
		{name: "ok/minus-not-comment", query: "SELECT ? - ?", want: "SELECT $1 - $2"},
		{name: "ok/slash-not-comment", query: "SELECT ? / ?", want: "SELECT $1 / $2"},
		{name: "ok/ten", query: strings.Repeat("?,", 10), want: "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,"},
		{name: "ok/utf8", query: "SELECT 'é?', ? -- 日本?", want: "SELECT 'é?', $1 -- 日本?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := sqldb.Postgres.Rebind(tt.query); got != tt.want {
				t.Errorf("Postgres.Rebind(%q) = %q; want %q", tt.query, got, tt.want)
			}
			if got := sqldb.SQLite.Rebind(tt.query); got != tt.query {
				t.Errorf("SQLite.Rebind(%q) = %q; want it unchanged", tt.query, got)
			}
		})
	}
}

// TestRebindRoundTrip runs a query with a "?" in a string literal on both databases.
func TestRebindRoundTrip(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		var lit, arg string
		err := db.QueryRowContext(t.Context(), "SELECT 'why?' /* ? */, ? -- ?", "x").Scan(&lit, &arg)
		if err != nil {
			t.Fatal(err)
		}
		if lit != "why?" || arg != "x" {
			t.Fatalf("got %q %q", lit, arg)
		}
	})
}

var questionSpaceDigit = regexp.MustCompile(`\? [0-9]`)

func FuzzRebind(f *testing.F) {
	for _, s := range []string{
		"SELECT ?", "SELECT '?', ?", `"?" ?`, "-- ?\n?", "/* ? */ ?", "'it''s' ?", "?'", "/*", "--",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := sqldb.Postgres.Rebind(q)
		if sqldb.SQLite.Rebind(q) != q {
			t.Fatal("SQLite.Rebind changed the query")
		}
		if !strings.Contains(q, "?") && got != q {
			t.Fatal("Rebind changed a query without placeholders")
		}
		// Mapping $1, $2, ... back to ? gives the input (when it has no '$' of its own), and no
		// placeholder runs into following digits ("$1" then "0" must never read as "$10").
		if !strings.Contains(q, "$") && !questionSpaceDigit.MatchString(q) {
			var back strings.Builder
			k := 0
			for i := 0; i < len(got); i++ {
				if got[i] != '$' {
					back.WriteByte(got[i])
					continue
				}
				k++
				num := strconv.Itoa(k)
				if !strings.HasPrefix(got[i+1:], num) {
					t.Fatalf("Rebind(%q) = %q: placeholder %d is misnumbered", q, got, k)
				}
				i += len(num)
				if i+1 < len(got) && got[i+1] >= '0' && got[i+1] <= '9' {
					t.Fatalf("Rebind(%q) = %q: $%d runs into digits", q, got, k)
				}
				if i+2 < len(got) && got[i+1] == ' ' && got[i+2] >= '0' && got[i+2] <= '9' {
					i++ // the space Rebind adds before digits
				}
				back.WriteByte('?')
			}
			if back.String() != q {
				t.Fatalf("Rebind(%q) = %q does not map back", q, got)
			}
		}
		if strings.Count(got, "?") > strings.Count(q, "?") {
			t.Fatal("Rebind added placeholders")
		}
	})
}

func TestMillis(t *testing.T) {
	t.Parallel()
	jst := time.FixedZone("JST", 9*3600)
	in := time.Date(2026, 3, 1, 21, 0, 0, 123_456_789, jst)
	ms := sqldb.Millis(in)
	if ms != 1772366400123 {
		t.Fatalf("Millis = %d", ms)
	}
	out := sqldb.FromMillis(ms)
	if out.Location() != time.UTC || !out.Equal(in.Truncate(time.Millisecond)) {
		t.Fatalf("FromMillis = %v", out)
	}
}

func TestDialectString(t *testing.T) {
	t.Parallel()
	for d, want := range map[sqldb.Dialect]string{sqldb.SQLite: "sqlite", sqldb.Postgres: "postgres", 0: "Dialect(0)"} {
		if d.String() != want {
			t.Errorf("%d.String() = %q", int(d), d.String())
		}
	}
}

// TestPortableTypes checks the types dialect.go says work on both databases.
func TestPortableTypes(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		ctx := t.Context()
		if _, err := db.ExecContext(ctx, `CREATE TABLE portable (
			id TEXT PRIMARY KEY, n BIGINT NOT NULL, ok BOOLEAN NOT NULL DEFAULT FALSE, f DOUBLE PRECISION NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		if _, err := db.ExecContext(ctx, "INSERT INTO portable (id, n, ok, f) VALUES (?, ?, ?, ?)",
			"a", sqldb.Millis(at), true, 1.5); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO portable (id, n, f) VALUES (?, ?, ?)", "b", int64(-1), 0.0); err != nil {
			t.Fatal(err)
		}
		var (
			ms  int64
			ok  bool
			f   float64
			okB bool
		)
		if err := db.QueryRowContext(ctx, "SELECT n, ok, f FROM portable WHERE id = ?", "a").Scan(&ms, &ok, &f); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, "SELECT ok FROM portable WHERE id = ?", "b").Scan(&okB); err != nil {
			t.Fatal(err)
		}
		if !sqldb.FromMillis(ms).Equal(at) || !ok || f != 1.5 || okB {
			t.Fatalf("got %d %v %v %v", ms, ok, f, okB)
		}
		// Upsert and RETURNING, spelled the same on both.
		var n int64
		if err := db.QueryRowContext(ctx, `INSERT INTO portable (id, n, f) VALUES (?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET n = excluded.n + portable.n RETURNING n`, "a", int64(1), 0.0).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != sqldb.Millis(at)+1 {
			t.Fatalf("upsert returned %d", n)
		}
	})
}
