package llmshield

import "github.com/llmshield/llmshield/cache"

// WithCacheBackend shares the scanners' result caches through b (for
// example a cache/redis Backend), so that replicas answer each other's
// repeated inputs. It reaches scanner factories as builtin.Deps.CacheBackend;
// cacheable scanners hand it to cache.Wrap with cache.WithBackend. A backend
// failure never fails a scan (the cache treats it as a miss).
func WithCacheBackend(b cache.Backend) Option { return func(o *options) { o.cacheBackend = b } }
