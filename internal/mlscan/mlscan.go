// Package mlscan is the hybrid ML layer shared by the prompt-injection,
// toxicity and sentiment scanners: a Detector combines a fast heuristic with
// a classifier from the model hub, as its HybridMode says, and adds what a
// production ML call needs: a per-call timeout, retries and a circuit
// breaker, fallback to the heuristic, percentage rollout, A/B groups and
// shadow mode. The model's work per text is bounded up front
// (ml.max_windows; a longer text is sampled and the result marked Partial),
// its call timeout grows with that work, and overruns of large inputs never
// count against the breaker. When the model cannot answer,
// ml.on_unavailable decides (see Unavailable) and the result is marked
// Degraded. Every result says which method reached it. Results are cached
// by the pipeline (see cache.Results), sized by the scanner's ml.cache.
package mlscan

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/blake2b"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/promreg"
	"github.com/llmshield/llmshield/internal/resilience"
	"github.com/llmshield/llmshield/internal/rollout"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/tokenizer"
)

// Heuristic is the rule side of a hybrid scanner.
type Heuristic interface {
	// Assess returns the heuristic risk in [0,1] and what matched.
	Assess(text string) (risk float64, findings []scanner.Finding)
}

// Model is what a Detector needs of a loaded classifier.
// *classifier.Classifier implements it.
type Model interface {
	Classify(ctx context.Context, text string, mt classifier.MatchType, positive []string) (classifier.Prediction, error)
	// BestLabel names the positive label behind a prediction.
	BestLabel(p classifier.Prediction, positive []string) string
	// Threshold is the model's default threshold (0: none).
	Threshold() float64
	// Version identifies the weights (for cache keys).
	Version() string
}

// Models gives a Detector its model, loading it on first use.
type Models interface {
	Get(ctx context.Context, ref classifier.Ref) (Model, error)
}

// FromHub adapts a classifier hub to Models.
func FromHub(h *classifier.Hub) Models { return hubModels{h} }

type hubModels struct{ h *classifier.Hub }

func (m hubModels) Get(ctx context.Context, ref classifier.Ref) (Model, error) {
	c, err := m.h.Get(ctx, ref)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Options are what a Detector needs besides its Config.
type Options struct {
	// Name is the scanner name in results ("prompt_injection").
	Name string
	// Instance distinguishes two detectors of one scanner type in metrics
	// (e.g. "input_scanners[1]"). Default: Name.
	Instance string
	// Task selects the registry's default model when Config.Model is empty.
	Task model.Task
	// Heuristic is required.
	Heuristic Heuristic
	// HeuristicThreshold: a heuristic risk at or above it flags the text.
	HeuristicThreshold float64
	// Models provides the classifier; nil means no model is available (every
	// ML call fails, and falls back if allowed).
	Models Models
	// Stages where the scanner may run (default both).
	Stages scanner.Stage
	// Logger and Registerer are injected observability (nil: none).
	Logger     *slog.Logger
	Registerer prometheus.Registerer
}

// Option supplies what a Detector needs from its surroundings (model hub,
// observability, instance name).
type Option func(*Options)

// WithEnv sets the instance name (e.g. "input_scanners[1]"), the model
// source and the injected observability; zero values keep the defaults.
func WithEnv(instance string, models Models, log *slog.Logger, reg prometheus.Registerer) Option {
	return func(o *Options) {
		o.Instance, o.Models, o.Logger, o.Registerer = instance, models, log, reg
	}
}

// Detector is a hybrid heuristic + ML scanner. It is safe for concurrent use.
type Detector struct {
	cfg     Config
	opts    Options
	ref     classifier.Ref
	log     *slog.Logger
	guard   *resilience.Guard
	rollout rollout.Rollout
	exp     *rollout.Experiment
	modes   map[string]HybridMode
	shadow  *rollout.Shadow
	groups  *prometheus.CounterVec
	reg     prometheus.Registerer
	fp      string
	// version is the loaded model's version with the fingerprint it gives
	// (stored when the version changes, so a scan makes no string).
	version  atomic.Pointer[versionedFP]
	shadowCh chan struct{}
	wg       sync.WaitGroup
	closed   atomic.Bool
	dropped  atomic.Int64
	lastErr  atomic.Pointer[string]
}

var _ scanner.Scanner = (*Detector)(nil)

// New builds a Detector. The model is not loaded until the first scan that
// needs it (or a Preload through the hub).
func New(cfg Config, opts Options, more ...Option) (*Detector, error) {
	for _, o := range more {
		o(&opts)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if opts.Heuristic == nil {
		return nil, errors.New("mlscan: a heuristic is required")
	}
	if opts.Name == "" {
		return nil, errors.New("mlscan: a name is required")
	}
	if opts.Instance == "" {
		opts.Instance = opts.Name
	}
	if opts.Stages == 0 {
		opts.Stages = scanner.StageBoth
	}
	if opts.HeuristicThreshold <= 0 {
		opts.HeuristicThreshold = 0.5
	}
	// Detectors are rebuilt on reload while the old ones still serve: the
	// newest registration of a metric takes over.
	opts.Registerer = promreg.Takeover(opts.Registerer)
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Detector{cfg: cfg, opts: opts, log: log.With("scanner", opts.Instance), reg: opts.Registerer, shadowCh: make(chan struct{}, 2)}
	d.ref = classifier.Ref{ID: cfg.Model, Task: opts.Task, Variant: cfg.ML.Variant}
	if cfg.Model != "" {
		d.ref = classifier.Ref{ID: cfg.Model}
	}
	var err error
	bc := cfg.Resilience.Breaker
	bc.IsExcluded = func(err error) bool { return errors.Is(err, tokenizer.ErrInvalidUTF8) }
	d.guard, err = resilience.NewGuard(opts.Instance+"/"+d.ref.String(), resilience.GuardConfig{
		CallTimeout: cfg.Resilience.CallTimeout,
		Retry:       resilience.Policy{MaxAttempts: cfg.Resilience.Retries + 1},
		Breaker:     bc,
	}, resilience.WithLogger(log), resilience.WithRegisterer(opts.Registerer))
	if err != nil {
		return nil, fmt.Errorf("resilience: %w", err)
	}
	d.rollout = rollout.Rollout{Name: opts.Instance, Percent: cfg.Rollout.Percent, Sticky: cfg.Rollout.Sticky}
	if cfg.Experiment != nil {
		x := cfg.Experiment.experiment()
		d.exp = &x
		d.modes = map[string]HybridMode{}
		for _, g := range cfg.Experiment.Groups {
			d.modes[g.Name] = g.Mode
		}
	}
	if cfg.Shadow {
		if d.shadow, err = rollout.NewShadow(opts.Instance, rollout.WithRegisterer(opts.Registerer)); err != nil {
			d.guard.Close()
			return nil, fmt.Errorf("shadow: %w", err)
		}
	}
	if d.exp != nil || cfg.Rollout.Percent < 100 {
		d.groups = prometheus.NewCounterVec(prometheus.CounterOpts{
			Name:        "llmshield_rollout_group_scans_total",
			Help:        "Scans by rollout or A/B group.",
			ConstLabels: prometheus.Labels{"scanner": opts.Instance},
		}, []string{"group"})
		if opts.Registerer != nil {
			if err := opts.Registerer.Register(d.groups); err != nil {
				d.Close()
				return nil, fmt.Errorf("register metrics: %w", err)
			}
		}
	}
	b, _ := json.Marshal(struct {
		C  Config
		HT float64
		HV string
	}{cfg, opts.HeuristicThreshold, heuristicVersion(opts.Heuristic)})
	sum := blake2b.Sum256(b)
	d.fp = fmt.Sprintf("%s:%x", opts.Name, sum[:12])
	return d, nil
}

func heuristicVersion(h Heuristic) string {
	if f, ok := h.(scanner.Fingerprinter); ok {
		return f.Fingerprint()
	}
	return fmt.Sprintf("%T", h)
}

// Name returns the scanner's name.
func (d *Detector) Name() string { return d.opts.Name }

// Stages returns where the scanner may run.
func (d *Detector) Stages() scanner.Stage { return d.opts.Stages }

// Fingerprint identifies the configuration and, once loaded, the model.
func (d *Detector) Fingerprint() string {
	if v := d.version.Load(); v != nil {
		return v.fp
	}
	return d.fp
}

// versionedFP is a model version and the detector's fingerprint with it.
type versionedFP struct{ version, fp string }

// setVersion records the version of the model that answered.
func (d *Detector) setVersion(v string) {
	if cur := d.version.Load(); cur == nil || cur.version != v {
		d.version.Store(&versionedFP{version: v, fp: d.fp + "@" + v})
	}
}

// Model names the model the detector uses.
func (d *Detector) Model() classifier.Ref { return d.ref }

// Config returns the detector's configuration.
func (d *Detector) Config() Config { return d.cfg }

// Guard exposes the resilience guard (stats, breaker state) for health checks.
func (d *Detector) Guard() *resilience.Guard { return d.guard }

// CacheSettings implements cache.Sizer: the pipeline caches the detector's
// results as ml.cache says. A detector that never consults its model leaves
// the choice to the pipeline; one whose verdicts depend on more than the
// text (a rollout below 100%, an experiment, shadow mode, which must record
// every scan) is not cached.
func (d *Detector) CacheSettings() (cache.Settings, bool) {
	switch {
	case d.cfg.Shadow || d.exp != nil || d.cfg.Rollout.Percent < 100:
		return cache.Disabled, true
	case !d.cfg.ML.UsesML():
		return cache.Settings{}, false
	}
	return d.cfg.ML.Cache, true
}

// Shadow returns the shadow-mode record (nil when shadow mode is off).
func (d *Detector) Shadow() *rollout.Shadow { return d.shadow }

// UsesML reports whether the detector ever consults its model.
func (d *Detector) UsesML() bool {
	if d.exp != nil {
		for _, m := range d.modes {
			if m.UsesML() {
				return d.cfg.ML.Enabled
			}
		}
		return d.cfg.Shadow && d.cfg.ML.Enabled
	}
	return d.cfg.ML.UsesML() || (d.cfg.Shadow && d.cfg.ML.Enabled)
}

// Close waits for background shadow runs and releases metrics. The model
// itself belongs to the hub.
func (d *Detector) Close() error {
	if d.closed.Swap(true) {
		return nil
	}
	d.wg.Wait()
	var errs []error
	errs = append(errs, d.guard.Close())
	if d.shadow != nil {
		errs = append(errs, d.shadow.Close())
	}
	if d.groups != nil && d.reg != nil {
		d.reg.Unregister(d.groups)
	}
	return errors.Join(errs...)
}

// modeFor decides the hybrid mode and group for one input.
func (d *Detector) modeFor(in scanner.Input, text string) (HybridMode, string) {
	mode := d.cfg.ML.Mode
	if !d.cfg.ML.Enabled {
		mode = HeuristicOnly
	}
	group := ""
	if d.exp != nil {
		id := in.UserID
		if id == "" {
			id = "text:" + text
		}
		g := d.exp.Assign(id)
		group = g.Name
		mode = d.modes[g.Name]
		if !d.cfg.ML.Enabled {
			mode = HeuristicOnly
		}
	} else if d.cfg.Rollout.Percent < 100 && mode.UsesML() {
		if d.rollout.Decide(in.UserID, text) {
			group = "ml"
		} else {
			group, mode = "heuristic", HeuristicOnly
		}
	}
	if d.groups != nil && group != "" {
		d.groups.WithLabelValues(group).Inc()
	}
	return mode, group
}

// Scan implements scanner.Scanner.
func (d *Detector) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	start := time.Now()
	if err := ctx.Err(); err != nil {
		return scanner.Result{}, err
	}
	text := in.Text()
	hRisk, hFind := d.opts.Heuristic.Assess(text)
	hRisk = scanner.ClampRisk(hRisk)
	mode, group := d.modeFor(in, text)

	var r scanner.Result
	switch {
	case mode == HeuristicOnly:
		r = d.heuristicResult(text, hRisk, hFind, scanner.MethodHeuristic)
		if d.shadow != nil && d.cfg.ML.Enabled {
			d.shadowML(ctx, text, r)
		}
	case mode == Hybrid && (hRisk >= d.opts.HeuristicThreshold || hRisk >= d.cfg.ShortCircuitAbove):
		// A rule hit flags on its own in hybrid mode: the model only adds
		// detections and cannot veto one, so it is not consulted.
		r = d.heuristicResult(text, hRisk, hFind, scanner.MethodHeuristicShortCircuit)
		if d.shadow != nil {
			d.shadowML(ctx, text, r)
		}
	default:
		p, err := d.predict(ctx, text)
		if err != nil {
			if ctx.Err() != nil {
				return scanner.Result{}, ctx.Err()
			}
			policy, cause := d.cfg.ML.Policy(), err
			r, err = Unavailable(policy, d.ref.String(), text, cause, func() scanner.Result {
				return d.heuristicResult(text, hRisk, hFind, scanner.MethodMLFallbackToHeuristic)
			})
			if err != nil {
				return scanner.Result{}, err
			}
			if policy == UnavailableHeuristic {
				d.guard.RecordFallback()
			}
			d.guard.RecordDegraded()
			msg := "model unavailable, falling back to the heuristic"
			if policy == UnavailableBlock {
				msg = "model unavailable, refusing the text (on_unavailable: block)"
			}
			d.log.Warn(msg, "model", d.ref.String(), "error", cause)
			break
		}
		r = d.mlResult(text, p)
		r.Partial = p.partial
		heuristicFlag := hRisk >= d.opts.HeuristicThreshold
		if mode == Both {
			r.Method = scanner.MethodHybridBoth
			r.Risk = max(r.Risk, hRisk)
			r.Valid = r.Valid && !heuristicFlag
		}
		r.Findings = append(r.Findings, hFind...)
		if d.shadow != nil && mode != Both {
			d.shadow.Record(text, verdictOf(r), rollout.Verdict{Flagged: heuristicFlag, Risk: hRisk})
		}
	}
	r.Group = group
	r.Duration = time.Since(start)
	return r, nil
}

func (d *Detector) heuristicResult(text string, risk float64, f []scanner.Finding, m scanner.DetectionMethod) scanner.Result {
	if f == nil {
		f = []scanner.Finding{}
	}
	return scanner.Result{Valid: risk < d.opts.HeuristicThreshold, Risk: risk, Sanitized: text, Findings: f, Method: m, Threshold: d.opts.HeuristicThreshold}
}

// prediction is a model verdict with the threshold it is judged against.
type prediction struct {
	classifier.Prediction
	label     string
	threshold float64
	// also are further positive labels whose own score in the best part
	// reaches the threshold (multi-label models), highest first.
	also []string
	// partial: the model saw only part of the text (ml.max_windows).
	partial bool
}

func (d *Detector) mlResult(text string, p prediction) scanner.Result {
	r := scanner.Result{Valid: p.Score < p.threshold, Risk: p.Score, Sanitized: text, Method: scanner.MethodML, Findings: []scanner.Finding{}, Threshold: p.threshold}
	if p.Score >= p.threshold {
		r.Findings = append(r.Findings, scanner.Finding{
			Rule: "ml." + p.label, Start: p.Best.Start, End: p.Best.End, Score: p.Score,
			Detail: fmt.Sprintf("model %s: %s %.3f ≥ threshold %.2f (part %d–%d of %d parts)", d.ref, p.label, p.Score, p.threshold, p.Best.Start, p.Best.End, p.Parts),
		})
		for _, l := range p.also {
			s, _ := p.Best.Result.Score(l)
			r.Findings = append(r.Findings, scanner.Finding{
				Rule: "ml." + l, Start: p.Best.Start, End: p.Best.End, Score: s,
				Detail: fmt.Sprintf("model %s: %s %.3f ≥ threshold %.2f (part %d–%d of %d parts)", d.ref, l, s, p.threshold, p.Best.Start, p.Best.End, p.Parts),
			})
		}
	}
	return r
}

// positiveLabeler is implemented by models that name their positive labels
// (*classifier.Classifier does).
type positiveLabeler interface{ PositiveLabels() []string }

// alsoAbove returns the positive labels other than best whose own score in
// p's best part is at least t, highest first. For a multi-label (sigmoid)
// model these are the other labels that flag the text on their own; for a
// softmax model at most one label can reach a threshold above 0.5.
func alsoAbove(c Model, p classifier.Prediction, override []string, best string, t float64) []string {
	labels := override
	if len(labels) == 0 {
		pl, ok := c.(positiveLabeler)
		if !ok {
			return nil
		}
		labels = pl.PositiveLabels()
	}
	var out []string
	for _, l := range labels {
		if s, ok := p.Best.Result.Score(l); ok && l != best && s >= t {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(a, b string) int {
		sa, _ := p.Best.Result.Score(a)
		sb, _ := p.Best.Result.Score(b)
		return cmp.Compare(sb, sa)
	})
	return out
}

// predict runs the model through the guard.
func (d *Detector) predict(ctx context.Context, text string) (prediction, error) {
	if d.opts.Models == nil {
		return prediction{}, fmt.Errorf("%w: no model hub configured", scanner.ErrModelNotReady)
	}
	// The model travels back with the prediction, not through a captured
	// variable: an attempt abandoned at its deadline keeps running beside
	// the retry, and both would write it.
	type answer struct {
		p   classifier.Prediction
		clf Model
	}
	// The work is decided up front from the text's length: at most
	// ml.max_windows windows, and a timeout that grows with them.
	b := plan(text, d.cfg.ML.Windows())
	a, err := resilience.CallBudget(ctx, d.guard, resilience.Budget{Timeout: d.cfg.Resilience.timeout(b.windows), Large: b.windows > 1},
		func(ctx context.Context) (answer, error) {
			c, err := d.opts.Models.Get(ctx, d.ref)
			if err != nil {
				return answer{}, classify(ctx, err)
			}
			p, err := classifySpans(ctx, c, text, b.spans, d.cfg.MatchType, d.cfg.PositiveLabels)
			if err != nil {
				return answer{}, classify(ctx, err)
			}
			return answer{p, c}, nil
		})
	p, clf := a.p, a.clf
	if err != nil {
		if ctx.Err() == nil {
			msg := err.Error()
			d.lastErr.Store(&msg)
		}
		return prediction{}, err
	}
	d.lastErr.Store(nil)
	d.setVersion(clf.Version())
	j := d.judge(clf, p)
	j.partial = b.partial
	return j, nil
}

// classifySpans classifies each span of text on its own and keeps the
// highest-scoring part, with offsets into the whole text.
func classifySpans(ctx context.Context, c Model, text string, spans []span, mt classifier.MatchType, positive []string) (classifier.Prediction, error) {
	if len(spans) == 1 && spans[0] == (span{0, len(text)}) {
		return c.Classify(ctx, text, mt, positive)
	}
	best := classifier.Prediction{Score: -1}
	parts := 0
	for _, sp := range spans {
		p, err := c.Classify(ctx, text[sp.start:sp.end], mt, positive)
		if err != nil {
			return classifier.Prediction{}, err
		}
		parts += p.Parts
		if p.Score > best.Score {
			best = p
			best.Best.Start += sp.start
			best.Best.End += sp.start
		}
	}
	best.Parts = parts
	return best, nil
}

func (d *Detector) judge(c Model, p classifier.Prediction) prediction {
	t := d.cfg.ML.Threshold
	if t <= 0 {
		t = c.Threshold()
	}
	if t <= 0 {
		t = 0.5
	}
	best := c.BestLabel(p, d.cfg.PositiveLabels)
	return prediction{Prediction: p, label: best, threshold: t, also: alsoAbove(c, p, d.cfg.PositiveLabels, best, t)}
}

// classify marks errors that retrying cannot fix as permanent: a missing or
// corrupt model, bad output (NaN, wrong shape), bad input. Deadlines stay
// retryable.
func classify(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil, errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, inference.ErrClosed):
		return resilience.Transient(err)
	}
	return resilience.Permanent(err)
}

// shadowML runs the model in the background beside an enforced heuristic
// verdict and records whether they agree. At most two shadow runs are in
// flight; others are dropped (and counted) so shadow mode never slows or
// queues up the enforced path.
func (d *Detector) shadowML(ctx context.Context, text string, enforced scanner.Result) {
	if d.closed.Load() {
		return
	}
	select {
	case d.shadowCh <- struct{}{}:
	default:
		d.dropped.Add(1)
		return
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		defer func() { <-d.shadowCh }()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.Resilience.timeout(d.cfg.ML.Windows())+time.Second)
		defer cancel()
		p, err := d.predict(sctx, text)
		if err != nil {
			d.log.Debug("shadow model call failed", "error", err)
			return
		}
		d.shadow.Record(text, verdictOf(enforced), rollout.Verdict{Flagged: p.Score >= p.threshold, Risk: p.Score})
	}()
}

// LastError returns the last model failure's message, or "" when the last
// model call succeeded (or none failed yet).
func (d *Detector) LastError() string {
	if p := d.lastErr.Load(); p != nil {
		return *p
	}
	return ""
}

// ShadowDropped counts shadow runs skipped because two were in flight.
func (d *Detector) ShadowDropped() int64 { return d.dropped.Load() }
