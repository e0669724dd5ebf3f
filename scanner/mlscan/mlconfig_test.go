package mlscan

import (
	"math"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/model"
)

func TestHybridModeRoundTrip(t *testing.T) {
	for h := Hybrid; h <= Both; h++ {
		y, err := yaml.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		var back HybridMode
		if err := yaml.Unmarshal(y, &back); err != nil || back != h {
			t.Fatalf("%v: %s → %v %v", h, y, back, err)
		}
	}
	var h HybridMode
	for in, want := range map[string]HybridMode{"MLOnly": MLOnly, "ml_only": MLOnly, "HeuristicOnly": HeuristicOnly, "Both": Both, "hybrid": Hybrid} {
		if err := h.UnmarshalText([]byte(in)); err != nil || h != want {
			t.Errorf("%q → %v %v", in, h, err)
		}
	}
	if err := h.UnmarshalText([]byte("magic")); err == nil || !strings.Contains(err.Error(), "ml_only") {
		t.Fatalf("unknown mode error should list choices: %v", err)
	}
}

func TestMLConfigPresetsAndValidate(t *testing.T) {
	for _, name := range []string{"production", "edge", "high_accuracy", "disabled"} {
		c, err := MLPreset(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(); err != nil {
			t.Errorf("%s preset invalid: %v", name, err)
		}
	}
	if e := MLEdge(); e.Variant != model.INT8 || e.Threshold != 0.6 {
		t.Fatalf("edge preset: %+v", e)
	}
	if h := MLHighAccuracy(); h.FallbackToHeuristic || h.Threshold != 0.3 {
		t.Fatalf("high_accuracy preset: %+v", h)
	}
	bad := MLProduction()
	bad.Threshold = 1.5
	bad.Cache = cache.Settings{Enabled: true, MaxSize: -1, TTL: time.Minute}
	err := bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "threshold") || !strings.Contains(err.Error(), "cache.max_size") {
		t.Fatalf("validate should name fields: %v", err)
	}
	bad = MLProduction()
	bad.Threshold = math.NaN()
	if bad.Validate() == nil {
		t.Fatal("NaN threshold accepted")
	}
}

func TestMLConfigYAML(t *testing.T) {
	var c MLConfig
	err := yaml.Unmarshal([]byte("enabled: true\nmode: MLOnly\nvariant: INT8\nthreshold: 0.7\ncache: {enabled: true, max_size: 10, ttl: 1m}\n"), &c)
	if err != nil || c.Mode != MLOnly || c.Variant != model.INT8 || c.Cache.TTL != time.Minute {
		t.Fatalf("%v %+v", err, c)
	}
	if err := yaml.Unmarshal([]byte("variant: fp64\n"), &c); err == nil {
		t.Fatal("bad variant accepted")
	}
}
