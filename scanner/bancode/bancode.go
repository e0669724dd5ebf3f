// Package bancode flags any source code, like LLM Guard's BanCode scanner.
// Code is found by internal/codedetect (fenced blocks, shebangs and
// line-level syntax cues; see that package); a block whose score reaches
// Threshold flags the text.
//
// # Differences from LLM Guard
//
//   - LLM Guard runs a code-vs-text classifier model with threshold 0.97;
//     here Threshold (default 0.5) applies to codedetect's block score,
//     the share of code-like lines in a block (1 for fenced blocks).
//   - Inline code spans (`x`) are not code: a backticked name in prose is
//     not what a code ban is about.
package bancode

import (
	"context"
	"fmt"
	"time"

	"github.com/llmshield/llmshield/internal/codedetect"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "ban_code"

// Config configures Scanner.
type Config struct {
	// Threshold is the block score from which a block counts as code.
	// Default 0.5.
	Threshold float64 `yaml:"threshold"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Threshold: 0.5} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if !(c.Threshold > 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold: must be in (0, 1], got %v", c.Threshold)
	}
	return nil
}

// Scanner flags code. It is immutable after New and safe for concurrent use.
type Scanner struct {
	cfg Config
	fp  string
}

var (
	_ scanner.Scanner       = (*Scanner)(nil)
	_ scanner.Fingerprinter = (*Scanner)(nil)
	_ scanner.Stager        = (*Scanner)(nil)
)

// New validates cfg.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &Scanner{cfg: cfg, fp: rulescan.Fingerprint(Name, "1", cfg.Threshold)}, nil
}

// Name returns "ban_code".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner suits prompts and outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageBoth }

// Fingerprint identifies the configuration.
func (s *Scanner) Fingerprint() string { return s.fp }

// Scan flags code in in.Text(). It returns ctx.Err() once ctx is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	start := time.Now()
	text := in.Text()
	blocks := codedetect.Find(text)
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	res := scanner.Clean(text, scanner.MethodHeuristic)
	for _, b := range blocks {
		if b.Score < s.cfg.Threshold {
			continue
		}
		lang := b.Lang
		if lang == "" {
			lang = "unknown language"
		}
		res.Risk = max(res.Risk, b.Score)
		if len(res.Findings) < 100 {
			res.Findings = append(res.Findings, scanner.Finding{Rule: Name, Start: b.Start, End: b.End, Score: b.Score, Detail: lang + " code"})
		}
	}
	res.Valid = len(res.Findings) == 0
	res.Duration = time.Since(start)
	return res, nil
}
