package inference

import (
	"fmt"
)

// InferenceResult holds the scores of one classified sequence.
type InferenceResult struct {
	// Labels are the class names in model output order.
	Labels []string
	// Scores are probabilities in [0,1], one per label (summing to 1 after
	// Softmax, independent after Sigmoid).
	Scores []float64
	// PredictedClass is the index of the highest score (the first on ties).
	PredictedClass int
	// MaxScore is Scores[PredictedClass].
	MaxScore float64
}

// NewResult post-processes logits of one sample into a result. labels must
// have one entry per logit.
func NewResult(logits []float32, labels []string, post PostProcessing) (InferenceResult, error) {
	if len(labels) == 0 {
		return InferenceResult{}, fmt.Errorf("%w: no labels", ErrInvalidInput)
	}
	if len(labels) != len(logits) {
		return InferenceResult{}, fmt.Errorf("%w: model returns %d logits but %d labels were given", ErrOutputShape, len(logits), len(labels))
	}
	scores, err := post.Apply(logits)
	if err != nil {
		return InferenceResult{}, err
	}
	best := 0
	for i, s := range scores {
		if s > scores[best] {
			best = i
		}
	}
	return InferenceResult{
		Labels:         append([]string(nil), labels...),
		Scores:         scores,
		PredictedClass: best,
		MaxScore:       scores[best],
	}, nil
}

// FromBinaryLogits builds a result with softmax (single-label, binary or
// multi-class) scores.
func FromBinaryLogits(logits []float32, labels []string) (InferenceResult, error) {
	return NewResult(logits, labels, Softmax)
}

// FromMultiLabelLogits builds a result with independent sigmoid scores.
func FromMultiLabelLogits(logits []float32, labels []string) (InferenceResult, error) {
	return NewResult(logits, labels, Sigmoid)
}

// PredictedLabel returns the label with the highest score, or "" for an
// empty result.
func (r InferenceResult) PredictedLabel() string {
	if r.PredictedClass < 0 || r.PredictedClass >= len(r.Labels) {
		return ""
	}
	return r.Labels[r.PredictedClass]
}

// ExceedsThreshold reports whether the highest score is strictly above t.
// For binary safe/unsafe models prefer Score(unsafeLabel) > t, since the
// highest score may belong to the safe label.
func (r InferenceResult) ExceedsThreshold(t float64) bool {
	return len(r.Scores) > 0 && r.MaxScore > t
}

// Score returns the score of label and whether the label exists.
func (r InferenceResult) Score(label string) (float64, bool) {
	for i, l := range r.Labels {
		if l == label && i < len(r.Scores) {
			return r.Scores[i], true
		}
	}
	return 0, false
}

// IsBinary reports whether the result has exactly two labels.
func (r InferenceResult) IsBinary() bool { return len(r.Labels) == 2 }

// ThresholdViolations returns, in label order, the labels whose score is
// strictly above their threshold. Labels without a threshold in the map are
// not checked; thresholds for unknown labels are ignored.
func (r InferenceResult) ThresholdViolations(thresholds map[string]float64) []string {
	var out []string
	for i, l := range r.Labels {
		if t, ok := thresholds[l]; ok && i < len(r.Scores) && r.Scores[i] > t {
			out = append(out, l)
		}
	}
	return out
}
