package inference

import (
	"errors"
	"fmt"
	"math"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// Errors callers can match with errors.Is.
var (
	// ErrClosed is returned by an Engine or Runtime used after Close.
	ErrClosed = errors.New("inference engine is closed")
	// ErrInvalidInput wraps every rejection of caller-supplied ids, masks or labels.
	ErrInvalidInput = errors.New("invalid inference input")
	// ErrNonFinite reports NaN or ±Inf logits; no score is produced from them.
	ErrNonFinite = errors.New("model produced non-finite logits")
	// ErrOutputShape reports logits whose shape does not fit the request.
	ErrOutputShape = backend.ErrOutputShape
)

// PostProcessing turns logits into scores.
type PostProcessing int

const (
	// Softmax normalises the logits of one sample into a distribution
	// (single-label classification, binary or multi-class).
	Softmax PostProcessing = iota
	// Sigmoid scores each label independently (multi-label classification).
	Sigmoid
)

// String returns "softmax" or "sigmoid".
func (p PostProcessing) String() string {
	switch p {
	case Softmax:
		return "softmax"
	case Sigmoid:
		return "sigmoid"
	}
	return fmt.Sprintf("PostProcessing(%d)", int(p))
}

// ParsePostProcessing accepts "softmax" or "sigmoid".
func ParsePostProcessing(s string) (PostProcessing, error) {
	switch s {
	case "softmax":
		return Softmax, nil
	case "sigmoid":
		return Sigmoid, nil
	}
	return 0, fmt.Errorf("unknown post-processing %q (want softmax or sigmoid)", s)
}

// Apply converts logits to scores. Non-finite logits yield an error wrapping
// ErrNonFinite.
func (p PostProcessing) Apply(logits []float32) ([]float64, error) {
	if len(logits) == 0 {
		return nil, fmt.Errorf("%w: no logits", ErrOutputShape)
	}
	for i, v := range logits {
		if f := float64(v); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("%w: logit %d is %v", ErrNonFinite, i, v)
		}
	}
	switch p {
	case Softmax:
		return softmax(logits), nil
	case Sigmoid:
		out := make([]float64, len(logits))
		for i, v := range logits {
			out[i] = sigmoid(float64(v))
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown post-processing %d", int(p))
}

// softmax is numerically stable: it subtracts the maximum before exp, so no
// finite input overflows.
func softmax(logits []float32) []float64 {
	m := math.Inf(-1)
	for _, v := range logits {
		m = math.Max(m, float64(v))
	}
	out := make([]float64, len(logits))
	var sum float64
	for i, v := range logits {
		out[i] = math.Exp(float64(v) - m)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// sigmoid avoids exp overflow for large |x|.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
