package health

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/internal/testkit"
)

func static(r CheckResult) CheckFunc { return func(context.Context) CheckResult { return r } }

func TestRunAggregates(t *testing.T) {
	type reg struct {
		name     string
		r        CheckResult
		critical bool
	}
	for _, tc := range []struct {
		name     string
		checks   []reg
		healthy  bool
		degraded bool
		exit     int
		summary  string
		errs     []string
		warnings []string
	}{
		{name: "none", healthy: true, exit: 0, summary: "healthy", errs: []string{}, warnings: []string{}},
		{
			name:    "all ok",
			checks:  []reg{{"a", OK("fine"), true}, {"b", OK(""), false}},
			healthy: true, exit: 0, summary: "healthy", errs: []string{}, warnings: []string{},
		},
		{
			name:    "warnings",
			checks:  []reg{{"models", Warn("no models loaded"), true}, {"cache", Warn("low hit rate"), false}, {"x", OK(""), true}},
			healthy: true, degraded: true, exit: 1, summary: "degraded",
			errs: []string{}, warnings: []string{"cache: low hit rate", "models: no models loaded"},
		},
		{
			name:    "non-critical failure degrades",
			checks:  []reg{{"redis", Fail("connection refused"), false}},
			healthy: true, degraded: true, exit: 1, summary: "degraded",
			errs: []string{}, warnings: []string{"redis: connection refused"},
		},
		{
			name:    "critical failure",
			checks:  []reg{{"canary", Fail("canary failed: boom"), true}, {"cache", Warn("low"), false}},
			healthy: false, degraded: true, exit: 2, summary: "unhealthy",
			errs: []string{"canary: canary failed: boom"}, warnings: []string{"cache: low"},
		},
		{
			name:    "critical failure alone",
			checks:  []reg{{"canary", Fail("down"), true}},
			healthy: false, exit: 2, summary: "unhealthy",
			errs: []string{"canary: down"}, warnings: []string{},
		},
		{
			name:    "unknown level fails",
			checks:  []reg{{"odd", CheckResult{Status: Level(7), Message: "?"}, true}},
			healthy: false, exit: 2, summary: "unhealthy",
			errs: []string{"odd: check returned unknown level 7: ?"}, warnings: []string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewChecker()
			for _, r := range tc.checks {
				var opts []CheckOption
				if r.critical {
					opts = append(opts, Critical())
				}
				if err := c.Register(r.name, static(r.r), opts...); err != nil {
					t.Fatal(err)
				}
			}
			st := c.Run(context.Background())
			if st.Healthy != tc.healthy || st.Degraded != tc.degraded || st.ExitCode() != tc.exit || st.Summary() != tc.summary {
				t.Errorf("healthy %v degraded %v exit %d summary %s; want %v %v %d %s",
					st.Healthy, st.Degraded, st.ExitCode(), st.Summary(), tc.healthy, tc.degraded, tc.exit, tc.summary)
			}
			if diff := cmp.Diff(tc.errs, st.Errors); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.warnings, st.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
			if len(st.Checks) != len(tc.checks) {
				t.Errorf("%d check results, want %d", len(st.Checks), len(tc.checks))
			}
			for _, r := range tc.checks {
				if st.Checks[r.name].Critical != r.critical {
					t.Errorf("%s: critical %v, want %v", r.name, st.Checks[r.name].Critical, r.critical)
				}
			}
		})
	}
}

func TestRunIsConcurrent(t *testing.T) {
	testkit.NoLeaks(t)
	c := NewChecker(WithTimeout(30 * time.Second))
	aStarted, bStarted := make(chan struct{}), make(chan struct{})
	// Each check waits for the other to start: sequential runs would hang
	// until the deadline and fail.
	wait := func(mine, other chan struct{}) CheckFunc {
		return func(ctx context.Context) CheckResult {
			close(mine)
			select {
			case <-other:
				return OK("")
			case <-ctx.Done():
				return Fail("other check never started")
			}
		}
	}
	_ = c.Register("a", wait(aStarted, bStarted))
	_ = c.Register("b", wait(bStarted, aStarted))
	if st := c.Run(context.Background()); !st.Healthy || st.Degraded {
		t.Errorf("status %+v", st)
	}
}

func TestRunTimeoutPanicAndCancel(t *testing.T) {
	testkit.NoLeaks(t)
	release := make(chan struct{})
	c := NewChecker(WithTimeout(time.Hour))
	_ = c.Register("stuck", func(context.Context) CheckResult { <-release; return OK("") }, Critical(), Timeout(10*time.Millisecond))
	_ = c.Register("panics", func(context.Context) CheckResult { panic("nil loader") })
	_ = c.Register("polite", func(ctx context.Context) CheckResult { <-ctx.Done(); return Fail("gave up: %v", ctx.Err()) }, Timeout(10*time.Millisecond))
	st := c.Run(context.Background())
	close(release)
	if got := st.Checks["stuck"]; got.Status != LevelFail || got.Message != "check timed out after 10ms" {
		t.Errorf("stuck: %+v", got)
	}
	if got := st.Checks["panics"]; got.Status != LevelFail || !strings.Contains(got.Message, "nil loader") {
		t.Errorf("panics: %+v", got)
	}
	if got := st.Checks["polite"]; got.Status != LevelFail {
		t.Errorf("polite: %+v", got)
	}
	if st.Healthy || st.ExitCode() != ExitUnhealthy {
		t.Errorf("a critical timeout must make the status unhealthy: %+v", st)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c2 := NewChecker()
	block := make(chan struct{})
	defer close(block)
	_ = c2.Register("slow", func(context.Context) CheckResult { <-block; return OK("") })
	if got := c2.Run(ctx).Checks["slow"]; got.Status != LevelFail || !strings.Contains(got.Message, "abandoned") {
		t.Errorf("canceled run: %+v", got)
	}
}

func TestRegisterErrors(t *testing.T) {
	c := NewChecker()
	if err := c.Register("a", static(OK(""))); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fn   CheckFunc
		opts []CheckOption
		want string
	}{
		{"a", static(OK("")), nil, "already registered"},
		{"", static(OK("")), nil, "name"},
		{"b", nil, nil, "nil function"},
		{"c", static(OK("")), []CheckOption{Timeout(0)}, "timeout"},
	} {
		if err := c.Register(tc.name, tc.fn, tc.opts...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Register(%q) = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestStatusJSON(t *testing.T) {
	now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	c := NewChecker(WithClock(func() time.Time { return now }))
	_ = c.Register("models", static(Warn("no models loaded")))
	_ = c.Register("canary", static(OK("canary passed")), Critical())
	b, err := json.Marshal(c.Run(context.Background()))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"healthy":true,"degraded":true,"errors":[],"warnings":["models: no models loaded"],` +
		`"checks":{"canary":{"status":"ok","message":"canary passed","critical":true,"duration_ns":0},` +
		`"models":{"status":"warn","message":"no models loaded","critical":false,"duration_ns":0}},` +
		`"checked_at":"2026-05-01T08:00:00Z"}`
	if string(b) != want {
		t.Errorf("JSON:\n got %s\nwant %s", b, want)
	}
	var back Status
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Checks["models"].Status != LevelWarn {
		t.Errorf("round trip: %+v", back)
	}
	var l Level
	if err := l.UnmarshalText([]byte("bad")); err == nil {
		t.Error("unknown level accepted")
	}
	if Level(9).String() != "level(9)" {
		t.Error(Level(9).String())
	}
}

func TestCanaryCheck(t *testing.T) {
	if r := CanaryCheck(func(context.Context) error { return nil })(context.Background()); r.Status != LevelOK {
		t.Errorf("%+v", r)
	}
	r := CanaryCheck(func(context.Context) error { return errors.New("scan failed") })(context.Background())
	if r.Status != LevelFail || r.Message != "canary failed: scan failed" {
		t.Errorf("%+v", r)
	}
}
