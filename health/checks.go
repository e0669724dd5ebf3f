package health

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/internal/resilience"
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

// BreakerStater is implemented by *resilience.Breaker and *resilience.Guard.
type BreakerStater interface {
	Name() string
	State() resilience.State
}

// BreakersCheck warns when any breaker is open (its model's calls use the
// fallback) or half-open (probing recovery).
func BreakersCheck(breakers ...BreakerStater) CheckFunc {
	return func(context.Context) CheckResult {
		var open, half []string
		for _, b := range breakers {
			switch b.State() {
			case resilience.StateOpen:
				open = append(open, b.Name())
			case resilience.StateHalfOpen:
				half = append(half, b.Name())
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
		return OK(fmt.Sprintf("%d breaker(s) closed", len(breakers)))
	}
}

// CacheStatser is implemented by *cache.Cache.
type CacheStatser interface{ Stats() cache.Stats }

// CacheCheck warns when the cache's hit rate is below t.MinCacheHitRate
// after at least t.MinCacheRequests lookups.
func CacheCheck(c CacheStatser, t Thresholds) CheckFunc {
	t = t.withDefaults()
	return func(ctx context.Context) CheckResult {
		s := c.Stats()
		return RateCheck("cache hit rate", func() (uint64, uint64) { return s.Hits, s.TotalRequests },
			t.MinCacheRequests, t.MinCacheHitRate, math.Inf(1))(ctx)
	}
}

// GuardStatser is implemented by *resilience.Guard.
type GuardStatser interface{ Stats() resilience.GuardStats }

// GuardCheck warns when a model's error rate, fallback rate or rate of
// degraded verdicts exceeds the thresholds after at least t.MinCalls
// calls; its message always gives the degraded count.
func GuardCheck(g GuardStatser, t Thresholds) CheckFunc {
	t = t.withDefaults()
	return func(ctx context.Context) CheckResult {
		s := g.Stats()
		errs := RateCheck(s.Name+" error rate", func() (uint64, uint64) { return s.Failures, s.Calls },
			t.MinCalls, 0, t.MaxErrorRate)(ctx)
		fb := RateCheck(s.Name+" fallback rate", func() (uint64, uint64) { return s.Fallbacks, s.Calls },
			t.MinCalls, 0, t.MaxFallbackRate)(ctx)
		// Degraded verdicts (heuristic fallback or refusal, see
		// ml.on_unavailable) are judged like fallbacks, and always shown.
		dg := RateCheck(s.Name+" degraded verdicts", func() (uint64, uint64) { return s.Degraded, s.Calls },
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
