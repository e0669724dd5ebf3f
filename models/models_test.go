package models

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"testing"

	"github.com/llmshield/llmshield/internal/model/registry"
	"github.com/llmshield/llmshield/model"
)

// TestRegistryMatchesFiles keeps registry.json honest: every built-in entry's
// files exist in the embedded FS with the recorded size and SHA-256 (run
// scripts/update-models-registry.py after retraining).
func TestRegistryMatchesFiles(t *testing.T) {
	b, err := fs.ReadFile(FS(), registry.BuiltinRegistryFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := registry.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	tasks := map[model.Task]bool{}
	total := int64(0)
	for _, e := range doc.Models {
		tasks[e.Task] = true
		for _, f := range e.Files {
			data, err := fs.ReadFile(FS(), path.Join(e.Embedded, f.Name))
			if err != nil {
				t.Fatalf("%s: %v", e.ID, err)
			}
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != f.SHA256 || int64(len(data)) != f.SizeBytes {
				t.Errorf("%s/%s: sha256 %s size %d, registry says %s %d", e.ID, f.Name, got, len(data), f.SHA256, f.SizeBytes)
			}
			total += int64(len(data))
		}
		if _, err := fs.Stat(FS(), path.Join(e.Embedded, "MODEL_CARD.md")); err != nil {
			t.Errorf("%s: no model card: %v", e.ID, err)
		}
	}
	for _, task := range []model.Task{model.TaskPromptInjection, model.TaskToxicity} {
		if !tasks[task] {
			t.Errorf("no built-in model for %s", task)
		}
	}
	if total > 30<<20 {
		t.Errorf("embedded model artefacts are %d bytes, over the 30 MB budget", total)
	}
}
