package resilience

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/llmshield/llmshield/internal/textenum"
)

// State is a breaker state. Its numeric value is the value of the
// llmshield_breaker_state gauge.
type State int

// Breaker states.
const (
	StateClosed   State = 0 // calls pass; failures are counted
	StateHalfOpen State = 1 // a few trial calls pass; one failure reopens
	StateOpen     State = 2 // calls fail fast with ErrOpen
)

var stateNames = textenum.Names[State]{Type: "state", Names: []string{StateClosed: "closed", StateHalfOpen: "half-open", StateOpen: "open"}}

// String returns "closed", "half-open" or "open".
func (s State) String() string { return stateNames.String(s) }

// MarshalText encodes the state as its String form, for JSON and logs.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func fromGobreaker(s gobreaker.State) State {
	switch s {
	case gobreaker.StateHalfOpen:
		return StateHalfOpen
	case gobreaker.StateOpen:
		return StateOpen
	default:
		return StateClosed
	}
}

// BreakerConfig configures a Breaker. Zero fields take the defaults below.
//
// The breaker opens when, in the closed state and within the current Window,
// ConsecutiveFailures calls fail in a row, or at least MinRequests calls have
// completed and the fraction of them that failed is >= FailureRatio. If both
// ConsecutiveFailures and FailureRatio are zero, both default; if only one is
// set, the other trigger is off.
//
// After CoolDown in the open state it turns half-open and lets MaxHalfOpen
// trial calls through; MaxHalfOpen successes in a row close it, and any
// failure opens it again for another CoolDown.
type BreakerConfig struct {
	ConsecutiveFailures uint32        `json:"consecutive_failures" yaml:"consecutive_failures"` // default 5
	FailureRatio        float64       `json:"failure_ratio" yaml:"failure_ratio"`               // default 0.5, in (0, 1]
	MinRequests         uint32        `json:"min_requests" yaml:"min_requests"`                 // default 20
	Window              time.Duration `json:"window" yaml:"window"`                             // default 1m, rolling in 10 buckets
	CoolDown            time.Duration `json:"cool_down" yaml:"cool_down"`                       // default 30s
	MaxHalfOpen         uint32        `json:"max_half_open" yaml:"max_half_open"`               // default 1

	// IsExcluded, if set, names errors that count neither as success nor as
	// failure (for example an input the model rejects as too long). The
	// caller's own cancellation and errors marked NotModelFault are always
	// excluded.
	IsExcluded func(error) bool `json:"-" yaml:"-"`
}

// Breaker defaults.
const (
	DefaultConsecutiveFailures = 5
	DefaultFailureRatio        = 0.5
	DefaultMinRequests         = 20
	DefaultWindow              = time.Minute
	DefaultCoolDown            = 30 * time.Second
	DefaultMaxHalfOpen         = 1
)

// Validate reports a field that cannot be used.
func (c BreakerConfig) Validate() error {
	switch {
	case math.IsNaN(c.FailureRatio) || c.FailureRatio < 0 || c.FailureRatio > 1:
		return fmt.Errorf("resilience: breaker failure_ratio: must be in [0, 1], got %v", c.FailureRatio)
	case c.Window < 0:
		return fmt.Errorf("resilience: breaker window: must not be negative, got %s", c.Window)
	case c.CoolDown < 0:
		return fmt.Errorf("resilience: breaker cool_down: must not be negative, got %s", c.CoolDown)
	}
	return nil
}

func (c BreakerConfig) withDefaults() BreakerConfig {
	if c.ConsecutiveFailures == 0 && c.FailureRatio == 0 {
		c.ConsecutiveFailures = DefaultConsecutiveFailures
		c.FailureRatio = DefaultFailureRatio
	}
	if c.FailureRatio > 0 && c.MinRequests == 0 {
		c.MinRequests = DefaultMinRequests
	}
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.CoolDown == 0 {
		c.CoolDown = DefaultCoolDown
	}
	if c.MaxHalfOpen == 0 {
		c.MaxHalfOpen = DefaultMaxHalfOpen
	}
	return c
}

func (c BreakerConfig) readyToTrip(n gobreaker.Counts) bool {
	if c.ConsecutiveFailures > 0 && n.ConsecutiveFailures >= c.ConsecutiveFailures {
		return true
	}
	done := uint64(n.TotalSuccesses) + uint64(n.TotalFailures)
	return c.FailureRatio > 0 && done > 0 && done >= uint64(c.MinRequests) &&
		float64(n.TotalFailures)/float64(done) >= c.FailureRatio
}

// Option configures a Breaker or a Guard.
type Option func(*options)

type options struct {
	log *slog.Logger
	reg prometheus.Registerer
}

// WithLogger logs state changes to l (default: discarded).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithRegisterer registers the breaker's metrics with reg (default: none).
// Breakers sharing a registerer need distinct names; call Close to
// unregister before creating a replacement with the same name.
func WithRegisterer(reg prometheus.Registerer) Option { return func(o *options) { o.reg = reg } }

func buildOptions(opts []Option) options {
	var o options
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	return o
}

// Breaker is a circuit breaker for one model. It is safe for concurrent use.
type Breaker struct {
	name        string
	cb          *gobreaker.CircuitBreaker[struct{}]
	log         *slog.Logger
	reg         prometheus.Registerer
	collector   *breakerCollector
	transitions [3][3]atomic.Uint64 // [from][to]
	rejected    atomic.Uint64

	// Rejections are hot under an outage: their errors are built once.
	errOpen, errSaturated error
}

// callerGone marks an error returned after the caller's context ended, so
// the breaker excludes it from its counts.
type callerGone struct{ err error }

func (e callerGone) Error() string { return e.err.Error() }
func (e callerGone) Unwrap() error { return e.err }

// NewBreaker returns a closed breaker named name (the model or scanner ID;
// it is the value of the "breaker" metric label, so keep the set of names
// bounded). It fails on an invalid cfg, an empty name, or a metrics
// registration conflict.
func NewBreaker(name string, cfg BreakerConfig, opts ...Option) (*Breaker, error) {
	if name == "" {
		return nil, errors.New("resilience: breaker name: must not be empty")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w (breaker %q)", err, name)
	}
	cfg = cfg.withDefaults()
	o := buildOptions(opts)
	b := &Breaker{
		name:         name,
		log:          o.log.With("breaker", name),
		errOpen:      fmt.Errorf("resilience: breaker %q: %w", name, ErrOpen),
		errSaturated: fmt.Errorf("resilience: breaker %q: half-open with all trial calls in flight: %w", name, ErrOpen),
	}
	extraExcluded := cfg.IsExcluded
	b.cb = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         name,
		MaxRequests:  cfg.MaxHalfOpen,
		Interval:     cfg.Window,
		BucketPeriod: cfg.Window / 10,
		Timeout:      cfg.CoolDown,
		ReadyToTrip:  cfg.readyToTrip,
		IsExcluded: func(err error) bool {
			var cg callerGone
			return errors.As(err, &cg) || IsNotModelFault(err) || (extraExcluded != nil && extraExcluded(err))
		},
		// Called with gobreaker's lock held: must not call back into cb.
		OnStateChange: func(_ string, from, to gobreaker.State) { b.onStateChange(fromGobreaker(from), fromGobreaker(to)) },
	})
	if o.reg != nil {
		c := newBreakerCollector(b)
		if err := o.reg.Register(c); err != nil {
			return nil, fmt.Errorf("resilience: breaker %q: register metrics: %w", name, err)
		}
		b.reg, b.collector = o.reg, c
	}
	return b, nil
}

func (b *Breaker) onStateChange(from, to State) {
	b.transitions[from][to].Add(1)
	level := slog.LevelInfo
	if to == StateOpen {
		level = slog.LevelWarn
	}
	b.log.Log(context.Background(), level, "circuit breaker state changed", "from", from.String(), "to", to.String())
}

// Name returns the breaker's name.
func (b *Breaker) Name() string { return b.name }

// State returns the current state. An open breaker whose cool-down has
// passed reports half-open.
func (b *Breaker) State() State { return fromGobreaker(b.cb.State()) }

// Rejected returns how many calls the breaker refused with ErrOpen.
func (b *Breaker) Rejected() uint64 { return b.rejected.Load() }

// Transitions returns how many times the breaker went from one state to
// another.
func (b *Breaker) Transitions(from, to State) uint64 {
	if from < 0 || from > StateOpen || to < 0 || to > StateOpen {
		return 0
	}
	return b.transitions[from][to].Load()
}

// Execute runs fn if the breaker allows it and records the outcome. A
// rejected call returns an error wrapping ErrOpen without running fn. An
// error returned after ctx ended is the caller's doing and is not counted as
// a failure of the model; if ctx has already ended, fn is not run and the
// error wraps ctx.Err(). A panic in fn counts as a failure and is re-raised.
func (b *Breaker) Execute(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("resilience: breaker %q: call not started: %w", b.name, err)
	}
	_, err := b.cb.Execute(func() (struct{}, error) {
		err := fn(ctx)
		if err != nil && ctx.Err() != nil {
			return struct{}{}, callerGone{err}
		}
		return struct{}{}, err
	})
	if err == nil {
		return nil
	}
	switch {
	case errors.Is(err, gobreaker.ErrOpenState):
		b.rejected.Add(1)
		return b.errOpen
	case errors.Is(err, gobreaker.ErrTooManyRequests):
		b.rejected.Add(1)
		return b.errSaturated
	}
	var cg callerGone
	if errors.As(err, &cg) {
		return cg.err
	}
	return err
}

// Close unregisters the breaker's metrics (if any). The breaker keeps
// working; Close only lets a replacement with the same name register.
func (b *Breaker) Close() error {
	if b.reg != nil && b.collector != nil {
		b.reg.Unregister(b.collector)
	}
	return nil
}

// possibleTransitions are the state changes gobreaker makes; they are all
// exported from the start (at 0) so rate() works from the first change.
var possibleTransitions = [...][2]State{
	{StateClosed, StateOpen},
	{StateOpen, StateHalfOpen},
	{StateHalfOpen, StateOpen},
	{StateHalfOpen, StateClosed},
}

// breakerCollector exports one breaker's state at scrape time, so an open
// breaker whose cool-down has passed shows as half-open without a call.
// The breaker name is a constant label, so that breakers sharing a registry
// have distinct descriptors.
type breakerCollector struct {
	b                          *Breaker
	state, transitions, reject *prometheus.Desc
}

func newBreakerCollector(b *Breaker) *breakerCollector {
	l := prometheus.Labels{"breaker": b.name}
	return &breakerCollector{
		b: b,
		state: prometheus.NewDesc("llmshield_breaker_state",
			"Circuit breaker state: 0 closed, 1 half-open, 2 open.", nil, l),
		transitions: prometheus.NewDesc("llmshield_breaker_transitions_total",
			"Circuit breaker state changes.", []string{"from", "to"}, l),
		reject: prometheus.NewDesc("llmshield_breaker_rejected_total",
			"Calls refused by an open or saturated half-open circuit breaker.", nil, l),
	}
}

func (c *breakerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.state
	ch <- c.transitions
	ch <- c.reject
}

func (c *breakerCollector) Collect(ch chan<- prometheus.Metric) {
	b := c.b
	ch <- prometheus.MustNewConstMetric(c.state, prometheus.GaugeValue, float64(b.State()))
	for _, t := range possibleTransitions {
		ch <- prometheus.MustNewConstMetric(c.transitions, prometheus.CounterValue,
			float64(b.Transitions(t[0], t[1])), t[0].String(), t[1].String())
	}
	ch <- prometheus.MustNewConstMetric(c.reject, prometheus.CounterValue, float64(b.Rejected()))
}
