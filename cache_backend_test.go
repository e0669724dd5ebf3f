package llmshield

import (
	"context"
	"testing"
	"time"
)

type memBackend struct{}

func (memBackend) Get(context.Context, string) ([]byte, bool, error)        { return nil, false, nil }
func (memBackend) Set(context.Context, string, []byte, time.Duration) error { return nil }

func TestWithCacheBackend(t *testing.T) {
	var b memBackend
	if o := buildOptions([]Option{WithCacheBackend(b)}); o.cacheBackend != b {
		t.Fatalf("backend not set: %v", o.cacheBackend)
	}
	if o := buildOptions(nil); o.cacheBackend != nil {
		t.Fatalf("backend set by default: %v", o.cacheBackend)
	}
}
