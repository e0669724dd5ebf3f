package ort

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/inference/backend"
	"github.com/llmshield/llmshield/internal/inference/backend/backendtest"
)

func TestReferenceLogits(t *testing.T) {
	rt, err := newTestRuntime(t)
	if err != nil {
		t.Fatal(err)
	}
	backendtest.ReferenceLogits(t, filepath.Join("..", "testdata"), rt)
}

// newTestRuntime loads ONNX Runtime or skips; with CI=true a missing library
// fails the test instead.
func newTestRuntime(t *testing.T) (*Runtime, error) {
	t.Helper()
	rt, err := New(Options{})
	if err != nil && errors.Is(err, backend.ErrUnavailable) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("onnx runtime unavailable with CI=true: %v", err)
		}
		t.Skipf("onnx runtime unavailable (run scripts/fetch-ort.sh): %v", err)
	}
	return rt, err
}

func TestSharedEnvironment(t *testing.T) {
	a, err := newTestRuntime(t)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{LibraryPath: a.LibraryPath()})
	if err != nil {
		t.Fatalf("second runtime on the same library: %v", err)
	}
	if a.Version() == "" || a.Version() != b.Version() {
		t.Errorf("versions %q %q", a.Version(), b.Version())
	}
	link := filepath.Join(t.TempDir(), LibraryName)
	if err := os.Symlink(a.LibraryPath(), link); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Options{LibraryPath: link}); err == nil || !strings.Contains(err.Error(), "already initialised") {
		t.Errorf("different library while initialised: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	// b still holds the environment: it can open and run a model.
	s, err := b.OpenFile(context.Background(), filepath.Join("..", "testdata", "tiny-binary", "model.onnx"), backend.Options{IntraOpThreads: 1, InterOpThreads: 1, OptimizationLevel: 3})
	if err != nil {
		t.Fatal(err)
	}
	in := backend.Inputs{Batch: 1, SeqLen: 2, InputIDs: []int64{101, 102}, AttentionMask: []int64{1, 1}}
	if _, err := s.Run(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	// Closing the runtime closes its sessions; the last close destroys the
	// environment, and a new runtime initialises it again.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Run(context.Background(), in); err == nil {
		t.Error("Run after runtime Close succeeded")
	}
	c, err := New(Options{LibraryPath: link})
	if err != nil {
		t.Fatalf("re-initialise with another path after the last close: %v", err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestRunErrors(t *testing.T) {
	rt, err := newTestRuntime(t)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	if _, err := rt.OpenFile(context.Background(), filepath.Join("..", "testdata", "tiny-binary", "model.onnx"), backend.Options{OptimizationLevel: 9}); err == nil {
		t.Error("optimisation level 9 accepted")
	}
	s, err := rt.OpenFile(context.Background(), filepath.Join("..", "testdata", "tiny-tokentype", "model.onnx"), backend.Options{OptimizationLevel: -1})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.InputNames(); len(got) != 3 || got[2] != backend.TokenTypeIDs {
		t.Errorf("inputs %v", got)
	}
	if _, err := s.Run(context.Background(), backend.Inputs{Batch: 2, SeqLen: 2, InputIDs: []int64{1}, AttentionMask: []int64{1}}); err == nil {
		t.Error("bad shape accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Run(ctx, backend.Inputs{Batch: 1, SeqLen: 1, InputIDs: []int64{1}, AttentionMask: []int64{1}}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: %v", err)
	}
}
