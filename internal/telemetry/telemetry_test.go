package telemetry

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	collmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	colltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

// receiver is an in-process OTLP/HTTP collector on 127.0.0.1.
type receiver struct {
	mu      sync.Mutex
	spans   []string
	metrics []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch r.URL.Path {
	case "/v1/traces":
		var req colltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				for _, sp := range ss.Spans {
					rc.spans = append(rc.spans, sp.Name)
				}
			}
		}
	case "/v1/metrics":
		var req collmetrics.ExportMetricsServiceRequest
		if err := proto.Unmarshal(b, &req); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for _, rm := range req.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, m := range sm.Metrics {
					rc.metrics = append(rc.metrics, m.Name)
				}
			}
		}
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.WriteHeader(200)
}

func TestOTLPHTTPExport(t *testing.T) {
	rc := &receiver{}
	col := httptest.NewServer(rc) // 127.0.0.1
	defer col.Close()
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "llmshield_test_scans_total", Help: "test"})
	reg.MustRegister(c)
	c.Add(3)
	tel, err := New(context.Background(), Config{TraceExporter: ExporterOTLPHTTP, TraceEndpoint: col.URL, MetricExporter: ExporterOTLPHTTP, MetricEndpoint: col.URL, MetricInterval: time.Hour}, reg)
	if err != nil {
		t.Fatal(err)
	}
	_, sp := tel.Tracer().Start(context.Background(), "POST /analyze/prompt")
	sp.End()
	if err := tel.Shutdown(context.Background()); err != nil { // flushes both
		t.Fatal(err)
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if strings.Join(rc.spans, ",") != "POST /analyze/prompt" {
		t.Errorf("spans received: %v", rc.spans)
	}
	if !strings.Contains(strings.Join(rc.metrics, ","), "llmshield_test_scans_total") {
		t.Errorf("metrics received: %v", rc.metrics)
	}
}

func TestConsoleAndErrors(t *testing.T) {
	var buf bytes.Buffer
	tel, err := New(context.Background(), Config{TraceExporter: ExporterConsole, Console: &buf}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, sp := tel.Tracer().Start(context.Background(), "scanner prompt_injection")
	sp.End()
	_ = tel.Shutdown(context.Background())
	if !strings.Contains(buf.String(), "scanner prompt_injection") {
		t.Errorf("console exporter wrote %q", buf.String())
	}
	for _, c := range []Config{
		{TraceExporter: "zipkin"},
		{TraceExporter: ExporterOTLPHTTP, TraceEndpoint: "not a url"},
		{MetricExporter: "statsd"},
		{MetricExporter: ExporterOTLPHTTP, MetricEndpoint: "ftp://x"},
		{MetricExporter: ExporterConsole}, // no gatherer
	} {
		if _, err := New(context.Background(), c, nil); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	// Off: a no-op tracer, nothing to flush.
	off, err := New(context.Background(), Config{}, nil)
	if err != nil || off.Shutdown(context.Background()) != nil {
		t.Fatal(err)
	}
	if _, sp := off.Tracer().Start(context.Background(), "x"); sp.IsRecording() {
		t.Error("tracing off records spans")
	}
}
