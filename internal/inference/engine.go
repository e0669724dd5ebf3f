package inference

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// Defaults applied by EngineOptions.
const (
	DefaultMaxBatchSize = 32
	DefaultMaxWait      = 2 * time.Millisecond
)

// DefaultBuckets are the sequence-length bucket bounds used to group
// requests of similar length into one forward pass.
var DefaultBuckets = []int{16, 32, 64, 128, 256, 512}

// OptimizationLevel is the backend graph optimisation level.
type OptimizationLevel int

// Optimisation levels; the zero value lets the backend choose (ORT: all).
const (
	OptimizationDefault OptimizationLevel = iota
	OptimizationNone
	OptimizationBasic
	OptimizationExtended
	OptimizationAll
)

// EngineOptions configure one loaded model.
type EngineOptions struct {
	// Name identifies the model in logs and stats.
	Name string
	// IntraOpThreads / InterOpThreads bound the threads of one forward pass
	// (ONNX Runtime); 0 lets the backend decide.
	IntraOpThreads int
	InterOpThreads int
	// Optimization is the graph optimisation level (ONNX Runtime).
	Optimization OptimizationLevel
	// MaxLength rejects longer sequences (0: no limit).
	MaxLength int
	// PadID pads shorter sequences of a batch (with attention mask 0).
	PadID int64
	// MaxBatchSize bounds the rows of one forward pass (default 32).
	MaxBatchSize int
	// MaxConcurrentRuns bounds forward passes running at once on this
	// model (default GOMAXPROCS).
	MaxConcurrentRuns int
	// MicroBatching gathers concurrent Infer calls into shared forward
	// passes: a pass starts when MaxBatchSize requests of one length bucket
	// are queued, when the oldest request has waited MaxWait, or at once
	// when no pass of this model is running.
	MicroBatching bool
	// MaxWait is the longest a request waits for companions (default 2ms).
	MaxWait time.Duration
	// Buckets are ascending sequence-length bounds grouping requests
	// (default DefaultBuckets); longer sequences share one last bucket.
	Buckets []int
	// Output names the model output to read; empty means "logits" when
	// declared, else the first output. Classifiers need a [batch,
	// num_labels] output; Tensors also takes [batch, seq_len, width]
	// (hidden states).
	Output string
}

func (o EngineOptions) validate() error {
	switch {
	case o.IntraOpThreads < 0, o.InterOpThreads < 0:
		return fmt.Errorf("%w: thread counts must not be negative", ErrInvalidInput)
	case o.Optimization < OptimizationDefault || o.Optimization > OptimizationAll:
		return fmt.Errorf("%w: optimization level %d out of range", ErrInvalidInput, o.Optimization)
	case o.MaxLength < 0, o.MaxBatchSize < 0, o.MaxConcurrentRuns < 0, o.MaxWait < 0:
		return fmt.Errorf("%w: max_length, max batch size, max concurrent runs and max wait must not be negative", ErrInvalidInput)
	case o.PadID < 0:
		return fmt.Errorf("%w: pad id %d is negative", ErrInvalidInput, o.PadID)
	}
	for i, b := range o.Buckets {
		if b <= 0 || (i > 0 && b <= o.Buckets[i-1]) {
			return fmt.Errorf("%w: buckets %v must be positive and ascending", ErrInvalidInput, o.Buckets)
		}
	}
	return nil
}

func (o EngineOptions) withDefaults() EngineOptions {
	if o.MaxBatchSize == 0 {
		o.MaxBatchSize = DefaultMaxBatchSize
	}
	if o.MaxConcurrentRuns == 0 {
		o.MaxConcurrentRuns = runtime.GOMAXPROCS(0)
	}
	if o.MaxWait == 0 {
		o.MaxWait = DefaultMaxWait
	}
	if len(o.Buckets) == 0 {
		o.Buckets = DefaultBuckets
	}
	o.Buckets = slices.Clone(o.Buckets)
	return o
}

func (o EngineOptions) backendOptions() backend.Options {
	return backend.Options{
		IntraOpThreads:    o.IntraOpThreads,
		InterOpThreads:    o.InterOpThreads,
		OptimizationLevel: int(o.Optimization) - 1, // default -> -1
		Output:            o.Output,
	}
}

// Input is one tokenised sequence. TokenTypeIDs is optional (zeros are fed
// when the model declares token_type_ids and none are given).
type Input struct {
	InputIDs      []int64
	AttentionMask []int64
	TokenTypeIDs  []int64
}

// Stats are an Engine's counters since it was opened.
type Stats struct {
	Model   string
	Backend string
	// Requests counts sequences submitted; Cancelled those whose context
	// ended while queued; Errors failed sequences.
	Requests, Cancelled, Errors uint64
	// ForwardPasses and Rows: Rows/ForwardPasses is the mean batch size.
	ForwardPasses, Rows uint64
	// MaxBatch is the largest batch run.
	MaxBatch int
	// Tokens fed, and how many of them were padding.
	Tokens, PaddingTokens uint64
	// QueueDepth is the number of requests waiting now.
	QueueDepth int
	// InferenceTime is the total wall time of forward passes.
	InferenceTime time.Duration
}

// MeanBatchSize is Rows/ForwardPasses (0 before the first pass).
func (s Stats) MeanBatchSize() float64 {
	if s.ForwardPasses == 0 {
		return 0
	}
	return float64(s.Rows) / float64(s.ForwardPasses)
}

// Engine runs one classifier. It is safe for concurrent use; concurrent
// forward passes are allowed (bounded by MaxConcurrentRuns) and, with
// MicroBatching, concurrent Infer calls share passes.
type Engine struct {
	name     string
	backend  string
	sess     backend.Session
	opts     EngineOptions
	hasTypes bool
	logger   *slog.Logger
	sem      chan struct{}
	batcher  *batcher
	closed   atomic.Bool
	onClose  func(*Engine)

	requests, cancelled, errs    atomic.Uint64
	passes, rows, tokens, padded atomic.Uint64
	maxBatch                     atomic.Int64
	nanos                        atomic.Int64
	// perToken is set once a pass returned [batch, seq_len, width] hidden
	// states (rows then hold seq_len*width values) rather than one vector
	// per sequence; the output's rank is fixed by the model.
	perToken atomic.Bool
}

func newEngine(s backend.Session, backendName string, opts EngineOptions, logger *slog.Logger, onClose func(*Engine)) *Engine {
	opts = opts.withDefaults()
	hasTypes := slices.Contains(s.InputNames(), backend.TokenTypeIDs)
	e := &Engine{
		name: opts.Name, backend: backendName, sess: s, opts: opts, hasTypes: hasTypes,
		logger: logger, sem: make(chan struct{}, opts.MaxConcurrentRuns), onClose: onClose,
	}
	if opts.MicroBatching && opts.MaxBatchSize > 1 {
		e.batcher = newBatcher(opts.MaxBatchSize, opts.MaxWait, e.bucket, e.sem, e.runQueued)
	}
	return e
}

// Backend returns the name of the backend running this model.
func (e *Engine) Backend() string { return e.backend }

// InputNames returns the inputs the model declares.
func (e *Engine) InputNames() []string { return e.sess.InputNames() }

// HasTokenTypeIDs reports whether the model declares token_type_ids.
func (e *Engine) HasTokenTypeIDs() bool { return e.hasTypes }

// Infer classifies one sequence. labels name the model's outputs in order.
func (e *Engine) Infer(ctx context.Context, ids, mask []int64, labels []string, post PostProcessing) (InferenceResult, error) {
	rows, err := e.Logits(ctx, []Input{{InputIDs: ids, AttentionMask: mask}})
	if err != nil {
		return InferenceResult{}, err
	}
	return e.result(rows[0], labels, post)
}

// InferBatch classifies several sequences; results are in input order. The
// batch is split into forward passes by length bucket and MaxBatchSize.
func (e *Engine) InferBatch(ctx context.Context, batch []Input, labels []string, post PostProcessing) ([]InferenceResult, error) {
	rows, err := e.Logits(ctx, batch)
	if err != nil {
		return nil, err
	}
	out := make([]InferenceResult, len(rows))
	for i, r := range rows {
		if out[i], err = e.result(r, labels, post); err != nil {
			return nil, fmt.Errorf("sequence %d: %w", i, err)
		}
	}
	return out, nil
}

func (e *Engine) result(logits []float32, labels []string, post PostProcessing) (InferenceResult, error) {
	r, err := NewResult(logits, labels, post)
	if err != nil {
		e.errs.Add(1)
		return InferenceResult{}, fmt.Errorf("model %s: %w", e.name, err)
	}
	return r, nil
}

// Logits runs the model and returns the raw logits per sequence, in input
// order. A single sequence goes through the micro-batcher when enabled.
// A model whose output has a token dimension is not a classifier:
// ErrOutputShape.
func (e *Engine) Logits(ctx context.Context, batch []Input) ([][]float32, error) {
	rows, err := e.run(ctx, batch)
	if err != nil {
		return nil, err
	}
	if e.perToken.Load() {
		e.errs.Add(uint64(len(batch)))
		return nil, fmt.Errorf("model %s: %w: output %q is [batch, seq_len, width] hidden states, a classifier needs [batch, num_labels]",
			e.name, ErrOutputShape, e.sess.OutputName())
	}
	return rows, nil
}

// Tensor is one sequence's model output: one vector (Tokens 0; logits or a
// pooled embedding) or one Width-sized vector per token (Tokens > 0;
// hidden states, row-major).
type Tensor struct {
	Values []float32
	Tokens int
	Width  int
}

// Token returns the vector of token i of a per-token output.
func (t Tensor) Token(i int) []float32 { return t.Values[i*t.Width : (i+1)*t.Width] }

// Tensors runs the model and returns each sequence's output, in input
// order: for a [batch, seq_len, width] output the rows of the sequence's
// own tokens (padding added for the batch is dropped), for a [batch, n]
// output one vector.
func (e *Engine) Tensors(ctx context.Context, batch []Input) ([]Tensor, error) {
	rows, err := e.run(ctx, batch)
	if err != nil {
		return nil, err
	}
	out := make([]Tensor, len(rows))
	for i, r := range rows {
		if !e.perToken.Load() {
			out[i] = Tensor{Values: r, Width: len(r)}
			continue
		}
		n := len(batch[i].InputIDs)
		if n == 0 || len(r)%n != 0 || len(r) == 0 {
			return nil, fmt.Errorf("model %s: %w: %d values for %d tokens", e.name, ErrOutputShape, len(r), n)
		}
		out[i] = Tensor{Values: r, Tokens: n, Width: len(r) / n}
	}
	return out, nil
}

func (e *Engine) run(ctx context.Context, batch []Input) ([][]float32, error) {
	if err := e.admit(ctx, batch); err != nil {
		return nil, err
	}
	if e.batcher != nil && len(batch) == 1 {
		row, err := e.batcher.submit(ctx, batch[0])
		if err != nil {
			if errors.Is(err, errLeftQueue) {
				e.cancelled.Add(1)
				return nil, ctx.Err()
			}
			if !errors.Is(err, ctx.Err()) || ctx.Err() == nil {
				e.errs.Add(1)
			}
			return nil, err
		}
		return [][]float32{row}, nil
	}
	return runPasses(ctx, e, batch, e.forward)
}

// admit refuses a batch the engine cannot run (closed engine, empty batch,
// an invalid sequence, a done context) and counts the requests of one it
// can.
func (e *Engine) admit(ctx context.Context, batch []Input) error {
	if e.closed.Load() {
		return ErrClosed
	}
	if len(batch) == 0 {
		return fmt.Errorf("%w: empty batch", ErrInvalidInput)
	}
	for i, in := range batch {
		if err := e.validate(in); err != nil {
			if len(batch) > 1 {
				return fmt.Errorf("sequence %d: %w", i, err)
			}
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	e.requests.Add(uint64(len(batch)))
	return nil
}

func (e *Engine) validate(in Input) error {
	n := len(in.InputIDs)
	switch {
	case n == 0:
		return fmt.Errorf("%w: empty input_ids", ErrInvalidInput)
	case len(in.AttentionMask) != n:
		return fmt.Errorf("%w: %d input_ids but %d attention_mask values", ErrInvalidInput, n, len(in.AttentionMask))
	case in.TokenTypeIDs != nil && len(in.TokenTypeIDs) != n:
		return fmt.Errorf("%w: %d input_ids but %d token_type_ids", ErrInvalidInput, n, len(in.TokenTypeIDs))
	case e.opts.MaxLength > 0 && n > e.opts.MaxLength:
		return fmt.Errorf("%w: %d tokens exceed max length %d", ErrInvalidInput, n, e.opts.MaxLength)
	}
	attended := false
	for i, m := range in.AttentionMask {
		if m != 0 && m != 1 {
			return fmt.Errorf("%w: attention_mask[%d] = %d, want 0 or 1", ErrInvalidInput, i, m)
		}
		attended = attended || m == 1
	}
	if !attended {
		return fmt.Errorf("%w: attention_mask attends to no token", ErrInvalidInput)
	}
	for i, id := range in.InputIDs {
		if id < 0 {
			return fmt.Errorf("%w: input_ids[%d] = %d is negative", ErrInvalidInput, i, id)
		}
	}
	for i, t := range in.TokenTypeIDs {
		if t < 0 {
			return fmt.Errorf("%w: token_type_ids[%d] = %d is negative", ErrInvalidInput, i, t)
		}
	}
	return nil
}

// bucket maps a sequence length to its bucket index.
func (e *Engine) bucket(n int) int {
	for i, b := range e.opts.Buckets {
		if n <= b {
			return i
		}
	}
	return len(e.opts.Buckets)
}

// runPasses splits batch into passes (same bucket, at most MaxBatchSize
// rows), runs them concurrently with pass (bounded by MaxConcurrentRuns)
// and returns one result per sequence, in input order. A failure counts as
// an error for every sequence of the batch.
func runPasses[T any](ctx context.Context, e *Engine, batch []Input, pass func(context.Context, []Input) ([]T, error)) ([]T, error) {
	order := make([]int, len(batch))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(batch[a].InputIDs) - len(batch[b].InputIDs) })
	var groups [][]int
	for _, i := range order {
		last := len(groups) - 1
		if last >= 0 && len(groups[last]) < e.opts.MaxBatchSize &&
			e.bucket(len(batch[groups[last][0]].InputIDs)) == e.bucket(len(batch[i].InputIDs)) {
			groups[last] = append(groups[last], i)
			continue
		}
		groups = append(groups, []int{i})
	}
	out := make([]T, len(batch))
	g, gctx := errgroup.WithContext(ctx)
	for _, idx := range groups {
		g.Go(func() error {
			select {
			case e.sem <- struct{}{}:
			case <-gctx.Done():
				return gctx.Err()
			}
			defer func() { <-e.sem }()
			ins := make([]Input, len(idx))
			for j, i := range idx {
				ins[j] = batch[i]
			}
			rows, err := pass(gctx, ins)
			if err != nil {
				return err
			}
			for j, i := range idx {
				out[i] = rows[j]
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		e.errs.Add(uint64(len(batch)))
		if e.closed.Load() {
			return nil, ErrClosed
		}
		return nil, err
	}
	return out, nil
}

// runQueued runs one micro-batch gathered by the batcher (the batcher
// already holds a slot of e.sem).
func (e *Engine) runQueued(ins []Input) ([][]float32, error) {
	rows, err := e.forward(context.Background(), ins)
	if err != nil && e.closed.Load() {
		return nil, ErrClosed
	}
	return rows, err
}

// forward runs one pass over ins and returns each sequence's output.
func (e *Engine) forward(ctx context.Context, ins []Input) ([][]float32, error) {
	out, err := e.pass(ctx, ins, func(out backend.Output, seq int) error {
		if out.Batch != len(ins) || out.NumLabels <= 0 || (out.SeqLen != 0 && out.SeqLen != seq) || len(out.Logits) != out.Batch*out.RowLen() {
			return fmt.Errorf("model %s: %w: got %d values as [%d, %d, %d] for a batch of %d sequences of %d tokens",
				e.name, ErrOutputShape, len(out.Logits), out.Batch, out.SeqLen, out.NumLabels, len(ins), seq)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.SeqLen > 0 {
		e.perToken.Store(true)
	}
	rows := make([][]float32, len(ins))
	for i := range rows {
		r := out.Row(i)
		if out.SeqLen > 0 {
			r = r[:len(ins[i].InputIDs)*out.NumLabels] // the sequence's own tokens
		}
		rows[i] = slices.Clone(r)
	}
	return rows, nil
}

// pass pads ins to the longest sequence, runs one forward pass, checks the
// output with shape (given the padded sequence length) and counts the pass.
func (e *Engine) pass(ctx context.Context, ins []Input, shape func(out backend.Output, seq int) error) (backend.Output, error) {
	seq := 0
	for _, in := range ins {
		seq = max(seq, len(in.InputIDs))
	}
	n := len(ins) * seq
	bi := backend.Inputs{Batch: len(ins), SeqLen: seq, PadID: e.opts.PadID,
		InputIDs: make([]int64, n), AttentionMask: make([]int64, n)}
	if e.hasTypes {
		bi.TokenTypeIDs = make([]int64, n)
	}
	var real uint64
	for r, in := range ins {
		row := bi.InputIDs[r*seq : (r+1)*seq]
		copy(row, in.InputIDs)
		for j := len(in.InputIDs); j < seq; j++ {
			row[j] = e.opts.PadID
		}
		copy(bi.AttentionMask[r*seq:], in.AttentionMask)
		if e.hasTypes && in.TokenTypeIDs != nil {
			copy(bi.TokenTypeIDs[r*seq:], in.TokenTypeIDs)
		}
		real += uint64(len(in.InputIDs))
	}
	start := time.Now()
	out, err := e.sess.Run(ctx, bi)
	e.nanos.Add(int64(time.Since(start)))
	if err != nil {
		return backend.Output{}, fmt.Errorf("model %s: %w", e.name, err)
	}
	if err := shape(out, seq); err != nil {
		return backend.Output{}, err
	}
	e.passes.Add(1)
	e.rows.Add(uint64(len(ins)))
	e.tokens.Add(uint64(n))
	e.padded.Add(uint64(n) - real)
	for {
		cur := e.maxBatch.Load()
		if int64(len(ins)) <= cur || e.maxBatch.CompareAndSwap(cur, int64(len(ins))) {
			break
		}
	}
	return out, nil
}

// Stats returns a snapshot of the counters.
func (e *Engine) Stats() Stats {
	s := Stats{
		Model: e.name, Backend: e.backend,
		Requests: e.requests.Load(), Cancelled: e.cancelled.Load(), Errors: e.errs.Load(),
		ForwardPasses: e.passes.Load(), Rows: e.rows.Load(), MaxBatch: int(e.maxBatch.Load()),
		Tokens: e.tokens.Load(), PaddingTokens: e.padded.Load(),
		InferenceTime: time.Duration(e.nanos.Load()),
	}
	if e.batcher != nil {
		s.QueueDepth = e.batcher.depth()
	}
	return s
}

// Close fails queued requests with ErrClosed, waits for running passes and
// releases the model. It is idempotent.
func (e *Engine) Close() error {
	if e.closed.Swap(true) {
		return nil
	}
	if e.batcher != nil {
		e.batcher.close()
	}
	err := e.sess.Close()
	if e.onClose != nil {
		e.onClose(e)
	}
	e.logger.Info("model closed", "model", e.name, "backend", e.backend)
	if err != nil {
		return fmt.Errorf("close model %s: %w", e.name, err)
	}
	return nil
}
