//go:build !unix

package anonymize

// cpuSeconds is not measured here.
func cpuSeconds() float64 { return -1 }
