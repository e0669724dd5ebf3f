package models_test

import (
	"context"
	"math"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/model"
)

// TestPromptInjectionReference runs the built-in prompt-injection model (both
// variants) through registry -> classifier -> tokenizer -> inference on each
// available backend and compares the INJECTION probability with the one the
// training code computed for the same text (promptinjection/reference.jsonl,
// written by training/pi_export.py): Go tokenizer + ONNX graph = Python twin +
// training formula.
func TestPromptInjectionReference(t *testing.T) {
	refs := readPIReference(t)
	for _, be := range testBackends() {
		for _, v := range []model.Variant{model.FP32, model.INT8} {
			t.Run(be+"/"+string(v), func(t *testing.T) {
				c := builtinClassifier(t, be, model.TaskPromptInjection, v)
				if c.Threshold() <= 0 || c.Threshold() >= 1 {
					t.Fatalf("threshold %v", c.Threshold())
				}
				for _, r := range refs {
					want := r.FP32
					if v == model.INT8 {
						want = r.INT8
					}
					p, err := c.Classify(context.Background(), r.Text, classifier.MatchFull, nil)
					if err != nil {
						t.Fatal(err)
					}
					if math.Abs(p.Score-want) > 1e-4 {
						t.Errorf("%.60q: Go %v, Python %v", r.Text, p.Score, want)
					}
				}
			})
		}
	}
}

type piRef struct {
	Text string  `json:"text"`
	FP32 float64 `json:"fp32"`
	INT8 float64 `json:"int8"`
}

func readPIReference(t *testing.T) []piRef {
	t.Helper()
	out := datasets.MustReadRows[piRef](t, "promptinjection/reference.jsonl")
	if len(out) < 20 {
		t.Fatalf("%d reference rows", len(out))
	}
	return out
}

// benchPrompt is about 128 WordPiece tokens (the bench command's prompt):
// about 2,700 hashed n-gram ids.
const benchPrompt = `Please summarise the following customer email and draft a polite reply. ` +
	`"Hello, I ordered a pair of running shoes three weeks ago (order 48213) and they still have not arrived. ` +
	`The tracking page has said 'in transit' for ten days. Could you check with the courier and tell me ` +
	`whether I should expect them this week? If they are lost, I would prefer a refund to a replacement, ` +
	`since I need the shoes for a race on the 14th. Thanks, Maria." Keep the reply under 120 words, ` +
	`apologise for the delay, and do not promise a delivery date we cannot guarantee.`

// BenchmarkPromptInjectionClassify measures one 128-token prompt end to end
// (tokenizer + inference + post-processing) per backend and variant.
func BenchmarkPromptInjectionClassify(b *testing.B) {
	for _, be := range testBackends() {
		for _, v := range []model.Variant{model.FP32, model.INT8} {
			b.Run(be+"/"+string(v), func(b *testing.B) {
				c := builtinClassifier(b, be, model.TaskPromptInjection, v)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.Classify(context.Background(), benchPrompt, classifier.MatchFull, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
