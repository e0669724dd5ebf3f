package faulttest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/llmshield/llmshield"
	"github.com/llmshield/llmshield/config"
	"github.com/llmshield/llmshield/internal/modelhub"
)

// TestRebuiltShieldsLeaveNothing: a server rebuilds its Shield on every
// configuration reload. Building, using and closing Shields over and over
// (ML scanner with its prediction cache, pipeline-level result cache) must
// leave no goroutine behind, or every reload would leak one per cache and
// keep the cache's entries alive with it.
func TestRebuiltShieldsLeaveNothing(t *testing.T) {
	cache := t.TempDir()
	const id = "tiny-pi"
	reg := writeRegistry(t, pathEntry(id, tinyModelDir(t)))
	cfg, err := config.Parse([]byte(pipeline{Registry: reg, CacheDir: cache, Model: id, Fallback: true}.yaml() + "cache: production\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hub, err := modelhub.New(cfg.Models, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	// The first build loads the model (the hub outlives the reloads).
	sh, err := llmshield.New(ctx, cfg, llmshield.WithModelHub(hub))
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := sh.ScanPrompt(ctx, benignPrompt); scanErr(rep, err) != nil {
		t.Fatal(err)
	}
	if err := sh.Close(); err != nil {
		t.Fatal(err)
	}
	base := goroutines()
	for range 5 {
		sh, err := llmshield.New(ctx, cfg, llmshield.WithModelHub(hub))
		if err != nil {
			t.Fatal(err)
		}
		for _, text := range []string{benignPrompt, injectionPrompt, benignPrompt} {
			if rep, err := sh.ScanPrompt(ctx, text); scanErr(rep, err) != nil {
				t.Fatal(err)
			}
		}
		if err := sh.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if leaked := newGoroutines(base, 5*time.Second); len(leaked) > 0 {
		t.Fatalf("5 rebuilt and closed Shields left %d goroutine(s) running:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	}
}
