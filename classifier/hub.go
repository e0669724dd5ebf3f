package classifier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/loader"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
)

// Ref names a model: by registry id or name, else by task and variant.
type Ref struct {
	ID      string        `yaml:"id" json:"id,omitempty"`
	Task    model.Task    `yaml:"task" json:"task,omitempty"`
	Variant model.Variant `yaml:"variant" json:"variant,omitempty"`
}

func (r Ref) key() loader.Key {
	if r.ID != "" {
		return loader.IDKey(r.ID)
	}
	return loader.TaskKey(r.Task, r.Variant)
}

// String names the model for messages.
func (r Ref) String() string { return r.key().String() }

// HubOptions configure a Hub.
type HubOptions struct {
	// Runtime configures the inference backend, created on first use.
	Runtime inference.RuntimeOptions
	// Engine configures every model's engine (threads, micro-batching).
	Engine inference.EngineOptions
	// MicroBatching overrides Engine.MicroBatching for single models, keyed
	// by registry id or name (the id wins when both are present).
	MicroBatching map[string]bool
	// Logger receives load events; nil discards.
	Logger *slog.Logger
}

// Hub opens classifiers on demand, once per model however many scanners
// and goroutines ask, and shares them. It is safe for concurrent use.
type Hub struct {
	reg    *registry.Registry
	opts   HubOptions
	log    *slog.Logger
	loader *loader.Loader[*Classifier]
	pairs  *loader.Loader[*PairClassifier]
	embeds *loader.Loader[*Embedder]
	tokens *loader.Loader[*TokenClassifier]

	rtOnce sync.Once
	rt     *inference.Runtime
	rtErr  error
	rtUp   atomic.Pointer[inference.Runtime]
}

// NewHub returns a hub over reg. The inference runtime starts lazily, when
// the first model is opened.
func NewHub(reg *registry.Registry, opts HubOptions) (*Hub, error) {
	if reg == nil {
		return nil, errors.New("classifier hub: nil registry")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Runtime.Logger == nil {
		opts.Runtime.Logger = log
	}
	h := &Hub{reg: reg, opts: opts, log: log}
	res := resolver{reg}
	var err error
	if h.loader, err = loader.New[*Classifier](res, h.open, loader.WithLogger(log)); err != nil {
		return nil, err
	}
	if h.pairs, err = loader.New[*PairClassifier](res, h.openPair, loader.WithLogger(log)); err != nil {
		return nil, err
	}
	if h.embeds, err = loader.New[*Embedder](res, h.openEmbedder, loader.WithLogger(log)); err != nil {
		return nil, err
	}
	if h.tokens, err = loader.New[*TokenClassifier](res, h.openTokenClassifier, loader.WithLogger(log)); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *Hub) openPair(ctx context.Context, files registry.Files, cfg loader.LoadConfig) (*PairClassifier, error) {
	rt, err := h.Runtime()
	if err != nil {
		return nil, err
	}
	return OpenPair(ctx, rt, files, Options{Engine: h.engineOptions(files, cfg)})
}

func (h *Hub) openEmbedder(ctx context.Context, files registry.Files, cfg loader.LoadConfig) (*Embedder, error) {
	rt, err := h.Runtime()
	if err != nil {
		return nil, err
	}
	return OpenEmbedder(ctx, rt, files, EmbedderOptions{Options: Options{Engine: h.engineOptions(files, cfg)}})
}

func (h *Hub) openTokenClassifier(ctx context.Context, files registry.Files, cfg loader.LoadConfig) (*TokenClassifier, error) {
	rt, err := h.Runtime()
	if err != nil {
		return nil, err
	}
	return OpenTokenClassifier(ctx, rt, files, Options{Engine: h.engineOptions(files, cfg)})
}

// GetTokenClassifier returns the token-classification (NER) model for ref,
// opening it on first use. ref.ID may be a registry id or name or a local
// directory.
func (h *Hub) GetTokenClassifier(ctx context.Context, ref Ref) (*TokenClassifier, error) {
	return h.tokens.LoadKey(ctx, ref.key(), nil)
}

// GetPair returns the sentence-pair (NLI) classifier for ref, opening it on
// first use. ref.ID may be a registry id or name or a local directory.
func (h *Hub) GetPair(ctx context.Context, ref Ref) (*PairClassifier, error) {
	return h.pairs.LoadKey(ctx, ref.key(), nil)
}

// GetEmbedder returns the sentence-embedding model for ref (auto pooling,
// not normalised; see Embedder.WithPooling), opening it on first use.
func (h *Hub) GetEmbedder(ctx context.Context, ref Ref) (*Embedder, error) {
	return h.embeds.LoadKey(ctx, ref.key(), nil)
}

// Known checks that id is a registry id or name or an existing local
// directory, without loading anything; otherwise the error wraps
// ErrUnknownModel.
func (h *Hub) Known(id string) error {
	if _, err := h.reg.Lookup(id); err == nil || IsLocalDir(id) {
		return nil
	}
	return fmt.Errorf("model %q: %w", id, ErrUnknownModel)
}

// Files makes the files of the model id available (downloading registry
// models when allowed) without loading it: an error here means the model
// cannot be obtained (offline, network, checksum), as opposed to a model
// that is there but does not load.
func (h *Hub) Files(ctx context.Context, id string) (registry.Files, error) {
	return resolver{h.reg}.EnsureID(ctx, id)
}

// Runtime returns the inference runtime, starting it on first call.
func (h *Hub) Runtime() (*inference.Runtime, error) {
	h.rtOnce.Do(func() {
		h.rt, h.rtErr = inference.NewRuntime(h.opts.Runtime)
		if h.rtErr != nil {
			h.rtErr = fmt.Errorf("start inference runtime: %w", h.rtErr)
			return
		}
		h.rtUp.Store(h.rt)
	})
	return h.rt, h.rtErr
}

func (h *Hub) open(ctx context.Context, files registry.Files, cfg loader.LoadConfig) (*Classifier, error) {
	rt, err := h.Runtime()
	if err != nil {
		return nil, err
	}
	return Open(ctx, rt, files, Options{Engine: h.engineOptions(files, cfg)})
}

func (h *Hub) engineOptions(files registry.Files, cfg loader.LoadConfig) inference.EngineOptions {
	eo := h.opts.Engine
	eo.MicroBatching = microBatching(eo.MicroBatching, h.opts.MicroBatching, files.Entry)
	if cfg.Threads > 0 {
		eo.IntraOpThreads = cfg.Threads
	}
	if cfg.OptimizationLevel > 0 || eo.Optimization == inference.OptimizationDefault {
		eo.Optimization = optimization(cfg.OptimizationLevel)
	}
	return eo
}

// microBatching is def unless overrides names the entry (its id first,
// then its name).
func microBatching(def bool, overrides map[string]bool, e registry.Entry) bool {
	if on, ok := overrides[e.ID]; ok && e.ID != "" {
		return on
	}
	if on, ok := overrides[e.Name]; ok && e.Name != "" {
		return on
	}
	return def
}

func optimization(level int) inference.OptimizationLevel {
	switch level {
	case 0:
		return inference.OptimizationNone
	case 1:
		return inference.OptimizationBasic
	case 2:
		return inference.OptimizationExtended
	}
	return inference.OptimizationAll
}

// Get returns the classifier for ref, opening it on first use. ref.ID may
// be a registry id or name or a local model directory.
func (h *Hub) Get(ctx context.Context, ref Ref) (*Classifier, error) {
	return h.loader.LoadKey(ctx, ref.key(), nil)
}

// Preload opens the models now (start-up), concurrently.
func (h *Hub) Preload(ctx context.Context, refs ...Ref) error {
	keys := make([]loader.Key, len(refs))
	for i, r := range refs {
		keys[i] = r.key()
	}
	return h.loader.Preload(ctx, keys...)
}

// Registry returns the model registry.
func (h *Hub) Registry() *registry.Registry { return h.reg }

// LoaderStats returns the loader's counters.
func (h *Hub) LoaderStats() loader.Stats { return h.loader.Stats() }

// Loaded returns the models open now.
func (h *Hub) Loaded() []loader.Key { return h.loader.Loaded() }

// Backend describes the inference backend ("" before it started).
func (h *Hub) Backend() (inference.BackendInfo, bool) {
	rt := h.rtUp.Load()
	if rt == nil {
		return inference.BackendInfo{}, false
	}
	return rt.Info(), true
}

// Close closes every model and the runtime.
func (h *Hub) Close() error {
	err := errors.Join(h.loader.UnloadAll(), h.pairs.UnloadAll(), h.embeds.UnloadAll(), h.tokens.UnloadAll())
	if rt := h.rtUp.Load(); rt != nil {
		err = errors.Join(err, rt.Close())
	}
	return err
}
