package llmshield

import (
	"errors"
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
		degraded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "llmshield_degraded_total",
			Help: "Verdicts reached without the scanner's model (it failed, timed out, was missing or its breaker was open): by the heuristic alone or by refusing the text, as ml.on_unavailable says.",
		}, []string{"scanner", "stage"}),
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

func (m *metrics) observe(name, stage string, r scanner.Result, d time.Duration, err error) {
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
	if r.Degraded {
		m.degraded.WithLabelValues(name, stage).Inc()
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
