package config

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Server configures `llmshield serve`.
type Server struct {
	// Addr is the listen address. Default 127.0.0.1:8000.
	Addr string `yaml:"addr"`
	// AppName is what GET / answers as {"name": ...} (LLM Guard's app.name).
	// Default "llmshield".
	AppName string `yaml:"app_name"`
	// Auth configures bearer-token authentication.
	Auth Auth `yaml:"auth"`
	// MaxBodyBytes limits request bodies. Default 1 MiB.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// PromptTimeout and OutputTimeout bound one scan request. Default 10s.
	PromptTimeout time.Duration `yaml:"prompt_timeout"`
	OutputTimeout time.Duration `yaml:"output_timeout"`
	// MaxConcurrent limits requests in flight; more get 429. Default 256.
	MaxConcurrent int `yaml:"max_concurrent"`
	// MaxConnections caps open client connections; further ones wait in the
	// listen backlog until one closes. Default 1024.
	MaxConnections int `yaml:"max_connections"`
	// BodyTimeout bounds reading one request body; a slower body gets 408.
	// Default 10s.
	BodyTimeout time.Duration `yaml:"body_timeout"`
	// WriteTimeout is how long a client has to take its answer, beyond
	// the body and scan timeouts; a client that does not read in time loses
	// the connection (and the concurrency slot it held). Default 5s.
	WriteTimeout time.Duration `yaml:"write_timeout"`
	// IdleTimeout closes a keep-alive connection with no request for this
	// long. Default 30s.
	IdleTimeout time.Duration `yaml:"idle_timeout"`
	// RateLimit limits requests per second per client token (0: off).
	RateLimit RateLimit `yaml:"rate_limit"`
	// ShutdownTimeout bounds graceful shutdown. Default 15s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// AllowSuppress lets a request skip scanners by name
	// (scanners_suppress, as LLM Guard allows). Default true for LLM Guard
	// compatibility; set it to false when clients are not trusted to choose
	// which scanners run — a suppressing request then gets 403.
	AllowSuppress *bool `yaml:"allow_suppress"`
	// MetricsPublic serves /metrics without authentication (LLM Guard's is
	// open). Default false: with authentication on, /metrics needs it too.
	MetricsPublic bool `yaml:"metrics_public"`
	// Tracing exports a span per request and per scanner (names, verdicts,
	// risks, durations; never text) with OpenTelemetry. Default off.
	Tracing Exporter `yaml:"tracing"`
	// Metrics pushes the service's metrics with OpenTelemetry besides
	// serving them on /metrics. Default prometheus (/metrics only).
	Metrics Exporter `yaml:"metrics"`
	// CORS lets browser pages on other origins call the API. Default: no
	// cross-origin access.
	CORS CORS `yaml:"cors"`
	// LogPayloads writes prompts and outputs to the logs. Off by default.
	LogPayloads bool `yaml:"log_payloads"`
	// Log sets the log level (debug, info, warn, error) and format (text, json).
	Log Log `yaml:"log"`
	// Redis shares the result cache between replicas when Addr is set.
	Redis Redis `yaml:"redis"`
	// MaxBatchItems bounds the items of one POST /v1/scan/batch. Default 64.
	MaxBatchItems int `yaml:"max_batch_items"`
	// BatchConcurrency bounds how many items of one batch are scanned at
	// once. Default 0: the number of CPUs.
	BatchConcurrency int `yaml:"batch_concurrency"`
}

// Auth configures bearer tokens. Tokens come from the environment variable
// LLMSHIELD_AUTH_TOKEN (comma-separated for several), from TokenFile (one
// token per line) or from Tokens. With no token at all and no Basic
// credentials, auth is off.
type Auth struct {
	Tokens    []string `yaml:"tokens"`
	TokenFile string   `yaml:"token_file"`
	// Basic accepts HTTP basic authentication with these credentials
	// (LLM Guard's http_basic), beside any bearer token.
	Basic *BasicAuth `yaml:"basic"`
}

// Exporter says where OpenTelemetry data goes: exporter "" (off; for
// metrics "prometheus": /metrics only), "console" (standard error) or
// "otel_http" (OTLP over HTTP to Endpoint, e.g. http://127.0.0.1:4318).
type Exporter struct {
	Exporter string `yaml:"exporter"`
	Endpoint string `yaml:"endpoint"`
	// Interval is how often metrics are pushed (default 30s; metrics only).
	Interval time.Duration `yaml:"interval"`
}

// CORS configures cross-origin access.
type CORS struct {
	// AllowOrigins lists the origins allowed ("https://app.example.com");
	// "*" allows every origin (LLM Guard's setting; then credentials are
	// not allowed by browsers).
	AllowOrigins []string `yaml:"allow_origins"`
	// AllowHeaders are the request headers a page may send. Default
	// Authorization, Content-Type, X-Request-Id.
	AllowHeaders []string `yaml:"allow_headers"`
	// MaxAge is how long a browser may cache a preflight answer. Default 10m.
	MaxAge time.Duration `yaml:"max_age"`
}

// BasicAuth is one username and password for HTTP basic authentication.
type BasicAuth struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// RateLimit is a token bucket per client: per bearer token when auth is
// on, else per remote IP (X-Forwarded-For is not trusted).
type RateLimit struct {
	RequestsPerSecond float64 `yaml:"requests_per_second"`
	// Burst is the bucket size. Default: RequestsPerSecond rounded up.
	Burst int `yaml:"burst"`
	// MaxClients bounds the clients tracked at once; the least recently
	// seen is forgotten first. Default 10000.
	MaxClients int `yaml:"max_clients"`
}

// Log is the logging setup.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// Redis is a shared result-cache backend.
type Redis struct {
	Addr     string `yaml:"addr"`
	Password string `yaml:"password"`
	DB       int    `yaml:"db"`
	// Prefix is prepended to every key. Default "llmshield:".
	Prefix string `yaml:"prefix"`
	// Timeout bounds one Redis command; a slower answer counts as a cache
	// miss. Default 250ms.
	Timeout time.Duration `yaml:"timeout"`
}

func (s *Server) applyDefaults() {
	if s.Addr == "" {
		s.Addr = "127.0.0.1:8000"
	}
	if s.MaxBodyBytes == 0 {
		s.MaxBodyBytes = 1 << 20
	}
	if s.PromptTimeout == 0 {
		s.PromptTimeout = 10 * time.Second
	}
	if s.OutputTimeout == 0 {
		s.OutputTimeout = 10 * time.Second
	}
	if s.MaxConcurrent == 0 {
		s.MaxConcurrent = 256
	}
	if s.MaxConnections == 0 {
		s.MaxConnections = 1024
	}
	if s.BodyTimeout == 0 {
		s.BodyTimeout = 10 * time.Second
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = 30 * time.Second
	}
	if s.WriteTimeout == 0 {
		s.WriteTimeout = 5 * time.Second
	}
	if s.AllowSuppress == nil {
		allow := true
		s.AllowSuppress = &allow
	}
	if s.ShutdownTimeout == 0 {
		s.ShutdownTimeout = 15 * time.Second
	}
	if s.Redis.Prefix == "" {
		s.Redis.Prefix = "llmshield:"
	}
	if s.Redis.Timeout == 0 {
		s.Redis.Timeout = 250 * time.Millisecond
	}
	if s.MaxBatchItems == 0 {
		s.MaxBatchItems = 64
	}
	if s.RateLimit.MaxClients == 0 {
		s.RateLimit.MaxClients = 10000
	}
}

// SuppressAllowed reports whether requests may suppress scanners (default true).
func (s Server) SuppressAllowed() bool { return s.AllowSuppress == nil || *s.AllowSuppress }

func (s *Server) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(s.Addr); err != nil {
		errs = append(errs, fmt.Errorf("server.addr: %w", err))
	}
	if s.MaxBodyBytes < 0 {
		errs = append(errs, fmt.Errorf("server.max_body_bytes: must be positive, got %d", s.MaxBodyBytes))
	}
	if s.PromptTimeout < 0 || s.OutputTimeout < 0 || s.ShutdownTimeout < 0 || s.BodyTimeout < 0 || s.IdleTimeout < 0 || s.WriteTimeout < 0 {
		errs = append(errs, errors.New("server: prompt_timeout, output_timeout, shutdown_timeout, body_timeout, write_timeout and idle_timeout must not be negative"))
	}
	if b := s.Auth.Basic; b != nil && (strings.TrimSpace(b.Username) == "" || b.Password == "") {
		errs = append(errs, errors.New("server.auth.basic: username and password must not be empty"))
	}
	for i, o := range s.CORS.AllowOrigins {
		if o != "*" && (!strings.HasPrefix(o, "http://") && !strings.HasPrefix(o, "https://") || strings.HasSuffix(o, "/")) {
			errs = append(errs, fmt.Errorf("server.cors.allow_origins[%d]: %q is not an origin (want scheme://host[:port] without a path, or *)", i, o))
		}
	}
	switch s.Tracing.Exporter {
	case "", "console":
	case "otel_http":
		if s.Tracing.Endpoint == "" {
			errs = append(errs, errors.New("server.tracing.endpoint: otel_http needs the collector's URL"))
		}
	default:
		errs = append(errs, fmt.Errorf("server.tracing.exporter: unknown exporter %q (want console or otel_http)", s.Tracing.Exporter))
	}
	switch s.Metrics.Exporter {
	case "", "prometheus", "console":
	case "otel_http":
		if s.Metrics.Endpoint == "" {
			errs = append(errs, errors.New("server.metrics.endpoint: otel_http needs the collector's URL"))
		}
	default:
		errs = append(errs, fmt.Errorf("server.metrics.exporter: unknown exporter %q (want prometheus, console or otel_http)", s.Metrics.Exporter))
	}
	errs = append(errs,
		negative("server.cors.max_age", s.CORS.MaxAge),
		negative("server.max_connections", s.MaxConnections),
		negative("server.max_concurrent", s.MaxConcurrent))
	if s.RateLimit.RequestsPerSecond < 0 || s.RateLimit.Burst < 0 {
		errs = append(errs, errors.New("server.rate_limit: requests_per_second and burst must not be negative"))
	}
	errs = append(errs,
		negative("server.rate_limit.max_clients", s.RateLimit.MaxClients),
		negative("server.max_batch_items", s.MaxBatchItems),
		negative("server.batch_concurrency", s.BatchConcurrency),
		negative("server.redis.timeout", s.Redis.Timeout),
		negative("server.redis.db", s.Redis.DB))
	if s.Redis.Addr != "" {
		if _, _, err := net.SplitHostPort(s.Redis.Addr); err != nil {
			errs = append(errs, fmt.Errorf("server.redis.addr: %w", err))
		}
	}
	switch s.Log.Level {
	case "", "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("server.log.level: unknown level %q (want debug, info, warn or error)", s.Log.Level))
	}
	switch s.Log.Format {
	case "", "text", "json":
	default:
		errs = append(errs, fmt.Errorf("server.log.format: unknown format %q (want text or json)", s.Log.Format))
	}
	return errors.Join(errs...)
}
