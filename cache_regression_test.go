package llmshield

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/builtin"
)

// memBackend is an in-memory cache.Backend that counts its calls.
type memBackend struct {
	mu         sync.Mutex
	m          map[string][]byte
	gets, sets int
}

func (b *memBackend) Get(_ context.Context, k string) ([]byte, bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.gets++
	v, ok := b.m[k]
	return v, ok, nil
}

func (b *memBackend) Set(_ context.Context, k string, v []byte, _ time.Duration) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sets++
	b.m[k] = v
	return nil
}

const redactConfig = `
cache: %s
input_scanners:
  - type: invisible_text
  - type: regex
    params: {patterns: ['\bsecret\b'], redact: true}
output_scanners:
  - type: invisible_text
  - type: regex
    params: {patterns: ['\bsecret\b'], redact: true}
`

// TestCacheKeepsRedaction is the regression for "redaction is silently
// skipped whenever the result cache is on": with cache.Wrap the pipeline
// asked the decorator, which did not forward Rewrites(), so neither the
// invisible characters nor the secret were removed.
func TestCacheKeepsRedaction(t *testing.T) {
	const in = "hello\u200b world, the secret is here"
	const want = "hello world, the [REDACTED] is here"
	for _, tc := range []struct {
		name, preset string
		backend      bool
	}{{"cache off", "disabled", false}, {"cache on", "production", false}, {"shared backend", "disabled", true}, {"cache and backend", "production", true}} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := config.Parse([]byte(fmt.Sprintf(redactConfig, tc.preset)))
			if err != nil {
				t.Fatal(err)
			}
			var opts []Option
			if tc.backend {
				opts = append(opts, WithCacheBackend(&memBackend{m: map[string][]byte{}}))
			}
			sh, err := New(context.Background(), cfg, opts...)
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close()
			for i := range 3 { // the repeats would be served by a cache
				rep, err := sh.ScanPrompt(context.Background(), in)
				if err != nil || rep.Sanitized != want || rep.Valid {
					t.Fatalf("prompt scan %d: sanitized %q valid %v err %v, want %q flagged", i, rep.Sanitized, rep.Valid, err, want)
				}
				rep, err = sh.ScanOutput(context.Background(), "p", in)
				if err != nil || rep.Sanitized != want {
					t.Fatalf("output scan %d: sanitized %q err %v, want %q", i, rep.Sanitized, err, want)
				}
			}
		})
	}
}

// TestCacheConsultsBackend: with a shared backend the pipeline stores a
// cacheable verdict there, and a second Shield (another replica) answers
// from it.
func TestCacheConsultsBackend(t *testing.T) {
	be := &memBackend{m: map[string][]byte{}}
	f := &countingScanner{}
	p := Pipeline{Input: []Entry{{Scanner: f}}}
	a, err := NewFromScanners(p, WithCacheBackend(be))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewFromScanners(p, WithCacheBackend(be))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ra, err := a.ScanPrompt(context.Background(), "same text")
	if err != nil || ra.Scanners[0].Result.Cached {
		t.Fatalf("first scan %+v %v", ra, err)
	}
	rb, err := b.ScanPrompt(context.Background(), "same text")
	if err != nil || !rb.Scanners[0].Result.Cached || f.calls != 1 || be.sets != 1 {
		t.Fatalf("second replica: cached %v, scanner calls %d, backend sets %d", rb.Scanners[0].Result.Cached, f.calls, be.sets)
	}
}

type countingScanner struct {
	mu    sync.Mutex
	calls int
}

func (c *countingScanner) Name() string        { return "counting" }
func (c *countingScanner) Fingerprint() string { return "v1" }
func (c *countingScanner) Scan(_ context.Context, in scanner.Input) (scanner.Result, error) {
	c.mu.Lock()
	c.calls++
	c.mu.Unlock()
	return scanner.Clean(in.Text(), scanner.MethodHeuristic), nil
}

// capabilities lists the optional interfaces s implements, with their
// answers where they have one.
func capabilities(s scanner.Scanner) map[string]any {
	out := map[string]any{"type": reflect.TypeOf(s).String()}
	if v, ok := s.(scanner.Stager); ok {
		out["Stager"] = v.Stages()
	}
	if v, ok := s.(scanner.Rewriter); ok {
		out["Rewriter"] = v.Rewrites()
	}
	if v, ok := s.(scanner.Fingerprinter); ok {
		out["Fingerprinter"] = v.Fingerprint()
	}
	if _, ok := s.(scanner.Closer); ok {
		out["Closer"] = true
	}
	if _, ok := s.(scanner.BatchScanner); ok {
		out["BatchScanner"] = true
	}
	if v, ok := s.(cache.Sizer); ok {
		st, own := v.CacheSettings()
		out["Sizer"] = []any{st, own}
	}
	return out
}

// TestNoLayerHidesACapability builds every built-in scanner directly and
// through New with caching, a shared backend and (for ML scanners) a
// rollout on; the pipeline must hold a scanner with exactly the same
// optional interfaces and answers, and must honour Rewrites.
func TestNoLayerHidesACapability(t *testing.T) {
	required := map[string]string{
		"ban_substrings":  "{substrings: [forbidden], redact: true}",
		"ban_competitors": "{competitors: [Acme]}",
		"ban_topics":      "{topics: [violence]}",
		"regex":           `{patterns: ['\bsecret\b'], redact: true}`,
		"reading_time":    "{max_time: 1}",
		"language":        "{valid_languages: [en]}",
		"code":            "{languages: [python]}",
	}
	for _, f := range builtin.All() {
		t.Run(f.Name, func(t *testing.T) {
			params := required[f.Name]
			if _, ok := f.Defaults().(builtin.MLParams); ok {
				params = "{ml: {enabled: false}, rollout: {percent: 50}}"
			}
			list, other, key := "input_scanners", "output_scanners", "input_scanners[0]"
			if f.Stages&scanner.StagePrompt == 0 {
				list, other, key = other, list, "output_scanners[0]"
			}
			yml := "cache: production\n" + list + ":\n  - type: " + f.Name + "\n"
			if params != "" {
				yml += "    params: " + params + "\n"
			}
			cfg, err := config.Parse([]byte(yml + other + ": []\n"))
			if err != nil {
				t.Fatal(err)
			}
			entries := cfg.InputScanners
			if key != "input_scanners[0]" {
				entries = cfg.OutputScanners
			}
			direct, err := builtin.Build(context.Background(), key, entries[0], builtin.Deps{Config: cfg})
			if err != nil {
				t.Fatal(err)
			}
			if c, ok := direct.(scanner.Closer); ok {
				defer c.Close()
			}
			sh, err := New(context.Background(), cfg, WithCacheBackend(&memBackend{m: map[string][]byte{}}))
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close()
			st := sh.input
			if key != "input_scanners[0]" {
				st = sh.output
			}
			st0 := st[0]
			want, got := capabilities(direct), capabilities(st0.s)
			if !reflect.DeepEqual(want, got) {
				t.Fatalf("the pipeline's scanner differs from the scanner itself:\n got %v\nwant %v", got, want)
			}
			if rw, ok := direct.(scanner.Rewriter); ok && rw.Rewrites() != st0.rewriter {
				t.Fatalf("pipeline rewriter flag %v, scanner says %v", st0.rewriter, rw.Rewrites())
			}
		})
	}
}
