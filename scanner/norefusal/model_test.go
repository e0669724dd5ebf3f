package norefusal

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestRefusalLabel(t *testing.T) {
	one := func(labels []string) ([]string, error) {
		l, err := RefusalLabel(labels)
		return []string{l}, err
	}
	modeltest.PicksLabels(t, one, []modeltest.PickCase{
		{Labels: []string{"NORMAL", "REJECTION"}, Want: "REJECTION"},
		{Labels: []string{"compliance", "refusal"}, Want: "refusal"},
		{Labels: []string{"Refused", "answered", "other"}, Want: "Refused"},
		{Labels: []string{"refusal", "rejection"}, Want: "rejection"},
		{Labels: []string{"LABEL_0", "LABEL_1"}, Want: "LABEL_1"},
	}, [][]string{{"SAFE", "INJECTION"}, {"LABEL_0", "LABEL_1", "LABEL_2"}, nil}, "no refusal label")
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

// tiny is the scanner on the tiny binary model with NORMAL/REJECTION
// labels.
var tiny = modeltest.Tiny{Model: "tiny-binary", Labels: []string{"NORMAL", "REJECTION"},
	New: func(m classifier.Model, dir string, threshold float64) (scanner.Scanner, error) {
		cfg := DefaultConfig()
		cfg.Model, cfg.Threshold = dir, threshold
		return New(cfg, WithClassifier(m))
	}}

// TestModelTinyClassifier: on the tiny model the scanner's risk is the
// model's own P(REJECTION), on both backends.
func TestModelTinyClassifier(t *testing.T) {
	tiny.Straddle(t, scannertest.Answer("the bank will pay money to the market ."), []string{"REJECTION"})
}

// BenchmarkModelScan: a 1 KB answer through the tiny user model; the
// cost is the model's, a real model's is much higher.
func BenchmarkModelScan(b *testing.B) {
	tiny.Bench(b, scannertest.Answer(strings.Repeat("the bank will pay money to the market . ", 26)), DefaultConfig().Threshold)
}
