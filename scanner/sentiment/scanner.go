// Package sentiment flags text with negative sentiment, like LLM Guard's
// Sentiment scanner: a text is flagged when its compound sentiment score
// falls below a threshold.
//
// Heuristic is a lexicon-and-rules sentiment analyser written for
// llmshield (hand-assigned word valences for English and basic German,
// emoticons and emoji; negation, boosters and diminishers, contrast,
// ALL-CAPS and exclamation emphasis, idioms), with a compound score in
// [-1,1]. Scanner is the hybrid scanner named "sentiment" that llmshield
// runs: the heuristic is the fast path for clear cases and the fallback when
// the model fails, and the built-in 3-class ML classifier (label NEGATIVE)
// decides the rest, as Config.ML.Mode says; with ML disabled it is the
// heuristic alone.
//
// With Method "vader" the scanner scores text with VADER's compound score
// alone (the library github.com/jonreiter/govader, a Go port of
// vaderSentiment), which is what LLM Guard's Sentiment scanner does; set
// threshold -0.1 for LLM Guard's default. The ML settings are then unused.
package sentiment

import (
	"fmt"
	"math"
	"slices"

	"github.com/llmshield/llmshield/internal/mlscan"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "sentiment"

// Config configures Scanner: the heuristic's threshold and, inline, the ML
// settings (ml, model, match_type, rollout, ...).
type Config struct {
	// Threshold: text whose compound score is below Threshold is flagged.
	// In [-1,1]; default -0.3. LLM Guard's default is -0.1. We flag a
	// little later: one mildly negative word ("slow", valence -1) scores
	// -0.25 and should not block a text on its own, while one clearly
	// negative word ("bad", "disappointing") scores about -0.36. On the
	// VADER test rows -0.3 flags NEGATIVE text with higher precision than
	// -0.1 (0.81 against 0.74) at a modest loss of recall (see TestDatasets).
	Threshold float64 `yaml:"threshold"`
	// Method is "heuristic" (default: llmshield's analyser, with the ML
	// classifier as the ml settings say) or "vader" (VADER's compound score
	// alone, for parity with LLM Guard, whose default threshold is -0.1;
	// the ml settings are then not used).
	Method        string `yaml:"method"`
	mlscan.Config `yaml:",inline"`
}

// DefaultConfig returns the default configuration: threshold -0.3, the
// heuristic method, hybrid ML.
func DefaultConfig() Config {
	return Config{Threshold: -0.3, Method: MethodHeuristic, Config: mlscan.DefaultConfig()}
}

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if math.IsNaN(c.Threshold) || c.Threshold < -1 || c.Threshold > 1 {
		return fmt.Errorf("threshold: must be in [-1,1], got %v", c.Threshold)
	}
	if c.Method != "" && c.Method != MethodHeuristic && c.Method != MethodVADER {
		return fmt.Errorf("method: want %q or %q, got %q", MethodHeuristic, MethodVADER, c.Method)
	}
	return c.Config.Validate()
}

// UsesVADER reports whether the configuration selects VADER scoring.
func (c Config) UsesVADER() bool { return c.Method == MethodVADER }

// Option supplies the model hub and observability (see scanner/builtin).
// Without options the scanner has no model: with ML enabled it falls back
// to the heuristic (if allowed) whenever the model would be consulted.
type Option = mlscan.Option

// Scanner is the hybrid sentiment scanner. It is safe for concurrent use;
// Close releases its background work and metrics. Heuristic returns the
// analyser it uses (nil with method vader).
type Scanner struct {
	mlscan.Scanner[*Heuristic]
}

// New validates cfg and builds the lexicon (once per Scanner). The model
// loads on first use.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	// The heuristic flags compound < threshold; its risk is max(0,
	// -compound), so the risk threshold is -threshold (a non-negative
	// threshold flags any negative compound).
	o := mlscan.Options{Name: Name, Task: model.TaskSentiment, Stages: scanner.StageBoth, HeuristicThreshold: max(-cfg.Threshold, 1e-9)}
	ml, newH := cfg.Config, NewHeuristic
	if cfg.UsesVADER() {
		// VADER alone: the model is never loaded.
		o.Heuristic, ml.ML.Mode = NewVADER(), mlscan.HeuristicOnly
		newH = func() (*Heuristic, error) { return nil, nil }
	}
	x, err := mlscan.NewScanner(cfg, ml, o, newH, append(slices.Clone(opts), withPolarScore)...)
	if err != nil {
		return nil, err
	}
	return &Scanner{x}, nil
}
