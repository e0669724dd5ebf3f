package server

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/llmshield/llmshield"
)

// traceScanners records one child span per scanner of a finished scan,
// placed by the durations the report gives (scanners run concurrently, so
// the spans start with the scan and last as long as each scanner did).
// Spans carry names, verdicts, risks and methods, never the text.
func (s *Server) traceScanners(ctx context.Context, start time.Time, rep llmshield.Report) {
	parent := trace.SpanFromContext(ctx)
	if !parent.IsRecording() {
		return
	}
	parent.SetAttributes(attribute.Bool("llmshield.valid", rep.Valid), attribute.Float64("llmshield.risk", rep.Risk))
	for _, sr := range rep.Scanners {
		_, sp := s.tracer.Start(ctx, "scanner "+sr.Name, trace.WithTimestamp(start), trace.WithAttributes(
			attribute.String("llmshield.scanner", sr.Name),
			attribute.Bool("llmshield.valid", sr.Result.Valid),
			attribute.Float64("llmshield.risk", sr.Result.Risk),
			attribute.String("llmshield.method", sr.Result.Method.String()),
			attribute.Bool("llmshield.skipped", sr.Skipped),
			attribute.Bool("llmshield.cached", sr.Result.Cached),
		))
		if sr.Err != nil {
			sp.SetStatus(codes.Error, "scanner failed")
		}
		sp.End(trace.WithTimestamp(start.Add(sr.Result.Duration)))
	}
}
