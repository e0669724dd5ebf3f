package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/loadtest"
	"github.com/llmshield/llmshield/internal/modelhub"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/builtin"
	"github.com/llmshield/llmshield/server"
)

// scenario is one row of the load-test table: a Shield configuration, an
// endpoint and a request body. Adding one (e.g. ML prompt injection with
// micro-batching on and off) is one more entry in scenarios.
type scenario struct {
	name string
	// config returns the Shield configuration; nil means: use --config.
	config func() (*config.Config, error)
	path   string
	body   func() ([]byte, error)
}

// heuristicTypes are the scanners that need no model. Those not (yet) in
// the build's builtin list are left out; the table says which ran.
var heuristicTypes = []string{"invisible_text", "prompt_injection", "ban_substrings", "regex"}

// mlOff are the params that keep an ML-capable scanner on its rules.
const mlOff = "ml: {enabled: false}"

// heuristicEntry returns the configuration entry that runs scanner type t
// on rules alone: with ML switched off when the scanner has an ML part,
// else with its defaults. ok is false when t is not built in or does not
// build without more parameters (e.g. a substring list).
func heuristicEntry(cfg *config.Config, t string) (e config.Scanner, params string, ok bool) {
	if _, found := builtin.Lookup(t); !found {
		return config.Scanner{}, "", false
	}
	for _, params := range []string{mlOff, ""} {
		e := config.Scanner{Type: t}
		if params != "" {
			if err := yaml.Unmarshal([]byte(params), &e.Params); err != nil {
				continue
			}
			e.Params = *e.Params.Content[0]
		}
		s, err := builtin.Build(context.Background(), t, e, builtin.Deps{Logger: slog.New(slog.DiscardHandler), Config: cfg})
		if err != nil {
			continue
		}
		if c, ok := s.(scanner.Closer); ok {
			_ = c.Close()
		}
		return e, params, true
	}
	return config.Scanner{}, "", false
}

// heuristicsConfig builds the heuristics-only configuration: every
// heuristic scanner that builds on rules alone.
func heuristicsConfig() (*config.Config, error) {
	cfg, err := config.Default()
	if err != nil {
		return nil, err
	}
	cfg.InputScanners, cfg.OutputScanners = nil, nil
	for _, t := range heuristicTypes {
		f, ok := builtin.Lookup(t)
		if !ok || f.Stages&scanner.StagePrompt == 0 {
			continue
		}
		if e, _, ok := heuristicEntry(cfg, t); ok {
			cfg.InputScanners = append(cfg.InputScanners, e)
		}
	}
	if len(cfg.InputScanners) == 0 {
		return nil, errors.New("no heuristic scanner is built in")
	}
	return cfg, cfg.Validate()
}

// benignPrompt is n bytes of ordinary English.
func benignPrompt(n int) string {
	const text = "Please summarise the quarterly report for the board, highlighting revenue growth, " +
		"customer retention and the main risks for the next two quarters. Keep it short and factual. "
	var b strings.Builder
	for b.Len() < n {
		b.WriteString(text)
	}
	return b.String()[:n]
}

func promptBody(n int) func() ([]byte, error) {
	return func() ([]byte, error) { return json.Marshal(map[string]string{"prompt": benignPrompt(n)}) }
}

// mlConfig runs the built-in prompt-injection model on every request (ML
// only, no result cache, so that every request reaches the model), with
// micro-batching on or off.
func mlConfig(batching bool) func() (*config.Config, error) {
	return func() (*config.Config, error) {
		cfg, err := config.Parse([]byte(`models: {offline: true}
input_scanners:
  - type: prompt_injection
    params: {ml: {mode: ml_only, cache: {enabled: false}}}
`))
		if err != nil {
			return nil, err
		}
		cfg.Models.Batching.Enabled = batching
		return cfg, nil
	}
}

var scenarios = []scenario{
	{name: "heuristics-1KB", config: heuristicsConfig, path: "/analyze/prompt", body: promptBody(1024)},
	{name: "heuristics-1KB", config: heuristicsConfig, path: "/v1/scan", body: promptBody(1024)},
	{name: "config-1KB", config: nil, path: "/analyze/prompt", body: promptBody(1024)},
	{name: "ml-pi-batching-512B", config: mlConfig(true), path: "/analyze/prompt", body: promptBody(512)},
	{name: "ml-pi-nobatching-512B", config: mlConfig(false), path: "/analyze/prompt", body: promptBody(512)},
}

type loadtestFlags struct {
	url, config   string
	scenarios     []string
	concurrency   int
	requests      int
	duration      time.Duration
	warmup        int
	listScenarios bool
	cpuProfile    string
}

func (a *app) loadtestCommand() *cobra.Command {
	var f loadtestFlags
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "Measure the HTTP server's throughput and latency on loopback",
		Long: `Start the server in-process on 127.0.0.1:0 (or target --url, loopback only)
and drive it with a fixed number of concurrent clients, bounded by --requests
and --duration. Prints one table row per scenario: throughput, p50/p99/max
latency, and the server's live heap before and after the run (in-process only).

Scenarios: heuristics-1KB (every heuristic scanner, a 1 KB benign prompt, on
/analyze/prompt and /v1/scan) and config-1KB (the scanners of --config).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.listScenarios {
				for _, s := range scenarios {
					fmt.Fprintf(a.streams.Out, "%s\t%s\n", s.name, s.path)
				}
				return nil
			}
			return a.loadtest(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.url, "url", "", "target a running server at this base URL (loopback only) instead of starting one")
	fl.StringVar(&f.config, "config", "", "configuration for the config-1KB scenario (default: the embedded default)")
	fl.StringSliceVar(&f.scenarios, "scenario", []string{"heuristics-1KB"}, "scenarios to run (see --list)")
	fl.IntVar(&f.concurrency, "concurrency", 32, "concurrent clients")
	fl.IntVar(&f.requests, "requests", 200000, "stop after this many requests per scenario (0: no bound)")
	fl.DurationVar(&f.duration, "duration", 10*time.Second, "stop after this long per scenario")
	fl.IntVar(&f.warmup, "warmup", 2000, "requests sent before measuring")
	fl.BoolVar(&f.listScenarios, "list", false, "list the scenarios and exit")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the measured runs (client and in-process server) to this file")
	return cmd
}

type loadtestRow struct {
	sc         scenario
	res        loadtest.Result
	scanners   []string
	heapBefore uint64
	heapAfter  uint64
	err        error
}

func (a *app) loadtest(ctx context.Context, f loadtestFlags) error {
	if f.concurrency <= 0 {
		return fmt.Errorf("--concurrency: must be positive, got %d", f.concurrency)
	}
	if f.requests < 0 || f.duration <= 0 {
		return errors.New("--requests must not be negative and --duration must be positive")
	}
	if f.url != "" {
		if _, err := loadtest.CheckLoopback(f.url); err != nil {
			return fmt.Errorf("--url: %w", err)
		}
	}
	var rows []loadtestRow
	for _, name := range f.scenarios {
		found := false
		for _, sc := range scenarios {
			if sc.name != name {
				continue
			}
			found = true
			row := loadtestRow{sc: sc}
			row.res, row.scanners, row.heapBefore, row.heapAfter, row.err = a.runScenario(ctx, sc, f)
			rows = append(rows, row)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
		if !found {
			var names []string
			for _, sc := range scenarios {
				if !slices.Contains(names, sc.name) {
					names = append(names, sc.name)
				}
			}
			return fmt.Errorf("--scenario: unknown scenario %q (known: %s)", name, strings.Join(names, ", "))
		}
	}
	return a.printLoadtest(rows, f)
}

func (a *app) runScenario(ctx context.Context, sc scenario, f loadtestFlags) (res loadtest.Result, scanners []string, heapBefore, heapAfter uint64, err error) {
	body, err := sc.body()
	if err != nil {
		return res, nil, 0, 0, err
	}
	base := strings.TrimRight(f.url, "/")
	header := http.Header{}
	if f.url == "" {
		cfg, err := a.scenarioConfig(sc, f)
		if err != nil {
			return res, nil, 0, 0, err
		}
		cfg.Models = modelhub.ForServing(cfg.Models) // as `serve` runs them
		srv, err := server.New(ctx, cfg.Server, func(ctx context.Context, reg prometheus.Registerer) (*llmshield.Shield, error) {
			return llmshield.New(ctx, cfg, llmshield.WithRegisterer(reg))
		}, server.WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			return res, nil, 0, 0, err
		}
		scanners, _ = srv.Scanners()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			_ = srv.Close()
			return res, nil, 0, 0, err
		}
		sctx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- srv.Serve(sctx, ln) }()
		defer func() {
			stop()
			if serr := <-done; err == nil {
				err = serr
			}
		}()
		base = "http://" + ln.Addr().String()
	} else if tok := strings.TrimSpace(strings.Split(a.env("LLMSHIELD_AUTH_TOKEN"), ",")[0]); tok != "" {
		header.Set("Authorization", "Bearer "+tok)
	}
	run := loadtest.Config{URL: base + sc.path, Body: body, Header: header, Concurrency: f.concurrency}
	if f.warmup > 0 {
		w := run
		w.Requests, w.Duration = f.warmup, f.duration
		if wr, err := loadtest.Run(ctx, w); err != nil || wr.Errors > 0 {
			return wr, scanners, 0, 0, fmt.Errorf("warm-up: %d errors (first: %s): %v", wr.Errors, wr.FirstError, err)
		}
	}
	heapBefore = liveHeap()
	run.Requests, run.Duration = f.requests, f.duration
	if f.cpuProfile != "" {
		stopProfile, perr := startCPUProfile(f.cpuProfile)
		if perr != nil {
			return res, scanners, 0, 0, perr
		}
		defer func() {
			if perr := stopProfile(); err == nil {
				err = perr
			}
		}()
	}
	res, err = loadtest.Run(ctx, run)
	heapAfter = liveHeap()
	if err == nil && res.Errors > 0 {
		err = fmt.Errorf("%d of %d requests failed", res.Errors, res.Requests)
	}
	return res, scanners, heapBefore, heapAfter, err
}

func (a *app) scenarioConfig(sc scenario, f loadtestFlags) (*config.Config, error) {
	var cfg *config.Config
	var err error
	if sc.config != nil {
		cfg, err = sc.config()
	} else {
		cfg, err = loadConfig(f.config)
	}
	if err != nil {
		return nil, err
	}
	// The generator is the only client: no per-client limits in the way.
	cfg.Server.RateLimit = config.RateLimit{}
	cfg.Server.MaxConcurrent = max(cfg.Server.MaxConcurrent, f.concurrency)
	return cfg, nil
}

// startCPUProfile starts profiling the process's CPU into path; the
// returned function stops it and closes the file. With several scenarios the
// file holds the last one's profile.
func startCPUProfile(path string) (func() error, error) {
	fh, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(fh); err != nil {
		_ = fh.Close()
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		if err := fh.Close(); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		return nil
	}, nil
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func (a *app) printLoadtest(rows []loadtestRow, f loadtestFlags) error {
	out := a.streams.Out
	where := "in-process server on 127.0.0.1"
	if f.url != "" {
		where = f.url
	}
	fmt.Fprintf(out, "target: %s   GOMAXPROCS=%d   concurrency=%d   bound: %d requests or %s\n", where, runtime.GOMAXPROCS(0), f.concurrency, f.requests, f.duration)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tendpoint\trequests\terrors\treq/s\tp50\tp99\tmax\theap before\theap after\t")
	failed := 0
	for _, r := range rows {
		if r.err != nil {
			failed++
		}
		heap := func(b uint64) string {
			if f.url != "" {
				return "-"
			}
			return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%s\t%s\t\n", r.sc.name, r.sc.path, r.res.Requests, r.res.Errors, r.res.Throughput,
			fmtDur(r.res.P50), fmtDur(r.res.P99), fmtDur(r.res.Max), heap(r.heapBefore), heap(r.heapAfter))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rows {
		if len(r.scanners) > 0 {
			fmt.Fprintf(out, "%s %s: scanners %s\n", r.sc.name, r.sc.path, strings.Join(r.scanners, ", "))
		}
		if r.res.Errors > 0 {
			fmt.Fprintf(out, "%s %s: %d errors, first: %s\n", r.sc.name, r.sc.path, r.res.Errors, r.res.FirstError)
		}
		if r.err != nil {
			fmt.Fprintf(out, "%s %s: %v\n", r.sc.name, r.sc.path, r.err)
		}
	}
	if failed > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%d scenario(s) failed", failed)}
	}
	return nil
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2fms", float64(d)/1e6)
	}
	return fmt.Sprintf("%dµs", d.Microseconds())
}
