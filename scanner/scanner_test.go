package scanner

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield/model"
)

func TestEnumsRoundTrip(t *testing.T) {
	for m := MethodHeuristic; m <= MethodHybridBoth; m++ {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		var back DetectionMethod
		if err := json.Unmarshal(b, &back); err != nil || back != m {
			t.Fatalf("%v: %s → %v %v", m, b, back, err)
		}
	}
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
	bad.Cache = CacheSettings{Enabled: true, MaxSize: -1, TTL: time.Minute}
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

func TestCachePresets(t *testing.T) {
	want := map[string][2]any{"aggressive": {10_000, 2 * time.Hour}, "production": {1_000, time.Hour}, "edge": {100, 10 * time.Minute}, "minimal": {10, time.Minute}}
	for name, w := range want {
		c, err := CachePreset(name)
		if err != nil || !c.Enabled || c.MaxSize != w[0].(int) || c.TTL != w[1].(time.Duration) {
			t.Errorf("%s: %+v %v", name, c, err)
		}
	}
	if c, err := CachePreset("disabled"); err != nil || c.Enabled {
		t.Errorf("disabled: %+v %v", c, err)
	}
}

func TestClampRisk(t *testing.T) {
	for in, want := range map[float64]float64{-1: 0, 0.5: 0.5, 2: 1, math.Inf(1): 1} {
		if got := ClampRisk(in); got != want {
			t.Errorf("ClampRisk(%v) = %v", in, got)
		}
	}
	if ClampRisk(math.NaN()) != 1 {
		t.Error("NaN risk must clamp to 1 (fail closed)")
	}
}

func TestVaultRoundTrip(t *testing.T) {
	v := NewVault(0)
	p1 := v.Placeholder("email_address", "a@b.c")
	p2 := v.Placeholder("EMAIL_ADDRESS", "x@y.z")
	if p1 != "[REDACTED_EMAIL_ADDRESS_1]" || p2 != "[REDACTED_EMAIL_ADDRESS_2]" {
		t.Fatalf("placeholders %q %q", p1, p2)
	}
	if v.Placeholder("EMAIL_ADDRESS", "a@b.c") != p1 {
		t.Fatal("same original must get the same placeholder")
	}
	if got := v.Deanonymize("mail " + p1 + " and " + p2); got != "mail a@b.c and x@y.z" {
		t.Fatalf("deanonymize: %q", got)
	}
}

func TestVaultBoundedAndConcurrent(t *testing.T) {
	v := NewVault(100)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				p := v.Placeholder("PERSON", fmt.Sprintf("p%d-%d", g, i))
				v.Deanonymize(p)
			}
		}()
	}
	wg.Wait()
	if v.Len() != 100 {
		t.Fatalf("vault holds %d pairs, want the bound 100", v.Len())
	}
	v.Clear()
	if v.Len() != 0 {
		t.Fatal("clear")
	}
}
