// Package testsync helps the tests of concurrent code: a buffer that
// goroutines may write at the same time (a logger's output, a command's
// stderr), and a wait for a condition that another goroutine brings about.
// Only tests import it.
package testsync

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// Buffer is a bytes.Buffer guarded by a mutex. The zero value is empty and
// ready to use.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p to the buffer.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what has been written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WaitLimit is how long WaitFor waits: generous, since it only matters
// when the test is failing, and a hung test is worse than a failed one.
const WaitLimit = 15 * time.Second

// WaitFor polls cond every few milliseconds until it holds, and fails tb,
// naming what it waited for, when it does not within WaitLimit. Call it
// from the test's own goroutine.
func WaitFor(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(WaitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %s waiting for %s", WaitLimit, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
