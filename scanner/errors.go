package scanner

import (
	"errors"
	"fmt"
)

// Sentinel errors for expected conditions. Match them with errors.Is.
var (
	// ErrInvalidUTF8 is returned by scanners that cannot work on text that is
	// not valid UTF-8. The pipeline repairs text before scanning, so library
	// users only see it when calling a scanner directly.
	ErrInvalidUTF8 = errors.New("text is not valid UTF-8")
	// ErrModelNotReady means an ML model could not be loaded or run.
	ErrModelNotReady = errors.New("model not ready")
	// ErrTimeout means a scanner did not finish within its deadline.
	ErrTimeout = errors.New("scanner timed out")
	// ErrPanic means a scanner panicked; the pipeline recovered.
	ErrPanic = errors.New("scanner panicked")
)

// Error is a scanner's failure, as recorded by the pipeline.
type Error struct {
	Scanner string
	Err     error
}

func (e *Error) Error() string { return fmt.Sprintf("scanner %s: %v", e.Scanner, e.Err) }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }
