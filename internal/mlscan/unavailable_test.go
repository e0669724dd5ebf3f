package mlscan

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/scanner"
)

// TestOnUnavailable: every policy marks its verdict degraded; block refuses
// the text with a reason; error fails the scan; heuristic is the default.
func TestOnUnavailable(t *testing.T) {
	broken := fakeModels{loadErr: errors.New("model.onnx: no such file")}
	for _, tc := range []struct {
		policy     OnUnavailable
		valid      bool
		method     scanner.DetectionMethod
		wantErr    bool
		fallbacks  uint64
		wantReason bool
	}{
		{"", true, scanner.MethodMLFallbackToHeuristic, false, 1, false},
		{UnavailableHeuristic, true, scanner.MethodMLFallbackToHeuristic, false, 1, false},
		{UnavailableBlock, false, scanner.MethodMLUnavailable, false, 0, true},
		{UnavailableError, false, 0, true, 0, false},
	} {
		t.Run(string(tc.policy), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.ML.OnUnavailable = tc.policy
			d := newDetector(t, cfg, broken, nil)
			r, err := d.Scan(t.Context(), scanner.Input{Prompt: "a harmless question"})
			if tc.wantErr {
				if !errors.Is(err, scanner.ErrModelNotReady) || !strings.Contains(err.Error(), "no such file") {
					t.Fatalf("want ErrModelNotReady with the cause, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Valid != tc.valid || r.Method != tc.method || !r.Degraded {
				t.Fatalf("valid %v method %v degraded %v", r.Valid, r.Method, r.Degraded)
			}
			if tc.wantReason {
				if r.Risk != 1 || len(r.Findings) == 0 || r.Findings[len(r.Findings)-1].Rule != "ml.unavailable" ||
					!strings.Contains(r.Findings[len(r.Findings)-1].Detail, "no such file") {
					t.Fatalf("block must give its reason: %+v", r)
				}
			}
			st := d.Guard().Stats()
			if st.Degraded != 1 || st.Fallbacks != tc.fallbacks {
				t.Fatalf("stats %+v", st)
			}
			// A verdict the model reached is not degraded.
			d2 := newDetector(t, cfg, fakeModels{m: &fakeModel{}}, nil)
			if r := scan(t, d2, "a harmless question"); r.Degraded || r.Method != scanner.MethodML {
				t.Fatalf("healthy model: %+v", r)
			}
		})
	}
}

func TestOnUnavailableConfig(t *testing.T) {
	var c MLConfig
	if err := yaml.Unmarshal([]byte("on_unavailable: Block\n"), &c); err != nil || c.OnUnavailable != UnavailableBlock {
		t.Fatalf("%v %q", err, c.OnUnavailable)
	}
	if err := yaml.Unmarshal([]byte("on_unavailable: fail_open\n"), &c); err == nil || !strings.Contains(err.Error(), "heuristic, block or error") {
		t.Fatalf("bad policy accepted: %v", err)
	}
	c = MLProduction()
	c.FallbackToHeuristic, c.OnUnavailable = false, UnavailableHeuristic
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "on_unavailable") {
		t.Fatalf("contradiction accepted: %v", err)
	}
	c.OnUnavailable = ""
	if c.Policy() != UnavailableError {
		t.Fatal("fallback_to_heuristic: false means error")
	}
	if MLProduction().Policy() != UnavailableHeuristic {
		t.Fatal("the default is heuristic")
	}
	c = MLProduction()
	c.MaxWindows = -1
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "max_windows") {
		t.Fatalf("negative max_windows accepted: %v", err)
	}
}

func TestUnavailableAtStartup(t *testing.T) {
	cause := errors.New("not in the cache and offline")
	for p, wantErr := range map[OnUnavailable]bool{UnavailableHeuristic: false, UnavailableBlock: false, UnavailableError: true} {
		_, err := Unavailable(p, "pi-model", "", cause, nil)
		if (err != nil) != wantErr {
			t.Fatalf("%s: %v", p, err)
		}
		if err != nil && (!errors.Is(err, scanner.ErrModelNotReady) || !errors.Is(err, cause)) {
			t.Fatalf("%s: error must wrap ErrModelNotReady and the cause: %v", p, err)
		}
		if p.Runs() == "" {
			t.Fatalf("%s: Runs must say what runs", p)
		}
	}
}

func TestCheckModel(t *testing.T) {
	reg, err := registry.New(registry.Document{Models: []registry.Entry{
		{ID: "pi-local", Name: "acme/pi", Task: model.TaskPromptInjection, Variant: model.FP32, Path: t.TempDir(),
			Files: []registry.File{{Name: "model.onnx"}}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ok := range []string{"", "pi-local", "acme/pi"} {
		if err := CheckModel(reg, ok); err != nil {
			t.Fatalf("%q: %v", ok, err)
		}
	}
	err = CheckModel(reg, "acme/pi-typo")
	if !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
	for _, want := range []string{`"acme/pi-typo"`, "pi-local (acme/pi)", "models.registry", `"path"`} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("message lacks %q: %v", want, err)
		}
	}
}
