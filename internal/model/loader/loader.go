// Package loader opens model sessions lazily, once per model however many
// goroutines ask, keeps them open, and closes them on Unload.
//
// Loader is generic over the session type so that it does not depend on an
// inference engine: the caller supplies an Opener that turns a model's local
// files (from model/registry) into a session. Loads are single-flight: the
// first Load of a model resolves its files (downloading them if needed) and
// opens it in the background; concurrent callers wait for that one load. A
// caller whose context ends stops waiting without cancelling the load for
// the others; the load is cancelled only when every waiting caller has gone.
// A failed load is not remembered: the next Load tries again.
//
// A Loader is safe for concurrent use.
package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/llmshield/llmshield/internal/isolate"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
)

// ErrUnloaded is returned to callers waiting for a load that was unloaded
// before it finished.
var ErrUnloaded = errors.New("model unloaded while loading")

// Key identifies a model: by ID when ID is set, else by Task and Variant (an
// empty Variant means the registry's first entry for the task).
type Key struct {
	Task    model.Task
	Variant model.Variant
	ID      string
}

// TaskKey returns the key for task and variant.
func TaskKey(task model.Task, variant model.Variant) Key { return Key{Task: task, Variant: variant} }

// IDKey returns the key for a registry id or name.
func IDKey(id string) Key { return Key{ID: id} }

// String returns "task/variant" or the id.
func (k Key) String() string {
	if k.ID != "" {
		return k.ID
	}
	if k.Variant == "" {
		return string(k.Task)
	}
	return string(k.Task) + "/" + string(k.Variant)
}

// LoadConfig configures a session.
type LoadConfig struct {
	// Threads is the number of intra-op threads; 0 lets the engine choose.
	Threads int `json:"threads" yaml:"threads"`
	// OptimizationLevel is the graph optimisation level, 0 (none) to 3 (all).
	OptimizationLevel int `json:"optimization_level" yaml:"optimization_level"`
}

// DefaultLoadConfig lets the engine pick the threads and enables every
// graph optimisation.
func DefaultLoadConfig() LoadConfig { return LoadConfig{Threads: 0, OptimizationLevel: 3} }

// Validate checks the configuration; errors name the field.
func (c LoadConfig) Validate() error {
	var errs []error
	if c.Threads < 0 {
		errs = append(errs, fmt.Errorf("threads: must not be negative, got %d", c.Threads))
	}
	if c.OptimizationLevel < 0 || c.OptimizationLevel > 3 {
		errs = append(errs, fmt.Errorf("optimization_level: must be 0-3, got %d", c.OptimizationLevel))
	}
	return errors.Join(errs...)
}

// Resolver makes a model's files available; *registry.Registry implements it.
type Resolver interface {
	Ensure(ctx context.Context, task model.Task, variant model.Variant) (registry.Files, error)
	EnsureID(ctx context.Context, id string) (registry.Files, error)
}

var _ Resolver = (*registry.Registry)(nil)

// Opener opens a session over a model's files. It should honour ctx.
type Opener[S io.Closer] func(ctx context.Context, files registry.Files, cfg LoadConfig) (S, error)

// Stats counts the loader's work.
type Stats struct {
	// TotalLoaded is the number of sessions open now.
	TotalLoaded int `json:"total_loaded"`
	// TotalLoads counts sessions opened successfully since creation.
	TotalLoads uint64 `json:"total_loads"`
	// CacheHits counts Load calls answered by an already-open session.
	CacheHits uint64 `json:"cache_hits"`
	// Shared counts Load calls that waited for another caller's load.
	Shared uint64 `json:"shared"`
	// Failures counts loads that failed (files or open).
	Failures uint64 `json:"failures"`
}

// Option configures New.
type Option func(*config)

type config struct {
	cfg LoadConfig
	log *slog.Logger
}

// WithDefaultConfig sets the LoadConfig that Load uses. Default:
// DefaultLoadConfig().
func WithDefaultConfig(c LoadConfig) Option { return func(o *config) { o.cfg = c } }

// WithLogger sets the logger. The default discards.
func WithLogger(l *slog.Logger) Option { return func(o *config) { o.log = l } }

// Loader opens and caches sessions of type S.
type Loader[S io.Closer] struct {
	res  Resolver
	open Opener[S]
	cfg  LoadConfig
	log  *slog.Logger

	mu    sync.Mutex
	slots map[Key]*slot[S]

	loads, hits, shared, failures atomic.Uint64
}

// slot is one model's load: in flight until done is closed, then either
// loaded (ok) or failed (removed from the map).
type slot[S io.Closer] struct {
	done    chan struct{}
	cfg     LoadConfig
	waiters int
	cancel  context.CancelFunc
	// Set before done is closed.
	s     S
	files registry.Files
	err   error
	ok    bool
}

// New returns a loader that resolves files with res and opens them with open.
func New[S io.Closer](res Resolver, open Opener[S], opts ...Option) (*Loader[S], error) {
	if res == nil || open == nil {
		return nil, errors.New("loader: resolver and opener are required")
	}
	c := config{cfg: DefaultLoadConfig()}
	for _, o := range opts {
		o(&c)
	}
	if err := c.cfg.Validate(); err != nil {
		return nil, fmt.Errorf("loader: default config: %w", err)
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return &Loader[S]{res: res, open: open, cfg: c.cfg, log: c.log, slots: map[Key]*slot[S]{}}, nil
}

// Load returns the session for task and variant, opening it on first use.
// If the model is already open (with whatever config), that session is
// returned.
func (l *Loader[S]) Load(ctx context.Context, task model.Task, variant model.Variant) (S, error) {
	return l.load(ctx, TaskKey(task, variant), nil)
}

// LoadID is Load by registry id or name.
func (l *Loader[S]) LoadID(ctx context.Context, id string) (S, error) {
	return l.load(ctx, IDKey(id), nil)
}

// LoadWithConfig is Load with an explicit configuration. If the model is
// already open or opening with a different configuration, it is an error:
// Unload it first.
func (l *Loader[S]) LoadWithConfig(ctx context.Context, task model.Task, variant model.Variant, cfg LoadConfig) (S, error) {
	return l.LoadKey(ctx, TaskKey(task, variant), &cfg)
}

// LoadKey loads by key; a nil cfg accepts an already-open session with any
// configuration and opens a new one with the default.
func (l *Loader[S]) LoadKey(ctx context.Context, k Key, cfg *LoadConfig) (S, error) {
	if cfg != nil {
		if err := cfg.Validate(); err != nil {
			var zero S
			return zero, fmt.Errorf("load %s: %w", k, err)
		}
	}
	return l.load(ctx, k, cfg)
}

func (l *Loader[S]) load(ctx context.Context, k Key, want *LoadConfig) (S, error) {
	var zero S
	if k.ID == "" && k.Task == "" {
		return zero, errors.New("load: key names neither a model id nor a task")
	}
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("load %s: %w", k, err)
	}
	l.mu.Lock()
	sl, exists := l.slots[k]
	if exists && want != nil && *want != sl.cfg {
		l.mu.Unlock()
		return zero, fmt.Errorf("load %s: already loaded with %+v, not %+v; unload it first", k, sl.cfg, *want)
	}
	if exists && sl.ok {
		l.mu.Unlock()
		l.hits.Add(1)
		return sl.s, nil
	}
	if exists {
		l.shared.Add(1)
	} else {
		cfg := l.cfg
		if want != nil {
			cfg = *want
		}
		// The load outlives any one caller: it keeps ctx's values but not its
		// cancellation, and is cancelled when its last waiter leaves.
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		sl = &slot[S]{done: make(chan struct{}), cfg: cfg, cancel: cancel}
		l.slots[k] = sl
		go l.run(lctx, k, sl)
	}
	sl.waiters++
	l.mu.Unlock()

	select {
	case <-sl.done:
		l.mu.Lock()
		sl.waiters--
		l.mu.Unlock()
		if sl.err != nil {
			return zero, sl.err
		}
		return sl.s, nil
	case <-ctx.Done():
		l.mu.Lock()
		sl.waiters--
		if sl.waiters == 0 && !isClosed(sl.done) {
			sl.cancel()
			if l.slots[k] == sl {
				delete(l.slots, k)
			}
		}
		l.mu.Unlock()
		return zero, fmt.Errorf("load %s: %w", k, ctx.Err())
	}
}

func isClosed(c chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// run resolves and opens one model, then publishes the outcome.
func (l *Loader[S]) run(ctx context.Context, k Key, sl *slot[S]) {
	defer sl.cancel()
	s, files, err := l.openKey(ctx, k, sl.cfg)
	if err == nil && ctx.Err() != nil {
		// Everyone stopped waiting while the opener ignored ctx.
		closeQuietly(s)
		err = fmt.Errorf("load %s: %w", k, ctx.Err())
	}
	l.mu.Lock()
	current := l.slots[k] == sl
	switch {
	case err != nil:
		if current {
			delete(l.slots, k)
		}
		l.failures.Add(1)
		l.log.WarnContext(ctx, "model load failed", "model", k.String(), "error", err)
	case !current:
		// Unloaded (or abandoned) while loading.
		closeQuietly(s)
		err = fmt.Errorf("load %s: %w", k, ErrUnloaded)
	default:
		sl.ok = true
		l.loads.Add(1)
		l.log.InfoContext(ctx, "model loaded", "model", k.String(), "id", files.Entry.ID, "dir", files.Dir)
	}
	sl.s, sl.files, sl.err = s, files, err
	close(sl.done)
	l.mu.Unlock()
}

func (l *Loader[S]) openKey(ctx context.Context, k Key, cfg LoadConfig) (s S, files registry.Files, err error) {
	// No deadline here (the load ends when its last waiter leaves); the
	// isolated call only turns an opener's panic into an error.
	err = isolate.Run(ctx, 0, 0, func(ctx context.Context) (struct{}, error) {
		if k.ID != "" {
			files, err = l.res.EnsureID(ctx, k.ID)
		} else {
			files, err = l.res.Ensure(ctx, k.Task, k.Variant)
		}
		if err != nil {
			return struct{}{}, fmt.Errorf("load %s: %w", k, err)
		}
		s, err = l.open(ctx, files, cfg)
		if err != nil {
			return struct{}{}, fmt.Errorf("load %s (%s): %w", k, files.Entry.ID, err)
		}
		return struct{}{}, nil
	}).Err
	if p, ok := errors.AsType[*isolate.Panic](err); ok {
		err = fmt.Errorf("load %s: opener panicked: %v", k, p.Value)
	}
	return s, files, err
}

func closeQuietly[S io.Closer](s S) {
	if any(s) != nil {
		_ = s.Close()
	}
}

// Preload loads keys concurrently and waits for all of them. Errors are
// joined, each naming its model.
func (l *Loader[S]) Preload(ctx context.Context, keys ...Key) error {
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() {
			if _, err := l.load(ctx, k, nil); err != nil {
				errs[i] = fmt.Errorf("preload %s: %w", k, err)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// IsLoaded reports whether k's session is open.
func (l *Loader[S]) IsLoaded(k Key) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	sl, ok := l.slots[k]
	return ok && sl.ok
}

// Files returns the files k's open session was loaded from.
func (l *Loader[S]) Files(k Key) (registry.Files, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	sl, ok := l.slots[k]
	if !ok || !sl.ok {
		return registry.Files{}, false
	}
	return sl.files, true
}

// Unload closes k's session and forgets it; it reports whether there was
// one. A load in flight is abandoned: its waiters get ErrUnloaded and the
// session is closed when it opens. Callers still using the session must stop
// before Unload.
func (l *Loader[S]) Unload(k Key) (bool, error) {
	l.mu.Lock()
	sl, ok := l.slots[k]
	if ok {
		delete(l.slots, k)
	}
	l.mu.Unlock()
	if !ok {
		return false, nil
	}
	if !sl.ok {
		return true, nil // in flight; run closes it
	}
	if err := sl.s.Close(); err != nil {
		return true, fmt.Errorf("unload %s: %w", k, err)
	}
	return true, nil
}

// UnloadAll closes every session; close errors are joined.
func (l *Loader[S]) UnloadAll() error {
	l.mu.Lock()
	slots := l.slots
	l.slots = map[Key]*slot[S]{}
	l.mu.Unlock()
	var errs []error
	for k, sl := range slots {
		if sl.ok {
			if err := sl.s.Close(); err != nil {
				errs = append(errs, fmt.Errorf("unload %s: %w", k, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Len returns the number of open sessions.
func (l *Loader[S]) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, sl := range l.slots {
		if sl.ok {
			n++
		}
	}
	return n
}

// Loaded returns the keys of open sessions, sorted.
func (l *Loader[S]) Loaded() []Key {
	l.mu.Lock()
	var keys []Key
	for k, sl := range l.slots {
		if sl.ok {
			keys = append(keys, k)
		}
	}
	l.mu.Unlock()
	slices.SortFunc(keys, func(a, b Key) int { return strings.Compare(a.String(), b.String()) })
	return keys
}

// Stats returns the loader's counters.
func (l *Loader[S]) Stats() Stats {
	return Stats{
		TotalLoaded: l.Len(),
		TotalLoads:  l.loads.Load(),
		CacheHits:   l.hits.Load(),
		Shared:      l.shared.Load(),
		Failures:    l.failures.Load(),
	}
}
