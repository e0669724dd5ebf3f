package ort

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
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
	rt, err := newTestRuntime(t)
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

// newTestRuntime loads ONNX Runtime or skips; with CI=true a missing library
// fails the test instead.
func newTestRuntime(t *testing.T) (*Runtime, error) {
	t.Helper()
	rt, err := New(Options{})
	if err != nil && errors.Is(err, backend.ErrUnavailable) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("onnx runtime unavailable with CI=true: %v", err)
		}
		t.Skipf("onnx runtime unavailable (run scripts/fetch-ort.sh): %v", err)
	}
	return rt, err
}
