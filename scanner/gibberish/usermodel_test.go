package gibberish

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func modelConfig() Config {
	c := DefaultConfig()
	c.Model = "some/gibberish"
	return c
}

func TestGibberishLabels(t *testing.T) {
	modeltest.PicksLabels(t, GibberishLabels, []modeltest.PickCase{
		{Labels: []string{"clean", "mild gibberish", "noise", "word salad"}, Want: "mild gibberish,noise,word salad"},
		{Labels: []string{"Noise", "CLEAN"}, Want: "Noise"},
		{Labels: []string{"LABEL_0", "LABEL_1"}, Want: "LABEL_1"},
	}, [][]string{{"SAFE", "INJECTION"}, {"clean"}, nil}, "gibberish labels")
}

func TestModelScan(t *testing.T) {
	f := modeltest.NewClassifier([]string{"clean", "mild gibberish", "noise", "word salad"}, 0.2, 0.3, 0.3, 0.2)
	f.Softmax = true
	cfg := modelConfig()
	cfg.MatchType = MatchSentence
	s := scannertest.MustWith(t, New, cfg, WithClassifier(f))
	ctx := context.Background()
	in := scanner.Input{Prompt: "dfgkj sdfkjh werkjh sdfkj"}
	res := scannertest.Check(t, s, in)
	// The gibberish labels together: 0.3+0.3+0.2.
	mt, positive := f.Last()
	if res.Valid || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Risk < 0.79 || res.Risk > 0.81 ||
		mt != classifier.MatchSentence || strings.Join(positive, ",") != "mild gibberish,noise,word salad" ||
		!strings.Contains(res.Findings[0].Detail, "most likely mild gibberish") {
		t.Fatalf("gibberish: %+v (match type %s, asked %v)", res, mt, positive)
	}
	f.SetScores(0.9, 0.05, 0.03, 0.02)
	if res, err := s.Scan(ctx, in); err != nil || !res.Valid || res.Risk > 0.11 {
		t.Fatalf("clean: %+v %v", res, err)
	}
	// Too few letters: not classified.
	n := len(f.Asked())
	if res, err := s.Scan(ctx, scanner.Input{Prompt: "x7 !!"}); err != nil || !res.Valid || len(f.Asked()) != n {
		t.Fatalf("short text: %+v %v (%d calls)", res, err, len(f.Asked())-n)
	}
	modeltest.Failures(t, s, in, f, "some/gibberish")
	builtIn, _ := New(DefaultConfig())
	if builtIn.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model")
	}
	if _, err := New(cfg, WithClassifier(modeltest.NewClassifier([]string{"SAFE", "INJECTION"}))); err == nil || !strings.Contains(err.Error(), "gibberish labels") {
		t.Fatalf("model without a clean label: %v", err)
	}
	if _, err := New(DefaultConfig(), WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "model is empty") {
		t.Fatalf("classifier without model: %v", err)
	}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "not loaded") {
		t.Fatalf("model without classifier: %v", err)
	}
	scannertest.Run(t, s, scannertest.WithInputs("dfgkj sdfkjh werkjh sdfkj"))
}

// tiny is the scanner on the tiny multi-label classifier with labels
// clean, noise and word salad.
var tiny = modeltest.Tiny{Model: "tiny-multilabel", Labels: []string{"clean", "noise", "word salad"},
	New: func(m classifier.Model, dir string, threshold float64) (scanner.Scanner, error) {
		cfg := DefaultConfig()
		cfg.Model, cfg.Threshold = dir, threshold
		return New(cfg, WithClassifier(m))
	}}

// TestModelTiny: on the tiny model the scanner's risk is the model's own
// largest gibberish probability, on both backends.
func TestModelTiny(t *testing.T) {
	tiny.Straddle(t, scanner.Input{Prompt: "the cat sat with the dog in the garden ."}, []string{"noise", "word salad"})
}

// BenchmarkModelScan: a 1 KB text through the tiny user model on each
// backend; the cost is the model's, a real model's is much higher.
func BenchmarkModelScan(b *testing.B) {
	tiny.Bench(b, scanner.Input{Prompt: strings.Repeat("the cat sat with the dog in the garden . ", 25)}, DefaultConfig().Threshold)
}
