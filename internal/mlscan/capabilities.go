package mlscan

import (
	"context"

	"github.com/llmshield/llmshield/internal/rollout"
	"github.com/llmshield/llmshield/scanner"
)

var (
	_ scanner.Preloader      = (*Detector)(nil)
	_ scanner.HealthReporter = (*Detector)(nil)
)

// Preload implements scanner.Preloader: it loads the model now when the
// detector ever consults it. A model that is not present or fails to load
// follows ml.on_unavailable (see Unavailable): logged, with what runs
// instead, or an error.
func (d *Detector) Preload(ctx context.Context) error {
	if !d.UsesML() || d.opts.Models == nil {
		return nil
	}
	_, err := d.opts.Models.Get(ctx, d.ref)
	if err == nil {
		d.log.Info("model loaded", "model", d.ref.String())
		return nil
	}
	policy := d.cfg.ML.Policy()
	if _, perr := Unavailable(policy, d.ref.String(), "", err, nil); perr != nil {
		return perr
	}
	d.log.Warn("model not available at start-up", "model", d.ref.String(), "runs", policy.Runs(), "error", err)
	return nil
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
		Degraded:  s.Degraded,
	}, true
}

// verdictOf turns a scan result into a shadow-mode verdict: flagged when
// not valid.
func verdictOf(r scanner.Result) rollout.Verdict {
	return rollout.Verdict{Flagged: !r.Valid, Risk: r.Risk}
}
