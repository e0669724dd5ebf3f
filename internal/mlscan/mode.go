package mlscan

import (
	"fmt"
	"strings"
)

// HybridMode says how an ML-capable scanner combines rules and a model.
type HybridMode uint8

// Hybrid modes.
const (
	// Hybrid (the default): a rule hit (heuristic risk at or above the
	// scanner's threshold) flags on its own, without the model; the model
	// decides the rest. The model adds detections and never vetoes a rule
	// hit.
	Hybrid HybridMode = iota
	// HeuristicOnly: rules only; the model is never loaded.
	HeuristicOnly
	// MLOnly: the model only (rules run only as a fallback, if enabled).
	MLOnly
	// Both: rules and model always run; the risk is the larger of the two.
	Both
)

var modeNames = [...]string{"hybrid", "heuristic_only", "ml_only", "both"}

func (h HybridMode) String() string {
	if int(h) < len(modeNames) {
		return modeNames[h]
	}
	return fmt.Sprintf("HybridMode(%d)", h)
}

// MarshalText implements encoding.TextMarshaler.
func (h HybridMode) MarshalText() ([]byte, error) {
	if int(h) >= len(modeNames) {
		return nil, fmt.Errorf("invalid hybrid mode %d", h)
	}
	return []byte(modeNames[h]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler. It accepts the
// snake_case names and the CamelCase forms (HeuristicOnly, MLOnly, ...).
func (h *HybridMode) UnmarshalText(b []byte) error {
	i, err := parseMode(string(b))
	if err != nil {
		return err
	}
	*h = HybridMode(i)
	return nil
}

// UsesML reports whether the mode ever consults a model.
func (h HybridMode) UsesML() bool { return h != HeuristicOnly }

// parseMode matches s against the mode names, ignoring case and the
// difference between snake_case and CamelCase ("ml_only" = "MLOnly").
func parseMode(s string) (int, error) {
	key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
	for i, n := range modeNames {
		if strings.ReplaceAll(n, "_", "") == key {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown hybrid mode %q (want one of %s)", s, strings.Join(modeNames[:], ", "))
}
