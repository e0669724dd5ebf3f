package sentiment

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmshield/llmshield/internal/datasets"
)

// benignCorpus returns about 400 KB of benign English instructions (SAFE
// rows of the GPTeacher dataset) when available, else the golden texts
// repeated.
func benignCorpus(b *testing.B) string {
	b.Helper()
	var sb strings.Builder
	path := datasets.Dir("injection", "gpteacher_benign.jsonl")
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() && sb.Len() < 400<<10 {
			var r struct{ Text, Label string }
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Label == "SAFE" {
				sb.WriteString(r.Text)
				sb.WriteString("\n\n")
			}
		}
	}
	for sb.Len() < 400<<10 {
		for _, c := range golden {
			sb.WriteString(c.text)
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// cpuTime is the CPU time (user+system) of this process: the machine is
// shared, so benchmarks also report cpu-MB/s, throughput per CPU-second.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkHeuristicBenign(b *testing.B) {
	h := newHeuristic(b)
	text := benignCorpus(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for b.Loop() {
		h.Analyze(text)
	}
	if d := cpuTime() - c0; d > 0 {
		b.ReportMetric(float64(len(text))*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}

// BenchmarkHeuristicShortText measures the per-call cost on a review-sized
// text.
func BenchmarkHeuristicShortText(b *testing.B) {
	h := newHeuristic(b)
	text := "The screen is nice, but the battery is terrible and it crashes constantly. Not worth the money :("
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		h.Analyze(text)
	}
}
