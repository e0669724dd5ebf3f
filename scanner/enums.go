package scanner

import "github.com/llmshield/llmshield/internal/textenum"

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

var methodNames = textenum.Names[DetectionMethod]{Type: "DetectionMethod", What: "detection method",
	Names: []string{"heuristic", "ml", "heuristic_short_circuit", "ml_fallback_to_heuristic", "hybrid_both", "ml_unavailable"}}

func (m DetectionMethod) String() string { return methodNames.String(m) }

// MarshalText implements encoding.TextMarshaler (used by JSON and YAML).
func (m DetectionMethod) MarshalText() ([]byte, error) { return methodNames.Marshal(m) }

// UnmarshalText implements encoding.TextUnmarshaler. It accepts the
// snake_case names and the CamelCase forms (HybridBoth, ...).
func (m *DetectionMethod) UnmarshalText(b []byte) error { return textenum.Set(m, b, methodNames.Parse) }
