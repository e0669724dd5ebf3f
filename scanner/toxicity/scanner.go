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
// fallback when the model fails. Scanner wraps it as a scanner.Scanner
// named "toxicity".
//
// Matching is a hash-map lookup per word token (no regular expressions);
// the dictionary is small and built once, so no Aho-Corasick library is
// needed: whole-token lookup is what gives word-boundary matching.
package toxicity

import (
	"context"
	"fmt"
	"math"

	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "toxicity"

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

// WithHeuristic makes the scanner use h instead of building its own
// lexicon, so several scanners (or an ML/hybrid scanner) can share one.
func WithHeuristic(h *Heuristic) Option { return func(s *Scanner) { s.h = h } }

// Scanner is the heuristic toxicity scanner. It is immutable after New and
// safe for concurrent use.
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

// New validates cfg and builds the lexicon (once per Scanner unless
// WithHeuristic supplies one).
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
	s.fp = rulescan.Fingerprint(Name, LexiconVersion, cfg.Threshold)
	return s, nil
}

// Name returns "toxicity".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner suits prompts and outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageBoth }

// Fingerprint changes with the lexicon version and the threshold.
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
