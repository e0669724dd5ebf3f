// Package testkit holds the helpers that tests across the module share:
// a buffer that loggers may write to from several goroutines, polling for a
// condition with a deadline, a goroutine-leak check, and a reference
// softmax. Only tests import it (it imports testing).
package testkit

import (
	"bytes"
	"math"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"
)

// Buffer is a bytes.Buffer safe for concurrent writes, such as a logger's
// output while a server runs. The zero value is ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// pollEvery is how often WaitFor and Settle look again.
const pollEvery = 5 * time.Millisecond

// WaitFor polls cond until it holds; after timeout it fails t, naming what
// it waited for.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(pollEvery)
	}
}

// Settle waits up to timeout for the number of goroutines to fall to
// before (goroutines take a moment to exit). When it does not, it returns
// the number still running and their stacks.
func Settle(before int, timeout time.Duration) (n int, stacks string, ok bool) {
	deadline := time.Now().Add(timeout)
	for {
		n = runtime.NumGoroutine()
		if n <= before {
			return n, "", true
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			return n, string(buf[:runtime.Stack(buf, true)]), false
		}
		time.Sleep(pollEvery)
	}
}

// NoLeaks fails t if, once it and its cleanups are done, more goroutines
// run than when NoLeaks was called (it waits up to 5s for them to end).
// Tests using it must not run in parallel.
func NoLeaks(t testing.TB) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		if n, stacks, ok := Settle(before, 5*time.Second); !ok {
			t.Errorf("goroutines: %d before, %d after\n%s", before, n, stacks)
		}
	})
}

// Softmax is the softmax of logits, computed apart from the inference
// package's own, for comparing a model's probabilities with reference
// logits.
func Softmax(logits []float64) []float64 {
	m := slices.Max(logits)
	out := make([]float64, len(logits))
	var s float64
	for i, v := range logits {
		out[i] = math.Exp(v - m)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}
