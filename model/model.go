// Package model defines the identifiers shared by the model registry, the
// loader and the scanners: what a model is for (Task) and how its weights are
// stored (Variant).
//
// Public on purpose: its Variant and Task appear in scanner configurations
// (ml.variant) and in the registry documents users write.
package model

import "github.com/llmshield/llmshield/internal/textenum"

// Task is what a model detects.
type Task string

// Tasks known to llmshield. Registries may name others; these are the ones
// the built-in scanners use.
const (
	TaskPromptInjection Task = "prompt_injection"
	TaskToxicity        Task = "toxicity"
	TaskSentiment       Task = "sentiment"
	TaskNER             Task = "ner"
)

// Variant is the numeric precision of a model's weights.
type Variant string

// Variants.
const (
	FP32 Variant = "fp32"
	FP16 Variant = "fp16"
	INT8 Variant = "int8"
)

// ParseVariant accepts fp32, fp16, int8 in any case.
func ParseVariant(s string) (Variant, error) {
	return textenum.Parse("model variant", s, FP32, FP16, INT8)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *Variant) UnmarshalText(b []byte) error { return textenum.Set(v, b, ParseVariant) }

// MarshalText implements encoding.TextMarshaler.
func (v Variant) MarshalText() ([]byte, error) { return []byte(v), nil }

// String returns the variant's name.
func (v Variant) String() string { return string(v) }

// String returns the task's name.
func (t Task) String() string { return string(t) }
