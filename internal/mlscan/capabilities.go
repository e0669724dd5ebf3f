package mlscan

import (
	"context"
	"fmt"

	"github.com/llmshield/llmshield/internal/rollout"
	"github.com/llmshield/llmshield/scanner"
)

var (
	_ scanner.Preloader      = (*Detector)(nil)
	_ scanner.HealthReporter = (*Detector)(nil)
)

// Preload implements scanner.Preloader: it loads the model now when the
// detector ever consults it. A failure is an error only when the detector
// may not fall back to its heuristic; otherwise it is logged.
func (d *Detector) Preload(ctx context.Context) error {
	if !d.UsesML() || d.opts.Models == nil {
		return nil
	}
	_, err := d.opts.Models.Get(ctx, d.ref)
	switch {
	case err == nil:
		return nil
	case d.cfg.ML.FallbackToHeuristic:
		d.log.Warn("model failed to load; the scanner falls back to its heuristic", "model", d.ref.String(), "error", err)
		return nil
	}
	return fmt.Errorf("model %s: %w", d.ref, err)
}

// Health implements scanner.HealthReporter from the resilience guard in
// front of the model; ok is false when the detector never consults it.
func (d *Detector) Health() (scanner.Health, bool) {
	if !d.UsesML() {
		return scanner.Health{}, false
	}
	s := d.guard.Stats()
	return scanner.Health{
		Name:      d.guard.Name(),
		Model:     d.ref.String(),
		LastError: d.LastError(),
		Breaker:   s.State.String(),
		Calls:     s.Calls,
		Successes: s.Successes,
		Failures:  s.Failures,
		Fallbacks: s.Fallbacks,
	}, true
}

// verdictOf turns a scan result into a shadow-mode verdict: flagged when
// not valid.
func verdictOf(r scanner.Result) rollout.Verdict {
	return rollout.Verdict{Flagged: !r.Valid, Risk: r.Risk}
}
