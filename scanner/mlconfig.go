package scanner

import (
	"errors"
	"fmt"
	"time"

	"github.com/llmshield/llmshield/model"
)

// CacheSettings sizes a result cache. The zero value is a disabled cache.
type CacheSettings struct {
	Enabled bool          `json:"enabled" yaml:"enabled"`
	MaxSize int           `json:"max_size" yaml:"max_size"`
	TTL     time.Duration `json:"ttl" yaml:"ttl"`
}

// Cache presets.
var (
	// CacheAggressive keeps many results for long: 10,000 entries, 2 h.
	CacheAggressive = CacheSettings{Enabled: true, MaxSize: 10_000, TTL: 2 * time.Hour}
	// CacheProduction is the default: 1,000 entries, 1 h.
	CacheProduction = CacheSettings{Enabled: true, MaxSize: 1_000, TTL: time.Hour}
	// CacheEdge suits small devices: 100 entries, 10 min.
	CacheEdge = CacheSettings{Enabled: true, MaxSize: 100, TTL: 10 * time.Minute}
	// CacheMinimal: 10 entries, 1 min.
	CacheMinimal = CacheSettings{Enabled: true, MaxSize: 10, TTL: time.Minute}
	// CacheDisabled caches nothing.
	CacheDisabled = CacheSettings{}
)

// CachePreset returns the named preset: aggressive, production, edge, minimal or disabled.
func CachePreset(name string) (CacheSettings, error) {
	switch name {
	case "aggressive":
		return CacheAggressive, nil
	case "production":
		return CacheProduction, nil
	case "edge":
		return CacheEdge, nil
	case "minimal":
		return CacheMinimal, nil
	case "disabled":
		return CacheDisabled, nil
	}
	return CacheSettings{}, fmt.Errorf("unknown cache preset %q (want aggressive, production, edge, minimal or disabled)", name)
}

// Validate checks the settings; errors name the field.
func (c CacheSettings) Validate() error {
	if !c.Enabled {
		return nil
	}
	var errs []error
	if c.MaxSize <= 0 {
		errs = append(errs, fmt.Errorf("max_size: must be positive when the cache is enabled, got %d", c.MaxSize))
	}
	if c.TTL <= 0 {
		errs = append(errs, fmt.Errorf("ttl: must be positive when the cache is enabled, got %s", c.TTL))
	}
	return errors.Join(errs...)
}

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
	Cache CacheSettings `json:"cache" yaml:"cache"`
	// Extra carries backend- or model-specific settings.
	Extra map[string]string `json:"extra,omitempty" yaml:"extra,omitempty"`
}

// DefaultMLConfig is what an ML-capable scanner uses when nothing is said:
// enabled, hybrid, FP32, threshold 0.5, fallback on, production cache.
func DefaultMLConfig() MLConfig { return MLProduction() }

// MLProduction: hybrid, FP32, threshold 0.5, fallback on, production cache.
func MLProduction() MLConfig {
	return MLConfig{Enabled: true, Mode: Hybrid, Variant: model.FP32, Threshold: 0.5, FallbackToHeuristic: true, Cache: CacheProduction}
}

// MLEdge: INT8 weights, threshold 0.6, fallback on, edge-sized cache.
func MLEdge() MLConfig {
	return MLConfig{Enabled: true, Mode: Hybrid, Variant: model.INT8, Threshold: 0.6, FallbackToHeuristic: true, Cache: CacheEdge}
}

// MLHighAccuracy: full precision, low threshold 0.3, model always consulted
// (Both), no fallback (a failing model is an error), aggressive cache.
func MLHighAccuracy() MLConfig {
	return MLConfig{Enabled: true, Mode: Both, Variant: model.FP32, Threshold: 0.3, FallbackToHeuristic: false, Cache: CacheAggressive}
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
