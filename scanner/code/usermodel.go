package code

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/codedetect"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Classifier is a user code-language classifier (Config.Model), as LLM Guard's Code
// scanner runs philomath-1209/programming-language-identification: its
// labels must be Linguist language names or aliases ("Python", "C++",
// "JavaScript"; labels that are not are never a configured language). The
// built-in detector still finds the code blocks (fenced, shebang or
// syntax cues, at its default block score 0.5); the model names each
// block's language, and Threshold applies to the model's probability of
// that language. With IsBlocked, every configured language must be one of
// the model's (else it could never be flagged). LLM Guard classifies the
// fenced blocks, or the whole text when there are none, so prose is given
// a language too; here text without code is not classified and passes.
// At most maxModelBlocks blocks of a text are classified (each is one
// model call, truncated to the model's maximum length).

// *classifier.Classifier implements it.
type Classifier = classifier.Model

const (
	blockScore     = 0.5
	maxModelBlocks = 32
)

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithClassifier gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithClassifier(m Classifier) Option { return func(s *Scanner) { s.user = m } }

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in detector alone).
func (c Config) ConfiguredModel() string { return c.Model }

// withModel applies opts and pairs the user model with the configuration.
func withModel(s *Scanner, opts []Option) (*Scanner, error) {
	if err := modelscan.Apply(Name, s, opts, s.cfg.Model, "WithClassifier", func(s *Scanner) bool { return s.user != nil }); err != nil {
		return nil, err
	}
	if s.user == nil {
		return s, nil
	}
	s.userLangs = map[string]string{}
	for _, l := range s.user.Labels() {
		if c, ok := Canonical(l); ok {
			s.userLangs[l] = c
		}
	}
	if s.cfg.IsBlocked {
		for i, l := range s.cfg.Languages {
			c, _ := Canonical(l)
			if !slices.ContainsFunc(s.user.Labels(), func(label string) bool { return s.userLangs[label] == c }) {
				return nil, fmt.Errorf("%s: languages[%d]: model %s has no label for %s (its labels: %s)", Name, i, s.cfg.Model, c, strings.Join(s.user.Labels(), ", "))
			}
		}
	}
	s.Shell = rulescan.NewShell(Name, scanner.StageBoth, "1/model/"+s.user.Version(), s.cfg)
	return s, nil
}

// scanModel classifies each code block of text with the user's model.
func (s *Scanner) scanModel(ctx context.Context, text string) (scanner.Result, error) {
	start := time.Now()
	res := scanner.Clean(text, scanner.MethodML)
	res.Threshold = s.cfg.Threshold
	if !utf8.ValidString(text) {
		return scanner.Result{}, fmt.Errorf("%s: %w", Name, scanner.ErrInvalidUTF8)
	}
	labels := s.user.Labels()
	n := 0
	for _, b := range codedetect.Find(text) {
		if b.Score < blockScore || strings.TrimSpace(text[b.Start:b.End]) == "" {
			continue
		}
		if n++; n > maxModelBlocks {
			break
		}
		p, err := s.user.Classify(ctx, text[b.Start:b.End], classifier.MatchTruncate, nil)
		if err != nil {
			return scanner.Result{}, modelscan.Err(Name, s.cfg.Model, err)
		}
		label := s.user.BestLabel(p, labels)
		prob, _ := p.Best.Result.Score(label)
		lang := s.userLangs[label]
		if prob < s.cfg.Threshold || slices.Contains(s.langs, lang) != s.cfg.IsBlocked {
			continue
		}
		detail := fmt.Sprintf("model: %s code (probability %.2f)", label, prob)
		if !s.cfg.IsBlocked {
			detail += ", not an allowed language"
		}
		res.Risk = max(res.Risk, scanner.ClampRisk(prob))
		res.Findings = append(res.Findings, scanner.Finding{Rule: Name, Start: b.Start, End: b.End, Score: scanner.ClampRisk(prob), Detail: detail})
	}
	res.Valid = len(res.Findings) == 0
	res.Duration = time.Since(start)
	return res, nil
}
