package wallet

import (
	"strconv"
	"testing"
	"time"
)

// TestStatusCacheBounds: the cache keeps within its byte budget and entry count, evicting
// stale answers first and then the oldest, never everything at once.
func TestStatusCacheBounds(t *testing.T) {
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	key := func(i int) statusKey { return statusKey{uri: "https://uni.example/status/" + strconv.Itoa(i)} }
	var c statusCache
	// Four lists of a quarter of the budget each fill it.
	for i := range 4 {
		c.put(key(i), statusEntry{fetched: now.Add(time.Duration(i) * time.Second), size: MaxStatusCacheBytes / 4}, now.Add(time.Hour))
	}
	if c.bytes != MaxStatusCacheBytes || len(c.m) != 4 {
		t.Fatalf("after four: %d bytes, %d entries", c.bytes, len(c.m))
	}
	// A fifth evicts the oldest only.
	c.put(key(4), statusEntry{fetched: now.Add(10 * time.Second), size: MaxStatusCacheBytes / 4}, now.Add(time.Hour))
	if _, ok := c.get(key(0), now); ok {
		t.Error("the oldest entry was kept past the budget")
	}
	for i := 1; i <= 4; i++ {
		if _, ok := c.get(key(i), now); !ok {
			t.Errorf("entry %d evicted", i)
		}
	}
	if c.bytes > MaxStatusCacheBytes {
		t.Fatalf("%d bytes, more than %d", c.bytes, MaxStatusCacheBytes)
	}
	// A stale entry goes before any fresh one.
	c.put(key(1), statusEntry{fetched: now.Add(11 * time.Second), size: 1}, now.Add(12*time.Second))
	c.put(key(5), statusEntry{fetched: now.Add(20 * time.Second), size: MaxStatusCacheBytes / 4}, now.Add(time.Hour))
	if _, ok := c.get(key(1), now.Add(20*time.Second)); ok {
		t.Error("a stale entry was kept")
	}
	for _, i := range []int{2, 3, 4, 5} {
		if _, ok := c.get(key(i), now.Add(20*time.Second)); !ok {
			t.Errorf("fresh entry %d evicted while a stale one could go", i)
		}
	}
	// Failures (size 0) are bounded by count.
	for i := range maxStatusCacheEntries + 10 {
		c.put(key(100+i), statusEntry{problem: "unreachable", fetched: now.Add(time.Minute + time.Duration(i)*time.Millisecond)}, now.Add(time.Hour))
	}
	if len(c.m) > maxStatusCacheEntries {
		t.Fatalf("%d entries, more than %d", len(c.m), maxStatusCacheEntries)
	}
	// Replacing an entry does not count its bytes twice.
	before := c.bytes
	c.put(key(100+maxStatusCacheEntries+9), statusEntry{fetched: now.Add(2 * time.Minute)}, now.Add(time.Hour))
	if c.bytes != before {
		t.Fatalf("bytes %d after replacing an entry, want %d", c.bytes, before)
	}
}
