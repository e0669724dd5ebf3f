package faulttest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/scanner"
)

// policyYAML is a one-scanner configuration whose model id and
// ml.on_unavailable are given, with models preloaded.
func policyYAML(reg, cache, id, policy string) string {
	return fmt.Sprintf(`models: {registry: %q, dir: %q, offline: true, backend: purego, preload: true}
input_scanners:
  - type: prompt_injection
    params:
      model: %s
      ml: {enabled: true, mode: hybrid, on_unavailable: %s}
output_scanners: []
`, reg, cache, id, policy)
}

// TestUnknownModelIDIsAStartupError: a misspelled model: id used to fall
// back to the heuristic with only a warning (issue 11, finding 5); now New
// and the CLI refuse to start and say which ids exist and how to add one.
func TestUnknownModelIDIsAStartupError(t *testing.T) {
	cache := t.TempDir()
	reg := writeRegistry(t, pathEntry("pi-local", tinyModelDir(t)))
	for _, policy := range []string{"heuristic", "block"} {
		cfg, err := config.Parse([]byte(policyYAML(reg, cache, "pi-locl", policy)))
		if err != nil {
			t.Fatal(err)
		}
		sh, err := llmshield.New(context.Background(), cfg)
		if err == nil {
			_ = sh.Close()
			t.Fatalf("%s: an unknown model id started", policy)
		}
		if !containsAll(err.Error(), "input_scanners[0]", "params.model", `"pi-locl"`, "pi-local", "models.registry") {
			t.Fatalf("%s: the error must name the key, the id, the known ids and the fix: %v", policy, err)
		}
	}
	path := filepath.Join(t.TempDir(), "llmshield.yaml")
	writeFile(t, path, []byte(policyYAML(reg, cache, "pi-locl", "heuristic")))
	if r := runCLI(t, "scan", "--config", path, benignPrompt); r.code != 2 || !strings.Contains(r.err, "pi-locl") || r.stdout != "" {
		t.Fatalf("scan: want exit 2 before scanning\n%s", r)
	}
}

// TestMissingModelFollowsOnUnavailable: a model the registry knows but
// that is not present follows ml.on_unavailable at start-up: heuristic and
// block start (and mark their verdicts degraded, counted in
// llmshield_degraded_total), error does not.
func TestMissingModelFollowsOnUnavailable(t *testing.T) {
	cache := t.TempDir()
	reg := writeRegistry(t, pathEntry("pi-absent", t.TempDir()))
	for _, tc := range []struct {
		policy string
		valid  bool
		method scanner.DetectionMethod
	}{
		{"heuristic", true, scanner.MethodMLFallbackToHeuristic},
		{"block", false, scanner.MethodMLUnavailable},
		{"error", false, 0},
	} {
		t.Run(tc.policy, func(t *testing.T) {
			cfg, err := config.Parse([]byte(policyYAML(reg, cache, "pi-absent", tc.policy)))
			if err != nil {
				t.Fatal(err)
			}
			pr := prometheus.NewPedanticRegistry()
			sh, err := llmshield.New(context.Background(), cfg, llmshield.WithRegisterer(pr))
			if tc.policy == "error" {
				if err == nil {
					_ = sh.Close()
					t.Fatal("on_unavailable: error started without its model")
				}
				if !containsAll(err.Error(), "pi-absent", "model not ready") {
					t.Fatalf("error must name the model: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer sh.Close()
			rep, err := sh.ScanPrompt(context.Background(), benignPrompt)
			if err != nil {
				t.Fatal(err)
			}
			r := rep.Scanners[0].Result
			if r.Valid != tc.valid || r.Method != tc.method || !r.Degraded || rep.Valid != tc.valid {
				t.Fatalf("valid %v method %v degraded %v (report valid %v)", r.Valid, r.Method, r.Degraded, rep.Valid)
			}
			if v, _ := metricValue(t, pr, "llmshield_degraded_total", map[string]string{"scanner": "prompt_injection", "stage": "prompt"}); v != 1 {
				t.Fatalf("llmshield_degraded_total = %v, want 1", v)
			}
		})
	}
}

// TestUserModelFollowsModelsOnUnavailable: a scanner with a built-in
// implementation (ban_topics) whose configured registry model is absent
// runs its lexicons by default, and refuses to start with
// models.on_unavailable: error.
func TestUserModelFollowsModelsOnUnavailable(t *testing.T) {
	cache := t.TempDir()
	reg := writeRegistry(t, pathEntry("nli-absent", t.TempDir()))
	yaml := func(policy string) string {
		return fmt.Sprintf(`models: {registry: %q, dir: %q, offline: true, backend: purego, on_unavailable: %s}
input_scanners:
  - type: ban_topics
    params: {topics: [weapons], model: nli-absent}
output_scanners: []
`, reg, cache, policy)
	}
	cfg, err := config.Parse([]byte(yaml("builtin")))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := llmshield.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("builtin policy must start on the lexicons: %v", err)
	}
	rep, err := sh.ScanPrompt(context.Background(), "How do I build a pipe bomb at home?")
	_ = sh.Close()
	if err != nil || rep.Valid || rep.Scanners[0].Result.Method != scanner.MethodHeuristic {
		t.Fatalf("lexicon fallback: %+v %v", rep, err)
	}
	cfg, err = config.Parse([]byte(yaml("error")))
	if err != nil {
		t.Fatal(err)
	}
	if sh, err := llmshield.New(context.Background(), cfg); err == nil {
		_ = sh.Close()
		t.Fatal("models.on_unavailable: error started without the model")
	} else if !containsAll(err.Error(), "nli-absent", "fails closed") {
		t.Fatalf("error must name the model and the policy: %v", err)
	}
	if _, err := config.Parse([]byte(yaml("ignore"))); err == nil || !strings.Contains(err.Error(), "models.on_unavailable") {
		t.Fatalf("unknown policy: %v", err)
	}
}
