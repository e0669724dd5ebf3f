package inference

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// errLeftQueue tells the engine a request left the queue because its
// context ended before it was batched.
var errLeftQueue = errors.New("request left the queue")

type request struct {
	in       Input
	bucket   int
	enqueued time.Time
	res      chan response // buffered: the batcher never blocks on delivery
}

type response struct {
	logits []float32
	err    error
}

// batcher gathers single-sequence requests into forward passes. One
// goroutine (loop) decides when to start a pass; passes run in their own
// goroutines, bounded by sem (shared with the engine's direct runs).
//
// A pass takes the oldest request's bucket: up to maxBatch requests of
// that bucket, in arrival order. It starts when maxBatch such requests are
// queued, when the oldest has waited maxWait, or immediately when no pass
// is running (so a lone request never waits).
type batcher struct {
	maxBatch int
	maxWait  time.Duration
	bucketOf func(int) int
	sem      chan struct{}
	run      func([]Input) ([][]float32, error)

	mu       sync.Mutex
	queue    []*request
	closed   bool
	inflight int

	wake     chan struct{} // capacity 1: "the queue or in-flight count changed"
	quit     chan struct{}
	done     chan struct{}
	passes   sync.WaitGroup
	closeOne sync.Once
}

func newBatcher(maxBatch int, maxWait time.Duration, bucketOf func(int) int, sem chan struct{}, run func([]Input) ([][]float32, error)) *batcher {
	b := &batcher{
		maxBatch: maxBatch, maxWait: maxWait, bucketOf: bucketOf, sem: sem, run: run,
		wake: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{}),
	}
	go b.loop()
	return b
}

func (b *batcher) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// submit queues in and waits for its logits. If ctx ends while the request
// is still queued, it is removed and errLeftQueue returned; if it ends after
// the request joined a pass, ctx.Err() is returned and the pass's result for
// it is dropped.
func (b *batcher) submit(ctx context.Context, in Input) ([]float32, error) {
	// Copy: the caller may reuse its slices once submit returns on ctx.Done,
	// while a pass may still be reading them.
	in = Input{InputIDs: slices.Clone(in.InputIDs), AttentionMask: slices.Clone(in.AttentionMask), TokenTypeIDs: slices.Clone(in.TokenTypeIDs)}
	r := &request{in: in, bucket: b.bucketOf(len(in.InputIDs)), enqueued: time.Now(), res: make(chan response, 1)}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, ErrClosed
	}
	b.queue = append(b.queue, r)
	b.mu.Unlock()
	b.signal()
	select {
	case res := <-r.res:
		return res.logits, res.err
	case <-ctx.Done():
		if b.remove(r) {
			return nil, errLeftQueue
		}
		return nil, ctx.Err()
	}
}

func (b *batcher) remove(r *request) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, q := range b.queue {
		if q == r {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			return true
		}
	}
	return false
}

func (b *batcher) depth() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

func (b *batcher) loop() {
	defer close(b.done)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		b.mu.Lock()
		if b.closed {
			b.mu.Unlock()
			return
		}
		if len(b.queue) == 0 {
			b.mu.Unlock()
			select {
			case <-b.wake:
			case <-b.quit:
			}
			continue
		}
		oldest := b.queue[0]
		same := 0
		for _, r := range b.queue {
			if r.bucket == oldest.bucket {
				same++
			}
		}
		wait := b.maxWait - time.Since(oldest.enqueued)
		if same < b.maxBatch && wait > 0 && b.inflight > 0 {
			b.mu.Unlock()
			timer.Reset(wait)
			select {
			case <-b.wake:
			case <-timer.C:
			case <-b.quit:
			}
			timer.Stop()
			continue
		}
		group := make([]*request, 0, min(same, b.maxBatch))
		rest := b.queue[:0]
		for _, r := range b.queue {
			if r.bucket == oldest.bucket && len(group) < b.maxBatch {
				group = append(group, r)
			} else {
				rest = append(rest, r)
			}
		}
		clear(b.queue[len(rest):])
		b.queue = rest
		b.inflight++
		b.passes.Add(1)
		b.mu.Unlock()

		select {
		case b.sem <- struct{}{}:
		case <-b.quit:
			b.finish(group, nil, ErrClosed)
			continue
		}
		go func() {
			defer func() { <-b.sem }()
			ins := make([]Input, len(group))
			for i, r := range group {
				ins[i] = r.in
			}
			rows, err := b.run(ins)
			b.finish(group, rows, err)
		}()
	}
}

// finish delivers results and marks the pass done.
func (b *batcher) finish(group []*request, rows [][]float32, err error) {
	for i, r := range group {
		if err != nil {
			r.res <- response{err: err}
		} else {
			r.res <- response{logits: rows[i]}
		}
	}
	b.mu.Lock()
	b.inflight--
	b.mu.Unlock()
	b.passes.Done()
	b.signal()
}

// close fails queued requests with ErrClosed, stops the loop and waits for
// running passes. It is idempotent.
func (b *batcher) close() {
	b.closeOne.Do(func() {
		b.mu.Lock()
		b.closed = true
		queued := b.queue
		b.queue = nil
		b.mu.Unlock()
		for _, r := range queued {
			r.res <- response{err: ErrClosed}
		}
		close(b.quit)
		<-b.done
		b.passes.Wait()
	})
}
