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
	for _, c := range []struct {
		labels []string
		want   string
	}{
		{[]string{"clean", "mild gibberish", "noise", "word salad"}, "mild gibberish,noise,word salad"},
		{[]string{"Noise", "CLEAN"}, "Noise"},
		{[]string{"LABEL_0", "LABEL_1"}, "LABEL_1"},
	} {
		if got, err := GibberishLabels(c.labels); err != nil || strings.Join(got, ",") != c.want {
			t.Errorf("%v: %v %v, want %s", c.labels, got, err, c.want)
		}
	}
	for _, labels := range [][]string{{"SAFE", "INJECTION"}, {"clean"}, nil} {
		if _, err := GibberishLabels(labels); err == nil || !strings.Contains(err.Error(), "gibberish labels") {
			t.Errorf("%v: %v, want an error", labels, err)
		}
	}
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

// TestModelTiny runs the scanner on the tiny multi-label classifier with
// labels clean, noise and word salad on both backends: its risk is the
// model's own largest gibberish probability.
func TestModelTiny(t *testing.T) {
	modeltest.Backends(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		dir := modeltest.ClassifierDir(t, "tiny-multilabel", "clean", "noise", "word salad")
		m := modeltest.Load(t, backend, (*classifier.Hub).Get, dir)
		in := scanner.Input{Prompt: "the cat sat with the dog in the garden ."}
		p, err := m.Classify(ctx, in.Prompt, classifier.MatchFull, []string{"noise", "word salad"})
		if err != nil {
			t.Fatal(err)
		}
		s := modeltest.Straddle(t, p.Score, in, func(threshold float64) (scanner.Scanner, error) {
			cfg := DefaultConfig()
			cfg.Model, cfg.Threshold = dir, threshold
			return New(cfg, WithClassifier(m))
		})
		scannertest.Run(t, s, scannertest.WithHugeSize(64<<10))
	})
}

// BenchmarkModelScan: a 1 KB text through the tiny user model on each
// backend; the cost is the model's, a real model's is much higher.
func BenchmarkModelScan(b *testing.B) {
	modeltest.BenchBackends(b, func(b *testing.B, backend string) {
		dir := modeltest.ClassifierDir(b, "tiny-multilabel", "clean", "noise", "word salad")
		m := modeltest.Load(b, backend, (*classifier.Hub).Get, dir)
		cfg := DefaultConfig()
		cfg.Model = dir
		s := scannertest.MustWith(b, New, cfg, WithClassifier(m))
		in := scanner.Input{Prompt: strings.Repeat("the cat sat with the dog in the garden . ", 25)}
		scannertest.Bench(b, s, in)
	})
}
