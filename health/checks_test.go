package health

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/internal/resilience"
	"github.com/llmshield/llmshield/scanner"
)

// The real components plug in without adapters.
var (
	_ BreakerStater = (*resilience.Breaker)(nil)
	_ BreakerStater = (*resilience.Guard)(nil)
	_ GuardStatser  = (*resilience.Guard)(nil)
	_ CacheStatser  = (*cache.Cache[scanner.Result])(nil)
)

func TestModelsCheck(t *testing.T) {
	for _, tc := range []struct {
		rep  ModelReport
		want Level
		msg  string
	}{
		{ModelReport{Loaded: 2}, LevelOK, "2 model(s) loaded"},
		{ModelReport{}, LevelWarn, "no models loaded"},
		{ModelReport{Loaded: 1, Failed: map[string]string{"toxicity": "checksum mismatch", "pi": "file not found"}}, LevelWarn,
			"2 model(s) failed to load: pi (file not found), toxicity (checksum mismatch)"},
		{ModelReport{Failed: map[string]string{"pi": "corrupt"}}, LevelWarn, "no models loaded; 1 model(s) failed to load: pi (corrupt)"},
	} {
		r := ModelsCheck(ModelReporterFunc(func() ModelReport { return tc.rep }))(context.Background())
		if r.Status != tc.want || r.Message != tc.msg {
			t.Errorf("%+v: got %s %q, want %s %q", tc.rep, r.Status, r.Message, tc.want, tc.msg)
		}
	}
}

type fakeBreaker struct {
	name  string
	state resilience.State
}

func (f fakeBreaker) Name() string            { return f.name }
func (f fakeBreaker) State() resilience.State { return f.state }

func TestBreakersCheck(t *testing.T) {
	b, err := resilience.NewBreaker("toxicity", resilience.BreakerConfig{ConsecutiveFailures: 1, CoolDown: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	check := BreakersCheck(b, fakeBreaker{"pi", resilience.StateClosed}, fakeBreaker{"sentiment", resilience.StateHalfOpen})
	r := check(context.Background())
	if r.Status != LevelWarn || r.Message != "circuit breaker half-open, probing recovery: sentiment" {
		t.Errorf("got %s %q", r.Status, r.Message)
	}
	_ = b.Execute(context.Background(), func(context.Context) error { return errors.New("onnx: run failed") })
	r = check(context.Background())
	want := "circuit breaker open, using fallback: toxicity; circuit breaker half-open, probing recovery: sentiment"
	if r.Status != LevelWarn || r.Message != want {
		t.Errorf("got %s %q, want %q", r.Status, r.Message, want)
	}
	if r := BreakersCheck(fakeBreaker{"pi", resilience.StateClosed})(context.Background()); r.Status != LevelOK {
		t.Errorf("closed: %+v", r)
	}
}

type fakeCache cache.Stats

func (f fakeCache) Stats() cache.Stats { return cache.Stats(f) }

func TestCacheCheck(t *testing.T) {
	for _, tc := range []struct {
		hits, total uint64
		th          Thresholds
		want        Level
	}{
		{0, 0, Thresholds{}, LevelOK},
		{10, 999, Thresholds{}, LevelOK},     // not judged before 1000
		{199, 1000, Thresholds{}, LevelWarn}, // 19.9% < 20%
		{200, 1000, Thresholds{}, LevelOK},
		{40, 100, Thresholds{MinCacheRequests: 50, MinCacheHitRate: 0.5}, LevelWarn},
		{60, 100, Thresholds{MinCacheRequests: 50, MinCacheHitRate: 0.5}, LevelOK},
	} {
		c := fakeCache{Hits: tc.hits, Misses: tc.total - tc.hits, TotalRequests: tc.total}
		r := CacheCheck(c, tc.th)(context.Background())
		if r.Status != tc.want {
			t.Errorf("%d/%d %+v: %s %q, want %s", tc.hits, tc.total, tc.th, r.Status, r.Message, tc.want)
		}
	}
	r := CacheCheck(fakeCache{Hits: 100, Misses: 1900, TotalRequests: 2000}, Thresholds{})(context.Background())
	if r.Message != "cache hit rate 5.0% is below 20.0% (100 of 2000)" {
		t.Errorf("message %q", r.Message)
	}
}

type fakeGuard resilience.GuardStats

func (f fakeGuard) Stats() resilience.GuardStats { return resilience.GuardStats(f) }

func TestGuardCheck(t *testing.T) {
	for _, tc := range []struct {
		s    resilience.GuardStats
		want Level
		msg  string
	}{
		{resilience.GuardStats{Name: "pi", Calls: 99, Failures: 99, Fallbacks: 99}, LevelOK, ""},
		{resilience.GuardStats{Name: "pi", Calls: 100, Failures: 10, Fallbacks: 10}, LevelOK, ""},
		{resilience.GuardStats{Name: "pi", Calls: 100, Failures: 11, Fallbacks: 0}, LevelWarn, "pi error rate 11.0% is above 10.0% (11 of 100)"},
		{resilience.GuardStats{Name: "pi", Calls: 200, Failures: 0, Fallbacks: 30}, LevelWarn, "pi fallback rate 15.0% is above 10.0% (30 of 200)"},
		{resilience.GuardStats{Name: "pi", Calls: 100, Failures: 50, Fallbacks: 50}, LevelWarn,
			"pi error rate 50.0% is above 10.0% (50 of 100); pi fallback rate 50.0% is above 10.0% (50 of 100)"},
		// Refusals (on_unavailable: block) are no fallbacks but degrade the
		// service all the same; the count shows even when it is fine.
		{resilience.GuardStats{Name: "pi", Calls: 200, Failures: 0, Degraded: 30}, LevelWarn, "pi degraded verdicts 15.0% is above 10.0% (30 of 200)"},
		{resilience.GuardStats{Name: "pi", Calls: 200, Degraded: 3}, LevelOK, "pi error rate 0.0% (0 of 200); pi degraded verdicts 1.5% (3 of 200)"},
	} {
		r := GuardCheck(fakeGuard(tc.s), DefaultThresholds())(context.Background())
		if r.Status != tc.want || (tc.msg != "" && r.Message != tc.msg) {
			t.Errorf("%+v: %s %q, want %s %q", tc.s, r.Status, r.Message, tc.want, tc.msg)
		}
	}
}

func TestGuardCheckWithRealGuard(t *testing.T) {
	g, err := resilience.NewGuard("pi", resilience.GuardConfig{Retry: resilience.Policy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	c := NewChecker()
	_ = c.Register("pi", GuardCheck(g, Thresholds{MinCalls: 10}))
	_ = c.Register("breakers", BreakersCheck(g))
	for i := range 10 {
		_ = g.Do(context.Background(), func(context.Context) error {
			if i < 2 {
				return errors.New("onnx: bad input")
			}
			return nil
		})
	}
	st := c.Run(context.Background())
	if !st.Healthy || !st.Degraded || len(st.Warnings) != 1 || !strings.HasPrefix(st.Warnings[0], "pi: pi error rate 20.0%") {
		t.Errorf("status: %+v", st)
	}
}

func TestThresholdsValidate(t *testing.T) {
	if err := DefaultThresholds().Validate(); err != nil {
		t.Error(err)
	}
	for _, th := range []Thresholds{{MinCacheHitRate: 1.5}, {MaxErrorRate: -0.1}, {MaxFallbackRate: 2}} {
		if err := th.Validate(); err == nil {
			t.Errorf("%+v accepted", th)
		}
	}
}
