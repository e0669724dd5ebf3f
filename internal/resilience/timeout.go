package resilience

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// errCallDeadline is the cause attached to the per-call deadline, so that it
// can be told apart from a deadline or cancellation of the caller.
var errCallDeadline = errors.New("resilience: per-call deadline")

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

type outcome[T any] struct {
	v   T
	err error
}

func timeoutCall[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("resilience: call not started: %w", err)
	}
	if d <= 0 {
		return safeCall(ctx, fn)
	}
	cctx, cancel := context.WithTimeoutCause(ctx, d, errCallDeadline)
	defer cancel()
	done := make(chan outcome[T], 1) // buffered: an abandoned fn never blocks
	go func() {
		v, err := safeCall(cctx, fn)
		done <- outcome[T]{v, err}
	}()
	var r outcome[T]
	select {
	case r = <-done:
	case <-cctx.Done():
		select {
		case r = <-done: // finished at the same moment: keep its answer
		default:
			r.err = cctx.Err()
		}
	}
	if r.err == nil {
		return r.v, nil
	}
	if ctx.Err() == nil && errors.Is(context.Cause(cctx), errCallDeadline) {
		if errors.Is(r.err, context.DeadlineExceeded) {
			return r.v, fmt.Errorf("%w after %s", ErrTimeout, d)
		}
		return r.v, fmt.Errorf("%w after %s: %w", ErrTimeout, d, r.err)
	}
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(r.err, ctxErr) {
		return r.v, fmt.Errorf("resilience: call abandoned: %w; call error: %w", ctxErr, r.err)
	}
	return r.v, r.err
}

// safeCall runs fn and turns a panic into an error wrapping ErrPanic.
func safeCall[T any](ctx context.Context, fn func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &panicError{value: p, stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}
