package bench

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

const tinyModel = "../inference/testdata/tiny-binary/model.onnx"

func TestRunPureGoAndTokenizerRow(t *testing.T) {
	var buf bytes.Buffer
	calls := 0
	err := Run(context.Background(), &buf, Options{
		ModelPath: tinyModel, Backends: []string{"purego"},
		SeqLens: []int{8}, BatchSize: 4, BatchSeqLen: 8, Concurrency: 3, Duration: time.Millisecond,
		Tokenizer:     func(context.Context) (int, error) { calls++; return 10, nil },
		TokenizerName: "fake",
	})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"BACKEND", "fake", "tokenizer", "tokens/s", "purego", "latency seq=8", "batch=4 seq=8",
		"concurrent=3 seq=8 no micro-batching", "concurrent=3 seq=8 micro-batching"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if calls == 0 {
		t.Error("tokenizer hook not called")
	}
}

func TestMeasureDefaultBackends(t *testing.T) {
	rows, err := Measure(context.Background(), Options{ModelPath: tinyModel, SeqLens: []int{4}, BatchSize: 2, BatchSeqLen: 4, Concurrency: 2, Duration: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		seen[r.Backend] = true
		if r.Case != "unavailable" && (r.Ops == 0 || r.Samples == 0 || r.Elapsed <= 0) {
			t.Errorf("empty measurement %+v", r)
		}
	}
	if !seen["ort"] || !seen["purego"] {
		t.Errorf("rows do not cover both backends (ort listed as unavailable when missing): %+v", rows)
	}
	if os.Getenv("CI") == "true" {
		for _, r := range rows {
			if r.Case == "unavailable" {
				t.Errorf("%s unavailable with CI=true", r.Backend)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := Measure(context.Background(), Options{}); err == nil {
		t.Error("missing model accepted")
	}
	if _, err := Measure(context.Background(), Options{ModelPath: tinyModel, SeqLens: []int{0}}); err == nil {
		t.Error("zero sequence length accepted")
	}
	if _, err := Measure(context.Background(), Options{ModelPath: tinyModel, Backends: []string{"cuda"}}); err == nil {
		t.Error("unknown backend accepted")
	}
	boom := errors.New("boom")
	if _, err := Measure(context.Background(), Options{Tokenizer: func(context.Context) (int, error) { return 0, boom }}); !errors.Is(err, boom) {
		t.Errorf("tokenizer error: %v", err)
	}
	if _, err := Measure(context.Background(), Options{ModelPath: "/nonexistent.onnx", Backends: []string{"purego"}}); err == nil {
		t.Error("missing model file accepted")
	}
}
