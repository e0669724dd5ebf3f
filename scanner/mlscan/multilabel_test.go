package mlscan

import (
	"context"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/inference"
)

// multiModel is a multi-label (sigmoid) model with fixed scores per label
// for every text; it names its positive labels like *classifier.Classifier.
type multiModel struct {
	labels []string
	logits []float32
}

func (m *multiModel) Classify(_ context.Context, text string, _ classifier.MatchType, positive []string) (classifier.Prediction, error) {
	r, err := inference.FromMultiLabelLogits(m.logits, m.labels)
	if err != nil {
		return classifier.Prediction{}, err
	}
	if len(positive) == 0 {
		positive = m.PositiveLabels()
	}
	s := 0.0
	for _, l := range positive {
		v, _ := r.Score(l)
		s = max(s, v)
	}
	return classifier.Prediction{Score: s, Parts: 1, Best: classifier.Part{End: len(text), Result: r, Score: s}}, nil
}

func (m *multiModel) BestLabel(p classifier.Prediction, positive []string) string {
	if len(positive) == 0 {
		positive = m.PositiveLabels()
	}
	best, bs := "", -1.0
	for _, l := range positive {
		if v, _ := p.Best.Result.Score(l); v > bs {
			best, bs = l, v
		}
	}
	return best
}
func (m *multiModel) PositiveLabels() []string { return m.labels }
func (m *multiModel) Threshold() float64       { return 0.5 }
func (m *multiModel) Version() string          { return "multi@1" }

type oneModel struct{ m Model }

func (o oneModel) Get(context.Context, classifier.Ref) (Model, error) { return o.m, nil }

// TestMultiLabelFindings: a multi-label model flags when any positive label
// reaches the threshold, and every such label gets its own finding (best
// first); labels below it, and labels outside positive_labels, get none.
func TestMultiLabelFindings(t *testing.T) {
	labels := []string{"hate", "insult", "threat"}
	cases := []struct {
		name      string
		logits    []float32 // sigmoid(2)=0.88, sigmoid(1)=0.73, sigmoid(-2)=0.12
		positive  []string
		wantValid bool
		wantRules []string
	}{
		{"two labels", []float32{1, 2, -2}, nil, false, []string{"ml.insult", "ml.hate"}},
		{"one label", []float32{-2, -2, 2}, nil, false, []string{"ml.threat"}},
		{"none", []float32{-2, -2, -2}, nil, true, nil},
		{"override", []float32{2, 1, -2}, []string{"insult"}, false, []string{"ml.insult"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.ML.Mode = MLOnly
			cfg.PositiveLabels = tc.positive
			d, err := New(cfg, Options{Name: "toxicity", Heuristic: rules, Models: oneModel{&multiModel{labels, tc.logits}}})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			r := scan(t, d, "some text")
			if r.Valid != tc.wantValid {
				t.Fatalf("valid %v, want %v", r.Valid, tc.wantValid)
			}
			var rules []string
			for _, f := range r.Findings {
				rules = append(rules, f.Rule)
				if f.Score < 0.5 {
					t.Errorf("finding %s has score %v below the threshold", f.Rule, f.Score)
				}
			}
			if len(rules) != len(tc.wantRules) {
				t.Fatalf("findings %v, want %v", rules, tc.wantRules)
			}
			for i := range rules {
				if rules[i] != tc.wantRules[i] {
					t.Fatalf("findings %v, want %v", rules, tc.wantRules)
				}
			}
		})
	}
}
