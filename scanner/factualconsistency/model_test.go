package factualconsistency

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

type fakeNLI struct {
	premise, hypothesis string
	score               float64
	err                 error
	calls               int
}

func (f *fakeNLI) Entailment(_ context.Context, p, h string) (float64, error) {
	f.calls++
	f.premise, f.hypothesis = p, h
	return f.score, f.err
}

func (f *fakeNLI) Version() string { return "fake@1" }

func TestModelScan(t *testing.T) {
	f := &fakeNLI{score: 0.2}
	cfg := DefaultConfig()
	cfg.Model = "some/nli"
	s := scannertest.MustWith(t, New, cfg, WithNLI(f))
	ctx := context.Background()
	in := scanner.Input{Prompt: "The meeting is on Monday.", Output: "The meeting is on Friday.", Stage: scanner.StageOutput}
	res := scannertest.Check(t, s, in)
	if f.premise != in.Prompt || f.hypothesis != in.Output {
		t.Fatalf("premise %q hypothesis %q: the prompt must be the premise", f.premise, f.hypothesis)
	}
	if res.Valid || res.Method != scanner.MethodML || res.Risk != 0.8 || len(res.Findings) != 1 || res.Threshold != 0.75 {
		t.Fatalf("not entailed: %+v", res)
	}
	f.score = 0.75
	if res, err := s.Scan(ctx, in); err != nil || !res.Valid || res.Risk != 0 {
		t.Fatalf("entailed at minimum_score: %+v %v", res, err)
	}
	calls := f.calls
	if res, err := s.Scan(ctx, scanner.Input{Prompt: "p", Output: "  ", Stage: scanner.StageOutput}); err != nil || !res.Valid || f.calls != calls {
		t.Fatalf("blank answer: %+v %v", res, err)
	}
	if _, err := s.Scan(ctx, scanner.Input{Prompt: "p", Output: "\xff", Stage: scanner.StageOutput}); !errors.Is(err, scanner.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	f.score = 1.5
	if _, err := s.Scan(ctx, in); err == nil {
		t.Fatal("score outside [0,1] accepted")
	}
	f.err = errors.New("boom")
	if _, err := s.Scan(ctx, in); err == nil || !strings.Contains(err.Error(), "some/nli") {
		t.Fatalf("model error: %v", err)
	}
	builtin, _ := New(DefaultConfig())
	if builtin.Fingerprint() == s.Fingerprint() {
		t.Fatal("fingerprint must change with the model")
	}
}

func TestModelTinyNLI(t *testing.T) {
	modeltest.Backends(t, func(t *testing.T, backend string) {
		dir := modeltest.TinyDir("tiny-nli")
		m := modeltest.Load(t, backend, (*classifier.Hub).GetPair, dir)
		cfg := DefaultConfig()
		cfg.Model = dir
		s := scannertest.MustWith(t, New, cfg, WithNLI(m))
		prompt := "the bank will pay money to the market ."
		res, err := s.Scan(context.Background(), scanner.Input{Prompt: prompt, Output: "money bank .", Stage: scanner.StageOutput})
		if err != nil || !res.Valid {
			t.Fatalf("supported answer: %+v %v", res, err)
		}
		res, err = s.Scan(context.Background(), scanner.Input{Prompt: prompt, Output: "the river boat .", Stage: scanner.StageOutput})
		if err != nil || res.Valid || res.Risk < 0.9 {
			t.Fatalf("unsupported answer: %+v %v", res, err)
		}
		scannertest.Run(t, s, scannertest.WithHugeSize(1<<20))
	})
}
