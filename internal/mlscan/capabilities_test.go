package mlscan

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
)

func TestPreload(t *testing.T) {
	loadErr := errors.New("checksum mismatch")
	cfg := DefaultConfig()
	cfg.ML.Mode = Hybrid

	cfg.ML.FallbackToHeuristic = false
	d := newDetector(t, cfg, fakeModels{loadErr: loadErr}, nil)
	if err := d.Preload(context.Background()); !errors.Is(err, loadErr) || !strings.Contains(err.Error(), "model "+d.Model().String()) {
		t.Errorf("no fallback: Preload = %v, want the load error naming the model", err)
	}
	cfg.ML.FallbackToHeuristic = true
	if err := newDetector(t, cfg, fakeModels{loadErr: loadErr}, nil).Preload(context.Background()); err != nil {
		t.Errorf("with fallback: Preload = %v, want nil (logged)", err)
	}
	if err := newDetector(t, cfg, fakeModels{m: &fakeModel{}}, nil).Preload(context.Background()); err != nil {
		t.Errorf("loadable: Preload = %v", err)
	}
	cfg.ML.Mode = HeuristicOnly
	cfg.ML.FallbackToHeuristic = false
	if err := newDetector(t, cfg, fakeModels{loadErr: loadErr}, nil).Preload(context.Background()); err != nil {
		t.Errorf("heuristic only: Preload = %v, want nil (no model consulted)", err)
	}
}

func TestHealth(t *testing.T) {
	cfg := DefaultConfig()
	cfg.ML.Mode = HeuristicOnly
	if _, ok := newDetector(t, cfg, fakeModels{m: &fakeModel{}}, nil).Health(); ok {
		t.Error("heuristic only: Health ok, want no model to report on")
	}
	cfg.ML.Mode = MLOnly
	cfg.ML.FallbackToHeuristic = true
	cfg.Resilience.Retries = 0
	m := &fakeModel{failErr: errors.New("onnx: run failed")}
	m.failNext.Store(1)
	d := newDetector(t, cfg, fakeModels{m: m}, nil)
	scan(t, d, "a sneaky attack") // fails, falls back
	h, ok := d.Health()
	if !ok || h.Calls != 1 || h.Failures != 1 || h.Fallbacks != 1 || h.Successes != 0 ||
		!strings.Contains(h.LastError, "onnx: run failed") || h.Breaker != "closed" ||
		h.Model != d.Model().String() || !strings.HasSuffix(h.Name, d.Model().String()) {
		t.Errorf("after a failed call: %+v, %v", h, ok)
	}
	scan(t, d, "a sneaky attack")
	if h, _ := d.Health(); h.Calls != 2 || h.Successes != 1 || h.LastError != "" {
		t.Errorf("after a good call: %+v", h)
	}
}

func TestVerdictOf(t *testing.T) {
	if v := verdictOf(scanner.Result{Valid: false, Risk: 0.8}); !v.Flagged || v.Risk != 0.8 {
		t.Errorf("verdictOf(invalid) = %+v", v)
	}
	if v := verdictOf(scanner.Result{Valid: true, Risk: 0.1}); v.Flagged {
		t.Errorf("verdictOf(valid) = %+v", v)
	}
}
