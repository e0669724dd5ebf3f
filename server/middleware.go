package server

import (
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
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.metrics.inFlight.Inc()
		e := &exchange{ResponseWriter: w, id: requestID(r), route: route}
		w.Header().Set("X-Request-Id", e.id)
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
			lat.Observe(d.Seconds())
			s.metrics.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
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

// authenticate requires a valid bearer token when tokens are configured.
func (s *Server) authenticate(h http.Handler) http.Handler {
	if len(s.tokens) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r.Header.Get("Authorization"))
		if !ok || !s.validToken(tok) {
			s.metrics.rejected.WithLabelValues("unauthorized").Inc()
			w.Header().Set("WWW-Authenticate", `Bearer realm="llmshield"`)
			msg := "missing bearer token: send Authorization: Bearer <token>"
			if ok {
				msg = "invalid bearer token"
			}
			writeError(w, http.StatusUnauthorized, msg)
			return
		}
		if e := exchangeOf(w); e != nil {
			sum := sha256.Sum256([]byte(tok))
			e.client = "token:" + hex.EncodeToString(sum[:8])
		}
		h.ServeHTTP(w, r)
	})
}

// authorized reports whether r carries a valid bearer token.
func (s *Server) authorized(r *http.Request) bool {
	tok, ok := bearer(r.Header.Get("Authorization"))
	return ok && s.validToken(tok)
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
				writeError(w, http.StatusTooManyRequests, "rate limit exceeded; retry after "+retryAfter(wait)+"s")
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
				writeError(w, http.StatusTooManyRequests, fmt.Sprintf("server overloaded: %d requests in flight; retry after 1s", cap(s.sem)))
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
