package faulttest

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/health"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/inference/ort"
	"github.com/llmshield/llmshield/scanner"
)

// faultyOutputs are the generated models that load but answer wrongly, with
// the sentinel (nil: none) and the text their errors carry.
var faultyOutputs = []struct {
	dir      string
	sentinel error
	text     string
}{
	{"nan", inference.ErrNonFinite, "non-finite"},
	{"wide-logits", inference.ErrOutputShape, "output shape"},
	// The backend itself refuses a rank-3 output.
	{"rank3", inference.ErrOutputShape, "output shape"},
}

// TestFaultyOutput: a model whose logits are NaN, or of the wrong shape.
// With fallback the scan is answered by the heuristic (never a NaN risk),
// the detector's last error and the health warning say what went wrong;
// without fallback the scan fails with that error and health is unhealthy.
func TestFaultyOutput(t *testing.T) { testFaultyOutput(t, "purego") }

// TestFaultyOutputORT is TestFaultyOutput on ONNX Runtime, when
// LLMSHIELD_ORT_LIB names its library (CI sets it).
func TestFaultyOutputORT(t *testing.T) {
	if os.Getenv(ort.EnvLibraryPath) == "" {
		t.Skipf("%s is not set", ort.EnvLibraryPath)
	}
	testFaultyOutput(t, "ort")
}

func testFaultyOutput(t *testing.T, backend string) {
	for _, fo := range faultyOutputs {
		t.Run(fo.dir, func(t *testing.T) {
			cache := leakCheckedCache(t)
			id := "faulty-" + fo.dir
			src := filepath.Join("testdata", fo.dir)
			reg := writeRegistry(t, pathEntry(id, modelDir(t, readFile(t, filepath.Join(src, "model.onnx")), readFile(t, filepath.Join(src, "config.json")))))
			ctx := context.Background()
			build := func(fallback bool) *llmshield.Shield {
				return pipeline{Registry: reg, CacheDir: cache, Model: id, Backend: backend, Fallback: fallback}.shield(t)
			}

			t.Run("fallback", func(t *testing.T) {
				sh := build(true)
				for _, tc := range []struct {
					text  string
					valid bool
				}{{injectionPrompt, false}, {benignPrompt, true}} {
					rep, err := sh.ScanPrompt(ctx, tc.text)
					err = scanErr(rep, err)
					if err != nil {
						t.Fatalf("%q: %v", tc.text, err)
					}
					r := rep.Scanners[0].Result
					if r.Method != scanner.MethodMLFallbackToHeuristic || r.Valid != tc.valid || rep.Valid != tc.valid {
						t.Fatalf("%q: got valid=%v by %s, want valid=%v by the heuristic fallback", tc.text, r.Valid, r.Method, tc.valid)
					}
					if math.IsNaN(r.Risk) || math.IsNaN(rep.Risk) || r.Risk < 0 || r.Risk > 1 {
						t.Fatalf("%q: risk %v (report %v)", tc.text, r.Risk, rep.Risk)
					}
				}
				d := detector(t, sh)
				if msg := d.LastError(); !containsAll(msg, id, fo.text) {
					t.Fatalf("last error %q does not name the model and %q", msg, fo.text)
				}
				if st := d.Guard().Stats(); st.Fallbacks != 2 || st.Failures != 2 || st.Successes != 0 {
					t.Fatalf("guard stats %+v: want 2 failed calls, 2 fallbacks", st)
				}
				st := sh.Health(ctx, health.DefaultThresholds())
				if !st.Healthy || !st.Degraded || !anyContains(st.Warnings, "models", id, fo.text) {
					t.Fatalf("health %+v: want degraded with a warning naming %s and %q", st, id, fo.text)
				}
			})

			t.Run("no-fallback", func(t *testing.T) {
				sh := build(false)
				rep, err := sh.ScanPrompt(ctx, benignPrompt)
				err = scanErr(rep, err)
				if err == nil {
					t.Fatalf("no error; report %+v", rep)
				}
				var se *scanner.Error
				if !errors.As(err, &se) || se.Scanner != "prompt_injection" || !errors.Is(err, scanner.ErrModelNotReady) || !containsAll(err.Error(), id, fo.text) {
					t.Fatalf("error %q: want a prompt_injection scanner error wrapping ErrModelNotReady naming %s and %q", err, id, fo.text)
				}
				if fo.sentinel != nil && !errors.Is(err, fo.sentinel) {
					t.Fatalf("error %q does not wrap %v", err, fo.sentinel)
				}
				if rep.Valid || math.IsNaN(rep.Risk) || rep.Scanners[0].Err == nil {
					t.Fatalf("report %+v: want invalid (fail closed) with the scanner's error", rep)
				}
				st := sh.Health(ctx, health.DefaultThresholds())
				if st.Healthy || !anyContains(st.Errors, "canary", fo.text) {
					t.Fatalf("health %+v: want unhealthy with the canary naming %q", st, fo.text)
				}
			})

			t.Run("cli", func(t *testing.T) {
				cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Backend: backend, Fallback: true}.write(t)
				r := runCLI(t, "scan", "--config", cfg, "--format", "json", injectionPrompt)
				if s := parseScan(t, r); r.code != 1 || s.Scanners[0].Method != "ml_fallback_to_heuristic" {
					t.Fatalf("want exit 1 by ml_fallback_to_heuristic\n%s", r)
				}
				cfg = pipeline{Registry: reg, CacheDir: cache, Model: id, Backend: backend, Fallback: false}.write(t)
				r = runCLI(t, "scan", "--config", cfg, "--format", "json", benignPrompt)
				if r.code != 2 || !containsAll(r.err, id, fo.text) {
					t.Fatalf("want exit 2 naming %s and %q\n%s", id, fo.text, r)
				}
			})
		})
	}
}
