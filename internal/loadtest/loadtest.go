// Package loadtest is a small HTTP load generator for llmshield's server:
// a fixed number of workers send the same request back to back until a
// request count or a duration is reached, and the run reports throughput and
// latency percentiles.
//
// It only targets loopback addresses (127.0.0.0/8, ::1, localhost), so it
// cannot be pointed at someone else's service. Latencies go into a
// fixed-size log-linear histogram (under 1% relative error), so memory does
// not grow with the length of the run. Existing Go load generators (vegeta,
// hey) would add a dependency for a few dozen lines; this one is written to
// the project's needs (in-process, bounded, loopback-only).
package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// MaxDuration caps a run that gives no duration.
const MaxDuration = 10 * time.Minute

// Config describes one run.
type Config struct {
	// URL is the full request URL; its host must be a loopback address.
	URL string
	// Method defaults to POST.
	Method string
	// Body is sent with every request.
	Body []byte
	// Header is added to every request (Content-Type defaults to
	// application/json).
	Header http.Header
	// Concurrency is the number of workers (default 1).
	Concurrency int
	// Requests stops the run after this many requests (0: no count bound).
	Requests int
	// Duration stops the run after this long (0: MaxDuration). Requests in
	// flight at the end finish and count.
	Duration time.Duration
	// ExpectStatus is the status a successful request answers (default 200).
	ExpectStatus int
}

// Result is the outcome of a run.
type Result struct {
	Requests int           // requests completed
	Errors   int           // transport errors and unexpected statuses
	Statuses map[int]int   // completed requests by status
	Elapsed  time.Duration // wall time of the run
	// Throughput is completed requests per second.
	Throughput          float64
	P50, P90, P99, Max  time.Duration
	FirstError          string
	Concurrency         int
	RequestBytes, Bytes int64 // request body size; response bytes read in total
}

// CheckLoopback returns an error unless raw is an http(s) URL whose host is
// a loopback address.
func CheckLoopback(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("url %q: want http or https", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return u, nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("url %q: the load generator only targets loopback addresses (127.0.0.1, ::1, localhost)", raw)
	}
	return u, nil
}

// Run sends requests as cfg says until the count or duration is reached,
// or ctx is done.
func Run(ctx context.Context, cfg Config) (Result, error) {
	u, err := CheckLoopback(cfg.URL)
	if err != nil {
		return Result{}, err
	}
	if cfg.Method == "" {
		cfg.Method = http.MethodPost
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 1
	}
	if cfg.Requests < 0 || cfg.Duration < 0 {
		return Result{}, errors.New("requests and duration must not be negative")
	}
	if cfg.Duration == 0 || cfg.Duration > MaxDuration {
		cfg.Duration = MaxDuration
	}
	if cfg.ExpectStatus == 0 {
		cfg.ExpectStatus = http.StatusOK
	}
	tr := &http.Transport{
		MaxIdleConns:        cfg.Concurrency,
		MaxIdleConnsPerHost: cfg.Concurrency,
		MaxConnsPerHost:     cfg.Concurrency,
		DisableCompression:  true,
		IdleConnTimeout:     30 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 60 * time.Second}

	var issued atomic.Int64
	deadline := time.Now().Add(cfg.Duration)
	workers := make([]worker, cfg.Concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range workers {
		w := &workers[i]
		w.statuses = map[int]int{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 32<<10)
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if cfg.Requests > 0 && issued.Add(1) > int64(cfg.Requests) {
					return
				}
				w.one(ctx, client, u.String(), cfg, buf)
			}
		}()
	}
	wg.Wait()
	res := Result{Elapsed: time.Since(start), Statuses: map[int]int{}, Concurrency: cfg.Concurrency, RequestBytes: int64(len(cfg.Body))}
	var h histogram
	for i := range workers {
		w := &workers[i]
		h.merge(&w.h)
		res.Errors += w.errors
		res.Bytes += w.bytes
		for s, n := range w.statuses {
			res.Statuses[s] += n
			res.Requests += n
		}
		if res.FirstError == "" {
			res.FirstError = w.firstErr
		}
	}
	if res.Elapsed > 0 {
		res.Throughput = float64(res.Requests) / res.Elapsed.Seconds()
	}
	res.P50, res.P90, res.P99, res.Max = h.quantile(0.50), h.quantile(0.90), h.quantile(0.99), h.max
	return res, ctx.Err()
}

type worker struct {
	h        histogram
	statuses map[int]int
	errors   int
	bytes    int64
	firstErr string
}

func (w *worker) fail(msg string) {
	w.errors++
	if w.firstErr == "" {
		w.firstErr = msg
	}
}

func (w *worker) one(ctx context.Context, c *http.Client, target string, cfg Config, buf []byte) {
	req, err := http.NewRequestWithContext(ctx, cfg.Method, target, bytes.NewReader(cfg.Body))
	if err != nil {
		w.fail(err.Error())
		return
	}
	for k, v := range cfg.Header {
		req.Header[k] = v
	}
	if req.Header.Get("Content-Type") == "" && len(cfg.Body) > 0 {
		req.Header.Set("Content-Type", "application/json")
	}
	t0 := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			w.fail(err.Error())
		}
		return
	}
	n, err := io.CopyBuffer(io.Discard, resp.Body, buf)
	resp.Body.Close()
	d := time.Since(t0)
	w.bytes += n
	if err != nil {
		if ctx.Err() == nil {
			w.fail("read response: " + err.Error())
		}
		return
	}
	w.h.add(d)
	w.statuses[resp.StatusCode]++
	if resp.StatusCode != cfg.ExpectStatus {
		w.fail(fmt.Sprintf("status %d", resp.StatusCode))
	}
}

// histogram is a log-linear latency histogram in microseconds: exact below
// 256µs, then 128 buckets per power of two (relative error under 1%).
type histogram struct {
	counts [linear + octaves*sub]int64
	n      int64
	max    time.Duration
}

const (
	linear  = 256
	sub     = 128
	octaves = 40
)

func bucketOf(us int64) int {
	if us < linear {
		return int(max(us, 0))
	}
	e := bits.Len64(uint64(us)) - 8 // us>>e is in [128,256)
	i := linear + (e-1)*sub + int(us>>e) - sub
	return min(i, len(histogram{}.counts)-1)
}

// valueOf returns the middle of bucket i, in microseconds.
func valueOf(i int) int64 {
	if i < linear {
		return int64(i)
	}
	e := (i-linear)/sub + 1
	m := int64((i-linear)%sub + sub)
	return m<<e + (int64(1)<<e)/2
}

func (h *histogram) add(d time.Duration) {
	h.counts[bucketOf(d.Microseconds())]++
	h.n++
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the q-quantile (0 when empty).
func (h *histogram) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := int64(q*float64(h.n) + 0.5)
	rank = min(max(rank, 1), h.n)
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return min(time.Duration(valueOf(i))*time.Microsecond, h.max)
		}
	}
	return h.max
}
