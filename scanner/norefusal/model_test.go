package norefusal

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestRefusalLabel(t *testing.T) {
	for _, c := range []struct {
		labels []string
		want   string
	}{
		{[]string{"NORMAL", "REJECTION"}, "REJECTION"},
		{[]string{"compliance", "refusal"}, "refusal"},
		{[]string{"Refused", "answered", "other"}, "Refused"},
		{[]string{"refusal", "rejection"}, "rejection"},
		{[]string{"LABEL_0", "LABEL_1"}, "LABEL_1"},
	} {
		if got, err := RefusalLabel(c.labels); err != nil || got != c.want {
			t.Errorf("%v: %q %v, want %q", c.labels, got, err, c.want)
		}
	}
	for _, labels := range [][]string{{"SAFE", "INJECTION"}, {"LABEL_0", "LABEL_1", "LABEL_2"}, nil} {
		if _, err := RefusalLabel(labels); err == nil || !strings.Contains(err.Error(), "no refusal label") {
			t.Errorf("%v: %v, want an error", labels, err)
		}
	}
}

func TestModelScan(t *testing.T) {
	f := modeltest.NewClassifier([]string{"NORMAL", "REJECTION"}, 0.1, 0.9)
	cfg := DefaultConfig()
	cfg.Model, cfg.MatchType = "some/rejection", MatchSentence
	s := scannertest.MustWith(t, New, cfg, WithClassifier(f))
	ctx := context.Background()
	in := scanner.Input{Prompt: "q", Output: "I can't help with that.", Stage: scanner.StageOutput}
	res := scannertest.Check(t, s, in)
	mt, positive := f.Last()
	if res.Valid || res.Risk != 0.9 || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Findings[0].End != len(in.Output) ||
		mt != classifier.MatchSentence || strings.Join(positive, ",") != "REJECTION" {
		t.Fatalf("refusal: %+v (match type %s, asked %v)", res, mt, positive)
	}
	f.SetScores(0.26, 0.74)
	if res, err := s.Scan(ctx, in); err != nil || !res.Valid || res.Risk != 0.74 || len(res.Findings) != 0 {
		t.Fatalf("answer under the threshold: %+v %v", res, err)
	}
	if res, err := s.Scan(ctx, scanner.Input{Output: "  ", Stage: scanner.StageOutput}); err != nil || !res.Valid || res.Risk != 0 {
		t.Fatalf("blank: %+v %v", res, err)
	}
	modeltest.Failures(t, s, in, f, "some/rejection")
	builtIn, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MatchType = MatchFull
	full, err := New(cfg, WithClassifier(f))
	if err != nil {
		t.Fatal(err)
	}
	if builtIn.Fingerprint() == s.Fingerprint() || full.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model and match_type")
	}
	if _, err := New(cfg, WithClassifier(modeltest.NewClassifier([]string{"SAFE", "INJECTION"}))); err == nil || !strings.Contains(err.Error(), "model: some/rejection: no refusal label among the model's labels [SAFE, INJECTION]") {
		t.Fatalf("model without a refusal label: %v", err)
	}
	if _, err := New(DefaultConfig(), WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "model is empty") {
		t.Fatalf("classifier without model: %v", err)
	}
}

// TestModelTinyClassifier runs the scanner on the tiny binary model with
// NORMAL/REJECTION labels: its risk is the model's own P(REJECTION), on
// both backends.
func TestModelTinyClassifier(t *testing.T) {
	modeltest.Backends(t, func(t *testing.T, backend string) {
		dir := modeltest.ClassifierDir(t, "tiny-binary", "NORMAL", "REJECTION")
		ctx := context.Background()
		m := modeltest.Load(t, backend, (*classifier.Hub).Get, dir)
		text := "the bank will pay money to the market ."
		p, err := m.Classify(ctx, text, classifier.MatchFull, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, ok := p.Best.Result.Score("REJECTION")
		if !ok {
			t.Fatal("no REJECTION score")
		}
		out := scanner.Input{Prompt: "q", Output: text, Stage: scanner.StageOutput}
		s := modeltest.Straddle(t, want, out, func(threshold float64) (scanner.Scanner, error) {
			cfg := DefaultConfig()
			cfg.Model, cfg.Threshold = dir, threshold
			return New(cfg, WithClassifier(m))
		})
		scannertest.Run(t, s, scannertest.WithHugeSize(64<<10))
	})
}

// BenchmarkModelScan: a 1 KB answer through the tiny user model (pure Go);
// the cost is the model's, a real model's is much higher.
func BenchmarkModelScan(b *testing.B) {
	dir := modeltest.ClassifierDir(b, "tiny-binary", "NORMAL", "REJECTION")
	m := modeltest.Load(b, inference.BackendPureGo, (*classifier.Hub).Get, dir)
	cfg := DefaultConfig()
	cfg.Model = dir
	s := scannertest.MustWith(b, New, cfg, WithClassifier(m))
	in := scanner.Input{Prompt: "q", Output: strings.Repeat("the bank will pay money to the market . ", 26), Stage: scanner.StageOutput}
	scannertest.Bench(b, s, in)
}
