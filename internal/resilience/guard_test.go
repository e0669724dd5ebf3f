package resilience

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/internal/testkit"
)

func guardConfig(ft *fakeTime, attempts int, trip uint32) GuardConfig {
	return GuardConfig{
		CallTimeout: time.Hour,
		Retry:       Policy{MaxAttempts: attempts, Sleep: ft.Sleep, Now: ft.Now, Rand: fixedRand(0.5)},
		Breaker:     BreakerConfig{ConsecutiveFailures: trip, CoolDown: time.Hour},
	}
}

// slowGuard is a guard of guardConfig whose calls time out after 5ms.
func slowGuard(t *testing.T, attempts int, trip uint32) *Guard {
	t.Helper()
	cfg := guardConfig(newFakeTime(), attempts, trip)
	cfg.CallTimeout = 5 * time.Millisecond
	return mustGuard(t, "slow", cfg)
}

func TestGuardRetriesTransientFailures(t *testing.T) {
	testkit.NoLeaks(t)
	ft := newFakeTime()
	g := mustGuard(t, "pi", guardConfig(ft, 5, 10))
	calls := 0
	v, err := Call(context.Background(), g, func(context.Context) (float64, error) {
		calls++
		if calls < 3 {
			return 0, Transient(errBoom)
		}
		return 0.93, nil
	})
	if err != nil || v != 0.93 {
		t.Fatalf("Call = %v, %v", v, err)
	}
	want := GuardStats{Name: "pi", State: StateClosed, Calls: 1, Successes: 1, Retries: 2}
	if diff := cmp.Diff(want, g.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestGuardDoesNotHammerOpenBreaker(t *testing.T) {
	testkit.NoLeaks(t)
	ft := newFakeTime()
	g := mustGuard(t, "pi", guardConfig(ft, 5, 2))
	var calls atomic.Int64
	fn := func(context.Context) error { calls.Add(1); return Transient(errBoom) }
	// Attempts 1 and 2 fail and trip the breaker; attempt 3 is refused and
	// the retry stops there instead of using its 5 attempts.
	err := g.Do(context.Background(), fn)
	if !errors.Is(err, ErrOpen) {
		t.Fatalf("err = %v, want ErrOpen", err)
	}
	if calls.Load() != 2 {
		t.Errorf("model called %d times, want 2", calls.Load())
	}
	if n := len(ft.Sleeps()); n != 2 {
		t.Errorf("slept %d times, want 2 (before attempts 2 and 3)", n)
	}
	// The next call is refused at once: no model call, no sleep.
	if err := g.Do(context.Background(), fn); !errors.Is(err, ErrOpen) {
		t.Fatalf("err = %v, want ErrOpen", err)
	}
	if calls.Load() != 2 || len(ft.Sleeps()) != 2 {
		t.Errorf("open breaker: model calls %d, sleeps %d; want 2, 2", calls.Load(), len(ft.Sleeps()))
	}
	want := GuardStats{Name: "pi", State: StateOpen, Calls: 2, Failures: 2, Rejected: 2, Retries: 2}
	if diff := cmp.Diff(want, g.Stats()); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

func TestGuardPerCallTimeoutIsAFailure(t *testing.T) {
	testkit.NoLeaks(t)
	g := slowGuard(t, 1, 1)
	err := g.Do(context.Background(), func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	s := g.Stats()
	if s.Timeouts != 1 || s.Failures != 1 || s.State != StateOpen {
		t.Errorf("stats = %+v, want 1 timeout, 1 failure, open", s)
	}
}

func TestGuardTimeoutIsRetried(t *testing.T) {
	testkit.NoLeaks(t)
	g := slowGuard(t, 3, 10)
	var calls atomic.Int64 // the abandoned first attempt runs on its own goroutine
	err := g.Do(context.Background(), func(ctx context.Context) error {
		if calls.Add(1) == 1 {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	})
	if err != nil || calls.Load() != 2 {
		t.Fatalf("err = %v, calls = %d; want success on the second attempt", err, calls.Load())
	}
	if s := g.Stats(); s.Timeouts != 1 || s.Retries != 1 || s.Successes != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestGuardCallerCancellation(t *testing.T) {
	testkit.NoLeaks(t)
	ft := newFakeTime()
	g := mustGuard(t, "pi", guardConfig(ft, 5, 1))
	ctx, cancel := context.WithCancel(context.Background())
	err := g.Do(ctx, func(ctx context.Context) error { cancel(); <-ctx.Done(); return ctx.Err() })
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	s := g.Stats()
	if s.Canceled != 1 || s.Failures != 0 || s.State != StateClosed || s.Retries != 0 {
		t.Errorf("stats = %+v, want 1 canceled, no failure, closed, no retry", s)
	}
}

func TestGuardFallback(t *testing.T) {
	testkit.NoLeaks(t)
	ft := newFakeTime()
	g := mustGuard(t, "pi", guardConfig(ft, 1, 1))
	heuristic := func(_ context.Context, cause error) (string, error) { return "heuristic: " + cause.Error(), nil }
	model := func(context.Context) (string, error) { return "", Permanent(errors.New("corrupt model")) }

	v, err := CallWithFallback(context.Background(), g, model, heuristic)
	if err != nil || v != "heuristic: corrupt model" {
		t.Fatalf("first call = %q, %v", v, err)
	}
	v, err = CallWithFallback(context.Background(), g, model, heuristic)
	if err != nil || !strings.Contains(v, "circuit breaker is open") {
		t.Fatalf("second call = %q, %v; want the fallback with ErrOpen as cause", v, err)
	}
	if _, err := CallWithFallback(context.Background(), g, model, heuristic); err != nil {
		t.Fatal(err)
	}
	// The caller giving up is not a reason to fall back.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := CallWithFallback(ctx, g, model, heuristic); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
	g.RecordFallback()
	s := g.Stats()
	if s.Fallbacks != 4 || s.Calls != 4 || s.FallbackRate() != 1 || s.Rejected != 2 {
		t.Errorf("stats = %+v", s)
	}
}

func TestGuardConcurrentCounters(t *testing.T) {
	testkit.NoLeaks(t)
	g := mustGuard(t, "pi", GuardConfig{
		CallTimeout: time.Hour,
		Retry:       Policy{MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { return nil }},
		Breaker:     BreakerConfig{ConsecutiveFailures: 1000, CoolDown: time.Hour},
	})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 1))
			for range 200 {
				fail := r.IntN(4) == 0
				_ = g.Do(context.Background(), func(context.Context) error {
					if fail {
						return errBoom
					}
					return nil
				})
			}
		})
	}
	wg.Wait()
	s := g.Stats()
	if s.Calls != 1600 || s.Successes+s.Failures+s.Canceled != s.Calls || s.Failures == 0 {
		t.Errorf("stats = %+v: outcomes do not add up to calls", s)
	}
	if got, want := s.ErrorRate(), float64(s.Failures)/1600; got != want {
		t.Errorf("ErrorRate = %v, want %v", got, want)
	}
}

func TestGuardConfigErrors(t *testing.T) {
	if _, err := NewGuard("pi", GuardConfig{Retry: Policy{MaxAttempts: -1}}); err == nil || !strings.Contains(err.Error(), "max_attempts") {
		t.Errorf("err = %v", err)
	}
	if _, err := NewGuard("pi", GuardConfig{Breaker: BreakerConfig{FailureRatio: 2}}); err == nil || !strings.Contains(err.Error(), "failure_ratio") {
		t.Errorf("err = %v", err)
	}
	g := mustGuard(t, "pi", GuardConfig{CallTimeout: -1})
	err := g.Do(context.Background(), func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); ok {
			return errors.New("negative CallTimeout must set no deadline")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	if (GuardStats{}).ErrorRate() != 0 || (GuardStats{}).FallbackRate() != 0 {
		t.Error("rates of zero calls must be 0")
	}
}
