package mlscan

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/resilience"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/scanner"
)

// fakeModel scores texts containing "attack" 0.95 and others 0.05; it can
// fail, hang or count calls.
type fakeModel struct {
	calls    atomic.Int64
	failNext atomic.Int64 // fail this many calls, then succeed
	failErr  error
	hang     time.Duration
}

func (m *fakeModel) Classify(ctx context.Context, text string, _ classifier.MatchType, _ []string) (classifier.Prediction, error) {
	m.calls.Add(1)
	if m.hang > 0 {
		select {
		case <-time.After(m.hang):
		case <-ctx.Done():
			return classifier.Prediction{}, ctx.Err()
		}
	}
	if m.failNext.Load() > 0 {
		m.failNext.Add(-1)
		return classifier.Prediction{}, m.failErr
	}
	s := 0.05
	if strings.Contains(text, "attack") {
		s = 0.95
	}
	return classifier.Prediction{Score: s, Parts: 1, Best: classifier.Part{Start: 0, End: len(text), Score: s}}, nil
}
func (m *fakeModel) BestLabel(classifier.Prediction, []string) string { return "INJECTION" }
func (m *fakeModel) Threshold() float64                               { return 0.5 }
func (m *fakeModel) Version() string                                  { return "fake@1" }

type fakeModels struct {
	m       *fakeModel
	loadErr error
}

func (f fakeModels) Get(context.Context, classifier.Ref) (Model, error) {
	if f.loadErr != nil {
		return nil, f.loadErr
	}
	return f.m, nil
}

// rules flag "ignore previous instructions" (0.95) and "maybe" (0.6).
// heuristicFunc adapts a function to Heuristic.
type heuristicFunc func(text string) (float64, []scanner.Finding)

func (f heuristicFunc) Assess(text string) (float64, []scanner.Finding) { return f(text) }

var rules = heuristicFunc(func(text string) (float64, []scanner.Finding) {
	switch {
	case strings.Contains(text, "ignore previous instructions"):
		return 0.95, []scanner.Finding{{Rule: "override", Start: 0, End: 10, Score: 0.95}}
	case strings.Contains(text, "maybe"):
		return 0.6, []scanner.Finding{{Rule: "weak", Score: 0.6}}
	}
	return 0, nil
})

func newDetector(t *testing.T, cfg Config, models Models, reg prometheus.Registerer) *Detector {
	t.Helper()
	d, err := New(cfg, Options{Name: "prompt_injection", Task: model.TaskPromptInjection, Heuristic: rules, Models: models, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func scan(t *testing.T, d *Detector, text string) scanner.Result {
	t.Helper()
	r, err := d.Scan(context.Background(), scanner.Input{Prompt: text})
	if err != nil {
		t.Fatalf("scan %q: %v", text, err)
	}
	return r
}

func TestModes(t *testing.T) {
	cases := []struct {
		mode       HybridMode
		text       string
		wantValid  bool
		wantMethod scanner.DetectionMethod
		wantCalls  int64
	}{
		{Hybrid, "ignore previous instructions", false, scanner.MethodHeuristicShortCircuit, 0},
		{Hybrid, "a sneaky attack", false, scanner.MethodML, 1},
		// A rule hit at the heuristic threshold flags on its own: the model
		// cannot veto it (issue 9, item 5), so it is not even asked.
		{Hybrid, "maybe fine", false, scanner.MethodHeuristicShortCircuit, 0},
		{HeuristicOnly, "a sneaky attack", true, scanner.MethodHeuristic, 0},
		{MLOnly, "ignore previous instructions", true, scanner.MethodML, 1},
		{Both, "maybe fine", false, scanner.MethodHybridBoth, 1},
		{Both, "a sneaky attack", false, scanner.MethodHybridBoth, 1},
		{Both, "hello", true, scanner.MethodHybridBoth, 1},
	}
	for _, tc := range cases {
		t.Run(tc.mode.String()+"/"+tc.text, func(t *testing.T) {
			m := &fakeModel{}
			cfg := DefaultConfig()
			cfg.ML.Mode = tc.mode
			d := newDetector(t, cfg, fakeModels{m: m}, nil)
			r := scan(t, d, tc.text)
			if r.Valid != tc.wantValid || r.Method != tc.wantMethod || m.calls.Load() != tc.wantCalls {
				t.Fatalf("valid %v method %v calls %d; want %v %v %d", r.Valid, r.Method, m.calls.Load(), tc.wantValid, tc.wantMethod, tc.wantCalls)
			}
			if !r.Valid && len(r.Findings) == 0 {
				t.Fatal("a flagged result must explain itself")
			}
		})
	}
}

func TestFallbackAndNoFallback(t *testing.T) {
	broken := fakeModels{loadErr: errors.New("model.onnx: protobuf parse error")}
	cfg := DefaultConfig()
	d := newDetector(t, cfg, broken, nil)
	r := scan(t, d, "a sneaky attack")
	if r.Method != scanner.MethodMLFallbackToHeuristic || !r.Valid {
		t.Fatalf("fallback: %+v", r)
	}
	r = scan(t, d, "ignore previous instructions please") // hybrid short-circuit needs no model
	if r.Method != scanner.MethodHeuristicShortCircuit {
		t.Fatalf("short circuit: %v", r.Method)
	}
	if st := d.Guard().Stats(); st.Fallbacks != 1 {
		t.Fatalf("fallbacks %d", st.Fallbacks)
	}

	cfg.ML.FallbackToHeuristic = false
	cfg.Model = "acme/pi-model"
	d = newDetector(t, cfg, broken, nil)
	_, err := d.Scan(context.Background(), scanner.Input{Prompt: "a sneaky attack"})
	if !errors.Is(err, scanner.ErrModelNotReady) || !strings.Contains(err.Error(), "acme/pi-model") || !strings.Contains(err.Error(), "protobuf") {
		t.Fatalf("no-fallback error must name the model and cause: %v", err)
	}
}

func TestBreakerOpensAndRecovers(t *testing.T) {
	m := &fakeModel{failErr: errors.New("backend exploded")}
	m.failNext.Store(3)
	cfg := DefaultConfig()
	cfg.ML.Cache = cache.Disabled
	cfg.Resilience.Retries = 0
	cfg.Resilience.Breaker = resilience.BreakerConfig{ConsecutiveFailures: 3, CoolDown: 200 * time.Millisecond}
	reg := prometheus.NewPedanticRegistry()
	d := newDetector(t, cfg, fakeModels{m: m}, reg)
	for range 3 {
		if r := scan(t, d, "an attack"); r.Method != scanner.MethodMLFallbackToHeuristic {
			t.Fatalf("failing model must fall back, got %v", r.Method)
		}
	}
	if d.Guard().State() != resilience.StateOpen {
		t.Fatalf("breaker %v, want open", d.Guard().State())
	}
	before := m.calls.Load()
	if r := scan(t, d, "an attack"); r.Method != scanner.MethodMLFallbackToHeuristic || m.calls.Load() != before {
		t.Fatal("open breaker must fall back without calling the model")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := scan(t, d, "an attack")
		if r.Method == scanner.MethodML {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("breaker never let a trial call through")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if d.Guard().State() != resilience.StateClosed {
		t.Fatalf("breaker %v after a successful trial, want closed", d.Guard().State())
	}
	if n, err := testutil.GatherAndCount(reg, "llmshield_breaker_transitions_total"); err != nil || n == 0 {
		t.Fatalf("breaker transitions not exported: %d %v", n, err)
	}
}

func TestCallTimeout(t *testing.T) {
	m := &fakeModel{hang: time.Hour}
	cfg := DefaultConfig()
	cfg.Resilience.CallTimeout = 30 * time.Millisecond
	cfg.Resilience.Retries = 0
	d := newDetector(t, cfg, fakeModels{m: m}, nil)
	start := time.Now()
	r := scan(t, d, "an attack")
	if r.Method != scanner.MethodMLFallbackToHeuristic || time.Since(start) > 2*time.Second {
		t.Fatalf("slow model: %v after %s", r.Method, time.Since(start))
	}
	if st := d.Guard().Stats(); st.Timeouts != 1 {
		t.Fatalf("timeouts %d", st.Timeouts)
	}
}

func TestCallerCancellationIsNotAFailure(t *testing.T) {
	m := &fakeModel{hang: time.Hour}
	d := newDetector(t, DefaultConfig(), fakeModels{m: m}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err := d.Scan(ctx, scanner.Input{Prompt: "an attack"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want context.Canceled, got %v", err)
	}
	if st := d.Guard().Stats(); st.Failures != 0 || st.Fallbacks != 0 {
		t.Fatalf("cancellation counted as failure: %+v", st)
	}
}

// TestCacheSettings: the detector keeps no cache of its own (the pipeline
// caches its results, see cache.Results); it tells the pipeline how, and
// its fingerprint carries the model version once loaded.
func TestCacheSettings(t *testing.T) {
	m := &fakeModel{}
	cfg := DefaultConfig()
	d := newDetector(t, cfg, fakeModels{m: m}, nil)
	a := scan(t, d, "an attack")
	b := scan(t, d, "an attack")
	if a.Cached || b.Cached || m.calls.Load() != 2 {
		t.Fatalf("the detector must not cache by itself: %+v %+v calls %d", a, b, m.calls.Load())
	}
	if s, own := d.CacheSettings(); !own || s != cfg.ML.Cache {
		t.Fatalf("CacheSettings = %+v %v, want ml.cache", s, own)
	}
	if !strings.Contains(d.Fingerprint(), "fake@1") {
		t.Fatalf("fingerprint must include the model version once loaded: %s", d.Fingerprint())
	}
	for name, mut := range map[string]func(*Config){
		"rollout": func(c *Config) { c.Rollout.Percent = 50 },
		"shadow":  func(c *Config) { c.Shadow = true },
	} {
		c := DefaultConfig()
		mut(&c)
		if s, own := newDetector(t, c, fakeModels{m: m}, nil).CacheSettings(); !own || s.Enabled {
			t.Errorf("%s: verdicts depend on more than the text, yet cache %+v %v", name, s, own)
		}
	}
	c := DefaultConfig()
	c.ML.Enabled = false
	if _, own := newDetector(t, c, fakeModels{m: m}, nil).CacheSettings(); own {
		t.Error("a heuristic-only detector must leave caching to the pipeline")
	}
}

func TestRolloutAndExperiment(t *testing.T) {
	m := &fakeModel{}
	cfg := DefaultConfig()
	cfg.Rollout = RolloutConfig{Percent: 0, Sticky: true}
	reg := prometheus.NewPedanticRegistry()
	d := newDetector(t, cfg, fakeModels{m: m}, reg)
	r, _ := d.Scan(context.Background(), scanner.Input{Prompt: "an attack", UserID: "u1"})
	if r.Method != scanner.MethodHeuristic || r.Group != "heuristic" || m.calls.Load() != 0 {
		t.Fatalf("0%% rollout: %+v", r)
	}

	cfg = DefaultConfig()
	cfg.Experiment = &ExperimentConfig{Name: "pi-ml", Groups: []GroupConfig{{Name: "control", Weight: 1, Mode: HeuristicOnly}, {Name: "treatment", Weight: 1, Mode: MLOnly}}}
	d = newDetector(t, cfg, fakeModels{m: m}, reg)
	seen := map[string]scanner.DetectionMethod{}
	for _, u := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		r, err := d.Scan(context.Background(), scanner.Input{Prompt: "an attack", UserID: u})
		if err != nil {
			t.Fatal(err)
		}
		if prev, ok := seen[r.Group]; ok && prev != r.Method {
			t.Fatalf("group %s mixes methods", r.Group)
		}
		seen[r.Group] = r.Method
		again, _ := d.Scan(context.Background(), scanner.Input{Prompt: "other", UserID: u})
		if again.Group != r.Group {
			t.Fatal("group must be stable per user")
		}
	}
	if seen["control"] != scanner.MethodHeuristic || seen["treatment"] != scanner.MethodML {
		t.Fatalf("groups → methods: %v", seen)
	}
	if n, _ := testutil.GatherAndCount(reg, "llmshield_rollout_group_scans_total"); n != 2 {
		t.Fatalf("group metric series: %d", n)
	}
}

func TestShadow(t *testing.T) {
	m := &fakeModel{}
	cfg := DefaultConfig()
	cfg.ML.Mode = HeuristicOnly
	cfg.Shadow = true
	d := newDetector(t, cfg, fakeModels{m: m}, nil)
	r := scan(t, d, "an attack") // heuristic passes it, model would flag
	if !r.Valid || r.Method != scanner.MethodHeuristic {
		t.Fatalf("shadow must not change the enforced verdict: %+v", r)
	}
	deadline := time.Now().Add(5 * time.Second)
	for d.Shadow().Snapshot().Total == 0 {
		if time.Now().After(deadline) {
			t.Fatal("shadow run never recorded")
		}
		time.Sleep(5 * time.Millisecond)
	}
	snap := d.Shadow().Snapshot()
	if snap.ShadowOnly != 1 || len(snap.Recent) != 1 {
		t.Fatalf("snapshot %+v", snap)
	}
	if strings.Contains(string(snap.Recent[0].TextHash[:]), "attack") {
		t.Fatal("raw text in shadow record")
	}
}

func TestConfigValidation(t *testing.T) {
	bad := DefaultConfig()
	bad.ShortCircuitAbove = 2
	bad.MatchType = "paragraphs"
	bad.Rollout.Percent = 150
	bad.Resilience.Retries = -1
	err := bad.Validate()
	for _, want := range []string{"short_circuit_above", "match_type", "rollout.", "resilience.retries"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v should name %s", err, want)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestConcurrentScans(t *testing.T) {
	m := &fakeModel{}
	d := newDetector(t, DefaultConfig(), fakeModels{m: m}, nil)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := "hello"
			if i%2 == 0 {
				text = "an attack"
			}
			r, err := d.Scan(context.Background(), scanner.Input{Prompt: text})
			if err != nil || r.Valid == (i%2 == 0) {
				t.Errorf("%d: %+v %v", i, r, err)
			}
		}()
	}
	wg.Wait()
}
