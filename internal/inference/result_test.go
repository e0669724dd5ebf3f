package inference

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestResult(t *testing.T) {
	r, err := FromBinaryLogits([]float32{-1, 1}, []string{"SAFE", "INJECTION"})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.PredictedLabel(); got != "INJECTION" {
		t.Errorf("PredictedLabel = %q", got)
	}
	if r.PredictedClass != 1 || r.MaxScore != r.Scores[1] {
		t.Errorf("PredictedClass/MaxScore = %d/%v, scores %v", r.PredictedClass, r.MaxScore, r.Scores)
	}
	if !r.IsBinary() {
		t.Error("IsBinary = false")
	}
	if !r.ExceedsThreshold(0.8) || r.ExceedsThreshold(0.9) || r.ExceedsThreshold(r.MaxScore) {
		t.Errorf("ExceedsThreshold wrong for max score %v", r.MaxScore)
	}
	if s, ok := r.Score("SAFE"); !ok || s != r.Scores[0] {
		t.Errorf("Score(SAFE) = %v, %v", s, ok)
	}
	if _, ok := r.Score("nope"); ok {
		t.Error("Score(nope) found")
	}

	m, err := FromMultiLabelLogits([]float32{2, -2, 0.5}, []string{"toxicity", "insult", "threat"})
	if err != nil {
		t.Fatal(err)
	}
	if m.IsBinary() {
		t.Error("3 labels reported binary")
	}
	// scores: toxicity 0.881, insult 0.119, threat 0.622
	got := m.ThresholdViolations(map[string]float64{"toxicity": 0.5, "insult": 0.2, "threat": 0.7, "unknown": 0})
	if diff := cmp.Diff([]string{"toxicity"}, got); diff != "" {
		t.Errorf("ThresholdViolations (-want +got):\n%s", diff)
	}
	got = m.ThresholdViolations(map[string]float64{"threat": 0.6, "insult": 0.1})
	if diff := cmp.Diff([]string{"insult", "threat"}, got); diff != "" {
		t.Errorf("ThresholdViolations (-want +got):\n%s", diff)
	}

	var zero InferenceResult
	if zero.PredictedLabel() != "" || zero.ExceedsThreshold(0) || zero.IsBinary() {
		t.Error("zero result misbehaves")
	}
}

func TestNewResultErrors(t *testing.T) {
	if _, err := NewResult([]float32{1, 2}, []string{"a"}, Softmax); !errors.Is(err, ErrOutputShape) {
		t.Errorf("label count mismatch: %v", err)
	}
	if _, err := NewResult([]float32{1}, nil, Softmax); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("no labels: %v", err)
	}
}
