package faulttest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/promptinjection"
)

// panicScanner panics on every scan.
type panicScanner struct{ v any }

func (panicScanner) Name() string { return "panicky" }
func (p panicScanner) Scan(context.Context, scanner.Input) (scanner.Result, error) {
	panic(p.v)
}

// TestPanickingScanner: a scanner that panics inside a Shield yields an
// error entry for that scanner wrapping scanner.ErrPanic, the other
// scanners' results are intact, the verdict fails closed (or not, with
// FailOpen), and the metrics count the error.
func TestPanickingScanner(t *testing.T) {
	for _, tc := range []struct {
		name  string
		value any
		text  string // in the error
	}{
		{"string", "index out of range in rule 7", "index out of range in rule 7"},
		{"error", fmt.Errorf("wrapped: %w", errBackend), errBackend.Error()},
		{"runtime-error", runtimeError(), "index out of range"},
		{"nil", nil, "nil"},
	} {
		for _, failOpen := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/fail_open=%v", tc.name, failOpen), func(t *testing.T) {
				noLeaks(t)
				heuristic := promptinjection.DefaultConfig()
				heuristic.ML.Enabled = false // the rules alone
				rules, err := promptinjection.New(heuristic)
				if err != nil {
					t.Fatal(err)
				}
				m := &fakeModel{}
				sh, _, reg := fakeShield(t, mlConfig(time.Second, 0), m, llmshield.Pipeline{
					FailOpen: failOpen,
					Input:    []llmshield.Entry{{Scanner: panicScanner{tc.value}}, {Name: "rules", Scanner: rules}},
				})
				ctx := context.Background()
				for _, text := range []string{injectionPrompt, benignPrompt} {
					flagged := text == injectionPrompt
					rep, err := sh.ScanPrompt(ctx, text)
					err = scanErr(rep, err)
					if !errors.Is(err, scanner.ErrPanic) {
						t.Fatalf("%q: error %v, want one wrapping ErrPanic", text, err)
					}
					p := reportOf(t, rep, "panicky")
					var se *scanner.Error
					if !errors.As(p.Err, &se) || se.Scanner != "panicky" || !errors.Is(p.Err, scanner.ErrPanic) || !strings.Contains(p.Err.Error(), tc.text) {
						t.Fatalf("%q: panicky's error %v: want a *scanner.Error for panicky wrapping ErrPanic with %q", text, p.Err, tc.text)
					}
					if p.Result.Valid {
						t.Fatalf("%q: a failed scanner reports valid", text)
					}
					r := reportOf(t, rep, "rules")
					if r.Err != nil || r.Result.Valid == flagged || r.Result.Method != scanner.MethodHeuristic || (len(r.Result.Findings) > 0) != flagged {
						t.Fatalf("%q: the rules scanner's result was disturbed: %+v %v", text, r.Result, r.Err)
					}
					ml := reportOf(t, rep, "prompt_injection")
					if ml.Err != nil || ml.Result.Method != scanner.MethodML || ml.Result.Valid == flagged {
						t.Fatalf("%q: the ML scanner's result was disturbed: %+v %v", text, ml.Result, ml.Err)
					}
					// Fail closed: a failed scanner invalidates; fail open: only verdicts count.
					if want := failOpen && !flagged; rep.Valid != want {
						t.Fatalf("%q: report valid=%v, want %v", text, rep.Valid, want)
					}
				}
				if v, _ := metricValue(t, reg, "llmshield_scan_errors_total", map[string]string{"scanner": "panicky"}); v != 2 {
					t.Fatalf("llmshield_scan_errors_total{scanner=panicky} = %v, want 2", v)
				}
				if v, _ := metricValue(t, reg, "llmshield_scans_total", map[string]string{"scanner": "panicky", "verdict": "error"}); v != 2 {
					t.Fatalf("llmshield_scans_total{scanner=panicky,verdict=error} = %v, want 2", v)
				}
				if v, _ := metricValue(t, reg, "llmshield_scan_errors_total", map[string]string{"scanner": "rules"}); v != 0 {
					t.Fatalf("llmshield_scan_errors_total{scanner=rules} = %v, want 0", v)
				}
				if v, _ := metricValue(t, reg, "llmshield_scans_total", map[string]string{"scanner": "rules", "verdict": "invalid"}); v != 1 {
					t.Fatalf("llmshield_scans_total{scanner=rules,verdict=invalid} = %v, want 1", v)
				}
			})
		}
	}
}

func runtimeError() (err error) {
	defer func() { err, _ = recover().(runtime.Error) }()
	var s []int
	_ = s[len(s)+1]
	return nil
}

// TestPanickingModel: a model that panics inside a guarded call does not
// take the process down: the scan falls back to the heuristic and the
// detector's last error says the model panicked.
func TestPanickingModel(t *testing.T) {
	noLeaks(t)
	m := &fakeModel{panicWith: "tensor index out of range"}
	sh, d, _ := fakeShield(t, mlConfig(time.Second, 1), m, llmshield.Pipeline{})
	rep, err := sh.ScanPrompt(context.Background(), injectionPrompt)
	err = scanErr(rep, err)
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Scanners[0].Result; r.Method != scanner.MethodMLFallbackToHeuristic || r.Valid {
		t.Fatalf("got valid=%v by %s, want flagged by the heuristic fallback", r.Valid, r.Method)
	}
	if msg := d.LastError(); !containsAll(msg, "panic", "tensor index out of range") {
		t.Fatalf("last error %q does not report the panic", msg)
	}
	// A panic is not transient: no retry.
	if got := m.calls.Load(); got != 1 {
		t.Fatalf("model called %d times, want 1", got)
	}
}
