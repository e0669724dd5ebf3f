package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/llmshield/llmshield/scanner"
)

// Backend is a shared second-level store (for example Redis) that several
// processes consult after their local cache misses. Values are opaque bytes;
// implementations must be safe for concurrent use. A Backend error never
// fails a scan: Wrap logs it and runs the scanner.
type Backend interface {
	// Get returns the value under key; found is false when it is absent.
	Get(ctx context.Context, key string) (value []byte, found bool, err error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// BackendKeyPrefix prefixes every key Wrap hands to a Backend.
const BackendKeyPrefix = "llmshield:result:"

// WrapOption configures Wrap.
type WrapOption func(*wrapConfig)

type wrapConfig struct {
	backend Backend
	log     *slog.Logger
}

// WithBackend adds a shared second-level store.
func WithBackend(b Backend) WrapOption { return func(c *wrapConfig) { c.backend = b } }

// WithLogger sets where backend failures are logged. The default discards.
func WithLogger(l *slog.Logger) WrapOption { return func(c *wrapConfig) { c.log = l } }

// Wrap returns a scanner that answers repeated inputs from c.
//
// Only scanners that implement scanner.Fingerprinter are cached; others, a
// nil cache and a disabled cache give s back unchanged. The key is a BLAKE2b
// digest of the scanner's name and fingerprint, the stage (prompt or output),
// the prompt and, for output scans, the output.
//
// Only successful results are cached, and only those that did not rewrite the
// text (Sanitized equal to the input) and did not fall back from the model to
// rules (a fallback is not the model's verdict). The stored result has its
// Sanitized text and rollout Group removed, so the cache never holds the
// scanned text; a hit restores Sanitized from the input and sets Cached.
//
// The returned scanner forwards Stages, Fingerprint and Close to s, and
// implements scanner.BatchScanner when s does (looking up each input and
// sending only the misses to s).
func Wrap(s scanner.Scanner, c *Cache[scanner.Result], opts ...WrapOption) scanner.Scanner {
	fp, ok := s.(scanner.Fingerprinter)
	if !ok || c == nil || !c.Enabled() {
		return s
	}
	cfg := wrapConfig{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	w := &cached{inner: s, fp: fp, c: c, cfg: cfg}
	if b, ok := s.(scanner.BatchScanner); ok {
		return &cachedBatch{cached: w, batch: b}
	}
	return w
}

// cached is the decorator; it is safe for concurrent use when the inner
// scanner is.
type cached struct {
	inner scanner.Scanner
	fp    scanner.Fingerprinter
	c     *Cache[scanner.Result]
	cfg   wrapConfig
}

var (
	_ scanner.Scanner       = (*cached)(nil)
	_ scanner.Stager        = (*cached)(nil)
	_ scanner.Fingerprinter = (*cached)(nil)
	_ scanner.Closer        = (*cached)(nil)
	_ scanner.BatchScanner  = (*cachedBatch)(nil)
)

func (w *cached) Name() string        { return w.inner.Name() }
func (w *cached) Fingerprint() string { return w.fp.Fingerprint() }

// CacheStats returns the counters of the wrapper's cache.
func (w *cached) CacheStats() Stats { return w.c.Stats() }

// Unwrap returns the scanner being cached.
func (w *cached) Unwrap() scanner.Scanner { return w.inner }

func (w *cached) Stages() scanner.Stage {
	if st, ok := w.inner.(scanner.Stager); ok {
		return st.Stages()
	}
	return scanner.StageBoth
}

func (w *cached) Close() error {
	if cl, ok := w.inner.(scanner.Closer); ok {
		return cl.Close()
	}
	return nil
}

func (w *cached) key(in scanner.Input) Key {
	name, fp := w.inner.Name(), w.fp.Fingerprint()
	if in.IsOutput() {
		return MakeKeyParts(fp, name, "output", in.Prompt, in.Output)
	}
	return MakeKeyParts(fp, name, "prompt", in.Prompt)
}

// lookup consults the local cache, then the backend.
func (w *cached) lookup(ctx context.Context, k Key, in scanner.Input, start time.Time) (scanner.Result, bool) {
	r, ok := w.c.Get(k)
	if !ok && w.cfg.backend != nil {
		r, ok = w.backendGet(ctx, k)
		if ok {
			w.c.Insert(k, r)
		}
	}
	if !ok {
		return scanner.Result{}, false
	}
	r.Findings = slices.Clone(r.Findings)
	if r.Findings == nil {
		r.Findings = []scanner.Finding{}
	}
	r.Sanitized = in.Text()
	r.Cached = true
	r.Duration = time.Since(start)
	return r, true
}

func (w *cached) backendGet(ctx context.Context, k Key) (scanner.Result, bool) {
	b, found, err := w.cfg.backend.Get(ctx, BackendKeyPrefix+k.String())
	if err != nil {
		w.cfg.log.WarnContext(ctx, "result cache backend get failed", "scanner", w.inner.Name(), "error", err)
		return scanner.Result{}, false
	}
	if !found {
		return scanner.Result{}, false
	}
	var r scanner.Result
	if err := json.Unmarshal(b, &r); err != nil {
		w.cfg.log.WarnContext(ctx, "result cache backend returned an undecodable value", "scanner", w.inner.Name(), "error", err)
		return scanner.Result{}, false
	}
	r.Cached = false
	return r, true
}

// store caches r if it is cacheable.
func (w *cached) store(ctx context.Context, k Key, in scanner.Input, r scanner.Result) {
	if r.Sanitized != in.Text() || r.Method == scanner.MethodMLFallbackToHeuristic {
		return
	}
	r.Sanitized = ""
	r.Group = ""
	r.Cached = false
	r.Findings = slices.Clone(r.Findings)
	w.c.Insert(k, r)
	if w.cfg.backend == nil {
		return
	}
	b, err := json.Marshal(r)
	if err != nil {
		w.cfg.log.WarnContext(ctx, "result cache could not encode a result", "scanner", w.inner.Name(), "error", err)
		return
	}
	if err := w.cfg.backend.Set(ctx, BackendKeyPrefix+k.String(), b, w.c.Settings().TTL); err != nil {
		w.cfg.log.WarnContext(ctx, "result cache backend set failed", "scanner", w.inner.Name(), "error", err)
	}
}

func (w *cached) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	start := time.Now()
	k := w.key(in)
	if r, ok := w.lookup(ctx, k, in, start); ok {
		return r, nil
	}
	r, err := w.inner.Scan(ctx, in)
	if err != nil {
		return r, err
	}
	w.store(ctx, k, in, r)
	return r, nil
}

type cachedBatch struct {
	*cached
	batch scanner.BatchScanner
}

func (w *cachedBatch) ScanBatch(ctx context.Context, in []scanner.Input) ([]scanner.Result, error) {
	start := time.Now()
	out := make([]scanner.Result, len(in))
	keys := make([]Key, len(in))
	var missIdx []int
	var miss []scanner.Input
	for i, x := range in {
		keys[i] = w.key(x)
		if r, ok := w.lookup(ctx, keys[i], x, start); ok {
			out[i] = r
			continue
		}
		missIdx = append(missIdx, i)
		miss = append(miss, x)
	}
	if len(miss) == 0 {
		return out, nil
	}
	got, err := w.batch.ScanBatch(ctx, miss)
	if err != nil {
		return nil, err
	}
	if len(got) != len(miss) {
		return nil, fmt.Errorf("scanner %s: batch scan returned %d results for %d inputs", w.inner.Name(), len(got), len(miss))
	}
	for j, i := range missIdx {
		out[i] = got[j]
		w.store(ctx, keys[i], in[i], got[j])
	}
	return out, nil
}
