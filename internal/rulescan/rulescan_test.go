package rulescan

import (
	"context"
	"errors"
	"testing"

	"github.com/llmshield/llmshield/scanner"
)

func TestScan(t *testing.T) {
	flag := func(text string) Verdict { return Verdict{Flagged: text == "bad", Risk: 0.9} }
	r, err := Scan(context.Background(), scanner.Input{Prompt: "bad"}, flag)
	if err != nil || r.Valid || r.Risk != 0.9 || r.Sanitized != "bad" || r.Findings == nil || r.Method != scanner.MethodHeuristic {
		t.Fatalf("flagged: %+v %v", r, err)
	}
	r, err = Scan(context.Background(), scanner.Input{Prompt: "p", Output: "good", Stage: scanner.StageOutput}, flag)
	if err != nil || !r.Valid || r.Sanitized != "good" {
		t.Fatalf("output scan must analyse the output: %+v %v", r, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	if _, err := Scan(ctx, scanner.Input{Prompt: "x"}, func(string) Verdict { called = true; return Verdict{} }); !errors.Is(err, context.Canceled) || called {
		t.Fatalf("cancelled context: err %v, analysed %v", err, called)
	}
}

func TestFingerprint(t *testing.T) {
	a, b, c := Fingerprint("x", "v1", 0.5), Fingerprint("x", "v2", 0.5), Fingerprint("x", "v1", 0.6)
	if a == b || a == c || a != Fingerprint("x", "v1", 0.5) || len(a) != 32 {
		t.Fatalf("fingerprints %s %s %s", a, b, c)
	}
}
