package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"reflect"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	goredis "github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/cache"
	redisbackend "github.com/llmshield/llmshield/cache/redis"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/modelhub"
	"github.com/llmshield/llmshield/internal/telemetry"
	"github.com/llmshield/llmshield/server"
)

func (a *app) serveCommand() *cobra.Command {
	var configPath, addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API (LLM Guard compatible, plus /v1)",
		Long: `Serve the HTTP API on server.addr (default 127.0.0.1:8000).

Authentication: when LLMSHIELD_AUTH_TOKEN (comma-separated for several),
server.auth.tokens or server.auth.token_file give tokens, every endpoint but
/healthz and /readyz requires "Authorization: Bearer <token>".

The configuration may be LLM Guard's scanners.yml as it is (recognised by its
app, rate_limit, auth, tracing or metrics section); see the README's
"Migrating from LLM Guard".

SIGHUP re-reads the configuration file and swaps in the new scanners; a bad
file is logged and the running configuration keeps serving. Changes to the
server section need a restart. SIGINT or SIGTERM shut down gracefully.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if configPath == "" {
				configPath = a.env("CONFIG_FILE") // as LLM Guard's API reads it
			}
			cfg, err := loadConfig(configPath)
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("addr") {
				if _, _, err := net.SplitHostPort(addr); err != nil {
					return fmt.Errorf("--addr: %w", err)
				}
				cfg.Server.Addr = addr
			}
			return a.serve(cmd.Context(), configPath, cfg)
		},
	}
	cmd.Flags().StringVar(&configPath, "config", "", "configuration file, llmshield's or LLM Guard's scanners.yml (default: $CONFIG_FILE, else the embedded default)")
	cmd.Flags().StringVar(&addr, "addr", "", "listen address HOST:PORT (default: server.addr)")
	return cmd
}

// serverLogger is LLMSHIELD_LOG's logger when that is set, else one built
// from server.log (default: info, text) so that access logs show.
func (a *app) serverLogger(c config.Log) (*slog.Logger, error) {
	if a.env("LLMSHIELD_LOG") != "" && a.log != nil {
		return a.log, nil
	}
	level := c.Level
	if level == "" {
		level = "info"
	}
	l, err := newLogger(level, c.Format, a.streams.Err)
	if err != nil {
		return nil, fmt.Errorf("server.log: %w", err)
	}
	return l, nil
}

func (a *app) serve(ctx context.Context, configPath string, cfg *config.Config) error {
	log, err := a.serverLogger(cfg.Server.Log)
	if err != nil {
		return err
	}
	envTok, envSet := a.lookupEnv("LLMSHIELD_AUTH_TOKEN")
	tokens, err := server.Tokens(cfg.Server.Auth, envTok, envSet)
	if err != nil {
		return err
	}
	var backend cache.Backend
	if r := cfg.Server.Redis; r.Addr != "" {
		// go-redis logs connection trouble through a process-wide logger;
		// this command owns the process, so route it to ours.
		goredis.SetLogger(redisLog{log})
		rb, err := redisbackend.New(redisbackend.Options{Addr: r.Addr, Password: r.Password, DB: r.DB, Prefix: r.Prefix, Timeout: r.Timeout})
		if err != nil {
			return fmt.Errorf("server.redis: %w", err)
		}
		defer rb.Close()
		if err := rb.Ping(ctx); err != nil {
			log.Warn("shared result cache unreachable; scanning without it until it answers", "redis", r.Addr, "error", err)
		}
		backend = rb
	}
	// One model hub for every Shield of this process, so that a reload does
	// not load the models again; the models section needs a restart.
	hub, err := modelhub.New(modelhub.ForServing(cfg.Models), log)
	if err != nil {
		return fmt.Errorf("models: %w", err)
	}
	defer hub.Close()
	first := true
	load := func(ctx context.Context, reg prometheus.Registerer) (*llmshield.Shield, error) {
		c := cfg
		if !first {
			var err error
			if c, err = loadConfig(configPath); err != nil {
				return nil, err
			}
			c.Server.Addr = cfg.Server.Addr
			if !reflect.DeepEqual(c.Server, cfg.Server) {
				log.Warn("reload: the server section changed; those changes take effect after a restart")
			}
			if !reflect.DeepEqual(c.Models, cfg.Models) {
				log.Warn("reload: the models section changed; those changes take effect after a restart")
			}
		}
		first = false
		opts := []llmshield.Option{llmshield.WithLogger(log), llmshield.WithRegisterer(reg), llmshield.WithModelHub(hub)}
		if backend != nil {
			opts = append(opts, llmshield.WithCacheBackend(backend))
		}
		sh, err := llmshield.New(ctx, c, opts...)
		if err != nil {
			return nil, err
		}
		if in, _ := sh.Scanners(); len(in) == 0 {
			_ = sh.Close()
			return nil, errors.New("input_scanners: no scanner is enabled, so every prompt would pass unscanned; list at least one (`llmshield scanners` shows them)")
		}
		return sh, nil
	}
	vaults, closeVaults, err := a.vaultStore(cfg.Server, log)
	if err != nil {
		return err
	}
	defer closeVaults()
	var srv *server.Server
	tel, err := telemetry.New(ctx, telemetry.Config{
		ServiceName:   cfg.Server.AppName,
		TraceExporter: cfg.Server.Tracing.Exporter, TraceEndpoint: cfg.Server.Tracing.Endpoint,
		MetricExporter: cfg.Server.Metrics.Exporter, MetricEndpoint: cfg.Server.Metrics.Endpoint, MetricInterval: cfg.Server.Metrics.Interval,
		Console: a.streams.Err,
	}, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return srv.Gatherer().Gather() }))
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := tel.Shutdown(sctx); err != nil {
			log.Warn("telemetry: flushing at shutdown failed", "error", err)
		}
	}()
	srv, err = server.New(ctx, cfg.Server, load, server.WithLogger(log), server.WithTokens(tokens), server.WithTracer(tel.Tracer()), server.WithVaultStore(vaults))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		_ = srv.Close()
		return fmt.Errorf("listen: %w", err)
	}
	if host, _, _ := net.SplitHostPort(cfg.Server.Addr); !isLoopback(host) && len(tokens) == 0 && cfg.Server.Auth.Basic == nil {
		log.Warn("listening beyond loopback without authentication; set LLMSHIELD_AUTH_TOKEN or server.auth", "addr", ln.Addr().String())
	}
	if cfg.Server.SuppressAllowed() {
		log.Warn("requests may skip scanners with scanners_suppress (LLM Guard compatible); set server.allow_suppress: false unless clients are trusted to choose")
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading the configuration", "config", configPath)
				_ = srv.Reload(ctx) // logged by Reload; the old configuration keeps serving
			}
		}
	}()
	in, out := srv.Scanners()
	log.Info("serving", "addr", "http://"+ln.Addr().String(), "input_scanners", in, "output_scanners", out, "auth", len(tokens) > 0)
	fmt.Fprintf(a.streams.Err, "llmshield: serving on http://%s\n", ln.Addr())
	err = srv.Serve(ctx, ln)
	log.Info("stopped")
	return err
}

// redisLog adapts slog to go-redis's logger.
type redisLog struct{ l *slog.Logger }

func (r redisLog) Printf(ctx context.Context, format string, v ...any) {
	r.l.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
