package language

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Classifier is a user language classifier (Config.Model), as LLM Guard's Language
// scanner runs papluca/xlm-roberta-base-language-detection: its labels
// must be ISO 639-1 codes ("en", "de"; any case), and every code in
// ValidLanguages must be one of them (a code the model cannot predict
// would never pass). A text's risk is the model's probability that it is
// in a language outside ValidLanguages (the other labels' probabilities
// summed for a softmax model, the largest for a sigmoid one), flagged from
// Threshold. LLM Guard instead flags a text on which no allowed language
// scores above the threshold; for a confident model the two agree, but a
// text split between two allowed languages (0.4 + 0.4) passes here and is
// flagged there. MatchType full classifies the whole text in overlapping
// windows, sentence each sentence; a text with fewer than MinLetters
// letters passes unclassified, as with the built-in identifier (the
// script rule is the built-in identifier's, not applied to the model).
// ValidLanguages must still be codes the built-in identifier knows, so
// that the configuration also works when the model cannot be obtained.
//
// *classifier.Classifier implements it.
type Classifier = classifier.Model

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithClassifier gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithClassifier(m Classifier) Option { return func(s *Scanner) { s.user = m } }

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in identifier).
func (c Config) ConfiguredModel() string { return c.Model }

// withModel applies opts and pairs the user model with the configuration.
func withModel(s *Scanner, opts []Option) (*Scanner, error) {
	if err := modelscan.Apply(Name, s, opts, s.cfg.Model, "WithClassifier", func(s *Scanner) bool { return s.user != nil }); err != nil {
		return nil, err
	}
	if s.user == nil {
		return s, nil
	}
	labels := s.user.Labels()
	for i, code := range s.cfg.ValidLanguages {
		if !slices.ContainsFunc(labels, func(l string) bool { return strings.EqualFold(strings.TrimSpace(l), code) }) {
			return nil, fmt.Errorf("%s: valid_languages[%d]: model %s has no label %q (its labels: %s)", Name, i, s.cfg.Model, code, strings.Join(labels, ", "))
		}
	}
	s.other = nil
	for _, l := range labels {
		if !slices.ContainsFunc(s.cfg.ValidLanguages, func(code string) bool { return strings.EqualFold(strings.TrimSpace(l), code) }) {
			s.other = append(s.other, l)
		}
	}
	if len(s.other) == 0 {
		return nil, fmt.Errorf("%s: valid_languages: every language of model %s is allowed; nothing could be flagged", Name, s.cfg.Model)
	}
	s.fp = rulescan.Fingerprint(Name, fmt.Sprintf("model/%s/%s/%s/%d", s.user.Version(), strings.Join(s.cfg.ValidLanguages, ","), s.cfg.MatchType, s.cfg.MinLetters), s.cfg.Threshold)
	return s, nil
}

// scanModel scores text with the user's classifier.
func (s *Scanner) scanModel(ctx context.Context, text string) (scanner.Result, error) {
	return modelscan.Scan(ctx, Name, s.cfg.Model, s.user, text, modelscan.MatchType(s.cfg.MatchType), s.other, s.cfg.Threshold, s.cfg.MinLetters,
		func(v modelscan.Verdict) scanner.Finding {
			return scanner.Finding{Rule: Name, Detail: fmt.Sprintf("model: language %s, not allowed languages have probability %.2f", s.user.BestLabel(v.Prediction, s.other), v.Prediction.Score)}
		})
}
