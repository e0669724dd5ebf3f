package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmshield/llmshield/cache"
	"github.com/llmshield/llmshield/scanner"
)

// testAddr returns the Redis CI starts (LLMSHIELD_TEST_REDIS). Without it
// the test fails under CI and is skipped elsewhere.
func testAddr(t *testing.T) string {
	t.Helper()
	addr := os.Getenv("LLMSHIELD_TEST_REDIS")
	if addr == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("LLMSHIELD_TEST_REDIS is not set under CI")
		}
		t.Skip("LLMSHIELD_TEST_REDIS not set; start redis-server on 127.0.0.1:6399 and set it to run")
	}
	return addr
}

// newBackend returns a backend with a prefix of its own, and a raw client.
func newBackend(t *testing.T) (*Backend, *goredis.Client, string) {
	t.Helper()
	addr := testAddr(t)
	var r [6]byte
	_, _ = rand.Read(r[:])
	prefix := "llmshield-test:" + hex.EncodeToString(r[:]) + ":"
	b, err := New(Options{Addr: addr, Prefix: prefix, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	raw := goredis.NewClient(&goredis.Options{Addr: addr})
	t.Cleanup(func() {
		ctx := context.Background()
		keys, _ := raw.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			raw.Del(ctx, keys...)
		}
		_ = raw.Close()
		_ = b.Close()
	})
	if err := b.Ping(context.Background()); err != nil {
		t.Fatalf("redis at %s: %v", addr, err)
	}
	return b, raw, prefix
}

func TestSetGet(t *testing.T) {
	b, raw, prefix := newBackend(t)
	ctx := context.Background()
	if v, found, err := b.Get(ctx, "absent"); err != nil || found || v != nil {
		t.Fatalf("absent key: %q %v %v", v, found, err)
	}
	if err := b.Set(ctx, "k1", []byte(`{"valid":true}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	v, found, err := b.Get(ctx, "k1")
	if err != nil || !found || string(v) != `{"valid":true}` {
		t.Fatalf("get: %q %v %v", v, found, err)
	}
	// Stored under the prefix, with the TTL.
	if got, err := raw.Get(ctx, prefix+"k1").Result(); err != nil || got != `{"valid":true}` {
		t.Errorf("raw key %sk1: %q %v", prefix, got, err)
	}
	ttl, err := raw.PTTL(ctx, prefix+"k1").Result()
	if err != nil || ttl <= 0 || ttl > time.Minute {
		t.Errorf("ttl %v %v", ttl, err)
	}
	if err := b.Set(ctx, "k2", []byte("x"), 0); err == nil || !strings.Contains(err.Error(), "ttl must be positive") {
		t.Errorf("zero ttl: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	b, _, _ := newBackend(t)
	ctx := context.Background()
	if err := b.Set(ctx, "short", []byte("v"), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, found, err := b.Get(ctx, "short")
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("entry did not expire")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestUnreachable(t *testing.T) {
	b, err := New(Options{Addr: "127.0.0.1:1", Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	start := time.Now()
	if _, _, err := b.Get(context.Background(), "k"); err == nil {
		t.Fatal("want an error from an unreachable server")
	}
	if err := b.Set(context.Background(), "k", []byte("v"), time.Second); err == nil {
		t.Fatal("want an error from an unreachable server")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("errors took %s", d)
	}
	if _, err := New(Options{}); err == nil {
		t.Error("empty address accepted")
	}
}

// counting is a cacheable scanner that counts its calls.
type counting struct{ calls atomic.Int64 }

func (c *counting) Name() string        { return "counting" }
func (c *counting) Fingerprint() string { return "v1" }
func (c *counting) Scan(_ context.Context, in scanner.Input) (scanner.Result, error) {
	c.calls.Add(1)
	r := scanner.Clean(in.Text(), scanner.MethodML)
	if strings.Contains(in.Text(), "bad") {
		r.Valid, r.Risk = false, 0.9
		r.Findings = []scanner.Finding{{Rule: "INJECTION", Score: 0.9}}
	}
	return r, nil
}

// TestSharedBetweenReplicas: two result caches (two replicas) share one
// Redis; a verdict computed by one is answered by the other.
func TestSharedBetweenReplicas(t *testing.T) {
	b, raw, prefix := newBackend(t)
	ctx := context.Background()
	settings := cache.Settings{Enabled: true, MaxSize: 100, TTL: time.Minute}
	inner := &counting{}
	// replica scans in as a pipeline does, through its own local cache in
	// front of the shared backend.
	replica := func() func(scanner.Input) (scanner.Result, error) {
		c, err := cache.ForScanner(inner.Name(), inner, settings, b, nil)
		if err != nil {
			t.Fatal(err)
		}
		return func(in scanner.Input) (scanner.Result, error) {
			r, k, hit := c.Lookup(ctx, in)
			if hit {
				return r, nil
			}
			r, err := inner.Scan(ctx, in)
			if err == nil {
				c.Store(ctx, k, in, r)
			}
			return r, err
		}
	}
	a, c := replica(), replica()
	in := scanner.Input{Prompt: "a bad prompt"}
	r1, err := a(in)
	if err != nil || r1.Valid || r1.Cached {
		t.Fatalf("first scan: %+v %v", r1, err)
	}
	r2, err := c(in)
	if err != nil || r2.Valid || !r2.Cached || r2.Risk != 0.9 || r2.Sanitized != in.Prompt || len(r2.Findings) != 1 {
		t.Fatalf("second replica: %+v %v", r2, err)
	}
	if n := inner.calls.Load(); n != 1 {
		t.Errorf("scanner ran %d times, want 1", n)
	}
	keys, err := raw.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 1 || !strings.HasPrefix(keys[0], prefix+cache.BackendKeyPrefix) {
		t.Fatalf("keys %v %v", keys, err)
	}
	if strings.Contains(keys[0], "bad prompt") {
		t.Error("raw text in the key")
	}
	v, _ := raw.Get(ctx, keys[0]).Result()
	if strings.Contains(v, "bad prompt") {
		t.Errorf("raw text in the value: %s", v)
	}
}

func TestConcurrent(t *testing.T) {
	b, _, _ := newBackend(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				k := fmt.Sprintf("k%d", (i*50+j)%20)
				if err := b.Set(ctx, k, []byte(k), time.Minute); err != nil {
					t.Error(err)
					return
				}
				if v, found, err := b.Get(ctx, k); err != nil || !found || string(v) != k {
					t.Errorf("get %s: %q %v %v", k, v, found, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// NewFromClient shares a caller's client: keys go under the prefix, and
// Close leaves the client open for its owner.
func TestNewFromClient(t *testing.T) {
	_, raw, prefix := newBackend(t)
	ctx := context.Background()
	b := NewFromClient(raw, prefix+"shared:", 0)
	if err := b.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := raw.Get(ctx, prefix+"shared:k").Result(); err != nil || got != "v" {
		t.Fatalf("raw key %sshared:k: %q %v", prefix, got, err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := raw.Ping(ctx).Err(); err != nil {
		t.Fatalf("Close closed the caller's client: %v", err)
	}
	if v, found, err := b.Get(ctx, "k"); err != nil || !found || string(v) != "v" {
		t.Fatalf("get after Close: %q %v %v", v, found, err)
	}
}
