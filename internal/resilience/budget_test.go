package resilience

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/llmshield/llmshield/internal/testkit"
)

// TestCallBudgetLargeOverrunsAreNotModelFaults: a large call that overruns
// its (scaled) deadline is neither counted by the breaker nor retried; the
// same overrun on a small call is a model fault.
func TestCallBudgetLargeOverrunsAreNotModelFaults(t *testing.T) {
	testkit.NoLeaks(t)
	g := mustGuard(t, "pi", GuardConfig{
		CallTimeout: time.Hour,
		Retry:       Policy{MaxAttempts: 3, InitialBackoff: time.Millisecond},
		Breaker:     BreakerConfig{ConsecutiveFailures: 2, CoolDown: time.Hour},
	})
	// An overrun call is abandoned (isolate.Run), so the model function may
	// still be finishing in its own goroutine when CallBudget returns.
	var attempts atomic.Int32
	hang := func(ctx context.Context) (int, error) {
		attempts.Add(1)
		<-ctx.Done()
		return 0, ctx.Err()
	}
	for range 5 {
		_, err := CallBudget(context.Background(), g, Budget{Timeout: 5 * time.Millisecond, Large: true}, hang)
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("want ErrTimeout, got %v", err)
		}
	}
	for deadline := time.Now().Add(2 * time.Second); attempts.Load() < 5 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := attempts.Load(); n != 5 {
		t.Fatalf("large overruns were retried: %d attempts for 5 calls", n)
	}
	if st := g.Stats(); st.State != StateClosed || st.Overruns != 5 || st.Timeouts != 5 {
		t.Fatalf("large overruns must not open the breaker: %+v", st)
	}
	// Small calls that hang are model faults: retried, and they trip it.
	_, err := CallBudget(context.Background(), g, Budget{Timeout: 5 * time.Millisecond}, hang)
	if !errors.Is(err, ErrOpen) && !errors.Is(err, ErrTimeout) {
		t.Fatalf("small: %v", err)
	}
	if st := g.Stats(); st.State != StateOpen {
		t.Fatalf("small timeouts must open the breaker: %+v", st)
	}
}

func TestCallBudgetTimeoutReplacesGuardTimeout(t *testing.T) {
	g := mustGuard(t, "pi", GuardConfig{CallTimeout: time.Millisecond, Retry: Policy{MaxAttempts: 1}})
	v, err := CallBudget(context.Background(), g, Budget{Timeout: time.Second}, func(ctx context.Context) (int, error) {
		select {
		case <-time.After(20 * time.Millisecond):
			return 7, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
	if err != nil || v != 7 {
		t.Fatalf("a call within its own budget must succeed: %v %v", v, err)
	}
}

func TestNotModelFaultIsExcluded(t *testing.T) {
	b, err := NewBreaker("x", BreakerConfig{ConsecutiveFailures: 1})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		_ = b.Execute(context.Background(), func(context.Context) error { return NotModelFault(errBoom) })
	}
	if b.State() != StateClosed {
		t.Fatal("NotModelFault errors opened the breaker")
	}
	if NotModelFault(nil) != nil || !IsNotModelFault(NotModelFault(errBoom)) || !errors.Is(NotModelFault(errBoom), errBoom) {
		t.Fatal("NotModelFault marking")
	}
}
