//go:build cgo

package ort

import (
	"path/filepath"
	"slices"
	"testing"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// TestModelIOMatchesORT: the signature the backend reads from the file (to
// spare a session) is the one ONNX Runtime reports, for every model the
// project ships or tests with.
func TestModelIOMatchesORT(t *testing.T) {
	rt, err := newTestRuntime(t)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	var paths []string
	for _, pat := range []string{"../testdata/*/model.onnx", "../../../models/*/model.onnx"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d models", len(paths))
	}
	conv := func(infos []ortgo.InputOutputInfo) []backend.TensorInfo {
		out := make([]backend.TensorInfo, len(infos))
		for i, in := range infos {
			out[i] = backend.TensorInfo{Name: in.Name, Tensor: in.OrtValueType == ortgo.ONNXTypeTensor, Elem: int(in.DataType)}
		}
		return out
	}
	for _, p := range paths {
		ins, outs, err := ortgo.GetInputOutputInfo(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		got, err := backend.ReadModelIOFile(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !slices.Equal(got.Inputs, conv(ins)) || !slices.Equal(got.Outputs, conv(outs)) {
			t.Errorf("%s: read %+v, onnx runtime reports inputs %v outputs %v", p, got, ins, outs)
		}
	}
}
