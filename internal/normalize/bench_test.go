package normalize

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/llmshield/llmshield/internal/datasets"
)

// BenchmarkNormalizeBenignRows normalises the benign GPTeacher prompts of
// ../shared one at a time with the scanners' options.
func BenchmarkNormalizeBenignRows(b *testing.B) {
	rows, size := benignRows(b)
	o := DefaultOptions()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	c0 := cpuTime()
	for b.Loop() {
		for _, r := range rows {
			res := Normalize(r, o)
			res.Release()
		}
	}
	reportCPU(b, c0, size)
}

// BenchmarkStage1 runs stage 1 alone, and its reference implementation
// (stage1Ref, the code before the fast path), on the benign rows joined into
// one document ("doc") and one row at a time ("rows").
func BenchmarkStage1(b *testing.B) {
	rows, size := benignRows(b)
	doc := strings.Join(rows, "\n\n")
	bufs := new(buffers)
	var st Stats
	// keep stores stage 1's (possibly grown) arrays back, as normalizeInto does.
	keep := func(out []byte, off []int32, tags []byte, gaps []int, cands [][2]int, _ bool, marks []int) {
		bufs.out, bufs.off, bufs.tags, bufs.gaps, bufs.cands, bufs.marks = out, off, tags, gaps, cands, marks
	}
	ref := func(s string, b *buffers, st *Stats) ([]byte, []int32, []byte, []int, [][2]int, bool, []int) {
		out, off, tags, gaps, cands, need, _ := stage1Ref(s, b, st)
		return out, off, tags, gaps, cands, need, nil
	}
	for _, impl := range []struct {
		name string
		fn   func(string, *buffers, *Stats) ([]byte, []int32, []byte, []int, [][2]int, bool, []int)
	}{{"fast", stage1}, {"ref", ref}} {
		b.Run("doc/"+impl.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			c0 := cpuTime()
			for b.Loop() {
				keep(impl.fn(doc, getBuffersInto(bufs, len(doc)), &st))
			}
			reportCPU(b, c0, len(doc))
		})
		b.Run("rows/"+impl.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			c0 := cpuTime()
			for b.Loop() {
				for _, r := range rows {
					keep(impl.fn(r, getBuffersInto(bufs, len(r)), &st))
				}
			}
			reportCPU(b, c0, size)
		})
	}
}

// getBuffersInto resets b for an input of n bytes, as getBuffers does for
// a pooled one.
func getBuffersInto(b *buffers, n int) *buffers {
	if cap(b.out) < n+8 {
		b.out, b.off = make([]byte, 0, n+8), make([]int32, 0, n+9)
	}
	b.out, b.off, b.tags, b.gaps, b.cands, b.marks = b.out[:0], b.off[:0], b.tags[:0], b.gaps[:0], b.cands[:0], b.marks[:0]
	return b
}

// cpuTime is the CPU time (user+system) this process has used: on a
// shared machine, throughput per CPU-second (cpu-MB/s) varies less than
// wall-clock MB/s.
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

func benignRows(b *testing.B) ([]string, int) {
	var rows []string
	size := 0
	for _, row := range datasets.ReadRows[struct{ Text string }](b, datasets.Dir("injection", "gpteacher_benign.jsonl")) {
		if size >= 400<<10 {
			break
		}
		if strings.TrimSpace(row.Text) != "" {
			rows = append(rows, row.Text)
			size += len(row.Text)
		}
	}
	return rows, size
}
