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
	// returning an error. Superseded by OnUnavailable; false with an empty
	// OnUnavailable means OnUnavailable "error".
	FallbackToHeuristic bool `json:"fallback_to_heuristic" yaml:"fallback_to_heuristic"`
	// OnUnavailable says what the scanner does when its model cannot answer
	// (not present, failed, timed out, breaker open): heuristic (default),
	// block or error. Empty: heuristic, or error when FallbackToHeuristic is
	// false.
	OnUnavailable OnUnavailable `json:"on_unavailable,omitempty" yaml:"on_unavailable"`
	// MaxWindows caps the work the model does on one text: at most
	// MaxWindows slices of WindowBytes each (0: DefaultMaxWindows). A longer
	// text is sampled (its head, its tail and evenly spaced slices between)
	// and the result is marked Partial; the heuristic always reads all of it.
	MaxWindows int `json:"max_windows" yaml:"max_windows"`
	// Cache caches ML verdicts keyed by a hash of the scanner's fingerprint
	// and the text.
	Cache cache.Settings `json:"cache" yaml:"cache"`
	// Extra carries backend- or model-specific settings.
	Extra map[string]string `json:"extra,omitempty" yaml:"extra,omitempty"`
}

// DefaultMaxWindows is the default ml.max_windows: 16 slices of
// WindowBytes, 32 KiB of text per scan for the model.
const DefaultMaxWindows = 16

// DefaultMLConfig is what an ML-capable scanner uses when nothing is said:
// enabled, hybrid, FP32, threshold 0.5, fallback on, production cache.
func DefaultMLConfig() MLConfig { return MLProduction() }

// MLProduction: hybrid, FP32, threshold 0.5, fallback on, production cache.
func MLProduction() MLConfig {
	return MLConfig{Enabled: true, Mode: Hybrid, Variant: model.FP32, Threshold: 0.5, FallbackToHeuristic: true, Cache: cache.Production, MaxWindows: DefaultMaxWindows}
}

// MLEdge: INT8 weights, threshold 0.6, fallback on, edge-sized cache.
func MLEdge() MLConfig {
	return MLConfig{Enabled: true, Mode: Hybrid, Variant: model.INT8, Threshold: 0.6, FallbackToHeuristic: true, Cache: cache.Edge, MaxWindows: DefaultMaxWindows}
}

// MLHighAccuracy: full precision, low threshold 0.3, model always consulted
// (Both), no fallback (a failing model is an error: on_unavailable: error),
// aggressive cache.
func MLHighAccuracy() MLConfig {
	return MLConfig{Enabled: true, Mode: Both, Variant: model.FP32, Threshold: 0.3, FallbackToHeuristic: false, Cache: cache.Aggressive, MaxWindows: DefaultMaxWindows}
}

// MLDisabled: rules only.
func MLDisabled() MLConfig {
	return MLConfig{Enabled: false, Mode: HeuristicOnly, Variant: model.FP32, Threshold: 0.5, FallbackToHeuristic: true, MaxWindows: DefaultMaxWindows}
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

// Policy returns what the scanner does when its model cannot answer.
func (c MLConfig) Policy() OnUnavailable {
	switch {
	case c.OnUnavailable != "":
		return c.OnUnavailable
	case !c.FallbackToHeuristic:
		return UnavailableError
	}
	return UnavailableHeuristic
}

// Windows returns the effective max_windows.
func (c MLConfig) Windows() int {
	if c.MaxWindows <= 0 {
		return DefaultMaxWindows
	}
	return c.MaxWindows
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
	if c.OnUnavailable != "" {
		if _, err := ParseOnUnavailable(string(c.OnUnavailable)); err != nil {
			errs = append(errs, fmt.Errorf("on_unavailable: %w", err))
		} else if !c.FallbackToHeuristic && c.OnUnavailable == UnavailableHeuristic {
			errs = append(errs, errors.New("on_unavailable: heuristic contradicts fallback_to_heuristic: false (drop fallback_to_heuristic; on_unavailable replaces it)"))
		}
	}
	if c.MaxWindows < 0 || c.MaxWindows > 4096 {
		errs = append(errs, fmt.Errorf("max_windows: must be in [1,4096] (0: default %d), got %d", DefaultMaxWindows, c.MaxWindows))
	}
	if err := c.Cache.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("cache.%w", err))
	}
	return errors.Join(errs...)
}
