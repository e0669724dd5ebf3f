package mlscan

import (
	"errors"
	"fmt"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/model"
)

// MLConfig configures the ML side of a scanner.
type MLConfig struct {
	// Enabled turns the model on. When false the scanner is heuristic only,
	// whatever Mode says.
	Enabled bool `json:"enabled" yaml:"enabled"`
	// Mode says how rules and model are combined.
	Mode HybridMode `json:"mode" yaml:"mode"`
	// Variant selects the model's precision.
	Variant model.Variant `json:"variant" yaml:"variant"`
	// Threshold is the model score at or above which text is flagged, in (0,1).
	Threshold float64 `json:"threshold" yaml:"threshold"`
	// FallbackToHeuristic runs the rules when the model fails, instead of
	// returning an error.
	FallbackToHeuristic bool `json:"fallback_to_heuristic" yaml:"fallback_to_heuristic"`
	// Cache caches ML verdicts keyed by a hash of the scanner's fingerprint
	// and the text.
	Cache cache.Settings `json:"cache" yaml:"cache"`
	// Extra carries backend- or model-specific settings.
	Extra map[string]string `json:"extra,omitempty" yaml:"extra,omitempty"`
}

// DefaultMLConfig is what an ML-capable scanner uses when nothing is said:
// enabled, hybrid, FP32, threshold 0.5, fallback on, production cache.
func DefaultMLConfig() MLConfig { return MLProduction() }

// MLProduction: hybrid, FP32, threshold 0.5, fallback on, production cache.
func MLProduction() MLConfig {
	return MLConfig{Enabled: true, Mode: Hybrid, Variant: model.FP32, Threshold: 0.5, FallbackToHeuristic: true, Cache: cache.Production}
}

// MLEdge: INT8 weights, threshold 0.6, fallback on, edge-sized cache.
func MLEdge() MLConfig {
	return MLConfig{Enabled: true, Mode: Hybrid, Variant: model.INT8, Threshold: 0.6, FallbackToHeuristic: true, Cache: cache.Edge}
}

// MLHighAccuracy: full precision, low threshold 0.3, model always consulted
// (Both), no fallback (a failing model is an error), aggressive cache.
func MLHighAccuracy() MLConfig {
	return MLConfig{Enabled: true, Mode: Both, Variant: model.FP32, Threshold: 0.3, FallbackToHeuristic: false, Cache: cache.Aggressive}
}

// MLDisabled: rules only.
func MLDisabled() MLConfig {
	return MLConfig{Enabled: false, Mode: HeuristicOnly, Variant: model.FP32, Threshold: 0.5, FallbackToHeuristic: true}
}

// MLPreset returns the named preset: production, edge, high_accuracy or disabled.
func MLPreset(name string) (MLConfig, error) {
	switch name {
	case "production", "default":
		return MLProduction(), nil
	case "edge":
		return MLEdge(), nil
	case "high_accuracy":
		return MLHighAccuracy(), nil
	case "disabled":
		return MLDisabled(), nil
	}
	return MLConfig{}, fmt.Errorf("unknown ML preset %q (want production, edge, high_accuracy or disabled)", name)
}

// UsesML reports whether the configuration ever consults a model.
func (c MLConfig) UsesML() bool { return c.Enabled && c.Mode.UsesML() }

// Validate checks the configuration; each error names its field.
func (c MLConfig) Validate() error {
	var errs []error
	if c.Threshold != c.Threshold || c.Threshold <= 0 || c.Threshold >= 1 {
		errs = append(errs, fmt.Errorf("threshold: must be in (0,1), got %v", c.Threshold))
	}
	if c.Mode > Both {
		errs = append(errs, fmt.Errorf("mode: invalid value %d", c.Mode))
	}
	if c.Variant != "" {
		if _, err := model.ParseVariant(string(c.Variant)); err != nil {
			errs = append(errs, fmt.Errorf("variant: %w", err))
		}
	}
	if err := c.Cache.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("cache.%w", err))
	}
	return errors.Join(errs...)
}
