package sqldb_test

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashi-vc/hashi/internal/sqldb"
	"github.com/hashi-vc/hashi/internal/sqldb/sqldbtest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func newSingleUse(t *testing.T, db *sqldb.DB) *sqldb.SingleUse {
	t.Helper()
	su, err := sqldb.NewSingleUse(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	return su
}

// op is one step of a single-use scenario.
type op struct {
	call    string // issue, redeem, remember, sweep
	kind    string
	value   string
	exp     time.Time
	now     time.Time
	wantErr error // nil: success
	wantN   int64 // sweep: rows deleted
}

func TestSingleUse(t *testing.T) {
	t.Parallel()
	const k = "issuer.c_nonce"
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	tests := []struct {
		name string
		ops  []op
	}{
		{name: "ok/issue-then-redeem", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "redeem", kind: k, value: "n1", now: at(1)},
		}},
		{name: "ok/redeem-just-before-expiry", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "redeem", kind: k, value: "n1", now: at(5).Add(-time.Millisecond)},
		}},
		{name: "ok/same-value-different-kinds", ops: []op{
			{call: "issue", kind: k, value: "v", exp: at(5)},
			{call: "issue", kind: "verifier.state", value: "v", exp: at(5)},
			{call: "redeem", kind: k, value: "v", now: at(1)},
			{call: "redeem", kind: "verifier.state", value: "v", now: at(1)},
		}},
		{name: "ok/reissue-after-redeem", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "redeem", kind: k, value: "n1", now: at(1)},
			{call: "issue", kind: k, value: "n1", exp: at(10)},
			{call: "redeem", kind: k, value: "n1", now: at(2)},
		}},
		{name: "ok/max-length", ops: []op{
			{call: "issue", kind: strings.Repeat("k", sqldb.MaxKindLen), value: strings.Repeat("v", sqldb.MaxValueLen), exp: at(5)},
			{call: "redeem", kind: strings.Repeat("k", sqldb.MaxKindLen), value: strings.Repeat("v", sqldb.MaxValueLen), now: at(1)},
		}},
		{name: "ok/binary-value", ops: []op{
			{call: "issue", kind: k, value: "\x00\xff\n'?\"", exp: at(5)},
			{call: "redeem", kind: k, value: "\x00\xff\n'?\"", now: at(1)},
		}},
		{name: "fail/redeem-twice", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "redeem", kind: k, value: "n1", now: at(1)},
			{call: "redeem", kind: k, value: "n1", now: at(1), wantErr: sqldb.ErrNotFound},
		}},
		{name: "fail/redeem-unknown", ops: []op{
			{call: "redeem", kind: k, value: "never", now: at(1), wantErr: sqldb.ErrNotFound},
		}},
		{name: "fail/redeem-wrong-kind", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "redeem", kind: "verifier.nonce", value: "n1", now: at(1), wantErr: sqldb.ErrNotFound},
			{call: "redeem", kind: k, value: "n1", now: at(1)},
		}},
		{name: "fail/redeem-case-differs", ops: []op{
			{call: "issue", kind: k, value: "Nonce", exp: at(5)},
			{call: "redeem", kind: k, value: "nonce", now: at(1), wantErr: sqldb.ErrNotFound},
		}},
		{name: "fail/redeem-at-expiry", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "redeem", kind: k, value: "n1", now: at(5), wantErr: sqldb.ErrExpired},
			// An expired value is consumed by the attempt.
			{call: "redeem", kind: k, value: "n1", now: at(1), wantErr: sqldb.ErrNotFound},
		}},
		{name: "fail/redeem-after-expiry", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "redeem", kind: k, value: "n1", now: at(60), wantErr: sqldb.ErrExpired},
		}},
		{name: "fail/issue-twice", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "issue", kind: k, value: "n1", exp: at(9), wantErr: sqldb.ErrConflict},
		}},
		{name: "fail/issue-over-expired-unswept", ops: []op{
			{call: "issue", kind: k, value: "n1", exp: at(5)},
			{call: "issue", kind: k, value: "n1", exp: at(9), wantErr: sqldb.ErrConflict},
			{call: "sweep", now: at(6), wantN: 1},
			{call: "issue", kind: k, value: "n1", exp: at(9)},
		}},
		{name: "ok/remember-first-sight", ops: []op{
			{call: "remember", kind: "dpop.jti", value: "j1", exp: at(5), now: at(0)},
		}},
		{name: "fail/remember-replay", ops: []op{
			{call: "remember", kind: "dpop.jti", value: "j1", exp: at(5), now: at(0)},
			{call: "remember", kind: "dpop.jti", value: "j1", exp: at(6), now: at(1), wantErr: sqldb.ErrConflict},
			{call: "remember", kind: "dpop.jti", value: "j1", exp: at(6), now: at(5).Add(-time.Millisecond), wantErr: sqldb.ErrConflict},
		}},
		{name: "ok/remember-replaces-expired", ops: []op{
			{call: "remember", kind: "dpop.jti", value: "j1", exp: at(5), now: at(0)},
			{call: "remember", kind: "dpop.jti", value: "j1", exp: at(10), now: at(5)},
			{call: "remember", kind: "dpop.jti", value: "j1", exp: at(11), now: at(9), wantErr: sqldb.ErrConflict},
		}},
		{name: "ok/sweep", ops: []op{
			{call: "issue", kind: k, value: "a", exp: at(1)},
			{call: "issue", kind: k, value: "b", exp: at(2)},
			{call: "remember", kind: "dpop.jti", value: "c", exp: at(2), now: at(0)},
			{call: "issue", kind: k, value: "d", exp: at(3)},
			{call: "sweep", now: at(0), wantN: 0},
			{call: "sweep", now: at(2), wantN: 3},
			{call: "redeem", kind: k, value: "b", now: at(0), wantErr: sqldb.ErrNotFound},
			{call: "redeem", kind: k, value: "d", now: at(2)},
			{call: "sweep", now: at(100), wantN: 0},
		}},
		{name: "fail/invalid-arguments", ops: []op{
			{call: "issue", kind: "", value: "v", exp: at(5), wantErr: sqldb.ErrInvalid},
			{call: "issue", kind: "has space", value: "v", exp: at(5), wantErr: sqldb.ErrInvalid},
			{call: "issue", kind: "日本", value: "v", exp: at(5), wantErr: sqldb.ErrInvalid},
			{call: "issue", kind: strings.Repeat("k", sqldb.MaxKindLen+1), value: "v", exp: at(5), wantErr: sqldb.ErrInvalid},
			{call: "issue", kind: k, value: "", exp: at(5), wantErr: sqldb.ErrInvalid},
			{call: "issue", kind: k, value: strings.Repeat("v", sqldb.MaxValueLen+1), exp: at(5), wantErr: sqldb.ErrInvalid},
			{call: "issue", kind: k, value: "v", wantErr: sqldb.ErrInvalid},
			{call: "redeem", kind: k, value: "v", wantErr: sqldb.ErrInvalid},
			{call: "redeem", kind: "", value: "v", now: at(1), wantErr: sqldb.ErrInvalid},
			{call: "redeem", kind: k, value: "", now: at(1), wantErr: sqldb.ErrInvalid},
			{call: "remember", kind: k, value: "v", exp: at(5), wantErr: sqldb.ErrInvalid},
			{call: "remember", kind: k, value: "v", exp: at(5), now: at(5), wantErr: sqldb.ErrInvalid},
			{call: "remember", kind: k, value: "v", exp: at(4), now: at(5), wantErr: sqldb.ErrInvalid},
			{call: "remember", kind: "a/b", value: "v", exp: at(5), now: at(0), wantErr: sqldb.ErrInvalid},
			{call: "sweep", wantErr: sqldb.ErrInvalid},
		}},
	}
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		su := newSingleUse(t, db)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				// Each case starts from an empty table.
				if _, err := db.ExecContext(t.Context(), "DELETE FROM single_use"); err != nil {
					t.Fatal(err)
				}
				for i, o := range tt.ops {
					var (
						err error
						n   int64
					)
					switch o.call {
					case "issue":
						err = su.Issue(t.Context(), o.kind, o.value, o.exp)
					case "redeem":
						err = su.Redeem(t.Context(), o.kind, o.value, o.now)
					case "remember":
						err = su.Remember(t.Context(), o.kind, o.value, o.exp, o.now)
					case "sweep":
						n, err = su.Sweep(t.Context(), o.now)
					default:
						t.Fatalf("unknown call %q", o.call)
					}
					if o.wantErr == nil && err != nil || o.wantErr != nil && !errors.Is(err, o.wantErr) {
						t.Fatalf("step %d %s(%q): %v; want %v", i, o.call, o.value, err, o.wantErr)
					}
					// ErrExpired is a kind of ErrNotFound, but plain "not found" is not "expired".
					if errors.Is(o.wantErr, sqldb.ErrNotFound) && !errors.Is(o.wantErr, sqldb.ErrExpired) && errors.Is(err, sqldb.ErrExpired) {
						t.Fatalf("step %d %s: %v is ErrExpired; want plain ErrNotFound", i, o.call, err)
					}
					if o.call == "sweep" && err == nil && n != o.wantN {
						t.Fatalf("step %d sweep deleted %d; want %d", i, n, o.wantN)
					}
				}
			})
		}
	})
}

// TestSingleUseStoresHash checks that the table holds SHA-256 of the value, not the value.
func TestSingleUseStoresHash(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		su := newSingleUse(t, db)
		if err := su.Issue(t.Context(), "k", "secret-nonce", t0); err != nil {
			t.Fatal(err)
		}
		var (
			h   []byte
			exp int64
		)
		if err := db.QueryRowContext(t.Context(), "SELECT value_hash, expires_at FROM single_use").Scan(&h, &exp); err != nil {
			t.Fatal(err)
		}
		// printf 'secret-nonce' | sha256sum
		const want = "4e7e571c0f5e19c0d6afb4798c217c51beb91ab1256f11ab6203fc92e2a7f931"
		if got := hex.EncodeToString(h); got != want {
			t.Fatalf("stored value_hash %s; want SHA-256 of the value %s", got, want)
		}
		if exp != sqldb.Millis(t0) {
			t.Fatalf("expires_at = %d", exp)
		}
	})
}

// TestSingleUseMigrationIdempotent opens the store several times on the same database.
func TestSingleUseMigrationIdempotent(t *testing.T) {
	t.Parallel()
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		first := newSingleUse(t, db)
		if err := first.Issue(t.Context(), "k", "kept", t0); err != nil {
			t.Fatal(err)
		}
		second := newSingleUse(t, db)
		if err := second.Redeem(t.Context(), "k", "kept", t0.Add(-time.Second)); err != nil {
			t.Fatalf("value lost across NewSingleUse: %v", err)
		}
	})
}

// TestSingleUseConcurrency is the concurrency proof: many goroutines race to Redeem the same
// value, and to Remember the same jti, over several values; exactly one wins each race and
// every loser gets the documented error.
func TestSingleUseConcurrency(t *testing.T) {
	t.Parallel()
	const (
		racers = 50
		rounds = 5
	)
	sqldbtest.RunBoth(t, func(t *testing.T, db *sqldb.DB) {
		su := newSingleUse(t, db)
		race := func(t *testing.T, loser error, fn func() error) {
			t.Helper()
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, racers)
			for i := range racers {
				wg.Go(func() {
					<-start
					errs[i] = fn()
				})
			}
			close(start)
			wg.Wait()
			wins := 0
			for _, err := range errs {
				switch {
				case err == nil:
					wins++
				case errors.Is(err, loser) && !errors.Is(err, sqldb.ErrExpired):
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			if wins != 1 {
				t.Fatalf("%d winners; want exactly 1", wins)
			}
		}
		for r := range rounds {
			value := fmt.Sprintf("nonce-%d", r)
			if err := su.Issue(t.Context(), "c_nonce", value, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			t.Run(fmt.Sprintf("redeem/%d", r), func(t *testing.T) {
				race(t, sqldb.ErrNotFound, func() error { return su.Redeem(t.Context(), "c_nonce", value, t0) })
			})
			jti := fmt.Sprintf("jti-%d", r)
			t.Run(fmt.Sprintf("remember/%d", r), func(t *testing.T) {
				race(t, sqldb.ErrConflict, func() error {
					return su.Remember(t.Context(), "dpop.jti", jti, t0.Add(time.Minute), t0)
				})
			})
			// Once the first sighting has expired, exactly one racer may take it over again.
			t.Run(fmt.Sprintf("remember-expired/%d", r), func(t *testing.T) {
				later := t0.Add(2 * time.Minute)
				race(t, sqldb.ErrConflict, func() error {
					return su.Remember(t.Context(), "dpop.jti", jti, later.Add(time.Minute), later)
				})
			})
		}
	})
}
