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
// fails a scan: Results logs it and treats it as a miss.
type Backend interface {
	// Get returns the value under key; found is false when it is absent.
	Get(ctx context.Context, key string) (value []byte, found bool, err error)
	// Set stores value under key for ttl.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
}

// BackendKeyPrefix prefixes every key Results hands to a Backend.
const BackendKeyPrefix = "llmshield:result:"

// Sizer is implemented by scanners that choose their own result cache (the
// ML scanners' ml.cache). own false means "use the pipeline's default";
// own true with disabled settings means the scanner's results must not be
// cached at all (for example while a rollout or shadow mode makes its
// verdicts depend on more than the text).
type Sizer interface {
	CacheSettings() (s Settings, own bool)
}

// Results is one scanner's result cache, consulted by the pipeline around
// each run of that scanner: Lookup before, Store after. It is not a
// decorator: the pipeline keeps the scanner itself, so no optional
// interface of the scanner can be hidden by caching.
//
// The key is a BLAKE2b digest of the scanner's name and fingerprint (which
// includes its model version), the stage, the prompt and, for output scans,
// the output. Only successful results are stored, and only those that did
// not rewrite the text (Sanitized equal to the input) and did not fall back
// from the model to rules (a fallback is not the model's verdict). The
// stored result has its Sanitized text and rollout Group removed, so the
// cache never holds the scanned text; a hit restores Sanitized from the
// input and sets Cached. Results is safe for concurrent use.
type Results struct {
	name    string
	fp      scanner.Fingerprinter
	c       *Cache[scanner.Result]
	backend Backend
	log     *slog.Logger
}

// ForScanner returns the result cache for s, or nil when s is not cached:
// s does not implement scanner.Fingerprinter, or the settings (s's own when
// it is a Sizer, else def) are disabled and there is no backend. With a
// backend and disabled default settings, a minimal local tier sits in front
// of the backend. log may be nil.
func ForScanner(name string, s scanner.Scanner, def Settings, backend Backend, log *slog.Logger) (*Results, error) {
	fp, ok := s.(scanner.Fingerprinter)
	if !ok {
		return nil, nil
	}
	settings := def
	if sz, ok := s.(Sizer); ok {
		if own, isOwn := sz.CacheSettings(); isOwn {
			if !own.Enabled {
				return nil, nil
			}
			settings = own
		}
	}
	if !settings.Enabled {
		if backend == nil {
			return nil, nil
		}
		settings = Minimal
	}
	c, err := New[scanner.Result](settings)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Results{name: name, fp: fp, c: c, backend: backend, log: log}, nil
}

// Stats returns the cache's lookup counters.
func (r *Results) Stats() Stats { return r.c.Stats() }

// Settings returns the local tier's settings.
func (r *Results) Settings() Settings { return r.c.Settings() }

// Key returns the key of in for this scanner.
func (r *Results) Key(in scanner.Input) Key {
	fp := r.fp.Fingerprint()
	if in.IsOutput() {
		return MakeKeyParts(fp, r.name, "output", in.Prompt, in.Output)
	}
	return MakeKeyParts(fp, r.name, "prompt", in.Prompt)
}

// Lookup consults the local cache, then the backend, and returns a hit
// marked Cached with Sanitized restored from in, with the key to Store
// under on a miss.
func (r *Results) Lookup(ctx context.Context, in scanner.Input) (scanner.Result, Key, bool) {
	k := r.Key(in)
	res, ok := r.c.Get(k)
	if !ok && r.backend != nil {
		if res, ok = r.backendGet(ctx, k); ok {
			r.c.Insert(k, res)
		}
	}
	if !ok {
		return scanner.Result{}, k, false
	}
	res.Findings = slices.Clone(res.Findings)
	if res.Findings == nil {
		res.Findings = []scanner.Finding{}
	}
	res.Sanitized = in.Text()
	res.Cached = true
	return res, k, true
}

func (r *Results) backendGet(ctx context.Context, k Key) (scanner.Result, bool) {
	b, found, err := r.backend.Get(ctx, BackendKeyPrefix+k.String())
	if err != nil {
		r.log.WarnContext(ctx, "result cache backend get failed", "scanner", r.name, "error", err)
		return scanner.Result{}, false
	}
	if !found {
		return scanner.Result{}, false
	}
	var res scanner.Result
	if err := json.Unmarshal(b, &res); err != nil {
		r.log.WarnContext(ctx, "result cache backend returned an undecodable value", "scanner", r.name, "error", err)
		return scanner.Result{}, false
	}
	res.Cached = false
	return res, true
}

// Store caches res, the scanner's result on in, under k if it is cacheable.
func (r *Results) Store(ctx context.Context, k Key, in scanner.Input, res scanner.Result) {
	if res.Sanitized != in.Text() || res.Degraded || res.Method == scanner.MethodMLFallbackToHeuristic {
		return
	}
	res.Sanitized = ""
	res.Group = ""
	res.Cached = false
	res.Findings = slices.Clone(res.Findings)
	r.c.Insert(k, res)
	if r.backend == nil {
		return
	}
	b, err := json.Marshal(res)
	if err != nil {
		r.log.WarnContext(ctx, "result cache could not encode a result", "scanner", r.name, "error", fmt.Errorf("encode: %w", err))
		return
	}
	if err := r.backend.Set(ctx, BackendKeyPrefix+k.String(), b, r.c.Settings().TTL); err != nil {
		r.log.WarnContext(ctx, "result cache backend set failed", "scanner", r.name, "error", err)
	}
}
