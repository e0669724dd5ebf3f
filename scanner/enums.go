package scanner

import (
	"fmt"
	"strings"
)

// DetectionMethod says how a verdict was reached.
type DetectionMethod uint8

// Detection methods.
const (
	// MethodHeuristic: rules alone decided.
	MethodHeuristic DetectionMethod = iota
	// MethodML: a model decided.
	MethodML
	// MethodHeuristicShortCircuit: in hybrid mode the rules were confident
	// enough that the model was not consulted.
	MethodHeuristicShortCircuit
	// MethodMLFallbackToHeuristic: the model failed (or its circuit breaker was
	// open) and the rules decided instead.
	MethodMLFallbackToHeuristic
	// MethodHybridBoth: rules and model both ran and were combined.
	MethodHybridBoth
)

var methodNames = [...]string{"heuristic", "ml", "heuristic_short_circuit", "ml_fallback_to_heuristic", "hybrid_both"}

func (m DetectionMethod) String() string {
	if int(m) < len(methodNames) {
		return methodNames[m]
	}
	return fmt.Sprintf("DetectionMethod(%d)", m)
}

// MarshalText implements encoding.TextMarshaler (used by JSON and YAML).
func (m DetectionMethod) MarshalText() ([]byte, error) {
	if int(m) >= len(methodNames) {
		return nil, fmt.Errorf("invalid detection method %d", m)
	}
	return []byte(methodNames[m]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *DetectionMethod) UnmarshalText(b []byte) error {
	i, err := parseEnum("detection method", string(b), methodNames[:])
	if err != nil {
		return err
	}
	*m = DetectionMethod(i)
	return nil
}

// HybridMode says how an ML-capable scanner combines rules and a model.
type HybridMode uint8

// Hybrid modes.
const (
	// Hybrid (the default): rules decide the clear cases (clearly malicious
	// or clearly benign); the model decides the ambiguous rest.
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
	i, err := parseEnum("hybrid mode", string(b), modeNames[:])
	if err != nil {
		return err
	}
	*h = HybridMode(i)
	return nil
}

// UsesML reports whether the mode ever consults a model.
func (h HybridMode) UsesML() bool { return h != HeuristicOnly }

// parseEnum matches s against names, ignoring case and the difference
// between snake_case and CamelCase ("ml_only" = "MLOnly" = "mlonly").
func parseEnum(what, s string, names []string) (int, error) {
	key := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), "_", ""))
	for i, n := range names {
		if strings.ReplaceAll(n, "_", "") == key {
			return i, nil
		}
	}
	return 0, fmt.Errorf("unknown %s %q (want one of %s)", what, s, strings.Join(names, ", "))
}
