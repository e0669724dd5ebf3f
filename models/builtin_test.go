package models_test

import (
	"context"
	"os"
	"testing"

	"github.com/llmshield/llmshield/classifier"
	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/internal/modeltest"
	"github.com/llmshield/llmshield/model"
	"github.com/llmshield/llmshield/models"
)

// testBackends are the inference backends the model tests run on: the pure-Go
// backend, and ONNX Runtime when LLMSHIELD_ORT_LIB is set.
func testBackends() []string {
	if os.Getenv("LLMSHIELD_ORT_LIB") != "" {
		return []string{inference.BackendPureGo, inference.BackendORT}
	}
	return []string{inference.BackendPureGo}
}

// builtinClassifier opens the built-in model of task and variant on backend,
// through an offline registry of the built-in models with a temporary cache
// and a model hub that is closed when the test ends.
func builtinClassifier(tb testing.TB, backend string, task model.Task, variant model.Variant) *classifier.Classifier {
	tb.Helper()
	reg, err := registry.NewDefault(models.FS(), registry.WithOffline(true), registry.WithCacheDir(tb.TempDir()))
	if err != nil {
		tb.Fatal(err)
	}
	c, err := modeltest.HubOn(tb, backend, reg).Get(context.Background(), classifier.Ref{Task: task, Variant: variant})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}
