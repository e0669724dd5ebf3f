package isolate

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRunAnswer(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second} {
		o := Run(context.Background(), d, 0, func(context.Context) (int, error) { return 7, nil })
		if o.Value != 7 || o.Err != nil || o.Abandoned || o.TimedOut {
			t.Errorf("timeout %s: %+v", d, o)
		}
		boom := errors.New("boom")
		o = Run(context.Background(), d, 0, func(context.Context) (int, error) { return 1, boom })
		if o.Value != 1 || o.Err != boom || o.Abandoned {
			t.Errorf("timeout %s: %+v, want boom", d, o)
		}
	}
}

func TestRunPanic(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second} {
		o := Run(context.Background(), d, 0, func(context.Context) (int, error) { panic("bad tensor") })
		var p *Panic
		if !errors.As(o.Err, &p) || p.Value != "bad tensor" || !strings.Contains(string(p.Stack), "isolate_test.go") ||
			o.Err.Error() != "panic: bad tensor" || o.Abandoned {
			t.Errorf("timeout %s: %+v", d, o)
		}
	}
}

// A call that ignores its context is abandoned at the deadline; one that
// honours it returns its own error, within the grace period.
func TestRunDeadline(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	o := Run(context.Background(), 20*time.Millisecond, 0, func(context.Context) (int, error) { <-release; return 1, nil })
	if !o.Abandoned || !o.TimedOut || !errors.Is(o.Err, context.DeadlineExceeded) || o.Value != 0 {
		t.Errorf("hung call: %+v", o)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("returned after %s", el)
	}
	own := errors.New("stopped")
	o = Run(context.Background(), 20*time.Millisecond, time.Second, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		time.Sleep(5 * time.Millisecond) // late, but within the grace period
		return 0, own
	})
	if o.Abandoned || !o.TimedOut || o.Err != own {
		t.Errorf("late but graceful call: %+v", o)
	}
}

// When the caller's context ends, the call is abandoned but did not time out.
func TestRunCallerCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	release := make(chan struct{})
	defer close(release)
	go func() { time.Sleep(10 * time.Millisecond); cancel() }()
	o := Run(ctx, time.Minute, 0, func(context.Context) (int, error) { <-release; return 1, nil })
	if !o.Abandoned || o.TimedOut || !errors.Is(o.Err, context.Canceled) {
		t.Errorf("caller cancelled: %+v", o)
	}
}

func BenchmarkRun(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if o := Run(ctx, time.Second, 10*time.Millisecond, func(context.Context) (int, error) { return 1, nil }); o.Err != nil {
			b.Fatal(o.Err)
		}
	}
}
