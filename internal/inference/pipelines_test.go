package inference

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/inference/backend/backendtest"
)

// nliCase and embedCase are the reference.json cases written by
// scripts/gen-tiny-pipelines.py.
type nliCase struct {
	InputIDs     []int64   `json:"input_ids"`
	TokenTypeIDs []int64   `json:"token_type_ids"`
	Logits       []float64 `json:"logits"`
}

type embedCase struct {
	InputIDs       []int64   `json:"input_ids"`
	Mean           []float64 `json:"mean"`
	MeanNormalized []float64 `json:"mean_normalized"`
	CLS            []float64 `json:"cls"`
}

func readCases[T any](t testing.TB, model string) []T {
	t.Helper()
	return backendtest.ReadCases[T](t, "testdata", model)
}

// openEngine opens testdata/<model>/model.onnx as model, closed when the
// test ends.
func openEngine(t testing.TB, rt *Runtime, model string, opts EngineOptions) *Engine {
	t.Helper()
	opts.Name, opts.MaxLength = model, 512
	e, err := rt.Open(context.Background(), filepath.Join("testdata", model, "model.onnx"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Error(err)
		}
	})
	return e
}

func allOnes(n int) []int64 {
	m := make([]int64, n)
	for i := range m {
		m[i] = 1
	}
	return m
}

// TestPairClassifierModel runs the tiny NLI model (token type ids 0 and 1)
// alone and in one padded batch on both backends against PyTorch.
func TestPairClassifierModel(t *testing.T) {
	cases := readCases[nliCase](t, "tiny-nli")
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		e, _ := openModel(t, rt, "tiny-nli", EngineOptions{})
		if !e.HasTokenTypeIDs() {
			t.Fatal("tiny-nli declares token_type_ids")
		}
		var batch []Input
		for i, c := range cases {
			in := Input{InputIDs: c.InputIDs, AttentionMask: allOnes(len(c.InputIDs)), TokenTypeIDs: c.TokenTypeIDs}
			batch = append(batch, in)
			rows, err := e.Logits(context.Background(), []Input{in})
			if err != nil {
				t.Fatal(err)
			}
			checkRow(t, fmt.Sprintf("case %d logits", i), rows[0], c.Logits, 1e-4)
		}
		rows, err := e.Logits(context.Background(), batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			checkRow(t, "batched logits", rows[i], c.Logits, 1e-4)
		}
		// Type ids matter: all-zero types give other logits.
		c := cases[0]
		rows, err = e.Logits(context.Background(), []Input{{InputIDs: c.InputIDs, AttentionMask: allOnes(len(c.InputIDs))}})
		if err != nil {
			t.Fatal(err)
		}
		same := true
		for j := range rows[0] {
			same = same && math.Abs(float64(rows[0][j])-c.Logits[j]) < 1e-4
		}
		if same {
			t.Fatal("token_type_ids were ignored")
		}
	})
}

// TestHiddenStateModel reads [batch, seq, width] outputs through Tensors:
// each sequence gets its own tokens (batch padding dropped), and their mean
// and first row equal PyTorch's; Logits refuses such a model.
func TestHiddenStateModel(t *testing.T) {
	cases := readCases[embedCase](t, "tiny-embed")
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		for _, batching := range []bool{false, true} {
			e := openEngine(t, rt, "tiny-embed", EngineOptions{MicroBatching: batching})
			var batch []Input
			for _, c := range cases {
				batch = append(batch, Input{InputIDs: c.InputIDs, AttentionMask: allOnes(len(c.InputIDs))})
			}
			check := func(ts []Tensor) {
				t.Helper()
				for i, c := range cases {
					tt := ts[i]
					if tt.Tokens != len(c.InputIDs) || tt.Width != len(c.Mean) {
						t.Fatalf("case %d: tensor %d tokens x %d, want %d x %d", i, tt.Tokens, tt.Width, len(c.InputIDs), len(c.Mean))
					}
					mean := make([]float32, tt.Width)
					for k := 0; k < tt.Tokens; k++ {
						for j, v := range tt.Token(k) {
							mean[j] += v / float32(tt.Tokens)
						}
					}
					checkRow(t, "mean", mean, c.Mean, 1e-4)
					checkRow(t, "cls", tt.Token(0), c.CLS, 1e-4)
				}
			}
			ts, err := e.Tensors(context.Background(), batch)
			if err != nil {
				t.Fatal(err)
			}
			check(ts)
			var one []Tensor
			for _, in := range batch {
				r, err := e.Tensors(context.Background(), []Input{in})
				if err != nil {
					t.Fatal(err)
				}
				one = append(one, r[0])
			}
			check(one)
			if _, err := e.Logits(context.Background(), batch[:1]); !errors.Is(err, ErrOutputShape) || !strings.Contains(err.Error(), "hidden states") {
				t.Fatalf("Logits on a hidden-state model: %v, want ErrOutputShape", err)
			}
		}
	})
}

// TestPooledOutputModel: a model with a [batch, width] sentence embedding
// is read as one vector per text.
func TestPooledOutputModel(t *testing.T) {
	cases := readCases[embedCase](t, "tiny-embed-pooled")
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		e := openEngine(t, rt, "tiny-embed-pooled", EngineOptions{})
		var batch []Input
		for _, c := range cases {
			batch = append(batch, Input{InputIDs: c.InputIDs, AttentionMask: allOnes(len(c.InputIDs))})
		}
		ts, err := e.Tensors(context.Background(), batch)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			if ts[i].Tokens != 0 || ts[i].Width != len(c.MeanNormalized) {
				t.Fatalf("case %d: %d tokens x %d", i, ts[i].Tokens, ts[i].Width)
			}
			checkRow(t, "sentence_embedding", ts[i].Values, c.MeanNormalized, 1e-4)
		}
	})
}

// TestOutputOption: EngineOptions.Output selects an output by name; a
// name the model lacks fails at open.
func TestOutputOption(t *testing.T) {
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		p := filepath.Join("testdata", "tiny-embed", "model.onnx")
		e, err := rt.Open(context.Background(), p, EngineOptions{Output: "last_hidden_state"})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := rt.Open(context.Background(), p, EngineOptions{Output: "pooler_output"}); err == nil || !strings.Contains(err.Error(), `no output "pooler_output"`) {
			t.Fatalf("missing output: %v", err)
		}
	})
}
