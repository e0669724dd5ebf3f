package purego

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/llmshield/llmshield/internal/inference/backend"
	"github.com/llmshield/llmshield/internal/inference/backend/backendtest"
)

func TestReferenceLogits(t *testing.T) {
	rt, err := New()
	if err != nil {
		t.Fatal(err)
	}
	backendtest.ReferenceLogits(t, filepath.Join("..", "testdata"), rt)
}

func TestRounding(t *testing.T) {
	for n, want := range map[int]int{1: 1, 3: 4, 8: 8, 9: 12, 13: 16, 17: 24, 25: 32, 33: 48, 64: 64, 65: 96, 100: 128} {
		if got := RoundBatch(n); got != want {
			t.Errorf("RoundBatch(%d) = %d, want %d", n, got, want)
		}
	}
	for n, want := range map[int]int{1: 16, 16: 16, 17: 32, 128: 128, 129: 160, 144: 160, 161: 192, 200: 224, 300: 320, 512: 512, 513: 640, 700: 768} {
		if got := RoundSeqLen(n); got != want {
			t.Errorf("RoundSeqLen(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestPaddedBatchMatchesReference(t *testing.T) {
	rt, err := New()
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	s, err := rt.OpenFile(context.Background(), filepath.Join("..", "testdata", "tiny-binary", "model.onnx"), backend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// 9 rows (padded to 12) of the 17-token case (padded to 32).
	c := backendtest.Load(t, filepath.Join("..", "testdata"), "tiny-binary")[4]
	var in backend.Inputs
	for range 9 {
		in.InputIDs = append(in.InputIDs, c.InputIDs[0]...)
		in.AttentionMask = append(in.AttentionMask, c.AttentionMask[0]...)
	}
	in.Batch, in.SeqLen = 9, len(c.InputIDs[0])
	out, err := s.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if out.Batch != 9 || len(out.Logits) != 18 {
		t.Fatalf("output %d rows, %d logits", out.Batch, len(out.Logits))
	}
	for r := range 9 {
		backendtest.CheckRow(t, c.Name, out, r, c.Logits[0])
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background(), in); err == nil {
		t.Error("Run after Close succeeded")
	}
}
func TestConcurrentRuns(t *testing.T) {
	rt, _ := New()
	defer rt.Close()
	s, err := rt.OpenFile(context.Background(), filepath.Join("..", "testdata", "tiny-binary", "model.onnx"), backend.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cases := backendtest.Load(t, filepath.Join("..", "testdata"), "tiny-binary")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 8 {
				c := cases[(g+i)%len(cases)]
				out, err := s.Run(context.Background(), c.Inputs())
				if err != nil {
					t.Error(err)
					return
				}
				for r := range c.Logits {
					for j, w := range c.Logits[r] {
						if d := float64(out.Row(r)[j]) - w; d > 1e-4 || d < -1e-4 {
							t.Errorf("mismatch %s", c.Name)
							return
						}
					}
				}
			}
		})
	}
	wg.Wait()
}
