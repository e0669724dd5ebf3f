package loadtest

import (
	"context"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func exactQuantile(ds []time.Duration, q float64) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := int(q*float64(len(s)) + 0.5)
	rank = min(max(rank, 1), len(s))
	return s[rank-1]
}

func TestHistogramAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h histogram
	var ds []time.Duration
	for range 20000 {
		// log-uniform between 10µs and 2s
		d := time.Duration(float64(10*time.Microsecond) * math.Pow(2e5, r.Float64()))
		ds = append(ds, d)
		h.add(d)
	}
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999} {
		got, want := h.quantile(q), exactQuantile(ds, q)
		if rel := abs(float64(got-want)) / float64(want); rel > 0.01 {
			t.Errorf("q%.3f: got %v want %v (rel error %.4f)", q, got, want, rel)
		}
	}
	var empty histogram
	if empty.quantile(0.5) != 0 {
		t.Error("empty histogram")
	}
	// Buckets are monotonic and valueOf lands in its own bucket.
	prev := -1
	for us := int64(0); us < 1<<22; us = us*11/10 + 1 {
		b := bucketOf(us)
		if b < prev {
			t.Fatalf("bucketOf(%d)=%d < %d", us, b, prev)
		}
		prev = b
		if bucketOf(valueOf(b)) != b {
			t.Fatalf("valueOf(%d)=%d is in bucket %d", b, valueOf(b), bucketOf(valueOf(b)))
		}
	}
	if b := bucketOf(1 << 62); b != len(h.counts)-1 {
		t.Errorf("huge value bucket %d", b)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestCheckLoopback(t *testing.T) {
	for _, ok := range []string{"http://127.0.0.1:8000/x", "http://localhost:1/", "http://[::1]:80/", "https://127.0.0.2/"} {
		if _, err := CheckLoopback(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"http://10.0.0.1/", "http://example.com/", "ftp://127.0.0.1/", "http://0.0.0.0:80/", "::nonsense", "http://127.0.0.1.evil.com/"} {
		if _, err := CheckLoopback(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := Run(context.Background(), Config{URL: "http://192.0.2.1/", Requests: 1}); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("Run against a non-loopback address: %v", err)
	}
}

func TestRunCounts(t *testing.T) {
	var hits atomic.Int64
	var sawBody atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) == `{"prompt":"x"}` && r.Header.Get("Content-Type") == "application/json" && r.Header.Get("Authorization") == "Bearer t" {
			sawBody.Store(true)
		}
		if hits.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusTooManyRequests)
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Config{URL: srv.URL + "/v1/scan", Body: []byte(`{"prompt":"x"}`),
		Header: http.Header{"Authorization": {"Bearer t"}}, Concurrency: 4, Requests: 200})
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 200 || hits.Load() != 200 || res.Statuses[200] != 180 || res.Statuses[429] != 20 || res.Errors != 20 || res.FirstError != "status 429" {
		t.Errorf("result %+v, server saw %d", res, hits.Load())
	}
	if !sawBody.Load() || res.P50 <= 0 || res.P99 < res.P50 || res.Max < res.P99 || res.Throughput <= 0 || res.Bytes != 200*11 {
		t.Errorf("result %+v", res)
	}
}

func TestRunStopsByDuration(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	res, err := Run(context.Background(), Config{URL: srv.URL, Method: "GET", Concurrency: 2, Duration: 50 * time.Millisecond})
	if err != nil || res.Requests == 0 || res.Errors != 0 {
		t.Errorf("%+v %v", res, err)
	}
	// A cancelled context stops it too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Config{URL: srv.URL, Concurrency: 2}); err == nil {
		t.Error("want the context error")
	}
}
