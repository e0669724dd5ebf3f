package ner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/loader"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/model"
)

// BuiltinID is the registry name of the built-in NER model.
const BuiltinID = "llmshield/ner"

// SourceOptions configure a Source.
type SourceOptions struct {
	// Model names the registry entry (id or name); "" means task "ner",
	// variant Variant (the first registered: the built-in model).
	Model string
	// Variant picks the precision of task "ner" when Model is empty.
	Variant model.Variant
	// Tagger configures the opened model.
	Tagger Options
	// Logger receives load events; nil discards.
	Logger *slog.Logger
}

// Source opens a NER model on first use, through the model registry and
// loader, and implements pii.NER. It is safe for concurrent use.
type Source struct {
	l      *loader.Loader[*Tagger]
	key    loader.Key
	closed atomic.Bool
}

var _ pii.NER = (*Source)(nil)

// NewSource returns a Source over reg; runtime gives the inference runtime
// (started lazily by the caller, e.g. classifier.Hub.Runtime).
func NewSource(reg *registry.Registry, runtime func() (*inference.Runtime, error), opts SourceOptions) (*Source, error) {
	if reg == nil || runtime == nil {
		return nil, errors.New("ner: nil registry or runtime")
	}
	if _, err := opts.Tagger.withDefaults(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	open := func(ctx context.Context, files registry.Files, cfg loader.LoadConfig) (*Tagger, error) {
		rt, err := runtime()
		if err != nil {
			return nil, err
		}
		o := opts.Tagger
		if cfg.Threads > 0 {
			o.Engine.IntraOpThreads = cfg.Threads
		}
		return Open(ctx, rt, files, o)
	}
	l, err := loader.New[*Tagger](reg, open, loader.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("ner: %w", err)
	}
	key := loader.TaskKey(model.TaskNER, opts.Variant)
	if opts.Model != "" {
		key = loader.IDKey(opts.Model)
	}
	return &Source{l: l, key: key}, nil
}

// Tagger returns the model, loading it on first use.
func (s *Source) Tagger(ctx context.Context) (*Tagger, error) {
	if s.closed.Load() {
		return nil, errClosed
	}
	t, err := s.l.LoadKey(ctx, s.key, nil)
	if err != nil {
		return nil, fmt.Errorf("ner model %s: %w", s.key, err)
	}
	return t, nil
}

// Entities implements pii.NER.
func (s *Source) Entities(ctx context.Context, text string) ([]pii.Match, error) {
	t, err := s.Tagger(ctx)
	if err != nil {
		return nil, err
	}
	return t.Matches(ctx, text)
}

// Close unloads the model. It is idempotent.
func (s *Source) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	return s.l.UnloadAll()
}
