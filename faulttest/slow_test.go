package faulttest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/resilience"
	"github.com/llmshield/llmshield/scanner"
)

// TestSlowModelTimeout: a model slower than its 30ms call timeout, one that
// honours its context and one that ignores it. Each attempt is cut at the
// timeout, the scan falls back to the heuristic quickly, the guard counts
// the timeouts and the fallback, the metrics count the fallback verdict, and
// the abandoned model calls leave no goroutine behind once they return.
func TestSlowModelTimeout(t *testing.T) {
	for _, tc := range []struct {
		name      string
		hang      time.Duration
		ignoreCtx bool
	}{
		{"honours-ctx", 10 * time.Second, false},
		{"ignores-ctx", 300 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			m := &fakeModel{hang: tc.hang, ignoreCtx: tc.ignoreCtx}
			sh, d, reg := fakeShield(t, mlConfig(30*time.Millisecond, 1), m, llmshield.Pipeline{})
			ctx := context.Background()
			for i, want := range []struct {
				text  string
				valid bool
			}{{injectionPrompt, false}, {benignPrompt, true}} {
				start := time.Now()
				rep, err := sh.ScanPrompt(ctx, want.text)
				if took := time.Since(start); took > 2*time.Second {
					t.Fatalf("%q: took %s with a 30ms call timeout", want.text, took)
				}
				if err != nil {
					t.Fatal(err)
				}
				r := rep.Scanners[0].Result
				if r.Method != scanner.MethodMLFallbackToHeuristic || r.Valid != want.valid || rep.Valid != want.valid {
					t.Fatalf("%q: valid=%v by %s, want valid=%v by the heuristic fallback", want.text, r.Valid, r.Method, want.valid)
				}
				st := d.Guard().Stats()
				calls := uint64(i + 1)
				// Two attempts per call (retries: 1), each cut by the timeout.
				if st.Calls != calls || st.Timeouts != 2*calls || st.Retries != calls || st.Failures != calls || st.Fallbacks != calls || st.Successes != 0 {
					t.Fatalf("guard stats %+v after %d scans", st, calls)
				}
			}
			if got := m.calls.Load(); got != 4 {
				t.Fatalf("model called %d times, want 4 (2 scans x 2 attempts)", got)
			}
			if msg := d.LastError(); !errors.Is(resilience.ErrTimeout, context.DeadlineExceeded) || !containsAll(msg, "timed out", "30ms") {
				t.Fatalf("last error %q does not say the call timed out after 30ms", msg)
			}
			if v, _ := metricValue(t, reg, "llmshield_detections_total", map[string]string{"scanner": "prompt_injection", "method": "ml_fallback_to_heuristic"}); v != 2 {
				t.Fatalf("llmshield_detections_total{method=ml_fallback_to_heuristic} = %v, want 2", v)
			}
			if v, _ := metricValue(t, reg, "llmshield_scan_errors_total", nil); v != 0 {
				t.Fatalf("llmshield_scan_errors_total = %v: a fallback is not a scanner error", v)
			}
		})
	}
}
