package llmshield

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/llmshield/llmshield/scanner"
)

// metrics are the pipeline's Prometheus metrics. They are registered with
// the registerer given to New (WithRegisterer); without one they are
// collected but not exported. Series are labelled by scanner and stage
// ("prompt" or "output"), so one scanner type configured on both stages
// gives two series, not a duplicate.
type metrics struct {
	scans   *prometheus.CounterVec
	latency *prometheus.HistogramVec
	errors  *prometheus.CounterVec
	methods *prometheus.CounterVec
	// degraded counts verdicts reached without the scanner's model (see
	// scanner.Result.Degraded and ml.on_unavailable).
	degraded *prometheus.CounterVec
}

// newMetrics creates the metrics and registers them with reg (nil: none).
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		scans: counterVec("llmshield_scans_total",
			"Scans by scanner and verdict (valid, invalid, error).",
			"scanner", "stage", "verdict"),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "llmshield_scan_duration_seconds",
			Help:    "Time one scanner took on one input.",
			Buckets: []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"scanner", "stage"}),
		errors: counterVec("llmshield_scan_errors_total",
			"Scanner failures (errors, timeouts, panics).",
			"scanner", "stage"),
		methods: counterVec("llmshield_detections_total",
			"Verdicts by scanner and detection method.",
			"scanner", "stage", "method"),
		degraded: counterVec("llmshield_degraded_total",
			"Verdicts reached without the scanner's model (it failed, timed out, was missing or its breaker was open): by the heuristic alone or by refusing the text, as ml.on_unavailable says.",
			"scanner", "stage"),
	}
	if reg != nil {
		// A Shield rebuilt on reload registers the same metrics again: it
		// then continues the existing series instead of failing.
		var err error
		if m.scans, err = register(reg, m.scans); err != nil {
			return nil, err
		}
		if m.latency, err = register(reg, m.latency); err != nil {
			return nil, err
		}
		if m.errors, err = register(reg, m.errors); err != nil {
			return nil, err
		}
		if m.methods, err = register(reg, m.methods); err != nil {
			return nil, err
		}
		if m.degraded, err = register(reg, m.degraded); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

// register registers c, or returns the collector already registered under
// the same descriptors when it has c's type.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	err := reg.Register(c)
	var are prometheus.AlreadyRegisteredError
	if errors.As(err, &are) {
		if existing, ok := are.ExistingCollector.(C); ok {
			return existing, nil
		}
	}
	return c, err
}

// forStage returns the series of one pipeline stage (scanner and stage).
// Each series is resolved on its first use and kept, so that a scan does
// not hash its labels again, and a series that never happened is not
// exported.
func (m *metrics) forStage(name, stage string) *stageMetrics {
	return &stageMetrics{m: m, name: name, stage: stage}
}

// stageMetrics holds one stage's series, each resolved on first use (two
// first uses at once resolve the same series).
type stageMetrics struct {
	m           *metrics
	name, stage string
	latency     atomic.Pointer[prometheus.Observer]
	errors      atomic.Pointer[prometheus.Counter]
	degraded    atomic.Pointer[prometheus.Counter]
	verdicts    [3]atomic.Pointer[prometheus.Counter] // valid, invalid, error
	methods     [8]atomic.Pointer[prometheus.Counter] // by scanner.DetectionMethod
}

var verdictNames = [3]string{"valid", "invalid", "error"}

func (sm *stageMetrics) observe(r scanner.Result, d time.Duration, err error) {
	lat := sm.latency.Load()
	if lat == nil {
		o := sm.m.latency.WithLabelValues(sm.name, sm.stage)
		lat = &o
		sm.latency.Store(lat)
	}
	(*lat).Observe(d.Seconds())
	verdict := 0
	switch {
	case err != nil:
		verdict = 2
		sm.counter(&sm.errors, sm.m.errors, "").Inc()
	case !r.Valid:
		verdict = 1
	}
	sm.counter(&sm.verdicts[verdict], sm.m.scans, verdictNames[verdict]).Inc()
	if err != nil {
		return
	}
	if meth := int(r.Method); meth < len(sm.methods) {
		sm.counter(&sm.methods[meth], sm.m.methods, r.Method.String()).Inc()
	} else {
		sm.m.methods.WithLabelValues(sm.name, sm.stage, r.Method.String()).Inc()
	}
	if r.Degraded {
		sm.counter(&sm.degraded, sm.m.degraded, "").Inc()
	}
}

// counter returns the series held in slot, resolving it in vec first: by
// scanner and stage, plus the label value extra when it is not empty.
func (sm *stageMetrics) counter(slot *atomic.Pointer[prometheus.Counter], vec *prometheus.CounterVec, extra string) prometheus.Counter {
	if c := slot.Load(); c != nil {
		return *c
	}
	return sm.resolve(slot, vec, extra)
}

func (sm *stageMetrics) resolve(slot *atomic.Pointer[prometheus.Counter], vec *prometheus.CounterVec, extra string) prometheus.Counter {
	var c prometheus.Counter
	if extra == "" {
		c = vec.WithLabelValues(sm.name, sm.stage)
	} else {
		c = vec.WithLabelValues(sm.name, sm.stage, extra)
	}
	slot.Store(&c)
	return c
}

var cacheRequestsDesc = prometheus.NewDesc("llmshield_cache_requests_total",
	"Result-cache lookups by scanner, stage and outcome (hit, miss), as counted by the caches themselves.",
	[]string{"scanner", "stage", "outcome"}, nil)

// cacheCollector exports the lookups of every cache in a pipeline, read from
// the caches' own counters so that only real lookups count.
type cacheCollector struct{ sh *Shield }

func (c *cacheCollector) Describe(ch chan<- *prometheus.Desc) { ch <- cacheRequestsDesc }

func (c *cacheCollector) Collect(ch chan<- prometheus.Metric) {
	for _, list := range [][]stage{c.sh.input, c.sh.output} {
		for _, st := range list {
			if st.cache == nil {
				continue
			}
			s := st.cache.Stats()
			ch <- prometheus.MustNewConstMetric(cacheRequestsDesc, prometheus.CounterValue, float64(s.Hits), st.name, st.label, "hit")
			ch <- prometheus.MustNewConstMetric(cacheRequestsDesc, prometheus.CounterValue, float64(s.Misses), st.name, st.label, "miss")
		}
	}
}
