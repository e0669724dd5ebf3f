// Package llmshield scans what goes into a large language model (prompts)
// and what comes out of it (responses) for prompt injection, jailbreaks,
// toxicity, leaked secrets, personal data and more.
//
// A Shield is compiled once from a configuration and then used for many
// scans, concurrently:
//
//	sh, err := llmshield.New(ctx, cfg, llmshield.WithLogger(log))
//	...
//	rep, err := sh.ScanPrompt(ctx, prompt)
//	if !rep.Valid { /* block */ }
//
// Each scanner runs with its own deadline and panic isolation: a failing
// scanner yields an error entry in the report, not a crashed request.
package llmshield

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/isolate"
	"github.com/llmshield/llmshield/internal/promreg"
	"github.com/llmshield/llmshield/scanner"
)

// DefaultMaxInputBytes bounds the text one scan accepts.
const DefaultMaxInputBytes = 16 << 20

// Errors returned for inputs the pipeline refuses.
var (
	ErrInvalidUTF8   = scanner.ErrInvalidUTF8
	ErrInputTooLarge = errors.New("input too large")
	// ErrNoScanners refuses a scan of a stage that has no scanners: the
	// text would otherwise pass unscanned.
	ErrNoScanners = errors.New("no scanners configured for this stage")
)

// Shield is a compiled pipeline of scanners. It is safe for concurrent use.
type Shield struct {
	input, output []stage
	failFast      bool
	failOpen      bool
	maxInput      int
	log           *slog.Logger
	metrics       *metrics
	closers       []func() error
	hub           *classifier.Hub
	closeOnce     sync.Once
	closeErr      error
}

// stage is one scanner of a compiled pipeline. It holds the scanner itself
// (never a decorator), so every optional interface the scanner implements
// is seen here; its result cache, if any, is consulted by runOne.
type stage struct {
	name     string
	s        scanner.Scanner
	timeout  time.Duration
	rewriter bool
	cache    *cache.Results // nil: not cached
	label    string         // the stage in metrics: "prompt" or "output"
	metrics  *stageMetrics  // this stage's series
}

// Entry is one scanner of a pipeline built with NewFromScanners.
type Entry struct {
	// Name is what the scanner is reported as. Default: the scanner's Name().
	Name    string
	Scanner scanner.Scanner
	// Timeout bounds the scanner's run. Default: the pipeline's.
	Timeout time.Duration
}

// Pipeline describes a pipeline for NewFromScanners.
type Pipeline struct {
	Input, Output []Entry
	// Timeout is the default per-scanner deadline (default 10s).
	Timeout time.Duration
	// FailFast stops scanning once a scanner flags the text.
	FailFast bool
	// FailOpen makes scanner errors not flip the verdict.
	FailOpen bool
	// MaxInputBytes bounds one text (default DefaultMaxInputBytes).
	MaxInputBytes int
	// Cache sizes the result cache of each scanner that can be cached
	// (implements scanner.Fingerprinter) and does not size its own
	// (cache.Sizer). The zero value caches nothing, unless a shared backend
	// is given (WithCacheBackend).
	Cache cache.Settings
}

// Option configures a Shield.
type Option func(*options)

type options struct {
	log *slog.Logger
	reg prometheus.Registerer
	// cacheBackend is set by WithCacheBackend.
	cacheBackend cache.Backend
	// hub is set by WithModelHub.
	hub *classifier.Hub
}

// WithLogger sets the logger (default: discard).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithRegisterer registers the Shield's Prometheus metrics with reg.
func WithRegisterer(reg prometheus.Registerer) Option { return func(o *options) { o.reg = reg } }

// WithCacheBackend shares the scanners' result caches through b (for
// example a cache/redis Backend), so that replicas answer each other's
// repeated inputs. The pipeline consults b after a scanner's local cache
// misses; a backend failure never fails a scan (it counts as a miss).
func WithCacheBackend(b cache.Backend) Option { return func(o *options) { o.cacheBackend = b } }

func buildOptions(opts []Option) options {
	o := options{}
	for _, f := range opts {
		f(&o)
	}
	if o.log == nil {
		o.log = slog.New(slog.DiscardHandler)
	}
	return o
}

// NewFromScanners builds a Shield from scanners constructed by the caller.
func NewFromScanners(p Pipeline, opts ...Option) (*Shield, error) {
	o := buildOptions(opts)
	m, err := newMetrics(o.reg)
	if err != nil {
		return nil, fmt.Errorf("register metrics: %w", err)
	}
	if p.Timeout <= 0 {
		p.Timeout = 10 * time.Second
	}
	if p.MaxInputBytes <= 0 {
		p.MaxInputBytes = DefaultMaxInputBytes
	}
	sh := &Shield{failFast: p.FailFast, failOpen: p.FailOpen, maxInput: p.MaxInputBytes, log: o.log, metrics: m}
	var errs []error
	compile := func(list []Entry, st scanner.Stage, what string) []stage {
		out := make([]stage, 0, len(list))
		seen := map[string]bool{}
		for i, e := range list {
			if e.Scanner == nil {
				errs = append(errs, fmt.Errorf("%s[%d]: nil scanner", what, i))
				continue
			}
			name := e.Name
			if name == "" {
				name = e.Scanner.Name()
			}
			if seen[name] {
				errs = append(errs, fmt.Errorf("%s[%d]: scanner name %q used twice", what, i, name))
			}
			seen[name] = true
			if sg, ok := e.Scanner.(scanner.Stager); ok && sg.Stages()&st == 0 {
				errs = append(errs, fmt.Errorf("%s[%d]: scanner %q cannot run on %s", what, i, name, stageName(st)))
			}
			t := e.Timeout
			if t <= 0 {
				t = p.Timeout
			}
			rw, _ := e.Scanner.(scanner.Rewriter)
			rc, err := cache.ForScanner(name, e.Scanner, p.Cache, o.cacheBackend, o.log)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s[%d]: cache: %w", what, i, err))
			}
			out = append(out, stage{name: name, s: e.Scanner, timeout: t, rewriter: rw != nil && rw.Rewrites(), cache: rc, label: stageLabel(st), metrics: m.forStage(name, stageLabel(st))})
			if c, ok := e.Scanner.(scanner.Closer); ok {
				sh.closers = append(sh.closers, c.Close)
			}
		}
		return out
	}
	sh.input = compile(p.Input, scanner.StagePrompt, "input_scanners")
	sh.output = compile(p.Output, scanner.StageOutput, "output_scanners")
	if err := errors.Join(errs...); err != nil {
		_ = sh.Close()
		return nil, err
	}
	if reg := promreg.Takeover(o.reg); reg != nil {
		// The caches count their own lookups; the newest Shield on a
		// registry exports them (a reload takes the series over).
		cc := &cacheCollector{sh: sh}
		if err := reg.Register(cc); err != nil {
			_ = sh.Close()
			return nil, fmt.Errorf("register metrics: %w", err)
		}
		sh.closers = append(sh.closers, func() error { reg.Unregister(cc); return nil })
	}
	return sh, nil
}

func stageLabel(s scanner.Stage) string {
	if s == scanner.StageOutput {
		return "output"
	}
	return "prompt"
}

func stageName(s scanner.Stage) string {
	if s == scanner.StageOutput {
		return "outputs"
	}
	return "prompts"
}

// Report is the outcome of one scan through the pipeline.
type Report struct {
	// Valid is false when any scanner flagged the text (or, unless the
	// pipeline fails open, when any scanner failed).
	Valid bool `json:"valid"`
	// Risk is the highest risk any scanner reported.
	Risk float64 `json:"risk"`
	// Sanitized is the text after every rewriting scanner ran.
	Sanitized string `json:"sanitized"`
	// Scanners holds each scanner's outcome in configuration order.
	Scanners []ScannerReport `json:"scanners"`
	// Duration is the wall time of the whole scan.
	Duration time.Duration `json:"-"`
}

// ScannerReport is one scanner's outcome.
type ScannerReport struct {
	Name   string         `json:"name"`
	Result scanner.Result `json:"result"`
	// Err is set when the scanner failed (error, timeout, panic).
	Err error `json:"-"`
	// Skipped is true when fail-fast stopped the pipeline before this scanner
	// reached a verdict.
	Skipped bool `json:"skipped,omitempty"`
}

// Err joins the errors of every failed scanner (nil when none failed).
func (r *Report) Err() error {
	var errs []error
	for _, s := range r.Scanners {
		if s.Err != nil {
			errs = append(errs, s.Err)
		}
	}
	return errors.Join(errs...)
}

// ScanOption adjusts one scan.
type ScanOption func(*scanOptions)

type scanOptions struct {
	suppress   map[string]bool
	noSanitize bool
	sequential bool
	userID     string
	vault      *scanner.Vault // set by WithVault (vault.go)
	// canary marks a health probe: it is not traffic, so it stays out of
	// the scan metrics.
	canary bool
}

func canaryScan() ScanOption { return func(o *scanOptions) { o.canary = true } }

// Suppress skips the named scanners for this scan (LLM Guard's scanners_suppress).
func Suppress(names ...string) ScanOption {
	return func(o *scanOptions) {
		if o.suppress == nil {
			o.suppress = map[string]bool{}
		}
		for _, n := range names {
			o.suppress[n] = true
		}
	}
}

// WithoutSanitizing runs every scanner concurrently on the original text
// (no rewriting chain); Report.Sanitized is then the original text.
func WithoutSanitizing() ScanOption { return func(o *scanOptions) { o.noSanitize = true } }

// Sequentially runs every scanner one after another in configuration
// order, each on the text the previous ones sanitized, as LLM Guard's
// /analyze endpoints do; with fail-fast the first invalid verdict skips
// the rest. Slower than the default (detectors run concurrently on the
// sanitized text), same sanitized text.
func Sequentially() ScanOption { return func(o *scanOptions) { o.sequential = true } }

// ForUser passes an end-user id to scanners (sticky rollout, A/B groups).
func ForUser(id string) ScanOption { return func(o *scanOptions) { o.userID = id } }

// ScanPrompt scans a prompt with the input scanners. It returns an error
// only when the pipeline refuses the input itself (ErrInputTooLarge,
// ErrInvalidUTF8); a scanner's failure is recorded in its ScannerReport
// (Report.Err joins them) and, unless the pipeline fails open, makes the
// report invalid.
func (sh *Shield) ScanPrompt(ctx context.Context, prompt string, opts ...ScanOption) (Report, error) {
	return sh.run(ctx, sh.input, scanner.Input{Prompt: prompt}, opts)
}

// ScanOutput scans an LLM response, given the prompt that produced it, with
// the output scanners. Errors are as for ScanPrompt.
func (sh *Shield) ScanOutput(ctx context.Context, prompt, output string, opts ...ScanOption) (Report, error) {
	return sh.run(ctx, sh.output, scanner.Input{Prompt: prompt, Output: output, Stage: scanner.StageOutput}, opts)
}

// Scanners returns the names of the input and output scanners, in order.
func (sh *Shield) Scanners() (input, output []string) {
	for _, s := range sh.input {
		input = append(input, s.name)
	}
	for _, s := range sh.output {
		output = append(output, s.name)
	}
	return input, output
}

// ModelHub returns the hub the Shield's ML scanners use (nil when none).
func (sh *Shield) ModelHub() *classifier.Hub { return sh.hub }

// ScannerByName returns a configured scanner (input first, then output).
func (sh *Shield) ScannerByName(name string) (scanner.Scanner, bool) {
	for _, list := range [][]stage{sh.input, sh.output} {
		for _, s := range list {
			if s.name == name {
				return s.s, true
			}
		}
	}
	return nil, false
}

// Close releases the scanners' resources (model sessions).
func (sh *Shield) Close() error {
	sh.closeOnce.Do(func() {
		var errs []error
		for _, c := range sh.closers {
			errs = append(errs, c())
		}
		sh.closeErr = errors.Join(errs...)
	})
	return sh.closeErr
}

func (sh *Shield) checkInput(in scanner.Input) error {
	for _, t := range []struct{ what, s string }{{"prompt", in.Prompt}, {"output", in.Output}} {
		if len(t.s) > sh.maxInput {
			return fmt.Errorf("%s is %d bytes, more than the limit of %d: %w", t.what, len(t.s), sh.maxInput, ErrInputTooLarge)
		}
		if !utf8.ValidString(t.s) {
			return fmt.Errorf("%s: invalid byte at offset %d: %w", t.what, firstInvalid(t.s), ErrInvalidUTF8)
		}
	}
	return nil
}

func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return -1
}

func (sh *Shield) run(ctx context.Context, stages []stage, in scanner.Input, opts []ScanOption) (Report, error) {
	start := time.Now()
	var so scanOptions
	for _, f := range opts {
		f(&so)
	}
	in.UserID = so.userID
	in.Vault = so.vault
	rep := Report{Valid: true, Sanitized: in.Text(), Scanners: []ScannerReport{}}
	if len(stages) == 0 {
		// Nothing would look at the text: refuse it rather than pass it.
		rep.Valid = false
		return rep, fmt.Errorf("%s: %w", stageName(in.Stage), ErrNoScanners)
	}
	if err := sh.checkInput(in); err != nil {
		rep.Valid = false
		rep.Duration = time.Since(start)
		return rep, err
	}
	active := stages
	if len(so.suppress) > 0 {
		active = make([]stage, 0, len(stages))
		for _, st := range stages {
			if !so.suppress[st.name] {
				active = append(active, st)
			}
		}
	}
	rep.Scanners = make([]ScannerReport, len(active))
	for i, st := range active {
		rep.Scanners[i].Name = st.name
	}

	// Phase 1: rewriters, one after another, each on the previous output.
	var doneBuf [16]bool // no allocation for the usual short pipelines
	var done []bool
	if len(active) <= len(doneBuf) {
		done = doneBuf[:len(active)]
	} else {
		done = make([]bool, len(active))
	}
	stopped := false
	detectors := len(active)
	if !so.noSanitize {
		for i, st := range active {
			if !st.rewriter && !so.sequential {
				continue
			}
			done[i] = true
			detectors--
			if stopped {
				skip(&rep.Scanners[i])
				continue
			}
			step := in
			setText(&step, rep.Sanitized)
			r, err := sh.runOne(ctx, st, step, !so.canary)
			rep.Scanners[i].Result, rep.Scanners[i].Err = r, err
			if err == nil && utf8.ValidString(r.Sanitized) {
				rep.Sanitized = r.Sanitized
			}
			if sh.failFast && (err != nil || !r.Valid) {
				stopped = true
			}
		}
	}
	// Phase 2: detectors, concurrently, on the sanitized text. When a
	// rewriter already stopped the pipeline they never run: skipped.
	switch {
	case stopped:
		for i := range active {
			if !done[i] {
				skip(&rep.Scanners[i])
			}
		}
	case detectors == 1:
		// One detector: no other scanner to run beside it, so it runs on
		// this goroutine (runOne still isolates it with its deadline).
		step := in
		setText(&step, rep.Sanitized)
		for i, st := range active {
			if !done[i] {
				rep.Scanners[i].Result, rep.Scanners[i].Err = sh.runOne(ctx, st, step, !so.canary)
			}
		}
	case detectors > 1:
		// Fail-fast cancels the others once one flags the text.
		dctx, cancel := ctx, context.CancelFunc(func() {})
		if sh.failFast {
			dctx, cancel = context.WithCancel(ctx)
		}
		step := in
		setText(&step, rep.Sanitized)
		var wg sync.WaitGroup
		var once sync.Once
		last := -1 // the last detector runs on this goroutine
		for i := range active {
			if !done[i] {
				last = i
			}
		}
		out, observe := rep.Scanners, !so.canary // not rep itself: it would escape
		runDetector := func(i int, st stage) {
			r, err := sh.runOne(dctx, st, step, observe)
			out[i].Result, out[i].Err = r, err
			if sh.failFast && (err == nil && !r.Valid) {
				once.Do(cancel)
			}
		}
		for i, st := range active {
			if done[i] || i == last {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				runDetector(i, st)
			}()
		}
		runDetector(last, active[last])
		wg.Wait()
		cancel()
	}
	// A scanner cut short by fail-fast is skipped, not failed.
	failFastHit := false
	for i := range rep.Scanners {
		s := &rep.Scanners[i]
		if s.Err == nil && !s.Result.Valid && !s.Skipped {
			failFastHit = sh.failFast
		}
	}
	for i := range rep.Scanners {
		s := &rep.Scanners[i]
		if failFastHit && s.Err != nil && errors.Is(s.Err, context.Canceled) {
			skip(s)
		}
		switch {
		case s.Skipped:
		case s.Err != nil:
			if !sh.failOpen {
				rep.Valid = false
			}
		case !s.Result.Valid:
			rep.Valid = false
		}
		if !s.Skipped && s.Err == nil {
			rep.Risk = max(rep.Risk, s.Result.Risk)
		}
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

// skip marks a scanner that fail-fast stopped before it reached a verdict.
func skip(s *ScannerReport) {
	s.Err, s.Skipped = nil, true
	s.Result = scanner.Result{Valid: true, Findings: []scanner.Finding{}}
}

func setText(in *scanner.Input, s string) {
	if in.IsOutput() {
		in.Output = s
	} else {
		in.Prompt = s
	}
}

// runOne runs one scanner with its deadline, recovering from panics. A
// scanner that ignores its context is abandoned at the deadline (its
// goroutine finishes in the background and is logged). observe says whether
// the scan counts in the metrics (health canaries do not).
func (sh *Shield) runOne(ctx context.Context, st stage, in scanner.Input, observe bool) (scanner.Result, error) {
	start := time.Now()
	var key cache.Key
	if st.cache != nil {
		r, k, hit := st.cache.Lookup(ctx, in)
		if hit {
			r.Duration = time.Since(start)
			if observe {
				st.metrics.observe(r, r.Duration, nil)
			}
			if sh.debug() {
				sh.log.Debug("scanned", "scanner", st.name, "valid", r.Valid, "risk", r.Risk, "method", r.Method.String(), "cached", true)
			}
			return r, nil
		}
		key = k
	}
	o := isolate.Run(ctx, st.timeout, 10*time.Millisecond, func(ctx context.Context) (scanner.Result, error) {
		return st.s.Scan(ctx, in)
	})
	r, err := o.Value, o.Err
	p, panicked := errors.AsType[*isolate.Panic](err)
	switch {
	case panicked:
		sh.log.Error("scanner panicked", "scanner", st.name, "panic", fmt.Sprint(p.Value), "stack", string(p.Stack))
		err = fmt.Errorf("%w: %v", scanner.ErrPanic, p.Value)
	case o.Abandoned:
		// A well-behaved scanner had a moment to return its own error.
		sh.log.Warn("scanner ignored its context deadline", "scanner", st.name, "timeout", st.timeout)
	}
	d := time.Since(start)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) && (o.TimedOut || errors.Is(context.Cause(ctx), context.DeadlineExceeded)) {
			err = fmt.Errorf("%w after %s: %w", scanner.ErrTimeout, st.timeout, err)
		}
		err = &scanner.Error{Scanner: st.name, Err: err}
		r = scanner.Result{Valid: false, Risk: 0, Sanitized: in.Text(), Findings: []scanner.Finding{}}
		if sh.debug() {
			sh.log.Debug("scanner failed", "scanner", st.name, "error", err)
		}
	} else {
		r.Risk = scanner.ClampRisk(r.Risk)
		if r.Findings == nil {
			r.Findings = []scanner.Finding{}
		}
		if r.Duration == 0 {
			r.Duration = d
		}
		if st.cache != nil {
			st.cache.Store(ctx, key, in, r)
		}
	}
	if observe {
		st.metrics.observe(r, d, err)
	}
	if sh.debug() {
		sh.log.Debug("scanned", "scanner", st.name, "valid", r.Valid, "risk", r.Risk, "method", r.Method.String(), "duration", d)
	}
	return r, err
}

// debug reports whether debug logs are written: their attributes are only
// made then (boxing them costs allocations on every scan).
func (sh *Shield) debug() bool { return sh.log.Enabled(context.Background(), slog.LevelDebug) }
