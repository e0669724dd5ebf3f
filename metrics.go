package llmshield

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/llmshield/llmshield/scanner"
)

// Metrics are the pipeline's Prometheus metrics. They are registered with
// the registerer given to New (WithRegisterer); without one they are
// collected but not exported. Series are labelled by scanner and stage
// ("prompt" or "output"), so one scanner type configured on both stages
// gives two series, not a duplicate.
type Metrics struct {
	scans   *prometheus.CounterVec
	latency *prometheus.HistogramVec
	errors  *prometheus.CounterVec
	methods *prometheus.CounterVec

	// counters for the InferenceMetrics snapshot
	total, mlCalls, heuristicCalls, cacheHits, shortCircuits, mlErrors, fallbacks atomic.Int64
	mlNanos                                                                       atomic.Int64
}

// NewMetrics creates the metrics and registers them with reg (nil: none).
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		scans: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llmshield_scans_total",
			Help: "Scans by scanner and verdict (valid, invalid, error).",
		}, []string{"scanner", "stage", "verdict"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "llmshield_scan_duration_seconds",
			Help:    "Time one scanner took on one input.",
			Buckets: []float64{0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"scanner", "stage"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llmshield_scan_errors_total",
			Help: "Scanner failures (errors, timeouts, panics).",
		}, []string{"scanner", "stage"}),
		methods: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llmshield_detections_total",
			Help: "Verdicts by scanner and detection method.",
		}, []string{"scanner", "stage", "method"}),
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
	}
	return m, nil
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

func (m *Metrics) observe(name, stage string, r scanner.Result, d time.Duration, err error) {
	m.total.Add(1)
	m.latency.WithLabelValues(name, stage).Observe(d.Seconds())
	if err != nil {
		m.errors.WithLabelValues(name, stage).Inc()
		m.scans.WithLabelValues(name, stage, "error").Inc()
		return
	}
	verdict := "valid"
	if !r.Valid {
		verdict = "invalid"
	}
	m.scans.WithLabelValues(name, stage, verdict).Inc()
	m.methods.WithLabelValues(name, stage, r.Method.String()).Inc()
	if r.Cached {
		m.cacheHits.Add(1)
		return
	}
	switch r.Method {
	case scanner.MethodML, scanner.MethodHybridBoth:
		m.mlCalls.Add(1)
		m.mlNanos.Add(int64(r.Duration))
	case scanner.MethodHeuristicShortCircuit:
		m.shortCircuits.Add(1)
		m.heuristicCalls.Add(1)
	case scanner.MethodMLFallbackToHeuristic:
		m.fallbacks.Add(1)
		m.mlErrors.Add(1)
		m.heuristicCalls.Add(1)
	default:
		m.heuristicCalls.Add(1)
	}
}

// InferenceMetrics is a snapshot of how verdicts were reached.
type InferenceMetrics struct {
	TotalCalls             int64   `json:"total_calls"`
	MLCalls                int64   `json:"ml_calls"`
	HeuristicCalls         int64   `json:"heuristic_calls"`
	CacheHits              int64   `json:"cache_hits"`
	HeuristicShortCircuits int64   `json:"heuristic_short_circuits"`
	TotalInferenceTimeMS   float64 `json:"total_inference_time_ms"`
	MLErrors               int64   `json:"ml_errors"`
	FallbackCount          int64   `json:"fallback_count"`
}

// CacheHitRate is cache hits over all calls.
func (s InferenceMetrics) CacheHitRate() float64 { return ratio(s.CacheHits, s.TotalCalls) }

// HeuristicFilterRate is the share of ML-capable decisions the heuristic
// settled without the model.
func (s InferenceMetrics) HeuristicFilterRate() float64 {
	return ratio(s.HeuristicShortCircuits, s.HeuristicShortCircuits+s.MLCalls)
}

// AvgInferenceTimeMS is the mean time of calls that ran a model.
func (s InferenceMetrics) AvgInferenceTimeMS() float64 {
	if s.MLCalls == 0 {
		return 0
	}
	return s.TotalInferenceTimeMS / float64(s.MLCalls)
}

// MLErrorRate is failed model calls over attempted model calls.
func (s InferenceMetrics) MLErrorRate() float64 { return ratio(s.MLErrors, s.MLCalls+s.MLErrors) }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Snapshot returns the current counters.
func (m *Metrics) Snapshot() InferenceMetrics {
	return InferenceMetrics{
		TotalCalls:             m.total.Load(),
		MLCalls:                m.mlCalls.Load(),
		HeuristicCalls:         m.heuristicCalls.Load(),
		CacheHits:              m.cacheHits.Load(),
		HeuristicShortCircuits: m.shortCircuits.Load(),
		TotalInferenceTimeMS:   float64(m.mlNanos.Load()) / 1e6,
		MLErrors:               m.mlErrors.Load(),
		FallbackCount:          m.fallbacks.Load(),
	}
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
