// Package isolate runs one call on its own goroutine with a deadline,
// turning a panic into an error and abandoning a call that outlives its
// deadline. The pipeline (one scanner), the resilience guard (one model
// call) and the health checker (one check) all isolate their calls this
// way; each decides what a panic or a timeout means for it.
package isolate

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"
)

// Panic is the error a recovered panic becomes: its value and the stack
// where it happened.
type Panic struct {
	Value any
	Stack []byte
}

func (p *Panic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Outcome is how a call made by Run ended.
type Outcome[T any] struct {
	// Value and Err are the call's answer. Err is a *Panic when the call
	// panicked, and the context's error when the call was abandoned.
	Value T
	Err   error
	// Abandoned is true when the call had not returned by the time its
	// context ended (plus the grace period): it goes on in the background
	// and its answer is dropped.
	Abandoned bool
	// TimedOut is true when Run's own deadline ended the call, not the
	// caller's context; the call may have returned its own error.
	TimedOut bool
}

// errDeadline is the cause attached to Run's deadline, so that it can be
// told apart from a deadline or cancellation of the caller.
var errDeadline = errors.New("isolate: deadline")

// Run calls fn with a context that ends after timeout. fn runs on its own
// goroutine: Run returns when fn does or, once the context has ended (the
// timeout, or ctx), after waiting up to grace for fn's own answer, so that
// a call that ignores its context cannot hang the caller. A timeout <= 0
// sets no deadline: fn then runs on the caller's goroutine, guarded only
// against panics.
func Run[T any](ctx context.Context, timeout, grace time.Duration, fn func(context.Context) (T, error)) Outcome[T] {
	if timeout <= 0 {
		v, err := call(ctx, fn)
		return Outcome[T]{Value: v, Err: err}
	}
	cctx, cancel := context.WithTimeoutCause(ctx, timeout, errDeadline)
	defer cancel()
	done := make(chan Outcome[T], 1) // buffered: an abandoned call never blocks
	go func() {
		v, err := call(cctx, fn)
		done <- Outcome[T]{Value: v, Err: err}
	}()
	var o Outcome[T]
	select {
	case o = <-done:
	case <-cctx.Done():
		o = wait(done, grace)
		if o.Abandoned {
			o.Err = cctx.Err()
		}
	}
	o.TimedOut = ctx.Err() == nil && errors.Is(context.Cause(cctx), errDeadline)
	return o
}

// wait takes the call's answer if it comes within grace (at once when
// grace <= 0), else reports the call abandoned.
func wait[T any](done <-chan Outcome[T], grace time.Duration) Outcome[T] {
	if grace <= 0 {
		select {
		case o := <-done: // answered at the deadline
			return o
		default:
			return Outcome[T]{Abandoned: true}
		}
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case o := <-done:
		return o
	case <-t.C:
		return Outcome[T]{Abandoned: true}
	}
}

// call runs fn, turning a panic into a *Panic error.
func call[T any](ctx context.Context, fn func(context.Context) (T, error)) (v T, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &Panic{Value: p, Stack: debug.Stack()}
		}
	}()
	return fn(ctx)
}
