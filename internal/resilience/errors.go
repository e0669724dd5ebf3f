package resilience

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
)

var (
	// ErrOpen is returned, wrapped, by a Breaker that rejects a call without
	// running it: the breaker is open, or half-open with all trial calls in
	// flight. Callers should use their fallback at once.
	ErrOpen = errors.New("circuit breaker is open")

	// ErrTimeout is returned, wrapped, when a per-call deadline set by
	// Timeout (or a Guard) ended the call. It wraps context.DeadlineExceeded.
	// It is not returned when the caller's own context ended.
	ErrTimeout = fmt.Errorf("resilience: call timed out: %w", context.DeadlineExceeded)

	// ErrPanic is returned, wrapped, when a guarded function panicked.
	ErrPanic = errors.New("resilience: function panicked")
)

// mark wraps an error to mark it as of kind K (one of the empty types
// below); its message and chain are err's.
type mark[K any] struct{ err error }

func (e mark[K]) Error() string { return e.err.Error() }
func (e mark[K]) Unwrap() error { return e.err }

// The kinds of mark.
type (
	transient     struct{}
	permanent     struct{}
	notModelFault struct{}
)

// markAs marks err as of kind K; nil stays nil.
func markAs[K any](err error) error {
	if err == nil {
		return nil
	}
	return mark[K]{err}
}

// marked reports whether err's chain holds a mark of kind K.
func marked[K any](err error) bool {
	var m mark[K]
	return errors.As(err, &m)
}

// Transient marks err as worth retrying (a busy backend, a dropped
// connection). It returns nil for a nil err. The message and the chain are
// unchanged: errors.Is and errors.As still see err.
func Transient(err error) error { return markAs[transient](err) }

// Permanent marks err as never worth retrying (a corrupt model file, a
// checksum mismatch, invalid input). It returns nil for a nil err. A
// Permanent mark anywhere in the chain wins over a Transient mark.
func Permanent(err error) error { return markAs[permanent](err) }

// NotModelFault marks err as a failure that says nothing about the health
// of what a Breaker protects (an input too large for its budget, a request
// the caller shaped badly): the breaker counts it neither as a failure nor
// as a success. It returns nil for a nil err; the chain is unchanged.
func NotModelFault(err error) error { return markAs[notModelFault](err) }

// IsNotModelFault reports whether err's chain holds a NotModelFault mark.
func IsNotModelFault(err error) bool { return marked[notModelFault](err) }

// IsTransient reports whether err's chain holds a Transient mark.
func IsTransient(err error) bool { return marked[transient](err) }

// IsPermanent reports whether err's chain holds a Permanent mark.
func IsPermanent(err error) bool { return marked[permanent](err) }

// DefaultRetryable is the classifier a Policy uses when its Retryable field
// is nil. It returns false for nil, Permanent-marked errors, ErrOpen (an open
// breaker must not be hammered), ErrPanic and context.Canceled; true for
// Transient-marked errors, timeouts (ErrTimeout, context.DeadlineExceeded,
// any error with Timeout() true), errors with Temporary() true, net.Error,
// and connection refused/reset/aborted and broken pipe. Anything else is not
// retried: an unknown failure is more likely a bug than bad luck.
func DefaultRetryable(err error) bool {
	switch {
	case err == nil, IsPermanent(err), errors.Is(err, ErrOpen), errors.Is(err, ErrPanic):
		return false
	case IsTransient(err):
		return true
	case errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, context.DeadlineExceeded):
		return true
	}
	var timeout interface{ Timeout() bool }
	if errors.As(err, &timeout) && timeout.Timeout() {
		return true
	}
	var temporary interface{ Temporary() bool }
	if errors.As(err, &temporary) && temporary.Temporary() {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	for _, errno := range []error{syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE} {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}

// panicError carries a recovered panic value and the stack where it happened.
type panicError struct {
	value any
	stack []byte
}

func (e *panicError) Error() string {
	return fmt.Sprintf("%s: %v\n%s", ErrPanic.Error(), e.value, e.stack)
}

func (e *panicError) Unwrap() error { return ErrPanic }
