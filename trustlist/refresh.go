package trustlist

import (
	"context"
	"crypto/x509"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ReasonNoLists: the Refresher has not loaded any list yet; nothing is trusted.
const ReasonNoLists Reason = "no_lists"

// Refresher defaults.
const (
	// DefaultRefreshInterval is the longest wait between two loads.
	DefaultRefreshInterval = time.Hour
	// DefaultRetryBackoff is the first wait after a load in which a list failed; it doubles
	// after each such load, up to the interval. A list with no good copy in use at all is
	// retried sooner: from the minimum interval, doubling likewise.
	DefaultRetryBackoff = 5 * time.Minute
	// DefaultMinRefreshInterval is the shortest wait between two loads, whatever the lists'
	// NextUpdate say.
	DefaultMinRefreshInterval = time.Minute
)

// RefresherOption configures a Refresher.
type RefresherOption func(*refresherConfig) error

type refresherConfig struct {
	clock    func() time.Time
	interval time.Duration
	backoff  time.Duration
	floor    time.Duration
	logger   *slog.Logger
}

// WithClock sets the clock the Refresher reads the load time from. Required: the package
// never reads the system clock itself (pass time.Now in production).
func WithClock(now func() time.Time) RefresherOption {
	return func(c *refresherConfig) error {
		if now == nil {
			return errorf(CodeInvalidArgument, nil, "nil clock")
		}
		c.clock = now
		return nil
	}
}

// WithRefreshInterval sets the longest wait between two loads. Default: 1h.
func WithRefreshInterval(d time.Duration) RefresherOption {
	return func(c *refresherConfig) error {
		if d <= 0 {
			return errorf(CodeInvalidArgument, nil, "refresh interval %s", d)
		}
		c.interval = d
		return nil
	}
}

// WithRetryBackoff sets the first wait after a load in which a list failed; it doubles after
// each such load, up to the refresh interval. Default: 5m. (While some list has no good copy
// in use, the retries start from the minimum interval instead.)
func WithRetryBackoff(d time.Duration) RefresherOption {
	return func(c *refresherConfig) error {
		if d <= 0 {
			return errorf(CodeInvalidArgument, nil, "retry backoff %s", d)
		}
		c.backoff = d
		return nil
	}
}

// WithMinRefreshInterval sets the shortest wait between two loads. Default: 1m.
func WithMinRefreshInterval(d time.Duration) RefresherOption {
	return func(c *refresherConfig) error {
		if d <= 0 {
			return errorf(CodeInvalidArgument, nil, "minimum refresh interval %s", d)
		}
		c.floor = d
		return nil
	}
}

// WithLogger sets the logger of the refresh loop. Default: discard.
func WithLogger(l *slog.Logger) RefresherOption {
	return func(c *refresherConfig) error {
		if l == nil {
			return errorf(CodeInvalidArgument, nil, "nil logger")
		}
		c.logger = l
		return nil
	}
}

// Refresher is a Source over the lists a Loader last loaded, reloaded on a schedule by Run
// or on demand by Refresh. Lookups use the current Snapshot (replaced atomically) and are
// safe for concurrent use. A list whose refresh fails keeps its last good copy (it still
// ages out at its NextUpdate, since Set.Lookup judges freshness per query).
type Refresher struct {
	loader *Loader
	cfg    refresherConfig

	snap atomic.Pointer[Snapshot]

	// loading serializes Refresh: a load that started earlier and ended later would
	// otherwise replace a newer Snapshot with an older one.
	loading sync.Mutex

	mu       sync.Mutex // guards next and failures
	next     time.Time
	failures int
}

var _ Source = (*Refresher)(nil)

// NewRefresher returns a Refresher over l. WithClock is required.
func NewRefresher(l *Loader, opts ...RefresherOption) (*Refresher, error) {
	if l == nil {
		return nil, errorf(CodeInvalidArgument, nil, "nil loader")
	}
	cfg := refresherConfig{
		interval: DefaultRefreshInterval,
		backoff:  DefaultRetryBackoff,
		floor:    DefaultMinRefreshInterval,
		logger:   slog.New(slog.DiscardHandler),
	}
	for _, o := range opts {
		if o == nil {
			return nil, errorf(CodeInvalidArgument, nil, "nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.clock == nil {
		return nil, errorf(CodeInvalidArgument, nil, "WithClock is required")
	}
	if cfg.floor > cfg.interval {
		return nil, errorf(CodeInvalidArgument, nil, "minimum refresh interval %s exceeds the interval %s", cfg.floor, cfg.interval)
	}
	return &Refresher{loader: l, cfg: cfg}, nil
}

// Snapshot returns the last Snapshot loaded, or nil before the first load.
func (r *Refresher) Snapshot() *Snapshot { return r.snap.Load() }

// NextRefresh returns when Run will load again (zero before the first load): the load
// time plus the refresh interval, or earlier at the earliest NextUpdate of a loaded list,
// or after the retry backoff when a list failed (starting from the minimum interval when
// a list has no good copy at all); never sooner than the minimum interval.
func (r *Refresher) NextRefresh() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.next
}

// Lookup answers with the current Snapshot (see Set.Lookup). Before the first load it
// answers ReasonNoLists.
func (r *Refresher) Lookup(chain []*x509.Certificate, issued, now time.Time, p Policy) Result {
	s := r.snap.Load()
	if s == nil {
		return Result{Reason: ReasonNoLists, Detail: "no trust list has been loaded yet"}
	}
	return s.Lookup(chain, issued, now, p)
}

// Refresh loads every list now and replaces the Snapshot. It returns an error only when the
// load itself could not run (cancelled ctx); list failures are in the Snapshot's states.
// Concurrent calls (Run's schedule and an operator's "refresh now") load one after another.
func (r *Refresher) Refresh(ctx context.Context) error {
	r.loading.Lock()
	defer r.loading.Unlock()
	now := r.cfg.clock()
	s, err := r.loader.Load(ctx, now)
	if err != nil {
		return err
	}
	r.snap.Store(s)
	failed := s.Failed()
	r.mu.Lock()
	if len(failed) > 0 {
		r.failures++
	} else {
		r.failures = 0
	}
	r.next = now.Add(r.wait(s, now, r.failures))
	r.mu.Unlock()
	r.log(s, failed)
	return nil
}

// wait computes the delay before the next load after s.
func (r *Refresher) wait(s *Snapshot, now time.Time, failures int) time.Duration {
	d := r.cfg.interval
	for _, st := range s.Lists {
		if st.List != nil && !st.NextUpdate.IsZero() && st.NextUpdate.After(now) {
			d = min(d, st.NextUpdate.Sub(now))
		}
	}
	if failures > 0 {
		b := r.cfg.backoff
		if slices.ContainsFunc(s.Lists, func(st ListState) bool { return st.List == nil }) {
			// Nothing in use for some list (a first start while its host was down):
			// everything it would vouch for is refused meanwhile, so try again soon.
			b = min(b, r.cfg.floor)
		}
		for i := 1; i < failures && b < r.cfg.interval; i++ {
			b *= 2
		}
		d = min(d, b)
	}
	return max(d, r.cfg.floor)
}

func (r *Refresher) log(s *Snapshot, failed []ListState) {
	ctx := context.Background()
	for _, st := range failed {
		r.cfg.logger.LogAttrs(ctx, slog.LevelWarn, "trust list not refreshed",
			slog.String("label", st.Label), slog.String("url", st.URL), slog.String("code", string(st.Code())),
			slog.Bool("in_use", st.List != nil), slog.String("origin", string(st.Origin)), slog.Any("error", st.Err))
	}
	r.cfg.logger.LogAttrs(ctx, slog.LevelInfo, "trust lists loaded",
		slog.Int("lists", len(s.Lists)), slog.Int("failed", len(failed)), slog.Time("next_refresh", r.NextRefresh()))
}

// Run loads the lists once, then reloads them at NextRefresh until ctx is done; it then
// returns ctx's error. Load failures are logged and retried, never fatal.
func (r *Refresher) Run(ctx context.Context) error {
	for {
		if err := r.Refresh(ctx); err != nil && ctx.Err() == nil {
			r.cfg.logger.LogAttrs(ctx, slog.LevelError, "trust list load failed", slog.Any("error", err))
			r.mu.Lock()
			r.next = r.cfg.clock().Add(r.cfg.floor)
			r.mu.Unlock()
		}
		wait := max(r.NextRefresh().Sub(r.cfg.clock()), r.cfg.floor)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
