// Package bench measures the inference engine for `llmshield bench`: for
// each available backend it reports per-sample latency at several sequence
// lengths, batch throughput, and concurrent throughput with and without
// micro-batching; a caller-supplied tokenizer row can be added.
//
// Numbers are wall-clock measurements on the running machine and model;
// they are for comparing backends and settings, not absolute claims.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/inference/backend"
)

// Options configure Run.
type Options struct {
	// ModelPath is the ONNX classifier to measure (required).
	ModelPath string
	// Backends to measure; nil means every backend that starts
	// ("ort", "purego"). A requested backend that fails to start is an error;
	// an unavailable one in the default list is reported and skipped.
	Backends []string
	// ORTLibraryPath overrides the ONNX Runtime library search.
	ORTLibraryPath string
	// SeqLens for the per-sample latency rows (default 64, 256).
	SeqLens []int
	// BatchSize for the batch throughput row (default 32) and its sequence
	// length (default 64).
	BatchSize   int
	BatchSeqLen int
	// Concurrency is the number of goroutines in the concurrent rows
	// (default 16).
	Concurrency int
	// Duration is the measuring time per row (default 1s); each row runs
	// at least one operation.
	Duration time.Duration
	// Threads sets ONNX Runtime intra-op threads (0: backend default).
	Threads int
	// Tokenizer, when set, adds a "tokenizer" row: each call is one unit of
	// work and returns the number of tokens it produced.
	Tokenizer     func(ctx context.Context) (tokens int, err error)
	TokenizerName string
	// Logger receives backend selection logs; nil discards.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if len(o.SeqLens) == 0 {
		o.SeqLens = []int{64, 256}
	}
	if o.BatchSize == 0 {
		o.BatchSize = 32
	}
	if o.BatchSeqLen == 0 {
		o.BatchSeqLen = 64
	}
	if o.Concurrency == 0 {
		o.Concurrency = 16
	}
	if o.Duration == 0 {
		o.Duration = time.Second
	}
	return o
}

// Row is one measurement.
type Row struct {
	Backend string
	Case    string
	Ops     int           // operations completed
	Samples int           // sequences (or tokens for the tokenizer row) processed
	Elapsed time.Duration // wall time
	// MeanBatch is the mean rows per forward pass (0 when not applicable).
	MeanBatch float64
}

// PerOp is the mean wall time per operation.
func (r Row) PerOp() time.Duration {
	if r.Ops == 0 {
		return 0
	}
	return r.Elapsed / time.Duration(r.Ops)
}

// Throughput is samples per second.
func (r Row) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Samples) / r.Elapsed.Seconds()
}

// Run measures and writes a table to w.
func Run(ctx context.Context, w io.Writer, opts Options) error {
	rows, err := Measure(ctx, opts)
	if werr := Write(w, rows); werr != nil {
		return errors.Join(err, werr)
	}
	return err
}

// Write prints rows as an aligned table.
func Write(w io.Writer, rows []Row) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BACKEND\tCASE\tOPS\tPER OP\tTHROUGHPUT\tMEAN BATCH")
	for _, r := range rows {
		unit := "seq/s"
		if r.Case == "tokenizer" {
			unit = "tokens/s"
		}
		mb := "-"
		if r.MeanBatch > 0 {
			mb = fmt.Sprintf("%.1f", r.MeanBatch)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%.0f %s\t%s\n", r.Backend, r.Case, r.Ops, r.PerOp().Round(time.Microsecond), r.Throughput(), unit, mb)
	}
	return tw.Flush()
}

// Measure runs every row and returns the measurements.
func Measure(ctx context.Context, opts Options) ([]Row, error) {
	opts = opts.withDefaults()
	if opts.ModelPath == "" && (len(opts.Backends) != 0 || opts.Tokenizer == nil) {
		return nil, errors.New("bench: ModelPath is required")
	}
	if opts.BatchSize < 1 || opts.BatchSeqLen < 1 || opts.Concurrency < 1 || opts.Duration < 0 {
		return nil, errors.New("bench: batch size, batch sequence length and concurrency must be positive")
	}
	for _, n := range opts.SeqLens {
		if n < 1 {
			return nil, fmt.Errorf("bench: sequence length %d must be positive", n)
		}
	}
	var rows []Row
	if opts.Tokenizer != nil {
		r, err := measure(ctx, opts.Duration, 1, func(ctx context.Context) (int, error) { return opts.Tokenizer(ctx) })
		if err != nil {
			return rows, fmt.Errorf("bench tokenizer: %w", err)
		}
		r.Backend, r.Case = opts.TokenizerName, "tokenizer"
		if r.Backend == "" {
			r.Backend = "-"
		}
		rows = append(rows, r)
	}
	if opts.ModelPath == "" {
		return rows, nil
	}
	names, explicit := opts.Backends, true
	if len(names) == 0 {
		names, explicit = []string{inference.BackendORT, inference.BackendPureGo}, false
	}
	for _, name := range names {
		rt, err := inference.NewRuntime(inference.RuntimeOptions{Backend: name, ORTLibraryPath: opts.ORTLibraryPath, Logger: opts.Logger})
		if err != nil {
			if !explicit && errors.Is(err, backend.ErrUnavailable) {
				rows = append(rows, Row{Backend: name, Case: "unavailable"})
				continue
			}
			return rows, fmt.Errorf("bench %s: %w", name, err)
		}
		br, err := measureBackend(ctx, rt, opts)
		rows = append(rows, br...)
		err = errors.Join(err, rt.Close())
		if err != nil {
			return rows, fmt.Errorf("bench %s: %w", name, err)
		}
	}
	return rows, nil
}

// Sequence returns a deterministic sequence of n token ids below 1000.
func Sequence(n int, seed int) inference.Input {
	in := inference.Input{InputIDs: make([]int64, n), AttentionMask: make([]int64, n)}
	for i := range in.InputIDs {
		in.InputIDs[i] = int64(1 + (seed*7919+i*104729)%998)
		in.AttentionMask[i] = 1
	}
	return in
}

func measureBackend(ctx context.Context, rt *inference.Runtime, opts Options) ([]Row, error) {
	name := rt.Info().Name
	open := func(micro bool) (*inference.Engine, error) {
		return rt.Open(ctx, opts.ModelPath, inference.EngineOptions{
			Name: "bench", IntraOpThreads: opts.Threads,
			MaxBatchSize: opts.BatchSize, MicroBatching: micro, MaxWait: 2 * time.Millisecond,
		})
	}
	plain, err := open(false)
	if err != nil {
		return nil, err
	}
	defer plain.Close()
	var rows []Row
	add := func(c string, e *inference.Engine, conc int, op func(ctx context.Context, i int) (int, error)) error {
		before := e.Stats()
		var seq atomic.Int64
		// One warm-up op (compiles the shape on the pure-Go backend).
		if _, err := op(ctx, 0); err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
		r, err := measure(ctx, opts.Duration, conc, func(ctx context.Context) (int, error) {
			return op(ctx, int(seq.Add(1)))
		})
		if err != nil {
			return fmt.Errorf("%s: %w", c, err)
		}
		after := e.Stats()
		if p := after.ForwardPasses - before.ForwardPasses; p > 0 {
			r.MeanBatch = float64(after.Rows-before.Rows) / float64(p)
		}
		r.Backend, r.Case = name, c
		rows = append(rows, r)
		return nil
	}
	for _, n := range opts.SeqLens {
		in := Sequence(n, 1)
		err := add(fmt.Sprintf("latency seq=%d", n), plain, 1, func(ctx context.Context, _ int) (int, error) {
			_, err := plain.Logits(ctx, []inference.Input{in})
			return 1, err
		})
		if err != nil {
			return rows, err
		}
	}
	batch := make([]inference.Input, opts.BatchSize)
	for i := range batch {
		batch[i] = Sequence(opts.BatchSeqLen, i)
	}
	err = add(fmt.Sprintf("batch=%d seq=%d", opts.BatchSize, opts.BatchSeqLen), plain, 1, func(ctx context.Context, _ int) (int, error) {
		_, err := plain.Logits(ctx, batch)
		return len(batch), err
	})
	if err != nil {
		return rows, err
	}
	concurrent := func(e *inference.Engine, label string) error {
		return add(fmt.Sprintf("concurrent=%d seq=%d %s", opts.Concurrency, opts.BatchSeqLen, label), e, opts.Concurrency,
			func(ctx context.Context, i int) (int, error) {
				_, err := e.Logits(ctx, []inference.Input{batch[i%len(batch)]})
				return 1, err
			})
	}
	if err := concurrent(plain, "no micro-batching"); err != nil {
		return rows, err
	}
	micro, err := open(true)
	if err != nil {
		return rows, err
	}
	defer micro.Close()
	if err := concurrent(micro, "micro-batching"); err != nil {
		return rows, err
	}
	return rows, nil
}

// measure runs op from conc goroutines until d has passed (at least one op
// per goroutine) and counts ops and samples.
func measure(ctx context.Context, d time.Duration, conc int, op func(context.Context) (int, error)) (Row, error) {
	var (
		mu      sync.Mutex
		ops     int
		samples int
		errs    []error
		wg      sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range conc {
		wg.Go(func() {
			for first := true; first || time.Now().Before(deadline); first = false {
				if ctx.Err() != nil {
					return
				}
				n, err := op(ctx)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				ops++
				samples += n
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := ctx.Err(); err != nil {
		return Row{}, err
	}
	if len(errs) > 0 {
		return Row{}, errors.Join(errs...)
	}
	return Row{Ops: ops, Samples: samples, Elapsed: elapsed}, nil
}
