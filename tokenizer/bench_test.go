package tokenizer

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/llmshield/llmshield/internal/datasets"
)

// cpuTime returns the process's user+system CPU time (all threads, GC
// included), so throughput can be compared per CPU-second on a loaded machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadCorpus(b *testing.B, root string) ([]string, int) {
	b.Helper()
	texts := datasets.MustReadRows[string](b, filepath.Join(root, "corpus.jsonl"))
	n := 0
	for _, s := range texts {
		n += len(s)
	}
	return texts, n
}

// benchEncode encodes the whole shared corpus once per iteration, one text
// at a time on one goroutine (no special tokens, no truncation), and reports
// throughput in MB/s of UTF-8 input, wall-clock and per process CPU-second
// (compare the latter with testdata/tokbench/bench_hf.js's "per CPU-second").
func benchEncode(b *testing.B, dir, file string) {
	root := sharedDir(b)
	texts, n := loadCorpus(b, root)
	tok, err := Load(filepath.Join(root, dir, file), Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	c0 := cpuTime()
	iters := 0
	for b.Loop() {
		iters++
		for _, s := range texts {
			if _, err := tok.Encode(s); err != nil {
				b.Fatal(err)
			}
		}
	}
	if cpu := cpuTime() - c0; cpu > 0 {
		b.ReportMetric(float64(n)*float64(iters)/cpu.Seconds()/1e6, "MB/cpu-s")
	}
}

func BenchmarkEncodeBERT(b *testing.B)   { benchEncode(b, "bert-base-uncased", "tokenizer.json") }
func BenchmarkEncodeGPT2(b *testing.B)   { benchEncode(b, "gpt2", "tokenizer.json") }
func BenchmarkEncodeALBERT(b *testing.B) { benchEncode(b, "albert-base-v2", "spiece.model") }
func BenchmarkEncodeSPTest(b *testing.B) {
	benchEncode(b, "hf-test-sentencepiece", "test_sentencepiece.model")
}

func BenchmarkEncodeBatchBERT(b *testing.B) {
	root := sharedDir(b)
	texts, n := loadCorpus(b, root)
	tok, err := Load(filepath.Join(root, "bert-base-uncased", "tokenizer.json"), DefaultConfig())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(n))
	b.ResetTimer()
	for b.Loop() {
		if _, err := tok.EncodeBatch(texts); err != nil {
			b.Fatal(err)
		}
	}
}
