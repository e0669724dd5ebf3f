package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/testkit"
	"github.com/llmshield/llmshield/scanner"
)

// keyword flags texts containing its word, with a fixed risk.
type keyword struct {
	name, word string
	risk       float64
}

func (k *keyword) Name() string { return k.name }
func (k *keyword) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	t := in.Text()
	if i := strings.Index(t, k.word); i >= 0 {
		return scanner.Result{Valid: false, Risk: k.risk, Sanitized: t, Method: scanner.MethodHeuristic,
			Findings: []scanner.Finding{{Rule: "keyword", Start: i, End: i + len(k.word), Score: k.risk}}}, nil
	}
	return scanner.Clean(t, scanner.MethodHeuristic), nil
}

// redact replaces "secret" with "[REDACTED]" and stays valid.
type redact struct{}

func (redact) Name() string   { return "redact" }
func (redact) Rewrites() bool { return true }
func (redact) Scan(_ context.Context, in scanner.Input) (scanner.Result, error) {
	t := in.Text()
	r := scanner.Clean(strings.ReplaceAll(t, "secret", "[REDACTED]"), scanner.MethodHeuristic)
	if r.Sanitized != t {
		r.Risk = 0.5
	}
	return r, nil
}

// gate blocks scans of texts containing "slow" until released or ctx ends.
type gate struct {
	entered chan struct{}
	release chan struct{}
	closed  atomic.Int32
}

func newGate() *gate {
	return &gate{entered: make(chan struct{}, 16), release: make(chan struct{})}
}

func (g *gate) Name() string { return "gate" }
func (g *gate) Close() error { g.closed.Add(1); return nil }
func (g *gate) Scan(ctx context.Context, in scanner.Input) (scanner.Result, error) {
	if strings.Contains(in.Text(), "slow") {
		g.entered <- struct{}{}
		select {
		case <-g.release:
		case <-ctx.Done():
			return scanner.Result{}, ctx.Err()
		}
	}
	return scanner.Clean(in.Text(), scanner.MethodHeuristic), nil
}

// failing always errors.
type failing struct{}

func (failing) Name() string { return "failing" }
func (failing) Scan(context.Context, scanner.Input) (scanner.Result, error) {
	return scanner.Result{}, errors.New("model not loaded")
}

// testLoader builds Shields from scanners; fail makes the next builds fail.
type testLoader struct {
	mu     sync.Mutex
	builds int
	fail   bool
	// failFast stops the pipeline at the first flagged scanner.
	failFast bool
	extra    []llmshield.Entry // added to the input scanners
	gate     *gate
	shs      []*llmshield.Shield
}

func (l *testLoader) load(_ context.Context, reg prometheus.Registerer) (*llmshield.Shield, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.fail {
		return nil, errors.New("input_scanners[0].type: unknown scanner \"nope\"")
	}
	l.builds++
	in := []llmshield.Entry{{Name: "redact", Scanner: redact{}}, {Name: "keyword", Scanner: &keyword{name: "keyword", word: "ignore previous", risk: 0.87}}}
	if l.gate != nil {
		in = append(in, llmshield.Entry{Scanner: l.gate})
	}
	in = append(in, l.extra...)
	out := []llmshield.Entry{{Name: "redact", Scanner: redact{}}, {Name: "leak", Scanner: &keyword{name: "leak", word: "password", risk: 1}}}
	sh, err := llmshield.NewFromScanners(llmshield.Pipeline{Input: in, Output: out, Timeout: 5 * time.Second, FailFast: l.failFast}, llmshield.WithRegisterer(reg))
	if err == nil {
		l.shs = append(l.shs, sh)
	}
	return sh, err
}

type running struct {
	srv    *Server
	url    string
	cancel context.CancelFunc
	done   chan error
	client *http.Client
	logs   *testkit.Buffer
}

// start runs a Server on a real listener on 127.0.0.1:0.
func start(t *testing.T, cfg config.Server, l *testLoader, opts ...Option) *running {
	t.Helper()
	return startWith(t, cfg, l.load, opts...)
}

// startWith runs a Server with the loader load on a real listener on
// 127.0.0.1:0; its log (JSON, level info and up) is in rn.logs.
func startWith(t *testing.T, cfg config.Server, load Loader, opts ...Option) *running {
	t.Helper()
	logs := &testkit.Buffer{}
	opts = append([]Option{WithLogger(slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))}, opts...)
	srv, err := New(context.Background(), cfg, load, opts...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	rn := &running{srv: srv, url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan error, 1), logs: logs,
		client: &http.Client{Transport: &http.Transport{}, Timeout: 20 * time.Second}}
	go func() { rn.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { rn.stop(t) })
	return rn
}

func (rn *running) stop(t *testing.T) {
	t.Helper()
	if rn.cancel == nil {
		return
	}
	rn.cancel()
	rn.cancel = nil
	select {
	case err := <-rn.done:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Error("Serve did not return")
	}
	rn.client.CloseIdleConnections()
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("response is not a JSON object: %v\n%s", err, r.body)
	}
	return m
}

func (rn *running) do(t *testing.T, method, path, body string, header ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, rn.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := rn.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func (rn *running) post(t *testing.T, path, body string, header ...string) reply {
	t.Helper()
	return rn.do(t, http.MethodPost, path, body, header...)
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o600) }

// serveDirect calls the handler without a network and returns the status.
func serveDirect(h http.Handler, method, path, body string) int {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	h.ServeHTTP(rec, req)
	return rec.Code
}

func serveBody(h http.Handler, method, path string) string {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec.Body.String()
}
