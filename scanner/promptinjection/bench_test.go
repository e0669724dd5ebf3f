package promptinjection

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/internal/normalize"
	"github.com/llmshield/llmshield/internal/normalize/ahocorasick"
)

// benignCorpus returns a few hundred KB of benign English: SAFE rows of the
// GPTeacher dataset when available, else the committed prose sample.
func benignCorpus(b *testing.B) string {
	b.Helper()
	var sb strings.Builder
	if f, err := os.Open(datasets.Dir("injection", "gpteacher_benign.jsonl")); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() && sb.Len() < 400<<10 {
			var row struct{ Text, Label string }
			if json.Unmarshal(sc.Bytes(), &row) == nil && row.Label == "SAFE" {
				sb.WriteString(row.Text)
				sb.WriteString("\n\n")
			}
		}
	}
	if sb.Len() == 0 {
		p, err := os.ReadFile("testdata/benign_prose.txt")
		if err != nil {
			b.Fatal(err)
		}
		for sb.Len() < 400<<10 {
			sb.Write(p)
		}
	}
	return sb.String()
}

// cpuTime is the CPU time (user+system) this process has used. The
// machine is shared, so wall-clock MB/s varies with load; benchmarks also
// report cpu-MB/s, the throughput per CPU-second actually spent.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration, bytes int) {
	if d := cpuTime() - start; d > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/d.Seconds()/1e6, "cpu-MB/s")
	}
}

func BenchmarkHeuristicBenign(b *testing.B) {
	h := warmHeuristic(b)
	text := benignCorpus(b)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	c0 := cpuTime()
	for b.Loop() {
		if a := h.Analyze(text); a.Risk > 1 {
			b.Fatal("bad risk")
		}
	}
	reportCPU(b, c0, len(text))
}

// BenchmarkHeuristicBenignRows analyses the GPTeacher SAFE rows one prompt
// at a time, as a service would see them.
func BenchmarkHeuristicBenignRows(b *testing.B) {
	h := warmHeuristic(b)
	rows := strings.Split(benignCorpus(b), "\n\n")
	n := 0
	for _, r := range rows {
		n += len(r)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	c0 := cpuTime()
	for b.Loop() {
		for _, r := range rows {
			h.Analyze(r)
		}
	}
	reportCPU(b, c0, n)
}

func BenchmarkHeuristicBenignProse(b *testing.B) {
	h := warmHeuristic(b)
	p, err := os.ReadFile("testdata/benign_prose.txt")
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat(string(p), 100)
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	c0 := cpuTime()
	for b.Loop() {
		h.Analyze(text)
	}
	reportCPU(b, c0, len(text))
}

// BenchmarkHeuristicShortPrompt measures the per-call overhead on a typical
// short prompt.
func BenchmarkHeuristicShortPrompt(b *testing.B) {
	h := warmHeuristic(b)
	text := "Can you summarise the attached meeting notes and list the action items for each team member?"
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		h.Analyze(text)
	}
}

func BenchmarkHeuristicInjection(b *testing.B) {
	h := warmHeuristic(b)
	var sb strings.Builder
	for _, c := range loadGolden(b) {
		if c.Want == "flag" {
			sb.WriteString(c.Text)
			sb.WriteString("\n")
		}
	}
	text := sb.String()
	b.SetBytes(int64(len(text)))
	b.ResetTimer()
	for b.Loop() {
		h.Analyze(text)
	}
}

// BenchmarkKeywordWalk runs the keyword automaton alone over the
// normalised benign corpus: one document walked once (Each) and in four
// interleaved pieces (AppendMatches, as Analyze does), and one row at a
// time (Each).
func BenchmarkKeywordWalk(b *testing.B) {
	h := warmHeuristic(b)
	doc := normalize.String(benignCorpus(b))
	var rows []string
	for _, r := range strings.Split(benignCorpus(b), "\n\n") {
		rows = append(rows, normalize.String(r))
	}
	hits := 0
	count := func(ahocorasick.Match) bool { hits++; return true }
	b.Run("doc", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		c0 := cpuTime()
		for b.Loop() {
			h.ac.Each(doc, count)
		}
		reportCPU(b, c0, len(doc))
	})
	b.Run("doc/pieces", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		var ms []ahocorasick.Match
		c0 := cpuTime()
		for b.Loop() {
			ms = h.ac.AppendMatches(ms[:0], doc)
		}
		reportCPU(b, c0, len(doc))
	})
	b.Run("rows", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		c0 := cpuTime()
		for b.Loop() {
			for _, r := range rows {
				h.ac.Each(r, count)
			}
		}
		reportCPU(b, c0, len(doc))
	})
}
