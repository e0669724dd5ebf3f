package inference

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// benchSeq is a deterministic sequence of n ids below the tiny models' vocab.
func benchSeq(n, seed int) Input {
	in := Input{InputIDs: make([]int64, n), AttentionMask: make([]int64, n)}
	for i := range in.InputIDs {
		in.InputIDs[i] = int64(1 + (seed*7919+i*104729)%998)
		in.AttentionMask[i] = 1
	}
	return in
}

func benchEngine(b *testing.B, backendName string, opts EngineOptions) *Engine {
	b.Helper()
	rt := testRuntime(b, backendName)
	opts.Name = "tiny-binary"
	e, err := rt.Open(context.Background(), filepath.Join("testdata", "tiny-binary", "model.onnx"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = e.Close() })
	return e
}

// BenchmarkInfer: per-sample latency of one sequence.
func BenchmarkInfer(b *testing.B) {
	for _, be := range []string{BackendORT, BackendPureGo} {
		for _, n := range []int{64, 256} {
			b.Run(fmt.Sprintf("%s/seq=%d", be, n), func(b *testing.B) {
				e := benchEngine(b, be, EngineOptions{})
				in := benchSeq(n, 1)
				ctx := context.Background()
				if _, err := e.Logits(ctx, []Input{in}); err != nil { // warm-up / compile
					b.Fatal(err)
				}
				b.ResetTimer()
				for b.Loop() {
					if _, err := e.Infer(ctx, in.InputIDs, in.AttentionMask, labels2, Softmax); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkInferBatch32: one InferBatch of 32 sequences of 64 tokens.
func BenchmarkInferBatch32(b *testing.B) {
	for _, be := range []string{BackendORT, BackendPureGo} {
		b.Run(be+"/seq=64", func(b *testing.B) {
			e := benchEngine(b, be, EngineOptions{MaxBatchSize: 32})
			batch := make([]Input, 32)
			for i := range batch {
				batch[i] = benchSeq(64, i)
			}
			ctx := context.Background()
			if _, err := e.Logits(ctx, batch); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, err := e.InferBatch(ctx, batch, labels2, Softmax); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "seq/s")
		})
	}
}

// BenchmarkConcurrent: 16 goroutines per GOMAXPROCS each sending single
// 64-token sequences, with and without micro-batching.
func BenchmarkConcurrent(b *testing.B) {
	for _, be := range []string{BackendORT, BackendPureGo} {
		for _, micro := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/microbatching=%v", be, micro), func(b *testing.B) {
				e := benchEngine(b, be, EngineOptions{MicroBatching: micro, MaxBatchSize: 32, MaxWait: 2 * time.Millisecond})
				ctx := context.Background()
				inputs := make([]Input, 32)
				for i := range inputs {
					inputs[i] = benchSeq(64, i)
				}
				if _, err := e.Logits(ctx, inputs); err != nil {
					b.Fatal(err)
				}
				before := e.Stats()
				b.SetParallelism(16)
				b.ResetTimer()
				b.RunParallel(func(pb *testing.PB) {
					i := 0
					for pb.Next() {
						in := inputs[i%len(inputs)]
						i++
						if _, err := e.Infer(ctx, in.InputIDs, in.AttentionMask, labels2, Softmax); err != nil {
							b.Error(err)
							return
						}
					}
				})
				after := e.Stats()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seq/s")
				if p := after.ForwardPasses - before.ForwardPasses; p > 0 {
					b.ReportMetric(float64(after.Rows-before.Rows)/float64(p), "rows/pass")
				}
			})
		}
	}
}
