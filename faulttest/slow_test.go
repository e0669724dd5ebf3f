package faulttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/internal/resilience"
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
				err = scanErr(rep, err)
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
			if msg := d.LastError(); !containsAll(msg, "timed out", "30ms") {
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

// TestHungModelUnderLoad: a model that hangs and ignores its context, hit
// by waves of concurrent scans. Every scan returns within bounds with the
// heuristic's verdict; once the breaker has opened, a second wave does not
// call the model at all, so abandoned calls cannot pile up; and every
// abandoned call's goroutine is gone once the model returns.
func TestHungModelUnderLoad(t *testing.T) {
	noLeaks(t)
	cfg := mlConfig(20*time.Millisecond, 0)
	cfg.Resilience.Breaker = resilience.BreakerConfig{ConsecutiveFailures: 3, CoolDown: time.Hour}
	m := &fakeModel{hang: 400 * time.Millisecond, ignoreCtx: true}
	sh, d, _ := fakeShield(t, cfg, m, llmshield.Pipeline{})
	ctx := context.Background()
	wave := func() {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Go(func() {
				text, valid := benignPrompt, true
				if i%2 == 0 {
					text, valid = injectionPrompt, false
				}
				start := time.Now()
				rep, err := sh.ScanPrompt(ctx, text)
				err = scanErr(rep, err)
				switch r := rep.Scanners[0].Result; {
				case err != nil:
					errs <- err
				case time.Since(start) > 2*time.Second:
					errs <- fmt.Errorf("scan took %s", time.Since(start))
				case r.Method != scanner.MethodMLFallbackToHeuristic || r.Valid != valid:
					errs <- fmt.Errorf("%q: valid=%v by %s", text, r.Valid, r.Method)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	wave()
	if d.Guard().State() != resilience.StateOpen {
		t.Fatalf("breaker %s after a wave of timeouts", d.Guard().State())
	}
	calls := m.calls.Load()
	wave()
	if n := m.calls.Load(); n != calls {
		t.Fatalf("the open breaker let %d calls through to the hung model", n-calls)
	}
	if st := d.Guard().Stats(); st.Calls != 32 || st.Fallbacks != 32 || st.Rejected < 16 {
		t.Fatalf("guard stats %+v: want 32 calls and fallbacks, the second wave rejected", st)
	}
}

// TestPipelineDeadlineBeforeModelTimeout: when the pipeline's deadline for
// the scanner ends before the model's call timeout, the scan is an error
// entry wrapping scanner.ErrTimeout (no verdict, no fallback: the request
// is out of time), counted as a cancelled call, not a model failure.
func TestPipelineDeadlineBeforeModelTimeout(t *testing.T) {
	noLeaks(t)
	m := &fakeModel{hang: 10 * time.Second}
	sh, d, reg := fakeShield(t, mlConfig(5*time.Second, 1), m, llmshield.Pipeline{Timeout: 50 * time.Millisecond})
	start := time.Now()
	rep, err := sh.ScanPrompt(context.Background(), benignPrompt)
	err = scanErr(rep, err)
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %s with a 50ms scanner deadline", took)
	}
	if !errors.Is(err, scanner.ErrTimeout) || rep.Valid || rep.Scanners[0].Err == nil {
		t.Fatalf("report %+v, error %v: want an error entry wrapping ErrTimeout", rep, err)
	}
	if st := d.Guard().Stats(); st.Canceled != 1 || st.Failures != 0 || st.Fallbacks != 0 || st.Timeouts != 0 {
		t.Fatalf("guard stats %+v: want one cancelled call and no model failure", st)
	}
	if d.LastError() != "" {
		t.Fatalf("a cancelled call recorded a model error: %q", d.LastError())
	}
	if v, _ := metricValue(t, reg, "llmshield_scan_errors_total", map[string]string{"scanner": "prompt_injection"}); v != 1 {
		t.Fatalf("llmshield_scan_errors_total = %v, want 1", v)
	}
}
