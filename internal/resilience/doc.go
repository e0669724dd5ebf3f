// Package resilience keeps a failing or slow ML model from failing the
// request that uses it. It provides four building blocks and one composition:
//
//   - Retry: exponential backoff with full jitter, bounded in attempts and in
//     total time, that retries only errors a classifier calls retryable and
//     stops as soon as the caller's context ends.
//   - Transient / Permanent: markers that tell the classifier what to do with
//     an error (a corrupt model or checksum mismatch is Permanent).
//   - Breaker: a circuit breaker per model on github.com/sony/gobreaker/v2
//     with closed, open and half-open states, tripping on consecutive
//     failures or on a failure ratio, that ignores the caller's own
//     cancellations, logs its state changes and exports them to Prometheus.
//   - Timeout: a per-call deadline that reports ErrTimeout only when that
//     deadline, not the caller's, ended the call.
//   - Guard: timeout per attempt, inside the breaker, inside the retry, with
//     counters for health checks.
//
// All types are safe for concurrent use. Nothing here sleeps or reads the
// clock through globals that tests cannot replace: Policy takes the sleep
// function, the clock and the random source as fields.
package resilience
