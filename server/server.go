// Package server is llmshield's HTTP service: an http.Handler that scans
// prompts and responses through a Shield.
//
// It answers the LLM Guard API (POST /analyze/prompt, /analyze/output,
// /scan/prompt, /scan/output, GET /healthz, /readyz, /metrics) so that
// existing clients work unchanged, and its own versioned API beside it
// (POST /v1/scan, /v1/scan/batch, GET /v1/scanners). The OpenAPI document
// served at /openapi.json describes every route.
//
// The package parses no flags and never exits the process: the CLI turns
// flags and the configuration file into a config.Server and a Loader, and
// runs Serve. A Server holds its Shield behind an atomic pointer; Reload
// builds a new one with the Loader and swaps it in, and the old one is closed
// once the requests using it have finished.
//
// Compatibility notes. LLM Guard reports each scanner's risk in [-1,1]
// (negative below the scanner's threshold); llmshield's risk is in [0,1] and
// the compatible endpoints report it rounded to one decimal, so it is never
// negative. A scanner that failed reports 1.0; scanners skipped by
// fail-fast are left out. Scanner names are given in LLM Guard's CamelCase
// (prompt_injection -> PromptInjection). HTTP basic auth is not supported.
//
// Limits, in the order a request meets them: bearer token (401), per-client
// token bucket (429), concurrency limit (429), body size (413), strict JSON
// (400), scan timeout (408). Every answer carries X-Request-Id; errors are
// {"error": "..."} naming the field or byte offset. Access logs never hold
// prompts or outputs unless server.log_payloads is set.
//
// Metrics (served with the current Shield's at /metrics):
// llmshield_http_requests_total{route,code},
// llmshield_http_request_duration_seconds{route},
// llmshield_http_requests_in_flight, llmshield_http_rejected_total{reason},
// llmshield_reloads_total{result}, plus the Go and process collectors.
package server

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"golang.org/x/net/netutil"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/health"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/vaultstore"
)

// Loader builds a Shield whose metrics are registered with reg. The server
// calls it once in New and again on every Reload; each Shield gets its own
// registry, so that a reloaded Shield can register the same metric names.
type Loader func(ctx context.Context, reg prometheus.Registerer) (*llmshield.Shield, error)

// ReadinessCheck reports why sh cannot serve yet (no reasons: ready) and
// what is degraded (warnings, which do not make it unready).
type ReadinessCheck func(ctx context.Context, sh *llmshield.Shield) (reasons, warnings []string)

// Option configures a Server.
type Option func(*Server)

// WithLogger sets the logger for access and error logs (default: discard).
func WithLogger(l *slog.Logger) Option { return func(s *Server) { s.log = l } }

// WithTokens sets the bearer tokens every endpoint but /healthz and /readyz
// requires. No tokens: authentication is off. See Tokens.
func WithTokens(tokens []string) Option {
	return func(s *Server) {
		s.tokens = nil
		for _, t := range tokens {
			if t != "" {
				h := sha256.Sum256([]byte(t))
				s.tokens = append(s.tokens, h)
			}
		}
	}
}

// WithTracer records a span per request and, for scans, a child span per
// scanner (name, verdict, risk, method, duration; never the text).
func WithTracer(t trace.Tracer) Option { return func(s *Server) { s.tracer, s.traced = t, t != nil } }

// WithReadiness replaces the readiness check of /readyz entirely.
func WithReadiness(c ReadinessCheck) Option { return func(s *Server) { s.ready = c } }

// WithHealth makes /readyz run c, with the server's canary scan added to it
// as the critical check "canary", instead of the Shield's own Health (the
// default: canary scan, models loaded, breakers closed, cache and fallback
// rates). A failed critical check makes /readyz answer 503 with the
// reasons; warnings are reported with 200.
func WithHealth(c *health.Checker) Option { return func(s *Server) { s.health = c } }

// Server is llmshield's HTTP service. Create it with New; it is an
// http.Handler, safe for concurrent use.
type Server struct {
	cfg    config.Server
	load   Loader
	log    *slog.Logger
	tokens [][sha256.Size]byte
	basic  *basicAuth
	tracer trace.Tracer
	traced bool // a tracer was given: without one no span is made
	ready  ReadinessCheck
	health *health.Checker

	cur      atomic.Pointer[generation]
	reloadMu sync.Mutex
	closed   atomic.Bool

	reg     *prometheus.Registry
	metrics *httpMetrics
	sem     chan struct{}
	limiter *clientLimiter
	mux     *http.ServeMux
	routes  []Route
	allowed map[string][]string // path -> methods

	vaults     vaultstore.Store // set by WithVaultStore (vault.go)
	vaultsInit vaultState
}

// Route is one endpoint the server answers.
type Route struct {
	Method, Path string
	// Public routes need no token.
	Public bool
}

// New builds a Server: it normalizes cfg (zero values get the documented
// defaults, except MaxConcurrent and RateLimit, where zero means no limit),
// builds the first Shield with load and wires the routes.
func New(ctx context.Context, cfg config.Server, load Loader, opts ...Option) (*Server, error) {
	if load == nil {
		return nil, errors.New("server: nil loader")
	}
	applyDefaults(&cfg)
	s := &Server{cfg: cfg, load: load, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(s)
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.tracer == nil {
		s.tracer = noop.NewTracerProvider().Tracer("llmshield")
	}
	if b := cfg.Auth.Basic; b != nil {
		if strings.TrimSpace(b.Username) == "" || b.Password == "" {
			return nil, errors.New("server.auth.basic: username and password must not be empty")
		}
		s.basic = &basicAuth{user: sha256.Sum256([]byte(b.Username)), pass: sha256.Sum256([]byte(b.Password))}
	}
	switch {
	case s.ready != nil:
	case s.health != nil:
		if err := s.health.Register("canary", health.CanaryCheck(s.canary), health.Critical()); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		s.ready = func(ctx context.Context, _ *llmshield.Shield) ([]string, []string) {
			return statusReasons(s.health.Run(ctx))
		}
	default:
		s.ready = func(ctx context.Context, sh *llmshield.Shield) ([]string, []string) {
			return statusReasons(sh.Health(ctx, health.DefaultThresholds()))
		}
	}
	s.reg = prometheus.NewRegistry()
	m, err := newHTTPMetrics(s.reg)
	if err != nil {
		return nil, fmt.Errorf("server: register metrics: %w", err)
	}
	s.metrics = m
	if err := s.reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("server: register go collector: %w", err)
	}
	if err := s.reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("server: register process collector: %w", err)
	}
	if cfg.MaxConcurrent > 0 {
		s.sem = make(chan struct{}, cfg.MaxConcurrent)
	}
	if cfg.RateLimit.RequestsPerSecond > 0 {
		s.limiter, err = newClientLimiter(cfg.RateLimit)
		if err != nil {
			return nil, fmt.Errorf("server: rate limiter: %w", err)
		}
	}
	g, err := s.build(ctx)
	if err != nil {
		return nil, err
	}
	s.cur.Store(g)
	s.routeAll()
	return s, nil
}

func applyDefaults(c *config.Server) {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8000"
	}
	if c.AppName == "" {
		c.AppName = "llmshield"
	}
	if len(c.CORS.AllowHeaders) == 0 {
		c.CORS.AllowHeaders = []string{"Authorization", "Content-Type", "X-Request-Id"}
	}
	positiveOr(&c.CORS.MaxAge, 10*time.Minute)
	positiveOr(&c.MaxBodyBytes, 1<<20)
	positiveOr(&c.PromptTimeout, 10*time.Second)
	positiveOr(&c.OutputTimeout, 10*time.Second)
	positiveOr(&c.ShutdownTimeout, 15*time.Second)
	positiveOr(&c.BodyTimeout, 10*time.Second)
	positiveOr(&c.IdleTimeout, 30*time.Second)
	positiveOr(&c.WriteTimeout, 5*time.Second)
	positiveOr(&c.MaxConnections, 1024)
	positiveOr(&c.MaxBatchItems, 64)
	positiveOr(&c.BatchConcurrency, runtime.GOMAXPROCS(0))
	positiveOr(&c.RateLimit.MaxClients, 10000)
}

// positiveOr sets *v to def unless it is positive (unset or negative).
func positiveOr[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Config returns the server configuration in effect (with defaults).
func (s *Server) Config() config.Server { return s.cfg }

// Gatherer returns what /metrics serves: the server's own metrics (HTTP,
// reloads, Go runtime, process) and the current Shield's.
func (s *Server) Gatherer() prometheus.Gatherer {
	return prometheus.Gatherers{s.reg, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		return s.cur.Load().reg.Gather()
	})}
}

// Routes lists the endpoints the server answers.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// Scanners returns the current Shield's input and output scanner names.
func (s *Server) Scanners() (input, output []string) {
	g := s.acquire()
	if g == nil {
		return nil, nil
	}
	defer g.release()
	return g.sh.Scanners()
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cors(w, r) {
		return // a preflight, answered
	}
	s.mux.ServeHTTP(w, r)
}

// cors adds the CORS headers for an allowed Origin and answers preflight
// requests (before authentication: browsers send preflights without
// credentials). It reports whether it answered the request.
func (s *Server) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" || len(s.cfg.CORS.AllowOrigins) == 0 {
		return false
	}
	h := w.Header()
	h.Add("Vary", "Origin")
	allowed := ""
	for _, o := range s.cfg.CORS.AllowOrigins {
		if o == "*" {
			allowed = "*"
			break
		}
		if strings.EqualFold(o, origin) {
			allowed = origin
		}
	}
	if allowed == "" {
		return false // no CORS headers: the browser blocks the page
	}
	h.Set("Access-Control-Allow-Origin", allowed)
	h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
	if r.Method != http.MethodOptions || r.Header.Get("Access-Control-Request-Method") == "" {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", strings.Join(s.cfg.CORS.AllowHeaders, ", "))
	h.Set("Access-Control-Max-Age", strconv.Itoa(int(s.cfg.CORS.MaxAge.Seconds())))
	w.WriteHeader(http.StatusNoContent)
	return true
}

// build makes a new generation: a Shield with its own metrics registry.
func (s *Server) build(ctx context.Context) (*generation, error) {
	reg := prometheus.NewRegistry()
	sh, err := s.load(ctx, reg)
	if err != nil {
		return nil, err
	}
	if sh == nil {
		return nil, errors.New("loader returned no shield")
	}
	g := &generation{sh: sh, reg: reg, log: s.log, compatNames: map[string]string{}}
	in, out := sh.Scanners()
	for _, n := range in {
		if sc, ok := sh.ScannerByName(n); ok {
			if rw, ok := sc.(scanner.Rewriter); ok && rw.Rewrites() {
				g.promptRewriter = true
			}
		}
	}
	for _, n := range append(in, out...) {
		g.compatNames[n] = compatName(n)
	}
	return g, nil
}

// Reload builds a new Shield with the Loader and swaps it in. On error the
// current Shield keeps serving and the error is returned (and logged). The
// old Shield is closed once its in-flight requests have finished.
func (s *Server) Reload(ctx context.Context) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if s.closed.Load() {
		return errors.New("server is closed")
	}
	g, err := s.build(ctx)
	if err != nil {
		s.metrics.reloads.WithLabelValues("failure").Inc()
		s.log.Error("reload failed; the previous configuration keeps serving", "error", err)
		return fmt.Errorf("reload: %w", err)
	}
	old := s.cur.Swap(g)
	s.metrics.reloads.WithLabelValues("success").Inc()
	in, out := g.sh.Scanners()
	s.log.Info("reloaded", "input_scanners", in, "output_scanners", out)
	old.retire()
	return nil
}

// Close closes the current Shield once its in-flight requests finish.
// Requests arriving afterwards are answered 503.
func (s *Server) Close() error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if s.closed.Swap(true) {
		return nil
	}
	g := s.cur.Load()
	g.retire()
	return nil
}

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully:
// it stops accepting, lets in-flight requests finish within
// ShutdownTimeout (then drops the rest), and closes the Shield. It returns
// nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// Scan endpoints set their own read and write deadlines per request
	// (readBody); these bound everything else and are the backstop.
	longest := s.cfg.BodyTimeout + max(s.cfg.PromptTimeout, s.cfg.OutputTimeout)
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       longest + 10*time.Second,
		WriteTimeout:      longest + s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	ln = netutil.LimitListener(ln, s.cfg.MaxConnections)
	go func() { errc <- hs.Serve(ln) }()
	var err error
	select {
	case err = <-errc:
		// the listener failed
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		err = hs.Shutdown(sctx)
		cancel()
		if err != nil {
			s.log.Warn("graceful shutdown timed out; dropping the remaining connections", "timeout", s.cfg.ShutdownTimeout)
			err = errors.Join(fmt.Errorf("shutdown: %w", err), hs.Close())
		}
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	}
	return errors.Join(err, s.Close())
}

// generation is one Shield with a count of the requests using it.
type generation struct {
	sh *llmshield.Shield
	// promptRewriter is true when an input scanner rewrites text: only
	// those (anonymize) write to a conversation vault, so without one a new
	// conversation's vault would stay empty and is not made.
	promptRewriter bool
	// compatNames maps each scanner name to its LLM Guard name.
	compatNames map[string]string
	reg         *prometheus.Registry
	log         *slog.Logger
	refs        atomic.Int64
	retired     atomic.Bool
	closeOnce   sync.Once
}

// acquire returns the current generation with a reference held; release it
// with g.release. It returns nil when the server is closed.
func (s *Server) acquire() *generation {
	for {
		g := s.cur.Load()
		g.refs.Add(1)
		if s.cur.Load() == g && !g.retired.Load() {
			return g
		}
		g.release()
		if s.closed.Load() {
			return nil
		}
	}
}

func (g *generation) release() {
	if g.refs.Add(-1) == 0 && g.retired.Load() {
		g.close()
	}
}

// retire marks g as replaced; it is closed when its last request ends.
func (g *generation) retire() {
	g.retired.Store(true)
	if g.refs.Load() == 0 {
		g.close()
	}
}

func (g *generation) close() {
	g.closeOnce.Do(func() {
		if err := g.sh.Close(); err != nil {
			g.log.Warn("closing the previous shield failed", "error", err)
		}
	})
}
