package cache

import (
	"runtime"
	"testing"
	"time"
)

// Caches hold no goroutine: a Shield rebuilt on every reload must not leak
// one per cache (nor keep the cache's entries alive through it).
func TestCachesStartNoGoroutine(t *testing.T) {
	before := runtime.NumGoroutine()
	caches := make([]*Cache[int], 50)
	for i := range caches {
		caches[i] = mustNew[int](t, Settings{Enabled: true, MaxSize: 10, TTL: time.Hour})
		caches[i].Insert(MakeKey("f", "x"), i)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Fatalf("50 caches started %d goroutines", after-before)
	}
}

// Expired entries are dropped from the tail when a new one is added, so
// they do not sit in memory until the cache fills up.
func TestAddDropsExpiredTail(t *testing.T) {
	const ttl = 20 * time.Millisecond
	c := mustNew[int](t, Settings{Enabled: true, MaxSize: 10, TTL: ttl})
	for i := range 3 {
		c.Insert(MakeKey("f", string(rune('a'+i))), i)
	}
	time.Sleep(2 * ttl)
	c.Insert(MakeKey("f", "fresh"), 9)
	inserted := time.Now()
	if n := c.Len(); n != 1 {
		t.Fatalf("Len = %d after adding to a cache of expired entries, want 1", n)
	}
	if v, ok := c.Get(MakeKey("f", "fresh")); (!ok && time.Since(inserted) < ttl) || (ok && v != 9) {
		t.Fatalf("fresh entry: %d, %v", v, ok)
	}
}
