// Package promptinjection detects prompt-injection and jailbreak attempts.
//
// Scanner is the hybrid scanner named "prompt_injection" that llmshield
// runs: the rule-based Heuristic (rule families instruction_override,
// role_play, system_prompt_extraction, fake_turns, encoded_payload,
// indirect_injection, harmful_compliance; English and German, some French
// and Spanish, on text normalised against obfuscation: homoglyphs,
// invisible characters, leetspeak, spaced letters, base64, hex, URL
// encoding, rot13) settles the clear cases, and the built-in ML classifier
// decides the rest, as Config.ML.Mode says. With ML disabled it is the
// heuristic alone.
//
// The heuristic's matching is hand-written where Go's regexp and a plain
// keyword scan were measured too slow: the Heuristic type doc says why and
// with which figures, and anchoredDFA (dfa.go) documents the DFA that runs
// the rule patterns with Go regexp's leftmost-first result.
package promptinjection

import (
	"github.com/llmshield/llmshield/internal/mlscan"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "prompt_injection"

// Config configures Scanner: the heuristic's threshold and, inline, the ML
// settings (ml, model, match_type, rollout, ...).
type Config struct {
	// Threshold: a heuristic risk >= Threshold flags the text. In (0,1]; default 0.5.
	Threshold float64 `yaml:"threshold"`
	// Context is prompt (default: the model scores the whole text) or
	// document (the model scores every sentence and the text its most
	// suspicious one; for retrieved text, tool output, e-mails).
	Context       Context `yaml:"context"`
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

// Scanner is the hybrid prompt-injection scanner. It is safe for
// concurrent use; Close releases its background work and metrics.
type Scanner struct {
	*mlscan.Detector
	h *Heuristic
}

// New validates cfg and compiles the rules (once per Scanner). The model
// loads on first use.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	ml := cfg.Config
	ml.MatchType = cfg.Context.MatchType(ml.MatchType)
	// Outputs may carry injected instructions on to the next agent step.
	x, err := mlscan.NewScanner(cfg, ml, mlscan.Options{Name: Name, Task: model.TaskPromptInjection, Stages: scanner.StageBoth,
		HeuristicThreshold: cfg.Threshold}, NewHeuristic, opts...)
	if err != nil {
		return nil, err
	}
	return &Scanner{Detector: x.Detector, h: x.Heuristic()}, nil
}

// Heuristic returns the rule engine the scanner uses.
func (s *Scanner) Heuristic() *Heuristic { return s.h }
