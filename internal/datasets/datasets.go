// Package datasets finds the shared evaluation data for tests and
// benchmarks: $LLMSHIELD_DATASETS when set, else ../shared/datasets relative
// to the repository root (the directory holding go.mod), never an absolute
// machine path. Callers skip cleanly when the data is absent.
package datasets

import (
	"os"
	"path/filepath"
)

// Dir returns the datasets directory joined with elem, or "" when neither
// $LLMSHIELD_DATASETS is set nor a go.mod is found above the working
// directory.
func Dir(elem ...string) string {
	if d := os.Getenv("LLMSHIELD_DATASETS"); d != "" {
		return filepath.Join(append([]string{d}, elem...)...)
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(append([]string{dir, "..", "shared", "datasets"}, elem...)...)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
