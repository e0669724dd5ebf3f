package rulescan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/scanner"
)

func TestShell(t *testing.T) {
	type cfg struct{ Threshold float64 }
	a := NewShell("x", scanner.StageOutput, "1", cfg{0.5})
	if a.Name() != "x" || a.Stages() != scanner.StageOutput || len(a.Fingerprint()) != 32 {
		t.Fatalf("shell %+v", a)
	}
	for _, b := range []Shell{NewShell("y", scanner.StageOutput, "1", cfg{0.5}), NewShell("x", scanner.StageOutput, "2", cfg{0.5}), NewShell("x", scanner.StageOutput, "1", cfg{0.6})} {
		if b.Fingerprint() == a.Fingerprint() {
			t.Errorf("%+v: fingerprint must change with the name, version and settings", b)
		}
	}
	if NewShell("x", scanner.StageBoth, "1", cfg{0.5}).Fingerprint() != a.Fingerprint() {
		t.Error("fingerprint must be stable")
	}
	nan := NewShell("x", scanner.StageOutput, "1", cfg{zero() / zero()})
	if fp := nan.Fingerprint(); len(fp) != 32 || fp == a.Fingerprint() || fp != NewShell("x", scanner.StageOutput, "1", cfg{zero() / zero()}).Fingerprint() {
		t.Errorf("settings JSON cannot encode: fingerprint %q", fp)
	}
}

func TestScan(t *testing.T) {
	flag := func(_ context.Context, text string, res *scanner.Result) error {
		if text == "bad" {
			Flag(res, scanner.Finding{Rule: "r", Score: 0.9})
		}
		return nil
	}
	r, err := Scan(context.Background(), scanner.Input{Prompt: "bad"}, flag)
	if err != nil || r.Valid || r.Risk != 0.9 || r.Sanitized != "bad" || len(r.Findings) != 1 || r.Method != scanner.MethodHeuristic {
		t.Fatalf("flagged: %+v %v", r, err)
	}
	r, err = Scan(context.Background(), scanner.Input{Prompt: "bad", Output: "good", Stage: scanner.StageOutput}, flag)
	if err != nil || !r.Valid || r.Sanitized != "good" || r.Findings == nil {
		t.Fatalf("output scan must analyse the output: %+v %v", r, err)
	}
	boom := errors.New("boom")
	if _, err := Scan(context.Background(), scanner.Input{Prompt: "x"}, func(context.Context, string, *scanner.Result) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("check's error: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	if _, err := Scan(ctx, scanner.Input{Prompt: "x"}, func(context.Context, string, *scanner.Result) error { called = true; return nil }); !errors.Is(err, context.Canceled) || called {
		t.Fatalf("cancelled context: err %v, analysed %v", err, called)
	}
	ctx, cancel = context.WithCancel(context.Background())
	if _, err := Scan(ctx, scanner.Input{Prompt: "x"}, func(context.Context, string, *scanner.Result) error { cancel(); return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("context cancelled during the check: err %v", err)
	}
}

func TestFlagCapsFindings(t *testing.T) {
	res := scanner.Clean("t", scanner.MethodHeuristic)
	for i := range MaxFindings + 5 {
		Flag(&res, scanner.Finding{Rule: "r", Score: float64(i) / 200})
	}
	if res.Valid || len(res.Findings) != MaxFindings || res.Risk != float64(MaxFindings+4)/200 {
		t.Fatalf("valid %v, %d findings, risk %v", res.Valid, len(res.Findings), res.Risk)
	}
}

func TestMatches(t *testing.T) {
	//        0123456789012345678
	text := "aa bbb cccc dd eeee"
	ms := Matches{{15, 19, 3}, {3, 6, 0}, {3, 10, 1}, {7, 11, 2}, {12, 12, 4}}
	ms.Sort()
	want := Matches{{3, 10, 1}, {3, 6, 0}, {7, 11, 2}, {12, 12, 4}, {15, 19, 3}}
	if d := cmp.Diff(want, ms); d != "" {
		t.Fatalf("sorted (-want +got):\n%s", d)
	}
	if got := ms.Redact(text, "[X]"); got != "aa [X] dd [X]" {
		t.Errorf("Redact = %q", got)
	}
	if got := (Matches{}).Redact(text, "[X]"); got != text {
		t.Errorf("Redact without matches = %q", got)
	}
	fs := ms.Findings("r", func(p int) string { return fmt.Sprint("p", p) })
	if len(fs) != 5 || fs[0] != (scanner.Finding{Rule: "r", Start: 3, End: 10, Score: 1, Detail: "p1"}) {
		t.Errorf("findings %+v", fs)
	}
	many := make(Matches, MaxFindings+1)
	if n := len(many.Findings("r", func(int) string { return "" })); n != MaxFindings {
		t.Errorf("%d findings, want the cap %d", n, MaxFindings)
	}
}

func TestSettingChecks(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string // "" for no error
	}{
		{Threshold(0.5), ""},
		{Threshold(1), ""},
		{Threshold(0), "threshold: must be in (0, 1], got 0"},
		{Threshold(1.5), "threshold: must be in (0, 1], got 1.5"},
		{Threshold(zero() / zero()), "threshold: must be in (0, 1], got NaN"},
		{OneOf("match_type", "full", "full", "sentence"), ""},
		{OneOf("match_type", "x", "full", "sentence"), `match_type: unknown "x" (want "full" or "sentence")`},
		{OneOf("mode", "x", "a", "b", "c"), `mode: unknown "x" (want "a", "b" or "c")`},
		{OneOf("mode", "x", "a"), `mode: unknown "x" (want "a")`},
		{AtLeast("min_letters", 1, 1), ""},
		{AtLeast("min_letters", 0, 1), "min_letters: must be at least 1, got 0"},
	} {
		got := ""
		if c.err != nil {
			got = c.err.Error()
		}
		if got != c.want || c.want != "" && !strings.Contains(got, ":") {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func zero() float64 { return 0 }

func TestEachSpan(t *testing.T) {
	spans := make([][2]int, 200)
	for i := range spans {
		spans[i] = [2]int{i, i + 1}
	}
	n := 0
	if err := EachSpan(context.Background(), spans, func(a, b int) {
		if a != n || b != n+1 {
			t.Fatalf("span %d: [%d,%d)", n, a, b)
		}
		n++
	}); err != nil || n != len(spans) {
		t.Fatalf("%d spans visited, err %v", n, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err := EachSpan(ctx, spans, func(int, int) {
		if n++; n == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || n != 63 {
		t.Fatalf("cancelled after 10 spans: err %v after %d spans, want context.Canceled after 63", err, n)
	}
}
