package inference

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/llmshield/llmshield/internal/inference/backend"
	"github.com/llmshield/llmshield/internal/inference/backend/backendtest"
)

// refCase is a reference case of backendtest.Models, run through the Engine.
type refCase struct{ backendtest.Case }

func (c refCase) inputs() []Input {
	out := make([]Input, len(c.InputIDs))
	for i := range out {
		out[i] = Input{InputIDs: c.InputIDs[i], AttentionMask: c.AttentionMask[i]}
		if c.TokenTypeIDs != nil {
			out[i].TokenTypeIDs = c.TokenTypeIDs[i]
		}
	}
	return out
}

// trimmed drops the padding of input i (mask 0 at the end).
func (c refCase) trimmed(i int) Input {
	in := c.inputs()[i]
	n := 0
	for j, m := range in.AttentionMask {
		if m == 1 {
			n = j + 1
		}
	}
	in.InputIDs, in.AttentionMask = in.InputIDs[:n], in.AttentionMask[:n]
	if in.TokenTypeIDs != nil {
		in.TokenTypeIDs = in.TokenTypeIDs[:n]
	}
	return in
}

// testRuntime opens a Runtime on the named backend. ONNX Runtime missing
// skips the test, except with CI=true where it fails.
func testRuntime(t testing.TB, name string) *Runtime {
	t.Helper()
	rt, err := NewRuntime(RuntimeOptions{Backend: name})
	if err != nil {
		if name == BackendORT && errors.Is(err, backend.ErrUnavailable) {
			if os.Getenv("CI") == "true" {
				t.Fatalf("onnx runtime unavailable with CI=true: %v", err)
			}
			t.Skipf("onnx runtime unavailable (run scripts/fetch-ort.sh): %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := rt.Close(); err != nil {
			t.Error(err)
		}
	})
	return rt
}

func forEachBackend(t *testing.T, fn func(t *testing.T, rt *Runtime)) {
	for _, name := range []string{BackendORT, BackendPureGo} {
		t.Run(name, func(t *testing.T) { fn(t, testRuntime(t, name)) })
	}
}

// openModel opens a classifier with its config.json.
func openModel(t testing.TB, rt *Runtime, model string, opts EngineOptions) (*Engine, ModelConfig) {
	t.Helper()
	cfg, err := LoadModelConfig(filepath.Join("testdata", model, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return openEngine(t, rt, model, opts), cfg
}

func checkRow(t *testing.T, what string, got []float32, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	for j := range want {
		if d := math.Abs(float64(got[j]) - want[j]); d > tol || math.IsNaN(d) {
			t.Errorf("%s[%d]: got %v want %v (diff %g)", what, j, got[j], want[j], d)
		}
	}
}

func TestBackendsMatchReference(t *testing.T) {
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		for _, model := range backendtest.Models {
			t.Run(model, func(t *testing.T) {
				e, _ := openModel(t, rt, model, EngineOptions{})
				if got, want := e.HasTokenTypeIDs(), model == "tiny-tokentype"; got != want {
					t.Errorf("HasTokenTypeIDs = %v, want %v", got, want)
				}
				for _, c := range readCases[refCase](t, model) {
					// As stored (padded batches included) ...
					rows, err := e.Logits(context.Background(), c.inputs())
					if err != nil {
						t.Fatalf("%s: %v", c.Name, err)
					}
					for i := range c.Logits {
						checkRow(t, fmt.Sprintf("%s row %d", c.Name, i), rows[i], c.Logits[i], 1e-4)
					}
					// ... and each sequence alone, without padding.
					for i := range c.Logits {
						row, err := e.Logits(context.Background(), []Input{c.trimmed(i)})
						if err != nil {
							t.Fatal(err)
						}
						checkRow(t, fmt.Sprintf("%s row %d alone", c.Name, i), row[0], c.Logits[i], 1e-4)
					}
				}
			})
		}
	})
}

func TestBackendsBatchEqualsSingle(t *testing.T) {
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		for _, model := range backendtest.Models {
			t.Run(model, func(t *testing.T) {
				single, cfg := openModel(t, rt, model, EngineOptions{})
				batched, _ := openModel(t, rt, model, EngineOptions{MicroBatching: true, MaxBatchSize: 8, MaxWait: 2 * time.Millisecond})
				cases := readCases[refCase](t, model)
				var all []Input
				for _, c := range cases {
					for i := range c.InputIDs {
						all = append(all, c.trimmed(i))
					}
				}
				want := make([]InferenceResult, len(all))
				for i, in := range all {
					r, err := single.InferBatch(context.Background(), []Input{in}, cfg.Labels, cfg.PostProcessing())
					if err != nil {
						t.Fatal(err)
					}
					want[i] = r[0]
				}
				check := func(what string, i int, got InferenceResult) {
					if got.PredictedClass != want[i].PredictedClass {
						t.Errorf("%s %d: class %d, single %d", what, i, got.PredictedClass, want[i].PredictedClass)
					}
					for k := range got.Scores {
						if d := math.Abs(got.Scores[k] - want[i].Scores[k]); d > 1e-5 {
							t.Errorf("%s %d: scores %v, single %v", what, i, got.Scores, want[i].Scores)
							break
						}
					}
				}
				// One explicit batch (split by bucket and size).
				res, err := single.InferBatch(context.Background(), all, cfg.Labels, cfg.PostProcessing())
				if err != nil {
					t.Fatal(err)
				}
				for i := range all {
					check("InferBatch", i, res[i])
				}
				// Concurrent single requests gathered by the micro-batcher.
				var wg sync.WaitGroup
				var mu sync.Mutex
				for g := range 4 {
					wg.Go(func() {
						for i := g; i < len(all); i += 4 {
							in := all[i]
							if in.TokenTypeIDs != nil { // Infer takes ids and mask only
								continue
							}
							r, err := batched.Infer(context.Background(), in.InputIDs, in.AttentionMask, cfg.Labels, cfg.PostProcessing())
							mu.Lock()
							if err != nil {
								t.Error(err)
							} else {
								check("micro-batched", i, r)
							}
							mu.Unlock()
						}
					})
				}
				wg.Wait()
				st := batched.Stats()
				if st.Backend != rt.Info().Name || st.Errors != 0 || st.Rows == 0 {
					t.Errorf("stats = %+v", st)
				}
				t.Logf("micro-batched: %d requests in %d passes (mean batch %.2f, max %d)", st.Requests, st.ForwardPasses, st.MeanBatchSize(), st.MaxBatch)
			})
		}
	})
}

func TestBackendsOpenBytesAndErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, rt *Runtime) {
		data, err := os.ReadFile(filepath.Join("testdata", "tiny-binary", "model.onnx"))
		if err != nil {
			t.Fatal(err)
		}
		e, err := rt.OpenBytes(context.Background(), data, EngineOptions{Name: "bytes", IntraOpThreads: 1, InterOpThreads: 1, Optimization: OptimizationBasic})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		c := readCases[refCase](t, "tiny-binary")[3]
		rows, err := e.Logits(context.Background(), c.inputs())
		if err != nil {
			t.Fatal(err)
		}
		checkRow(t, c.Name, rows[0], c.Logits[0], 1e-4)
		r, err := e.Infer(context.Background(), c.InputIDs[0], c.AttentionMask[0], []string{"SAFE", "INJECTION"}, Softmax)
		if err != nil {
			t.Fatal(err)
		}
		sm := softmax([]float32{float32(c.Logits[0][0]), float32(c.Logits[0][1])})
		if math.Abs(r.Scores[1]-sm[1]) > 1e-4 {
			t.Errorf("score %v, want %v", r.Scores, sm)
		}

		if _, err := rt.OpenBytes(context.Background(), nil, EngineOptions{}); err == nil {
			t.Error("empty model accepted")
		}
		if _, err := rt.OpenBytes(context.Background(), []byte("not an onnx model"), EngineOptions{}); err == nil {
			t.Error("garbage model accepted")
		}
		if _, err := rt.OpenBytes(context.Background(), data[:len(data)/2], EngineOptions{}); err == nil {
			t.Error("truncated model accepted")
		}
		if _, err := rt.Open(context.Background(), filepath.Join(t.TempDir(), "missing.onnx"), EngineOptions{}); err == nil {
			t.Error("missing file accepted")
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := rt.OpenBytes(ctx, data, EngineOptions{}); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled open: %v", err)
		}
	})
}

// env is a Getenv that sets only $LLMSHIELD_BACKEND, to v.
func env(v string) func(string) string {
	return func(k string) string {
		if k == EnvBackend {
			return v
		}
		return ""
	}
}

func TestRuntimeSelection(t *testing.T) {
	rt, err := NewRuntime(RuntimeOptions{Getenv: env("purego")})
	if err != nil {
		t.Fatal(err)
	}
	if info := rt.Info(); info.Name != BackendPureGo || info.From != "env" || info.Version == "" {
		t.Errorf("env purego: %+v", info)
	}
	if err := rt.Close(); err != nil {
		t.Error(err)
	}
	if err := rt.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := rt.Open(context.Background(), "testdata/tiny-binary/model.onnx", EngineOptions{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Open after Close: %v", err)
	}

	if _, err := NewRuntime(RuntimeOptions{Getenv: env("tensorflow")}); err == nil || !strings.Contains(err.Error(), EnvBackend) {
		t.Errorf("bad env value: %v", err)
	}
	if _, err := NewRuntime(RuntimeOptions{Backend: "gpu"}); err == nil {
		t.Error("bad option accepted")
	}
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	if _, err := NewRuntime(RuntimeOptions{Backend: BackendORT, ORTLibraryPath: missing}); !errors.Is(err, backend.ErrUnavailable) {
		t.Errorf("explicit ort with missing library: %v", err)
	}
	// Auto with a missing library falls back to pure Go and says why.
	rt, err = NewRuntime(RuntimeOptions{Backend: BackendAuto, ORTLibraryPath: missing, Getenv: env("")})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if info := rt.Info(); info.Name != BackendPureGo || info.Fallback == "" || info.From != "default" {
		t.Errorf("auto fallback: %+v", info)
	}
	// "auto" (the embedded default configuration's value) leaves the choice
	// to $LLMSHIELD_BACKEND; only an explicit backend overrides it.
	rt2, err := NewRuntime(RuntimeOptions{Backend: BackendAuto, Getenv: env(BackendPureGo)})
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close()
	if info := rt2.Info(); info.Name != BackendPureGo || info.From != "env" {
		t.Errorf("auto with LLMSHIELD_BACKEND=purego: %+v", info)
	}
	if _, err := NewRuntime(RuntimeOptions{Backend: BackendORT, ORTLibraryPath: missing, Getenv: env(BackendPureGo)}); !errors.Is(err, backend.ErrUnavailable) {
		t.Errorf("explicit ort must win over the environment: %v", err)
	}
}

func TestRuntimeAutoPrefersORT(t *testing.T) {
	probe := testRuntime(t, BackendORT) // skips when ONNX Runtime is missing
	_ = probe
	rt, err := NewRuntime(RuntimeOptions{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if info := rt.Info(); info.Name != BackendORT || info.From != "default" || info.LibraryPath == "" || info.Fallback != "" {
		t.Errorf("auto: %+v", info)
	}
}

func TestRuntimeLogsBackendChoice(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	rt, err := NewRuntime(RuntimeOptions{ORTLibraryPath: missing, Logger: logger, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	e, err := rt.Open(context.Background(), filepath.Join("testdata", "tiny-binary", "model.onnx"), EngineOptions{Name: "tiny"})
	if err != nil {
		t.Fatal(err)
	}
	if st := e.Stats(); st.Backend != BackendPureGo || st.Model != "tiny" {
		t.Errorf("stats = %+v", st)
	}
	if err := rt.Close(); err != nil { // closes the engine too
		t.Fatal(err)
	}
	if _, err := e.Infer(context.Background(), []int64{1}, []int64{1}, []string{"a", "b"}, Softmax); !errors.Is(err, ErrClosed) {
		t.Errorf("engine after runtime Close: %v", err)
	}
	logs := buf.String()
	for _, want := range []string{"onnx runtime unavailable", "inference backend selected", "backend=purego", "model opened", "model=tiny", "model closed"} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
}

// TestProbeRuntime: ProbeRuntime describes the backend NewRuntime selects
// with the same options (ONNX Runtime's too, when its library is found),
// and fails where NewRuntime fails.
func TestProbeRuntime(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	for name, opts := range map[string]RuntimeOptions{
		"env purego":             {Getenv: env("purego")},
		"auto, no library":       {Backend: BackendAuto, ORTLibraryPath: missing, Getenv: env("")},
		"ort, no library":        {Backend: BackendORT, ORTLibraryPath: missing},
		"bad env":                {Getenv: env("tensorflow")},
		"bad option":             {Backend: "gpu"},
		"default (found or not)": {Getenv: env("")},
		"explicit ort":           {Backend: BackendORT},
	} {
		t.Run(name, func(t *testing.T) {
			got, perr := ProbeRuntime(opts)
			rt, err := NewRuntime(opts)
			if (err == nil) != (perr == nil) {
				t.Fatalf("NewRuntime: %v; ProbeRuntime: %v", err, perr)
			}
			if err != nil {
				if errors.Is(err, backend.ErrUnavailable) != errors.Is(perr, backend.ErrUnavailable) {
					t.Errorf("NewRuntime: %v; ProbeRuntime: %v", err, perr)
				}
				return
			}
			defer rt.Close()
			if want := rt.Info(); got != want {
				t.Errorf("ProbeRuntime %+v, NewRuntime %+v", got, want)
			}
		})
	}
}
