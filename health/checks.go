package health

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/scanner"
)

// Thresholds configure the ready-made rate checks. Zero fields take the
// defaults of DefaultThresholds.
type Thresholds struct {
	// MinCacheRequests is the number of cache lookups below which the hit
	// rate is not judged (default 1000).
	MinCacheRequests uint64 `json:"min_cache_requests" yaml:"min_cache_requests"`
	// MinCacheHitRate is the hit rate below which the cache warns
	// (default 0.2).
	MinCacheHitRate float64 `json:"min_cache_hit_rate" yaml:"min_cache_hit_rate"`
	// MinCalls is the number of model calls below which error and fallback
	// rates are not judged (default 100).
	MinCalls uint64 `json:"min_calls" yaml:"min_calls"`
	// MaxErrorRate is the error rate above which a model warns (default 0.1).
	MaxErrorRate float64 `json:"max_error_rate" yaml:"max_error_rate"`
	// MaxFallbackRate is the fallback rate above which a model warns
	// (default 0.1).
	MaxFallbackRate float64 `json:"max_fallback_rate" yaml:"max_fallback_rate"`
}

// DefaultThresholds returns the defaults: judge the cache after 1,000
// lookups and warn under a 20% hit rate; judge a model after 100 calls and
// warn over a 10% error or fallback rate.
func DefaultThresholds() Thresholds {
	return Thresholds{MinCacheRequests: 1000, MinCacheHitRate: 0.2, MinCalls: 100, MaxErrorRate: 0.1, MaxFallbackRate: 0.1}
}

// Validate reports a rate outside [0, 1].
func (t Thresholds) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"min_cache_hit_rate", t.MinCacheHitRate}, {"max_error_rate", t.MaxErrorRate}, {"max_fallback_rate", t.MaxFallbackRate}} {
		if math.IsNaN(f.v) || f.v < 0 || f.v > 1 {
			return fmt.Errorf("health: thresholds %s: must be in [0, 1], got %v", f.name, f.v)
		}
	}
	return nil
}

func (t Thresholds) withDefaults() Thresholds {
	d := DefaultThresholds()
	if t.MinCacheRequests == 0 {
		t.MinCacheRequests = d.MinCacheRequests
	}
	if t.MinCacheHitRate == 0 {
		t.MinCacheHitRate = d.MinCacheHitRate
	}
	if t.MinCalls == 0 {
		t.MinCalls = d.MinCalls
	}
	if t.MaxErrorRate == 0 {
		t.MaxErrorRate = d.MaxErrorRate
	}
	if t.MaxFallbackRate == 0 {
		t.MaxFallbackRate = d.MaxFallbackRate
	}
	return t
}

// ModelReport describes the model loader's state.
type ModelReport struct {
	// Loaded is the number of models loaded and ready.
	Loaded int
	// Failed maps each model that failed to load to its error message.
	Failed map[string]string
}

// ModelReporter is implemented by the model loader, or by an adapter
// (ModelReporterFunc).
type ModelReporter interface{ ModelReport() ModelReport }

// ModelReporterFunc adapts a function to ModelReporter.
type ModelReporterFunc func() ModelReport

// ModelReport calls f.
func (f ModelReporterFunc) ModelReport() ModelReport { return f() }

// ModelsCheck warns when no model is loaded and when any model failed to
// load (listing them, by name).
func ModelsCheck(r ModelReporter) CheckFunc {
	return func(context.Context) CheckResult {
		rep := r.ModelReport()
		var problems []string
		if rep.Loaded <= 0 {
			problems = append(problems, "no models loaded")
		}
		if len(rep.Failed) > 0 {
			names := make([]string, 0, len(rep.Failed))
			for name := range rep.Failed {
				names = append(names, name)
			}
			slices.Sort(names)
			parts := make([]string, len(names))
			for i, name := range names {
				parts[i] = fmt.Sprintf("%s (%s)", name, rep.Failed[name])
			}
			problems = append(problems, fmt.Sprintf("%d model(s) failed to load: %s", len(names), strings.Join(parts, ", ")))
		}
		if len(problems) > 0 {
			return Warn("%s", strings.Join(problems, "; "))
		}
		return OK(fmt.Sprintf("%d model(s) loaded", rep.Loaded))
	}
}

// BreakersCheck warns when the circuit breaker in front of any scanner's
// model is open (its calls use the fallback) or half-open (probing
// recovery). Scanners that report no model are left out.
func BreakersCheck(scanners ...scanner.HealthReporter) CheckFunc {
	return func(context.Context) CheckResult {
		var open, half []string
		n := 0
		for _, s := range scanners {
			h, ok := s.Health()
			if !ok {
				continue
			}
			n++
			switch h.Breaker {
			case "open":
				open = append(open, h.Name)
			case "half-open":
				half = append(half, h.Name)
			}
		}
		slices.Sort(open)
		slices.Sort(half)
		var problems []string
		if len(open) > 0 {
			problems = append(problems, fmt.Sprintf("circuit breaker open, using fallback: %s", strings.Join(open, ", ")))
		}
		if len(half) > 0 {
			problems = append(problems, fmt.Sprintf("circuit breaker half-open, probing recovery: %s", strings.Join(half, ", ")))
		}
		if len(problems) > 0 {
			return Warn("%s", strings.Join(problems, "; "))
		}
		return OK(fmt.Sprintf("%d breaker(s) closed", n))
	}
}

// CacheCheck warns when the cache's hit rate is below t.MinCacheHitRate
// after at least t.MinCacheRequests lookups. counts returns the hits and
// the lookups.
func CacheCheck(counts func() (hits, lookups uint64), t Thresholds) CheckFunc {
	t = t.withDefaults()
	return RateCheck("cache hit rate", counts, t.MinCacheRequests, t.MinCacheHitRate, math.Inf(1))
}

// CallsCheck warns when a scanner's model calls fail or fall back, or its
// verdicts are degraded, more often than the thresholds allow, after at
// least t.MinCalls calls; its message always gives the degraded count.
func CallsCheck(s scanner.HealthReporter, t Thresholds) CheckFunc {
	t = t.withDefaults()
	return func(ctx context.Context) CheckResult {
		h, _ := s.Health()
		errs := RateCheck(h.Name+" error rate", func() (uint64, uint64) { return h.Failures, h.Calls },
			t.MinCalls, 0, t.MaxErrorRate)(ctx)
		fb := RateCheck(h.Name+" fallback rate", func() (uint64, uint64) { return h.Fallbacks, h.Calls },
			t.MinCalls, 0, t.MaxFallbackRate)(ctx)
		// Degraded verdicts (heuristic fallback or refusal, see
		// ml.on_unavailable) are judged like fallbacks, and always shown.
		dg := RateCheck(h.Name+" degraded verdicts", func() (uint64, uint64) { return h.Degraded, h.Calls },
			t.MinCalls, 0, t.MaxFallbackRate)(ctx)
		all := []CheckResult{errs, fb, dg}
		var msgs []string
		for _, r := range all {
			if r.Status != LevelOK {
				msgs = append(msgs, r.Message)
			}
		}
		if len(msgs) > 0 {
			return Warn("%s", strings.Join(msgs, "; "))
		}
		return OK(errs.Message + "; " + dg.Message)
	}
}

// RateCheck warns when n/total, once total >= minTotal, falls below minRate
// or rises above maxRate. counts returns (n, total). Use 0 and +Inf to
// leave a side unchecked.
func RateCheck(what string, counts func() (n, total uint64), minTotal uint64, minRate, maxRate float64) CheckFunc {
	return func(context.Context) CheckResult {
		n, total := counts()
		if total == 0 || total < minTotal {
			return OK(fmt.Sprintf("%s: %d of %d, not judged before %d", what, n, total, minTotal))
		}
		rate := float64(n) / float64(total)
		switch {
		case rate < minRate:
			return Warn("%s %.1f%% is below %.1f%% (%d of %d)", what, rate*100, minRate*100, n, total)
		case rate > maxRate:
			return Warn("%s %.1f%% is above %.1f%% (%d of %d)", what, rate*100, maxRate*100, n, total)
		}
		return OK(fmt.Sprintf("%s %.1f%% (%d of %d)", what, rate*100, n, total))
	}
}

// CanaryCheck fails when fn (for example a scan of a known text through the
// pipeline) returns an error. Register it as Critical for /readyz.
func CanaryCheck(fn func(ctx context.Context) error) CheckFunc {
	return func(ctx context.Context) CheckResult {
		if err := fn(ctx); err != nil {
			return Fail("canary failed: %v", err)
		}
		return OK("canary passed")
	}
}
