package faulttest

import (
	"context"
	"testing"
	"time"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/health"
	"github.com/llmshield/llmshield/internal/resilience"
	"github.com/llmshield/llmshield/internal/testkit"
	"github.com/llmshield/llmshield/scanner"
)

// TestBreakerOpensAndRecovers: a model backend that fails three times and
// then recovers. The breaker opens after the third failure; while it is open
// scans fall back without calling the model, Health warns that the breaker
// is open and llmshield_breaker_state is 2; after the cool-down it is
// half-open, the next scan reaches the recovered model (method ml) and
// closes it; Health is healthy again and the transitions are counted.
func TestBreakerOpensAndRecovers(t *testing.T) {
	noLeaks(t)
	const coolDown = 200 * time.Millisecond
	cfg := mlConfig(time.Second, 0)
	cfg.Resilience.Breaker = resilience.BreakerConfig{ConsecutiveFailures: 3, CoolDown: coolDown}
	m := &fakeModel{}
	m.failNext.Store(3)
	sh, d, reg := fakeShield(t, cfg, m, llmshield.Pipeline{})
	ctx := context.Background()
	g := d.Guard()
	breaker := map[string]string{"breaker": g.Name()}
	transitions := func(from, to resilience.State) float64 {
		v, ok := metricValue(t, reg, "llmshield_breaker_transitions_total", map[string]string{"breaker": g.Name(), "from": from.String(), "to": to.String()})
		if !ok {
			t.Fatalf("no llmshield_breaker_transitions_total{from=%s,to=%s} series", from, to)
		}
		return v
	}
	state := func() float64 {
		v, ok := metricValue(t, reg, "llmshield_breaker_state", breaker)
		if !ok {
			t.Fatalf("no llmshield_breaker_state series for %s", g.Name())
		}
		return v
	}
	scan := func(text string, want scanner.DetectionMethod, valid bool) {
		t.Helper()
		rep, err := sh.ScanPrompt(ctx, text)
		err = scanErr(rep, err)
		if err != nil {
			t.Fatal(err)
		}
		if r := rep.Scanners[0].Result; r.Method != want || r.Valid != valid {
			t.Fatalf("%q: valid=%v by %s, want valid=%v by %s", text, r.Valid, r.Method, valid, want)
		}
	}
	if state() != float64(resilience.StateClosed) {
		t.Fatalf("breaker starts %v", state())
	}

	// Three failures: each falls back, the third opens the breaker.
	for range 3 {
		scan(injectionPrompt, scanner.MethodMLFallbackToHeuristic, false)
	}
	if m.calls.Load() != 3 || g.State() != resilience.StateOpen {
		t.Fatalf("after 3 failures: %d model calls, breaker %s; want 3 calls and open", m.calls.Load(), g.State())
	}
	// Open: scans fall back without calling the model.
	scan(benignPrompt, scanner.MethodMLFallbackToHeuristic, true)
	scan(injectionPrompt, scanner.MethodMLFallbackToHeuristic, false)
	if n := m.calls.Load(); n != 3 {
		t.Fatalf("the model was called %d times while the breaker was open", n-3)
	}
	if st := g.Stats(); st.Rejected != 2 || st.Fallbacks != 5 || st.Failures != 5 {
		t.Fatalf("guard stats %+v: want 2 rejected, 5 failures, 5 fallbacks", st)
	}
	if state() != float64(resilience.StateOpen) || transitions(resilience.StateClosed, resilience.StateOpen) != 1 {
		t.Fatalf("metrics: state %v, closed->open %v; want 2 and 1", state(), transitions(resilience.StateClosed, resilience.StateOpen))
	}
	if v, _ := metricValue(t, reg, "llmshield_breaker_rejected_total", breaker); v != 2 {
		t.Fatalf("llmshield_breaker_rejected_total = %v, want 2", v)
	}
	st := sh.Health(ctx, health.DefaultThresholds())
	if !st.Healthy || !st.Degraded || !anyContains(st.Warnings, "breakers", "circuit breaker open", g.Name()) {
		t.Fatalf("health while open: %+v; want degraded with a warning that %s is open", st, g.Name())
	}

	// After the cool-down the breaker is half-open (the gauge shows it
	// without a call), and the recovered model closes it.
	testkit.WaitFor(t, 5*time.Second, "the breaker to turn half-open", func() bool { return g.State() == resilience.StateHalfOpen })
	if state() != float64(resilience.StateHalfOpen) {
		t.Fatalf("llmshield_breaker_state = %v while half-open", state())
	}
	scan(injectionPrompt, scanner.MethodML, false)
	if g.State() != resilience.StateClosed || m.calls.Load() != 4 {
		t.Fatalf("after a successful trial: breaker %s, %d calls; want closed and 4", g.State(), m.calls.Load())
	}
	scan(benignPrompt, scanner.MethodML, true)
	if state() != float64(resilience.StateClosed) ||
		transitions(resilience.StateOpen, resilience.StateHalfOpen) != 1 ||
		transitions(resilience.StateHalfOpen, resilience.StateClosed) != 1 ||
		transitions(resilience.StateHalfOpen, resilience.StateOpen) != 0 {
		t.Fatalf("metrics after recovery: state %v, open->half-open %v, half-open->closed %v, half-open->open %v",
			state(), transitions(resilience.StateOpen, resilience.StateHalfOpen),
			transitions(resilience.StateHalfOpen, resilience.StateClosed), transitions(resilience.StateHalfOpen, resilience.StateOpen))
	}
	if d.LastError() != "" {
		t.Fatalf("last error %q after a successful call", d.LastError())
	}
	st = sh.Health(ctx, health.DefaultThresholds())
	if !st.Healthy || st.Degraded || st.Checks["breakers"].Status != health.LevelOK {
		t.Fatalf("health after recovery: %+v; want healthy", st)
	}
}

// TestBreakerReopensOnFailedTrial: when the half-open trial fails, the
// breaker opens again (half-open -> open) and scans keep falling back.
func TestBreakerReopensOnFailedTrial(t *testing.T) {
	noLeaks(t)
	cfg := mlConfig(time.Second, 0)
	cfg.Resilience.Breaker = resilience.BreakerConfig{ConsecutiveFailures: 2, CoolDown: 100 * time.Millisecond}
	m := &fakeModel{}
	m.failNext.Store(3)
	sh, d, reg := fakeShield(t, cfg, m, llmshield.Pipeline{})
	ctx := context.Background()
	g := d.Guard()
	for range 2 {
		if rep, err := sh.ScanPrompt(ctx, benignPrompt); scanErr(rep, err) != nil {
			t.Fatal(err)
		}
	}
	testkit.WaitFor(t, 5*time.Second, "the breaker to turn half-open", func() bool { return g.State() == resilience.StateHalfOpen })
	rep, err := sh.ScanPrompt(ctx, benignPrompt)
	err = scanErr(rep, err)
	if err != nil || rep.Scanners[0].Result.Method != scanner.MethodMLFallbackToHeuristic {
		t.Fatalf("failed trial: %+v %v; want a fallback", rep.Scanners[0].Result, err)
	}
	if g.State() != resilience.StateOpen || m.calls.Load() != 3 {
		t.Fatalf("after a failed trial: breaker %s, %d calls; want open, 3", g.State(), m.calls.Load())
	}
	if v, _ := metricValue(t, reg, "llmshield_breaker_transitions_total", map[string]string{"breaker": g.Name(), "from": "half-open", "to": "open"}); v != 1 {
		t.Fatalf("half-open->open transitions = %v, want 1", v)
	}
	// The model has recovered; the next trial closes the breaker.
	testkit.WaitFor(t, 5*time.Second, "the breaker to turn half-open again", func() bool { return g.State() == resilience.StateHalfOpen })
	if rep, err := sh.ScanPrompt(ctx, benignPrompt); scanErr(rep, err) != nil || rep.Scanners[0].Result.Method != scanner.MethodML {
		t.Fatalf("second trial: %+v %v; want ml", rep.Scanners[0].Result, err)
	}
	if g.State() != resilience.StateClosed {
		t.Fatalf("breaker %s after a successful trial", g.State())
	}
}
