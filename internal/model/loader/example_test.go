package loader_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmshield/llmshield/internal/model/loader"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
)

// session stands in for an inference engine's session.
type session struct{ path string }

func (*session) Close() error { return nil }

func Example() {
	dir, _ := os.MkdirTemp("", "model")
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "model.onnx"), []byte("onnx"), 0o644)

	reg, err := registry.New(registry.Document{Models: []registry.Entry{
		{ID: "my-sentiment", Task: model.TaskSentiment, Variant: model.FP32, Path: dir},
	}}, registry.WithCacheDir(dir), registry.WithOffline(true))
	if err != nil {
		panic(err)
	}
	open := func(ctx context.Context, f registry.Files, cfg loader.LoadConfig) (*session, error) {
		return &session{path: f.Model()}, nil
	}
	l, err := loader.New(reg, open)
	if err != nil {
		panic(err)
	}
	defer l.UnloadAll()

	s1, _ := l.Load(context.Background(), model.TaskSentiment, model.FP32)
	s2, _ := l.Load(context.Background(), model.TaskSentiment, model.FP32)
	fmt.Println(s1 == s2, filepath.Base(s1.path))
	fmt.Printf("%+v\n", l.Stats())
	// Output:
	// true model.onnx
	// {TotalLoaded:1 TotalLoads:1 CacheHits:1 Shared:0 Failures:0}
}
