package cache

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/llmshield/llmshield/scanner"
)

// fakeScanner flags texts containing "bad"; it counts calls.
type fakeScanner struct {
	fp       string
	calls    atomic.Int64
	batches  atomic.Int64
	fail     atomic.Bool
	rewrite  bool
	fallback bool
	closed   atomic.Bool
}

func (f *fakeScanner) Name() string          { return "fake" }
func (f *fakeScanner) Fingerprint() string   { return f.fp }
func (f *fakeScanner) Stages() scanner.Stage { return scanner.StagePrompt }
func (f *fakeScanner) Close() error          { f.closed.Store(true); return nil }

func (f *fakeScanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	f.calls.Add(1)
	if f.fail.Load() {
		return scanner.Result{}, errors.New("model exploded")
	}
	text := in.Text()
	r := scanner.Clean(text, scanner.MethodML)
	if f.fallback {
		r.Method = scanner.MethodMLFallbackToHeuristic
	}
	if strings.Contains(text, "bad") {
		r.Valid, r.Risk = false, 0.9
		r.Findings = []scanner.Finding{{Rule: "BAD", Score: 0.9}}
		if f.rewrite {
			r.Sanitized = strings.ReplaceAll(text, "bad", "[REDACTED]")
		}
	}
	r.Group = "canary"
	r.Duration = time.Millisecond
	return r, nil
}

type fakeBatch struct{ *fakeScanner }

func (f fakeBatch) ScanBatch(ctx context.Context, in []scanner.Input) ([]scanner.Result, error) {
	f.batches.Add(1)
	out := make([]scanner.Result, len(in))
	for i, x := range in {
		r, err := f.Scan(ctx, x)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

type noFingerprint struct{}

func (noFingerprint) Name() string { return "nofp" }
func (noFingerprint) Scan(_ context.Context, in scanner.Input) (scanner.Result, error) {
	return scanner.Clean(in.Text(), scanner.MethodHeuristic), nil
}

func newResultCache(t *testing.T) *Cache[scanner.Result] {
	return mustNew[scanner.Result](t, scanner.CacheProduction)
}

var ignoreDuration = cmpopts.IgnoreFields(scanner.Result{}, "Duration")

func TestWrapHitMarksCached(t *testing.T) {
	ctx := context.Background()
	f := &fakeScanner{fp: "v1"}
	c := newResultCache(t)
	s := Wrap(f, c)
	in := scanner.Input{Prompt: "a bad prompt"}
	first, err := s.Scan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if first.Cached {
		t.Fatal("first scan marked cached")
	}
	second, err := s.Scan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if f.calls.Load() != 1 {
		t.Fatalf("inner called %d times, want 1", f.calls.Load())
	}
	want := first
	want.Cached = true
	want.Group = "" // per-request, never cached
	if d := cmp.Diff(want, second, ignoreDuration); d != "" {
		t.Errorf("cached result (-want +got):\n%s", d)
	}
	// Mutating a returned result must not corrupt the cache.
	second.Findings[0].Rule = "MUTATED"
	third, _ := s.Scan(ctx, in)
	if third.Findings[0].Rule != "BAD" {
		t.Fatal("cache entry shared its Findings slice with a caller")
	}
	if st := c.Stats(); st.Hits != 2 || st.Misses != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestWrapNeverStoresText(t *testing.T) {
	f := &fakeScanner{fp: "v1"}
	c := newResultCache(t)
	s := Wrap(f, c)
	const secret = "bad words and a secret sentence"
	if _, err := s.Scan(context.Background(), scanner.Input{Prompt: secret}); err != nil {
		t.Fatal(err)
	}
	for _, v := range c.lru.Values() {
		if v.Sanitized != "" || strings.Contains(v.Sanitized, "secret") {
			t.Fatalf("cached value holds text: %+v", v)
		}
	}
	for _, k := range c.lru.Keys() {
		if strings.Contains(string(k[:]), "secret") {
			t.Fatal("key holds text")
		}
	}
}

func TestWrapKeying(t *testing.T) {
	ctx := context.Background()
	f := &fakeScanner{fp: "v1"}
	s := Wrap(f, newResultCache(t))
	scans := []scanner.Input{
		{Prompt: "p"},
		{Prompt: "p", Output: "p", Stage: scanner.StageOutput}, // output stage differs from prompt stage
		{Prompt: "q", Output: "p", Stage: scanner.StageOutput}, // prompt is part of an output key
		{Prompt: "p", Output: "p", Stage: scanner.StageOutput}, // repeat: hit
		{Prompt: "p", UserID: "someone else"},                  // user does not change the verdict: hit
	}
	for _, in := range scans {
		if _, err := s.Scan(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.calls.Load(); got != 3 {
		t.Fatalf("inner calls = %d, want 3", got)
	}
	// A new fingerprint (new model version or threshold) misses.
	f.fp = "v2"
	if r, _ := s.Scan(ctx, scanner.Input{Prompt: "p"}); r.Cached {
		t.Fatal("new fingerprint hit the old entry")
	}
}

func TestWrapDoesNotCache(t *testing.T) {
	ctx := context.Background()
	in := scanner.Input{Prompt: "bad"}
	t.Run("errors", func(t *testing.T) {
		f := &fakeScanner{fp: "v1"}
		f.fail.Store(true)
		s := Wrap(f, newResultCache(t))
		for range 2 {
			if _, err := s.Scan(ctx, in); err == nil {
				t.Fatal("want error")
			}
		}
		if f.calls.Load() != 2 {
			t.Fatalf("calls %d, want 2", f.calls.Load())
		}
		f.fail.Store(false)
		if r, err := s.Scan(ctx, in); err != nil || r.Cached {
			t.Fatalf("after recovery: %+v %v", r, err)
		}
	})
	t.Run("rewritten text", func(t *testing.T) {
		f := &fakeScanner{fp: "v1", rewrite: true}
		s := Wrap(f, newResultCache(t))
		for range 2 {
			r, err := s.Scan(ctx, in)
			if err != nil || r.Cached || r.Sanitized != "[REDACTED]" {
				t.Fatalf("%+v %v", r, err)
			}
		}
	})
	t.Run("fallback verdicts", func(t *testing.T) {
		f := &fakeScanner{fp: "v1", fallback: true}
		s := Wrap(f, newResultCache(t))
		s.Scan(ctx, in)
		s.Scan(ctx, in)
		if f.calls.Load() != 2 {
			t.Fatalf("calls %d, want 2", f.calls.Load())
		}
	})
	t.Run("no fingerprint or disabled cache returns scanner unchanged", func(t *testing.T) {
		var nf scanner.Scanner = noFingerprint{}
		if Wrap(nf, newResultCache(t)) != nf {
			t.Error("scanner without fingerprint was wrapped")
		}
		f := &fakeScanner{fp: "v1"}
		if Wrap(f, mustNew[scanner.Result](t, scanner.CacheDisabled)) != scanner.Scanner(f) {
			t.Error("disabled cache wrapped the scanner")
		}
		if Wrap(f, nil) != scanner.Scanner(f) {
			t.Error("nil cache wrapped the scanner")
		}
	})
}

func TestWrapForwardsInterfaces(t *testing.T) {
	f := &fakeScanner{fp: "v1"}
	s := Wrap(f, newResultCache(t))
	if s.(scanner.Stager).Stages() != scanner.StagePrompt {
		t.Error("Stages not forwarded")
	}
	if s.(scanner.Fingerprinter).Fingerprint() != "v1" || s.Name() != "fake" {
		t.Error("Fingerprint/Name not forwarded")
	}
	if err := s.(scanner.Closer).Close(); err != nil || !f.closed.Load() {
		t.Error("Close not forwarded")
	}
	if _, ok := s.(scanner.BatchScanner); ok {
		t.Error("non-batch scanner became a BatchScanner")
	}
	if _, ok := Wrap(fakeBatch{f}, newResultCache(t)).(scanner.BatchScanner); !ok {
		t.Error("BatchScanner lost")
	}
}

func TestWrapBatchSendsOnlyMisses(t *testing.T) {
	ctx := context.Background()
	f := &fakeScanner{fp: "v1"}
	s := Wrap(fakeBatch{f}, newResultCache(t)).(scanner.BatchScanner)
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "a"}); err != nil {
		t.Fatal(err)
	}
	got, err := s.ScanBatch(ctx, []scanner.Input{{Prompt: "a"}, {Prompt: "bad"}, {Prompt: "c"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.calls.Load() != 3 || f.batches.Load() != 1 {
		t.Fatalf("calls %d batches %d, want 3 and 1", f.calls.Load(), f.batches.Load())
	}
	cached := []bool{got[0].Cached, got[1].Cached, got[2].Cached}
	if d := cmp.Diff([]bool{true, false, false}, cached); d != "" {
		t.Errorf("Cached flags (-want +got):\n%s", d)
	}
	if got[1].Valid || got[1].Sanitized != "bad" {
		t.Errorf("result out of order: %+v", got[1])
	}
	// All hits: no batch call.
	if _, err := s.ScanBatch(ctx, []scanner.Input{{Prompt: "bad"}, {Prompt: "c"}}); err != nil {
		t.Fatal(err)
	}
	if f.batches.Load() != 1 {
		t.Fatal("all-hit batch reached the scanner")
	}
}

// mapBackend is an in-memory Backend.
type mapBackend struct {
	mu   sync.Mutex
	m    map[string][]byte
	ttls []time.Duration
	err  error
}

func (b *mapBackend) Get(_ context.Context, k string) ([]byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return nil, false, b.err
	}
	v, ok := b.m[k]
	return v, ok, nil
}

func (b *mapBackend) Set(_ context.Context, k string, v []byte, ttl time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return b.err
	}
	b.m[k] = v
	b.ttls = append(b.ttls, ttl)
	return nil
}

func TestWrapBackendShared(t *testing.T) {
	ctx := context.Background()
	be := &mapBackend{m: map[string][]byte{}}
	f1, f2 := &fakeScanner{fp: "v1"}, &fakeScanner{fp: "v1"}
	s1 := Wrap(f1, newResultCache(t), WithBackend(be))
	s2 := Wrap(f2, newResultCache(t), WithBackend(be)) // another process
	in := scanner.Input{Prompt: "bad text"}
	r1, err := s1.Scan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range be.m {
		if !strings.HasPrefix(k, BackendKeyPrefix) || strings.Contains(string(v), "bad text") {
			t.Fatalf("backend entry %q=%s leaks text or lacks prefix", k, v)
		}
	}
	if len(be.ttls) != 1 || be.ttls[0] != scanner.CacheProduction.TTL {
		t.Fatalf("backend TTLs %v", be.ttls)
	}
	r2, err := s2.Scan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if f2.calls.Load() != 0 || !r2.Cached {
		t.Fatalf("second process did not use the backend: calls=%d %+v", f2.calls.Load(), r2)
	}
	r1.Cached, r1.Group = true, ""
	if d := cmp.Diff(r1, r2, ignoreDuration); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestWrapBackendFailureDoesNotFailScan(t *testing.T) {
	be := &mapBackend{m: map[string][]byte{}, err: errors.New("connection refused")}
	f := &fakeScanner{fp: "v1"}
	s := Wrap(f, newResultCache(t), WithBackend(be))
	for range 2 {
		if _, err := s.Scan(context.Background(), scanner.Input{Prompt: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	// The local tier still works.
	if f.calls.Load() != 1 {
		t.Fatalf("calls %d, want 1", f.calls.Load())
	}
	// A corrupt backend value is a miss.
	be2 := &mapBackend{m: map[string][]byte{}}
	f2 := &fakeScanner{fp: "v1"}
	s2 := Wrap(f2, newResultCache(t), WithBackend(be2))
	k := (&cached{inner: f2, fp: f2}).key(scanner.Input{Prompt: "x"})
	be2.m[BackendKeyPrefix+k.String()] = []byte("{not json")
	if r, err := s2.Scan(context.Background(), scanner.Input{Prompt: "x"}); err != nil || r.Cached {
		t.Fatalf("%+v %v", r, err)
	}
}

func BenchmarkWrapHit(b *testing.B) {
	c, _ := New[scanner.Result](scanner.CacheProduction)
	s := Wrap(&fakeScanner{fp: "v1"}, c)
	in := scanner.Input{Prompt: strings.Repeat("a", 384)}
	ctx := context.Background()
	s.Scan(ctx, in)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			s.Scan(ctx, in)
		}
	})
}
