package inference

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"

	"github.com/llmshield/llmshield/internal/inference/backend"
	"github.com/llmshield/llmshield/internal/inference/ort"
	"github.com/llmshield/llmshield/internal/inference/purego"
)

// EnvBackend names the environment variable that overrides backend choice.
const EnvBackend = "LLMSHIELD_BACKEND"

// Backend names accepted by RuntimeOptions.Backend and $LLMSHIELD_BACKEND.
const (
	BackendAuto   = "auto"
	BackendORT    = "ort"
	BackendPureGo = "purego"
)

// RuntimeOptions configure NewRuntime.
type RuntimeOptions struct {
	// Backend is "ort", "purego", or "auto"/"" (use $LLMSHIELD_BACKEND, else
	// auto). Auto picks ONNX Runtime when its library loads, else pure Go.
	Backend string
	// ORTLibraryPath overrides the ONNX Runtime library search
	// (see ort.FindLibrary).
	ORTLibraryPath string
	// ORTMaxConcurrentRuns bounds concurrent forward passes per ORT session
	// (0: unbounded).
	ORTMaxConcurrentRuns int
	// Logger receives the backend choice and lifecycle events; nil discards.
	Logger *slog.Logger
	// Getenv reads the environment; nil means os.Getenv (tests inject).
	Getenv func(string) string
}

// BackendInfo describes the backend a Runtime uses, for logs, stats and
// `llmshield version`.
type BackendInfo struct {
	// Name is "ort" or "purego".
	Name string
	// Version is e.g. "onnxruntime 1.30.0" or "gomlx Simple Go Portable Backend".
	Version string
	// Requested is what was asked for ("auto", "ort", "purego") and From
	// where the request came from ("option", "env", "default").
	Requested string
	From      string
	// Fallback explains why auto selection did not pick ONNX Runtime
	// (empty when it did or when a backend was requested explicitly).
	Fallback string
	// LibraryPath is the ONNX Runtime shared library in use (ort only).
	LibraryPath string
}

// String renders the info on one line.
func (b BackendInfo) String() string {
	s := b.Name + " (" + b.Version + ")"
	if b.LibraryPath != "" {
		s += " library=" + b.LibraryPath
	}
	if b.Fallback != "" {
		s += " fallback: " + b.Fallback
	}
	return s
}

// Runtime owns one inference backend and opens Engines on it. It is safe
// for concurrent use. Close it after closing its engines.
type Runtime struct {
	be     backend.Backend
	info   BackendInfo
	logger *slog.Logger

	engines backend.Members[*Engine]
}

// NewRuntime selects and starts a backend.
func NewRuntime(opts RuntimeOptions) (*Runtime, error) {
	logger := runtimeLogger(opts)
	ortOpts := ort.Options{LibraryPath: opts.ORTLibraryPath, MaxConcurrentRuns: opts.ORTMaxConcurrentRuns}
	be, info, err := selectBackend(opts, logger, func() (backend.Backend, string, error) {
		rt, err := ort.New(ortOpts)
		if err != nil {
			return nil, "", err
		}
		return rt, rt.LibraryPath(), nil
	})
	if err != nil {
		return nil, err
	}
	info.Name, info.Version = be.Name(), be.Version()
	logger.Info("inference backend selected", "backend", info.Name, "version", info.Version,
		"requested", info.Requested, "from", info.From, "library", info.LibraryPath)
	return newRuntime(be, info, logger), nil
}

// ProbeRuntime tells which backend NewRuntime would select with opts, and
// its version, without starting it: ONNX Runtime's library is loaded to read
// its version, but its environment (tens of milliseconds) is not created.
func ProbeRuntime(opts RuntimeOptions) (BackendInfo, error) {
	var version string
	be, info, err := selectBackend(opts, runtimeLogger(opts), func() (backend.Backend, string, error) {
		lib, v, err := ort.Probe(ort.Options{LibraryPath: opts.ORTLibraryPath})
		version = v
		return nil, lib, err
	})
	if err != nil {
		return BackendInfo{}, err
	}
	if be == nil {
		info.Name, info.Version = BackendORT, version
		return info, nil
	}
	info.Name, info.Version = be.Name(), be.Version()
	return info, be.Close()
}

func runtimeLogger(opts RuntimeOptions) *slog.Logger {
	if opts.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return opts.Logger
}

// selectBackend resolves the backend request (option, $LLMSHIELD_BACKEND,
// default auto) and starts it, ONNX Runtime with startORT; in auto mode an
// unavailable ONNX Runtime falls back to pure Go. startORT returns the
// library path with its backend (nil when only probing).
func selectBackend(opts RuntimeOptions, logger *slog.Logger, startORT func() (backend.Backend, string, error)) (backend.Backend, BackendInfo, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	req, from := strings.ToLower(strings.TrimSpace(opts.Backend)), "option"
	// "auto" (what the embedded default configuration says) leaves the
	// choice to the environment, as an empty option does: only an explicit
	// ort or purego overrides $LLMSHIELD_BACKEND.
	if req == "" || req == BackendAuto {
		req, from = strings.ToLower(strings.TrimSpace(getenv(EnvBackend))), "env"
	}
	if req == "" {
		req, from = BackendAuto, "default"
	}
	info := BackendInfo{Requested: req, From: from}
	switch req {
	case BackendORT:
		be, lib, err := startORT()
		if err != nil {
			return nil, info, fmt.Errorf("onnx runtime backend (requested by %s): %w", from, err)
		}
		info.LibraryPath = lib
		return be, info, nil
	case BackendPureGo:
		be, err := purego.New()
		if err != nil {
			return nil, info, fmt.Errorf("pure-go backend (requested by %s): %w", from, err)
		}
		return be, info, nil
	case BackendAuto:
		be, lib, err := startORT()
		switch {
		case err == nil:
			info.LibraryPath = lib
			return be, info, nil
		case errors.Is(err, backend.ErrUnavailable):
			info.Fallback = err.Error()
			logger.Info("onnx runtime unavailable, using the pure-go backend", "reason", err)
			pbe, perr := purego.New()
			if perr != nil {
				return nil, info, fmt.Errorf("no inference backend: onnx runtime: %w; pure go: %w", err, perr)
			}
			return pbe, info, nil
		default:
			return nil, info, fmt.Errorf("onnx runtime backend: %w", err)
		}
	}
	src := "RuntimeOptions.Backend"
	if from == "env" {
		src = EnvBackend
	}
	return nil, info, fmt.Errorf("%s: unknown backend %q (want %s, %s or %s)", src, req, BackendAuto, BackendORT, BackendPureGo)
}

func newRuntime(be backend.Backend, info BackendInfo, logger *slog.Logger) *Runtime {
	return &Runtime{be: be, info: info, logger: logger}
}

// Info describes the backend in use.
func (r *Runtime) Info() BackendInfo { return r.info }

// Open loads an ONNX classifier from a file.
func (r *Runtime) Open(ctx context.Context, path string, opts EngineOptions) (*Engine, error) {
	return r.open(ctx, opts, func(bo backend.Options) (backend.Session, error) {
		return r.be.OpenFile(ctx, path, bo)
	}, path)
}

// OpenBytes loads an ONNX classifier held in memory.
func (r *Runtime) OpenBytes(ctx context.Context, model []byte, opts EngineOptions) (*Engine, error) {
	if len(model) == 0 {
		return nil, fmt.Errorf("%w: empty model", ErrInvalidInput)
	}
	return r.open(ctx, opts, func(bo backend.Options) (backend.Session, error) {
		return r.be.OpenBytes(ctx, model, bo)
	}, "<bytes>")
}

func (r *Runtime) open(ctx context.Context, opts EngineOptions, openFn func(backend.Options) (backend.Session, error), src string) (*Engine, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if r.engines.Closed() {
		return nil, ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s, err := openFn(opts.backendOptions())
	if err != nil {
		return nil, fmt.Errorf("open model %s with %s backend: %w", src, r.info.Name, err)
	}
	e := newEngine(s, r.info.Name, opts, r.logger, r.forget)
	if !r.engines.Add(e) {
		return nil, errors.Join(ErrClosed, e.Close())
	}
	r.logger.Info("model opened", "model", e.name, "source", src, "backend", r.info.Name,
		"inputs", s.InputNames(), "micro_batching", opts.MicroBatching, "max_batch", e.opts.MaxBatchSize)
	return e, nil
}

func (r *Runtime) forget(e *Engine) { r.engines.Remove(e) }

// Close closes all engines still open and the backend. It is idempotent.
func (r *Runtime) Close() error {
	first, err := r.engines.Close()
	if !first {
		return nil
	}
	return errors.Join(err, r.be.Close())
}
