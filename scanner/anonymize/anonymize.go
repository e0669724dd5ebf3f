// Package anonymize replaces personal data in prompts with placeholders
// before they reach the LLM, like LLM Guard's Anonymize scanner: each
// entity becomes "[REDACTED_<TYPE>_<n>]" (or, with UseFaker, a realistic
// fake value) and the original is kept in the conversation's vault
// (scanner.Input.Vault), so that the deanonymize scanner can put it back
// into the model's answer. The same value always gets the same
// placeholder within a conversation.
//
// Without a vault in the Input (no conversation), a vault of the call's
// own is used and thrown away: nothing is shared between calls.
//
// Detection is package internal/pii (validated patterns, phone numbers via
// github.com/nyaruka/phonenumbers, gazetteer-and-context names); see its
// documentation for how each type is found and how well.
//
// A text with personal data is reported invalid with the highest
// confidence as its risk, as LLM Guard's Anonymize does; the sanitized
// text is what should be sent on. The scanner is deliberately not a
// scanner.Fingerprinter: its output depends on the vault, so the
// pipeline's result cache must not answer for it.
package anonymize

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/llmshield/llmshield/internal/pii"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "anonymize"

// maxFindings bounds the findings reported (all entities are replaced).
const maxFindings = 1000

// Pattern is a user-defined recognizer (LLM Guard's regex_patterns entry);
// it is the recognizer engine's own type. Its fields, with their YAML keys:
//
//   - Name (name): the entity type, upper snake case ("EMPLOYEE_ID");
//   - Expressions (expressions): RE2 regular expressions, at least one;
//   - Context (context): words that raise a match's score by 0.35 when
//     found near it;
//   - Score (score): the base confidence in (0,1] (default 0.75);
//   - Examples (examples): texts an expression must each match (checked
//     at start-up);
//   - Languages (languages): the languages it applies to (empty: all).
type Pattern = pii.PatternSpec

// Config configures Scanner.
type Config struct {
	// EntityTypes limits what is anonymised (default: every built-in type:
	// EMAIL_ADDRESS, PHONE_NUMBER, CREDIT_CARD, IBAN_CODE, US_SSN,
	// IP_ADDRESS, URL, UUID, CRYPTO, DATE_OF_BIRTH, PASSPORT,
	// DRIVER_LICENSE, TAX_ID, PERSON, ORGANIZATION, LOCATION).
	EntityTypes []string `yaml:"entity_types"`
	// Threshold is the minimum confidence of an entity (default 0.5).
	Threshold float64 `yaml:"threshold"`
	// AllowedNames are values never anonymised (case-insensitive).
	AllowedNames []string `yaml:"allowed_names"`
	// HiddenNames are values always anonymised, as CUSTOM.
	HiddenNames []string `yaml:"hidden_names"`
	// RegexPatterns are extra recognizers.
	RegexPatterns []Pattern `yaml:"regex_patterns"`
	// Preamble is put before a sanitized prompt that had anything replaced.
	Preamble string `yaml:"preamble"`
	// UseFaker replaces entities with realistic fake values (from a
	// generator seeded by FakerSeed and the value) instead of placeholders,
	// for the types it has fakes for; the rest get placeholders.
	UseFaker bool `yaml:"use_faker"`
	// FakerSeed seeds the fake generator.
	FakerSeed int64 `yaml:"faker_seed"`
	// Language is en (default), de, fr, es or it.
	Language string `yaml:"language"`
	// NER adds the person, organisation and location names found by the
	// built-in NER model (internal/ner, loaded through the model registry
	// on first use) to the gazetteer-and-context recognizers. It needs
	// the model hub: New fails when none is given (WithNER).
	NER bool `yaml:"ner"`
}

// UsesNER reports whether the scanner needs the NER model.
func (c Config) UsesNER() bool { return c.NER }

// Option configures New beyond Config.
type Option func(*options)

type options struct{ ner pii.NER }

// WithNER gives the scanner its NER model (used when Config.NER is set).
func WithNER(n pii.NER) Option { return func(o *options) { o.ner = n } }

// NERFrom applies opts and returns the NER model cfg asks for: nil when
// Config.NER is off, an error when it is on and no model was given. The
// sensitive scanner shares it.
func NERFrom(useNER bool, opts []Option) (pii.NER, error) {
	var o options
	for _, f := range opts {
		f(&o)
	}
	if !useNER {
		return nil, nil
	}
	if o.ner == nil {
		return nil, fmt.Errorf("ner: true needs the NER model, and no model hub is available")
	}
	return o.ner, nil
}

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
	if c.Threshold < 0 || c.Threshold > 1 || c.Threshold != c.Threshold {
		return nil, fmt.Errorf("threshold: %v is outside [0,1]", c.Threshold)
	}
	if c.Threshold == 0 {
		return nil, fmt.Errorf("threshold: 0 would report every candidate, set a value in (0,1] (default 0.5)")
	}
	return NewAnalyzerNER(c.EntityTypes, c.Language, c.RegexPatterns, c.AllowedNames, c.HiddenNames, n)
}

// NewAnalyzerNER builds a recognizer engine with the NER model n (nil:
// none); errors name the field (entity_types, language, regex_patterns,
// allowed_names, hidden_names). The sensitive scanner shares it.
func NewAnalyzerNER(types []string, lang string, patterns []Pattern, allowed, hidden []string, n pii.NER) (*pii.Analyzer, error) {
	return pii.New(pii.Options{EntityTypes: types, Language: lang, Patterns: patterns, AllowedNames: allowed, HiddenNames: hidden, NER: n})
}

// Scanner anonymises prompts. It is immutable after New and safe for
// concurrent use; the vault it writes to is the caller's.
type Scanner struct {
	cfg Config
	a   *pii.Analyzer
}

var (
	_ scanner.Scanner  = (*Scanner)(nil)
	_ scanner.Stager   = (*Scanner)(nil)
	_ scanner.Rewriter = (*Scanner)(nil)
)

// New validates cfg and builds the scanner.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	if cfg.Language == "" {
		cfg.Language = "en"
	}
	n, err := NERFrom(cfg.NER, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	a, err := cfg.analyzer(n)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &Scanner{cfg: cfg, a: a}, nil
}

// Name returns "anonymize".
func (s *Scanner) Name() string { return Name }

// Stages reports that the scanner runs on prompts.
func (s *Scanner) Stages() scanner.Stage { return scanner.StagePrompt }

// Rewrites reports that the scanner replaces text.
func (s *Scanner) Rewrites() bool { return true }

// Scan replaces the personal data in in.Text() and records the originals
// in in.Vault (or a vault of its own when in.Vault is nil).
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	start := time.Now()
	text := in.Text()
	ms, err := s.a.Analyze(ctx, text, s.cfg.Threshold)
	if err != nil {
		return scanner.Result{}, err
	}
	res := scanner.Clean(text, scanner.MethodHeuristic)
	if len(ms) == 0 {
		res.Duration = time.Since(start)
		return res, nil
	}
	v := in.Vault
	if v == nil {
		v = scanner.NewVault(0)
	}
	var b strings.Builder
	b.Grow(len(s.cfg.Preamble) + len(text) + 16*len(ms))
	b.WriteString(s.cfg.Preamble)
	last := 0
	for _, m := range ms {
		orig := text[m.Start:m.End]
		var p string
		if s.cfg.UseFaker {
			p = v.PlaceholderFunc(m.Type, orig, func(entity string, n int) string { return fake(s.cfg.FakerSeed, entity, orig, n) })
		} else {
			p = v.Placeholder(m.Type, orig)
		}
		b.WriteString(text[last:m.Start])
		b.WriteString(p)
		last = m.End
		res.Risk = max(res.Risk, m.Score)
		if len(res.Findings) < maxFindings {
			res.Findings = append(res.Findings, scanner.Finding{Rule: m.Type, Start: m.Start, End: m.End, Score: m.Score, Detail: "replaced by a placeholder"})
		}
	}
	b.WriteString(text[last:])
	res.Sanitized = b.String()
	res.Valid = false
	res.Risk = scanner.ClampRisk(res.Risk)
	res.Duration = time.Since(start)
	return res, nil
}
