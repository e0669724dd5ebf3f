package resilience

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/llmshield/llmshield/internal/testkit"
)

// flakyBackend fails its first n calls, then succeeds.
type flakyBackend struct {
	failures atomic.Int64
	calls    atomic.Int64
}

func (f *flakyBackend) call(context.Context) error {
	f.calls.Add(1)
	if f.failures.Add(-1) >= 0 {
		return errBoom
	}
	return nil
}

func TestBreakerOpensRejectsHalfOpensAndCloses(t *testing.T) {
	testkit.NoLeaks(t)
	reg := prometheus.NewPedanticRegistry()
	var logs testkit.Buffer
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	// The cool-down is long enough that the call right after the trip is
	// still rejected on a loaded machine, short enough to keep the test fast.
	b, err := NewBreaker("toxicity", BreakerConfig{ConsecutiveFailures: 3, CoolDown: time.Second},
		WithRegisterer(reg), WithLogger(log))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	backend := &flakyBackend{}
	backend.failures.Store(3)
	ctx := context.Background()

	for i := range 3 {
		if got := b.State(); got != StateClosed {
			t.Fatalf("before failure %d: state %s, want closed", i+1, got)
		}
		if err := b.Execute(ctx, backend.call); !errors.Is(err, errBoom) {
			t.Fatalf("failure %d: err = %v", i+1, err)
		}
	}
	if got := b.State(); got != StateOpen {
		t.Fatalf("after 3 failures: state %s, want open", got)
	}
	err = b.Execute(ctx, backend.call)
	if !errors.Is(err, ErrOpen) || !strings.Contains(err.Error(), `"toxicity"`) {
		t.Fatalf("open breaker: err = %v, want ErrOpen naming the breaker", err)
	}
	if n := backend.calls.Load(); n != 3 {
		t.Fatalf("backend called %d times, want 3 (open breaker must not call it)", n)
	}
	if err := testutil.CollectAndCompare(reg, strings.NewReader(`
# HELP llmshield_breaker_state Circuit breaker state: 0 closed, 1 half-open, 2 open.
# TYPE llmshield_breaker_state gauge
llmshield_breaker_state{breaker="toxicity"} 2
`), "llmshield_breaker_state"); err != nil {
		t.Error(err)
	}

	testkit.WaitFor(t, 10*time.Second, "half-open", func() bool { return b.State() == StateHalfOpen })
	if err := b.Execute(ctx, backend.call); err != nil {
		t.Fatalf("trial call: %v", err)
	}
	if got := b.State(); got != StateClosed {
		t.Fatalf("after a successful trial: state %s, want closed", got)
	}

	want := `
# HELP llmshield_breaker_rejected_total Calls refused by an open or saturated half-open circuit breaker.
# TYPE llmshield_breaker_rejected_total counter
llmshield_breaker_rejected_total{breaker="toxicity"} 1
# HELP llmshield_breaker_state Circuit breaker state: 0 closed, 1 half-open, 2 open.
# TYPE llmshield_breaker_state gauge
llmshield_breaker_state{breaker="toxicity"} 0
# HELP llmshield_breaker_transitions_total Circuit breaker state changes.
# TYPE llmshield_breaker_transitions_total counter
llmshield_breaker_transitions_total{breaker="toxicity",from="closed",to="open"} 1
llmshield_breaker_transitions_total{breaker="toxicity",from="half-open",to="closed"} 1
llmshield_breaker_transitions_total{breaker="toxicity",from="half-open",to="open"} 0
llmshield_breaker_transitions_total{breaker="toxicity",from="open",to="half-open"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	out := logs.String()
	for _, s := range []string{
		`level=WARN msg="circuit breaker state changed" breaker=toxicity from=closed to=open`,
		`level=INFO msg="circuit breaker state changed" breaker=toxicity from=open to=half-open`,
		`level=INFO msg="circuit breaker state changed" breaker=toxicity from=half-open to=closed`,
	} {
		if !strings.Contains(out, s) {
			t.Errorf("log lacks %q:\n%s", s, out)
		}
	}
}

func TestBreakerHalfOpenFailureReopens(t *testing.T) {
	b, err := NewBreaker("m", BreakerConfig{ConsecutiveFailures: 1, CoolDown: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_ = b.Execute(ctx, func(context.Context) error { return errBoom })
	testkit.WaitFor(t, 10*time.Second, "half-open", func() bool { return b.State() == StateHalfOpen })
	if err := b.Execute(ctx, func(context.Context) error { return errBoom }); !errors.Is(err, errBoom) {
		t.Fatalf("trial: %v", err)
	}
	// The cool-down is short; the breaker may already be half-open again,
	// but it must have gone back to open once.
	if n := b.Transitions(StateHalfOpen, StateOpen); n != 1 {
		t.Errorf("half-open -> open transitions = %d, want 1", n)
	}
	if n := b.Transitions(StateHalfOpen, StateClosed); n != 0 {
		t.Errorf("half-open -> closed transitions = %d, want 0", n)
	}
}

func TestBreakerHalfOpenLimitsTrialCalls(t *testing.T) {
	testkit.NoLeaks(t)
	b, err := NewBreaker("m", BreakerConfig{ConsecutiveFailures: 1, CoolDown: 20 * time.Millisecond, MaxHalfOpen: 2})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_ = b.Execute(ctx, func(context.Context) error { return errBoom })
	testkit.WaitFor(t, 10*time.Second, "half-open", func() bool { return b.State() == StateHalfOpen })

	release := make(chan struct{})
	var started, wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		started.Add(1)
		wg.Go(func() {
			errs[i] = b.Execute(ctx, func(context.Context) error {
				started.Done()
				<-release
				return nil
			})
		})
	}
	started.Wait()
	err = b.Execute(ctx, func(context.Context) error { t.Error("third trial call ran"); return nil })
	if !errors.Is(err, ErrOpen) || !strings.Contains(err.Error(), "half-open") {
		t.Errorf("third call: err = %v, want ErrOpen (half-open)", err)
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("trial %d: %v", i, err)
		}
	}
	if got := b.State(); got != StateClosed {
		t.Errorf("after 2 successful trials: state %s, want closed", got)
	}
	if b.Rejected() != 1 {
		t.Errorf("Rejected = %d, want 1", b.Rejected())
	}
}

func TestBreakerFailureRatio(t *testing.T) {
	b, err := NewBreaker("m", BreakerConfig{FailureRatio: 0.5, MinRequests: 10, CoolDown: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ok := func(context.Context) error { return nil }
	fail := func(context.Context) error { return errBoom }
	// 3 failures in a row is a ratio of 1, but under MinRequests; the
	// consecutive-failure trigger is off.
	for i, fn := range []func(context.Context) error{fail, fail, fail, ok, ok, ok, ok, ok, ok, ok} {
		_ = b.Execute(ctx, fn)
		if b.State() != StateClosed {
			t.Fatalf("call %d: state %s, want closed", i+1, b.State())
		}
	}
	// 4/11, 5/12, 6/13 stay closed; 7/14 = 0.5 trips.
	for i := 11; i <= 14; i++ {
		_ = b.Execute(ctx, fail)
		want := StateClosed
		if i == 14 {
			want = StateOpen
		}
		if got := b.State(); got != want {
			t.Fatalf("%d failures of %d calls: state %s, want %s", i-7, i, got, want)
		}
	}
}

func TestBreakerIgnoresCallerCancellation(t *testing.T) {
	b, err := NewBreaker("m", BreakerConfig{ConsecutiveFailures: 1, CoolDown: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		err := b.Execute(ctx, func(ctx context.Context) error {
			cancel()
			return ctx.Err()
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	// The caller's own deadline is excluded too, whatever error fn returns.
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	err = b.Execute(ctx, func(ctx context.Context) error {
		<-ctx.Done()
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if b.State() != StateClosed {
		t.Fatalf("state %s after caller cancellations, want closed", b.State())
	}
	done, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := b.Execute(done, func(context.Context) error { t.Error("ran with a done ctx"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("done ctx: err = %v", err)
	}
	// A real failure still trips it.
	_ = b.Execute(context.Background(), func(context.Context) error { return errBoom })
	if b.State() != StateOpen {
		t.Errorf("state %s after a real failure, want open", b.State())
	}
}

func TestBreakerCustomExclusion(t *testing.T) {
	errTooLong := errors.New("input too long")
	b, err := NewBreaker("m", BreakerConfig{ConsecutiveFailures: 1, IsExcluded: func(err error) bool { return errors.Is(err, errTooLong) }})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Execute(context.Background(), func(context.Context) error { return errTooLong }); !errors.Is(err, errTooLong) {
		t.Fatal(err)
	}
	if b.State() != StateClosed {
		t.Errorf("state %s, want closed", b.State())
	}
}

func TestBreakerPanicCountsAsFailure(t *testing.T) {
	b, err := NewBreaker("m", BreakerConfig{ConsecutiveFailures: 1, CoolDown: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic was swallowed")
			}
		}()
		_ = b.Execute(context.Background(), func(context.Context) error { panic("x") })
	}()
	if b.State() != StateOpen {
		t.Errorf("state %s, want open", b.State())
	}
}

func TestBreakerConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		cfg   BreakerConfig
		field string
	}{
		{BreakerConfig{FailureRatio: 1.5}, "failure_ratio"},
		{BreakerConfig{FailureRatio: -0.1}, "failure_ratio"},
		{BreakerConfig{Window: -1}, "window"},
		{BreakerConfig{CoolDown: -1}, "cool_down"},
	} {
		_, err := NewBreaker("m", tc.cfg)
		if err == nil || !strings.Contains(err.Error(), tc.field) || !strings.Contains(err.Error(), `"m"`) {
			t.Errorf("NewBreaker(%+v) = %v, want an error naming %s and the breaker", tc.cfg, err, tc.field)
		}
	}
	if _, err := NewBreaker("", BreakerConfig{}); err == nil {
		t.Error("empty name accepted")
	}
}

func TestBreakerRegistration(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	a, err := NewBreaker("a", BreakerConfig{}, WithRegisterer(reg))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewBreaker("b", BreakerConfig{}, WithRegisterer(reg)); err != nil {
		t.Fatalf("second breaker in the same registry: %v", err)
	}
	if _, err := NewBreaker("a", BreakerConfig{}, WithRegisterer(reg)); err == nil {
		t.Fatal("duplicate name registered")
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := NewBreaker("a", BreakerConfig{}, WithRegisterer(reg)); err != nil {
		t.Fatalf("re-register after Close: %v", err)
	}
	if n, err := testutil.GatherAndCount(reg, "llmshield_breaker_state"); err != nil || n != 2 {
		t.Errorf("state series = %d, %v; want 2", n, err)
	}
}

func TestStateStrings(t *testing.T) {
	for s, want := range map[State]string{StateClosed: "closed", StateHalfOpen: "half-open", StateOpen: "open", State(7): "state(7)"} {
		if s.String() != want {
			t.Errorf("%d: %q, want %q", int(s), s.String(), want)
		}
		if b, _ := s.MarshalText(); string(b) != want {
			t.Errorf("%d: MarshalText %q", int(s), b)
		}
	}
}
