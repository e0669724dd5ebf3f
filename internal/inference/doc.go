// Package inference runs ONNX text models (input_ids, attention_mask and
// optionally token_type_ids, int64 [batch, seq]) and turns their outputs
// into scores: classifiers and pair classifiers with logits float32
// [batch, num_labels] (Engine.Logits, Infer), embedding models with
// per-token hidden states [batch, seq, width] or one vector per text
// [batch, width] (Engine.Tensors; EngineOptions.Output picks the output by
// name). The tiny test models of each kind are in testdata (see
// scripts/gen-tiny-classifier.py and scripts/gen-tiny-pipelines.py).
//
// A Runtime owns one backend, chosen when it is created:
//
//   - "ort": ONNX Runtime through github.com/yalue/onnxruntime_go (package
//     inference/ort; needs cgo and the shared library, see ort.FindLibrary and
//     scripts/fetch-ort.sh);
//   - "purego": GoMLX's simplego backend through github.com/gomlx/onnx-gomlx
//     (package inference/purego; builds with CGO_ENABLED=0).
//
// Auto selection (the default) uses ONNX Runtime when its library loads and
// falls back to pure Go otherwise; RuntimeOptions.Backend or
// $LLMSHIELD_BACKEND (ort|purego|auto) override it. Runtime.Info reports the
// choice (and why a fallback happened); it is logged at creation and copied
// into every Engine's Stats.
//
// Runtime.Open loads a model into an Engine. Engines validate inputs, pad
// batches (pad id, attention mask 0), run forward passes concurrently
// (ONNX Runtime sessions and GoMLX executables both allow concurrent runs;
// MaxConcurrentRuns bounds them) and, with MicroBatching, gather concurrent
// single-sequence requests into shared passes grouped by sequence-length
// bucket. Scores never come from NaN or infinite logits: such outputs, and
// outputs of the wrong shape, are errors (ErrNonFinite, ErrOutputShape).
//
// The pure-Go backend runs GoMLX's simplego in its sequential-op mode
// (its parallel op scheduler deadlocks in v0.26; see package purego) and
// pads batches to a small set of shapes, since GoMLX compiles one graph per
// input shape. It is roughly 10-20x slower than ONNX Runtime on the test
// model; it exists so that CGO_ENABLED=0 builds still classify.
//
// # Operators that run on both backends
//
// onnx-gomlx v0.3.4 converts a subset of ONNX. The test models
// (scripts/gen-tiny-classifier.py, opset 17: a one-layer transformer
// encoder with masked mean pooling) use, and both backends agree on to 1e-4:
// Add, Cast, Concat, Constant, Div, Erf, Gather, Gemm, Identity,
// LayerNormalization, MatMul, Mul, Reshape, Shape, Slice, Softmax, Sub,
// Transpose, Unsqueeze. The hashed n-gram linear test models
// (scripts/gen-tiny-hashed.py, opset 13, the graph of training/hashed_onnx.py
// that the built-in n-gram classifiers ship) add Sqrt and, in the INT8
// variant, Gather over an int8 table followed by Cast and Mul. Other ops onnx-gomlx converts include Pow, Sqrt,
// Exp, Log, Relu, Tanh, Where, Equal/Less/Greater, Expand, Tile, Range,
// CumSum, ConstantOfShape, Squeeze, Flatten, Clip, Min/Max, ReduceMean,
// Split, Pad, Trilu, ScatterND, GatherElements, Conv/pooling,
// BatchNormalization, LSTM, If, and the (Dynamic)QuantizeLinear /
// DequantizeLinear / MatMulInteger / QLinearMatMul family. Notably absent
// in v0.3.4: Sigmoid, ReduceSum, ReduceMax, ArgMax and other reductions
// besides ReduceMean (express masked sums as MatMul, as the test model does),
// and ONNX functions / sparse initialisers.
package inference
