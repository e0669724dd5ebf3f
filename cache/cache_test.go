package cache

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/llmshield/llmshield/scanner"
)

func mustNew[V any](t testing.TB, s Settings) *Cache[V] {
	t.Helper()
	c, err := New[V](s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestKeyIndependence(t *testing.T) {
	base := MakeKey("fp1", "hello")
	tests := []struct {
		name string
		k    Key
		same bool
	}{
		{"same inputs", MakeKey("fp1", "hello"), true},
		{"different fingerprint", MakeKey("fp2", "hello"), false},
		{"different text", MakeKey("fp1", "hello!"), false},
		{"boundary moved", MakeKey("fp1h", "ello"), false},
		{"parts form equals two-arg form", MakeKeyParts("fp1", "hello"), true},
		{"extra empty part", MakeKeyParts("fp1", "hello", ""), false},
		{"empty fingerprint", MakeKey("", "fp1hello"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.k == base; got != tt.same {
				t.Errorf("key == base: got %v, want %v", got, tt.same)
			}
		})
	}
	if s := base.String(); len(s) != 64 {
		t.Errorf("String() = %q, want 64 hex chars", s)
	}
}

func TestNewRejectsInvalidSettings(t *testing.T) {
	for _, s := range []Settings{
		{Enabled: true, MaxSize: 0, TTL: time.Minute},
		{Enabled: true, MaxSize: 10, TTL: 0},
	} {
		if _, err := New[int](s); err == nil {
			t.Errorf("New(%+v): want error", s)
		}
	}
}

func TestGetInsertStats(t *testing.T) {
	c := mustNew[string](t, Production)
	k1, k2 := MakeKey("f", "a"), MakeKey("f", "b")
	if _, ok := c.Get(k1); ok {
		t.Fatal("empty cache hit")
	}
	c.Insert(k1, "one")
	if v, ok := c.Get(k1); !ok || v != "one" {
		t.Fatalf("Get = %q,%v want one,true", v, ok)
	}
	c.Insert(k1, "uno")
	if v, _ := c.Get(k1); v != "uno" {
		t.Fatalf("after replace Get = %q", v)
	}
	if _, ok := c.Get(k2); ok {
		t.Fatal("k2 hit")
	}
	want := Stats{Hits: 2, Misses: 2, TotalRequests: 4, HitRate: 0.5}
	if got := c.Stats(); got != want {
		t.Fatalf("Stats = %+v, want %+v", got, want)
	}
	if c.Len() != 1 {
		t.Fatalf("Len = %d", c.Len())
	}
	c.Clear()
	if c.Len() != 0 {
		t.Fatalf("Len after Clear = %d", c.Len())
	}
	if got := c.Stats(); got != want {
		t.Fatalf("Clear changed stats: %+v", got)
	}
	c.ResetStats()
	if got := c.Stats(); got != (Stats{}) {
		t.Fatalf("after ResetStats: %+v", got)
	}
	c.Insert(k1, "again")
	if !c.Remove(k1) || c.Remove(k1) || c.Len() != 0 {
		t.Fatal("Remove: want true then false, and an empty cache")
	}
}

func TestLRUEviction(t *testing.T) {
	c := mustNew[int](t, Settings{Enabled: true, MaxSize: 3, TTL: time.Hour})
	k := func(i int) Key { return MakeKey("f", strconv.Itoa(i)) }
	for i := range 3 {
		c.Insert(k(i), i)
	}
	// Touch 0 so that 1 is the least recently used.
	if _, ok := c.Get(k(0)); !ok {
		t.Fatal("0 missing")
	}
	c.Insert(k(3), 3)
	if c.Len() != 3 {
		t.Fatalf("Len = %d, want 3", c.Len())
	}
	if _, ok := c.Get(k(1)); ok {
		t.Error("1 should have been evicted")
	}
	for _, i := range []int{0, 2, 3} {
		if v, ok := c.Get(k(i)); !ok || v != i {
			t.Errorf("Get(%d) = %d,%v", i, v, ok)
		}
	}
}

func TestTTLExpiryCountsAsMiss(t *testing.T) {
	const ttl = 30 * time.Millisecond
	c := mustNew[int](t, Settings{Enabled: true, MaxSize: 10, TTL: ttl})
	k := MakeKey("f", "x")
	c.Insert(k, 1)
	inserted := time.Now()
	if _, ok := c.Get(k); !ok && time.Since(inserted) < ttl {
		t.Fatal("fresh entry missing")
	}
	c.ResetStats()
	deadline := time.Now().Add(5 * time.Second)
	var misses uint64
	for {
		if _, ok := c.Get(k); !ok {
			misses++
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("entry never expired")
		}
		time.Sleep(time.Millisecond)
	}
	if time.Since(inserted) < ttl {
		t.Fatalf("entry expired after %s, before its TTL %s", time.Since(inserted), ttl)
	}
	st := c.Stats()
	if st.Misses != misses {
		t.Fatalf("expired lookup not counted as miss: %+v", st)
	}
	// The sweeper removes it eventually.
	for c.Len() != 0 {
		if time.Now().After(deadline) {
			t.Fatal("expired entry never swept")
		}
		time.Sleep(time.Millisecond)
	}
	// Re-inserting restarts the TTL.
	c.Insert(k, 2)
	if v, ok := c.Get(k); !ok && time.Since(inserted) < ttl || ok && v != 2 {
		t.Fatalf("re-insert: %d,%v", v, ok)
	}
}

func TestDisabledCountsMisses(t *testing.T) {
	c := mustNew[int](t, Disabled)
	if c.Enabled() {
		t.Fatal("disabled cache reports enabled")
	}
	k := MakeKey("f", "x")
	c.Insert(k, 1)
	for range 3 {
		if _, ok := c.Get(k); ok {
			t.Fatal("disabled cache hit")
		}
	}
	if c.Len() != 0 || c.Remove(k) {
		t.Fatal("disabled cache holds entries")
	}
	c.Clear()
	want := Stats{Misses: 3, TotalRequests: 3}
	if got := c.Stats(); got != want {
		t.Fatalf("Stats = %+v, want %+v", got, want)
	}
}

func TestPresetsBoundTheCache(t *testing.T) {
	for _, name := range []string{"aggressive", "production", "edge", "minimal", "disabled"} {
		s, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		c := mustNew[int](t, s)
		if c.Enabled() != s.Enabled {
			t.Errorf("%s: Enabled = %v", name, c.Enabled())
		}
		// Fill past capacity: Len never exceeds MaxSize.
		for i := range s.MaxSize + 5 {
			c.Insert(MakeKey(name, fmt.Sprint(i)), i)
		}
		if c.Len() != s.MaxSize {
			t.Errorf("%s: Len = %d, want %d", name, c.Len(), s.MaxSize)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	c := mustNew[int](t, Settings{Enabled: true, MaxSize: 64, TTL: time.Hour})
	done := make(chan struct{})
	for g := range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 500 {
				k := MakeKey("f", strconv.Itoa((g*31+i)%100))
				if _, ok := c.Get(k); !ok {
					c.Insert(k, i)
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
	st := c.Stats()
	if st.TotalRequests != 8*500 || st.Hits+st.Misses != st.TotalRequests {
		t.Fatalf("stats lost updates: %+v", st)
	}
	if c.Len() > 64 {
		t.Fatalf("Len %d > MaxSize", c.Len())
	}
}

func BenchmarkMakeKey(b *testing.B) {
	text := string(make([]byte, 384))
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = MakeKey("prompt_injection|v2|0.92", text)
	}
}

// BenchmarkParallelGetInsert measures a 90% read / 10% write mix over a key
// space twice the cache size, so misses and evictions happen.
func BenchmarkParallelGetInsert(b *testing.B) {
	const size = 1000
	c, err := New[scanner.Result](Settings{Enabled: true, MaxSize: size, TTL: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	keys := make([]Key, 2*size)
	for i := range keys {
		keys[i] = MakeKey("fp", strconv.Itoa(i))
		if i%2 == 0 {
			c.Insert(keys[i], scanner.Result{Valid: true})
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			k := keys[(i*7919)%len(keys)]
			if i%10 == 0 {
				c.Insert(k, scanner.Result{Valid: true, Risk: 0.1})
			} else {
				c.Get(k)
			}
			i++
		}
	})
}

func FuzzMakeKey(f *testing.F) {
	f.Add("fp", "text", "fpt", "ext")
	f.Add("", "", "", "\x00")
	f.Fuzz(func(t *testing.T, fp1, text1, fp2, text2 string) {
		same := fp1 == fp2 && text1 == text2
		if got := MakeKey(fp1, text1) == MakeKey(fp2, text2); got != same {
			t.Fatalf("MakeKey(%q,%q) == MakeKey(%q,%q) is %v", fp1, text1, fp2, text2, got)
		}
	})
}
