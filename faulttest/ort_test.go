package faulttest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/internal/inference/ort"
	"github.com/llmshield/llmshield/internal/modelhub"
	"github.com/llmshield/llmshield/scanner"
)

// missingORT points LLMSHIELD_ORT_LIB at a library that does not exist and
// returns the text errors must contain to name the problem.
func missingORT(t *testing.T) string {
	lib := filepath.Join(t.TempDir(), "nowhere", ort.LibraryName)
	t.Setenv(ort.EnvLibraryPath, lib)
	if !haveCgo {
		return "cgo"
	}
	return lib
}

// TestMissingORTLibraryCLI: backend "ort" forced while the ONNX Runtime
// library is missing. With fallback, scans are answered by the heuristic and
// health is degraded with a warning naming the library; without fallback,
// the scan fails with an error naming the library and health is unhealthy.
func TestMissingORTLibraryCLI(t *testing.T) {
	want := missingORT(t)
	cache := leakCheckedCache(t)
	const id = "tiny-pi"
	reg := writeRegistry(t, pathEntry(id, tinyModelDir(t)))

	t.Run("fallback", func(t *testing.T) {
		cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Backend: "ort", Fallback: true}.write(t)
		r := runCLI(t, "scan", "--config", cfg, "--format", "json", injectionPrompt)
		if r.code != 1 {
			t.Fatalf("want exit 1 (flagged by the heuristic)\n%s", r)
		}
		if s := parseScan(t, r); s.Valid || s.Scanners[0].Method != "ml_fallback_to_heuristic" {
			t.Fatalf("want a heuristic fallback verdict\n%s", r)
		}
		if !containsAll(r.err, "falling back", want) {
			t.Errorf("the fallback warning does not name %s\n%s", want, r)
		}
		r = runCLI(t, "health", "--config", cfg, "--format", "json")
		h := parseHealth(t, r)
		if r.code != 1 || !h.Healthy || !anyContains(h.Warnings, "models", id, want) {
			t.Fatalf("health: want degraded with a warning naming %s and %s\n%s", id, want, r)
		}
	})
	t.Run("no-fallback", func(t *testing.T) {
		cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Backend: "ort", Fallback: false}.write(t)
		r := runCLI(t, "scan", "--config", cfg, "--format", "json", benignPrompt)
		if r.code != 2 || !containsAll(r.err, "model "+id, "onnx runtime", want) {
			t.Fatalf("want exit 2 and an error naming the model, the backend and %s\n%s", want, r)
		}
		r = runCLI(t, "health", "--config", cfg, "--format", "json")
		if h := parseHealth(t, r); r.code != 2 || h.Healthy || !anyContains(h.Errors, "canary", want) {
			t.Fatalf("health: want unhealthy, the canary naming %s\n%s", want, r)
		}
	})
}

// TestMissingORTLibraryAuto: backend "auto" with the ONNX Runtime library
// missing runs the model on the pure-Go backend, says why, and scans with
// the model (method ml).
func TestMissingORTLibraryAuto(t *testing.T) {
	want := missingORT(t)
	cache := leakCheckedCache(t)
	const id = "tiny-pi"
	reg := writeRegistry(t, pathEntry(id, tinyModelDir(t)))
	cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Backend: "auto", Fallback: false}.parse(t)
	hub, err := modelhub.New(cfg.Models, nil)
	if err != nil {
		t.Fatal(err)
	}
	closeAtEnd(t, hub)
	ctx := context.Background()
	sh, err := llmshield.New(ctx, cfg, llmshield.WithModelHub(hub))
	if err != nil {
		t.Fatal(err)
	}
	defer sh.Close()
	rep, err := sh.ScanPrompt(ctx, benignPrompt)
	err = scanErr(rep, err)
	if err != nil {
		t.Fatal(err)
	}
	if m := rep.Scanners[0].Result.Method; m != scanner.MethodML {
		t.Fatalf("method %s, want ml", m)
	}
	info, ok := hub.Backend()
	if !ok {
		t.Fatal("the hub reports no backend after a model scan")
	}
	if info.Name != "purego" || info.Requested != "auto" || !containsAll(info.Fallback, want) {
		t.Fatalf("backend %+v: want purego chosen by auto, the fallback naming %s", info, want)
	}
	rt, err := hub.Runtime()
	if err != nil || rt.Info() != info {
		t.Fatalf("runtime info %+v, %v; want %+v", rt.Info(), err, info)
	}
}
