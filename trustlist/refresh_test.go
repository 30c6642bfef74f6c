package trustlist_test

import (
	"context"
	"crypto/x509"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/hashi-vc/hashi/trustlist"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func TestNewRefresherArguments(t *testing.T) {
	l := newLoader(t, http.DefaultClient, trustlist.WithList(trustlist.ListConfig{Label: "x", URL: synthXAURL, Format: trustlist.FormatXML, Signers: loadPEM(t, ojSet)}))
	clock := trustlist.WithClock(func() time.Time { return synthNow })
	tests := []struct {
		name   string
		loader *trustlist.Loader
		opts   []trustlist.RefresherOption
		want   trustlist.Code
	}{
		{"ok/clock-only", l, []trustlist.RefresherOption{clock}, ""},
		{"ok/all-options", l, []trustlist.RefresherOption{clock, trustlist.WithRefreshInterval(time.Hour), trustlist.WithRetryBackoff(time.Minute), trustlist.WithMinRefreshInterval(time.Second), trustlist.WithLogger(slog.New(slog.DiscardHandler))}, ""},
		{"fail/nil-loader", nil, []trustlist.RefresherOption{clock}, trustlist.CodeInvalidArgument},
		{"fail/no-clock", l, nil, trustlist.CodeInvalidArgument},
		{"fail/nil-clock", l, []trustlist.RefresherOption{trustlist.WithClock(nil)}, trustlist.CodeInvalidArgument},
		{"fail/nil-option", l, []trustlist.RefresherOption{clock, nil}, trustlist.CodeInvalidArgument},
		{"fail/zero-interval", l, []trustlist.RefresherOption{clock, trustlist.WithRefreshInterval(0)}, trustlist.CodeInvalidArgument},
		{"fail/negative-backoff", l, []trustlist.RefresherOption{clock, trustlist.WithRetryBackoff(-time.Second)}, trustlist.CodeInvalidArgument},
		{"fail/zero-floor", l, []trustlist.RefresherOption{clock, trustlist.WithMinRefreshInterval(0)}, trustlist.CodeInvalidArgument},
		{"fail/floor-above-interval", l, []trustlist.RefresherOption{clock, trustlist.WithRefreshInterval(time.Minute), trustlist.WithMinRefreshInterval(time.Hour)}, trustlist.CodeInvalidArgument},
		{"fail/nil-logger", l, []trustlist.RefresherOption{clock, trustlist.WithLogger(nil)}, trustlist.CodeInvalidArgument},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trustlist.NewRefresher(tc.loader, tc.opts...)
			if got := trustlist.CodeOf(err); got != tc.want {
				t.Fatalf("code = %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}

// TestRefresherSchedule checks NextRefresh after successive refreshes with a fake clock:
// the interval, the earliest NextUpdate, the doubling retry backoff and the floor.
func TestRefresherSchedule(t *testing.T) {
	pki := newSynthPKI(t)
	lotl := pki.lotl(t, 1)
	xa := pki.xa.sign(t, synthTL("XA", 8), "") // NextUpdate 2026-07-01
	nextUpdate := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		xbDown   bool
		opts     []trustlist.RefresherOption
		nowDelta time.Duration   // clock = synthNow + delta
		want     []time.Duration // NextRefresh - clock after each of successive refreshes
	}{
		{"ok/interval", false, nil, 0, []time.Duration{time.Hour, time.Hour}},
		{"ok/next-update-before-interval", false, []trustlist.RefresherOption{trustlist.WithRefreshInterval(3000 * time.Hour)}, 0, []time.Duration{nextUpdate.Sub(synthNow)}},
		{"ok/next-update-soon-is-floored", false, nil, nextUpdate.Sub(synthNow) - time.Second, []time.Duration{time.Minute}},
		{"ok/past-next-update-ignored", false, nil, nextUpdate.Sub(synthNow) + time.Hour, []time.Duration{time.Hour}},
		// XB has never loaded: nothing it vouches for is trusted, so retries start soon.
		{"fail/never-loaded-retried-from-floor", true, nil, 0, []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}},
		// Never later than a list that keeps its copy would be retried.
		{"fail/never-loaded-floored", true, []trustlist.RefresherOption{trustlist.WithMinRefreshInterval(15 * time.Minute)}, 0, []time.Duration{15 * time.Minute, 15 * time.Minute, 20 * time.Minute}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := memTransport{synthLOTLURL: lotl, synthXAURL: xa}
			if !tc.xbDown {
				files[synthXBURL] = pki.xb.sign(t, synthTL("XB", 3), "")
			}
			l := newLoader(t, &http.Client{Transport: files}, trustlist.WithLOTL(trustlist.LOTLConfig{URL: synthLOTLURL, Signers: []*x509.Certificate{pki.oj.cert}}))
			clock := &fakeClock{t: synthNow.Add(tc.nowDelta)}
			r, err := trustlist.NewRefresher(l, append([]trustlist.RefresherOption{trustlist.WithClock(clock.now)}, tc.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			if !r.NextRefresh().IsZero() || r.Snapshot() != nil {
				t.Fatal("state before the first load")
			}
			for i, want := range tc.want {
				if err := r.Refresh(t.Context()); err != nil {
					t.Fatal(err)
				}
				if got := r.NextRefresh().Sub(clock.now()); got != want {
					t.Fatalf("refresh %d: next in %s, want %s", i+1, got, want)
				}
				if got := len(r.Snapshot().Failed()); got != map[bool]int{false: 0, true: 1}[tc.xbDown] {
					t.Fatalf("refresh %d: %d failed lists", i+1, got)
				}
			}
		})
	}
}

// TestRefresherBackoffKeepsCopy: a list that fails after a good load keeps that copy in use,
// so the retries back off from the configured backoff, doubling to the interval.
func TestRefresherBackoffKeepsCopy(t *testing.T) {
	pki := newSynthPKI(t)
	files := memTransport{synthLOTLURL: pki.lotl(t, 1), synthXAURL: pki.xa.sign(t, synthTL("XA", 8), ""), synthXBURL: pki.xb.sign(t, synthTL("XB", 3), "")}
	l := newLoader(t, &http.Client{Transport: files}, trustlist.WithLOTL(trustlist.LOTLConfig{URL: synthLOTLURL, Signers: []*x509.Certificate{pki.oj.cert}}))
	clock := &fakeClock{t: synthNow}
	r, err := trustlist.NewRefresher(l, trustlist.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Refresh(t.Context()); err != nil || len(r.Snapshot().Failed()) != 0 {
		t.Fatalf("first load: %v", err)
	}
	delete(files, synthXBURL)
	for i, want := range []time.Duration{5 * time.Minute, 10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour} {
		if err := r.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		failed := r.Snapshot().Failed()
		if len(failed) != 1 || failed[0].List == nil {
			t.Fatalf("retry %d: failed %+v", i+1, failed)
		}
		if got := r.NextRefresh().Sub(clock.now()); got != want {
			t.Fatalf("retry %d: next in %s, want %s", i+1, got, want)
		}
	}
}

// TestRefresherLookup: before the first load nothing is trusted; afterwards the Refresher
// answers exactly as the Snapshot's Set; a failed refresh of one list keeps its last good copy.
func TestRefresherLookup(t *testing.T) {
	srv := newListServer(t)
	srv.put(euLOTLURL, readFixture(t, lotl248))
	nlURL := pointerURL(t, lotl248, "NL")
	srv.put(nlURL, readFixture(t, "eu/tl-NL-seq41.xml"))
	l := newLoader(t, srv.client(), trustlist.WithLOTL(trustlist.LOTLConfig{URL: euLOTLURL, Signers: loadPEM(t, ojSet), Territories: []string{"NL"}}))
	clock := &fakeClock{t: day(2019, 3, 1)}
	r, err := trustlist.NewRefresher(l, trustlist.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	var src trustlist.Source = r
	nlCert := parseFixture(t, "eu/tl-NL-seq41.xml").Providers[0].Services[0].Identity.Certificates[0]
	chain := []*x509.Certificate{nlCert}
	if res := src.Lookup(chain, day(2019, 2, 1), day(2019, 3, 1), caQCSignatures); res.Reason != trustlist.ReasonNoLists || res.TrustedAtIssuance {
		t.Fatalf("before load: %+v", res)
	}
	if err := r.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	queries := []struct {
		name       string
		now        time.Time
		wantReason trustlist.Reason
	}{
		{"ok/fresh", day(2019, 3, 1), ""},
		{"fail/after-next-update", day(2019, 8, 1), trustlist.ReasonStaleList},
	}
	check := func(t *testing.T) {
		for _, q := range queries {
			got := src.Lookup(chain, day(2019, 2, 1), q.now, caQCSignatures)
			want := r.Snapshot().Set.Lookup(chain, day(2019, 2, 1), q.now, caQCSignatures)
			if !reflect.DeepEqual(got, want) || got.Reason != q.wantReason {
				t.Fatalf("%s: refresher %+v, set %+v, want reason %q", q.name, got, want, q.wantReason)
			}
		}
	}
	t.Run("ok/after-load", check)
	t.Run("ok/failed-refresh-keeps-last-good", func(t *testing.T) {
		srv.put(nlURL, readFixture(t, "eu/tl-SE-seq32.xml"))
		clock.set(day(2019, 3, 2))
		if err := r.Refresh(t.Context()); err != nil {
			t.Fatal(err)
		}
		checkState(t, stateOf(t, r.Snapshot(), nlURL), wantState{trustlist.CodeUntrustedSigner, trustlist.OriginLastGood})
		check(t)
	})
}

// signalHandler is a slog.Handler that reports each message on a channel.
type signalHandler struct{ ch chan string }

func (h signalHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h signalHandler) Handle(_ context.Context, r slog.Record) error {
	select {
	case h.ch <- r.Message:
	default:
	}
	return nil
}
func (h signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h signalHandler) WithGroup(string) slog.Handler      { return h }

// TestRefresherRun runs the loop until its context is cancelled and checks that it leaves
// no goroutine behind.
func TestRefresherRun(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	pki := newSynthPKI(t)
	files := memTransport{synthLOTLURL: pki.lotl(t, 1), synthXAURL: pki.xa.sign(t, synthTL("XA", 8), ""), synthXBURL: pki.xb.sign(t, synthTL("XB", 3), "")}
	l := newLoader(t, &http.Client{Transport: files}, trustlist.WithLOTL(trustlist.LOTLConfig{URL: synthLOTLURL, Signers: []*x509.Certificate{pki.oj.cert}}))
	logs := make(chan string, 16)
	r, err := trustlist.NewRefresher(l, trustlist.WithClock(func() time.Time { return synthNow }), trustlist.WithLogger(slog.New(signalHandler{logs})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	if msg := <-logs; msg != "trust lists loaded" {
		t.Fatalf("first log %q", msg)
	}
	s := r.Snapshot()
	if s == nil || len(s.Lists) != 3 || len(s.Failed()) != 0 || !r.NextRefresh().Equal(synthNow.Add(time.Hour)) {
		t.Fatalf("after the first load: %+v, next %s", s, r.NextRefresh())
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v, want context.Canceled", err)
	}
	if err := r.Refresh(ctx); trustlist.CodeOf(err) != trustlist.CodeFetchFailed {
		t.Fatalf("Refresh with a cancelled ctx: %v", err)
	}
	if r.Snapshot() != s {
		t.Fatal("a failed Refresh replaced the snapshot")
	}
}

// gateTransport reports every request on entered and holds it until release is closed.
type gateTransport struct {
	next    http.RoundTripper
	entered chan struct{}
	release chan struct{}
}

func (g gateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	g.entered <- struct{}{}
	<-g.release
	return g.next.RoundTrip(req)
}

// TestRefresherSerialized: a Refresh called while another runs (an operator's "refresh now"
// during the scheduled one) loads only after it, and the Snapshot kept is the later one.
// (Refresh holds a lock from the clock reading to the Snapshot's store: the Loader alone
// serializes loads, not the stores after them.)
func TestRefresherSerialized(t *testing.T) {
	pki := newSynthPKI(t)
	files := memTransport{synthLOTLURL: pki.lotl(t, 1), synthXAURL: pki.xa.sign(t, synthTL("XA", 8), ""), synthXBURL: pki.xb.sign(t, synthTL("XB", 3), "")}
	gate := gateTransport{next: files, entered: make(chan struct{}, 16), release: make(chan struct{})}
	l := newLoader(t, &http.Client{Transport: gate}, trustlist.WithLOTL(trustlist.LOTLConfig{URL: synthLOTLURL, Signers: []*x509.Certificate{pki.oj.cert}}))
	clock := &fakeClock{t: synthNow}
	r, err := trustlist.NewRefresher(l, trustlist.WithClock(clock.now))
	if err != nil {
		t.Fatal(err)
	}
	first, second := make(chan error, 1), make(chan error, 1)
	go func() { first <- r.Refresh(t.Context()) }()
	<-gate.entered // the first load is fetching the LOTL
	later := synthNow.Add(time.Minute)
	clock.set(later)
	go func() { second <- r.Refresh(t.Context()) }()
	select {
	case <-gate.entered:
		t.Error("a second load started while the first was running")
	case <-time.After(300 * time.Millisecond):
	}
	close(gate.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if s := r.Snapshot(); s == nil || len(s.Lists) != 3 || len(s.Failed()) != 0 || !s.LoadedAt.Equal(later) {
		t.Fatalf("snapshot after both loads: %+v, want the one loaded at %s", s, later)
	}
}
