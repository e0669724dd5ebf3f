package emotiondetection

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

func TestModelScan(t *testing.T) {
	f := modeltest.NewClassifier([]string{"admiration", "anger", "fear", "joy", "neutral"}, 0.1, 0.7, 0.2, 0.9, 0.05)
	cfg := DefaultConfig()
	cfg.Model, cfg.BlockedEmotions, cfg.MatchType = "some/emotions", []string{"Anger", "fear", "anger"}, MatchSentence
	s := scannertest.MustWith(t, New, cfg, WithClassifier(f))
	ctx := context.Background()
	in := scanner.Input{Prompt: "I am furious. Go away."}
	res := scannertest.Check(t, s, in)
	mt, positive := f.Last()
	if res.Valid || res.Risk != 0.7 || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Findings[0].Rule != "anger" ||
		res.Findings[0].End != len(in.Prompt) || mt != classifier.MatchSentence || strings.Join(positive, ",") != "anger,fear" {
		t.Fatalf("angry text: %+v (match type %s, asked %v)", res, mt, positive)
	}
	// joy scores 0.9 but is not blocked.
	f.SetScores(0.1, 0.3, 0.2, 0.9, 0.05)
	if res, err := s.Scan(ctx, in); err != nil || !res.Valid || res.Risk != 0.3 || len(res.Findings) != 0 {
		t.Fatalf("joyful text: %+v %v", res, err)
	}
	// Both blocked emotions over the threshold: one finding each.
	f.SetScores(0.1, 0.6, 0.8, 0.1, 0.05)
	if res, err := s.Scan(ctx, in); err != nil || res.Valid || res.Risk != 0.8 || len(res.Findings) != 2 {
		t.Fatalf("two emotions: %+v %v", res, err)
	}
	// A softmax model: the blocked emotions together (0.3+0.3) flag it.
	f.Softmax = true
	f.SetScores(0.1, 0.3, 0.3, 0.25, 0.05)
	if res, err := s.Scan(ctx, in); err != nil || res.Valid || math.Abs(res.Risk-0.6) > 1e-9 || len(res.Findings) != 1 || res.Findings[0].Rule != "blocked_emotions" {
		t.Fatalf("softmax model: %+v %v", res, err)
	}
	if res, err := s.Scan(ctx, scanner.Input{Prompt: " \n"}); err != nil || !res.Valid || res.Risk != 0 {
		t.Fatalf("blank text: %+v %v", res, err)
	}
	modeltest.Failures(t, s, in, f, "some/emotions")

	// Fingerprints change with the model and with the blocked emotions.
	lex := scannertest.MustWith(t, New, DefaultConfig())
	cfg2 := cfg
	cfg2.BlockedEmotions = []string{"anger"}
	s2, err := New(cfg2, WithClassifier(f))
	if err != nil {
		t.Fatal(err)
	}
	if lex.Fingerprint() == s.Fingerprint() || s2.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model and the blocked emotions")
	}

	// A blocked emotion the model does not know is an error naming it.
	cfg2.BlockedEmotions = []string{"anger", "grief"}
	if _, err := New(cfg2, WithClassifier(f)); err == nil || !strings.Contains(err.Error(), `blocked_emotions[1]: model some/emotions has no label "grief"`) {
		t.Fatalf("unknown emotion: %v", err)
	}
	// With a model, labels outside GoEmotions are allowed if the model has them.
	g := modeltest.NewClassifier([]string{"calm", "rage"}, 0.2, 0.8)
	cfg2.BlockedEmotions = []string{"rage"}
	if s, err := New(cfg2, WithClassifier(g)); err != nil {
		t.Fatal(err)
	} else if res, err := s.Scan(ctx, in); err != nil || res.Valid {
		t.Fatalf("custom label: %+v %v", res, err)
	}
	// A classifier without a model name is a programming error.
	if _, err := New(DefaultConfig(), WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "model is empty") {
		t.Fatalf("classifier without model: %v", err)
	}
}

// tiny is the scanner on a tiny multi-label model with labels anger, joy
// and fear, blocking anger and fear.
var tiny = modeltest.Tiny{Model: "tiny-multilabel", Labels: []string{"anger", "joy", "fear"},
	New: func(m classifier.Model, dir string, threshold float64) (scanner.Scanner, error) {
		cfg := DefaultConfig()
		cfg.Model, cfg.BlockedEmotions, cfg.Threshold = dir, []string{"ANGER", "fear"}, threshold
		return New(cfg, WithClassifier(m))
	}}

// TestModelTinyClassifier: on a tiny multi-label model the scanner's risk
// is the model's own probability of the highest blocked label, on both
// backends.
func TestModelTinyClassifier(t *testing.T) {
	tiny.Straddle(t, scanner.Input{Prompt: "the cat sat with the dog in the garden ."}, []string{"anger", "fear"})
	tiny.Each(t, func(t *testing.T, m classifier.Model, dir string) {
		cfg := DefaultConfig()
		cfg.Model = dir
		cfg.BlockedEmotions = []string{"anger", "sadness"}
		if _, err := New(cfg, WithClassifier(m)); err == nil || !strings.Contains(err.Error(), `"sadness"`) {
			t.Fatalf("emotion the model lacks: %v", err)
		}
		cfg.BlockedEmotions, cfg.MatchType = []string{"anger"}, MatchSentence
		s := scannertest.MustWith(t, New, cfg, WithClassifier(m))
		scannertest.Run(t, s, scannertest.WithHugeSize(64<<10))
	})
}

// BenchmarkModelScan: a 1 KB text through the tiny user model; the cost
// is the model's, a real model's is much higher.
func BenchmarkModelScan(b *testing.B) {
	tiny.Bench(b, scanner.Input{Prompt: strings.Repeat("the cat sat with the dog in the garden . ", 25)}, DefaultConfig().Threshold)
}
