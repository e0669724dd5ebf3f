package inference

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
)

// Problem types understood in config.json.
const (
	SingleLabel = "single_label_classification"
	MultiLabel  = "multi_label_classification"
)

// maxConfigBytes bounds config.json; real ones are a few KiB.
const maxConfigBytes = 4 << 20

// ModelConfig is what the engine needs from a Hugging Face config.json:
// the labels (id2label) and the optional llmshield fields.
type ModelConfig struct {
	// Labels[i] is the name of class i, from id2label.
	Labels []string
	// ProblemType is SingleLabel (softmax, the default) or MultiLabel (sigmoid).
	ProblemType string
	// MaxLength is the longest token sequence to feed (llmshield field
	// max_length); 0 when unset.
	MaxLength int
	// Threshold is the default decision threshold in (0,1) (llmshield field
	// threshold); 0 when unset.
	Threshold float64
	// PositiveLabels are the labels that mean "flag this text" (llmshield
	// field positive_labels); each is one of Labels.
	PositiveLabels []string
	// PadTokenID is pad_token_id (0 when unset).
	PadTokenID int64
}

// PostProcessing returns Sigmoid for multi-label models, else Softmax.
func (c ModelConfig) PostProcessing() PostProcessing {
	if c.ProblemType == MultiLabel {
		return Sigmoid
	}
	return Softmax
}

type rawConfig struct {
	ID2Label       map[string]string `json:"id2label"`
	ProblemType    *string           `json:"problem_type"`
	MaxLength      *int              `json:"max_length"`
	Threshold      *float64          `json:"threshold"`
	PositiveLabels []string          `json:"positive_labels"`
	PadTokenID     *int64            `json:"pad_token_id"`
}

// LoadModelConfig reads and validates a config.json file.
func LoadModelConfig(path string) (ModelConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return ModelConfig{}, fmt.Errorf("model config: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ModelConfig{}, fmt.Errorf("model config: %w", err)
	}
	if fi.Size() > maxConfigBytes {
		return ModelConfig{}, fmt.Errorf("model config %s: %d bytes exceeds the %d byte limit", path, fi.Size(), maxConfigBytes)
	}
	data := make([]byte, fi.Size())
	if _, err := f.ReadAt(data, 0); err != nil && fi.Size() > 0 {
		return ModelConfig{}, fmt.Errorf("model config %s: %w", path, err)
	}
	c, err := ParseModelConfig(data)
	if err != nil {
		return ModelConfig{}, fmt.Errorf("model config %s: %w", path, err)
	}
	return c, nil
}

// ParseModelConfig decodes and validates config.json content. Errors name
// the offending key.
func ParseModelConfig(data []byte) (ModelConfig, error) {
	var raw rawConfig
	if err := json.Unmarshal(data, &raw); err != nil {
		return ModelConfig{}, fmt.Errorf("decode config.json: %w", err)
	}
	if len(raw.ID2Label) == 0 {
		return ModelConfig{}, errors.New("id2label: missing or empty")
	}
	labels := make([]string, len(raw.ID2Label))
	seen := make(map[string]bool, len(labels))
	for k, v := range raw.ID2Label {
		id, err := strconv.Atoi(k)
		if err != nil || id < 0 || id >= len(labels) {
			return ModelConfig{}, fmt.Errorf("id2label: key %q is not an id in [0, %d)", k, len(labels))
		}
		if v == "" {
			return ModelConfig{}, fmt.Errorf("id2label[%s]: empty label", k)
		}
		if seen[v] {
			return ModelConfig{}, fmt.Errorf("id2label[%s]: duplicate label %q", k, v)
		}
		seen[v] = true
		labels[id] = v
	}
	c := ModelConfig{Labels: labels, ProblemType: SingleLabel}
	if raw.ProblemType != nil {
		switch *raw.ProblemType {
		case SingleLabel, MultiLabel:
			c.ProblemType = *raw.ProblemType
		default:
			return ModelConfig{}, fmt.Errorf("problem_type: %q is not %s or %s", *raw.ProblemType, SingleLabel, MultiLabel)
		}
	}
	if raw.MaxLength != nil {
		if *raw.MaxLength <= 0 {
			return ModelConfig{}, fmt.Errorf("max_length: %d must be positive", *raw.MaxLength)
		}
		c.MaxLength = *raw.MaxLength
	}
	if raw.Threshold != nil {
		t := *raw.Threshold
		if math.IsNaN(t) || t <= 0 || t >= 1 {
			return ModelConfig{}, fmt.Errorf("threshold: %v must be in (0, 1)", t)
		}
		c.Threshold = t
	}
	for _, l := range raw.PositiveLabels {
		if !slices.Contains(labels, l) {
			return ModelConfig{}, fmt.Errorf("positive_labels: %q is not a label in id2label %q", l, labels)
		}
	}
	c.PositiveLabels = raw.PositiveLabels
	if raw.PadTokenID != nil {
		if *raw.PadTokenID < 0 {
			return ModelConfig{}, fmt.Errorf("pad_token_id: %d must not be negative", *raw.PadTokenID)
		}
		c.PadTokenID = *raw.PadTokenID
	}
	return c, nil
}
