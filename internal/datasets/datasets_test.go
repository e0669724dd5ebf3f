package datasets

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDirIsRelativeToTheRepositoryRoot(t *testing.T) {
	t.Setenv("LLMSHIELD_DATASETS", "")
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Dir(filepath.Dir(wd)) // internal/datasets -> repository root
	want := filepath.Join(root, "..", "shared", "datasets", "injection")
	if got := Dir("injection"); got != want {
		t.Fatalf("Dir = %q, want %q", got, want)
	}
	t.Setenv("LLMSHIELD_DATASETS", "/elsewhere")
	if got := Dir("a", "b.jsonl"); got != filepath.Join("/elsewhere", "a", "b.jsonl") {
		t.Fatalf("env override: %q", got)
	}
}
