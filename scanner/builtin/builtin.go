// Package builtin lists llmshield's scanners explicitly (no init()
// registration): each Factory names a scanner, says where it can run, gives
// its default parameters and builds it from a configuration entry.
package builtin

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/mlscan"
	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/scanner"
)

// Deps are what factories may need besides their parameters.
type Deps struct {
	Logger     *slog.Logger
	Registerer prometheus.Registerer
	// Config is the whole configuration, for scanners that read global settings.
	Config *config.Config
	// Models gives ML scanners their classifiers; nil when no model hub is
	// available (ML scanners then fall back to their heuristic, if allowed).
	Models mlscan.Models
	// Hub loads the user models that ban_topics, factual_consistency,
	// relevance, bias, emotion_detection and no_refusal run when their
	// `model` parameter is set; nil makes those scanners run their
	// built-in implementation (see OnModelUnavailable).
	Hub *classifier.Hub
	// OnModelUnavailable says what such a scanner does when its model
	// cannot be obtained: fall back (default, logged) or fail start-up.
	OnModelUnavailable ModelPolicy
	// NER gives anonymize and sensitive the built-in NER model (their
	// option ner: true); nil when no model hub is available.
	NER pii.NER
	// Instance identifies the configuration entry ("input_scanners[1]"); set by Build.
	Instance string
	// Stage is where the entry runs; set by Build.
	Stage scanner.Stage
}

// Factory builds one kind of scanner.
type Factory struct {
	// Name is the snake_case type used in configuration.
	Name string
	// Description is one line for `llmshield scanners`.
	Description string
	// Stages says where the scanner can run.
	Stages scanner.Stage
	// Defaults returns a pointer to the scanner's config filled with its defaults.
	Defaults func() any
	// Build makes the scanner from a config returned by Defaults and then
	// overwritten by the entry's params.
	Build func(ctx context.Context, params any, deps Deps) (scanner.Scanner, error)
}

// Lookup finds a factory by type; LLM Guard's CamelCase names work too.
func Lookup(typ string) (Factory, bool) {
	name := config.NormalizeType(typ)
	for _, f := range All() {
		if f.Name == name {
			return f, true
		}
	}
	return Factory{}, false
}

// Names lists the scanner types, sorted.
func Names() []string {
	var out []string
	for _, f := range All() {
		out = append(out, f.Name)
	}
	slices.Sort(out)
	return out
}

// Build makes the scanner for one configuration entry. key is the entry's
// position ("input_scanners[2]") used in error messages.
func Build(ctx context.Context, key string, e config.Scanner, deps Deps) (scanner.Scanner, error) {
	deps.Instance = key
	if strings.HasPrefix(key, "output") {
		deps.Stage = scanner.StageOutput
	} else {
		deps.Stage = scanner.StagePrompt
	}
	f, ok := Lookup(e.Type)
	if !ok {
		return nil, fmt.Errorf("%s.type: unknown scanner %q (known: %s)", key, e.Type, strings.Join(Names(), ", "))
	}
	params := f.Defaults()
	if err := e.DecodeParams(params); err != nil {
		return nil, fmt.Errorf("%s.params: %w", key, err)
	}
	if v, ok := params.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("%s.params: %w", key, err)
		}
	}
	// A model: id the registry does not know is a misconfiguration, never
	// a silent fallback to the heuristic.
	if m, ok := params.(MLParams); ok && deps.Hub != nil {
		if err := mlscan.CheckModel(deps.Hub.Registry(), m.MLConfig().Model); err != nil {
			return nil, fmt.Errorf("%s (%s): params.model: %w", key, e.Type, err)
		}
	}
	s, err := f.Build(ctx, params, deps)
	if pe := (paramError{}); errors.As(err, &pe) {
		return nil, fmt.Errorf("%s.params: %w", key, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %w", key, f.Name, err)
	}
	return s, nil
}

// UsesModels reports whether any enabled scanner of cfg may consult a
// model, so that the caller knows whether to open a model hub. Entries
// that do not decode are skipped (Build reports them).
func UsesModels(cfg *config.Config) bool {
	for _, list := range [][]config.Scanner{cfg.InputScanners, cfg.OutputScanners} {
		for _, e := range list {
			if e.Disabled {
				continue
			}
			f, ok := Lookup(e.Type)
			if !ok {
				continue
			}
			p := f.Defaults()
			if e.DecodeParams(p) != nil {
				continue
			}
			if m, ok := p.(ModelParams); ok && m.ConfiguredModel() != "" {
				return true // a user model (ban_topics, relevance, ...)
			}
			if n, ok := p.(NERParams); ok && n.UsesNER() {
				return true
			}
			if m, ok := p.(MLParams); ok {
				c := m.MLConfig()
				if c.ML.Enabled && (c.ML.Mode.UsesML() || c.Shadow || c.Experiment != nil) {
					return true
				}
			}
		}
	}
	return false
}
