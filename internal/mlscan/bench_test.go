package mlscan

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/scanner"
)

func benchScan(b *testing.B, text string, maxWindows int) {
	m := &slowModel{}
	cfg := DefaultConfig()
	cfg.ML.Cache = cache.Disabled
	cfg.ML.MaxWindows = maxWindows
	d, err := New(cfg, Options{Name: "prompt_injection", Heuristic: rules, Models: slowModels{m}})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	in := scanner.Input{Prompt: text}
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Scan(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(m.seen)/float64(b.N), "model-bytes/op")
}

// BenchmarkScanShort: the hybrid path on a short prompt (the model sees
// all of it in one call).
func BenchmarkScanShort(b *testing.B) { benchScan(b, "What is the capital of France?", 0) }

// BenchmarkScanOneMiB: a 1 MiB prompt; the model sees max_windows (16)
// windows of 2 KiB whatever the input's size.
func BenchmarkScanOneMiB(b *testing.B) {
	benchScan(b, strings.Repeat("lorem ipsum dolor sit amet ", 40_000), 0)
}
