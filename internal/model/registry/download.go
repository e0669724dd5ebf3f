package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/llmshield/llmshield/internal/resilience"
)

var (
	errStalled   = errors.New("download stalled: no data received within the idle timeout")
	errTruncated = errors.New("download ended early")
)

// retryable says whether a download failure is worth another attempt: not
// when it is marked resilience.Permanent (retrying cannot fix it).
func retryable(err error) bool {
	if resilience.IsPermanent(err) {
		return false
	}
	var se *HTTPStatusError
	if errors.As(err, &se) {
		return se.Retryable()
	}
	return !errors.Is(err, ErrChecksumMismatch)
}

// download fetches f into target+".part" with retries, verifies it and
// renames it into place. It returns the file's hash and size.
func (r *Registry) download(ctx context.Context, e Entry, f File, target, want string, progress ProgressFunc) (string, int64, error) {
	part := target + ".part"
	var (
		sum  string
		size int64
	)
	err := resilience.Retry(ctx, resilience.Policy{
		MaxAttempts:    r.opts.attempts,
		InitialBackoff: r.opts.baseBackoff,
		MaxBackoff:     r.opts.maxBackoff,
		MaxElapsed:     math.MaxInt64, // a download takes as long as it takes; attempts bound it
		Retryable:      retryable,
		OnRetry: func(attempt int, err error, d time.Duration) {
			r.opts.log.WarnContext(ctx, "model download failed; retrying", "model", e.ID, "file", f.Name, "attempt", attempt, "wait", d, "error", err)
		},
	}, func(ctx context.Context) error {
		var retryAfter time.Duration
		var err error
		sum, size, retryAfter, err = r.fetchOnce(ctx, f, part, progress)
		if err != nil && retryAfter > 0 {
			err = retryAfterError{err, retryAfter}
		}
		return err
	})
	switch {
	case err == nil:
	case ctx.Err() != nil:
		// The .part file stays for a later resume; no final file exists.
		return "", 0, fmt.Errorf("model %s: file %s: %w", e.ID, f.Name, ctx.Err())
	default:
		if !retryable(err) {
			// Resuming cannot help (e.g. 404): do not leave the part behind.
			_ = os.Remove(part)
		}
		return "", 0, fmt.Errorf("model %s: file %s: %w", e.ID, f.Name, err)
	}
	if f.SizeBytes > 0 && size != f.SizeBytes {
		_ = os.Remove(part)
		return "", 0, fmt.Errorf("model %s: file %s: downloaded %d bytes, registry says %d", e.ID, f.Name, size, f.SizeBytes)
	}
	if want != "" && sum != want {
		_ = os.Remove(part)
		return "", 0, mismatch(e, f.Name, want, sum)
	}
	if err := r.install(part, target, sum); err != nil {
		return "", 0, fmt.Errorf("model %s: file %s: %w", e.ID, f.Name, err)
	}
	return sum, size, nil
}

// retryAfterError carries a server's Retry-After, which resilience.Retry
// honours as the least delay before the next attempt.
type retryAfterError struct {
	error
	after time.Duration
}

func (e retryAfterError) Unwrap() error             { return e.error }
func (e retryAfterError) RetryAfter() time.Duration { return e.after }

// fetchOnce makes one HTTP attempt, appending to an existing part file when
// the server honours a Range request. It returns the hash and size of the
// whole part file.
func (r *Registry) fetchOnce(ctx context.Context, f File, part string, progress ProgressFunc) (sum string, size int64, retryAfter time.Duration, err error) {
	if err := os.MkdirAll(filepath.Dir(part), 0o755); err != nil {
		return "", 0, 0, resilience.Permanent(err)
	}
	out, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return "", 0, 0, resilience.Permanent(err)
	}
	defer out.Close()
	h := sha256.New()
	offset, err := io.Copy(h, ctxReader{ctx, out}) // hash what we have; leaves the offset at the end
	if err != nil {
		return "", 0, 0, err
	}
	restart := func() error {
		h.Reset()
		offset = 0
		if err := out.Truncate(0); err != nil {
			return err
		}
		_, err := out.Seek(0, io.SeekStart)
		return err
	}
	if f.SizeBytes > 0 && offset > f.SizeBytes {
		if err := restart(); err != nil {
			return "", 0, 0, err
		}
	}
	if f.SizeBytes > 0 && offset == f.SizeBytes {
		return hex.EncodeToString(h.Sum(nil)), offset, 0, nil // complete from an earlier run
	}

	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	idle := time.AfterFunc(r.opts.idleTimeout, func() { cancel(errStalled) })
	defer idle.Stop()
	stalled := func(err error) error {
		if ctx.Err() == nil && errors.Is(context.Cause(actx), errStalled) {
			return errStalled
		}
		return err
	}

	req, err := http.NewRequestWithContext(actx, http.MethodGet, f.URL, nil)
	if err != nil {
		return "", 0, 0, resilience.Permanent(err)
	}
	for k, vs := range r.opts.headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	resp, err := r.opts.client.Do(req)
	if err != nil {
		return "", 0, 0, stalled(err)
	}
	defer resp.Body.Close()

	total := int64(-1)
	switch {
	case resp.StatusCode == http.StatusPartialContent && offset > 0:
		start, tot, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != offset {
			// Not the range we asked for: start over on the next attempt.
			if err := restart(); err != nil {
				return "", 0, 0, err
			}
			return "", 0, 0, fmt.Errorf("GET %s: unexpected Content-Range %q for offset %d", redactURL(f.URL), resp.Header.Get("Content-Range"), offset)
		}
		total = tot
	case resp.StatusCode == http.StatusOK:
		if offset > 0 { // server ignored Range
			if err := restart(); err != nil {
				return "", 0, 0, err
			}
		}
		if resp.ContentLength >= 0 {
			total = resp.ContentLength
		}
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable && offset > 0:
		// Our part file is not a prefix the server can continue: start over.
		if err := restart(); err != nil {
			return "", 0, 0, err
		}
		return "", 0, 0, fmt.Errorf("GET %s: server rejected resuming at byte %d (%d %s); starting over", redactURL(f.URL), offset, resp.StatusCode, http.StatusText(resp.StatusCode))
	default:
		se := &HTTPStatusError{URL: redactURL(f.URL), StatusCode: resp.StatusCode}
		if se.Retryable() {
			return "", 0, parseRetryAfter(resp.Header.Get("Retry-After")), se
		}
		return "", 0, 0, resilience.Permanent(se)
	}
	if f.SizeBytes > 0 && total >= 0 && total != f.SizeBytes {
		return "", 0, 0, resilience.Permanent(fmt.Errorf("GET %s: server has %d bytes, registry says %d", redactURL(f.URL), total, f.SizeBytes))
	}
	if total < 0 && f.SizeBytes > 0 {
		total = f.SizeBytes
	}

	pw := &progressWriter{name: f.Name, done: offset, total: max(total, 0), fn: progress}
	pw.report()
	body := &idleReader{r: resp.Body, t: idle, d: r.opts.idleTimeout}
	n, err := io.Copy(io.MultiWriter(out, h, pw), body)
	size = offset + n
	if err != nil {
		return "", 0, 0, stalled(fmt.Errorf("GET %s: after %d bytes: %w", redactURL(f.URL), size, err))
	}
	if total >= 0 && size < total {
		return "", 0, 0, fmt.Errorf("GET %s: %w: %d of %d bytes", redactURL(f.URL), errTruncated, size, total)
	}
	if total >= 0 && size > total {
		if err := restart(); err != nil {
			return "", 0, 0, err
		}
		return "", 0, 0, fmt.Errorf("GET %s: received %d bytes, expected %d", redactURL(f.URL), size, total)
	}
	if err := out.Sync(); err != nil {
		return "", 0, 0, resilience.Permanent(err)
	}
	if pw.done != pw.total {
		pw.report()
	}
	return hex.EncodeToString(h.Sum(nil)), size, 0, nil
}

// parseContentRange parses "bytes start-end/total"; total is -1 for "*".
func parseContentRange(s string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	if !found {
		return 0, 0, false
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err := strconv.ParseInt(a, 10, 64)
	if err != nil || start < 0 {
		return 0, 0, false
	}
	if tot == "*" {
		return start, -1, true
	}
	total, err = strconv.ParseInt(tot, 10, 64)
	if err != nil || total < start {
		return 0, 0, false
	}
	return start, total, true
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(s string) time.Duration {
	if s == "" {
		return 0
	}
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(s); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// idleReader pushes back the idle timer on every read that returns data.
type idleReader struct {
	r io.Reader
	t *time.Timer
	d time.Duration
}

func (i *idleReader) Read(p []byte) (int, error) {
	n, err := i.r.Read(p)
	if n > 0 {
		i.t.Reset(i.d)
	}
	return n, err
}

// progressWriter reports progress at most every 100 ms and at the end.
type progressWriter struct {
	name        string
	done, total int64
	fn          ProgressFunc
	last        time.Time
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	if p.fn != nil && (time.Since(p.last) >= 100*time.Millisecond || p.done == p.total) {
		p.report()
	}
	return len(b), nil
}

func (p *progressWriter) report() {
	if p.fn != nil {
		p.last = time.Now()
		p.fn(p.name, p.done, p.total)
	}
}

// redactURL drops credentials and the query string from u for messages.
func redactURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	p.User = nil
	if p.RawQuery != "" {
		p.RawQuery = "…"
	}
	return p.String()
}
