package loader

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
)

type fakeResolver struct {
	calls atomic.Int64
	fail  map[string]error
}

func (f *fakeResolver) Ensure(ctx context.Context, task model.Task, variant model.Variant) (registry.Files, error) {
	return f.EnsureID(ctx, string(task)+"-"+string(variant))
}

func (f *fakeResolver) EnsureID(ctx context.Context, id string) (registry.Files, error) {
	f.calls.Add(1)
	if err := f.fail[id]; err != nil {
		return registry.Files{}, err
	}
	return registry.Files{Entry: registry.Entry{ID: id}, Dir: "/models/" + id, Paths: map[string]string{"model.onnx": "/models/" + id + "/model.onnx"}}, nil
}

type session struct {
	id       string
	cfg      LoadConfig
	closed   atomic.Int64
	closeErr error
}

func (s *session) Close() error { s.closed.Add(1); return s.closeErr }

// opener counts opens and can block, fail or panic.
type opener struct {
	opens   atomic.Int64
	gate    chan struct{} // when non-nil, Open waits for it
	sawDone atomic.Bool
	fail    atomic.Int64 // fail this many opens
	mu      sync.Mutex
	made    []*session
}

func (o *opener) open(ctx context.Context, files registry.Files, cfg LoadConfig) (*session, error) {
	o.opens.Add(1)
	if o.gate != nil {
		select {
		case <-o.gate:
		case <-ctx.Done():
			o.sawDone.Store(true)
			return nil, ctx.Err()
		}
	}
	if o.fail.Load() > 0 {
		o.fail.Add(-1)
		return nil, errors.New("corrupt model")
	}
	if files.Entry.ID == "panic" {
		panic("boom")
	}
	s := &session{id: files.Entry.ID, cfg: cfg}
	o.mu.Lock()
	o.made = append(o.made, s)
	o.mu.Unlock()
	return s, nil
}

func newLoader(t *testing.T, o *opener) (*Loader[*session], *fakeResolver) {
	t.Helper()
	res := &fakeResolver{}
	l, err := New[*session](res, o.open)
	if err != nil {
		t.Fatal(err)
	}
	return l, res
}

func TestConcurrentLoadOpensOnce(t *testing.T) {
	o := &opener{gate: make(chan struct{})}
	l, res := newLoader(t, o)
	const n = 32
	got := make([]*session, n)
	errs := make([]error, n)
	var started, wg sync.WaitGroup
	started.Add(n)
	for i := range n {
		wg.Go(func() {
			started.Done()
			got[i], errs[i] = l.Load(context.Background(), model.TaskPromptInjection, model.FP32)
		})
	}
	started.Wait()
	close(o.gate)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if s != got[0] {
			t.Fatal("callers got different sessions")
		}
	}
	if o.opens.Load() != 1 || res.calls.Load() != 1 {
		t.Fatalf("opens = %d, resolves = %d, want 1 and 1", o.opens.Load(), res.calls.Load())
	}
	st := l.Stats()
	if st.TotalLoads != 1 || st.TotalLoaded != 1 || st.CacheHits+st.Shared != n-1 || st.Failures != 0 {
		t.Fatalf("stats %+v", st)
	}
	if !l.IsLoaded(TaskKey(model.TaskPromptInjection, model.FP32)) || l.Len() != 1 {
		t.Fatal("not loaded")
	}
	if got[0].cfg != DefaultLoadConfig() {
		t.Fatalf("cfg %+v", got[0].cfg)
	}
}

func TestFailedLoadIsRetried(t *testing.T) {
	o := &opener{}
	o.fail.Store(1)
	l, _ := newLoader(t, o)
	ctx := context.Background()
	_, err := l.LoadID(ctx, "m")
	if err == nil || !strings.Contains(err.Error(), "corrupt model") || !strings.Contains(err.Error(), "m") {
		t.Fatalf("err = %v", err)
	}
	if l.IsLoaded(IDKey("m")) {
		t.Fatal("failure cached as loaded")
	}
	if _, err := l.LoadID(ctx, "m"); err != nil {
		t.Fatal(err)
	}
	if st := l.Stats(); st.Failures != 1 || st.TotalLoads != 1 || o.opens.Load() != 2 {
		t.Fatalf("stats %+v opens %d", st, o.opens.Load())
	}
	// Resolver failures are reported with the key too.
	res := &fakeResolver{fail: map[string]error{"gone": registry.ErrNotFound}}
	l2, _ := New[*session](res, o.open)
	if _, err := l2.LoadID(ctx, "gone"); !errors.Is(err, registry.ErrNotFound) || !strings.Contains(err.Error(), "gone") {
		t.Fatalf("err = %v", err)
	}
}

func TestCallerCancelDoesNotCancelOthers(t *testing.T) {
	o := &opener{gate: make(chan struct{})}
	l, _ := newLoader(t, o)
	ctxA, cancelA := context.WithCancel(context.Background())
	errA := make(chan error, 1)
	go func() {
		_, err := l.LoadID(ctxA, "m")
		errA <- err
	}()
	type result struct {
		s   *session
		err error
	}
	resB := make(chan result, 1)
	// Wait until A's load is in flight, then join with B.
	waitFor(t, func() bool { return o.opens.Load() > 0 })
	go func() {
		s, err := l.LoadID(context.Background(), "m")
		resB <- result{s, err}
	}()
	waitFor(t, func() bool { return l.Stats().Shared > 0 })
	cancelA()
	if err := <-errA; !errors.Is(err, context.Canceled) {
		t.Fatalf("A: %v", err)
	}
	close(o.gate)
	b := <-resB
	if b.err != nil || b.s == nil {
		t.Fatalf("B: %v", b.err)
	}
	if o.sawDone.Load() {
		t.Fatal("the load was cancelled although B still waited")
	}
}

func TestLastWaiterLeavingCancelsLoad(t *testing.T) {
	o := &opener{gate: make(chan struct{})}
	l, _ := newLoader(t, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := l.LoadID(ctx, "m")
		done <- err
	}()
	waitFor(t, func() bool { return o.opens.Load() > 0 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	waitFor(t, func() bool { return o.sawDone.Load() })
	if l.IsLoaded(IDKey("m")) {
		t.Fatal("abandoned load cached")
	}
	// A later Load starts afresh.
	close(o.gate)
	if _, err := l.LoadID(context.Background(), "m"); err != nil {
		t.Fatal(err)
	}
	if o.opens.Load() != 2 {
		t.Fatalf("opens = %d, want 2", o.opens.Load())
	}
}

func TestLoadWithConfig(t *testing.T) {
	o := &opener{}
	l, _ := newLoader(t, o)
	ctx := context.Background()
	_, err := l.LoadWithConfig(ctx, model.TaskToxicity, model.INT8, LoadConfig{Threads: 2, OptimizationLevel: 4})
	if err == nil || !strings.Contains(err.Error(), "optimization_level") {
		t.Fatalf("err = %v", err)
	}
	if _, err := l.LoadWithConfig(ctx, model.TaskToxicity, model.INT8, LoadConfig{Threads: -1}); err == nil || !strings.Contains(err.Error(), "threads") {
		t.Fatalf("err = %v", err)
	}
	cfg := LoadConfig{Threads: 2, OptimizationLevel: 1}
	s, err := l.LoadWithConfig(ctx, model.TaskToxicity, model.INT8, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg != cfg {
		t.Fatalf("opener got %+v", s.cfg)
	}
	if _, err := l.LoadWithConfig(ctx, model.TaskToxicity, model.INT8, LoadConfig{Threads: 4, OptimizationLevel: 1}); err == nil || !strings.Contains(err.Error(), "unload it first") {
		t.Fatalf("conflicting config: %v", err)
	}
	if s2, err := l.Load(ctx, model.TaskToxicity, model.INT8); err != nil || s2 != s {
		t.Fatalf("plain Load after LoadWithConfig: %v", err)
	}
	if _, err := New[*session](&fakeResolver{}, o.open, WithDefaultConfig(LoadConfig{OptimizationLevel: 9})); err == nil {
		t.Fatal("invalid default config accepted")
	}
}

func TestPreload(t *testing.T) {
	o := &opener{}
	res := &fakeResolver{fail: map[string]error{"sentiment-fp16": errors.New("no such file")}}
	l, err := New[*session](res, o.open)
	if err != nil {
		t.Fatal(err)
	}
	err = l.Preload(context.Background(),
		TaskKey(model.TaskPromptInjection, model.FP32),
		TaskKey(model.TaskToxicity, model.FP32),
		TaskKey(model.TaskSentiment, model.FP16),
		IDKey("panic"),
	)
	if err == nil {
		t.Fatal("want error")
	}
	for _, s := range []string{"preload sentiment/fp16", "no such file", "preload panic", "panicked"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %q", err, s)
		}
	}
	want := []Key{TaskKey(model.TaskPromptInjection, model.FP32), TaskKey(model.TaskToxicity, model.FP32)}
	if d := cmp.Diff(want, l.Loaded()); d != "" {
		t.Errorf("Loaded (-want +got):\n%s", d)
	}
	if st := l.Stats(); st.Failures != 2 || st.TotalLoads != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestUnload(t *testing.T) {
	o := &opener{}
	l, _ := newLoader(t, o)
	ctx := context.Background()
	k := IDKey("a")
	s, err := l.LoadID(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := l.Unload(k); !ok || err != nil {
		t.Fatalf("Unload = %v, %v", ok, err)
	}
	if s.closed.Load() != 1 || l.IsLoaded(k) || l.Len() != 0 {
		t.Fatal("session not closed or still listed")
	}
	if ok, _ := l.Unload(k); ok {
		t.Fatal("second Unload found a session")
	}
	s2, err := l.LoadID(ctx, "a")
	if err != nil || s2 == s {
		t.Fatalf("reload: %v", err)
	}
	if _, ok := l.Files(k); !ok {
		t.Fatal("Files of loaded model missing")
	}
	// UnloadAll closes everything and joins errors.
	s3, _ := l.LoadID(ctx, "b")
	s3.closeErr = errors.New("close failed")
	err = l.UnloadAll()
	if err == nil || !strings.Contains(err.Error(), "unload b") {
		t.Fatalf("UnloadAll = %v", err)
	}
	if s2.closed.Load() != 1 || s3.closed.Load() != 1 || l.Len() != 0 {
		t.Fatal("UnloadAll left sessions open")
	}
}

func TestUnloadWhileLoading(t *testing.T) {
	o := &opener{gate: make(chan struct{})}
	l, _ := newLoader(t, o)
	done := make(chan error, 1)
	go func() {
		_, err := l.LoadID(context.Background(), "a")
		done <- err
	}()
	waitFor(t, func() bool { return o.opens.Load() > 0 })
	if ok, err := l.Unload(IDKey("a")); !ok || err != nil {
		t.Fatalf("Unload = %v, %v", ok, err)
	}
	close(o.gate)
	if err := <-done; !errors.Is(err, ErrUnloaded) {
		t.Fatalf("err = %v, want ErrUnloaded", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.made) != 1 || o.made[0].closed.Load() != 1 {
		t.Fatal("session opened after Unload was not closed")
	}
}

func TestWithRegistry(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "model.onnx"), []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	doc := registry.Document{Models: []registry.Entry{{ID: "local", Task: model.TaskSentiment, Variant: model.FP32, Path: dir}}}
	reg, err := registry.New(doc, registry.WithCacheDir(t.TempDir()), registry.WithOffline(true))
	if err != nil {
		t.Fatal(err)
	}
	l, err := New[*fileSession](reg, func(ctx context.Context, f registry.Files, cfg LoadConfig) (*fileSession, error) {
		b, err := os.ReadFile(f.Model())
		if err != nil {
			return nil, err
		}
		return &fileSession{data: string(b)}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.Load(context.Background(), model.TaskSentiment, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.data != "weights" {
		t.Fatalf("data %q", s.data)
	}
	if _, err := l.Load(context.Background(), model.TaskNER, ""); !errors.Is(err, registry.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

type fileSession struct{ data string }

func (*fileSession) Close() error { return nil }

func TestKeyString(t *testing.T) {
	for k, want := range map[Key]string{
		TaskKey(model.TaskToxicity, model.INT8): "toxicity/int8",
		TaskKey(model.TaskToxicity, ""):         "toxicity",
		IDKey("x"):                              "x",
	} {
		if k.String() != want {
			t.Errorf("%#v.String() = %q, want %q", k, k.String(), want)
		}
	}
	if _, err := (&Loader[*session]{}).load(context.Background(), Key{}, nil); err == nil {
		t.Error("empty key accepted")
	}
}

func BenchmarkLoadHit(b *testing.B) {
	o := &opener{}
	l, err := New[*session](&fakeResolver{}, o.open)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := l.Load(ctx, model.TaskPromptInjection, model.FP32); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			l.Load(ctx, model.TaskPromptInjection, model.FP32)
		}
	})
}
