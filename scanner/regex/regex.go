// Package regex flags text by regular expressions, like LLM Guard's Regex
// scanner: as a deny list (IsBlocked, the default: a match flags the text)
// or an allow list (a text that matches no pattern is flagged).
//
// Patterns use Go's RE2 syntax, which runs in time linear in the input, so
// a pattern cannot cause catastrophic backtracking. Patterns are compiled
// once in New. Invalid UTF-8 in the text is matched byte-wise as U+FFFD.
package regex

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

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

const maxFindings = 100

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
	switch c.MatchType {
	case MatchSearch, MatchFull, MatchAll, "":
	default:
		return nil, fmt.Errorf("match_type: unknown %q (want %q, %q or %q)", c.MatchType, MatchSearch, MatchFull, MatchAll)
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
	cfg Config
	res []*regexp.Regexp
	fp  string
}

var (
	_ scanner.Scanner       = (*Scanner)(nil)
	_ scanner.Fingerprinter = (*Scanner)(nil)
	_ scanner.Stager        = (*Scanner)(nil)
)

// New validates cfg and compiles the patterns.
func New(cfg Config) (*Scanner, error) {
	res, err := cfg.compile()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	if cfg.MatchType == "" {
		cfg.MatchType = MatchSearch
	}
	b, _ := json.Marshal(struct {
		Name, Version string
		Cfg           Config
	}{Name, "1", cfg})
	sum := sha256.Sum256(b)
	return &Scanner{cfg: cfg, res: res, fp: hex.EncodeToString(sum[:16])}, nil
}

// Name returns "regex".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner suits prompts and outputs.
func (s *Scanner) Stages() scanner.Stage { return scanner.StageBoth }

// Fingerprint identifies the configuration.
func (s *Scanner) Fingerprint() string { return s.fp }

// Scan matches in.Text() against the patterns. It checks ctx between
// patterns and returns ctx.Err() once it is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	start := time.Now()
	text := in.Text()
	type span struct{ a, b, p int }
	var spans []span
	for i, re := range s.res {
		if err := ctx.Err(); err != nil {
			return scanner.Result{}, err
		}
		switch s.cfg.MatchType {
		case MatchAll:
			for _, loc := range re.FindAllStringIndex(text, -1) {
				spans = append(spans, span{loc[0], loc[1], i})
			}
		default: // search, fullmatch (anchored at compile time)
			if loc := re.FindStringIndex(text); loc != nil {
				spans = append(spans, span{loc[0], loc[1], i})
			}
		}
	}
	res := scanner.Clean(text, scanner.MethodHeuristic)
	matched := len(spans) > 0
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].a != spans[j].a {
			return spans[i].a < spans[j].a
		}
		return spans[i].b > spans[j].b
	})
	for _, sp := range spans {
		if len(res.Findings) == maxFindings {
			break
		}
		res.Findings = append(res.Findings, scanner.Finding{Rule: Name, Start: sp.a, End: sp.b, Score: 1,
			Detail: fmt.Sprintf("pattern #%d matched", sp.p)})
	}
	switch {
	case s.cfg.IsBlocked && matched:
		res.Valid, res.Risk = false, 1
		if s.cfg.Redact {
			var sb strings.Builder
			last := 0
			for _, sp := range spans {
				if sp.b <= last || sp.a == sp.b {
					continue
				}
				if sp.a < last {
					sp.a = last
				} else {
					sb.WriteString(text[last:sp.a])
					sb.WriteString(Redaction)
				}
				last = sp.b
			}
			sb.WriteString(text[last:])
			res.Sanitized = sb.String()
		}
	case !s.cfg.IsBlocked && !matched:
		res.Valid, res.Risk = false, 1
		res.Findings = append(res.Findings, scanner.Finding{Rule: Name, Score: 1, Detail: "no allowed pattern matched"})
	case !s.cfg.IsBlocked:
		// Allow list matched: the matches are not problems.
		res.Findings = []scanner.Finding{}
	}
	res.Duration = time.Since(start)
	return res, nil
}
