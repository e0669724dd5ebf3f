package bantopics

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// fakeNLI scores a topic by whether the text contains it.
type fakeNLI struct {
	calls     int
	templates []string
	multi     []bool
	err       error
}

func (f *fakeNLI) ZeroShot(_ context.Context, text string, cands []string, tmpl string, multi bool) ([]float64, error) {
	f.calls++
	f.templates = append(f.templates, tmpl)
	f.multi = append(f.multi, multi)
	if f.err != nil {
		return nil, f.err
	}
	out := make([]float64, len(cands))
	for i, c := range cands {
		if strings.Contains(text, c) {
			out[i] = 0.9
		} else {
			out[i] = 0.05
		}
	}
	return out, nil
}

func (f *fakeNLI) Version() string { return "fake@1" }

func modelConfig(topics ...string) Config {
	c := DefaultConfig()
	c.Topics, c.Model = topics, "some/nli"
	return c
}

func TestModelScan(t *testing.T) {
	f := &fakeNLI{}
	s := scannertest.MustWith(t, New, modelConfig("gambling", "violence", "gambling "), WithNLI(f))
	ctx := context.Background()
	res := scannertest.Check(t, s, scanner.Input{Prompt: "tips for gambling online"})
	if res.Valid || res.Method != scanner.MethodML || res.Risk != 0.9 || len(res.Findings) != 1 || res.Findings[0].Rule != "gambling" || res.Threshold != 0.6 {
		t.Fatalf("gambling text: %+v", res)
	}
	if f.templates[0] != classifier.DefaultHypothesisTemplate || !f.multi[0] {
		t.Fatalf("template %q multi %v", f.templates[0], f.multi[0])
	}
	if res := scannertest.Check(t, s, scanner.Input{Prompt: "what a nice day"}); !res.Valid || res.Risk != 0.05 {
		t.Fatalf("benign text: %+v", res)
	}
	calls := f.calls
	if res, err := s.Scan(ctx, scanner.Input{Prompt: " \n\t "}); err != nil || !res.Valid || f.calls != calls {
		t.Fatalf("blank text must be valid without a model call: %+v %v (calls %d)", res, err, f.calls-calls)
	}
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "bad \xff"}); !errors.Is(err, scanner.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	f.err = errors.New("boom")
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "x"}); err == nil || !strings.Contains(err.Error(), "some/nli") {
		t.Fatalf("model error must surface naming the model: %v", err)
	}
	lex, _ := New(Config{Topics: []string{"violence"}, Threshold: 0.6})
	other, _ := New(func() Config { c := modelConfig("gambling", "violence"); c.MultiLabel = false; return c }(), WithNLI(&fakeNLI{}))
	if s.Fingerprint() == lex.Fingerprint() || s.Fingerprint() == other.Fingerprint() {
		t.Fatal("fingerprint must change with model and multi_label")
	}
	if _, err := New(Config{Topics: []string{"violence"}, Threshold: 0.6}, WithNLI(f)); err == nil {
		t.Fatal("WithNLI without model accepted")
	}
}

func TestModelTinyNLI(t *testing.T) {
	modeltest.Backends(t, func(t *testing.T, backend string) {
		dir := modeltest.TinyDir("tiny-nli")
		m := modeltest.Load(t, backend, (*classifier.Hub).GetPair, dir)
		cfg := DefaultConfig()
		cfg.Topics, cfg.Model, cfg.HypothesisTemplate = []string{"music", "weapons"}, dir, "this example is about {} ."
		s := scannertest.MustWith(t, New, cfg, WithNLI(m))
		res := scannertest.Check(t, s, scanner.Input{Prompt: "we play music and sing with friends ."})
		if res.Valid || len(res.Findings) != 1 || res.Findings[0].Rule != "music" {
			t.Fatalf("music text: %+v", res)
		}
		if res := scannertest.Check(t, s, scanner.Input{Prompt: "the cat sat with the dog in the garden ."}); !res.Valid {
			t.Fatalf("text about neither topic: %+v", res)
		}
		scannertest.Run(t, s, scannertest.WithHugeSize(1<<20), scannertest.WithInputs("we play music ."))
	})
}
