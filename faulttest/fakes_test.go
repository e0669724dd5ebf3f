package faulttest

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/mlscan"
	"github.com/llmshield/llmshield/scanner/promptinjection"
)

// errBackend is what fakeModel returns while it is failing.
var errBackend = errors.New("inference backend unreachable")

// fakeModel stands in for a classifier: it scores texts containing
// "instructions" 0.97 and others 0.02, and can fail, hang or panic.
type fakeModel struct {
	calls     atomic.Int64
	failNext  atomic.Int64  // fail this many calls with errBackend, then succeed
	hang      time.Duration // wait this long before answering
	ignoreCtx bool          // hang without watching ctx
	panicWith any           // panic with this value when non-nil
}

func (m *fakeModel) Classify(ctx context.Context, text string, _ classifier.MatchType, _ []string) (classifier.Prediction, error) {
	m.calls.Add(1)
	if m.panicWith != nil {
		panic(m.panicWith)
	}
	if m.hang > 0 {
		if m.ignoreCtx {
			time.Sleep(m.hang)
		} else {
			t := time.NewTimer(m.hang)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return classifier.Prediction{}, ctx.Err()
			}
		}
	}
	for {
		n := m.failNext.Load()
		if n <= 0 {
			break
		}
		if m.failNext.CompareAndSwap(n, n-1) {
			return classifier.Prediction{}, errBackend
		}
	}
	s := 0.02
	if strings.Contains(text, "instructions") {
		s = 0.97
	}
	return classifier.Prediction{Score: s, Parts: 1, Best: classifier.Part{Start: 0, End: len(text), Score: s}}, nil
}

func (m *fakeModel) BestLabel(classifier.Prediction, []string) string { return "INJECTION" }
func (m *fakeModel) Threshold() float64                               { return 0.5 }
func (m *fakeModel) Version() string                                  { return "fake@1" }

type fakeModels struct{ m *fakeModel }

func (f fakeModels) Get(context.Context, classifier.Ref) (mlscan.Model, error) { return f.m, nil }

// mlConfig is ML-only with fallback, no prediction cache (every scan calls
// the model) and the given per-call timeout, retries and breaker.
func mlConfig(timeout time.Duration, retries int) mlscan.Config {
	c := mlscan.DefaultConfig()
	c.ML.Enabled = true
	c.ML.Mode = mlscan.MLOnly
	c.ML.FallbackToHeuristic = true
	c.ML.Cache = cache.Disabled
	c.Resilience.CallTimeout = timeout
	c.Resilience.Retries = retries
	return c
}

// fakeShield builds a Shield whose prompt_injection scanner is a hybrid
// detector over m (with the real prompt-injection heuristic), followed by
// extra scanners. Metrics go to the returned registry.
func fakeShield(t *testing.T, cfg mlscan.Config, m *fakeModel, p llmshield.Pipeline) (*llmshield.Shield, *mlscan.Detector, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	s, err := promptinjection.New(promptinjection.Config{Threshold: 0.5, Config: cfg}, mlscan.WithEnv("", fakeModels{m}, nil, reg))
	if err != nil {
		t.Fatal(err)
	}
	d := s.Detector
	p.Input = append([]llmshield.Entry{{Scanner: s}}, p.Input...)
	sh, err := llmshield.NewFromScanners(p, llmshield.WithRegisterer(reg))
	if err != nil {
		_ = d.Close()
		t.Fatal(err)
	}
	closeAtEnd(t, sh)
	return sh, d, reg
}

// reportOf returns the named scanner's entry of rep.
func reportOf(t testing.TB, rep llmshield.Report, name string) llmshield.ScannerReport {
	t.Helper()
	for _, s := range rep.Scanners {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no scanner %q in the report %+v", name, rep)
	return llmshield.ScannerReport{}
}
