package mlscan

import "github.com/llmshield/llmshield/internal/textenum"

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

var modeNames = textenum.Names[HybridMode]{Type: "HybridMode", What: "hybrid mode", Names: []string{"hybrid", "heuristic_only", "ml_only", "both"}}

func (h HybridMode) String() string { return modeNames.String(h) }

// MarshalText implements encoding.TextMarshaler.
func (h HybridMode) MarshalText() ([]byte, error) { return modeNames.Marshal(h) }

// UnmarshalText implements encoding.TextUnmarshaler. It accepts the
// snake_case names and the CamelCase forms (HeuristicOnly, MLOnly, ...).
func (h *HybridMode) UnmarshalText(b []byte) error { return textenum.Set(h, b, modeNames.Parse) }

// UsesML reports whether the mode ever consults a model.
func (h HybridMode) UsesML() bool { return h != HeuristicOnly }
