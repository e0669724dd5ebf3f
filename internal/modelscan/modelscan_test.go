package modelscan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/scanner"
)

// model scores every text score with a best part from start to end.
type model struct {
	score      float64
	start, end int
	err        error
	calls      int
}

func (m *model) Classify(_ context.Context, _ string, _ classifier.MatchType, _ []string) (classifier.Prediction, error) {
	m.calls++
	return classifier.Prediction{Score: m.score, Best: classifier.Part{Start: m.start, End: m.end, Result: inference.InferenceResult{}}}, m.err
}
func (m *model) BestLabel(classifier.Prediction, []string) string { return "" }
func (m *model) Labels() []string                                 { return nil }
func (m *model) Version() string                                  { return "m@1" }

func TestRun(t *testing.T) {
	ctx := context.Background()
	m := &model{score: 0.7, start: 2, end: 5}
	res := scanner.Clean("hello world", scanner.MethodHeuristic)
	v, err := Run(ctx, "x", "some/model", m, "hello world", classifier.MatchFull, nil, 0.5, &res)
	if err != nil || !v.Flagged || v.Start != 2 || v.End != 5 || res.Valid || res.Risk != 0.7 || res.Method != scanner.MethodML || res.Threshold != 0.5 {
		t.Fatalf("flagged: %+v %+v %v", v, res, err)
	}
	m.score, m.end = 0.2, 99 // a span past the text is dropped
	res = scanner.Clean("hello world", scanner.MethodHeuristic)
	if v, err := Run(ctx, "x", "some/model", m, "hello world", classifier.MatchFull, nil, 0.5, &res); err != nil || v.Flagged || !res.Valid || v.End != 0 {
		t.Fatalf("valid: %+v %+v %v", v, res, err)
	}
	calls := m.calls
	if v, err := Run(ctx, "x", "some/model", m, " \n", classifier.MatchFull, nil, 0.5, &res); err != nil || v.Flagged || m.calls != calls {
		t.Fatalf("blank: %+v %v (%d calls)", v, err, m.calls-calls)
	}
	if _, err := Run(ctx, "x", "some/model", m, "\xff", classifier.MatchFull, nil, 0.5, &res); !errors.Is(err, scanner.ErrInvalidUTF8) {
		t.Fatalf("invalid UTF-8: %v", err)
	}
	m.err = errors.New("boom")
	if _, err := Run(ctx, "x", "some/model", m, "hello", classifier.MatchFull, nil, 0.5, &res); err == nil || !strings.Contains(err.Error(), "x: model some/model: boom") {
		t.Fatalf("model error: %v", err)
	}
}

func TestLabelsBut(t *testing.T) {
	if got, err := LabelsBut([]string{"Clean", "noise", "word salad"}, "clean", "gibberish"); err != nil || strings.Join(got, ",") != "noise,word salad" {
		t.Fatalf("%v %v", got, err)
	}
	if got, err := LabelsBut([]string{"LABEL_0", "LABEL_1"}, "clean", "gibberish"); err != nil || strings.Join(got, ",") != "LABEL_1" {
		t.Fatalf("%v %v", got, err)
	}
	for _, l := range [][]string{{"clean"}, {"a", "b"}, nil} {
		if _, err := LabelsBut(l, "clean", "gibberish"); err == nil || !strings.Contains(err.Error(), `want a "clean" label`) {
			t.Fatalf("%v: %v", l, err)
		}
	}
}

func TestPairAndLetters(t *testing.T) {
	if Pair("", false, "WithX") != nil || Pair("m", true, "WithX") != nil {
		t.Fatal("matching pairs are fine")
	}
	if err := Pair("m", false, "WithX"); err == nil || !strings.Contains(err.Error(), "not loaded") {
		t.Fatal(err)
	}
	if err := Pair("", true, "WithX"); err == nil || !strings.Contains(err.Error(), "WithX was given but model is empty") {
		t.Fatal(err)
	}
	if n := Letters("a1 bé!c", 10); n != 4 {
		t.Fatalf("letters %d", n)
	}
	if n := Letters("abcdef", 3); n != 3 {
		t.Fatalf("limit: %d", n)
	}
	if MatchType("sentence") != classifier.MatchSentence || MatchType("full") != classifier.MatchFull {
		t.Fatal("match types")
	}
}

func TestTextsAndJudge(t *testing.T) {
	res := scanner.Clean("q", scanner.MethodHeuristic)
	if judge, err := Texts("x", 0.4, &res, "prompt", "answer"); !judge || err != nil || res.Method != scanner.MethodML || res.Threshold != 0.4 {
		t.Fatalf("two texts: %v %v %+v", judge, err, res)
	}
	if judge, err := Texts("x", 0.4, &res, " ", "\xff"); judge || !errors.Is(err, scanner.ErrInvalidUTF8) || !strings.HasPrefix(err.Error(), "x: ") {
		t.Fatalf("invalid UTF-8 before blank: %v %v", judge, err)
	}
	if judge, err := Texts("x", 0.4, &res, "prompt", "\n"); judge || err != nil || !res.Valid {
		t.Fatalf("blank: %v %v %+v", judge, err, res)
	}
	m := &model{score: 0.9, start: 0, end: 5}
	res = scanner.Clean("hello world", scanner.MethodHeuristic)
	err := Judge(context.Background(), "x", "some/model", m, "hello world", classifier.MatchFull, nil, 0.5, &res,
		func(Verdict) scanner.Finding { return scanner.Finding{Rule: "r", Detail: "d"} })
	if err != nil || res.Valid || len(res.Findings) != 1 || res.Findings[0] != (scanner.Finding{Rule: "r", Start: 0, End: 5, Score: 0.9, Detail: "d"}) {
		t.Fatalf("judge: %v %+v", err, res)
	}
}

type setupCfg struct{ bad, model string }

func (c setupCfg) Validate() error {
	if c.bad != "" {
		return errors.New(c.bad)
	}
	return nil
}
func (c setupCfg) ConfiguredModel() string { return c.model }

func TestSetup(t *testing.T) {
	type sc struct{ m *model }
	has := func(s *sc) bool { return s.m != nil }
	with := func(s *sc) { s.m = &model{} }
	var applied bool
	mark := func(*sc) { applied = true }
	if err := Setup("x", setupCfg{bad: "threshold: bad"}, &sc{}, []func(*sc){mark}, "WithM", has); err == nil || err.Error() != "x: threshold: bad" || applied {
		t.Fatalf("invalid config is refused before the options run: %v (applied %v)", err, applied)
	}
	if err := Setup("x", setupCfg{model: "m"}, &sc{}, []func(*sc){with}, "WithM", has); err != nil {
		t.Fatal(err)
	}
	if err := Setup("x", setupCfg{model: "m"}, &sc{}, []func(*sc){}, "WithM", has); err == nil || !strings.HasPrefix(err.Error(), "x: model: ") {
		t.Fatalf("model without option: %v", err)
	}
}
