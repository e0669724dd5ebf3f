package backend_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/onnx-gomlx/onnx"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// modelFiles are the ONNX files of the test models and the built-in ones.
func modelFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, pat := range []string{"../testdata/*/model.onnx", "../../../models/*/model.onnx"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, m...)
	}
	if len(out) < 10 {
		t.Fatalf("found only %d model files", len(out))
	}
	return out
}

// TestReadModelIOMatchesProto: the signature read by streaming equals the
// one decoded from the whole protobuf (onnx-gomlx's generated types), for
// every model the project ships or tests with, from a file and from memory.
func TestReadModelIOMatchesProto(t *testing.T) {
	for _, path := range modelFiles(t) {
		t.Run(path, func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			m, err := onnx.Parse(data)
			if err != nil {
				t.Fatal(err)
			}
			g := m.Proto.Graph
			inits := map[string]bool{}
			for _, in := range g.Initializer {
				inits[in.Name] = true
			}
			var want backend.ModelIO
			for _, in := range g.Input {
				if !inits[in.Name] {
					want.Inputs = append(want.Inputs, backend.TensorInfo{Name: in.Name, Tensor: in.Type.GetTensorType() != nil, Elem: int(in.Type.GetTensorType().GetElemType())})
				}
			}
			for _, o := range g.Output {
				want.Outputs = append(want.Outputs, backend.TensorInfo{Name: o.Name, Tensor: o.Type.GetTensorType() != nil, Elem: int(o.Type.GetTensorType().GetElemType())})
			}
			got, err := backend.ReadModelIOFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !equalIO(got, want) {
				t.Fatalf("file: got %+v, want %+v", got, want)
			}
			got, err = backend.ReadModelIO(data)
			if err != nil {
				t.Fatal(err)
			}
			if !equalIO(got, want) {
				t.Fatalf("bytes: got %+v, want %+v", got, want)
			}
		})
	}
}

func equalIO(a, b backend.ModelIO) bool {
	return slices.Equal(a.Inputs, b.Inputs) && slices.Equal(a.Outputs, b.Outputs)
}

// Builders of ONNX protobuf fragments for hand-made models.
func field(b []byte, num protowire.Number, v []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func valueInfo(name string, elem int) []byte {
	elemType := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), uint64(elem))
	typ := field(nil, 1, elemType) // TypeProto.tensor_type
	return field(field(nil, 1, []byte(name)), 2, typ)
}

func tensor(name string, raw []byte) []byte {
	b := protowire.AppendVarint(protowire.AppendTag(nil, 2, protowire.VarintType), backend.ElemFloat) // data_type
	b = field(b, 9, raw)                                                                              // raw_data before the name
	return field(b, 8, []byte(name))
}

func model(graph []byte) []byte {
	b := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 8) // ir_version
	b = field(b, 2, []byte("test"))                                                   // producer_name
	return field(b, 7, graph)
}

// TestReadModelIOInitializers: initializers that old exporters list among
// the graph inputs (dense and sparse) are not inputs to feed; a large
// initializer is skipped.
func TestReadModelIOInitializers(t *testing.T) {
	var g []byte
	g = field(g, 1, []byte("node")) // a NodeProto-sized field to skip
	g = field(g, 5, tensor("weight", bytes.Repeat([]byte{1}, 3<<20)))
	g = field(g, 15, field(nil, 1, tensor("sparse_w", []byte{1, 2, 3, 4}))) // SparseTensorProto.values
	g = field(g, 11, valueInfo("input_ids", backend.ElemInt64))
	g = field(g, 11, valueInfo("weight", backend.ElemFloat))
	g = field(g, 11, valueInfo("sparse_w", backend.ElemFloat))
	g = field(g, 11, valueInfo("attention_mask", backend.ElemInt64))
	g = field(g, 12, valueInfo("logits", backend.ElemFloat))
	g = field(g, 12, field(nil, 1, []byte("seq"))) // no type: not a tensor
	data := model(g)
	got, err := backend.ReadModelIO(data)
	if err != nil {
		t.Fatal(err)
	}
	want := backend.ModelIO{
		Inputs:  []backend.TensorInfo{{Name: "input_ids", Tensor: true, Elem: backend.ElemInt64}, {Name: "attention_mask", Tensor: true, Elem: backend.ElemInt64}},
		Outputs: []backend.TensorInfo{{Name: "logits", Tensor: true, Elem: backend.ElemFloat}, {Name: "seq"}},
	}
	if !equalIO(got, want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	if s := got.Outputs[1].String(); s != "non-tensor value" {
		t.Errorf("String of a non-tensor: %q", s)
	}
	if s := got.Inputs[0].String(); s != "int64 tensor" {
		t.Errorf("String of an int64 tensor: %q", s)
	}
	path := filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	fromFile, err := backend.ReadModelIOFile(path)
	if err != nil || !equalIO(fromFile, want) {
		t.Fatalf("file: %+v, %v", fromFile, err)
	}
}

// TestReadModelIOMalformed: what is not a well-formed model is an error
// wrapping ErrMalformedModel, never a panic or an empty signature.
func TestReadModelIOMalformed(t *testing.T) {
	good, err := os.ReadFile("../testdata/tiny-binary/model.onnx")
	if err != nil {
		t.Fatal(err)
	}
	noOutputs := model(field(nil, 11, valueInfo("input_ids", backend.ElemInt64)))
	for name, data := range map[string][]byte{
		"empty":          {},
		"truncated":      good[:len(good)/2],
		"one byte short": good[:len(good)-1],
		"text":           []byte("this is not a model"),
		"no graph":       protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 8),
		"no outputs":     noOutputs,
		"group wire":     protowire.AppendTag(nil, 7, protowire.StartGroupType),
		"field 0":        {0x02, 0x00},
		"long varint":    bytes.Repeat([]byte{0xff}, 11),
		"nameless input": model(field(field(nil, 11, field(nil, 2, nil)), 12, valueInfo("logits", backend.ElemFloat))),
	} {
		t.Run(name, func(t *testing.T) {
			got, err := backend.ReadModelIO(data)
			if !errors.Is(err, backend.ErrMalformedModel) {
				t.Fatalf("got %+v, %v; want ErrMalformedModel", got, err)
			}
		})
	}
	if _, err := backend.ReadModelIOFile(filepath.Join(t.TempDir(), "absent.onnx")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

// FuzzReadModelIO: any bytes give a signature with named inputs and outputs
// or an error, never a panic.
func FuzzReadModelIO(f *testing.F) {
	good, err := os.ReadFile("../testdata/tiny-binary/model.onnx")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add(model(field(field(nil, 11, valueInfo("input_ids", backend.ElemInt64)), 12, valueInfo("logits", backend.ElemFloat))))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := backend.ReadModelIO(data)
		if err != nil {
			if !errors.Is(err, backend.ErrMalformedModel) {
				t.Fatalf("error does not wrap ErrMalformedModel: %v", err)
			}
			return
		}
		if len(got.Inputs) == 0 || len(got.Outputs) == 0 {
			t.Fatalf("no error but %+v", got)
		}
		for _, ti := range slices.Concat(got.Inputs, got.Outputs) {
			if ti.Name == "" || strings.TrimSpace(ti.String()) == "" {
				t.Fatalf("unnamed value in %+v", got)
			}
		}
	})
}

// BenchmarkReadModelIOFile reads the built-in prompt-injection model's
// signature (2 MB file, weights skipped).
func BenchmarkReadModelIOFile(b *testing.B) {
	path := "../../../models/promptinjection/model.onnx"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := backend.ReadModelIOFile(path); err != nil {
			b.Fatal(err)
		}
	}
}
