package mlscan

import (
	"errors"
	"fmt"
	"time"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/resilience"
	"github.com/llmshield/llmshield/internal/rollout"
)

// Config is the ML part of a hybrid scanner's parameters. Scanners embed it
// inline next to their heuristic parameters.
type Config struct {
	// ML says whether and how the model is used (mode, threshold, variant,
	// fallback, result cache). A zero threshold means the model's own
	// default (config.json), else 0.5.
	ML MLConfig `yaml:"ml" json:"ml"`
	// Model is a registry id or name ("protectai/deberta-v3-base-prompt-injection-v2");
	// empty means the registry's first model for the task and variant (the
	// built-in one unless a registry says otherwise).
	Model string `yaml:"model" json:"model,omitempty"`
	// MatchType says how long texts are split: full (token windows over the
	// whole text), truncate, sentence, chunks or head_tail.
	MatchType classifier.MatchType `yaml:"match_type" json:"match_type"`
	// PositiveLabels override the model's labels that mean "flag".
	PositiveLabels []string `yaml:"positive_labels" json:"positive_labels,omitempty"`
	// ShortCircuitAbove: in hybrid mode, a heuristic risk at or above this
	// settles the verdict without the model. Default 0.9. A risk at or
	// above the heuristic threshold always does (a rule hit flags on its
	// own), so only a value below that threshold changes anything.
	ShortCircuitAbove float64 `yaml:"short_circuit_above" json:"short_circuit_above"`
	// Rollout sends a percentage of traffic through the model; the rest is
	// scanned by the heuristic alone. Default 100%, sticky per user.
	Rollout RolloutConfig `yaml:"rollout" json:"rollout"`
	// Experiment assigns users to A/B groups, each with its own hybrid mode.
	Experiment *ExperimentConfig `yaml:"experiment" json:"experiment,omitempty"`
	// Shadow runs the method that is not enforced beside the enforced one
	// and records agreement, without changing verdicts.
	Shadow bool `yaml:"shadow" json:"shadow"`
	// Resilience bounds each model call and guards the model with retries
	// and a circuit breaker.
	Resilience ResilienceConfig `yaml:"resilience" json:"resilience"`
}

// MLConfig returns c; scanners embedding Config thereby report their ML
// settings (see scanner/builtin.MLParams).
func (c Config) MLConfig() Config { return c }

// RolloutConfig is a percentage rollout of ML.
type RolloutConfig struct {
	Percent float64 `yaml:"percent" json:"percent"`
	Sticky  bool    `yaml:"sticky" json:"sticky"`
}

// ExperimentConfig assigns users to groups by a stable hash of the
// experiment name and the user id.
type ExperimentConfig struct {
	Name   string        `yaml:"name" json:"name"`
	Groups []GroupConfig `yaml:"groups" json:"groups"`
}

// GroupConfig is one A/B group.
type GroupConfig struct {
	Name   string     `yaml:"name" json:"name"`
	Weight float64    `yaml:"weight" json:"weight"`
	Mode   HybridMode `yaml:"mode" json:"mode"`
}

// ResilienceConfig configures the guard around model calls.
type ResilienceConfig struct {
	// CallTimeout bounds one model call on a text of one window (default
	// 5s); a longer text gets PerWindowTimeout more per further window (see
	// ml.max_windows).
	CallTimeout time.Duration `yaml:"call_timeout" json:"call_timeout"`
	// PerWindowTimeout is added to CallTimeout for each window beyond the
	// first that a call submits (default 100ms). A call over one window that
	// overruns this budget is not counted against the model by the breaker:
	// the size of its input, not the model, is the likely cause.
	PerWindowTimeout time.Duration `yaml:"per_window_timeout" json:"per_window_timeout"`
	// Retries is the number of extra attempts for transient failures (default 1).
	Retries int `yaml:"retries" json:"retries"`
	// Breaker opens after consecutive failures and lets a trial call through
	// after its cool-down.
	Breaker resilience.BreakerConfig `yaml:"breaker" json:"breaker"`
}

// DefaultConfig is hybrid ML with the production preset, full-text
// windows, a 0.9 short-circuit, 100% sticky rollout, no shadow.
func DefaultConfig() Config {
	ml := DefaultMLConfig()
	ml.Threshold = 0
	return Config{
		ML:                ml,
		MatchType:         classifier.MatchFull,
		ShortCircuitAbove: 0.9,
		Rollout:           RolloutConfig{Percent: 100, Sticky: true},
		Resilience:        ResilienceConfig{CallTimeout: 5 * time.Second, PerWindowTimeout: DefaultPerWindowTimeout, Retries: 1},
	}
}

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	var errs []error
	ml := c.ML
	if ml.Threshold == 0 {
		ml.Threshold = 0.5 // "model default" is valid; check the rest
	}
	if err := ml.Validate(); err != nil {
		errs = append(errs, prefix("ml.", err))
	}
	if _, err := classifier.ParseMatchType(string(c.MatchType)); err != nil {
		errs = append(errs, fmt.Errorf("match_type: %w", err))
	}
	if c.ShortCircuitAbove <= 0 || c.ShortCircuitAbove > 1 {
		errs = append(errs, fmt.Errorf("short_circuit_above: must be in (0,1], got %v", c.ShortCircuitAbove))
	}
	if err := (rollout.Rollout{Name: "x", Percent: c.Rollout.Percent}).Validate(); err != nil {
		errs = append(errs, prefix("rollout.", err))
	}
	if c.Experiment != nil {
		if err := c.Experiment.experiment().Validate(); err != nil {
			errs = append(errs, prefix("experiment.", err))
		}
	}
	if c.Resilience.CallTimeout < 0 {
		errs = append(errs, fmt.Errorf("resilience.call_timeout: must not be negative, got %s", c.Resilience.CallTimeout))
	}
	if c.Resilience.PerWindowTimeout < 0 {
		errs = append(errs, fmt.Errorf("resilience.per_window_timeout: must not be negative, got %s", c.Resilience.PerWindowTimeout))
	}
	if c.Resilience.Retries < 0 || c.Resilience.Retries > 10 {
		errs = append(errs, fmt.Errorf("resilience.retries: must be in [0,10], got %d", c.Resilience.Retries))
	}
	if err := c.Resilience.Breaker.Validate(); err != nil {
		errs = append(errs, prefix("resilience.breaker.", err))
	}
	return errors.Join(errs...)
}

func (e *ExperimentConfig) experiment() rollout.Experiment {
	x := rollout.Experiment{Name: e.Name}
	for _, g := range e.Groups {
		x.Groups = append(x.Groups, rollout.Group{Name: g.Name, Weight: g.Weight})
	}
	return x
}

type prefixed struct {
	p   string
	err error
}

func (e prefixed) Error() string { return e.p + e.err.Error() }
func (e prefixed) Unwrap() error { return e.err }

func prefix(p string, err error) error { return prefixed{p, err} }
