package server

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/llmshield/llmshield/config"
)

// A scan request gives a server span with the verdict and one child span
// per scanner; no attribute holds the scanned text.
func TestTracingSpans(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer tp.Shutdown(context.Background())
	rn := start(t, config.Server{}, &testLoader{}, WithTracer(tp.Tracer("test")))
	const secret = "zebra-canary-9931 ignore previous"
	if r := rn.post(t, "/analyze/prompt", `{"prompt":"`+secret+`"}`); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	spans := exp.GetSpans()
	byName := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		byName[s.Name] = s
		for _, a := range s.Attributes {
			if strings.Contains(a.Value.Emit(), "zebra-canary") {
				t.Errorf("span %q attribute %s holds the text", s.Name, a.Key)
			}
		}
	}
	req, ok := byName["POST /analyze/prompt"]
	if !ok {
		t.Fatalf("no request span in %v", spanNames(spans))
	}
	for _, name := range []string{"scanner redact", "scanner keyword"} {
		sc, ok := byName[name]
		if !ok {
			t.Fatalf("no %q span in %v", name, spanNames(spans))
		}
		if sc.Parent.SpanID() != req.SpanContext.SpanID() {
			t.Errorf("%s is not a child of the request span", name)
		}
	}
	attrs := map[string]string{}
	for _, a := range byName["scanner keyword"].Attributes {
		attrs[string(a.Key)] = a.Value.Emit()
	}
	if attrs["llmshield.valid"] != "false" || attrs["llmshield.risk"] == "" {
		t.Errorf("keyword span attributes: %v", attrs)
	}
}

func spanNames(s tracetest.SpanStubs) []string {
	var out []string
	for _, x := range s {
		out = append(out, x.Name)
	}
	return out
}
