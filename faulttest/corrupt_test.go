package faulttest

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/internal/inference/ort"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/resilience"
	"github.com/llmshield/llmshield/scanner"
)

// corruptModels are model.onnx files that cannot be loaded.
func corruptModels(t *testing.T) map[string][]byte {
	good := readFile(t, tinyModel)
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(5, 1))
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	return map[string][]byte{
		"random-bytes": random,
		"truncated":    good[:len(good)/2],
		"empty":        {},
	}
}

// TestCorruptModelCLI: a corrupt or truncated model.onnx. With fallback,
// `llmshield scan` answers with the heuristic's verdict (method
// ml_fallback_to_heuristic) and `llmshield health` is degraded, naming the
// model; without fallback, the scan fails (exit 2) naming the model and
// health is unhealthy because the canary fails.
func TestCorruptModelCLI(t *testing.T) {
	for name, onnx := range corruptModels(t) {
		t.Run(name, func(t *testing.T) {
			testCorruptModelCLI(t, "purego", onnx)
		})
	}
}

// TestCorruptModelCLIORT is TestCorruptModelCLI on ONNX Runtime, when
// LLMSHIELD_ORT_LIB names its library (CI sets it).
func TestCorruptModelCLIORT(t *testing.T) {
	if os.Getenv(ort.EnvLibraryPath) == "" {
		t.Skipf("%s is not set", ort.EnvLibraryPath)
	}
	for name, onnx := range corruptModels(t) {
		t.Run(name, func(t *testing.T) {
			testCorruptModelCLI(t, "ort", onnx)
		})
	}
}

func testCorruptModelCLI(t *testing.T, backend string, onnx []byte) {
	cache := leakCheckedCache(t)
	const id = "corrupt-pi"
	reg := writeRegistry(t, pathEntry(id, modelDir(t, onnx, readFile(t, tinyConfig))))

	t.Run("fallback", func(t *testing.T) {
		cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Backend: backend, Fallback: true}.write(t)
		for _, tc := range []struct {
			text     string
			code     int
			valid    bool
			positive bool
		}{
			{injectionPrompt, 1, false, true},
			{benignPrompt, 0, true, false},
		} {
			r := runCLI(t, "scan", "--config", cfg, "--format", "json", tc.text)
			if r.code != tc.code {
				t.Fatalf("scan %q: want exit %d\n%s", tc.text, tc.code, r)
			}
			s := parseScan(t, r)
			sc := s.Scanners[0]
			if s.Valid != tc.valid || sc.Valid != tc.valid || sc.Method != "ml_fallback_to_heuristic" || sc.Error != "" {
				t.Fatalf("scan %q: want valid=%v by ml_fallback_to_heuristic\n%s", tc.text, tc.valid, r)
			}
			if (sc.Risk >= 0.5) != tc.positive {
				t.Fatalf("scan %q: heuristic risk %v\n%s", tc.text, sc.Risk, r)
			}
			// The fallback is logged as a warning naming the model.
			if !containsAll(r.err, "falling back", id) {
				t.Errorf("scan %q: no fallback warning naming %s on stderr\n%s", tc.text, id, r)
			}
		}
		r := runCLI(t, "health", "--config", cfg, "--format", "json")
		if r.code != 1 {
			t.Fatalf("health: want exit 1 (degraded)\n%s", r)
		}
		h := parseHealth(t, r)
		if !h.Healthy || !h.Degraded || len(h.Errors) != 0 {
			t.Fatalf("health: want healthy but degraded\n%s", r)
		}
		if !anyContains(h.Warnings, "models", id, "failed to load") {
			t.Fatalf("health: no warning naming the model %s\n%s", id, r)
		}
		// The text format says the same.
		r = runCLI(t, "health", "--config", cfg)
		if r.code != 1 || !strings.HasPrefix(r.stdout, "degraded") || !strings.Contains(r.stdout, id) {
			t.Fatalf("health (text): want degraded naming %s\n%s", id, r)
		}
	})

	t.Run("no-fallback", func(t *testing.T) {
		cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Backend: backend, Fallback: false}.write(t)
		for _, text := range []string{injectionPrompt, benignPrompt} {
			r := runCLI(t, "scan", "--config", cfg, "--format", "json", text)
			if r.code != 2 {
				t.Fatalf("scan %q: want exit 2\n%s", text, r)
			}
			if !containsAll(r.err, "prompt_injection", "model "+id, "model not ready") {
				t.Fatalf("scan %q: stderr does not name the scanner and model %s\n%s", text, id, r)
			}
			s := parseScan(t, r)
			if s.Valid || s.Scanners[0].Error == "" || s.Scanners[0].Method != "" {
				t.Fatalf("scan %q: the report must show the scanner's error and no verdict\n%s", text, r)
			}
		}
		r := runCLI(t, "health", "--config", cfg, "--format", "json")
		if r.code != 2 {
			t.Fatalf("health: want exit 2 (unhealthy)\n%s", r)
		}
		h := parseHealth(t, r)
		if h.Healthy || !anyContains(h.Errors, "canary", id) {
			t.Fatalf("health: want the canary to fail naming %s\n%s", id, r)
		}
	})
	if got := strayFiles(t, filepath.Dir(reg)); len(got) > 0 {
		t.Errorf("stray files next to the registry: %v", got)
	}
}

// TestCorruptCompanionFiles: the model is fine but its tokenizer.json or
// config.json is not. The scan falls back (or fails) with an error that
// names the model and the bad file.
func TestCorruptCompanionFiles(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		content    []byte
		text       string
	}{
		{"tokenizer-truncated", registry.TokenizerFile, nil, "tokenizer"},
		{"tokenizer-not-json", registry.TokenizerFile, []byte("<html>rate limited</html>"), "tokenizer"},
		{"config-not-json", registry.ConfigFile, []byte("{\"id2label\": "), "config"},
		{"config-no-labels", registry.ConfigFile, []byte(`{"id2label": {}}`), "id2label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := leakCheckedCache(t)
			dir := tinyModelDir(t)
			content := tc.content
			if content == nil {
				b := readFile(t, filepath.Join(dir, tc.file))
				content = b[:len(b)/2]
			}
			writeFile(t, filepath.Join(dir, tc.file), content)
			const id = "broken-pi"
			reg := writeRegistry(t, pathEntry(id, dir))
			cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Fallback: true}.write(t)
			r := runCLI(t, "scan", "--config", cfg, "--format", "json", injectionPrompt)
			if s := parseScan(t, r); r.code != 1 || s.Scanners[0].Method != "ml_fallback_to_heuristic" || !containsAll(r.err, id, tc.text) {
				t.Fatalf("want exit 1 by ml_fallback_to_heuristic, a warning naming %s and %q\n%s", id, tc.text, r)
			}
			cfg = pipeline{Registry: reg, CacheDir: cache, Model: id, Fallback: false}.write(t)
			r = runCLI(t, "scan", "--config", cfg, "--format", "json", benignPrompt)
			if r.code != 2 || !containsAll(r.err, "model "+id, tc.text) {
				t.Fatalf("want exit 2 naming %s and %q\n%s", id, tc.text, r)
			}
		})
	}
}

// TestPreloadCorruptModel: with models.preload, a corrupt model stops
// start-up (llmshield.New, `llmshield scan`) with an error naming the
// scanner and the model when the scanner may not fall back; with fallback
// the Shield starts and answers with the heuristic.
func TestPreloadCorruptModel(t *testing.T) {
	cache := leakCheckedCache(t)
	const id = "corrupt-pi"
	good := readFile(t, tinyModel)
	reg := writeRegistry(t, pathEntry(id, modelDir(t, good[:len(good)/3], readFile(t, tinyConfig))))
	ctx := context.Background()

	cfg := pipeline{Registry: reg, CacheDir: cache, Model: id, Fallback: false, Preload: true}.parse(t)
	if sh, err := llmshield.New(ctx, cfg); err == nil || !containsAll(err.Error(), "prompt_injection", "model "+id) {
		if sh != nil {
			_ = sh.Close()
		}
		t.Fatalf("New: error %v, want one naming the scanner and model %s", err, id)
	}
	path := pipeline{Registry: reg, CacheDir: cache, Model: id, Fallback: false, Preload: true}.write(t)
	if r := runCLI(t, "scan", "--config", path, benignPrompt); r.code != 2 || !strings.Contains(r.err, id) || r.stdout != "" {
		t.Fatalf("scan: want exit 2 before scanning, naming %s\n%s", id, r)
	}

	sh := pipeline{Registry: reg, CacheDir: cache, Model: id, Fallback: true, Preload: true}.shield(t)
	rep, err := sh.ScanPrompt(ctx, injectionPrompt)
	err = scanErr(rep, err)
	if err != nil || rep.Valid || rep.Scanners[0].Result.Method != scanner.MethodMLFallbackToHeuristic {
		t.Fatalf("scan with fallback: %+v, %v", rep, err)
	}
}

// TestCorruptModelLoadAttemptsBounded: with a corrupt model, the default
// breaker (5 consecutive failures) stops the hub from re-reading and
// re-parsing the file on every request: 40 concurrent scans make at most 5
// load attempts plus those already in flight, and all fall back.
func TestCorruptModelLoadAttemptsBounded(t *testing.T) {
	cache := leakCheckedCache(t)
	const id = "corrupt-pi"
	reg := writeRegistry(t, pathEntry(id, modelDir(t, []byte("not an onnx model"), readFile(t, tinyConfig))))
	sh := pipeline{Registry: reg, CacheDir: cache, Model: id, Fallback: true}.shield(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				rep, err := sh.ScanPrompt(ctx, injectionPrompt)
				err = scanErr(rep, err)
				if err != nil || rep.Valid || rep.Scanners[0].Result.Method != scanner.MethodMLFallbackToHeuristic {
					t.Errorf("scan: %+v, %v", rep.Scanners, err)
					return
				}
			}
		})
	}
	wg.Wait()
	st := sh.ModelHub().LoaderStats()
	if st.Failures == 0 || st.Failures > 5+4 {
		t.Fatalf("%d failed load attempts for 40 scans, want 1 to 9 (breaker at 5, 4 in flight)", st.Failures)
	}
	if g := detector(t, sh).Guard(); g.State() != resilience.StateOpen {
		t.Fatalf("breaker %s after 40 failures", g.State())
	}
}
