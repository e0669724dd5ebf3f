package bias

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestModelScan(t *testing.T) {
	f := modeltest.NewClassifier([]string{"NEUTRAL", "BIASED"}, 0.2, 0.8)
	cfg := DefaultConfig()
	cfg.Model, cfg.MatchType = "some/bias", "sentence"
	s := scannertest.MustWith(t, New, cfg, WithClassifier(f))
	ctx := context.Background()
	in := scanner.Input{Prompt: "q", Output: "Some answer.", Stage: scanner.StageOutput}
	res := scannertest.Check(t, s, in)
	if mt, _ := f.Last(); res.Valid || res.Risk != 0.8 || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Findings[0].End != len(in.Output) ||
		mt != classifier.MatchSentence || !strings.Contains(res.Findings[0].Detail, "BIASED") {
		t.Fatalf("biased answer: %+v (match type %s)", res, mt)
	}
	f.SetScores(0.8, 0.2)
	if res, err := s.Scan(ctx, in); err != nil || !res.Valid || res.Risk != 0.2 {
		t.Fatalf("neutral answer: %+v %v", res, err)
	}
	modeltest.Failures(t, s, in, f, "some/bias")
	lex, _ := New(DefaultConfig())
	if lex.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model")
	}
}

// TestModelTinyClassifier runs the scanner on the inference package's tiny
// binary classifier (positive label INJECTION stands in for BIASED): its
// risk is the classifier's own score for the answer, on both backends.
func TestModelTinyClassifier(t *testing.T) {
	tiny := modeltest.Tiny{Model: "tiny-binary", New: func(m classifier.Model, dir string, threshold float64) (scanner.Scanner, error) {
		cfg := DefaultConfig()
		cfg.Model, cfg.Threshold = dir, threshold
		return New(cfg, WithClassifier(m))
	}}
	tiny.Straddle(t, scannertest.Answer("All of them are like that, you know."), []string{"INJECTION"})
}
