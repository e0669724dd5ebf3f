package llmshield

import (
	"context"
	"errors"
	"fmt"

	"github.com/llmshield/llmshield/health"
	"github.com/llmshield/llmshield/scanner"
)

// canaryPrompt is the text of the readiness canary scan.
const canaryPrompt = "What is the capital of France?"

// Health runs the canary scan through every scanner (which also loads the
// ML scanners' models) and then checks: the canary succeeded (critical),
// the ML models are loaded, no circuit breaker is open, cache hit rates and
// fallback and error rates are within thresholds. Degraded means warnings.
func (sh *Shield) Health(ctx context.Context, t health.Thresholds) health.Status {
	canaryErr := sh.Canary(ctx)
	c := health.NewChecker(health.WithLogger(sh.log))
	_ = c.Register("canary", health.CanaryCheck(func(context.Context) error { return canaryErr }), health.Critical())
	models := sh.modelScanners()
	if len(models) > 0 {
		_ = c.Register("models", health.ModelsCheck(health.ModelReporterFunc(func() health.ModelReport {
			rep := health.ModelReport{Failed: map[string]string{}}
			for _, m := range models {
				h, _ := m.Health()
				if sh.hub == nil && h.Successes > 0 {
					// Models supplied by the caller (NewFromScanners): one
					// counts as loaded once it has answered a call.
					rep.Loaded++
				}
				if h.LastError != "" {
					rep.Failed[h.Model] = h.LastError
				}
			}
			if sh.hub != nil {
				rep.Loaded = len(sh.hub.Loaded())
			}
			return rep
		})))
		for _, m := range models {
			h, _ := m.Health()
			_ = c.Register("ml_calls "+h.Name, health.CallsCheck(m, t))
			_ = c.Register("cache "+h.Name, health.CacheCheck(sh.cacheCounts(h.Name), t))
		}
		_ = c.Register("breakers", health.BreakersCheck(models...))
	}
	return c.Run(ctx)
}

// cacheCounts returns the hits and lookups of the result cache of the
// stage that runs the model scanner named name (scanner.Health.Name); a
// scanner without one reports no lookups.
func (sh *Shield) cacheCounts(name string) func() (uint64, uint64) {
	for _, list := range [][]stage{sh.input, sh.output} {
		for _, st := range list {
			r, ok := st.s.(scanner.HealthReporter)
			if !ok || st.cache == nil {
				continue
			}
			if h, ok := r.Health(); ok && h.Name == name {
				return func() (uint64, uint64) {
					c := st.cache.Stats()
					return c.Hits, c.TotalRequests
				}
			}
		}
	}
	return func() (uint64, uint64) { return 0, 0 }
}

// Canary scans a harmless prompt (and, when output scanners exist, a
// harmless response) and returns the scanner failures.
func (sh *Shield) Canary(ctx context.Context) error {
	var errs []error
	if len(sh.input) > 0 {
		rep, err := sh.ScanPrompt(ctx, canaryPrompt, canaryScan())
		if err = errors.Join(err, rep.Err()); err != nil {
			errs = append(errs, fmt.Errorf("prompt canary: %w", err))
		}
	}
	if len(sh.output) > 0 {
		rep, err := sh.ScanOutput(ctx, canaryPrompt, "The capital of France is Paris.", canaryScan())
		if err = errors.Join(err, rep.Err()); err != nil {
			errs = append(errs, fmt.Errorf("output canary: %w", err))
		}
	}
	return errors.Join(errs...)
}

// modelScanners returns the scanners of the pipeline that consult a model
// (scanner.HealthReporter answering ok), once each.
func (sh *Shield) modelScanners() []scanner.HealthReporter {
	var out []scanner.HealthReporter
	seen := map[string]bool{}
	for _, list := range [][]stage{sh.input, sh.output} {
		for _, st := range list {
			r, ok := st.s.(scanner.HealthReporter)
			if !ok {
				continue
			}
			if h, ok := r.Health(); ok && !seen[h.Name] {
				seen[h.Name] = true
				out = append(out, r)
			}
		}
	}
	return out
}
