package scannertest

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
)

// BenignCorpus returns at least n bytes of benign English for benchmarks:
// the SAFE rows of the GPTeacher dataset
// (../shared/datasets/injection/gpteacher_benign.jsonl), each followed by
// a blank line, as far as they go; then, when the dataset is absent or
// short, the fallback texts repeated, each followed by a new line. With
// neither, it fails tb.
func BenignCorpus(tb testing.TB, n int, fallback ...string) string {
	tb.Helper()
	var sb strings.Builder
	if f, err := os.Open(datasets.Dir("injection", "gpteacher_benign.jsonl")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() && sb.Len() < n {
			var r struct{ Text, Label string }
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Label == "SAFE" {
				sb.WriteString(r.Text)
				sb.WriteString("\n\n")
			}
		}
	}
	if sb.Len() < n && strings.Join(fallback, "") == "" {
		tb.Fatal("benign corpus: no dataset and no fallback text")
	}
	for sb.Len() < n {
		for _, t := range fallback {
			sb.WriteString(t)
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// BenchCPU benchmarks fn, which processes bytes bytes a call: besides the
// usual figures it reports cpu-MB/s, the throughput per CPU-second this
// process spent (where the platform tells), because wall-clock MB/s vary
// with the load of a shared machine.
func BenchCPU(b *testing.B, bytes int, fn func()) {
	b.Helper()
	b.SetBytes(int64(bytes))
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		fn()
	}
	if d := cpuTime() - c0; c0 >= 0 && d > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}
