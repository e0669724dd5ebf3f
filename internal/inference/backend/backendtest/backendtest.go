// Package backendtest is the test suite every inference backend passes:
// the tiny generated classifiers in inference/testdata must give PyTorch's
// reference logits (scripts/gen-tiny-classifier.py) to 1e-4.
package backendtest

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// Models are the generated test models, directories of inference/testdata.
var Models = []string{"tiny-binary", "tiny-multilabel", "tiny-tokentype", "tiny-hashed", "tiny-hashed-int8"}

// Case is one reference case: a batch of sequences and PyTorch's logits.
type Case struct {
	Name          string      `json:"name"`
	InputIDs      [][]int64   `json:"input_ids"`
	AttentionMask [][]int64   `json:"attention_mask"`
	TokenTypeIDs  [][]int64   `json:"token_type_ids"`
	Logits        [][]float64 `json:"logits"`
}

// Inputs flattens the case into backend inputs.
func (c Case) Inputs() backend.Inputs {
	in := backend.Inputs{Batch: len(c.InputIDs), SeqLen: len(c.InputIDs[0]),
		InputIDs: flatten(c.InputIDs), AttentionMask: flatten(c.AttentionMask)}
	if c.TokenTypeIDs != nil {
		in.TokenTypeIDs = flatten(c.TokenTypeIDs)
	}
	return in
}

func flatten(rows [][]int64) []int64 {
	var out []int64
	for _, r := range rows {
		out = append(out, r...)
	}
	return out
}

// Load reads the reference cases of model from testdata.
func Load(t testing.TB, testdata, model string) []Case {
	t.Helper()
	return ReadCases[Case](t, testdata, model)
}

// ReadCases reads the "cases" of testdata/<model>/reference.json (written
// by the scripts that generate the test models) as T values; a file with
// none fails t.
func ReadCases[T any](t testing.TB, testdata, model string) []T {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, model, "reference.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Cases []T `json:"cases"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	if len(ref.Cases) == 0 {
		t.Fatalf("%s: no reference cases", model)
	}
	return ref.Cases
}

// CheckRow reports row of out that differs from want by more than 1e-4.
func CheckRow(t testing.TB, what string, out backend.Output, row int, want []float64) {
	t.Helper()
	for j, w := range want {
		if got := float64(out.Row(row)[j]); math.Abs(got-w) > 1e-4 {
			t.Errorf("%s row %d label %d: got %v want %v", what, row, j, got, w)
		}
	}
}

// ReferenceLogits opens every test model on be and checks every
// reference case; be is closed when the test ends.
func ReferenceLogits(t *testing.T, testdata string, be backend.Backend) {
	t.Cleanup(func() {
		if err := be.Close(); err != nil {
			t.Error(err)
		}
	})
	for _, model := range Models {
		t.Run(model, func(t *testing.T) {
			s, err := be.OpenFile(context.Background(), filepath.Join(testdata, model, "model.onnx"), backend.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			for _, c := range Load(t, testdata, model) {
				out, err := s.Run(context.Background(), c.Inputs())
				if err != nil {
					t.Fatalf("%s: %v", c.Name, err)
				}
				for i, row := range c.Logits {
					CheckRow(t, c.Name, out, i, row)
				}
			}
		})
	}
}
