//go:build unix

package scannertest

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) this process has used, or -1
// when the platform does not say.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
