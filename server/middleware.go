package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"golang.org/x/time/rate"

	"github.com/llmshield/llmshield/config"
)

// statusClientClosed is logged (never sent) when the client went away.
const statusClientClosed = 499

// exchange is the per-request state the middleware and handlers share.
type exchange struct {
	http.ResponseWriter
	status  int
	wrote   bool
	id      string
	route   string
	verdict string // "valid", "invalid" or "" (not a scan)
	payload []any  // prompt/output log attributes, only with log_payloads
	client  string // rate-limit key
	// idHeader holds the X-Request-Id header value (no allocation of its own).
	idHeader [1]string
}

func (e *exchange) WriteHeader(code int) {
	if !e.wrote {
		e.status, e.wrote = code, true
	}
	e.ResponseWriter.WriteHeader(code)
}

func (e *exchange) Write(b []byte) (int, error) {
	if !e.wrote {
		e.status, e.wrote = http.StatusOK, true
	}
	return e.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (e *exchange) Unwrap() http.ResponseWriter { return e.ResponseWriter }

// exchangeOf returns the exchange instrument passed down as the
// ResponseWriter (nil for a writer that did not come through instrument).
func exchangeOf(w http.ResponseWriter) *exchange {
	e, _ := w.(*exchange)
	return e
}

// setVerdict records the scan verdict for the access log.
func setVerdict(w http.ResponseWriter, valid bool) {
	if e := exchangeOf(w); e != nil {
		e.verdict = "invalid"
		if valid {
			e.verdict = "valid"
		}
	}
}

// requestID returns the client's X-Request-Id when it is sane (1–128
// printable ASCII characters), else a new random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 128 {
		ok := true
		for i := 0; i < len(id); i++ {
			if id[i] < 0x21 || id[i] > 0x7e {
				ok = false
				break
			}
		}
		if ok {
			return id
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics on a broken system)
	return hex.EncodeToString(b[:])
}

// instrument wraps h with the request id, metrics and the access log.
func (s *Server) instrument(route string, h http.Handler) http.Handler {
	lat := s.metrics.latency.WithLabelValues(route)
	var ok prometheus.Counter // the 200 series, resolved on first use
	var okOnce sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Inc()
		e := &exchange{ResponseWriter: w, id: requestID(r), route: route}
		e.idHeader[0] = e.id
		w.Header()["X-Request-Id"] = e.idHeader[:]
		span := trace.SpanFromContext(r.Context()) // a no-op span when not traced
		if s.traced {
			var ctx context.Context
			ctx, span = s.tracer.Start(r.Context(), route, trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(attribute.String("http.request.method", r.Method), attribute.String("http.route", route), attribute.String("llmshield.request_id", e.id)))
			r = r.WithContext(ctx)
		}
		defer func() {
			s.metrics.inFlight.Dec()
			d := time.Since(start)
			status := e.status
			if !e.wrote {
				status = http.StatusOK
				if r.Context().Err() != nil {
					status = statusClientClosed
				}
			}
			if s.traced {
				span.SetAttributes(attribute.Int("http.response.status_code", status))
				if e.verdict != "" {
					span.SetAttributes(attribute.String("llmshield.verdict", e.verdict))
				}
				if status >= 500 {
					span.SetStatus(codes.Error, http.StatusText(status))
				}
				span.End()
			}
			lat.Observe(d.Seconds())
			if status == http.StatusOK {
				okOnce.Do(func() { ok = s.metrics.requests.WithLabelValues(route, "200") })
				ok.Inc()
			} else {
				s.metrics.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
			}
			if !s.log.Enabled(r.Context(), slog.LevelInfo) {
				return
			}
			attrs := []any{"request_id", e.id, "method", r.Method, "route", route, "status", status, "duration", d}
			if e.verdict != "" {
				attrs = append(attrs, "verdict", e.verdict)
			}
			if s.cfg.LogPayloads {
				attrs = append(attrs, e.payload...)
			}
			s.log.Info("request", attrs...)
		}()
		h.ServeHTTP(e, r)
	})
}

// authOn reports whether any credential is configured.
func (s *Server) authOn() bool { return len(s.tokens) > 0 || s.basic != nil }

// authenticate requires a valid bearer token, or the HTTP basic
// credentials, when either is configured.
func (s *Server) authenticate(h http.Handler) http.Handler {
	if !s.authOn() {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client, given := s.credential(r)
		if client == "" {
			s.metrics.rejected.WithLabelValues("unauthorized").Inc()
			var challenges []string
			if len(s.tokens) > 0 {
				challenges = append(challenges, `Bearer realm="llmshield"`)
			}
			if s.basic != nil {
				challenges = append(challenges, `Basic realm="llmshield", charset="UTF-8"`)
			}
			w.Header()["Www-Authenticate"] = challenges
			msg := "missing credentials: send Authorization: Bearer <token>"
			if s.basic != nil && len(s.tokens) == 0 {
				msg = "missing credentials: send HTTP basic authentication"
			}
			if given {
				msg = "invalid credentials"
			}
			writeError(w, r, http.StatusUnauthorized, msg)
			return
		}
		if e := exchangeOf(w); e != nil {
			e.client = client
		}
		h.ServeHTTP(w, r)
	})
}

// authorized reports whether r carries valid credentials.
func (s *Server) authorized(r *http.Request) bool {
	client, _ := s.credential(r)
	return client != ""
}

// credential checks r's Authorization header: client names the caller
// (a digest, for rate limiting) when the credentials are valid; given says
// whether any were sent.
func (s *Server) credential(r *http.Request) (client string, given bool) {
	if tok, ok := bearer(r.Header.Get("Authorization")); ok {
		if s.validToken(tok) {
			sum := sha256.Sum256([]byte(tok))
			return "token:" + hex.EncodeToString(sum[:8]), true
		}
		return "", true
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if s.basic != nil && s.basic.valid(user, pass) {
			sum := sha256.Sum256([]byte(user))
			return "basic:" + hex.EncodeToString(sum[:8]), true
		}
		return "", true
	}
	return "", r.Header.Get("Authorization") != ""
}

// basicAuth holds the digests of the HTTP basic credentials.
type basicAuth struct{ user, pass [sha256.Size]byte }

// valid compares both digests in constant time (both always compared).
func (b *basicAuth) valid(user, pass string) bool {
	u, p := sha256.Sum256([]byte(user)), sha256.Sum256([]byte(pass))
	return subtle.ConstantTimeCompare(u[:], b.user[:])&subtle.ConstantTimeCompare(p[:], b.pass[:]) == 1
}

func bearer(h string) (string, bool) {
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	t := strings.TrimSpace(h[len(prefix):])
	return t, t != ""
}

// validToken compares the digest of tok with every configured token's in
// constant time; equal-length digests hide the tokens' lengths too.
func (s *Server) validToken(tok string) bool {
	sum := sha256.Sum256([]byte(tok))
	match := 0
	for i := range s.tokens {
		match |= subtle.ConstantTimeCompare(sum[:], s.tokens[i][:])
	}
	return match == 1
}

// limit applies the per-client rate limit and the concurrency limit.
func (s *Server) limit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.limiter != nil {
			key := ""
			if e := exchangeOf(w); e != nil {
				key = e.client
			}
			if key == "" {
				key = "ip:" + clientIP(r)
			}
			if wait, ok := s.limiter.allow(key, time.Now()); !ok {
				s.metrics.rejected.WithLabelValues("rate_limited").Inc()
				w.Header().Set("Retry-After", retryAfter(wait))
				writeError(w, r, http.StatusTooManyRequests, "rate limit exceeded; retry after "+retryAfter(wait)+"s")
				return
			}
		}
		if s.sem != nil {
			select {
			case s.sem <- struct{}{}:
				defer func() { <-s.sem }()
			default:
				s.metrics.rejected.WithLabelValues("overloaded").Inc()
				w.Header().Set("Retry-After", "1")
				writeError(w, r, http.StatusTooManyRequests, fmt.Sprintf("server overloaded: %d requests in flight; retry after 1s", cap(s.sem)))
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientLimiter holds one token bucket per client in a bounded LRU: when
// more than MaxClients are tracked, the least recently seen is forgotten
// (it starts again with a full bucket).
type clientLimiter struct {
	mu    sync.Mutex
	lru   *lru.Cache[string, *rate.Limiter]
	limit rate.Limit
	burst int
}

func newClientLimiter(c config.RateLimit) (*clientLimiter, error) {
	burst := c.Burst
	if burst <= 0 {
		burst = max(1, int(math.Ceil(c.RequestsPerSecond)))
	}
	l, err := lru.New[string, *rate.Limiter](c.MaxClients)
	if err != nil {
		return nil, err
	}
	return &clientLimiter{lru: l, limit: rate.Limit(c.RequestsPerSecond), burst: burst}, nil
}

// allow takes a token from key's bucket; when there is none it returns how
// long until one is available.
func (c *clientLimiter) allow(key string, now time.Time) (time.Duration, bool) {
	c.mu.Lock()
	lim, ok := c.lru.Get(key)
	if !ok {
		lim = rate.NewLimiter(c.limit, c.burst)
		c.lru.Add(key, lim)
	}
	c.mu.Unlock()
	res := lim.ReserveN(now, 1)
	if !res.OK() {
		return time.Second, false
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// tracked returns the number of clients held (for tests).
func (c *clientLimiter) tracked() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
