package llmshield

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/health"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/mlscan"
)

// CanaryPrompt is the text of the readiness canary scan.
const CanaryPrompt = "What is the capital of France?"

// Health runs the canary scan through every scanner (which also loads the
// ML scanners' models) and then checks: the canary succeeded (critical),
// the ML models are loaded, no circuit breaker is open, cache hit rates and
// fallback and error rates are within thresholds. Degraded means warnings.
func (sh *Shield) Health(ctx context.Context, t health.Thresholds) health.Status {
	canaryErr := sh.Canary(ctx)
	c := health.NewChecker(health.WithLogger(sh.log))
	_ = c.Register("canary", health.CanaryCheck(func(context.Context) error { return canaryErr }), health.Critical())
	dets := sh.detectors()
	if len(dets) > 0 {
		_ = c.Register("models", health.ModelsCheck(health.ModelReporterFunc(func() health.ModelReport {
			rep := health.ModelReport{Failed: map[string]string{}}
			if sh.hub != nil {
				rep.Loaded = len(sh.hub.Loaded())
			} else {
				// Models supplied by the caller (NewFromScanners): one
				// counts as loaded once it has answered a call.
				for _, d := range dets {
					if d.Guard().Stats().Successes > 0 {
						rep.Loaded++
					}
				}
			}
			for _, d := range dets {
				if msg := d.LastError(); msg != "" {
					rep.Failed[d.Model().String()] = msg
				}
			}
			return rep
		})))
		var guards []health.BreakerStater
		for _, d := range dets {
			guards = append(guards, d.Guard())
			_ = c.Register("ml_calls "+d.Guard().Name(), health.GuardCheck(d.Guard(), t))
			_ = c.Register("cache "+d.Guard().Name(), health.CacheCheck(sh.cacheOf(d), t))
		}
		_ = c.Register("breakers", health.BreakersCheck(guards...))
	}
	return c.Run(ctx)
}

// cacheOf returns the result cache of the stage that runs s; a scanner
// without one reports no lookups.
func (sh *Shield) cacheOf(s scanner.Scanner) health.CacheStatser {
	for _, list := range [][]stage{sh.input, sh.output} {
		for _, st := range list {
			if st.s == s && st.cache != nil {
				return st.cache
			}
		}
	}
	return noCache{}
}

type noCache struct{}

func (noCache) Stats() cache.Stats { return cache.Stats{} }

// Canary scans a harmless prompt (and, when output scanners exist, a
// harmless response) and returns the first scanner failure.
func (sh *Shield) Canary(ctx context.Context) error {
	var errs []error
	if len(sh.input) > 0 {
		if _, err := sh.ScanPrompt(ctx, CanaryPrompt, canaryScan()); err != nil {
			errs = append(errs, fmt.Errorf("prompt canary: %w", err))
		}
	}
	if len(sh.output) > 0 {
		if _, err := sh.ScanOutput(ctx, CanaryPrompt, "The capital of France is Paris.", canaryScan()); err != nil {
			errs = append(errs, fmt.Errorf("output canary: %w", err))
		}
	}
	return errors.Join(errs...)
}

// detectors returns the ML detectors of the pipeline, once each.
func (sh *Shield) detectors() []*mlscan.Detector {
	var out []*mlscan.Detector
	for _, list := range [][]stage{sh.input, sh.output} {
		for _, st := range list {
			if d, ok := unwrapDetector(st.s); ok && d.UsesML() && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

func unwrapDetector(s scanner.Scanner) (*mlscan.Detector, bool) {
	for {
		switch v := s.(type) {
		case *mlscan.Detector:
			return v, true
		case interface{ Unwrap() scanner.Scanner }:
			s = v.Unwrap()
		default:
			return nil, false
		}
	}
}
