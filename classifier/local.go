package classifier

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/llmshield/llmshield/internal/model/loader"
	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
)

// ErrUnknownModel is returned (wrapped) for a model id that is neither an
// entry of the registry (id or name) nor an existing local directory.
var ErrUnknownModel = errors.New("neither a model registry id or name nor an existing local directory")

// IsLocalDir reports whether id names an existing directory (a model
// directory given by path rather than by registry id).
func IsLocalDir(id string) bool {
	if id == "" {
		return false
	}
	fi, err := os.Stat(id)
	return err == nil && fi.IsDir()
}

// localFiles lists a local model directory as registry files: model.onnx
// (or onnx/model.onnx, or the directory's only .onnx file), config.json,
// tokenizer.json or a SentencePiece model, and a sentence-transformers
// 1_Pooling/config.json when present.
func localFiles(dir string) (registry.Files, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return registry.Files{}, fmt.Errorf("model directory %s: %w", dir, err)
	}
	files := registry.Files{Entry: registry.Entry{ID: dir, Path: abs}, Dir: abs, Paths: map[string]string{}}
	add := func(name, rel string) bool {
		p := filepath.Join(abs, rel)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			files.Paths[name] = p
			return true
		}
		return false
	}
	if !add(registry.ModelFile, registry.ModelFile) && !add(registry.ModelFile, filepath.Join("onnx", registry.ModelFile)) {
		ents, err := os.ReadDir(abs)
		if err != nil {
			return registry.Files{}, fmt.Errorf("model directory %s: %w", dir, err)
		}
		var onnx []string
		for _, e := range ents {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".onnx") {
				onnx = append(onnx, e.Name())
			}
		}
		if len(onnx) != 1 {
			return registry.Files{}, fmt.Errorf("model directory %s: want model.onnx, onnx/model.onnx or exactly one .onnx file, found %d", dir, len(onnx))
		}
		add(registry.ModelFile, onnx[0])
	}
	add(registry.ConfigFile, registry.ConfigFile)
	for _, n := range []string{registry.TokenizerFile, "spiece.model", "spm.model", "sentencepiece.bpe.model", "tokenizer.model"} {
		if add(n, n) {
			break
		}
	}
	add(poolingFile, poolingFile)
	return files, nil
}

// resolver resolves registry ids and names through the registry and local
// directories by listing them.
type resolver struct{ reg *registry.Registry }

var _ loader.Resolver = resolver{}

func (r resolver) Ensure(ctx context.Context, task model.Task, variant model.Variant) (registry.Files, error) {
	return r.reg.Ensure(ctx, task, variant)
}

func (r resolver) EnsureID(ctx context.Context, id string) (registry.Files, error) {
	if _, err := r.reg.Lookup(id); err != nil && IsLocalDir(id) {
		return localFiles(id)
	}
	return r.reg.EnsureID(ctx, id)
}
