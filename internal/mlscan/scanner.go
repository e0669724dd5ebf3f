package mlscan

import (
	"fmt"

	"github.com/llmshield/llmshield/scanner"
)

// Scanner is what the Scanner of an ML task (prompt_injection, toxicity,
// sentiment) embeds: the Detector that runs the scanner and the task's own
// heuristic, of type H, which Heuristic returns.
type Scanner[H any] struct {
	*Detector
	h H
}

var (
	_ scanner.Scanner       = Scanner[Heuristic]{}
	_ scanner.Fingerprinter = Scanner[Heuristic]{}
	_ scanner.Stager        = Scanner[Heuristic]{}
	_ scanner.Closer        = Scanner[Heuristic]{}
)

// Heuristic returns the heuristic the scanner uses.
func (x Scanner[H]) Heuristic() H { return x.h }

// NewScanner builds the hybrid scanner o.Name: it checks the scanner's
// whole configuration cfg, builds the heuristic with newH (the one the
// detector runs, unless o.Heuristic is set already) and then the
// detector with the ML settings ml. Errors name the scanner.
func NewScanner[H Heuristic](cfg interface{ Validate() error }, ml Config, o Options, newH func() (H, error), opts ...Option) (Scanner[H], error) {
	if err := cfg.Validate(); err != nil {
		return Scanner[H]{}, fmt.Errorf("%s: %w", o.Name, err)
	}
	h, err := newH()
	if err != nil {
		return Scanner[H]{}, fmt.Errorf("%s: %w", o.Name, err)
	}
	if o.Heuristic == nil {
		o.Heuristic = h
	}
	d, err := New(ml, o, opts...)
	if err != nil {
		return Scanner[H]{}, fmt.Errorf("%s: %w", o.Name, err)
	}
	return Scanner[H]{Detector: d, h: h}, nil
}
