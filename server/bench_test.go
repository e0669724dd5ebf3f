package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/modelhub"
	"github.com/llmshield/llmshield/scanner/promptinjection"
)

func benchServer(b *testing.B) *Server {
	b.Helper()
	load := func(_ context.Context, reg prometheus.Registerer) (*llmshield.Shield, error) {
		heuristic := promptinjection.DefaultConfig()
		heuristic.ML.Enabled = false // the rules alone
		pi, err := promptinjection.New(heuristic)
		if err != nil {
			return nil, err
		}
		return llmshield.NewFromScanners(llmshield.Pipeline{Input: []llmshield.Entry{{Scanner: pi}}}, llmshield.WithRegisterer(reg))
	}
	srv, err := New(context.Background(), config.Server{}, load)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = srv.Close() })
	return srv
}

func prompt1KB() string {
	const text = "Please summarise the quarterly report for the board, highlighting revenue growth, customer retention and the main risks. "
	return strings.Repeat(text, 1024/len(text)+1)[:1024]
}

// BenchmarkHandler measures one request through the handler (no network):
// decoding, the heuristic prompt-injection scan, encoding, metrics, logs.
func BenchmarkHandler(b *testing.B) {
	srv := benchServer(b)
	body, _ := json.Marshal(map[string]string{"prompt": prompt1KB()})
	for _, path := range []string{"/analyze/prompt", "/scan/prompt", "/v1/scan"} {
		b.Run(strings.TrimPrefix(path, "/"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(string(body)))
					req.Header.Set("Content-Type", "application/json")
					srv.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
					}
				}
			})
		})
	}
}

// BenchmarkShieldOnly is the scan without HTTP, for the handler's overhead.
func BenchmarkShieldOnly(b *testing.B) {
	srv := benchServer(b)
	g := srv.acquire()
	defer g.release()
	p := prompt1KB()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := g.sh.ScanPrompt(context.Background(), p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// piConfigs are the two prompt-injection pipelines of issue 15's serve bar:
// the model alone (ml_only) and the default hybrid scanner, each with the
// output stage's invisible_text and no result cache, so that every request
// reaches the model. Models run as `serve` runs them (modelhub.ForServing).
var piConfigs = []struct{ name, yaml string }{
	{"ml_only", `cache: disabled
models: {offline: true}
input_scanners:
  - type: prompt_injection
    params: {ml: {mode: ml_only}}
output_scanners:
  - type: invisible_text
`},
	{"hybrid", `cache: disabled
models: {offline: true}
input_scanners:
  - type: prompt_injection
output_scanners:
  - type: invisible_text
`},
}

// BenchmarkServePI measures one request through the whole handler
// (middleware, decoding, the ML prompt-injection scan, encoding, metrics)
// with the configurations of piConfigs, one request at a time, for the
// per-request cost (ns/op, B/op, allocs/op) of `serve` with ML prompt
// injection. The backend is the build's default (ORT when
// LLMSHIELD_ORT_LIB names the library, else pure Go).
func BenchmarkServePI(b *testing.B) {
	body, _ := json.Marshal(map[string]string{"prompt": prompt1KB()})
	for _, pc := range piConfigs {
		cfg, err := config.Parse([]byte(pc.yaml))
		if err != nil {
			b.Fatal(err)
		}
		cfg.Models = modelhub.ForServing(cfg.Models)
		srv, err := New(context.Background(), cfg.Server, func(ctx context.Context, reg prometheus.Registerer) (*llmshield.Shield, error) {
			return llmshield.New(ctx, cfg, llmshield.WithRegisterer(reg))
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = srv.Close() })
		for _, path := range []string{"/analyze/prompt", "/v1/scan"} {
			b.Run(pc.name+"/"+strings.TrimPrefix(path, "/"), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					srv.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
					}
				}
			})
		}
	}
}
