package classifier

import (
	"context"
	"os"
	"testing"

	"github.com/llmshield/llmshield/internal/inference"
)

// Pipeline benchmarks on the tiny generated models (one-layer encoders,
// width 48/32, ~20-token inputs): they measure the pipeline's own cost
// (tokenisation, pairing, pooling, engine) on each backend, not a real
// model's. Run: go test ./classifier -run '^$' -bench Pipeline -benchtime=200x

func benchBackends(b *testing.B, fn func(b *testing.B, h *Hub)) {
	for _, be := range []string{inference.BackendORT, inference.BackendPureGo} {
		b.Run(be, func(b *testing.B) {
			if be == inference.BackendORT && os.Getenv("LLMSHIELD_ORT_LIB") == "" {
				b.Skip("LLMSHIELD_ORT_LIB is not set")
			}
			fn(b, pipelineHub(b, be))
		})
	}
}

func BenchmarkPipelineEntailment(b *testing.B) {
	benchBackends(b, func(b *testing.B, h *Hub) {
		ctx := context.Background()
		c, err := h.GetPair(ctx, Ref{ID: "tiny-nli"})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Entailment(ctx, "the cat sat with the dog in the garden and we play music with friends .", "the dog and the cat ."); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPipelineZeroShot4(b *testing.B) {
	benchBackends(b, func(b *testing.B, h *Hub) {
		ctx := context.Background()
		c, err := h.GetPair(ctx, Ref{ID: "tiny-nli"})
		if err != nil {
			b.Fatal(err)
		}
		labels := []string{"music", "weapons", "cooking", "politics"}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.ZeroShot(ctx, "we play music and sing with friends in the garden .", labels, DefaultHypothesisTemplate, true); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkPipelineEmbed(b *testing.B) {
	benchBackends(b, func(b *testing.B, h *Hub) {
		ctx := context.Background()
		e, err := h.GetEmbedder(ctx, Ref{ID: pipelineDir(b, "tiny-embed")})
		if err != nil {
			b.Fatal(err)
		}
		if e, err = e.WithPooling(PoolingMean, true); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.Embed(ctx, "the cat sat with the dog in the garden and we play music with friends ."); err != nil {
				b.Fatal(err)
			}
		}
	})
}
