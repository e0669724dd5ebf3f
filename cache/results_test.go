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
	fail     atomic.Bool
	rewrite  bool
	fallback bool
}

func (f *fakeScanner) Name() string          { return "fake" }
func (f *fakeScanner) Fingerprint() string   { return f.fp }
func (f *fakeScanner) Stages() scanner.Stage { return scanner.StagePrompt }

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

type sizedScanner struct {
	*fakeScanner
	s Settings
}

func (s sizedScanner) CacheSettings() (Settings, bool) { return s.s, true }

type noFingerprint struct{}

func (noFingerprint) Name() string { return "nofp" }
func (noFingerprint) Scan(_ context.Context, in scanner.Input) (scanner.Result, error) {
	return scanner.Clean(in.Text(), scanner.MethodHeuristic), nil
}

// cached is what the pipeline does around a scanner with a result cache.
type cached struct {
	s scanner.Scanner
	r *Results
}

func (c cached) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	if res, _, hit := c.r.Lookup(ctx, in); hit {
		return res, nil
	}
	k := c.r.Key(in)
	res, err := c.s.Scan(ctx, in)
	if err == nil {
		c.r.Store(ctx, k, in, res)
	}
	return res, err
}

func wrap(t testing.TB, s scanner.Scanner, backend Backend) cached {
	t.Helper()
	r, err := ForScanner(s.Name(), s, Production, backend, nil)
	if err != nil || r == nil {
		t.Fatalf("ForScanner: %v %v", r, err)
	}
	return cached{s, r}
}

var ignoreDuration = cmpopts.IgnoreFields(scanner.Result{}, "Duration")

func TestResultsHitMarksCached(t *testing.T) {
	ctx := context.Background()
	f := &fakeScanner{fp: "v1"}
	s := wrap(t, f, nil)
	c := s.r.c
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

func TestResultsNeverStoresText(t *testing.T) {
	f := &fakeScanner{fp: "v1"}
	s := wrap(t, f, nil)
	c := s.r.c
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

func TestResultsKeying(t *testing.T) {
	ctx := context.Background()
	f := &fakeScanner{fp: "v1"}
	s := wrap(t, f, nil)
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

func TestResultsDoesNotCache(t *testing.T) {
	ctx := context.Background()
	in := scanner.Input{Prompt: "bad"}
	t.Run("errors", func(t *testing.T) {
		f := &fakeScanner{fp: "v1"}
		f.fail.Store(true)
		s := wrap(t, f, nil)
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
		s := wrap(t, f, nil)
		for range 2 {
			r, err := s.Scan(ctx, in)
			if err != nil || r.Cached || r.Sanitized != "[REDACTED]" {
				t.Fatalf("%+v %v", r, err)
			}
		}
	})
	t.Run("fallback verdicts", func(t *testing.T) {
		f := &fakeScanner{fp: "v1", fallback: true}
		s := wrap(t, f, nil)
		s.Scan(ctx, in)
		s.Scan(ctx, in)
		if f.calls.Load() != 2 {
			t.Fatalf("calls %d, want 2", f.calls.Load())
		}
	})
	t.Run("no fingerprint or disabled cache: no cache", func(t *testing.T) {
		if r, err := ForScanner("nofp", noFingerprint{}, Production, nil, nil); r != nil || err != nil {
			t.Errorf("scanner without fingerprint got a cache: %v %v", r, err)
		}
		f := &fakeScanner{fp: "v1"}
		if r, err := ForScanner("fake", f, Disabled, nil, nil); r != nil || err != nil {
			t.Errorf("disabled settings gave a cache: %v %v", r, err)
		}
		if r, _ := ForScanner("fake", f, Disabled, &mapBackend{}, nil); r == nil || r.Settings() != Minimal {
			t.Errorf("a backend must get a minimal local tier in front of it: %v", r)
		}
		own := sizedScanner{f, Disabled}
		if r, _ := ForScanner("fake", own, Production, &mapBackend{}, nil); r != nil {
			t.Error("a scanner that disables its own cache was cached")
		}
		own.s = Edge
		if r, _ := ForScanner("fake", own, Production, nil, nil); r == nil || r.Settings() != Edge {
			t.Errorf("a scanner's own settings must win: %v", r)
		}
	})
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

func TestResultsBackendShared(t *testing.T) {
	ctx := context.Background()
	be := &mapBackend{m: map[string][]byte{}}
	f1, f2 := &fakeScanner{fp: "v1"}, &fakeScanner{fp: "v1"}
	s1 := wrap(t, f1, be)
	s2 := wrap(t, f2, be) // another process
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
	if len(be.ttls) != 1 || be.ttls[0] != Production.TTL {
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

func TestResultsBackendFailureDoesNotFailScan(t *testing.T) {
	be := &mapBackend{m: map[string][]byte{}, err: errors.New("connection refused")}
	f := &fakeScanner{fp: "v1"}
	s := wrap(t, f, be)
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
	s2 := wrap(t, f2, be2)
	k := s2.r.Key(scanner.Input{Prompt: "x"})
	be2.m[BackendKeyPrefix+k.String()] = []byte("{not json")
	if r, err := s2.Scan(context.Background(), scanner.Input{Prompt: "x"}); err != nil || r.Cached {
		t.Fatalf("%+v %v", r, err)
	}
}

func BenchmarkResultsHit(b *testing.B) {
	s := wrap(b, &fakeScanner{fp: "v1"}, nil)
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
