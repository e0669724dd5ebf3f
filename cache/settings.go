package cache

import (
	"errors"
	"fmt"
	"time"
)

// Settings sizes a result cache. The zero value is a disabled cache.
type Settings struct {
	Enabled bool          `json:"enabled" yaml:"enabled"`
	MaxSize int           `json:"max_size" yaml:"max_size"`
	TTL     time.Duration `json:"ttl" yaml:"ttl"`
}

// Presets.
var (
	// Aggressive keeps many results for long: 10,000 entries, 2 h.
	Aggressive = Settings{Enabled: true, MaxSize: 10_000, TTL: 2 * time.Hour}
	// Production is the default: 1,000 entries, 1 h.
	Production = Settings{Enabled: true, MaxSize: 1_000, TTL: time.Hour}
	// Edge suits small devices: 100 entries, 10 min.
	Edge = Settings{Enabled: true, MaxSize: 100, TTL: 10 * time.Minute}
	// Minimal: 10 entries, 1 min.
	Minimal = Settings{Enabled: true, MaxSize: 10, TTL: time.Minute}
	// Disabled caches nothing.
	Disabled = Settings{}
)

// Preset returns the named preset: aggressive, production, edge, minimal or disabled.
func Preset(name string) (Settings, error) {
	switch name {
	case "aggressive":
		return Aggressive, nil
	case "production":
		return Production, nil
	case "edge":
		return Edge, nil
	case "minimal":
		return Minimal, nil
	case "disabled":
		return Disabled, nil
	}
	return Settings{}, fmt.Errorf("unknown cache preset %q (want aggressive, production, edge, minimal or disabled)", name)
}

// Validate checks the settings; errors name the field.
func (c Settings) Validate() error {
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
