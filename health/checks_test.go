package health

import (
	"context"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/scanner"
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

// fakeScanner reports a fixed Health; ok false means no model.
type fakeScanner struct {
	h  scanner.Health
	ok bool
}

func (f *fakeScanner) Health() (scanner.Health, bool) { return f.h, f.ok }

func TestBreakersCheck(t *testing.T) {
	tox := &fakeScanner{scanner.Health{Name: "toxicity", Breaker: "closed"}, true}
	check := BreakersCheck(tox, &fakeScanner{scanner.Health{Name: "pi", Breaker: "closed"}, true},
		&fakeScanner{scanner.Health{Name: "sentiment", Breaker: "half-open"}, true},
		&fakeScanner{scanner.Health{Name: "heuristic only", Breaker: "open"}, false})
	r := check(context.Background())
	if r.Status != LevelWarn || r.Message != "circuit breaker half-open, probing recovery: sentiment" {
		t.Errorf("got %s %q", r.Status, r.Message)
	}
	tox.h.Breaker = "open" // read at each run
	r = check(context.Background())
	want := "circuit breaker open, using fallback: toxicity; circuit breaker half-open, probing recovery: sentiment"
	if r.Status != LevelWarn || r.Message != want {
		t.Errorf("got %s %q, want %q", r.Status, r.Message, want)
	}
	r = BreakersCheck(&fakeScanner{scanner.Health{Name: "pi", Breaker: "closed"}, true}, &fakeScanner{})(context.Background())
	if r.Status != LevelOK || r.Message != "1 breaker(s) closed" {
		t.Errorf("closed: %+v", r)
	}
}

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
		r := CacheCheck(func() (uint64, uint64) { return tc.hits, tc.total }, tc.th)(context.Background())
		if r.Status != tc.want {
			t.Errorf("%d/%d %+v: %s %q, want %s", tc.hits, tc.total, tc.th, r.Status, r.Message, tc.want)
		}
	}
	r := CacheCheck(func() (uint64, uint64) { return 100, 2000 }, Thresholds{})(context.Background())
	if r.Message != "cache hit rate 5.0% is below 20.0% (100 of 2000)" {
		t.Errorf("message %q", r.Message)
	}
}

func TestCallsCheck(t *testing.T) {
	for _, tc := range []struct {
		s    scanner.Health
		want Level
		msg  string
	}{
		{scanner.Health{Name: "pi", Calls: 99, Failures: 99, Fallbacks: 99}, LevelOK, ""},
		{scanner.Health{Name: "pi", Calls: 100, Failures: 10, Fallbacks: 10}, LevelOK, ""},
		{scanner.Health{Name: "pi", Calls: 100, Failures: 11, Fallbacks: 0}, LevelWarn, "pi error rate 11.0% is above 10.0% (11 of 100)"},
		{scanner.Health{Name: "pi", Calls: 200, Failures: 0, Fallbacks: 30}, LevelWarn, "pi fallback rate 15.0% is above 10.0% (30 of 200)"},
		{scanner.Health{Name: "pi", Calls: 100, Failures: 50, Fallbacks: 50}, LevelWarn,
			"pi error rate 50.0% is above 10.0% (50 of 100); pi fallback rate 50.0% is above 10.0% (50 of 100)"},
		// Refusals (on_unavailable: block) are no fallbacks but degrade the
		// service all the same; the count shows even when it is fine.
		{scanner.Health{Name: "pi", Calls: 200, Failures: 0, Degraded: 30}, LevelWarn, "pi degraded verdicts 15.0% is above 10.0% (30 of 200)"},
		{scanner.Health{Name: "pi", Calls: 200, Degraded: 3}, LevelOK, "pi error rate 0.0% (0 of 200); pi degraded verdicts 1.5% (3 of 200)"},
	} {
		r := CallsCheck(&fakeScanner{tc.s, true}, DefaultThresholds())(context.Background())
		if r.Status != tc.want || (tc.msg != "" && r.Message != tc.msg) {
			t.Errorf("%+v: %s %q, want %s %q", tc.s, r.Status, r.Message, tc.want, tc.msg)
		}
	}
	// Read at each run: the checker sees calls made after registration.
	s := &fakeScanner{scanner.Health{Name: "pi"}, true}
	c := NewChecker()
	_ = c.Register("pi", CallsCheck(s, Thresholds{MinCalls: 10}))
	s.h.Calls, s.h.Failures = 10, 2
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
