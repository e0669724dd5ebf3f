// Package redis is a Redis implementation of cache.Backend: it lets several
// llmshield replicas share scanner verdicts, so a text one replica ran
// through a model is answered from the shared cache by the others.
//
// Keys are the result cache's hashed keys (never raw text) behind a
// configurable prefix; values are the cache's JSON-encoded results, stored
// with the cache's TTL. Every command is bounded by a timeout, and the
// result cache treats any backend error as a miss, so a slow or absent Redis
// slows nothing down by more than the timeout and never fails a scan.
//
// Public on purpose: it is the ready-made shared Backend for
// llmshield.WithCacheBackend.
package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/llmshield/llmshield/cache"
)

// Options configure a Backend.
type Options struct {
	// Addr is host:port of the Redis server.
	Addr string
	// Password and DB select the database.
	Password string
	DB       int
	// Prefix is prepended to every key (default "llmshield:").
	Prefix string
	// Timeout bounds each command, dialing included (default 250ms).
	Timeout time.Duration
	// PoolSize is the maximum number of connections (default: go-redis's,
	// 10 per CPU).
	PoolSize int
}

// Backend stores cache values in Redis. It is safe for concurrent use.
type Backend struct {
	client  goredis.UniversalClient
	prefix  string
	timeout time.Duration
	owned   bool
}

var _ cache.Backend = (*Backend)(nil)

// New connects to Redis. It does not contact the server; call Ping to check
// that it answers.
func New(o Options) (*Backend, error) {
	if o.Addr == "" {
		return nil, errors.New("redis: empty address")
	}
	if o.Timeout <= 0 {
		o.Timeout = 250 * time.Millisecond
	}
	if o.Prefix == "" {
		o.Prefix = "llmshield:"
	}
	c := goredis.NewClient(&goredis.Options{
		Addr:         o.Addr,
		Password:     o.Password,
		DB:           o.DB,
		DialTimeout:  o.Timeout,
		ReadTimeout:  o.Timeout,
		WriteTimeout: o.Timeout,
		PoolSize:     o.PoolSize,
		MaxRetries:   -1, // a cache miss is cheaper than a retry
	})
	return &Backend{client: c, prefix: o.Prefix, timeout: o.Timeout, owned: true}, nil
}

// NewFromClient uses an existing client (single node, cluster or sentinel).
// Close does not close it.
func NewFromClient(c goredis.UniversalClient, prefix string, timeout time.Duration) *Backend {
	if timeout <= 0 {
		timeout = 250 * time.Millisecond
	}
	return &Backend{client: c, prefix: prefix, timeout: timeout}
}

// Key returns the Redis key under which key is stored.
func (b *Backend) Key(key string) string { return b.prefix + key }

// Get returns the value under key; found is false when it is absent or
// expired.
func (b *Backend) Get(ctx context.Context, key string) ([]byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	v, err := b.client.Get(ctx, b.Key(key)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("redis get: %w", err)
	}
	return v, true, nil
}

// Set stores value under key for ttl, which must be positive (the shared
// cache never holds entries forever).
func (b *Backend) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redis set: ttl must be positive, got %s", ttl)
	}
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	if err := b.client.Set(ctx, b.Key(key), value, ttl).Err(); err != nil {
		return fmt.Errorf("redis set: %w", err)
	}
	return nil
}

// Ping checks that the server answers.
func (b *Backend) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, b.timeout)
	defer cancel()
	if err := b.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

// Close releases the connections of a client New created.
func (b *Backend) Close() error {
	if !b.owned {
		return nil
	}
	return b.client.Close()
}
