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
	// MethodMLUnavailable: the model could not answer and the scanner
	// refused the text (ml.on_unavailable: block).
	MethodMLUnavailable
)

var methodNames = [...]string{"heuristic", "ml", "heuristic_short_circuit", "ml_fallback_to_heuristic", "hybrid_both", "ml_unavailable"}

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
