package language

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
	f := modeltest.NewClassifier([]string{"EN", "de", "fr", "ru"}, 0.1, 0.2, 0.6, 0.1)
	f.Softmax = true
	cfg := DefaultConfig()
	cfg.Model, cfg.ValidLanguages, cfg.MatchType = "some/langid", []string{"en", "de"}, MatchSentence
	s := scannertest.MustWith(t, New, cfg, WithClassifier(f))
	ctx := context.Background()
	in := scanner.Input{Prompt: "Bonjour, je voudrais un café s'il vous plaît."}
	res := scannertest.Check(t, s, in)
	// Not allowed: fr and ru together, 0.7.
	mt, positive := f.Last()
	if res.Valid || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Risk < 0.69 || res.Risk > 0.71 ||
		mt != classifier.MatchSentence || strings.Join(positive, ",") != "fr,ru" || !strings.Contains(res.Findings[0].Detail, "language fr") {
		t.Fatalf("French: %+v (match type %s, asked %v)", res, mt, positive)
	}
	f.SetScores(0.5, 0.4, 0.05, 0.05)
	if res, err := s.Scan(ctx, in); err != nil || !res.Valid {
		t.Fatalf("allowed languages: %+v %v", res, err)
	}
	n := len(f.Asked())
	if res, err := s.Scan(ctx, scanner.Input{Prompt: "ok, merci"}); err != nil || !res.Valid || len(f.Asked()) != n {
		t.Fatalf("short text: %+v %v", res, err)
	}
	modeltest.Failures(t, s, in, f, "some/langid")
	builtIn, _ := New(func() Config { c := cfg; c.Model = ""; return c }())
	if builtIn.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model")
	}
	bad := cfg
	bad.ValidLanguages = []string{"en", "it"}
	if _, err := New(bad, WithClassifier(f)); err == nil || !strings.Contains(err.Error(), `valid_languages[1]: model some/langid has no label "it"`) {
		t.Fatalf("language the model lacks: %v", err)
	}
	bad.ValidLanguages = []string{"en", "de", "fr", "ru"}
	if _, err := New(bad, WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "nothing could be flagged") {
		t.Fatalf("every language allowed: %v", err)
	}
	if _, err := New(allowing("en"), WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "model is empty") {
		t.Fatalf("classifier without model: %v", err)
	}
	scannertest.Run(t, s, scannertest.WithInputs(in.Prompt))
}

// allowing is the default configuration allowing langs.
func allowing(langs ...string) Config {
	c := DefaultConfig()
	c.ValidLanguages = langs
	return c
}

// tiny is the scanner allowing English on the tiny binary classifier
// with labels en and de.
var tiny = modeltest.Tiny{Model: "tiny-binary", Labels: []string{"en", "de"},
	New: func(m classifier.Model, dir string, threshold float64) (scanner.Scanner, error) {
		cfg := allowing("en")
		cfg.Model, cfg.Threshold = dir, threshold
		return New(cfg, WithClassifier(m))
	}}

// TestModelTiny: on the tiny model the scanner's risk is the model's own
// P(de), on both backends.
func TestModelTiny(t *testing.T) {
	tiny.Straddle(t, scanner.Input{Prompt: "the bank will pay money to the market ."}, []string{"de"})
}

// BenchmarkModelScan: a 1 KB text through the tiny user model on each
// backend; the cost is the model's, a real model's is much higher.
func BenchmarkModelScan(b *testing.B) {
	tiny.Bench(b, scanner.Input{Prompt: strings.Repeat("the bank will pay money to the market . ", 26)}, DefaultConfig().Threshold)
}
