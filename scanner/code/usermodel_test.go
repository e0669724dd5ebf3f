package code

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

const pyBlock = "Here you go:\n```\nimport os\nfor name in os.listdir('.'):\n    print(name)\n```\nThat lists the files."

func langs(names ...string) Config {
	c := DefaultConfig()
	c.Languages = names
	return c
}

func TestModelScan(t *testing.T) {
	// The fake calls the block Python (or C++ when the text has a brace).
	f := &modeltest.Classifier{Names: []string{"Python", "C++", "Klingon"}, Softmax: true, ByText: func(text string) []float64 {
		if strings.Contains(text, "{") {
			return []float64{0.1, 0.85, 0.05}
		}
		return []float64{0.8, 0.15, 0.05}
	}}
	cfg := langs("python")
	cfg.Model = "some/code-langid"
	s := scannertest.MustWith(t, New, cfg, WithClassifier(f))
	ctx := context.Background()
	res := scannertest.Check(t, s, scanner.Input{Prompt: pyBlock})
	asked := f.Asked()
	if res.Valid || res.Method != scanner.MethodML || len(res.Findings) != 1 || res.Risk != 0.8 || len(asked) != 1 ||
		!strings.Contains(asked[0], "import os") || strings.Contains(asked[0], "That lists") ||
		!strings.Contains(res.Findings[0].Detail, "model: Python code (probability 0.80)") {
		t.Fatalf("Python block: %+v (asked %q)", res, asked)
	}
	cpp := "```\nint main() { return 0; }\n```"
	if res, err := s.Scan(ctx, scanner.Input{Prompt: cpp}); err != nil || !res.Valid {
		t.Fatalf("C++ with python blocked: %+v %v", res, err)
	}
	// Prose is not classified.
	n := len(f.Asked())
	if res, err := s.Scan(ctx, scanner.Input{Prompt: "The weather is nice today, and we walked along the river."}); err != nil || !res.Valid || len(f.Asked()) != n {
		t.Fatalf("prose: %+v %v (%d calls)", res, err, len(f.Asked())-n)
	}
	// Allow-list: C++ is not allowed, Python is.
	allow := langs("python")
	allow.Model, allow.IsBlocked = "some/code-langid", false
	a, err := New(allow, WithClassifier(f))
	if err != nil {
		t.Fatal(err)
	}
	if res, err := a.Scan(ctx, scanner.Input{Prompt: cpp}); err != nil || res.Valid || !strings.Contains(res.Findings[0].Detail, "C++ code (probability 0.85), not an allowed language") {
		t.Fatalf("allow-list, C++: %+v %v", res, err)
	}
	if res, err := a.Scan(ctx, scanner.Input{Prompt: pyBlock}); err != nil || !res.Valid {
		t.Fatalf("allow-list, Python: %+v %v", res, err)
	}
	// Under the threshold: no verdict.
	high := cfg
	high.Threshold = 0.9
	if h, err := New(high, WithClassifier(f)); err != nil {
		t.Fatal(err)
	} else if res, err := h.Scan(ctx, scanner.Input{Prompt: pyBlock}); err != nil || !res.Valid {
		t.Fatalf("threshold 0.9: %+v %v", res, err)
	}
	modeltest.Failures(t, s, scanner.Input{Prompt: pyBlock}, f, "some/code-langid")
	builtIn, _ := New(langs("python"))
	if builtIn.Fingerprint() == s.Fingerprint() || a.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model and is_blocked")
	}
	bad := langs("python", "rust")
	bad.Model = "some/code-langid"
	if _, err := New(bad, WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "languages[1]: model some/code-langid has no label for Rust") {
		t.Fatalf("language the model lacks: %v", err)
	}
	if _, err := New(langs("python"), WithClassifier(f)); err == nil || !strings.Contains(err.Error(), "model is empty") {
		t.Fatalf("classifier without model: %v", err)
	}
	scannertest.Run(t, s, scannertest.WithInputs(pyBlock, cpp))
}

// tiny is the scanner on the tiny multi-label classifier with labels
// Python, Go and JavaScript, blocking Python and Go.
var tiny = modeltest.Tiny{Model: "tiny-multilabel", Labels: []string{"Python", "Go", "JavaScript"},
	New: func(m classifier.Model, dir string, threshold float64) (scanner.Scanner, error) {
		cfg := langs("python", "go")
		cfg.Model, cfg.Threshold = dir, threshold
		return New(cfg, WithClassifier(m))
	}}

// TestModelTiny runs the scanner on the tiny model on both backends: a
// block's risk is the model's probability of the language it scores
// highest.
func TestModelTiny(t *testing.T) {
	tiny.Each(t, func(t *testing.T, m classifier.Model, dir string) {
		block := "import os\nfor name in os.listdir('.'):\n    print(name)"
		in := scanner.Input{Prompt: "```\n" + block + "\n```"}
		p, err := m.Classify(context.Background(), block, classifier.MatchTruncate, nil)
		if err != nil {
			t.Fatal(err)
		}
		label := m.BestLabel(p, m.Labels())
		want, _ := p.Best.Result.Score(label)
		s := modeltest.Straddle(t, want, in, func(threshold float64) (scanner.Scanner, error) {
			cfg := langs(label)
			cfg.Model, cfg.Threshold = dir, threshold
			return New(cfg, WithClassifier(m))
		})
		scannertest.Run(t, s, scannertest.WithHugeSize(64<<10), scannertest.WithInputs(in.Prompt))
	})
}

// BenchmarkModelScan: a 1 KB answer with two code blocks through the tiny
// user model on each backend; the cost is the model's (one call a block).
func BenchmarkModelScan(b *testing.B) {
	text := strings.Repeat("Some prose that explains the code below in a few words. ", 8) + "\n" + pyBlock + "\n" + pyBlock
	tiny.Bench(b, scanner.Input{Prompt: text}, DefaultConfig().Threshold)
}
