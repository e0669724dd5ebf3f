// Package code flags source code in given languages, like LLM Guard's Code
// scanner: with IsBlocked (the default) code in one of Languages is
// flagged; with IsBlocked false, Languages is an allow-list and code in any
// other language (or in a language that cannot be told) is flagged.
//
// Code and its language are found by internal/codedetect: fenced blocks and
// their tags, shebangs, line-level syntax cues, and Linguist's classifier
// restricted to the candidates the cues leave (see that package). The
// per-language accuracy on code and prose never used to write the cues is in
// README.md in this directory.
//
// # Differences from LLM Guard
//
//   - LLM Guard classifies with a fine-tuned CodeBERTa model over 26
//     languages; here languages are Linguist names or aliases ("python",
//     "golang", "C#", "shell"), and detection covers Python, Go,
//     JavaScript, TypeScript, C, C++, Java, C#, Shell, Ruby, PHP, Rust, SQL,
//     HTML and CSS by syntax cues plus any language named in a fenced
//     block's tag or a shebang.
//   - Threshold (default 0.5) applies to codedetect's block score (the
//     share of code-like lines), not to a model probability.
//   - There is no match_type: blocks are found wherever they are.
package code

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/internal/codedetect"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Name is the scanner's identifier.
const Name = "code"

// Config configures Scanner.
type Config struct {
	// Languages are Linguist language names or aliases. Required.
	Languages []string `yaml:"languages"`
	// IsBlocked: true (default) flags code in Languages; false flags code
	// in any other language.
	IsBlocked bool `yaml:"is_blocked"`
	// Threshold is the block score from which a block counts as code.
	// Default 0.5.
	Threshold float64 `yaml:"threshold"`
	// Model is a user code-language classifier (see usermodel.go): a
	// registry id or name, or a local model directory. Empty uses the
	// built-in detector alone.
	Model string `yaml:"model"`
}

// DefaultConfig returns the defaults; Languages must still be set.
func DefaultConfig() Config { return Config{IsBlocked: true, Threshold: 0.5} }

// Canonical returns the Linguist name for a language name or alias.
func Canonical(name string) (string, bool) {
	if l, ok := codedetect.LanguageByAlias(strings.ToLower(strings.TrimSpace(name))); ok {
		return l, true
	}
	if codedetect.IsLanguage(name) {
		return name, true
	}
	return "", false
}

// Validate checks the configuration; errors name the field.
func (c Config) Validate() error {
	if len(c.Languages) == 0 {
		return fmt.Errorf("languages: at least one language is required")
	}
	for i, l := range c.Languages {
		if _, ok := Canonical(l); !ok {
			return fmt.Errorf("languages[%d]: unknown language %q (use a Linguist name or alias)", i, l)
		}
	}
	return rulescan.Threshold(c.Threshold)
}

// Scanner flags code by language. It is immutable after New and safe for
// concurrent use.
type Scanner struct {
	rulescan.Shell
	cfg   Config
	langs []string
	// user is the user model, userLangs its labels' Linguist names.
	user      Classifier
	userLangs map[string]string
}

var _ rulescan.Scanner = (*Scanner)(nil)

// New validates cfg; WithClassifier supplies the user model that
// cfg.Model names. The scanner suits prompts and outputs.
func New(cfg Config, opts ...Option) (*Scanner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	var langs []string
	for _, l := range cfg.Languages {
		c, _ := Canonical(l)
		if !slices.Contains(langs, c) {
			langs = append(langs, c)
		}
	}
	slices.Sort(langs)
	cfg.Languages = langs
	return withModel(&Scanner{Shell: rulescan.NewShell(Name, scanner.StageBoth, "1", cfg), cfg: cfg, langs: langs}, opts)
}

// Scan flags code in a blocked (or not allowed) language. It returns
// ctx.Err() once ctx is done.
func (s *Scanner) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	if s.user != nil {
		return s.scanModel(ctx, in.Text())
	}
	return rulescan.Scan(ctx, in, func(_ context.Context, text string, res *scanner.Result) error {
		for _, b := range codedetect.Find(text) {
			if b.Score < s.cfg.Threshold || slices.Contains(s.langs, b.Lang) != s.cfg.IsBlocked {
				continue
			}
			lang := b.Lang
			if lang == "" {
				lang = "unknown language"
			}
			detail := lang + " code"
			if !s.cfg.IsBlocked {
				detail += ", not an allowed language"
			}
			rulescan.Flag(res, scanner.Finding{Rule: Name, Start: b.Start, End: b.End, Score: b.Score, Detail: detail})
		}
		return nil
	})
}
