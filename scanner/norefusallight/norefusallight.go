// Package norefusallight flags answers in which the model refuses, from
// refusal phrases, like LLM Guard's NoRefusalLight.
//
// The built-in list has phrases in English, German, French, Spanish,
// Italian, Portuguese, Dutch, Chinese, Japanese, Russian and a few in
// Polish, Turkish and Korean (phrases.go). Text and phrases are normalised
// with internal/normalize (case, accents, fullwidth forms, look-alike
// letters, invisible characters), and all phrases are found in one pass
// with an Aho-Corasick automaton. Phrases that start or end with a letter
// of an alphabetic script must start and end on a word boundary; phrases
// in Chinese, Japanese and Korean match anywhere.
//
// Differences from LLM Guard:
//   - LLM Guard flags any listed substring with risk 1. Here built-in
//     phrases are weighted: strong phrases ("I can't assist with") score
//     1, weak ones ("I'm sorry", "I cannot") score 0.45; a match that
//     starts after the first 300 bytes and the first quarter of the answer
//     counts 0.7 of its weight (refusals come first; "I cannot stress
//     enough" late in a long answer is not one). Distinct phrases combine
//     as a noisy OR, 1-Π(1-w), and the answer is flagged when that reaches
//     Threshold (default 0.5). So a weak phrase alone does not flag an
//     answer, a weak phrase with another does ("I'm sorry, I cannot"), a
//     strong phrase always does.
//   - Substrings, when set, replace the built-in list (as in LLM Guard);
//     each of them scores 1 wherever it occurs.
//   - There is no redaction: a refusal is not something to cut out.
package norefusallight

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "no_refusal_light"

const (
	strongWeight = 1.0
	weakWeight   = 0.45
	lateFactor   = 0.7
	earlyBytes   = 300
	maxFindings  = 100
)

// Config configures Scanner.
type Config struct {
	// Substrings, when non-empty, replace the built-in phrase list; each
	// scores 1.
	Substrings []string `yaml:"substrings"`
	// Threshold is the risk at which an answer is flagged, in (0,1].
	// Default 0.5.
	Threshold float64 `yaml:"threshold"`
}

// DefaultConfig returns the defaults: the built-in phrases, threshold 0.5.
func DefaultConfig() Config { return Config{Threshold: 0.5} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if err := rulescan.Threshold(c.Threshold); err != nil {
		return err
	}
	for i, s := range c.Substrings {
		if !utf8.ValidString(s) {
			return fmt.Errorf("substrings[%d]: not valid UTF-8", i)
		}
		if strings.TrimSpace(normalize.String(s)) == "" {
			return fmt.Errorf("substrings[%d]: empty after normalisation", i)
		}
	}
	return nil
}

type pattern struct {
	weight      float64
	lang        string
	anyPosition bool // user phrases: full weight anywhere
	boundLeft   bool // must start on a word boundary
	boundRight  bool
	id          int // phrase index (variants share it)
}

// Scanner flags refusals. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg    Config
	ac     *ahocorasick.Matcher
	pats   []pattern
	nIDs   int
	labels []string
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg and compiles the phrase automaton. The scanner checks
// outputs.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	s := &Scanner{Shell: rulescan.NewShell(Name, scanner.StageOutput, "1", cfg), cfg: cfg}
	var texts []string
	add := func(raw string, p pattern) {
		variants := []string{raw}
		if strings.Contains(raw, "'") {
			variants = append(variants, strings.ReplaceAll(raw, "'", "\u2019"))
		}
		for _, v := range variants {
			n := strings.TrimSpace(normalize.String(v))
			first, _ := utf8.DecodeRuneInString(n)
			last, _ := utf8.DecodeLastRuneInString(n)
			q := p
			q.boundLeft, q.boundRight = alphabetic(first), alphabetic(last)
			texts = append(texts, n)
			s.pats = append(s.pats, q)
		}
	}
	if len(cfg.Substrings) > 0 {
		for i, sub := range cfg.Substrings {
			add(sub, pattern{weight: 1, lang: "custom", anyPosition: true, id: i})
			s.labels = append(s.labels, fmt.Sprintf("substrings[%d]", i))
		}
		s.nIDs = len(cfg.Substrings)
	} else {
		for i, p := range builtin {
			w := weakWeight
			if p.strong {
				w = strongWeight
			}
			add(p.text, pattern{weight: w, lang: p.lang, id: i})
			kind := "weak"
			if p.strong {
				kind = "strong"
			}
			s.labels = append(s.labels, fmt.Sprintf("%s refusal phrase (%s)", kind, p.lang))
		}
		s.nIDs = len(builtin)
	}
	s.ac = ahocorasick.New(texts)
	return s, nil
}

// alphabetic reports whether r belongs to a script that separates words
// with spaces, so that a phrase edge on r needs a word boundary.
func alphabetic(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) &&
		!unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Thai)
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// Scan looks for refusal phrases in in.Text().
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(_ context.Context, text string, res *scanner.Result) error {
		res.Risk, res.Findings = s.Analyze(text)
		res.Valid = res.Risk < s.cfg.Threshold
		return nil
	})
}

// Analyze returns the refusal risk of text and the phrases found, with
// spans in text.
func (s *Scanner) Analyze(text string) (float64, []scanner.Finding) {
	nr := normalize.Normalize(text, normalize.Options{})
	defer nr.Release()
	seg := &nr.Segments[0]
	norm := seg.Text
	early := max(earlyBytes, len(text)/4)
	best := make([]float64, s.nIDs)
	findings := []scanner.Finding{}
	s.ac.Each(norm, func(m ahocorasick.Match) bool {
		p := s.pats[m.Pattern]
		if p.boundLeft && m.Start > 0 {
			if r, _ := utf8.DecodeLastRuneInString(norm[:m.Start]); isWord(r) {
				return true
			}
		}
		if p.boundRight && m.End < len(norm) {
			if r, _ := utf8.DecodeRuneInString(norm[m.End:]); isWord(r) {
				return true
			}
		}
		a, b := seg.Span(m.Start, m.End)
		w := p.weight
		if !p.anyPosition && a >= early {
			w *= lateFactor
		}
		if w > best[p.id] {
			best[p.id] = w
		}
		if len(findings) < maxFindings {
			findings = append(findings, scanner.Finding{Rule: Name, Start: a, End: b, Score: w, Detail: s.labels[p.id]})
		}
		return true
	})
	keep := 1.0
	for _, w := range best {
		keep *= 1 - w
	}
	risk := scanner.ClampRisk(1 - keep)
	return math.Round(risk*1e6) / 1e6, findings
}
