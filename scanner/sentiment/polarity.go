package sentiment

import (
	"context"
	"strings"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/mlscan"
)

// The scanner's ML decision is binary: is the text negative rather than
// positive? A sentiment model with NEGATIVE, POSITIVE and NEUTRAL labels
// spreads its probability over all three, so P(NEGATIVE) alone also falls
// when the model is unsure whether a text carries sentiment at all, and no
// threshold on it means "more negative than positive". The scanner judges
// the NEGATIVE score renormalised over the two polar labels,
//
//	risk = P(NEGATIVE) / (P(NEGATIVE) + P(POSITIVE)),
//
// so that risk 0.5 is the point where the model finds both equally likely.
// The default threshold is the model's own (config.json "threshold"; the
// built-in model's is chosen on held-out sources for this score, so that
// few ordinary prompts are flagged), else 0.5: P(NEGATIVE) > P(POSITIVE).
// Figures on TweetEval and on benign prompts for both are in
// models/sentiment/MODEL_CARD.md. A model without both labels, or a
// configuration whose positive_labels are not exactly NEGATIVE, is scored
// as the classifier scores it.

// polarThreshold is the threshold on the renormalised score when the model
// states none: P(NEGATIVE) > P(POSITIVE).
const polarThreshold = 0.5

// withPolarScore wraps the scanner's model source so that predictions carry
// the renormalised score. It is applied after the caller's options, so it
// wraps whatever model source they set.
func withPolarScore(o *mlscan.Options) {
	if o.Models != nil {
		o.Models = polarModels{o.Models}
	}
}

type polarModels struct{ inner mlscan.Models }

func (m polarModels) Get(ctx context.Context, ref classifier.Ref) (mlscan.Model, error) {
	c, err := m.inner.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	return polarModel{c}, nil
}

// polarModel is a model whose Classify reports the renormalised score.
type polarModel struct{ mlscan.Model }

// Classify scores text with the wrapped model and renormalises the best
// part's score. The wrapped model picks the best part by its own positive
// score; for the built-in model both scores are increasing functions of one
// polarity value, so the part is the same.
func (m polarModel) Classify(ctx context.Context, text string, mt classifier.MatchType, positive []string) (classifier.Prediction, error) {
	p, err := m.Model.Classify(ctx, text, mt, positive)
	if err != nil {
		return p, err
	}
	if !m.polar(positive) {
		return p, nil
	}
	s, ok := polarScore(p.Best.Result.Labels, p.Best.Result.Scores)
	if !ok {
		return p, nil
	}
	p.Score, p.Best.Score = s, s
	return p, nil
}

// Threshold is the default threshold on the renormalised score: the
// model's own, else polarThreshold.
func (m polarModel) Threshold() float64 {
	if t := m.Model.Threshold(); t > 0 || !m.polar(nil) {
		return t
	}
	return polarThreshold
}

// PositiveLabels forwards the wrapped model's positive labels, if it names
// them.
func (m polarModel) PositiveLabels() []string {
	if pl, ok := m.Model.(interface{ PositiveLabels() []string }); ok {
		return pl.PositiveLabels()
	}
	return nil
}

// polar reports whether the renormalised score applies: the effective
// positive labels (the override, else the model's) are NEGATIVE alone.
func (m polarModel) polar(override []string) bool {
	labels := override
	if len(labels) == 0 {
		labels = m.PositiveLabels()
	}
	return len(labels) == 1 && strings.EqualFold(labels[0], "NEGATIVE")
}

// polarScore returns P(NEGATIVE)/(P(NEGATIVE)+P(POSITIVE)) from one part's
// label scores (labels matched without regard to case); ok is false when
// the model lacks either label. Both zero gives 0: the model puts all its
// mass elsewhere (NEUTRAL).
func polarScore(labels []string, scores []float64) (float64, bool) {
	neg, pos := -1.0, -1.0
	for i, l := range labels {
		if i >= len(scores) {
			break
		}
		switch {
		case strings.EqualFold(l, "NEGATIVE"):
			neg = scores[i]
		case strings.EqualFold(l, "POSITIVE"):
			pos = scores[i]
		}
	}
	if neg < 0 || pos < 0 {
		return 0, false
	}
	if neg+pos <= 0 {
		return 0, true
	}
	return min(max(neg/(neg+pos), 0), 1), true
}
