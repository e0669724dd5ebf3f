package toxicity

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// benignCorpus returns about 400 KB of benign English: SAFE rows of the
// GPTeacher dataset when available, else the golden "pass" cases repeated.
func benignCorpus(b *testing.B) string {
	b.Helper()
	var sb strings.Builder
	if f, err := os.Open(filepath.Join(datasetDir(), "injection", "gpteacher_benign.jsonl")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() && sb.Len() < 400<<10 {
			var r row
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Label == "SAFE" {
				sb.WriteString(r.Text)
				sb.WriteString("\n\n")
			}
		}
	}
	for sb.Len() < 400<<10 {
		for _, c := range loadGolden(b) {
			if c.Want == "pass" {
				sb.WriteString(c.Text)
				sb.WriteString("\n")
			}
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

func reportCPU(b *testing.B, start time.Duration, n int) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(n)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}

func BenchmarkHeuristicBenign(b *testing.B) {
	h, err := NewHeuristic()
	if err != nil {
		b.Fatal(err)
	}
	text := benignCorpus(b)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	c0 := cpuTime()
	for b.Loop() {
		if a := h.Analyze(text); a.Risk >= 0.5 {
			b.Fatal("benign corpus flagged")
		}
	}
	reportCPU(b, c0, len(text))
}

// BenchmarkHeuristicShortPrompt measures the per-call cost on a typical
// short prompt.
func BenchmarkHeuristicShortPrompt(b *testing.B) {
	h, err := NewHeuristic()
	if err != nil {
		b.Fatal(err)
	}
	text := "Can you summarise the attached meeting notes and list the action items for each team member?"
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		h.Analyze(text)
	}
}

func BenchmarkHeuristicToxic(b *testing.B) {
	h, err := NewHeuristic()
	if err != nil {
		b.Fatal(err)
	}
	var sb strings.Builder
	for _, c := range loadGolden(b) {
		if c.Want == "flag" {
			sb.WriteString(c.Text)
			sb.WriteString("\n")
		}
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		h.Analyze(text)
	}
}

func BenchmarkNewHeuristic(b *testing.B) {
	for b.Loop() {
		if _, err := NewHeuristic(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHeuristicAdversarial measures dense trigger words, which start
// many phrase rules, directed-insult look-backs and masked-word lookups:
// the cost must stay linear in the input.
func BenchmarkHeuristicAdversarial(b *testing.B) {
	h, err := NewHeuristic()
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, text string }{
		{"you_are_a", strings.Repeat("you are a ", 1000)},
		{"masked", strings.Repeat("f*c*k*i*n*g ", 1000)},
		{"first_person", strings.Repeat("i will will will will ", 1000)},
		{"group", strings.Repeat("jews are all all all ", 1000)},
		{"insults", strings.Repeat("idiot ", 1000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for b.Loop() {
				h.Analyze(c.text)
			}
		})
	}
}
