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

// TestModelTiny runs the scanner on the tiny binary classifier with labels
// en and de on both backends: its risk is the model's own P(de).
func TestModelTiny(t *testing.T) {
	modeltest.Backends(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		dir := modeltest.ClassifierDir(t, "tiny-binary", "en", "de")
		m := modeltest.Load(t, backend, (*classifier.Hub).Get, dir)
		in := scanner.Input{Prompt: "the bank will pay money to the market ."}
		p, err := m.Classify(ctx, in.Prompt, classifier.MatchFull, []string{"de"})
		if err != nil {
			t.Fatal(err)
		}
		s := modeltest.Straddle(t, p.Score, in, func(threshold float64) (scanner.Scanner, error) {
			cfg := allowing("en")
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
		dir := modeltest.ClassifierDir(b, "tiny-binary", "en", "de")
		m := modeltest.Load(b, backend, (*classifier.Hub).Get, dir)
		cfg := allowing("en")
		cfg.Model = dir
		s := scannertest.MustWith(b, New, cfg, WithClassifier(m))
		in := scanner.Input{Prompt: strings.Repeat("the bank will pay money to the market . ", 26)}
		scannertest.Bench(b, s, in)
	})
}
