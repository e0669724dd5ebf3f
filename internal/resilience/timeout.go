package resilience

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/llmshield/llmshield/internal/isolate"
)

// Timeout runs fn with a context that ends after d and returns fn's error.
//
// If the per-call deadline ended the call, the error wraps ErrTimeout (and so
// context.DeadlineExceeded). If the caller's ctx ended instead, the error
// wraps ctx.Err() and not ErrTimeout. A panic in fn is returned as an error
// wrapping ErrPanic.
//
// Timeout returns when d has passed even if fn ignores its context: fn then
// keeps running on its own goroutine until it returns, and its result is
// dropped. This keeps a hung model from hanging the request; the caller
// should still pass fn something that honours ctx, so that abandoned calls
// do not pile up. A d <= 0 sets no per-call deadline.
func Timeout(ctx context.Context, d time.Duration, fn func(ctx context.Context) error) error {
	_, err := timeoutCall(ctx, d, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	return err
}

func timeoutCall[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("resilience: call not started: %w", err)
	}
	o := isolate.Run(ctx, d, 0, fn)
	p, panicked := errors.AsType[*isolate.Panic](o.Err)
	switch {
	case o.Err == nil:
		return o.Value, nil
	case panicked:
		return o.Value, &panicError{value: p.Value, stack: p.Stack}
	case o.TimedOut:
		if errors.Is(o.Err, context.DeadlineExceeded) {
			return o.Value, fmt.Errorf("%w after %s", ErrTimeout, d)
		}
		return o.Value, fmt.Errorf("%w after %s: %w", ErrTimeout, d, o.Err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(o.Err, ctxErr) {
		return o.Value, fmt.Errorf("resilience: call abandoned: %w; call error: %w", ctxErr, o.Err)
	}
	return o.Value, o.Err
}
