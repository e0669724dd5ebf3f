package sentiment

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/mlscan"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/models"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestPolarScore(t *testing.T) {
	for _, c := range []struct {
		labels []string
		scores []float64
		want   float64
		ok     bool
	}{
		{[]string{"POSITIVE", "NEGATIVE", "NEUTRAL"}, []float64{0.1, 0.3, 0.6}, 0.75, true},
		{[]string{"POSITIVE", "NEGATIVE", "NEUTRAL"}, []float64{0.3, 0.1, 0.6}, 0.25, true},
		{[]string{"negative", "neutral", "positive"}, []float64{0.2, 0.6, 0.2}, 0.5, true},
		{[]string{"POSITIVE", "NEGATIVE", "NEUTRAL"}, []float64{0, 0, 1}, 0, true},
		{[]string{"NEGATIVE", "POSITIVE"}, []float64{0.9, 0.1}, 0.9, true},
		{[]string{"SAFE", "TOXIC"}, []float64{0.5, 0.5}, 0, false},
		{[]string{"NEGATIVE", "NEUTRAL"}, []float64{0.5, 0.5}, 0, false},
		{[]string{"POSITIVE", "NEGATIVE"}, []float64{0.5}, 0, false}, // scores shorter than labels
	} {
		got, ok := polarScore(c.labels, c.scores)
		if ok != c.ok || math.Abs(got-c.want) > 1e-12 {
			t.Errorf("polarScore(%v, %v) = %v, %v; want %v, %v", c.labels, c.scores, got, ok, c.want, c.ok)
		}
	}
}

// fakeModel returns fixed three-class scores.
type fakeModel struct {
	scores    []float64
	positive  []string
	threshold float64
}

func (f fakeModel) Classify(_ context.Context, text string, _ classifier.MatchType, positive []string) (classifier.Prediction, error) {
	labels := []string{"POSITIVE", "NEGATIVE", "NEUTRAL"}
	if len(positive) == 0 {
		positive = f.positive
	}
	var s float64
	for i, l := range labels {
		for _, p := range positive {
			if p == l {
				s += f.scores[i]
			}
		}
	}
	r := inference.InferenceResult{Labels: labels, Scores: f.scores}
	return classifier.Prediction{Score: s, Parts: 1, Best: classifier.Part{End: len(text), Result: r, Score: s}}, nil
}
func (f fakeModel) BestLabel(classifier.Prediction, []string) string { return "NEGATIVE" }
func (f fakeModel) Threshold() float64                               { return f.threshold }
func (f fakeModel) Version() string                                  { return "fake" }
func (f fakeModel) PositiveLabels() []string                         { return f.positive }

type fakeModels struct{ m mlscan.Model }

func (f fakeModels) Get(context.Context, classifier.Ref) (mlscan.Model, error) { return f.m, nil }

func mlOnly(t *testing.T, m mlscan.Model, mutate func(*Config)) *Scanner {
	t.Helper()
	cfg := DefaultConfig()
	cfg.ML.Mode = mlscan.MLOnly
	cfg.ML.FallbackToHeuristic = false
	if mutate != nil {
		mutate(&cfg)
	}
	s := scannertest.MustWith(t, New, cfg, mlscan.WithEnv("", fakeModels{m}, nil, nil))
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestPolarDecision: the ML verdict is P(NEG) vs P(POS), whatever NEUTRAL
// holds, and the 3-class threshold of the model is not used for it.
func TestPolarDecision(t *testing.T) {
	ctx := context.Background()
	in := scanner.Input{Prompt: "some text"}
	// P(NEG) 0.3 is far below 0.5 but above P(POS) 0.1: with no model
	// threshold, flagged at 0.5, risk 0.75.
	s := mlOnly(t, fakeModel{scores: []float64{0.1, 0.3, 0.6}, positive: []string{"NEGATIVE"}}, nil)
	r, err := s.Scan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if r.Valid || math.Abs(r.Risk-0.75) > 1e-9 || r.Threshold != polarThreshold {
		t.Errorf("P(NEG) 0.3 > P(POS) 0.1: got valid %v risk %v threshold %v; want flagged, risk 0.75, threshold 0.5", r.Valid, r.Risk, r.Threshold)
	}
	// P(NEG) 0.45 below P(POS) 0.55: not flagged.
	s = mlOnly(t, fakeModel{scores: []float64{0.55, 0.45, 0}, positive: []string{"NEGATIVE"}}, nil)
	if r, err = s.Scan(ctx, in); err != nil {
		t.Fatal(err)
	}
	if !r.Valid || math.Abs(r.Risk-0.45) > 1e-9 {
		t.Errorf("P(NEG) 0.45 < P(POS) 0.55: got valid %v risk %v; want not flagged, risk 0.45", r.Valid, r.Risk)
	}
	// The model's own threshold applies to the renormalised score.
	s = mlOnly(t, fakeModel{scores: []float64{0.1, 0.3, 0.6}, positive: []string{"NEGATIVE"}, threshold: 0.8}, nil)
	if r, err = s.Scan(ctx, in); err != nil {
		t.Fatal(err)
	}
	if !r.Valid || r.Threshold != 0.8 || math.Abs(r.Risk-0.75) > 1e-9 {
		t.Errorf("model threshold 0.8, risk 0.75: got valid %v risk %v threshold %v; want not flagged", r.Valid, r.Risk, r.Threshold)
	}
	// A configured threshold applies to the renormalised score.
	s = mlOnly(t, fakeModel{scores: []float64{0.1, 0.3, 0.6}, positive: []string{"NEGATIVE"}, threshold: 0.9}, func(c *Config) { c.ML.Threshold = 0.7 })
	if r, err = s.Scan(ctx, in); err != nil {
		t.Fatal(err)
	}
	if r.Valid || r.Threshold != 0.7 {
		t.Errorf("ml.threshold 0.7, risk 0.75: got valid %v threshold %v; want flagged at 0.7", r.Valid, r.Threshold)
	}
	// Other positive labels: the classifier's own score and threshold.
	s = mlOnly(t, fakeModel{scores: []float64{0.1, 0.3, 0.6}, positive: []string{"NEGATIVE"}, threshold: 0.7},
		func(c *Config) { c.PositiveLabels = []string{"NEGATIVE", "NEUTRAL"} })
	if r, err = s.Scan(ctx, in); err != nil {
		t.Fatal(err)
	}
	if r.Valid || math.Abs(r.Risk-0.9) > 1e-9 {
		t.Errorf("positive labels NEGATIVE+NEUTRAL: got valid %v risk %v; want flagged, risk 0.9 (sum)", r.Valid, r.Risk)
	}
}

// TestBuiltinModelPolar runs the scanner with the built-in model (pure Go).
func TestBuiltinModelPolar(t *testing.T) {
	reg, err := registry.NewDefault(models.FS(), registry.WithOffline(true))
	if err != nil {
		t.Fatal(err)
	}
	h, err := classifier.NewHub(reg, classifier.HubOptions{Runtime: inference.RuntimeOptions{Backend: inference.BackendPureGo}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	cfg := DefaultConfig()
	cfg.ML.Mode = mlscan.MLOnly
	cfg.ML.FallbackToHeuristic = false
	// Loading the model under -race on a busy machine can take seconds.
	cfg.Resilience.CallTimeout = time.Minute
	s := scannertest.MustWith(t, New, cfg, mlscan.WithEnv("", mlscan.FromHub(h), nil, nil))
	t.Cleanup(func() { _ = s.Close() })
	for text, flagged := range map[string]bool{
		"The movie was not good.":                  true,
		"This is terrible, I hate it.":             true,
		"worst customer service ever, never again": true,
		"I love it, wonderful.":                    false,
		"What a great day with friends!":           false,
	} {
		r, err := s.Scan(context.Background(), scanner.Input{Prompt: text})
		if err != nil {
			t.Fatal(err)
		}
		if r.Valid == flagged || r.Method != scanner.MethodML {
			t.Errorf("%q: valid %v risk %.3f method %s; want flagged %v by the model", text, r.Valid, r.Risk, r.Method, flagged)
		}
	}
}
