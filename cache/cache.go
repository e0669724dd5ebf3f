// Package cache holds scanner verdicts so that the same text, scanned by the
// same scanner with the same configuration and model, is not run through a
// model twice.
//
// Cache is a size-bounded LRU whose entries expire after a TTL, built on
// github.com/hashicorp/golang-lru/v2/expirable. It is keyed by Key, a
// BLAKE2b-256 digest of a scanner fingerprint and the scanned text: the raw
// text is never a key, and Wrap never stores it (see Wrap). Cache is safe for
// concurrent use.
//
// Why this library: it is well kept, strictly LRU with per-entry TTL (the
// semantics the design asks for), and fast enough that it is never the cost
// that matters. BenchmarkParallelGetInsert (90% Get, 10% Insert, 2 goroutines
// on a 2-core machine) measured about 72 ns/op with no allocations, against
// about 1 µs to hash a 384-byte prompt into a key (BenchmarkMakeKey) and
// milliseconds for the model call a hit saves, so a faster (sharded or
// approximate-LRU) cache would not change a scan's latency measurably.
//
// Note on the library: expirable.LRU starts one goroutine per cache that
// sweeps expired entries and never exits (a documented limitation of v2).
// Create caches once per scanner or process, not per request.
package cache

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"sync"
	"sync/atomic"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"golang.org/x/crypto/blake2b"

	"github.com/llmshield/llmshield/scanner"
)

// Key identifies a cached value: a BLAKE2b-256 digest. Build it with MakeKey
// or MakeKeyParts; it never contains the hashed text.
type Key [blake2b.Size256]byte

// String returns the key in hex.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// MakeKey hashes fingerprint (scanner configuration and model version) and
// text into a Key. Both are length-prefixed, so ("ab","c") and ("a","bc")
// give different keys.
func MakeKey(fingerprint, text string) Key {
	return MakeKeyParts(fingerprint, text)
}

// MakeKeyParts hashes fingerprint and any number of parts, each
// length-prefixed, into a Key. Wrap uses it to key on scanner, stage, prompt
// and output together. It does not allocate.
func MakeKeyParts(fingerprint string, parts ...string) Key {
	h := hashers.Get().(*hasher)
	h.d.Reset()
	h.write(fingerprint)
	for _, p := range parts {
		h.write(p)
	}
	var k Key
	copy(k[:], h.d.Sum(h.buf[:0]))
	hashers.Put(h)
	return k
}

// hasher is a reusable BLAKE2b-256 state with a scratch buffer through which
// strings are fed without converting them to []byte.
type hasher struct {
	d   hash.Hash
	buf [4096]byte
}

var hashers = sync.Pool{New: func() any {
	d, err := blake2b.New256(nil)
	if err != nil { // only fails for keys longer than 64 bytes; we pass none
		panic(fmt.Sprintf("cache: blake2b: %v", err))
	}
	return &hasher{d: d}
}}

func (h *hasher) write(s string) {
	n := binary.PutUvarint(h.buf[:], uint64(len(s)))
	h.d.Write(h.buf[:n])
	for len(s) > 0 {
		n := copy(h.buf[:], s)
		h.d.Write(h.buf[:n])
		s = s[n:]
	}
}

// Stats counts lookups since creation or the last ResetStats.
type Stats struct {
	Hits          uint64  `json:"hits"`
	Misses        uint64  `json:"misses"`
	TotalRequests uint64  `json:"total_requests"`
	HitRate       float64 `json:"hit_rate"`
}

// Cache is an LRU cache with expiring entries, keyed by Key. The zero value is
// not usable; call New. A cache built from disabled settings stores nothing
// and counts every Get as a miss. Cache is safe for concurrent use.
type Cache[V any] struct {
	lru      *expirable.LRU[Key, V] // nil when disabled
	settings scanner.CacheSettings
	hits     atomic.Uint64
	misses   atomic.Uint64
}

// New returns a cache sized by s. Disabled settings give a no-op cache;
// invalid enabled settings (non-positive size or TTL) are an error.
func New[V any](s scanner.CacheSettings) (*Cache[V], error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("cache settings: %w", err)
	}
	c := &Cache[V]{settings: s}
	if s.Enabled {
		c.lru = expirable.NewLRU[Key, V](s.MaxSize, nil, s.TTL)
	}
	return c, nil
}

// Settings returns the settings the cache was built with.
func (c *Cache[V]) Settings() scanner.CacheSettings { return c.settings }

// Enabled reports whether the cache stores anything.
func (c *Cache[V]) Enabled() bool { return c.lru != nil }

// Get returns the value under k. Absent and expired entries are misses.
func (c *Cache[V]) Get(k Key) (V, bool) {
	if c.lru != nil {
		if v, ok := c.lru.Get(k); ok {
			c.hits.Add(1)
			return v, true
		}
	}
	c.misses.Add(1)
	var zero V
	return zero, false
}

// Insert stores v under k, replacing any previous value and restarting its
// TTL. When the cache is full the least recently used entry is evicted.
func (c *Cache[V]) Insert(k Key, v V) {
	if c.lru != nil {
		c.lru.Add(k, v)
	}
}

// Remove deletes k and reports whether it was present.
func (c *Cache[V]) Remove(k Key) bool {
	if c.lru == nil {
		return false
	}
	return c.lru.Remove(k)
}

// Clear removes every entry. Statistics are kept.
func (c *Cache[V]) Clear() {
	if c.lru != nil {
		c.lru.Purge()
	}
}

// Len returns the number of entries held. Entries that have expired but not
// yet been swept (the sweep runs every TTL/100) are included.
func (c *Cache[V]) Len() int {
	if c.lru == nil {
		return 0
	}
	return c.lru.Len()
}

// Stats returns the hit and miss counts.
func (c *Cache[V]) Stats() Stats {
	h, m := c.hits.Load(), c.misses.Load()
	s := Stats{Hits: h, Misses: m, TotalRequests: h + m}
	if s.TotalRequests > 0 {
		s.HitRate = float64(h) / float64(s.TotalRequests)
	}
	return s
}

// ResetStats zeroes the hit and miss counts.
func (c *Cache[V]) ResetStats() {
	c.hits.Store(0)
	c.misses.Store(0)
}
