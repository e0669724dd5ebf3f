// Package languagesame flags an answer in another language than its
// prompt, like LLM Guard's LanguageSame output scanner.
//
// Both texts are identified as in the language scanner (internal/langid):
//
//  1. When their dominant scripts share no language (a Chinese prompt, an
//     English answer), the answer is flagged, whatever the lengths, with
//     confidence 1.
//  2. A text of at least MinLetters letters (default 20) whose language
//     whatlanggo names with a confidence of at least Threshold is
//     "identified". The answer is flagged when both are identified and
//     differ, or when one is identified and the other's script cannot
//     write its language (an English prompt and a two-letter Cyrillic
//     answer: Latin and Cyrillic share Azerbaijani and Turkmen, so rule 1
//     alone lets it pass).
//  3. Anything else (both short, unsure identification, no letters) gets
//     no verdict and passes.
//
// # Differences from LLM Guard
//
//   - LLM Guard runs its language-detection model on both texts and
//     passes when they share any language scored above its threshold
//     (default 0.1); here whatlanggo gives one language per text, and its
//     confidence must reach Threshold (default 0.6, as for the language
//     scanner, since whatlanggo's confidence is a margin over the runner-up
//     rather than a probability).
//   - Short or unsure texts pass instead of failing.
package languagesame

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/llmshield/llmshield/internal/langid"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "language_same"

// maxDetectBytes bounds the text given to the identifier.
const maxDetectBytes = 16 << 10

// Config configures Scanner.
type Config struct {
	// Threshold is the identifier confidence both texts need before
	// differing languages flag the answer. Default 0.6.
	Threshold float64 `yaml:"threshold"`
	// MinLetters is the fewest letters each text needs for a language
	// verdict (the script rule applies regardless). Default 20.
	MinLetters int `yaml:"min_letters"`
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config { return Config{Threshold: 0.6, MinLetters: 20} }

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	return errors.Join(rulescan.Threshold(c.Threshold), rulescan.AtLeast("min_letters", c.MinLetters, 1))
}

// Scanner compares languages. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg Config
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg. The scanner runs on outputs.
func New(cfg Config) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	return &Scanner{Shell: rulescan.NewShell(Name, scanner.StageOutput, "1", cfg), cfg: cfg}, nil
}

// Scan flags an answer (in.Output) in another language than in.Prompt. A
// prompt scan (no answer) is never flagged. It returns ctx.Err() once ctx
// is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	return rulescan.Scan(ctx, in, func(ctx context.Context, text string, res *scanner.Result) error {
		if !in.IsOutput() {
			return nil
		}
		pl, ps := langid.ScriptOf(in.Prompt)
		ol, os := langid.ScriptOf(text)
		flag := func(conf float64, detail string) {
			rulescan.Flag(res, scanner.Finding{Rule: Name, Start: 0, End: len(text), Score: conf, Detail: detail})
		}
		if ps == nil || os == nil {
			return nil
		}
		if !slices.ContainsFunc(ps.Langs, func(l string) bool { return slices.Contains(os.Langs, l) }) {
			flag(1, fmt.Sprintf("prompt in %s script, answer in %s script", ps.Name, os.Name))
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		pLang, pConf := s.identify(in.Prompt, pl)
		oLang, oConf := s.identify(text, ol)
		switch {
		case pLang != "" && oLang != "" && pLang != oLang:
			flag(min(pConf, oConf), fmt.Sprintf("prompt in %s, answer in %s", pLang, oLang))
		case pLang != "" && !slices.Contains(os.Langs, pLang):
			flag(pConf, fmt.Sprintf("prompt in %s, answer in %s script", pLang, os.Name))
		case oLang != "" && !slices.Contains(ps.Langs, oLang):
			flag(oConf, fmt.Sprintf("prompt in %s script, answer in %s", ps.Name, oLang))
		}
		return nil
	})
}

// identify returns the language of a text of letters letters when it is
// long enough and identified with enough confidence, else "".
func (s *Scanner) identify(text string, letters int) (string, float64) {
	if letters < s.cfg.MinLetters {
		return "", 0
	}
	r := langid.Detect(normalize.Cut(text, maxDetectBytes))
	if r.Lang == "" || r.Confidence < s.cfg.Threshold {
		return "", 0
	}
	return r.Lang, r.Confidence
}
