// Package model defines the identifiers shared by the model registry, the
// loader and the scanners: what a model is for (Task) and how its weights are
// stored (Variant).
//
// Public on purpose: its Variant and Task appear in scanner configurations
// (ml.variant) and in the registry documents users write.
package model

import (
	"fmt"
	"strings"
)

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
	switch v := Variant(strings.ToLower(strings.TrimSpace(s))); v {
	case FP32, FP16, INT8:
		return v, nil
	}
	return "", fmt.Errorf("unknown model variant %q (want fp32, fp16 or int8)", s)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (v *Variant) UnmarshalText(b []byte) error {
	p, err := ParseVariant(string(b))
	if err != nil {
		return err
	}
	*v = p
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (v Variant) MarshalText() ([]byte, error) { return []byte(v), nil }

// String returns the variant's name.
func (v Variant) String() string { return string(v) }

// String returns the task's name.
func (t Task) String() string { return string(t) }
