// Package sensitive flags personal data in the LLM's answer, like LLM
// Guard's Sensitive scanner, and optionally redacts it ("[REDACTED_<TYPE>]").
// It uses the same recognizers as the anonymize scanner (package
// internal/pii) and, unlike anonymize, keeps no vault: its verdict depends
// on the text and the configuration only, so it may be cached.
package sensitive

import (
	"context"
	"fmt"
	"strings"

	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/anonymize"
)

// Name is the scanner's identifier.
const Name = "sensitive"

const maxFindings = 1000

// Config configures Scanner.
type Config struct {
	// EntityTypes limits what is flagged (default: every built-in type).
	EntityTypes []string `yaml:"entity_types"`
	// RegexPatterns are extra recognizers.
	RegexPatterns []anonymize.Pattern `yaml:"regex_patterns"`
	// Redact replaces each entity with "[REDACTED_<TYPE>]".
	Redact bool `yaml:"redact"`
	// Threshold is the minimum confidence of an entity (default 0.5).
	Threshold float64 `yaml:"threshold"`
	// AllowedNames are values never flagged (case-insensitive).
	AllowedNames []string `yaml:"allowed_names"`
	// Language is en (default), de, fr, es or it.
	Language string `yaml:"language"`
	// NER adds the names found by the built-in NER model (see anonymize's
	// Config.NER).
	NER bool `yaml:"ner"`
}

// UsesNER reports whether the scanner needs the NER model.
func (c Config) UsesNER() bool { return c.NER }

// DefaultConfig returns LLM Guard's defaults.
func DefaultConfig() Config { return Config{Threshold: 0.5, Language: "en"} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	_, err := c.analyzer(nil)
	return err
}

// analyzer builds the recognizer engine the configuration describes, with
// the NER model n (nil: none).
func (c Config) analyzer(n pii.NER) (*pii.Analyzer, error) {
	if err := rulescan.Threshold(c.Threshold); err != nil {
		return nil, err
	}
	return anonymize.NewAnalyzerNER(c.EntityTypes, c.Language, c.RegexPatterns, c.AllowedNames, nil, n)
}

// Scanner flags personal data. It is immutable and safe for concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
	a   *pii.Analyzer
}

var (
	_ rulescan.Scanner = (*Scanner)(nil)
	_ scanner.Rewriter = (*Scanner)(nil)
)

// New validates cfg and builds the scanner. The scanner runs on outputs.
func New(cfg Config, opts ...anonymize.Option) (*Scanner, error) {
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	n, err := anonymize.NERFrom(cfg.NER, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	a, err := cfg.analyzer(n)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &Scanner{Shell: rulescan.NewShell(Name, scanner.StageOutput, "1", cfg), cfg: cfg, a: a}, nil
}

// Rewrites reports whether the scanner redacts.
func (s *Scanner) Rewrites() bool { return s.cfg.Redact }

// Scan flags the personal data in in.Text().
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		ms, err := s.a.Analyze(ctx, text, s.cfg.Threshold)
		if err != nil || len(ms) == 0 {
			return err
		}
		res.Valid = false
		var b strings.Builder
		last := 0
		for _, m := range ms {
			res.Risk = max(res.Risk, m.Score)
			if len(res.Findings) < maxFindings {
				res.Findings = append(res.Findings, scanner.Finding{Rule: m.Type, Start: m.Start, End: m.End, Score: m.Score, Detail: "personal data"})
			}
			if s.cfg.Redact {
				b.WriteString(text[last:m.Start])
				b.WriteString("[REDACTED_" + m.Type + "]")
				last = m.End
			}
		}
		if s.cfg.Redact {
			b.WriteString(text[last:])
			res.Sanitized = b.String()
		}
		res.Risk = scanner.ClampRisk(res.Risk)
		return nil
	})
}
