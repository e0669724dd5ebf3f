//go:build !linux

package promptinjection

import "time"

func lockThread()   {}
func unlockThread() {}

// threadCPU is unavailable here: -1 disables the per-prompt CPU metric.
func threadCPU() time.Duration { return -1 }
