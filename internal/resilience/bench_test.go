package resilience

import (
	"context"
	"testing"
	"time"
)

func BenchmarkBreakerExecute(b *testing.B) {
	br, err := NewBreaker("bench", BreakerConfig{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Execute(ctx, fn)
	}
}

func BenchmarkBreakerRejectOpen(b *testing.B) {
	br, err := NewBreaker("bench", BreakerConfig{ConsecutiveFailures: 1, CoolDown: time.Hour})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	_ = br.Execute(ctx, func(context.Context) error { return errBoom })
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		_ = br.Execute(ctx, fn)
	}
}

func BenchmarkTimeout(b *testing.B) {
	ctx := context.Background()
	fn := func(context.Context) error { return nil }
	b.ReportAllocs()
	for b.Loop() {
		_ = Timeout(ctx, time.Second, fn)
	}
}

func BenchmarkGuardCall(b *testing.B) {
	for _, tc := range []struct {
		name    string
		timeout time.Duration
	}{{"timeout", time.Second}, {"no-timeout", -1}} {
		b.Run(tc.name, func(b *testing.B) {
			g, err := NewGuard("bench", GuardConfig{CallTimeout: tc.timeout})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			fn := func(context.Context) (float64, error) { return 0.5, nil }
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Call(ctx, g, fn)
			}
		})
	}
}

func BenchmarkGuardCallParallel(b *testing.B) {
	g, err := NewGuard("bench", GuardConfig{})
	if err != nil {
		b.Fatal(err)
	}
	fn := func(context.Context) (float64, error) { return 0.5, nil }
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			_, _ = Call(ctx, g, fn)
		}
	})
}
