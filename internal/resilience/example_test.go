package resilience_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/llmshield/llmshield/internal/resilience"
)

// A scanner guards its model and falls back to its heuristic when the model
// fails, times out, or its breaker is open.
func ExampleCallWithFallback() {
	g, err := resilience.NewGuard("promptinjection", resilience.GuardConfig{
		CallTimeout: 500 * time.Millisecond,
		Retry:       resilience.Policy{MaxAttempts: 2},
		Breaker:     resilience.BreakerConfig{ConsecutiveFailures: 1, CoolDown: time.Minute},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	model := func(context.Context) (float64, error) {
		return 0, resilience.Permanent(errors.New("model file corrupt"))
	}
	heuristic := func(_ context.Context, cause error) (float64, error) {
		fmt.Println("fallback because:", cause)
		return 0.2, nil
	}
	for range 2 {
		risk, err := resilience.CallWithFallback(context.Background(), g, model, heuristic)
		fmt.Println(risk, err)
	}
	s := g.Stats()
	fmt.Println(s.State, s.Calls, s.Failures, s.Rejected, s.Fallbacks)
	// Output:
	// fallback because: model file corrupt
	// 0.2 <nil>
	// fallback because: resilience: breaker "promptinjection": circuit breaker is open
	// 0.2 <nil>
	// open 2 2 1 2
}
