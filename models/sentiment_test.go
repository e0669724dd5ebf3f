package models_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/testkit"
	"github.com/llmshield/llmshield/model"
)

// referenceCase is one row of <model dir>/reference.json: logits the
// training script computed in float64 numpy from the same weights.
type referenceCase struct {
	Text   string    `json:"text"`
	Logits []float64 `json:"logits"`
}

// TestSentimentModel runs the built-in sentiment model (and its INT8
// variant) through the registry, the HashedNGram tokenizer and the pure-Go
// engine (and ONNX Runtime when LLMSHIELD_ORT_LIB is set), compares the
// probabilities with the training script's reference logits (computed in
// numpy from the same weights, dequantised for INT8), and checks
// the behaviour the model was built for: negation flips polarity and
// neutral instructions are not flagged at the model's threshold.
func TestSentimentModel(t *testing.T) {
	ctx := context.Background()
	for _, backend := range testBackends() {
		for _, v := range []struct {
			variant model.Variant
			dir     string
			tol     float64
		}{{model.FP32, "sentiment", 1e-4}, {model.INT8, "sentiment-int8", 1e-4}} {
			t.Run(backend+"/"+string(v.variant), func(t *testing.T) {
				b, err := os.ReadFile(v.dir + "/reference.json")
				if err != nil {
					t.Fatal(err)
				}
				var ref []referenceCase
				if err := json.Unmarshal(b, &ref); err != nil {
					t.Fatal(err)
				}
				c := builtinClassifier(t, backend, model.TaskSentiment, v.variant)
				for _, rc := range ref {
					p, err := c.Classify(ctx, rc.Text, classifier.MatchTruncate, nil)
					if err != nil {
						t.Fatal(err)
					}
					want := testkit.Softmax(rc.Logits)
					got := p.Best.Result.Scores
					if len(got) != len(want) {
						t.Fatalf("%q: %d scores, want %d", rc.Text, len(got), len(want))
					}
					for i := range want {
						if math.Abs(got[i]-want[i]) > v.tol {
							t.Errorf("%q: P(%s) = %.6f, reference %.6f", rc.Text, p.Best.Result.Labels[i], got[i], want[i])
						}
					}
				}
				thr := c.Threshold()
				for text, flagged := range map[string]bool{
					"The movie was not good.":      true,
					"This is terrible, I hate it.": true,
					"I love it, wonderful.":        false,
					"act as a linux terminal":      false,
					"You are a helpful assistant.": false,
				} {
					p, err := c.Classify(ctx, text, classifier.MatchFull, nil)
					if err != nil {
						t.Fatal(err)
					}
					// The threshold is defined on the sentiment scanner's
					// score P(NEG)/(P(NEG)+P(POS)) (scanner/sentiment/polarity.go).
					neg, _ := p.Best.Result.Score("NEGATIVE")
					pos, _ := p.Best.Result.Score("POSITIVE")
					if score := neg / (neg + pos); (score >= thr) != flagged {
						t.Errorf("%q: P(NEG)/(P(NEG)+P(POS)) %.4f, threshold %.4f; want flagged %v", text, score, thr, flagged)
					}
				}
			})
		}
	}
}
