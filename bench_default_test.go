package llmshield_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/internal/datasets"
)

// shortPrompts reads up to perFile prompts of at most maxLen bytes from each
// injection dataset under ../shared (benign and attack rows alike), or skips.
func shortPrompts(tb testing.TB, perFile, maxLen int) []string {
	tb.Helper()
	files, _ := filepath.Glob(filepath.Join("..", "shared", "datasets", "injection", "*.jsonl"))
	if len(files) == 0 {
		tb.Skip("../shared/datasets/injection not found")
	}
	var out []string
	for _, f := range files {
		n := 0
		for _, row := range datasets.ReadRows[struct{ Text string }](tb, f) {
			if n == perFile {
				break
			}
			if row.Text != "" && len(row.Text) <= maxLen {
				out = append(out, row.Text)
				n++
			}
		}
	}
	return out
}

// BenchmarkDefaultPromptScan is the embedded default configuration's prompt
// scan (invisible_text, secrets, prompt_injection with its model) on short
// prompts from the injection datasets, one after another; the backend is
// $LLMSHIELD_BACKEND's (auto: ONNX Runtime when its library is found). It
// reports the per-prompt p50 and p99 beside ns/op.
func BenchmarkDefaultPromptScan(b *testing.B) {
	prompts := shortPrompts(b, 100, 512)
	ctx := context.Background()
	sh, err := llmshield.New(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = sh.Close() })
	for _, p := range prompts { // load the model, warm the pools
		if _, err := sh.ScanPrompt(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		rep, err := sh.ScanPrompt(ctx, prompts[i%len(prompts)])
		lat = append(lat, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range rep.Scanners {
			if s.Err != nil {
				b.Fatalf("%s: %v", s.Name, s.Err)
			}
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[(len(lat)-1)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[(len(lat)*99+99)/100-1].Nanoseconds()), "p99-ns")
}

// BenchmarkStartup is the library's share of a CLI start: New with the
// embedded default configuration, then the first prompt scan (which starts
// the inference runtime and opens prompt_injection's model), then Close
// (which shuts the runtime down again, so every iteration starts it
// afresh). Package initialisation and process start are not included. It
// reports the two phases beside ns/op.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	var newT, scanT time.Duration
	b.ReportAllocs()
	for b.Loop() {
		t0 := time.Now()
		sh, err := llmshield.New(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		rep, err := sh.ScanPrompt(ctx, "hello")
		scanT += time.Since(t1)
		newT += t1.Sub(t0)
		if err != nil || rep.Err() != nil {
			b.Fatal(err, rep.Err())
		}
		if err := sh.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(newT.Nanoseconds())/float64(b.N), "new-ns/op")
	b.ReportMetric(float64(scanT.Nanoseconds())/float64(b.N), "firstscan-ns/op")
}
