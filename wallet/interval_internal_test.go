package wallet

import (
	"testing"
	"time"
)

// TestSetInterval: the deferred interval is any positive number of seconds (§8.3), at least
// a second, capped at MaxDeferredInterval before it can overflow into the past.
func TestSetInterval(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		seconds float64
		want    time.Duration // 0: refused
	}{
		{5, 5 * time.Second},
		{1.5, 1500 * time.Millisecond},
		{0.2, time.Second},
		{1e10, MaxDeferredInterval},
		{1e300, MaxDeferredInterval},
		{0, 0},
		{-3, 0},
	} {
		var p PendingIssuance
		err := p.setInterval(tc.seconds, now)
		switch {
		case tc.want == 0 && err == nil:
			t.Errorf("interval %v accepted", tc.seconds)
		case tc.want != 0 && (err != nil || p.Interval != tc.want || !p.NextPollAt.Equal(now.Add(tc.want))):
			t.Errorf("interval %v: %s, next %s, %v; want %s", tc.seconds, p.Interval, p.NextPollAt, err, tc.want)
		}
	}
}
