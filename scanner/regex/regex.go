// Package regex flags text by regular expressions, like LLM Guard's Regex
// scanner: as a deny list (IsBlocked, the default: a match flags the text)
// or an allow list (a text that matches no pattern is flagged).
//
// Patterns use Go's RE2 syntax, which runs in time linear in the input, so
// a pattern cannot cause catastrophic backtracking. Patterns are compiled
// once in New. Invalid UTF-8 in the text is matched byte-wise as U+FFFD.
package regex

import (
	"cmp"
	"context"
	"fmt"
	"regexp"

	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "regex"

// Redaction replaces each match when Redact is set.
const Redaction = "[REDACTED]"

// Match types.
const (
	// MatchSearch: each pattern's first match anywhere in the text.
	MatchSearch = "search"
	// MatchFull: a pattern must match the whole text.
	MatchFull = "fullmatch"
	// MatchAll: every match of every pattern (all are reported and redacted).
	MatchAll = "all"
)

// Config configures Scanner.
type Config struct {
	// Patterns are RE2 regular expressions. At least one.
	Patterns []string `yaml:"patterns"`
	// IsBlocked: true (default) makes the patterns a deny list; false makes
	// them an allow list.
	IsBlocked bool `yaml:"is_blocked"`
	// MatchType is "search" (default), "fullmatch" or "all".
	MatchType string `yaml:"match_type"`
	// Redact replaces matches with "[REDACTED]" in Sanitized (deny list only).
	Redact bool `yaml:"redact"`
}

// DefaultConfig returns the defaults; Patterns must still be set.
func DefaultConfig() Config { return Config{IsBlocked: true, MatchType: MatchSearch} }

// Validate checks the configuration, including that every pattern
// compiles; errors name the field and the pattern's index.
func (c Config) Validate() error {
	_, err := c.compile()
	return err
}

func (c Config) compile() ([]*regexp.Regexp, error) {
	if len(c.Patterns) == 0 {
		return nil, fmt.Errorf("patterns: at least one pattern is required")
	}
	// An empty setting is the default.
	if err := rulescan.OneOf("match_type", cmp.Or(c.MatchType, MatchSearch), MatchSearch, MatchFull, MatchAll); err != nil {
		return nil, err
	}
	res := make([]*regexp.Regexp, len(c.Patterns))
	for i, p := range c.Patterns {
		if p == "" {
			return nil, fmt.Errorf("patterns[%d]: empty pattern", i)
		}
		src := p
		if c.MatchType == MatchFull {
			src = `\A(?:` + p + `)\z`
		}
		re, err := regexp.Compile(src)
		if err != nil {
			return nil, fmt.Errorf("patterns[%d]: invalid regular expression: %w", i, err)
		}
		res[i] = re
	}
	return res, nil
}

// Scanner matches regular expressions. It is immutable after New and safe
// for concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
	res []*regexp.Regexp
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg and compiles the patterns. The scanner suits prompts
// and outputs.
func New(cfg Config) (*Scanner, error) {
	res, err := cfg.compile()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	if cfg.MatchType == "" {
		cfg.MatchType = MatchSearch
	}
	return &Scanner{Shell: rulescan.NewShell(Name, scanner.StageBoth, "1", cfg), cfg: cfg, res: res}, nil
}

// Scan matches in.Text() against the patterns. It checks ctx between
// patterns and returns ctx.Err() once it is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		var ms rulescan.Matches
		for i, re := range s.res {
			if err := ctx.Err(); err != nil {
				return err
			}
			switch s.cfg.MatchType {
			case MatchAll:
				for _, loc := range re.FindAllStringIndex(text, -1) {
					ms = append(ms, rulescan.Match{Start: loc[0], End: loc[1], Pattern: i})
				}
			default: // search, fullmatch (anchored at compile time)
				if loc := re.FindStringIndex(text); loc != nil {
					ms = append(ms, rulescan.Match{Start: loc[0], End: loc[1], Pattern: i})
				}
			}
		}
		ms.Sort()
		switch {
		case s.cfg.IsBlocked && len(ms) > 0:
			res.Valid, res.Risk = false, 1
			res.Findings = ms.Findings(Name, func(p int) string { return fmt.Sprintf("pattern #%d matched", p) })
			if s.cfg.Redact {
				res.Sanitized = ms.Redact(text, Redaction)
			}
		case !s.cfg.IsBlocked && len(ms) == 0:
			// Allow list, and no pattern matched.
			rulescan.Flag(res, scanner.Finding{Rule: Name, Score: 1, Detail: "no allowed pattern matched"})
		}
		// An allow list that matched reports no findings: its matches are
		// not problems.
		return nil
	})
}
