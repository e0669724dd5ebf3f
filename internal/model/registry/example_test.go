package registry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing/fstest"

	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
)

// ExampleNewDefault shows how built-in models (normally an embed.FS holding
// registry.json and one directory per model) come first, before the default
// downloadable models, and work offline.
func ExampleNewDefault() {
	builtins := fstest.MapFS{
		"registry.json":                  {Data: []byte(`{"models":[{"id":"llmshield-promptinjection","task":"prompt_injection","variant":"int8","embedded":"promptinjection","labels":["SAFE","INJECTION"]}]}`)},
		"promptinjection/model.onnx":     {Data: []byte("onnx bytes")},
		"promptinjection/tokenizer.json": {Data: []byte("{}")},
		"promptinjection/config.json":    {Data: []byte("{}")},
	}
	dir, _ := os.MkdirTemp("", "models")
	defer os.RemoveAll(dir)

	reg, err := registry.NewDefault(builtins, registry.WithCacheDir(dir), registry.WithOffline(true))
	if err != nil {
		panic(err)
	}
	files, err := reg.Ensure(context.Background(), model.TaskPromptInjection, "")
	if err != nil {
		panic(err)
	}
	rel, _ := filepath.Rel(dir, files.Model())
	fmt.Println(files.Entry.ID, rel)

	_, err = reg.Ensure(context.Background(), model.TaskToxicity, model.FP32)
	fmt.Println(err != nil, errors.Is(err, registry.ErrOffline))
	// Output:
	// llmshield-promptinjection llmshield-promptinjection/model.onnx
	// true true
}
