// Package purego is the pure-Go backend of the inference engine: ONNX models
// are converted to GoMLX graphs by github.com/gomlx/onnx-gomlx and executed
// by GoMLX's "simplego" backend. It builds and runs with CGO_ENABLED=0.
//
// GoMLX compiles one executable per input shape. To bound the number of
// compiled graphs, a session pads every batch to a batch size from a fixed
// ladder (see RoundBatch) and to a sequence length from another (see
// RoundSeqLen); padded rows and columns carry the pad id and
// attention mask 0 (a padded row keeps its first mask entry at 1 so that
// mean-pooling models do not divide by zero) and are dropped from the output.
//
// GoMLX v0.26's simplego runs independent graph ops in parallel by default;
// that scheduler deadlocks (op tasks hold every worker while a nested
// DotGeneral waits for a free one) and has data races, both reproduced by
// this package's tests under -race. Sessions therefore use the
// "ops_sequential" mode (each op still spreads its work over the worker
// pool), and each session owns its own simplego backend. In that mode
// concurrent Run calls on one session are safe (TestConcurrentRuns, -race)
// and allowed.
//
// Which ONNX ops convert is decided by onnx-gomlx; see the inference package
// documentation for the operator set the built-in models are limited to.
package purego

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph" //nolint:revive // GoMLX graph DSL
	"github.com/gomlx/gomlx/pkg/core/tensors"
	mlctx "github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/onnx-gomlx/onnx"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// maxCompiledShapes bounds the graphs one session keeps compiled.
const maxCompiledShapes = 256

// Runtime is the pure-Go backend. It is safe for concurrent use.
type Runtime struct {
	desc string

	mu     sync.Mutex
	closed bool
	open   int
}

var _ backend.Backend = (*Runtime)(nil)

// New checks that the simplego backend starts.
func New() (*Runtime, error) {
	be, err := newBackend()
	if err != nil {
		return nil, err
	}
	desc := be.Description()
	be.Finalize()
	return &Runtime{desc: desc}, nil
}

func newBackend() (backends.Backend, error) {
	// ops_sequential: v0.26's parallel op scheduler deadlocks (nested
	// DotGeneral tasks wait for workers that the scheduled ops hold) and
	// races; see the package doc.
	be, err := simplego.New("ops_sequential")
	if err != nil {
		return nil, fmt.Errorf("%w: gomlx simplego: %w", backend.ErrUnavailable, err)
	}
	return be, nil
}

// Name returns "purego".
func (*Runtime) Name() string { return "purego" }

// Version describes the GoMLX backend.
func (r *Runtime) Version() string { return "gomlx " + r.desc }

// OpenFile reads and converts an ONNX model file.
func (r *Runtime) OpenFile(ctx context.Context, path string, opts backend.Options) (backend.Session, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	return r.OpenBytes(ctx, data, opts)
}

// OpenBytes converts an ONNX model held in memory. Thread and optimisation
// options do not apply to this backend (simplego sizes its worker pool from
// GOMAXPROCS) and are ignored; opts.Output selects the output.
func (r *Runtime) OpenBytes(ctx context.Context, model []byte, opts backend.Options) (_ backend.Session, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(model) == 0 {
		return nil, errors.New("empty model")
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("convert onnx model: %v", p)
		}
	}()
	m, err := onnx.Parse(model)
	if err != nil {
		return nil, fmt.Errorf("parse onnx model: %w", err)
	}
	inNames, inShapes := m.Inputs()
	for i, n := range inNames {
		if inShapes[i].DType != dtypes.Int64 {
			return nil, fmt.Errorf("model input %q must be int64, got %s", n, inShapes[i].DType)
		}
	}
	hasTypes, err := backend.CheckInputs(inNames)
	if err != nil {
		return nil, err
	}
	outNames, _ := m.Outputs()
	outName, err := backend.PickOutput(outNames, opts.Output)
	if err != nil {
		return nil, err
	}
	be, err := newBackend()
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			be.Finalize()
		}
	}()
	vars := mlctx.New()
	if err := m.VariablesToContext(vars); err != nil {
		return nil, fmt.Errorf("load model weights: %w", err)
	}
	names := append([]string(nil), inNames...)
	exec, err := mlctx.NewExec(be, vars, func(c *mlctx.Context, inputs []*Node) *Node {
		feed := make(map[string]*Node, len(inputs))
		for i, n := range names {
			feed[n] = inputs[i]
		}
		out := m.CallGraph(c, inputs[0].Graph(), feed, outName)[0]
		return ConvertDType(out, dtypes.Float32)
	})
	if err != nil {
		return nil, fmt.Errorf("build gomlx executor: %w", err)
	}
	exec.SetMaxCache(maxCompiledShapes)

	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		exec.Finalize()
		return nil, errors.New("pure-go backend is closed")
	}
	r.open++
	return &session{IO: backend.IO{Inputs: names, Output: outName}, rt: r, be: be, exec: exec, hasTypes: hasTypes}, nil
}

// Close releases the backend. Sessions must be closed first; Close reports
// an error if some are still open but releases the backend anyway.
func (r *Runtime) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	open := r.open
	if open > 0 {
		return fmt.Errorf("pure-go backend closed with %d sessions still open", open)
	}
	return nil
}

type session struct {
	backend.IO
	rt       *Runtime
	be       backends.Backend
	exec     *mlctx.Exec
	hasTypes bool
	guard    backend.Guard
}

// Run pads in to a cached shape, executes the graph and returns the logits
// of the real rows. Concurrent calls share the compiled graphs.
func (s *session) Run(ctx context.Context, in backend.Inputs) (out backend.Output, err error) {
	if err := in.Validate(); err != nil {
		return backend.Output{}, err
	}
	if err := ctx.Err(); err != nil {
		return backend.Output{}, err
	}
	if err := s.guard.Enter(); err != nil {
		return backend.Output{}, err
	}
	defer s.guard.Leave()
	b, l := RoundBatch(in.Batch), RoundSeqLen(in.SeqLen)
	ids, mask, types := padTo(in, b, l)
	args := make([]any, len(s.Inputs))
	for i, n := range s.Inputs {
		var data []int64
		switch n {
		case backend.InputIDs:
			data = ids
		case backend.AttentionMask:
			data = mask
		case backend.TokenTypeIDs:
			data = types
		}
		args[i] = tensors.FromFlatDataAndDimensions(data, b, l)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("gomlx run: %v", p)
		}
	}()
	res, err := s.exec.Exec(args...)
	if err != nil {
		return backend.Output{}, fmt.Errorf("gomlx run: %w", err)
	}
	if len(res) != 1 {
		return backend.Output{}, fmt.Errorf("gomlx run returned %d outputs, want 1", len(res))
	}
	t := res[0]
	defer func() { err = errors.Join(err, t.FinalizeAll()) }()
	dims := t.Shape().Dimensions
	if err := backend.CheckShape(s.Output, dims, b, l); err != nil {
		return backend.Output{}, err
	}
	flat, err := tensors.CopyFlatData[float32](t)
	if err != nil {
		return backend.Output{}, fmt.Errorf("read output: %w", err)
	}
	if len(dims) == 2 {
		n := dims[1]
		return backend.Output{Logits: flat[: in.Batch*n : in.Batch*n], Batch: in.Batch, NumLabels: n}, nil
	}
	// [b, l, width]: keep the real rows and the caller's sequence length.
	w := dims[2]
	vals := make([]float32, in.Batch*in.SeqLen*w)
	for r := 0; r < in.Batch; r++ {
		copy(vals[r*in.SeqLen*w:(r+1)*in.SeqLen*w], flat[r*l*w:r*l*w+in.SeqLen*w])
	}
	return backend.Output{Logits: vals, Batch: in.Batch, NumLabels: w, SeqLen: in.SeqLen}, nil
}

// padTo copies in into [b, l] buffers.
func padTo(in backend.Inputs, b, l int) (ids, mask, types []int64) {
	ids = make([]int64, b*l)
	mask = make([]int64, b*l)
	types = make([]int64, b*l)
	for i := range ids {
		ids[i] = in.PadID
	}
	for r := 0; r < in.Batch; r++ {
		copy(ids[r*l:], in.InputIDs[r*in.SeqLen:(r+1)*in.SeqLen])
		copy(mask[r*l:], in.AttentionMask[r*in.SeqLen:(r+1)*in.SeqLen])
		if in.TokenTypeIDs != nil {
			copy(types[r*l:], in.TokenTypeIDs[r*in.SeqLen:(r+1)*in.SeqLen])
		}
	}
	for r := in.Batch; r < b; r++ {
		mask[r*l] = 1
	}
	return ids, mask, types
}

// RoundBatch returns the batch size a batch of n rows is padded to: a
// ladder that wastes at most a third of a pass (1, 2, 4, 8, 12, 16, 24,
// 32, 48, 64, then multiples of 32).
func RoundBatch(n int) int {
	for _, b := range [...]int{1, 2, 4, 8, 12, 16, 24, 32, 48, 64} {
		if n <= b {
			return b
		}
	}
	return (n + 31) / 32 * 32
}

// RoundSeqLen returns the sequence length a batch of length n is padded to:
// powers of two up to 128, then steps of 32 up to 512 (a 129–160-token
// prompt runs at 160, not 256: at most a fifth of the pass is padding above
// 128 tokens), then multiples of 128. Each length costs one compiled graph,
// compiled on first use.
func RoundSeqLen(n int) int {
	for _, l := range [...]int{16, 32, 64, 128} {
		if n <= l {
			return l
		}
	}
	if n <= 512 {
		return (n + 31) / 32 * 32
	}
	return (n + 127) / 128 * 128
}

// Close releases the session's compiled graphs. It is idempotent.
func (s *session) Close() error {
	return s.guard.Close(func() error {
		s.exec.Finalize()
		s.be.Finalize()
		s.rt.mu.Lock()
		s.rt.open--
		s.rt.mu.Unlock()
		return nil
	})
}
