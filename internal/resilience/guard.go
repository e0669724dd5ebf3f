package resilience

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// GuardConfig configures a Guard.
type GuardConfig struct {
	// CallTimeout bounds each attempt (default 2s; negative: no bound).
	CallTimeout time.Duration `json:"call_timeout" yaml:"call_timeout"`
	// Retry bounds the attempts and the total time of one call.
	Retry Policy `json:"retry" yaml:"retry"`
	// Breaker configures the guard's circuit breaker.
	Breaker BreakerConfig `json:"breaker" yaml:"breaker"`
}

// DefaultCallTimeout is the per-attempt bound of a Guard whose CallTimeout
// is zero.
const DefaultCallTimeout = 2 * time.Second

// Validate reports a field that cannot be used.
func (c GuardConfig) Validate() error {
	if err := c.Retry.Validate(); err != nil {
		return err
	}
	return c.Breaker.Validate()
}

// Guard protects calls to one model. Each call is
//
//	Retry( Breaker.Execute( Timeout( fn ) ) )
//
// so that:
//   - every attempt has its own deadline, and a hung attempt counts as a
//     failure of the model (ErrTimeout), which the breaker sees;
//   - every attempt passes through the breaker, so failed attempts trip it
//     and, once it is open, the next attempt is refused with ErrOpen, which
//     is never retried: the retry stops at once instead of hammering an open
//     breaker, and the caller falls back immediately;
//   - the retry's time budget bounds the whole call, deadlines included.
//
// An attempt cut by its deadline keeps running on its own goroutine until fn
// returns (see Timeout); the breaker bounds how many such attempts can pile
// up while a model hangs, since it opens after a few timeouts.
//
// Guard counts calls, failures, rejections, timeouts, retries and fallbacks
// for health checks (Stats). It is safe for concurrent use.
type Guard struct {
	name    string
	timeout time.Duration
	policy  Policy
	breaker *Breaker
	log     *slog.Logger

	calls, successes, failures, rejected, timeouts, overruns, retries, fallbacks, degraded, canceled atomic.Uint64
}

// NewGuard returns a guard for the model name with its own breaker (see
// NewBreaker for the options and the naming rules).
func NewGuard(name string, cfg GuardConfig, opts ...Option) (*Guard, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w (guard %q)", err, name)
	}
	b, err := NewBreaker(name, cfg.Breaker, opts...)
	if err != nil {
		return nil, err
	}
	o := buildOptions(opts)
	g := &Guard{name: name, breaker: b, log: o.log.With("guard", name)}
	switch {
	case cfg.CallTimeout == 0:
		g.timeout = DefaultCallTimeout
	case cfg.CallTimeout > 0:
		g.timeout = cfg.CallTimeout
	}
	g.policy = cfg.Retry.withDefaults()
	classify, onRetry := g.policy.Retryable, g.policy.OnRetry
	g.policy.Retryable = func(err error) bool { return !errors.Is(err, ErrOpen) && classify(err) }
	g.policy.OnRetry = func(attempt int, err error, delay time.Duration) {
		g.retries.Add(1)
		g.log.Debug("retrying model call", "attempt", attempt, "delay", delay, "err", err)
		if onRetry != nil {
			onRetry(attempt, err, delay)
		}
	}
	return g, nil
}

// Name returns the guard's name.
func (g *Guard) Name() string { return g.name }

// Breaker returns the guard's circuit breaker.
func (g *Guard) Breaker() *Breaker { return g.breaker }

// State returns the state of the guard's breaker.
func (g *Guard) State() State { return g.breaker.State() }

// Close unregisters the guard's metrics.
func (g *Guard) Close() error { return g.breaker.Close() }

// Do runs fn under the guard; see Call.
func (g *Guard) Do(ctx context.Context, fn func(ctx context.Context) error) error {
	_, err := Call(ctx, g, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
	return err
}

// RecordFallback counts a fallback the caller made on its own after a
// failed call (CallWithFallback counts its own).
func (g *Guard) RecordFallback() { g.fallbacks.Add(1) }

// RecordDegraded counts a verdict reached without the model (a fallback
// to the heuristic or a refusal because the model could not answer).
func (g *Guard) RecordDegraded() { g.degraded.Add(1) }

// Call runs fn under g: each attempt with g's per-call timeout, through g's
// breaker, retried by g's policy. It returns fn's value on success. On
// failure the error wraps the last attempt's error: ErrOpen when the breaker
// refused, ErrTimeout when the per-call deadline hit, ctx.Err() when the
// caller gave up.
func Call[T any](ctx context.Context, g *Guard, fn func(ctx context.Context) (T, error)) (T, error) {
	return CallBudget(ctx, g, Budget{}, fn)
}

// Budget fits one call to the work it submits.
type Budget struct {
	// Timeout replaces the guard's per-attempt timeout for this call
	// (0: the guard's). Scale it with the work, e.g. a base plus a share
	// per window of text.
	Timeout time.Duration
	// Large marks a call that submits more than the smallest unit of work
	// (more than one window of text). Its attempts that overrun their
	// deadline are put down to the size of the input, not to the model:
	// the breaker counts them neither as failures nor as successes, and
	// they are not retried (the same input would overrun again). A model
	// that is really stuck still opens the breaker through the small calls,
	// which keep counting.
	Large bool
}

// CallBudget is Call with the per-attempt timeout and the fault accounting
// of b.
func CallBudget[T any](ctx context.Context, g *Guard, b Budget, fn func(ctx context.Context) (T, error)) (T, error) {
	g.calls.Add(1)
	timeout := g.timeout
	if b.Timeout > 0 {
		timeout = b.Timeout
	}
	var out T
	err := Retry(ctx, g.policy, func(ctx context.Context) error {
		return g.breaker.Execute(ctx, func(ctx context.Context) error {
			v, err := timeoutCall(ctx, timeout, fn)
			if err != nil {
				if errors.Is(err, ErrTimeout) {
					g.timeouts.Add(1)
					if b.Large {
						g.overruns.Add(1)
						return NotModelFault(Permanent(err))
					}
				}
				return err
			}
			out = v
			return nil
		})
	})
	switch {
	case err == nil:
		g.successes.Add(1)
		return out, nil
	case ctx.Err() != nil:
		g.canceled.Add(1)
	case errors.Is(err, ErrOpen):
		g.rejected.Add(1)
		g.failures.Add(1)
	default:
		g.failures.Add(1)
	}
	var zero T
	return zero, err
}

// CallWithFallback is Call, and when the call fails for any reason other
// than the caller's ctx ending, returns fallback(ctx, err) instead and
// counts a fallback. The fallback typically runs the heuristic scanner.
func CallWithFallback[T any](ctx context.Context, g *Guard, fn func(ctx context.Context) (T, error),
	fallback func(ctx context.Context, cause error) (T, error)) (T, error) {
	v, err := Call(ctx, g, fn)
	if err == nil || ctx.Err() != nil {
		return v, err
	}
	g.fallbacks.Add(1)
	g.log.Debug("model call failed, using fallback", "err", err)
	return fallback(ctx, err)
}

// GuardStats counts a guard's calls since it was created.
type GuardStats struct {
	Name      string `json:"name"`
	State     State  `json:"state"`
	Calls     uint64 `json:"calls"`     // Call, Do and CallWithFallback invocations
	Successes uint64 `json:"successes"` // calls that returned fn's result
	Failures  uint64 `json:"failures"`  // calls that failed, rejections included, caller cancellations excluded
	Rejected  uint64 `json:"rejected"`  // calls refused by the breaker (ErrOpen)
	Canceled  uint64 `json:"canceled"`  // calls whose caller's ctx ended
	Timeouts  uint64 `json:"timeouts"`  // attempts cut by the per-call deadline
	Overruns  uint64 `json:"overruns"`  // of those, attempts of large calls, not counted by the breaker (see Budget)
	Retries   uint64 `json:"retries"`   // attempts after the first
	Fallbacks uint64 `json:"fallbacks"` // fallbacks taken
	Degraded  uint64 `json:"degraded"`  // verdicts reached without the model (RecordDegraded)
}

// ErrorRate is Failures/Calls, or 0 with no calls.
func (s GuardStats) ErrorRate() float64 { return ratio(s.Failures, s.Calls) }

// FallbackRate is Fallbacks/Calls, or 0 with no calls.
func (s GuardStats) FallbackRate() float64 { return ratio(s.Fallbacks, s.Calls) }

func ratio(n, d uint64) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// Stats returns the guard's counters. The counters are read one by one, so
// under concurrent calls they may be off by the calls in flight.
func (g *Guard) Stats() GuardStats {
	return GuardStats{
		Name:      g.name,
		State:     g.breaker.State(),
		Calls:     g.calls.Load(),
		Successes: g.successes.Load(),
		Failures:  g.failures.Load(),
		Rejected:  g.rejected.Load(),
		Canceled:  g.canceled.Load(),
		Timeouts:  g.timeouts.Load(),
		Overruns:  g.overruns.Load(),
		Retries:   g.retries.Load(),
		Fallbacks: g.fallbacks.Load(),
		Degraded:  g.degraded.Load(),
	}
}
