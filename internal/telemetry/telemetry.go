// Package telemetry exports llmshield's traces and metrics with the
// OpenTelemetry Go SDK: traces to an OTLP/HTTP endpoint or the console, and
// the Prometheus metrics the service already keeps to an OTLP/HTTP endpoint
// or the console (through the SDK's Prometheus bridge, so one set of
// instruments feeds both /metrics and OTLP). Spans carry scanner names,
// verdicts, risks and durations, never the scanned text.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	promBridge "go.opentelemetry.io/contrib/bridges/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/prometheus/client_golang/prometheus"
)

// Exporters.
const (
	ExporterNone       = ""
	ExporterConsole    = "console"
	ExporterOTLPHTTP   = "otel_http"
	ExporterPrometheus = "prometheus" // metrics only: /metrics, nothing pushed
)

// Config says where traces and metrics go.
type Config struct {
	// ServiceName names the service in every span and metric.
	ServiceName string
	// TraceExporter is none (""), console or otel_http; TraceEndpoint is the
	// OTLP/HTTP endpoint URL (e.g. http://127.0.0.1:4318).
	TraceExporter, TraceEndpoint string
	// MetricExporter is prometheus (or ""), console or otel_http;
	// MetricEndpoint the OTLP/HTTP endpoint; MetricInterval how often
	// metrics are pushed (default 30s).
	MetricExporter, MetricEndpoint string
	MetricInterval                 time.Duration
	// Console receives the console exporters' output.
	Console io.Writer
}

// Telemetry holds the providers; Shutdown flushes and stops them.
type Telemetry struct {
	tracer   trace.Tracer
	shutdown []func(context.Context) error
}

// New builds the exporters cfg names. gatherer supplies the metrics pushed
// by a metric exporter other than prometheus.
func New(ctx context.Context, cfg Config, gatherer prometheus.Gatherer) (*Telemetry, error) {
	t := &Telemetry{tracer: noop.NewTracerProvider().Tracer("llmshield")}
	if cfg.ServiceName == "" {
		cfg.ServiceName = "llmshield"
	}
	res := resource.NewSchemaless(attribute.String("service.name", cfg.ServiceName))
	var spanExp sdktrace.SpanExporter
	switch cfg.TraceExporter {
	case ExporterNone:
	case ExporterConsole, ExporterOTLPHTTP:
		var err error
		spanExp, err = newExporter("tracing", cfg.TraceExporter, cfg.TraceEndpoint, "traces",
			func() (sdktrace.SpanExporter, error) { return stdouttrace.New(stdouttrace.WithWriter(cfg.Console)) },
			func(u string) (sdktrace.SpanExporter, error) {
				return otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u))
			})
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("tracing.exporter: unknown exporter %q (want console or otel_http)", cfg.TraceExporter)
	}
	if spanExp != nil {
		tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(spanExp), sdktrace.WithResource(res))
		t.tracer = tp.Tracer("github.com/llmshield/llmshield")
		t.shutdown = append(t.shutdown, tp.Shutdown)
	}
	var metricExp sdkmetric.Exporter
	switch cfg.MetricExporter {
	case ExporterNone, ExporterPrometheus:
	case ExporterConsole, ExporterOTLPHTTP:
		var err error
		metricExp, err = newExporter("metrics", cfg.MetricExporter, cfg.MetricEndpoint, "metrics",
			func() (sdkmetric.Exporter, error) { return stdoutmetric.New(stdoutmetric.WithWriter(cfg.Console)) },
			func(u string) (sdkmetric.Exporter, error) {
				return otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(u))
			})
		if err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("metrics.exporter: unknown exporter %q (want prometheus, console or otel_http)", cfg.MetricExporter)
	}
	if metricExp != nil {
		if gatherer == nil {
			return nil, errors.New("metrics: an exporter needs the Prometheus gatherer to read from")
		}
		interval := cfg.MetricInterval
		if interval <= 0 {
			interval = 30 * time.Second
		}
		reader := sdkmetric.NewPeriodicReader(metricExp, sdkmetric.WithInterval(interval),
			sdkmetric.WithProducer(promBridge.NewMetricProducer(promBridge.WithGatherer(gatherer))))
		mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader), sdkmetric.WithResource(res))
		t.shutdown = append(t.shutdown, mp.Shutdown)
	}
	return t, nil
}

// newExporter builds the exporter kind (ExporterConsole or
// ExporterOTLPHTTP) of signal ("tracing" or "metrics"): console makes the
// console one; otlp makes the OTLP/HTTP one for the URL endpoint/v1/path.
// Errors name the signal.
func newExporter[E any](signal, kind, endpoint, path string, console func() (E, error), otlp func(url string) (E, error)) (E, error) {
	var zero E
	if kind == ExporterConsole {
		e, err := console()
		if err != nil {
			return zero, fmt.Errorf("%s: console exporter: %w", signal, err)
		}
		return e, nil
	}
	u, err := endpointURL(signal, endpoint)
	if err != nil {
		return zero, err
	}
	e, err := otlp(u.JoinPath("v1", path).String())
	if err != nil {
		return zero, fmt.Errorf("%s: otlp exporter: %w", signal, err)
	}
	return e, nil
}

func endpointURL(what, s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s.endpoint: want an http(s) URL of the OTLP/HTTP collector, got %q", what, s)
	}
	return u, nil
}

// Tracer returns the tracer (a no-op one when tracing is off).
func (t *Telemetry) Tracer() trace.Tracer { return t.tracer }

// Shutdown flushes pending spans and metrics and stops the exporters.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	for _, f := range t.shutdown {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}
