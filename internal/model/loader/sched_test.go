package loader

import (
	"runtime"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after a generous
// deadline instead of hanging.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached within 10s")
		}
		runtime.Gosched()
		time.Sleep(100 * time.Microsecond)
	}
}
