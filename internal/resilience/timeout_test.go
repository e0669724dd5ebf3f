package resilience

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/llmshield/llmshield/internal/testkit"
)

func TestTimeoutPassesResult(t *testing.T) {
	testkit.NoLeaks(t)
	if err := Timeout(context.Background(), time.Hour, func(context.Context) error { return nil }); err != nil {
		t.Errorf("Timeout = %v", err)
	}
	err := Timeout(context.Background(), time.Hour, func(context.Context) error { return errBoom })
	if err != errBoom {
		t.Errorf("Timeout = %v, want boom unchanged", err)
	}
	v, err := timeoutCall(context.Background(), time.Hour, func(context.Context) (int, error) { return 42, nil })
	if v != 42 || err != nil {
		t.Errorf("timeoutCall = %d, %v", v, err)
	}
}

func TestTimeoutPerCallDeadline(t *testing.T) {
	testkit.NoLeaks(t)
	err := Timeout(context.Background(), 5*time.Millisecond, func(ctx context.Context) error {
		<-ctx.Done()
		return ctx.Err()
	})
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrTimeout wrapping DeadlineExceeded", err)
	}
	if strings.Count(err.Error(), "deadline exceeded") != 1 {
		t.Errorf("message repeats itself: %q", err)
	}
}

func TestTimeoutParentEnded(t *testing.T) {
	testkit.NoLeaks(t)
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		started := make(chan struct{})
		go func() { <-started; cancel() }()
		err := Timeout(ctx, time.Hour, func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
			t.Errorf("err = %v, want context.Canceled and not ErrTimeout", err)
		}
	})
	t.Run("parent deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
		defer cancel()
		err := Timeout(ctx, time.Hour, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
			t.Errorf("err = %v, want the parent's DeadlineExceeded and not ErrTimeout", err)
		}
	})
	t.Run("already done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		called := false
		err := Timeout(ctx, time.Hour, func(context.Context) error { called = true; return nil })
		if called || !errors.Is(err, context.Canceled) {
			t.Errorf("called = %v, err = %v", called, err)
		}
	})
}

func TestTimeoutAbandonsCallThatIgnoresContext(t *testing.T) {
	testkit.NoLeaks(t)
	release := make(chan struct{})
	finished := make(chan struct{})
	err := Timeout(context.Background(), 5*time.Millisecond, func(context.Context) error {
		defer close(finished)
		<-release // ignores ctx, like a blocking cgo call
		return nil
	})
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	close(release)
	<-finished // the abandoned goroutine exits once fn returns (noLeaks checks)
}

func TestTimeoutRecoversPanic(t *testing.T) {
	testkit.NoLeaks(t)
	for _, d := range []time.Duration{time.Hour, 0} {
		err := Timeout(context.Background(), d, func(context.Context) error { panic("bad tensor") })
		if !errors.Is(err, ErrPanic) || !strings.Contains(err.Error(), "bad tensor") {
			t.Errorf("d=%s: err = %v, want ErrPanic with the value", d, err)
		}
	}
}

func TestTimeoutZeroMeansNoDeadline(t *testing.T) {
	err := Timeout(context.Background(), 0, func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); ok {
			return errors.New("unexpected deadline")
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}
