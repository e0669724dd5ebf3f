package gibberish

import (
	"context"
	"fmt"
	"strings"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modelscan"
	"github.com/llmshield/llmshield/internal/rulescan"
	"github.com/llmshield/llmshield/scanner"
)

// Classifier is a user gibberish classifier (Config.Model), as LLM Guard's Gibberish
// scanner runs madhurjindal/autonlp-Gibberish-Detector-492513457 with the
// labels clean, mild gibberish, noise and word salad: the label "clean"
// (any case) is the benign one and every other label is a kind of
// gibberish; a LABEL_0/LABEL_1 model's LABEL_1 is gibberish. A text's
// risk is the model's probability of gibberish (the gibberish labels'
// probabilities summed for a softmax model, the largest for a sigmoid
// one), flagged from Threshold. LLM Guard instead flags when the single
// most probable label is not clean and its score exceeds the threshold,
// so "mild gibberish" 0.3 + "noise" 0.3 passes there and is flagged
// here at 0.5. MatchType full classifies the whole text in overlapping
// windows, sentence each sentence; texts with fewer than MinLetters
// letters pass unclassified, as with the built-in model.
//
// *classifier.Classifier implements it.
type Classifier = classifier.Model

// Option supplies what New needs besides the configuration.
type Option func(*Scanner)

// WithClassifier gives the scanner the model that Config.Model names
// (scanner/builtin loads it through the model hub).
func WithClassifier(m Classifier) Option { return func(s *Scanner) { s.user = m } }

// ConfiguredModel returns the user model the configuration names ("" for
// the built-in model).
func (c Config) ConfiguredModel() string { return c.Model }

// GibberishLabels returns the labels of a user model that mean gibberish:
// every label but "clean", or LABEL_1 of a LABEL_0/LABEL_1 model.
func GibberishLabels(labels []string) ([]string, error) {
	return modelscan.LabelsBut(labels, "clean", "gibberish")
}

// withModel applies opts and pairs the user model with the configuration.
func withModel(s *Scanner, opts []Option) (*Scanner, error) {
	if err := modelscan.Apply(Name, s, opts, s.cfg.Model, "WithClassifier", func(s *Scanner) bool { return s.user != nil }); err != nil {
		return nil, err
	}
	if s.user == nil {
		return s, nil
	}
	labels, err := GibberishLabels(s.user.Labels())
	if err != nil {
		return nil, fmt.Errorf("%s: model: %s: %w", Name, s.cfg.Model, err)
	}
	s.userLabels = labels
	s.fp = rulescan.Fingerprint(Name, fmt.Sprintf("model/%s/%s/%d/%s", s.user.Version(), s.cfg.MatchType, s.cfg.MinLetters, strings.Join(labels, ",")), s.cfg.Threshold)
	return s, nil
}

// scanModel scores text with the user's classifier.
func (s *Scanner) scanModel(ctx context.Context, text string) (scanner.Result, error) {
	return modelscan.Scan(ctx, Name, s.cfg.Model, s.user, text, modelscan.MatchType(s.cfg.MatchType), s.userLabels, s.cfg.Threshold, s.cfg.MinLetters,
		func(v modelscan.Verdict) scanner.Finding {
			return scanner.Finding{Rule: Name, Detail: fmt.Sprintf("model: gibberish probability %.2f (most likely %s)", v.Prediction.Score, s.user.BestLabel(v.Prediction, s.userLabels))}
		})
}
