package models_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/models"
)

// TestPromptInjectionReference runs the built-in prompt-injection model (both
// variants) through registry -> classifier -> tokenizer -> inference on each
// available backend and compares the INJECTION probability with the one the
// training code computed for the same text (promptinjection/reference.jsonl,
// written by training/pi_export.py): Go tokenizer + ONNX graph = Python twin +
// training formula.
func TestPromptInjectionReference(t *testing.T) {
	refs := readPIReference(t)
	modeltest.Backends(t, func(t *testing.T, backend string) {
		for _, v := range []model.Variant{model.FP32, model.INT8} {
			t.Run(string(v), func(t *testing.T) {
				c := builtin(t, backend, model.TaskPromptInjection, v)
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
	})
}

// builtin opens the built-in model for task and variant on backend,
// through a hub (closed when tb ends) over the shipped registry alone,
// offline, with its cache in a temporary directory.
func builtin(tb testing.TB, backend string, task model.Task, v model.Variant) *classifier.Classifier {
	tb.Helper()
	b, err := fs.ReadFile(models.FS(), registry.BuiltinRegistryFile)
	if err != nil {
		tb.Fatal(err)
	}
	doc, err := registry.Parse(b)
	if err != nil {
		tb.Fatal(err)
	}
	doc.CacheDir = tb.TempDir()
	reg, err := registry.New(doc, registry.WithEmbedded(models.FS()), registry.WithOffline(true))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := modeltest.HubOn(tb, backend, reg).Get(context.Background(), classifier.Ref{Task: task, Variant: v})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

type piRef struct {
	Text string  `json:"text"`
	FP32 float64 `json:"fp32"`
	INT8 float64 `json:"int8"`
}

func readPIReference(t *testing.T) []piRef {
	t.Helper()
	f, err := os.Open("promptinjection/reference.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []piRef
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<22)
	for sc.Scan() {
		var r piRef
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
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
	modeltest.BenchBackends(b, func(b *testing.B, backend string) {
		for _, v := range []model.Variant{model.FP32, model.INT8} {
			b.Run(string(v), func(b *testing.B) {
				c := builtin(b, backend, model.TaskPromptInjection, v)
				b.ReportAllocs()
				for b.Loop() {
					if _, err := c.Classify(context.Background(), benchPrompt, classifier.MatchFull, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	})
}
