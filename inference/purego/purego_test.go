package purego

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/llmshield/llmshield/inference/backend"
)

type refCase struct {
	Name          string      `json:"name"`
	InputIDs      [][]int64   `json:"input_ids"`
	AttentionMask [][]int64   `json:"attention_mask"`
	TokenTypeIDs  [][]int64   `json:"token_type_ids"`
	Logits        [][]float64 `json:"logits"`
}

func loadRef(t *testing.T, model string) []refCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", model, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []refCase `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	return ref.Cases
}

func flatten(rows [][]int64) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

func TestReferenceLogits(t *testing.T) {
	rt, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rt.Close(); err != nil {
			t.Error(err)
		}
	})
	for _, model := range []string{"tiny-binary", "tiny-multilabel", "tiny-tokentype"} {
		t.Run(model, func(t *testing.T) {
			s, err := rt.OpenFile(context.Background(), filepath.Join("..", "testdata", model, "model.onnx"), backend.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, c := range loadRef(t, model) {
				in := backend.Inputs{Batch: len(c.InputIDs), SeqLen: len(c.InputIDs[0]),
					InputIDs: flatten(c.InputIDs), AttentionMask: flatten(c.AttentionMask)}
				if c.TokenTypeIDs != nil {
					in.TokenTypeIDs = flatten(c.TokenTypeIDs)
				}
				out, err := s.Run(context.Background(), in)
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				for i, row := range c.Logits {
					for j, want := range row {
						if got := float64(out.Row(i)[j]); math.Abs(got-want) > 1e-4 {
							t.Errorf("%s row %d label %d: got %v want %v", c.Name, i, j, got, want)
						}
					}
				}
			}
		})
	}
}

func TestRounding(t *testing.T) {
	for n, want := range map[int]int{1: 1, 3: 4, 8: 8, 9: 12, 13: 16, 17: 24, 25: 32, 33: 48, 64: 64, 65: 96, 100: 128} {
		if got := RoundBatch(n); got != want {
			t.Errorf("RoundBatch(%d) = %d, want %d", n, got, want)
		}
	}
	for n, want := range map[int]int{1: 16, 16: 16, 17: 32, 200: 256, 300: 384, 512: 512, 513: 768} {
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
	c := loadRef(t, "tiny-binary")[4]
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
		for j, want := range c.Logits[0] {
			if got := float64(out.Row(r)[j]); math.Abs(got-want) > 1e-4 {
				t.Errorf("row %d label %d: %v want %v", r, j, got, want)
			}
		}
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
	cases := loadRef(t, "tiny-binary")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 8 {
				c := cases[(g+i)%len(cases)]
				in := backend.Inputs{Batch: len(c.InputIDs), SeqLen: len(c.InputIDs[0]), InputIDs: flatten(c.InputIDs), AttentionMask: flatten(c.AttentionMask)}
				out, err := s.Run(context.Background(), in)
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
