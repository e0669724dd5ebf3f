// Package promptinjection detects prompt-injection and jailbreak attempts.
//
// The Heuristic type is the rule-based detector (rule families
// instruction_override, role_play, system_prompt_extraction, fake_turns,
// encoded_payload, indirect_injection, harmful_compliance; English and
// German, some French and Spanish) on text normalised against obfuscation
// (homoglyphs, invisible characters, leetspeak, spaced letters, base64, hex,
// URL encoding, rot13). Scanner wraps it as a scanner.Scanner named
// "prompt_injection". An ML classifier can be added to this package later
// and combined with Heuristic in hybrid mode.
package promptinjection

import (
	"context"
	"fmt"
	"math"

	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "prompt_injection"

// Config configures Scanner.
type Config struct {
	// Threshold: text with risk >= Threshold is flagged. In (0,1]; default 0.5.
	Threshold float64 `yaml:"threshold"`
}

// DefaultConfig returns the default configuration.
func DefaultConfig() Config { return Config{Threshold: 0.5} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if math.IsNaN(c.Threshold) || c.Threshold <= 0 || c.Threshold > 1 {
		return fmt.Errorf("threshold: must be in (0,1], got %v", c.Threshold)
	}
	return nil
}

// Option configures optional parts of a Scanner.
type Option func(*Scanner)

// WithHeuristic makes the scanner use h instead of compiling its own rules,
// so several scanners (or an ML/hybrid scanner) can share one Heuristic.
func WithHeuristic(h *Heuristic) Option { return func(s *Scanner) { s.h = h } }

// Scanner is the heuristic prompt-injection scanner. It is immutable after
// New and safe for concurrent use.
type Scanner struct {
	cfg Config
	h   *Heuristic
	fp  string
}

var (
	_ scanner.Scanner       = (*Scanner)(nil)
	_ scanner.Fingerprinter = (*Scanner)(nil)
	_ scanner.Stager        = (*Scanner)(nil)
)

// New validates cfg and compiles the rules (once per Scanner).
func New(cfg Config, opts ...Option) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	s := &Scanner{cfg: cfg}
	for _, o := range opts {
		o(s)
	}
	if s.h == nil {
		h, err := NewHeuristic()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", Name, err)
		}
		s.h = h
	}
	s.fp = rulescan.Fingerprint(Name, RulesVersion, cfg.Threshold)
	return s, nil
}

// Name returns "prompt_injection".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner suits prompts and outputs (outputs may
// carry injected instructions on to the next agent step).
func (s *Scanner) Stages() scanner.Stage { return scanner.StageBoth }

// Fingerprint changes with the rules version and the threshold.
func (s *Scanner) Fingerprint() string { return s.fp }

// Heuristic returns the rule engine the scanner uses.
func (s *Scanner) Heuristic() *Heuristic { return s.h }

// Scan analyses in.Text(). Invalid UTF-8 is accepted (invalid bytes are
// read as U+FFFD); the text is never rewritten. It returns ctx.Err() when
// ctx is done before the scan starts or finishes.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(text string) rulescan.Verdict {
		a := s.h.Analyze(text)
		return rulescan.Verdict{Flagged: a.Risk >= s.cfg.Threshold, Risk: a.Risk, Findings: a.Findings}
	})
}
