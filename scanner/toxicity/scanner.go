// Package toxicity detects toxic language: insults, profanity, threats,
// identity attacks (slurs and hate against protected groups), sexually
// explicit language and, on top of these, severe toxicity.
//
// Heuristic is the rule-based detector: a curated English and German
// lexicon with weights and inflections, phrase rules for threats, death
// wishes, directed insults and dehumanising statements about groups, on
// text normalised against obfuscation (internal/normalize, plus masked and
// stretched spellings). It aims at precision: in hybrid mode it settles the
// obvious cases and leaves the rest to the ML classifier, and it is the
// fallback when the model fails. Scanner is the hybrid scanner named
// "toxicity" that llmshield runs: the Heuristic settles the clear cases and
// the built-in ML classifier the rest, as Config.ML.Mode says; with ML
// disabled it is the heuristic alone.
//
// Matching is a hash-map lookup per word token (no regular expressions);
// the dictionary is small and built once, so no Aho-Corasick library is
// needed: whole-token lookup is what gives word-boundary matching.
package toxicity

import (
	"github.com/llmshield/llmshield/internal/mlscan"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "toxicity"

// Config configures Scanner: the heuristic's threshold and, inline, the ML
// settings (ml, model, match_type, rollout, ...).
type Config struct {
	// Threshold: a heuristic risk >= Threshold flags the text. In (0,1]; default 0.5.
	Threshold     float64 `yaml:"threshold"`
	mlscan.Config `yaml:",inline"`
}

// DefaultConfig returns the default configuration: threshold 0.5, hybrid ML.
func DefaultConfig() Config { return Config{Threshold: 0.5, Config: mlscan.DefaultConfig()} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if err := rulescan.Threshold(c.Threshold); err != nil {
		return err
	}
	return c.Config.Validate()
}

// Option supplies the model hub and observability (see scanner/builtin).
// Without options the scanner has no model: with ML enabled it falls back
// to the heuristic (if allowed) whenever the model would be consulted.
type Option = mlscan.Option

// Scanner is the hybrid toxicity scanner. It is safe for concurrent use;
// Close releases its background work and metrics. Heuristic returns the
// rule engine it uses.
type Scanner struct {
	mlscan.Scanner[*Heuristic]
}

// New validates cfg and builds the lexicon (once per Scanner). The model
// loads on first use.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	x, err := mlscan.NewScanner(cfg, cfg.Config, mlscan.Options{Name: Name, Task: model.TaskToxicity, Stages: scanner.StageBoth,
		HeuristicThreshold: cfg.Threshold}, NewHeuristic, opts...)
	if err != nil {
		return nil, err
	}
	return &Scanner{x}, nil
}
