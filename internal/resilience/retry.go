package resilience

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Policy configures Retry. The zero value is usable: zero fields take the
// defaults named below.
//
// The delay before retry n (n = 1 after the first failure) is drawn
// uniformly from [0, min(MaxBackoff, InitialBackoff*Multiplier^(n-1))):
// "full jitter", which spreads the retries of many callers that failed at
// the same moment. An error whose chain holds a RetryAfter() time.Duration
// method (a server's Retry-After) raises the delay to that, capped by
// MaxBackoff.
type Policy struct {
	// MaxAttempts bounds the number of calls, the first included
	// (default 3; 1 disables retrying).
	MaxAttempts int `json:"max_attempts" yaml:"max_attempts"`
	// InitialBackoff is the upper bound of the first delay (default 50ms).
	InitialBackoff time.Duration `json:"initial_backoff" yaml:"initial_backoff"`
	// MaxBackoff caps the upper bound of every delay (default 2s).
	MaxBackoff time.Duration `json:"max_backoff" yaml:"max_backoff"`
	// Multiplier grows the bound after each failure (default 2; must be >= 1).
	Multiplier float64 `json:"multiplier" yaml:"multiplier"`
	// MaxElapsed bounds the total time: no retry starts if the time since
	// the first call plus the next delay would exceed it (default 5s).
	// Attempts themselves are not cut short; give each one a deadline with
	// Timeout (a Guard does).
	MaxElapsed time.Duration `json:"max_elapsed" yaml:"max_elapsed"`

	// Retryable classifies errors; nil means DefaultRetryable.
	Retryable func(error) bool `json:"-" yaml:"-"`
	// OnRetry, if set, is called before each delay, for logging.
	OnRetry func(attempt int, err error, delay time.Duration) `json:"-" yaml:"-"`

	// Sleep waits for d or until ctx ends, returning ctx's error in the
	// latter case. Nil means a real timer. Tests inject a fake.
	Sleep func(ctx context.Context, d time.Duration) error `json:"-" yaml:"-"`
	// Now reads the clock; nil means time.Now. Tests inject a fake.
	Now func() time.Time `json:"-" yaml:"-"`
	// Rand returns a uniform float64 in [0, 1); nil means math/rand/v2.
	// Tests inject a fixed sequence. It must be safe for concurrent use if
	// the Policy is shared.
	Rand func() float64 `json:"-" yaml:"-"`
}

// Policy defaults, applied to zero fields.
const (
	DefaultMaxAttempts    = 3
	DefaultInitialBackoff = 50 * time.Millisecond
	DefaultMaxBackoff     = 2 * time.Second
	DefaultMultiplier     = 2.0
	DefaultMaxElapsed     = 5 * time.Second
)

// Validate reports a field that cannot be used. Zero fields are valid (they
// take defaults).
func (p Policy) Validate() error {
	switch {
	case p.MaxAttempts < 0:
		return fmt.Errorf("resilience: policy max_attempts: must not be negative, got %d", p.MaxAttempts)
	case p.InitialBackoff < 0:
		return fmt.Errorf("resilience: policy initial_backoff: must not be negative, got %s", p.InitialBackoff)
	case p.MaxBackoff < 0:
		return fmt.Errorf("resilience: policy max_backoff: must not be negative, got %s", p.MaxBackoff)
	case p.MaxElapsed < 0:
		return fmt.Errorf("resilience: policy max_elapsed: must not be negative, got %s", p.MaxElapsed)
	case math.IsNaN(p.Multiplier) || math.IsInf(p.Multiplier, 0) || (p.Multiplier != 0 && p.Multiplier < 1):
		return fmt.Errorf("resilience: policy multiplier: must be >= 1, got %v", p.Multiplier)
	}
	q := p.withDefaults()
	if q.MaxBackoff < q.InitialBackoff {
		return fmt.Errorf("resilience: policy max_backoff: %s is below initial_backoff %s", q.MaxBackoff, q.InitialBackoff)
	}
	return nil
}

func (p Policy) withDefaults() Policy {
	if p.MaxAttempts == 0 {
		p.MaxAttempts = DefaultMaxAttempts
	}
	if p.InitialBackoff == 0 {
		p.InitialBackoff = DefaultInitialBackoff
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = max(DefaultMaxBackoff, p.InitialBackoff)
	}
	if p.Multiplier == 0 {
		p.Multiplier = DefaultMultiplier
	}
	if p.MaxElapsed == 0 {
		p.MaxElapsed = DefaultMaxElapsed
	}
	if p.Retryable == nil {
		p.Retryable = DefaultRetryable
	}
	if p.Sleep == nil {
		p.Sleep = sleepCtx
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// backoff returns the delay before retry n (n >= 1).
func (p Policy) backoff(n int) time.Duration {
	bound := float64(p.InitialBackoff)
	for i := 1; i < n && bound < float64(p.MaxBackoff); i++ {
		bound *= p.Multiplier
	}
	bound = min(bound, float64(p.MaxBackoff))
	r := p.Rand()
	if !(r >= 0) || r >= 1 { // NaN or out of range from a bad source
		r = 0
	}
	return time.Duration(r * bound)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Retry calls op until it succeeds, returns an error p does not call
// retryable, p's attempts or time budget run out, or ctx ends.
//
// It returns nil on success; op's error unchanged when that error is not
// retryable; an error wrapping the last op error when attempts or time ran
// out; and, when ctx ended, an error wrapping both ctx.Err() and the last
// op error (errors.Is matches either). If ctx has already ended, op is not
// called. An invalid p is reported without calling op.
func Retry(ctx context.Context, p Policy, op func(ctx context.Context) error) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("resilience: retry not started: %w", err)
	}
	p = p.withDefaults()
	start := p.Now()
	for attempt := 1; ; attempt++ {
		err := op(ctx)
		if err == nil {
			return nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			return stopped(attempt, ctxErr, err)
		}
		if !p.Retryable(err) {
			return err
		}
		if attempt >= p.MaxAttempts {
			return fmt.Errorf("resilience: giving up after %d attempts: %w", attempt, err)
		}
		delay := p.backoff(attempt)
		if ra, ok := errors.AsType[retryAfterer](err); ok {
			delay = max(delay, min(ra.RetryAfter(), p.MaxBackoff))
		}
		if elapsed := p.Now().Sub(start); elapsed+delay > p.MaxElapsed {
			return fmt.Errorf("resilience: giving up after %d attempts: time budget %s would be exceeded: %w", attempt, p.MaxElapsed, err)
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, delay)
		}
		if serr := p.Sleep(ctx, delay); serr != nil || ctx.Err() != nil {
			ctxErr := ctx.Err()
			if ctxErr == nil {
				ctxErr = serr
			}
			return stopped(attempt, ctxErr, err)
		}
	}
}

// retryAfterer is an error that says how long to wait before the next try.
type retryAfterer interface {
	error
	RetryAfter() time.Duration
}

func stopped(attempts int, ctxErr, last error) error {
	if errors.Is(last, ctxErr) {
		return fmt.Errorf("resilience: retry stopped after %d attempt(s): %w", attempts, last)
	}
	return fmt.Errorf("resilience: retry stopped after %d attempt(s): %w; last error: %w", attempts, ctxErr, last)
}
