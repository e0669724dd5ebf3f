package testsync

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestConcurrentWrites(t *testing.T) {
	var b Buffer
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if n, err := b.Write([]byte("ab")); n != 2 || err != nil {
					t.Errorf("Write = %d, %v", n, err)
				}
				_ = b.String()
			}
		})
	}
	wg.Wait()
	if got := b.String(); got != strings.Repeat("ab", 800) {
		t.Errorf("String() has %d bytes, want 1600", len(got))
	}
}

func TestWaitForReturnsOnceTheConditionHolds(t *testing.T) {
	var done atomic.Bool
	go func() {
		time.Sleep(20 * time.Millisecond)
		done.Store(true)
	}()
	start := time.Now()
	polls := 0
	WaitFor(t, "the flag", func() bool { polls++; return done.Load() })
	if !done.Load() || polls < 2 {
		t.Errorf("returned after %d polls with the flag %v", polls, done.Load())
	}
	if d := time.Since(start); d > WaitLimit {
		t.Errorf("took %s", d)
	}
}
