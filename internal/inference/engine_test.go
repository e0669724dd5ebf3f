package inference

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/internal/inference/backend"
	"github.com/llmshield/llmshield/internal/testkit"
)

// fakeSession computes padding-invariant logits: logit j of a row is
// mean(attended ids)*(j+1)/100 - j + sum(token types). It can block passes
// on a gate, and corrupt its output.
type fakeSession struct {
	inputs    []string
	numLabels int
	gate      chan struct{} // when non-nil, Run waits until it is closed
	nanRow    int           // row that gets a NaN logit (-1: none)
	shapeBug  bool          // report one label too many

	mu      sync.Mutex
	batches []int
	seqs    []int
	types   [][]int64
	closed  bool
}

func newFake() *fakeSession {
	return &fakeSession{inputs: []string{backend.InputIDs, backend.AttentionMask}, numLabels: 2, nanRow: -1}
}

func (f *fakeSession) InputNames() []string { return f.inputs }
func (f *fakeSession) OutputName() string   { return "logits" }

func (f *fakeSession) Run(ctx context.Context, in backend.Inputs) (backend.Output, error) {
	if err := in.Validate(); err != nil {
		return backend.Output{}, err
	}
	f.mu.Lock()
	f.batches = append(f.batches, in.Batch)
	f.seqs = append(f.seqs, in.SeqLen)
	f.types = append(f.types, slices.Clone(in.TokenTypeIDs))
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return backend.Output{}, ctx.Err()
		}
	}
	out := backend.Output{Batch: in.Batch, NumLabels: f.numLabels, Logits: make([]float32, 0, in.Batch*f.numLabels)}
	for r := 0; r < in.Batch; r++ {
		out.Logits = append(out.Logits, fakeLogits(in, r, f.numLabels)...)
		if r == f.nanRow {
			out.Logits[len(out.Logits)-1] = float32(math.NaN())
		}
	}
	if f.shapeBug {
		out.NumLabels++
	}
	return out, nil
}

func fakeLogits(in backend.Inputs, r, numLabels int) []float32 {
	var sum, n, types float64
	for j := 0; j < in.SeqLen; j++ {
		k := r*in.SeqLen + j
		if in.AttentionMask[k] == 1 {
			sum += float64(in.InputIDs[k])
			n++
			if in.TokenTypeIDs != nil {
				types += float64(in.TokenTypeIDs[k])
			}
		}
	}
	out := make([]float32, numLabels)
	for j := range out {
		out[j] = float32(sum/n*float64(j+1)/100 - float64(j) + types)
	}
	return out
}

// gated installs a gate that blocks passes until release; the gate is also
// released at cleanup so a failing test cannot hang in Engine.Close.
func (f *fakeSession) gated(t *testing.T) (release func()) {
	f.gate = make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(f.gate) }) }
	t.Cleanup(release)
	return release
}

func (f *fakeSession) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *fakeSession) seen() (batches, seqs []int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches), slices.Clone(f.seqs)
}

// wantLogits is the fake's answer for one unpadded sequence.
func wantLogits(in Input, numLabels int) []float32 {
	bi := backend.Inputs{Batch: 1, SeqLen: len(in.InputIDs), InputIDs: in.InputIDs, AttentionMask: in.AttentionMask, TokenTypeIDs: in.TokenTypeIDs}
	return fakeLogits(bi, 0, numLabels)
}

func newTestEngine(t *testing.T, f *fakeSession, opts EngineOptions) *Engine {
	t.Helper()
	if err := opts.validate(); err != nil {
		t.Fatal(err)
	}
	e := newEngine(f, "fake", opts, slog.New(slog.DiscardHandler), nil)
	t.Cleanup(func() { _ = e.Close() })
	return e
}

func seq(n int, start int64) Input {
	in := Input{InputIDs: make([]int64, n), AttentionMask: make([]int64, n)}
	for i := range in.InputIDs {
		in.InputIDs[i] = start + int64(i)
		in.AttentionMask[i] = 1
	}
	return in
}

var labels2 = []string{"SAFE", "INJECTION"}

type inferOut struct {
	res InferenceResult
	err error
}

func inferAsync(ctx context.Context, e *Engine, in Input) chan inferOut {
	ch := make(chan inferOut, 1)
	go func() {
		r, err := e.Infer(ctx, in.InputIDs, in.AttentionMask, labels2, Softmax)
		ch <- inferOut{r, err}
	}()
	return ch
}

// busyEngine returns an engine built with opts whose first forward pass,
// of seq(3, 1), has started and is held until release is called; first
// receives that request's result.
func busyEngine(t *testing.T, opts EngineOptions) (f *fakeSession, e *Engine, release func(), first chan inferOut) {
	t.Helper()
	f = newFake()
	e = newTestEngine(t, f, opts)
	release = f.gated(t)
	first = inferAsync(context.Background(), e, seq(3, 1))
	testkit.WaitFor(t, 10*time.Second, "first pass to start", func() bool { b, _ := f.seen(); return len(b) == 1 })
	return f, e, release, first
}

func TestMicroBatchGathersByBucket(t *testing.T) {
	f, e, release, first := busyEngine(t, EngineOptions{MicroBatching: true, MaxBatchSize: 8, MaxWait: time.Hour, Buckets: []int{16, 64}})

	// While the first pass runs, queue 3 short and 2 long sequences.
	ins := []Input{seq(5, 10), seq(40, 20), seq(9, 30), seq(33, 40), seq(2, 50)}
	var outs []chan inferOut
	for i, in := range ins {
		outs = append(outs, inferAsync(context.Background(), e, in))
		testkit.WaitFor(t, 10*time.Second, "request queued", func() bool { return e.Stats().QueueDepth == i+1 })
	}
	release()

	if r := <-first; r.err != nil {
		t.Fatal(r.err)
	}
	for i, ch := range outs {
		r := <-ch
		if r.err != nil {
			t.Fatal(r.err)
		}
		want, _ := FromBinaryLogits(wantLogits(ins[i], 2), labels2)
		if diff := cmp.Diff(want, r.res); diff != "" {
			t.Errorf("request %d (-want +got):\n%s", i, diff)
		}
	}
	batches, seqs := f.seen()
	// Oldest bucket (short) first, padded to its longest member (9), then
	// the long bucket padded to 40.
	if diff := cmp.Diff([]int{1, 3, 2}, batches); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3, 9, 40}, seqs); diff != "" {
		t.Errorf("padded lengths (-want +got):\n%s", diff)
	}
	st := e.Stats()
	if st.ForwardPasses != 3 || st.Rows != 6 || st.MaxBatch != 3 || st.Requests != 6 || st.Errors != 0 {
		t.Errorf("stats = %+v", st)
	}
	if st.PaddingTokens != (9*3-(5+9+2))+(40*2-(40+33)) {
		t.Errorf("padding tokens = %d", st.PaddingTokens)
	}
}

func TestMicroBatchMaxBatchSizeStartsPass(t *testing.T) {
	f, e, release, first := busyEngine(t, EngineOptions{MicroBatching: true, MaxBatchSize: 2, MaxWait: time.Hour, MaxConcurrentRuns: 4})
	a := inferAsync(context.Background(), e, seq(4, 1))
	b := inferAsync(context.Background(), e, seq(5, 1))
	// Two queued requests fill a batch: the pass starts without waiting for
	// MaxWait or for the first pass.
	testkit.WaitFor(t, 10*time.Second, "full batch to start", func() bool { b, _ := f.seen(); return len(b) == 2 })
	release()
	for _, ch := range []chan inferOut{first, a, b} {
		if r := <-ch; r.err != nil {
			t.Fatal(r.err)
		}
	}
	if batches, _ := f.seen(); !slices.Equal(batches, []int{1, 2}) {
		t.Errorf("batches = %v", batches)
	}
}

func TestMicroBatchMaxWaitStartsPass(t *testing.T) {
	f, e, release, first := busyEngine(t, EngineOptions{MicroBatching: true, MaxBatchSize: 8, MaxWait: 5 * time.Millisecond, MaxConcurrentRuns: 4})
	a := inferAsync(context.Background(), e, seq(4, 1))
	// The first pass is still blocked; MaxWait alone must start the second.
	testkit.WaitFor(t, 10*time.Second, "second pass after max wait", func() bool { b, _ := f.seen(); return len(b) == 2 })
	release()
	for _, ch := range []chan inferOut{first, a} {
		if r := <-ch; r.err != nil {
			t.Fatal(r.err)
		}
	}
}

func TestCancelWhileQueued(t *testing.T) {
	f, e, release, first := busyEngine(t, EngineOptions{MicroBatching: true, MaxBatchSize: 8, MaxWait: time.Hour})

	ctx, cancel := context.WithCancel(context.Background())
	queued := inferAsync(ctx, e, seq(4, 1))
	testkit.WaitFor(t, 10*time.Second, "queued", func() bool { return e.Stats().QueueDepth == 1 })
	cancel()
	r := <-queued
	if !errors.Is(r.err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", r.err)
	}
	if st := e.Stats(); st.QueueDepth != 0 || st.Cancelled != 1 || st.Errors != 0 {
		t.Errorf("stats after cancel = %+v", st)
	}
	release()
	if r := <-first; r.err != nil {
		t.Fatal(r.err)
	}
	if batches, _ := f.seen(); !slices.Equal(batches, []int{1}) {
		t.Errorf("cancelled request still ran: batches %v", batches)
	}
}

func TestCloseFailsQueuedAndWaitsForRunning(t *testing.T) {
	f, e, release, first := busyEngine(t, EngineOptions{MicroBatching: true, MaxBatchSize: 8, MaxWait: time.Hour})
	var queued []chan inferOut
	for i := range 3 {
		queued = append(queued, inferAsync(context.Background(), e, seq(4+i, 1)))
	}
	testkit.WaitFor(t, 10*time.Second, "queued", func() bool { return e.Stats().QueueDepth == 3 })

	closed := make(chan error, 1)
	go func() { closed <- e.Close() }()
	for _, ch := range queued {
		if r := <-ch; !errors.Is(r.err, ErrClosed) {
			t.Errorf("queued request: err = %v, want ErrClosed", r.err)
		}
	}
	select {
	case <-closed:
		t.Fatal("Close returned while a pass was running")
	case <-time.After(20 * time.Millisecond):
	}
	release()
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	if r := <-first; r.err != nil {
		t.Errorf("running request failed: %v", r.err)
	}
	select {
	case <-e.batcher.done:
	default:
		t.Error("batcher loop still running after Close")
	}
	f.mu.Lock()
	if !f.closed {
		t.Error("session not closed")
	}
	f.mu.Unlock()
	if _, err := e.Infer(context.Background(), []int64{1}, []int64{1}, labels2, Softmax); !errors.Is(err, ErrClosed) {
		t.Errorf("Infer after Close: %v", err)
	}
	if err := e.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestConcurrentInferMatchesSingle(t *testing.T) {
	for _, mb := range []bool{false, true} {
		t.Run(fmt.Sprintf("microbatching=%v", mb), func(t *testing.T) {
			f := newFake()
			e := newTestEngine(t, f, EngineOptions{MicroBatching: mb, MaxBatchSize: 4, MaxWait: time.Millisecond})
			var wg sync.WaitGroup
			errs := make(chan error, 64)
			for g := range 8 {
				wg.Go(func() {
					for i := range 8 {
						in := seq(1+(g*7+i*13)%70, int64(g*100+i))
						got, err := e.Infer(context.Background(), in.InputIDs, in.AttentionMask, labels2, Softmax)
						if err != nil {
							errs <- err
							return
						}
						want, _ := FromBinaryLogits(wantLogits(in, 2), labels2)
						for k := range want.Scores {
							if math.Abs(want.Scores[k]-got.Scores[k]) > 1e-6 {
								errs <- fmt.Errorf("goroutine %d request %d: got %v want %v", g, i, got.Scores, want.Scores)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Error(err)
			}
			if st := e.Stats(); st.Requests != 64 || st.Rows != 64 {
				t.Errorf("stats = %+v", st)
			}
		})
	}
}

func TestInferBatchSplitsAndKeepsOrder(t *testing.T) {
	f := newFake()
	e := newTestEngine(t, f, EngineOptions{MaxBatchSize: 2, Buckets: []int{8, 32}})
	batch := []Input{seq(20, 1), seq(3, 2), seq(5, 3), seq(30, 4), seq(4, 5), seq(40, 6)}
	got, err := e.InferBatch(context.Background(), batch, labels2, Softmax)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range batch {
		want, _ := FromBinaryLogits(wantLogits(in, 2), labels2)
		if diff := cmp.Diff(want, got[i]); diff != "" {
			t.Errorf("sequence %d (-want +got):\n%s", i, diff)
		}
	}
	batches, _ := f.seen()
	slices.Sort(batches)
	// bucket <=8: 3,4,5 -> passes of 2 and 1; bucket <=32: 20,30 -> 2; >32: 40 -> 1.
	if diff := cmp.Diff([]int{1, 1, 2, 2}, batches); diff != "" {
		t.Errorf("batch sizes (-want +got):\n%s", diff)
	}
}

func TestTokenTypesFedWhenDeclared(t *testing.T) {
	f := newFake()
	f.inputs = append(f.inputs, backend.TokenTypeIDs)
	e := newTestEngine(t, f, EngineOptions{})
	if !e.HasTokenTypeIDs() {
		t.Fatal("HasTokenTypeIDs = false")
	}
	rows, err := e.Logits(context.Background(), []Input{seq(3, 1), {InputIDs: []int64{1, 2}, AttentionMask: []int64{1, 1}, TokenTypeIDs: []int64{0, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	types := f.types
	f.mu.Unlock()
	// Sorted by length: the 2-token sequence and the 3-token one share a
	// pass padded to 3.
	if diff := cmp.Diff([][]int64{{0, 1, 0, 0, 0, 0}}, types); diff != "" {
		t.Errorf("token types fed (-want +got):\n%s", diff)
	}
	if rows[1][0] != wantLogits(Input{InputIDs: []int64{1, 2}, AttentionMask: []int64{1, 1}, TokenTypeIDs: []int64{0, 1}}, 2)[0] {
		t.Errorf("token types not used: %v", rows[1])
	}

	g := newFake()
	e2 := newTestEngine(t, g, EngineOptions{})
	if _, err := e2.Logits(context.Background(), []Input{seq(3, 1)}); err != nil {
		t.Fatal(err)
	}
	if g.types[0] != nil {
		t.Errorf("token types fed to a model that does not declare them: %v", g.types[0])
	}
}

func TestBadOutputs(t *testing.T) {
	f := newFake()
	f.nanRow = 0
	e := newTestEngine(t, f, EngineOptions{})
	if _, err := e.Infer(context.Background(), []int64{1, 2}, []int64{1, 1}, labels2, Softmax); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN logits: err = %v, want ErrNonFinite", err)
	}
	if _, err := e.InferBatch(context.Background(), []Input{seq(2, 1), seq(2, 1)}, labels2, Sigmoid); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN logits in batch: err = %v, want ErrNonFinite", err)
	}

	g := newFake()
	g.shapeBug = true
	e2 := newTestEngine(t, g, EngineOptions{MicroBatching: true})
	if _, err := e2.Infer(context.Background(), []int64{1, 2}, []int64{1, 1}, labels2, Softmax); !errors.Is(err, ErrOutputShape) {
		t.Errorf("bad shape: err = %v, want ErrOutputShape", err)
	}
	if st := e2.Stats(); st.Errors != 1 {
		t.Errorf("errors = %d", st.Errors)
	}

	h := newFake()
	e3 := newTestEngine(t, h, EngineOptions{})
	if _, err := e3.Infer(context.Background(), []int64{1}, []int64{1}, []string{"a", "b", "c"}, Softmax); !errors.Is(err, ErrOutputShape) {
		t.Errorf("3 labels for 2 logits: err = %v, want ErrOutputShape", err)
	}
}

func TestInputValidation(t *testing.T) {
	e := newTestEngine(t, newFake(), EngineOptions{MaxLength: 8, MicroBatching: true})
	tests := []struct {
		name string
		in   Input
	}{
		{"empty", Input{}},
		{"mask length", Input{InputIDs: []int64{1, 2}, AttentionMask: []int64{1}}},
		{"mask value", Input{InputIDs: []int64{1, 2}, AttentionMask: []int64{1, 2}}},
		{"no attended token", Input{InputIDs: []int64{1, 2}, AttentionMask: []int64{0, 0}}},
		{"negative id", Input{InputIDs: []int64{1, -2}, AttentionMask: []int64{1, 1}}},
		{"too long", seq(9, 1)},
		{"token types length", Input{InputIDs: []int64{1}, AttentionMask: []int64{1}, TokenTypeIDs: []int64{0, 0}}},
		{"negative token type", Input{InputIDs: []int64{1}, AttentionMask: []int64{1}, TokenTypeIDs: []int64{-1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := e.Logits(context.Background(), []Input{tt.in}); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("err = %v, want ErrInvalidInput", err)
			}
			if _, err := e.InferBatch(context.Background(), []Input{seq(2, 1), tt.in}, labels2, Softmax); !errors.Is(err, ErrInvalidInput) {
				t.Errorf("batch err = %v, want ErrInvalidInput", err)
			}
		})
	}
	if _, err := e.InferBatch(context.Background(), nil, labels2, Softmax); !errors.Is(err, ErrInvalidInput) {
		t.Errorf("empty batch: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Infer(ctx, []int64{1}, []int64{1}, labels2, Softmax); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: %v", err)
	}
}

func TestEngineOptionsValidate(t *testing.T) {
	bad := []EngineOptions{
		{IntraOpThreads: -1},
		{Optimization: OptimizationAll + 1},
		{MaxLength: -1},
		{MaxBatchSize: -1},
		{MaxWait: -time.Second},
		{PadID: -1},
		{Buckets: []int{32, 16}},
		{Buckets: []int{0}},
	}
	for _, o := range bad {
		if err := o.validate(); !errors.Is(err, ErrInvalidInput) {
			t.Errorf("%+v: err = %v", o, err)
		}
	}
	if err := (EngineOptions{}).validate(); err != nil {
		t.Errorf("zero options: %v", err)
	}
}

func FuzzInfer(f *testing.F) {
	f.Add([]byte{1, 2, 3}, []byte{1, 1, 0}, uint8(2))
	f.Add([]byte{}, []byte{}, uint8(0))
	f.Add([]byte{255, 0}, []byte{2, 1}, uint8(5))
	f.Fuzz(func(t *testing.T, ids, mask []byte, nLabels uint8) {
		e := newEngine(newFake(), "fake", EngineOptions{MaxLength: 64}, slog.New(slog.DiscardHandler), nil)
		defer e.Close()
		in := Input{InputIDs: make([]int64, len(ids)), AttentionMask: make([]int64, len(mask))}
		for i, v := range ids {
			in.InputIDs[i] = int64(int8(v))
		}
		for i, v := range mask {
			in.AttentionMask[i] = int64(v % 3)
		}
		labels := make([]string, nLabels%5)
		for i := range labels {
			labels[i] = fmt.Sprint(i)
		}
		r, err := e.Infer(context.Background(), in.InputIDs, in.AttentionMask, labels, Softmax)
		if err != nil {
			return
		}
		if len(r.Scores) != 2 || math.IsNaN(r.MaxScore) {
			t.Fatalf("bad result %+v", r)
		}
	})
}
