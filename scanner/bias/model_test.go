package bias

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

type fakeClassifier struct {
	score float64
	mt    classifier.MatchType
	err   error
}

func (f *fakeClassifier) Classify(_ context.Context, text string, mt classifier.MatchType, _ []string) (classifier.Prediction, error) {
	f.mt = mt
	return classifier.Prediction{Score: f.score, Best: classifier.Part{Start: 0, End: len(text)}, Parts: 1}, f.err
}
func (f *fakeClassifier) BestLabel(classifier.Prediction, []string) string { return "BIASED" }
func (f *fakeClassifier) Version() string                                  { return "fake@1" }

func TestModelScan(t *testing.T) {
	f := &fakeClassifier{score: 0.8}
	cfg := DefaultConfig()
	cfg.Model, cfg.MatchType = "some/bias", "sentence"
	s, err := New(cfg, WithClassifier(f))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	in := scanner.Input{Prompt: "q", Output: "Some answer.", Stage: scanner.StageOutput}
	res, err := s.Scan(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Valid || res.Risk != 0.8 || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Findings[0].End != len(in.Output) || f.mt != classifier.MatchSentence {
		t.Fatalf("biased answer: %+v (match type %s)", res, f.mt)
	}
	f.score = 0.2
	if res, err := s.Scan(ctx, in); err != nil || !res.Valid || res.Risk != 0.2 {
		t.Fatalf("neutral answer: %+v %v", res, err)
	}
	if _, err := s.Scan(ctx, scanner.Input{Output: "\xff", Stage: scanner.StageOutput}); !errors.Is(err, scanner.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	f.err = errors.New("boom")
	if _, err := s.Scan(ctx, in); err == nil || !strings.Contains(err.Error(), "some/bias") {
		t.Fatalf("model error: %v", err)
	}
	lex, _ := New(DefaultConfig())
	if lex.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model")
	}
}

// TestModelTinyClassifier runs the scanner on the inference package's tiny
// binary classifier (positive label INJECTION stands in for BIASED): its
// risk is the classifier's own score for the answer.
func TestModelTinyClassifier(t *testing.T) {
	for _, backend := range []string{inference.BackendORT, inference.BackendPureGo} {
		t.Run(backend, func(t *testing.T) {
			if backend == inference.BackendORT && os.Getenv("LLMSHIELD_ORT_LIB") == "" {
				t.Skip("LLMSHIELD_ORT_LIB is not set")
			}
			dir := t.TempDir()
			for src, dst := range map[string]string{
				"../../internal/inference/testdata/tiny-binary/model.onnx":  "model.onnx",
				"../../internal/inference/testdata/tiny-binary/config.json": "config.json",
				"../../classifier/testdata/tiny/tokenizer.json":             "tokenizer.json",
			} {
				b, err := os.ReadFile(filepath.FromSlash(src))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, dst), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			reg, err := registry.New(registry.Document{CacheDir: t.TempDir()}, registry.WithOffline(true))
			if err != nil {
				t.Fatal(err)
			}
			h, err := classifier.NewHub(reg, classifier.HubOptions{Runtime: inference.RuntimeOptions{Backend: backend}})
			if err != nil {
				t.Fatal(err)
			}
			defer h.Close()
			ctx := context.Background()
			m, err := h.Get(ctx, classifier.Ref{ID: dir})
			if err != nil {
				t.Fatal(err)
			}
			text := "All of them are like that, you know."
			p, err := m.Classify(ctx, text, classifier.MatchFull, nil)
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Model, cfg.Threshold = dir, math.Max(0.01, p.Score-0.01) // just under the model's score
			s, err := New(cfg, WithClassifier(m))
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Scan(ctx, scanner.Input{Prompt: "q", Output: text, Stage: scanner.StageOutput})
			if err != nil || res.Valid || math.Abs(res.Risk-p.Score) > 1e-9 {
				t.Fatalf("risk %v (valid %v, err %v), want the model's score %v flagged", res.Risk, res.Valid, err, p.Score)
			}
			scannertest.Run(t, s, scannertest.WithHugeSize(64<<10)) // full match: every window of a huge text runs the model
		})
	}
}
