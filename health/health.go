// Package health aggregates health checks of the ML components into one
// Status for /readyz and for the CLI's exit code.
//
// A Checker runs registered CheckFuncs concurrently, each with its own
// deadline and panic isolation. A check reports OK, Warn or Fail; a failing
// critical check makes the status unhealthy, any other problem makes it
// degraded. Ready-made checks (ModelsCheck, BreakersCheck, CacheCheck,
// CallsCheck, RateCheck, CanaryCheck) take small interfaces or functions:
// the scanners plug in through scanner.HealthReporter, the model loader and
// the result cache through a one-line adapter. The package imports no
// llmshield package but the scanner contract and internal helpers
// (isolate, textenum).
//
// No health-check library is in go.mod; the aggregation here is one
// isolated call per check (internal/isolate: a deadline and a recover),
// so it is written out rather than adding a dependency.
//
// Public on purpose: Shield.Health returns its Status and takes its
// Thresholds.
package health

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/llmshield/llmshield/internal/isolate"
	"github.com/llmshield/llmshield/internal/textenum"
)

// Level is a check's verdict.
type Level int

// Check levels, from best to worst.
const (
	LevelOK Level = iota
	LevelWarn
	LevelFail
)

var levelNames = textenum.Names[Level]{Type: "level", Names: []string{LevelOK: "ok", LevelWarn: "warn", LevelFail: "fail"}}

// String returns "ok", "warn" or "fail".
func (l Level) String() string { return levelNames.String(l) }

// MarshalText encodes the level as its String form.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText decodes "ok", "warn" or "fail".
func (l *Level) UnmarshalText(b []byte) error {
	for i, n := range levelNames.Names {
		if string(b) == n {
			*l = Level(i)
			return nil
		}
	}
	return fmt.Errorf("health: unknown level %q", b)
}

// CheckResult is one check's outcome. The Checker fills Critical and
// Duration.
type CheckResult struct {
	Status   Level         `json:"status"`
	Message  string        `json:"message,omitempty"`
	Critical bool          `json:"critical"`
	Duration time.Duration `json:"duration_ns"`
}

// OK returns a passing result.
func OK(msg string) CheckResult { return CheckResult{Status: LevelOK, Message: msg} }

// Warn returns a warning: the component works, but worse than it should.
func Warn(format string, args ...any) CheckResult {
	return CheckResult{Status: LevelWarn, Message: fmt.Sprintf(format, args...)}
}

// Fail returns a failure: the component does not work.
func Fail(format string, args ...any) CheckResult {
	return CheckResult{Status: LevelFail, Message: fmt.Sprintf(format, args...)}
}

// CheckFunc checks one component. It should return promptly once ctx ends.
type CheckFunc func(ctx context.Context) CheckResult

// Status is the aggregated health. JSON keys are stable snake_case; slices
// are never null.
type Status struct {
	// Healthy is false when a critical check failed.
	Healthy bool `json:"healthy"`
	// Degraded is true when any warning is present.
	Degraded bool `json:"degraded"`
	// Errors lists the failed critical checks, "name: message", by name.
	Errors []string `json:"errors"`
	// Warnings lists the other checks that did not pass, "name: message",
	// by name.
	Warnings []string `json:"warnings"`
	// Checks holds every check's result by name.
	Checks    map[string]CheckResult `json:"checks"`
	CheckedAt time.Time              `json:"checked_at"`
}

// CLI exit codes for a Status.
const (
	ExitHealthy   = 0
	ExitDegraded  = 1
	ExitUnhealthy = 2
)

// ExitCode maps the status to the CLI's exit code: 0 healthy, 1 degraded,
// 2 unhealthy.
func (s Status) ExitCode() int {
	switch {
	case !s.Healthy:
		return ExitUnhealthy
	case s.Degraded:
		return ExitDegraded
	}
	return ExitHealthy
}

// Summary returns "healthy", "degraded" or "unhealthy".
func (s Status) Summary() string {
	return [...]string{"healthy", "degraded", "unhealthy"}[s.ExitCode()]
}

// Option configures a Checker.
type Option func(*Checker)

// WithTimeout sets the default deadline of each check (default 2s).
func WithTimeout(d time.Duration) Option { return func(c *Checker) { c.timeout = d } }

// WithLogger logs checks that time out or panic (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(c *Checker) { c.log = l } }

// WithClock sets the clock for CheckedAt and durations (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *Checker) { c.now = now } }

// CheckOption configures one registered check.
type CheckOption func(*check)

// Critical makes the check's failure make the status unhealthy.
func Critical() CheckOption { return func(c *check) { c.critical = true } }

// Timeout overrides the Checker's deadline for this check.
func Timeout(d time.Duration) CheckOption { return func(c *check) { c.timeout = d } }

type check struct {
	name     string
	fn       CheckFunc
	critical bool
	timeout  time.Duration
}

// DefaultTimeout is a check's deadline unless configured otherwise.
const DefaultTimeout = 2 * time.Second

// Checker runs registered checks. It is safe for concurrent use.
type Checker struct {
	timeout time.Duration
	log     *slog.Logger
	now     func() time.Time

	mu     sync.RWMutex
	checks []check
}

// NewChecker returns a Checker with no checks. With none registered, Run
// reports healthy.
func NewChecker(opts ...Option) *Checker {
	c := &Checker{timeout: DefaultTimeout}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Register adds a check. Names must be unique and non-empty.
func (c *Checker) Register(name string, fn CheckFunc, opts ...CheckOption) error {
	if name == "" {
		return errors.New("health: check name: must not be empty")
	}
	if fn == nil {
		return fmt.Errorf("health: check %q: nil function", name)
	}
	ck := check{name: name, fn: fn, timeout: c.timeout}
	for _, o := range opts {
		if o != nil {
			o(&ck)
		}
	}
	if ck.timeout <= 0 {
		return fmt.Errorf("health: check %q timeout: must be positive, got %s", name, ck.timeout)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.ContainsFunc(c.checks, func(x check) bool { return x.name == name }) {
		return fmt.Errorf("health: check %q: already registered", name)
	}
	c.checks = append(c.checks, ck)
	return nil
}

// Run runs every check concurrently and aggregates the results. Each check
// gets its own deadline; one that has not returned by then, or that
// panics, fails with a message saying so (its goroutine is left to finish
// on its own). Run returns when every check has returned or timed out.
func (c *Checker) Run(ctx context.Context) Status {
	c.mu.RLock()
	checks := slices.Clone(c.checks)
	c.mu.RUnlock()

	results := make([]CheckResult, len(checks))
	var wg sync.WaitGroup
	for i, ck := range checks {
		wg.Go(func() {
			results[i] = c.runOne(ctx, ck)
		})
	}
	wg.Wait()

	st := Status{Healthy: true, Errors: []string{}, Warnings: []string{}, Checks: make(map[string]CheckResult, len(checks)), CheckedAt: c.now()}
	for i, ck := range checks {
		st.Checks[ck.name] = results[i]
	}
	for _, name := range slices.Sorted(maps.Keys(st.Checks)) {
		r := st.Checks[name]
		line := name + ": " + r.Message
		switch {
		case r.Status == LevelOK:
		case r.Status == LevelFail && r.Critical:
			st.Healthy = false
			st.Errors = append(st.Errors, line)
		default:
			st.Warnings = append(st.Warnings, line)
		}
	}
	st.Degraded = len(st.Warnings) > 0
	return st
}

func (c *Checker) runOne(ctx context.Context, ck check) CheckResult {
	start := c.now()
	o := isolate.Run(ctx, ck.timeout, 0, func(ctx context.Context) (CheckResult, error) { return ck.fn(ctx), nil })
	r := o.Value
	p, panicked := errors.AsType[*isolate.Panic](o.Err)
	switch {
	case panicked:
		c.log.Error("health check panicked", "check", ck.name, "panic", p.Value)
		r = Fail("check panicked: %v", p.Value)
	case o.Abandoned && ctx.Err() != nil:
		r = Fail("check abandoned: %v", ctx.Err())
	case o.Abandoned:
		c.log.Warn("health check ignored its deadline", "check", ck.name, "timeout", ck.timeout)
		r = Fail("check timed out after %s", ck.timeout)
	}
	if r.Status < LevelOK || r.Status > LevelFail {
		r = Fail("check returned unknown level %d: %s", int(r.Status), r.Message)
	}
	r.Critical = ck.critical
	r.Duration = c.now().Sub(start)
	return r
}
