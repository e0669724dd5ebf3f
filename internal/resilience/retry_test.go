package resilience

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/llmshield/llmshield/internal/testkit"
)

var errBoom = errors.New("boom")

func TestRetrySucceedsAfterTransientFailures(t *testing.T) {
	ft := newFakeTime()
	calls := 0
	p := Policy{MaxAttempts: 5, InitialBackoff: 100 * time.Millisecond, MaxBackoff: time.Second,
		Sleep: ft.Sleep, Now: ft.Now, Rand: fixedRand(0.5)}
	err := Retry(context.Background(), p, func(context.Context) error {
		calls++
		if calls < 3 {
			return Transient(errBoom)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if calls != 3 {
		t.Errorf("calls = %d, want 3", calls)
	}
	// Full jitter with rand 0.5: half of 100ms, then half of 200ms.
	if diff := cmp.Diff([]time.Duration{50 * time.Millisecond, 100 * time.Millisecond}, ft.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestRetryBackoffIsCappedAndJittered(t *testing.T) {
	ft := newFakeTime()
	p := Policy{MaxAttempts: 6, InitialBackoff: 100 * time.Millisecond, MaxBackoff: 300 * time.Millisecond,
		Multiplier: 2, MaxElapsed: time.Hour, Sleep: ft.Sleep, Now: ft.Now, Rand: fixedRand(0, 0.25, 1.0/3, 0.5, 0.75)}
	err := Retry(context.Background(), p, func(context.Context) error { return Transient(errBoom) })
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "giving up after 6 attempts") {
		t.Fatalf("err = %v, want giving up after 6 attempts wrapping boom", err)
	}
	want := []time.Duration{
		0,                      // 0 * 100ms
		50 * time.Millisecond,  // 0.25 * 200ms
		100 * time.Millisecond, // 1/3 * 300ms (400ms capped)
		150 * time.Millisecond, // 0.5 * 300ms
		225 * time.Millisecond, // 0.75 * 300ms
	}
	if diff := cmp.Diff(want, ft.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

type slowDown struct {
	error
	after time.Duration
}

func (e slowDown) Unwrap() error             { return e.error }
func (e slowDown) RetryAfter() time.Duration { return e.after }

// An error carrying RetryAfter raises the delay to it, capped by MaxBackoff.
func TestRetryHonoursRetryAfter(t *testing.T) {
	ft := newFakeTime()
	p := Policy{MaxAttempts: 4, InitialBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, MaxElapsed: time.Hour,
		Sleep: ft.Sleep, Now: ft.Now, Rand: fixedRand(0.5)}
	afters := []time.Duration{300 * time.Millisecond, 10 * time.Millisecond, time.Minute}
	calls := 0
	err := Retry(context.Background(), p, func(context.Context) error {
		calls++
		if calls <= len(afters) {
			return fmt.Errorf("fetch: %w", slowDown{Transient(errBoom), afters[calls-1]})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 300ms over 50ms; 100ms (the backoff) over 10ms; a minute capped at 1s.
	if diff := cmp.Diff([]time.Duration{300 * time.Millisecond, 100 * time.Millisecond, time.Second}, ft.Sleeps()); diff != "" {
		t.Errorf("sleeps (-want +got):\n%s", diff)
	}
}

func TestRetryBadRandomSourceDoesNotOversleep(t *testing.T) {
	ft := newFakeTime()
	p := Policy{MaxAttempts: 3, Sleep: ft.Sleep, Now: ft.Now, Rand: fixedRand(1.5, -1)}
	_ = Retry(context.Background(), p, func(context.Context) error { return Transient(errBoom) })
	for _, d := range ft.Sleeps() {
		if d != 0 {
			t.Errorf("sleep %s from out-of-range random value, want 0", d)
		}
	}
}

func TestRetryStopsOnNonRetryable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"plain", errBoom},
		{"permanent", Permanent(fmt.Errorf("checksum mismatch: %w", errBoom))},
		{"permanent wins over transient", Permanent(Transient(errBoom))},
		{"open breaker", fmt.Errorf("x: %w", ErrOpen)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ft := newFakeTime()
			calls := 0
			err := Retry(context.Background(), Policy{Sleep: ft.Sleep, Now: ft.Now}, func(context.Context) error {
				calls++
				return tc.err
			})
			if err != tc.err {
				t.Errorf("err = %v, want the op's error unchanged", err)
			}
			if calls != 1 || len(ft.Sleeps()) != 0 {
				t.Errorf("calls = %d, sleeps = %v; want 1 call, no sleep", calls, ft.Sleeps())
			}
		})
	}
}

func TestRetryCustomClassifier(t *testing.T) {
	ft := newFakeTime()
	calls := 0
	p := Policy{MaxAttempts: 4, Sleep: ft.Sleep, Now: ft.Now,
		Retryable: func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }}
	err := Retry(context.Background(), p, func(context.Context) error {
		calls++
		return io.ErrUnexpectedEOF
	})
	if calls != 4 || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("calls = %d, err = %v; want 4 calls and the last error", calls, err)
	}
}

func TestRetryTimeBudget(t *testing.T) {
	ft := newFakeTime()
	calls := 0
	// Each attempt takes 40ms of fake time; delays are 0.9 * (100, 200, ...)ms.
	p := Policy{MaxAttempts: 100, InitialBackoff: 100 * time.Millisecond, MaxElapsed: 500 * time.Millisecond,
		Sleep: ft.Sleep, Now: ft.Now, Rand: fixedRand(0.9)}
	err := Retry(context.Background(), p, func(context.Context) error {
		calls++
		ft.Advance(40 * time.Millisecond)
		return Transient(errBoom)
	})
	// t=40 fail, sleep 90 -> 130; t=170 fail, 170+180=350 ok -> 350; t=390 fail, 390+360 > 500 stop.
	if calls != 3 {
		t.Errorf("calls = %d, want 3", calls)
	}
	if !errors.Is(err, errBoom) || !strings.Contains(err.Error(), "time budget 500ms") {
		t.Errorf("err = %v, want time-budget error wrapping boom", err)
	}
	if got := ft.Now().Sub(newFakeTime().Now()); got > p.MaxElapsed {
		t.Errorf("elapsed %s exceeds budget %s", got, p.MaxElapsed)
	}
}

func TestRetryStopsWhenContextEnds(t *testing.T) {
	t.Run("during sleep", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		p := Policy{MaxAttempts: 10, Rand: fixedRand(0.5), Sleep: func(ctx context.Context, d time.Duration) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		}}
		err := Retry(ctx, p, func(context.Context) error {
			calls++
			return Transient(errBoom)
		})
		if calls != 1 {
			t.Errorf("calls = %d, want 1", calls)
		}
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errBoom) {
			t.Errorf("err = %v, want it to wrap context.Canceled and the last op error", err)
		}
	})
	t.Run("during op", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		calls := 0
		err := Retry(ctx, Policy{MaxAttempts: 10}, func(context.Context) error {
			calls++
			cancel()
			return Transient(errBoom)
		})
		if calls != 1 || !errors.Is(err, context.Canceled) || !errors.Is(err, errBoom) {
			t.Errorf("calls = %d, err = %v; want 1 call and an error wrapping both", calls, err)
		}
	})
	t.Run("op returns ctx error", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		err := Retry(ctx, Policy{}, func(ctx context.Context) error {
			cancel()
			return fmt.Errorf("infer: %w", ctx.Err())
		})
		if !errors.Is(err, context.Canceled) || strings.Count(err.Error(), "context canceled") != 1 {
			t.Errorf("err = %v, want context.Canceled once", err)
		}
	})
	t.Run("already done", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		called := false
		err := Retry(ctx, Policy{}, func(context.Context) error { called = true; return nil })
		if called || !errors.Is(err, context.Canceled) {
			t.Errorf("called = %v, err = %v; want op not called and context.Canceled", called, err)
		}
	})
}

func TestRetryRealSleepHonoursContext(t *testing.T) {
	testkit.NoLeaks(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleepCtx = %v, want context.Canceled", err)
	}
	if err := sleepCtx(context.Background(), 0); err != nil {
		t.Errorf("sleepCtx(0) = %v", err)
	}
}

func TestPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		p     Policy
		field string
	}{
		{Policy{MaxAttempts: -1}, "max_attempts"},
		{Policy{InitialBackoff: -1}, "initial_backoff"},
		{Policy{MaxBackoff: -1}, "max_backoff"},
		{Policy{MaxElapsed: -1}, "max_elapsed"},
		{Policy{Multiplier: 0.5}, "multiplier"},
		{Policy{InitialBackoff: time.Second, MaxBackoff: time.Millisecond}, "max_backoff"},
	} {
		err := tc.p.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("Validate(%+v) = %v, want an error naming %s", tc.p, err, tc.field)
		}
		called := false
		if rerr := Retry(context.Background(), tc.p, func(context.Context) error { called = true; return nil }); rerr == nil || called {
			t.Errorf("Retry with invalid policy: err = %v, called = %v", rerr, called)
		}
	}
	if err := (Policy{}).Validate(); err != nil {
		t.Errorf("zero policy: %v", err)
	}
	if err := (Policy{InitialBackoff: 5 * time.Second}).Validate(); err != nil {
		t.Errorf("large initial backoff with default max: %v", err)
	}
}

type tempErr struct{}

func (tempErr) Error() string   { return "temporary" }
func (tempErr) Temporary() bool { return true }

func TestDefaultRetryable(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"plain", errBoom, false},
		{"transient", Transient(errBoom), true},
		{"wrapped transient", fmt.Errorf("load: %w", Transient(errBoom)), true},
		{"permanent", Permanent(errBoom), false},
		{"permanent over transient", Transient(Permanent(errBoom)), false},
		{"open breaker", fmt.Errorf("b: %w", ErrOpen), false},
		{"panic", &panicError{value: "x"}, false},
		{"per-call timeout", fmt.Errorf("%w after 1s", ErrTimeout), true},
		{"deadline", context.DeadlineExceeded, true},
		{"canceled", context.Canceled, false},
		{"os timeout", os.ErrDeadlineExceeded, true},
		{"temporary", fmt.Errorf("x: %w", tempErr{}), true},
		{"net op error", &net.OpError{Op: "dial", Net: "tcp", Err: errBoom}, true},
		{"dns timeout", &net.DNSError{Err: "timeout", IsTimeout: true}, true},
		{"conn reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"conn refused", syscall.ECONNREFUSED, true},
		{"eof", io.ErrUnexpectedEOF, false},
	} {
		if got := DefaultRetryable(tc.err); got != tc.want {
			t.Errorf("%s: DefaultRetryable(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

func TestMarkers(t *testing.T) {
	if Transient(nil) != nil || Permanent(nil) != nil {
		t.Fatal("markers of nil must be nil")
	}
	err := Permanent(fmt.Errorf("model: %w", errBoom))
	if err.Error() != "model: boom" || !errors.Is(err, errBoom) || !IsPermanent(err) || IsTransient(err) {
		t.Errorf("Permanent changed the error: %q", err)
	}
	if !IsTransient(Transient(errBoom)) || IsPermanent(Transient(errBoom)) {
		t.Error("IsTransient/IsPermanent disagree with the marker")
	}
}
