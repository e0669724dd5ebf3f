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
	return rulescan.Threshold(c.Threshold)
}

// Scanner flags code. It is immutable after New and safe for concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg. The scanner suits prompts and outputs.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &Scanner{Shell: rulescan.NewShell(Name, scanner.StageBoth, "1", cfg), cfg: cfg}, nil
}

// Scan flags code in in.Text(). It returns ctx.Err() once ctx is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(_ context.Context, text string, res *scanner.Result) error {
		for _, b := range codedetect.Find(text) {
			if b.Score < s.cfg.Threshold {
				continue
			}
			lang := b.Lang
			if lang == "" {
				lang = "unknown language"
			}
			rulescan.Flag(res, scanner.Finding{Rule: Name, Start: b.Start, End: b.End, Score: b.Score, Detail: lang + " code"})
		}
		return nil
	})
}
