//go:build cgo

package ort

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// environment guards onnxruntime_go's process-wide state (the loaded shared
// library and the OrtEnv). onnxruntime_go allows one environment per process
// and one library path per process lifetime, so this is the single
// package-level variable of the package: Runtimes acquire it (the first one
// initialises it with its library path) and release it (the last one
// destroys it).
var environment ortEnvironment

type ortEnvironment struct {
	mu      sync.Mutex
	refs    int
	libPath string // library of the live environment
	version string
}

func (e *ortEnvironment) acquire(libPath string) (version string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.refs > 0 {
		if libPath != e.libPath {
			return "", fmt.Errorf("onnx runtime already initialised in this process with %q, cannot load %q", e.libPath, libPath)
		}
		e.refs++
		return e.version, nil
	}
	if ortgo.IsInitialized() {
		return "", errors.New("onnx runtime environment was initialised outside package ort")
	}
	// ONNX Runtime 1.30's Linux builds start a telemetry system with the
	// environment (a SQLite store under ~/.cache/Microsoft, a thread, HTTPS
	// uploads when a CA bundle is found): about 20 ms of every start, and
	// nothing an LLM firewall should do unasked. It reads this variable when
	// the environment is created; a value the operator set is kept.
	if _, set := os.LookupEnv(EnvDisableTelemetry); !set {
		if err := os.Setenv(EnvDisableTelemetry, "1"); err != nil {
			return "", fmt.Errorf("set %s: %w", EnvDisableTelemetry, err)
		}
	}
	ortgo.SetSharedLibraryPath(libPath)
	if err := ortgo.InitializeEnvironment(ortgo.WithLogLevelError()); err != nil {
		return "", fmt.Errorf("%w: load %s: %w", backend.ErrUnavailable, libPath, err)
	}
	e.refs, e.libPath, e.version = 1, libPath, ortgo.GetVersion()
	return e.version, nil
}

// live returns the version of the environment if it is live on libPath.
func (e *ortEnvironment) live(libPath string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.version, e.refs > 0 && e.libPath == libPath
}

func (e *ortEnvironment) release() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.refs == 0 {
		return nil
	}
	e.refs--
	if e.refs > 0 {
		return nil
	}
	if err := ortgo.DestroyEnvironment(); err != nil {
		return fmt.Errorf("destroy onnx runtime environment: %w", err)
	}
	return nil
}

// Runtime is the ONNX Runtime backend. It is safe for concurrent use.
type Runtime struct {
	libPath  string
	version  string
	maxRuns  int
	sessions backend.Members[*session]
}

var _ backend.Backend = (*Runtime)(nil)

// New loads the ONNX Runtime library (opts.LibraryPath, else FindLibrary)
// and initialises the process-wide environment. Errors wrap
// backend.ErrUnavailable when the library cannot be found or loaded.
func New(opts Options) (*Runtime, error) {
	lib, err := libraryPath(opts)
	if err != nil {
		return nil, err
	}
	v, err := environment.acquire(lib)
	if err != nil {
		return nil, err
	}
	return &Runtime{libPath: lib, version: v, maxRuns: opts.MaxConcurrentRuns}, nil
}

// Name returns "ort".
func (*Runtime) Name() string { return "ort" }

// Version returns the ONNX Runtime library version, e.g. "1.30.0".
func (r *Runtime) Version() string { return versionString(r.version) }

// LibraryPath returns the loaded shared library.
func (r *Runtime) LibraryPath() string { return r.libPath }

// OpenFile opens an ONNX model file.
func (r *Runtime) OpenFile(ctx context.Context, path string, opts backend.Options) (backend.Session, error) {
	return r.open(ctx, path, nil, opts)
}

// OpenBytes opens an ONNX model held in memory.
func (r *Runtime) OpenBytes(ctx context.Context, model []byte, opts backend.Options) (backend.Session, error) {
	if len(model) == 0 {
		return nil, errors.New("empty model")
	}
	return r.open(ctx, "", model, opts)
}

func (r *Runtime) open(ctx context.Context, path string, data []byte, opts backend.Options) (_ backend.Session, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.sessions.Closed() {
		return nil, errors.New("onnx runtime backend is closed")
	}
	// The signature is read from the file rather than with
	// ortgo.GetInputOutputInfo, which builds a whole extra session for it.
	var sig backend.ModelIO
	if data != nil {
		sig, err = backend.ReadModelIO(data)
	} else {
		sig, err = backend.ReadModelIOFile(path)
	}
	if err != nil {
		return nil, fmt.Errorf("read model inputs: %w", err)
	}
	inNames := make([]string, len(sig.Inputs))
	for i, in := range sig.Inputs {
		if !in.Tensor || in.Elem != backend.ElemInt64 {
			return nil, fmt.Errorf("model input %q must be an int64 tensor, got %s", in.Name, in)
		}
		inNames[i] = in.Name
	}
	hasTypes, err := backend.CheckInputs(inNames)
	if err != nil {
		return nil, err
	}
	outNames := make([]string, len(sig.Outputs))
	for i, o := range sig.Outputs {
		outNames[i] = o.Name
	}
	outName, err := backend.PickOutput(outNames, opts.Output)
	if err != nil {
		return nil, err
	}
	for _, o := range sig.Outputs {
		if o.Name == outName && (!o.Tensor || o.Elem != backend.ElemFloat) {
			return nil, fmt.Errorf("model output %q must be a float32 tensor, got %s", o.Name, o)
		}
	}

	so, err := ortgo.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("session options: %w", err)
	}
	defer func() { err = errors.Join(err, so.Destroy()) }()
	if opts.IntraOpThreads > 0 {
		if err := so.SetIntraOpNumThreads(opts.IntraOpThreads); err != nil {
			return nil, fmt.Errorf("set intra-op threads: %w", err)
		}
	}
	if opts.InterOpThreads > 0 {
		if err := so.SetInterOpNumThreads(opts.InterOpThreads); err != nil {
			return nil, fmt.Errorf("set inter-op threads: %w", err)
		}
	}
	level, err := optimizationLevel(opts.OptimizationLevel)
	if err != nil {
		return nil, err
	}
	if err := so.SetGraphOptimizationLevel(level); err != nil {
		return nil, fmt.Errorf("set graph optimisation level: %w", err)
	}

	var s *ortgo.DynamicAdvancedSession
	if data != nil {
		s, err = ortgo.NewDynamicAdvancedSessionWithONNXData(data, inNames, []string{outName}, so)
	} else {
		s, err = ortgo.NewDynamicAdvancedSession(path, inNames, []string{outName}, so)
	}
	if err != nil {
		return nil, fmt.Errorf("create onnx runtime session: %w", err)
	}
	sess := &session{IO: backend.IO{Inputs: inNames, Output: outName}, rt: r, s: s, hasTypes: hasTypes}
	if r.maxRuns > 0 {
		sess.sem = make(chan struct{}, r.maxRuns)
	}
	if !r.sessions.Add(sess) {
		return nil, errors.Join(errors.New("onnx runtime backend is closed"), s.Destroy())
	}
	return sess, nil
}

func optimizationLevel(l int) (ortgo.GraphOptimizationLevel, error) {
	switch l {
	case -1, 3:
		return ortgo.GraphOptimizationLevelEnableAll, nil
	case 0:
		return ortgo.GraphOptimizationLevelDisableAll, nil
	case 1:
		return ortgo.GraphOptimizationLevelEnableBasic, nil
	case 2:
		return ortgo.GraphOptimizationLevelEnableExtended, nil
	}
	return 0, fmt.Errorf("graph optimisation level %d out of range 0-3", l)
}

// Close closes every open session and releases the runtime's share of the
// process-wide environment. It is idempotent.
func (r *Runtime) Close() error {
	first, err := r.sessions.Close()
	if !first {
		return nil
	}
	return errors.Join(err, environment.release())
}

// session wraps a DynamicAdvancedSession. ORT allows concurrent Run calls on
// one session; a RWMutex keeps Close from destroying it under a running pass.
type session struct {
	backend.IO
	rt       *Runtime
	s        *ortgo.DynamicAdvancedSession
	hasTypes bool
	sem      chan struct{}
	guard    backend.Guard
}

func (s *session) Run(ctx context.Context, in backend.Inputs) (out backend.Output, err error) {
	if err := in.Validate(); err != nil {
		return backend.Output{}, err
	}
	if s.sem != nil {
		select {
		case s.sem <- struct{}{}:
			defer func() { <-s.sem }()
		case <-ctx.Done():
			return backend.Output{}, ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return backend.Output{}, err
	}
	if err := s.guard.Enter(); err != nil {
		return backend.Output{}, err
	}
	defer s.guard.Leave()

	shape := ortgo.NewShape(int64(in.Batch), int64(in.SeqLen))
	values := make([]ortgo.Value, 0, len(s.Inputs))
	defer func() {
		for _, v := range values {
			err = errors.Join(err, v.Destroy())
		}
	}()
	for _, name := range s.Inputs {
		var data []int64
		switch name {
		case backend.InputIDs:
			data = in.InputIDs
		case backend.AttentionMask:
			data = in.AttentionMask
		case backend.TokenTypeIDs:
			data = in.TokenTypeIDs
			if data == nil {
				data = make([]int64, len(in.InputIDs))
			}
		}
		// NewTensor keeps a reference to data; ORT only reads inputs.
		t, err := ortgo.NewTensor(shape, data)
		if err != nil {
			return backend.Output{}, fmt.Errorf("input %s: %w", name, err)
		}
		values = append(values, t)
	}

	ro, err := ortgo.NewRunOptions()
	if err != nil {
		return backend.Output{}, fmt.Errorf("run options: %w", err)
	}
	defer func() { err = errors.Join(err, ro.Destroy()) }()
	// Ask ORT to stop the pass when ctx ends while it runs.
	stop := context.AfterFunc(ctx, func() { _ = ro.Terminate() })
	defer stop()

	outputs := []ortgo.Value{nil}
	runErr := s.s.RunWithOptions(values, outputs, ro)
	if outputs[0] != nil {
		defer func() { err = errors.Join(err, outputs[0].Destroy()) }()
	}
	if runErr != nil {
		if ctx.Err() != nil {
			return backend.Output{}, fmt.Errorf("onnx runtime run: %w", ctx.Err())
		}
		return backend.Output{}, fmt.Errorf("onnx runtime run: %w", runErr)
	}
	t, ok := outputs[0].(*ortgo.Tensor[float32])
	if !ok {
		return backend.Output{}, fmt.Errorf("output %q is %T, want a float32 tensor", s.Output, outputs[0])
	}
	oshape := t.GetShape()
	dims := make([]int, len(oshape))
	for i, d := range oshape {
		dims[i] = int(d)
	}
	if err := backend.CheckShape(s.Output, dims, in.Batch, in.SeqLen); err != nil {
		return backend.Output{}, err
	}
	data := t.GetData()
	logits := make([]float32, len(data))
	copy(logits, data)
	out = backend.Output{Logits: logits, Batch: in.Batch, NumLabels: dims[len(dims)-1]}
	if len(dims) == 3 {
		out.SeqLen = dims[1]
	}
	return out, nil
}

// Close destroys the session after running passes finish. It is idempotent.
func (s *session) Close() error {
	return s.guard.Close(func() error {
		s.rt.sessions.Remove(s)
		if err := s.s.Destroy(); err != nil {
			return fmt.Errorf("destroy onnx runtime session: %w", err)
		}
		return nil
	})
}
