package mlscan

import (
	"errors"
	"fmt"
	"strings"

	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/textenum"
	"github.com/llmshield/llmshield/scanner"
)

// OnUnavailable says what an ML scanner does when its model cannot answer:
// the model is not present or failed to load at start-up, or a call failed,
// timed out or was refused by an open circuit breaker.
type OnUnavailable string

// Policies for ml.on_unavailable.
const (
	// UnavailableHeuristic (the default): the scanner's heuristic decides
	// alone; the result is marked degraded. Availability first: a model
	// outage does not stop traffic, and the rules still catch the plain
	// attacks.
	UnavailableHeuristic OnUnavailable = "heuristic"
	// UnavailableBlock fails closed: the text is refused (Valid false, risk
	// 1) with a finding saying the model could not answer; the result is
	// marked degraded.
	UnavailableBlock OnUnavailable = "block"
	// UnavailableError: the scan fails with scanner.ErrModelNotReady (the
	// pipeline's fail_open decides), and a model missing at start-up is a
	// start-up error. What fallback_to_heuristic: false used to mean.
	UnavailableError OnUnavailable = "error"
)

// ParseOnUnavailable accepts heuristic, block and error (any case).
func ParseOnUnavailable(s string) (OnUnavailable, error) {
	return textenum.Parse("policy", s, UnavailableHeuristic, UnavailableBlock, UnavailableError)
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (p *OnUnavailable) UnmarshalText(b []byte) error {
	if len(strings.TrimSpace(string(b))) == 0 {
		*p = ""
		return nil
	}
	return textenum.Set(p, b, ParseOnUnavailable)
}

// Runs names what runs in place of the model under p, for logs.
func (p OnUnavailable) Runs() string {
	switch p {
	case UnavailableBlock:
		return "nothing: every text the model would have scanned is refused (on_unavailable: block)"
	case UnavailableError:
		return "nothing: scans fail with model not ready (on_unavailable: error)"
	}
	return "the heuristic alone; verdicts are marked degraded (on_unavailable: heuristic)"
}

// Unavailable is the one decision of what a scanner does when the model
// behind it cannot answer, at start-up and on every scan. cause says why;
// model names the model for messages.
//
// At start-up (fallback nil) it returns nil when the scanner may start
// (heuristic, block) and an error wrapping scanner.ErrModelNotReady and
// cause when it may not (error).
//
// On a scan, fallback computes the heuristic's verdict on text; the result
// is that verdict (heuristic), a refusal (block), or the error (error).
// Results are marked Degraded.
func Unavailable(p OnUnavailable, model, text string, cause error, fallback func() scanner.Result) (scanner.Result, error) {
	switch p {
	case UnavailableError:
		return scanner.Result{}, fmt.Errorf("model %s: %w: %w", model, scanner.ErrModelNotReady, cause)
	case UnavailableBlock:
		if fallback == nil {
			return scanner.Result{}, nil
		}
		r := fallback()
		r.Valid, r.Risk, r.Method, r.Degraded, r.Sanitized = false, 1, scanner.MethodMLUnavailable, true, text
		r.Findings = append(r.Findings, scanner.Finding{Rule: "ml.unavailable", Score: 1,
			Detail: fmt.Sprintf("model %s could not answer and on_unavailable is block: %s", model, firstLine(cause))})
		return r, nil
	}
	if fallback == nil {
		return scanner.Result{}, nil
	}
	r := fallback()
	r.Method, r.Degraded = scanner.MethodMLFallbackToHeuristic, true
	return r, nil
}

func firstLine(err error) string {
	if err == nil {
		return "unknown cause"
	}
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// CheckModel reports a model: setting that names no model in reg, with a
// message that lists the models reg knows and says how to add a local one.
// An empty id (the task's default model) is always fine.
func CheckModel(reg *registry.Registry, id string) error {
	if id == "" || reg == nil {
		return nil
	}
	if _, err := reg.Lookup(id); err == nil {
		return nil
	} else if !errors.Is(err, registry.ErrNotFound) {
		return err
	}
	var known []string
	for _, e := range reg.List() {
		k := e.ID
		if e.Name != "" && e.Name != e.ID {
			k += " (" + e.Name + ")"
		}
		known = append(known, k)
	}
	return fmt.Errorf("model %q: %w; known models: %s. To use model files in a local directory, describe them in a registry file "+
		`({"models": [{"id": "my-model", "task": "prompt_injection", "variant": "fp32", "path": "/models/my-model", "files": [...]}]}), `+
		"set models.registry to it and model: my-model; `llmshield models list` shows the registry",
		id, registry.ErrNotFound, strings.Join(known, ", "))
}
