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

func TestRows(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "toxicity"), 0o755); err != nil {
		t.Fatal(err)
	}
	data := `{"text":"a","label":"TOXIC"}` + "\nnot json\n" + `{"text":"b","label":"OK"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, "toxicity", "x.jsonl"), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LLMSHIELD_DATASETS", dir)
	type row struct{ Text, Label string }
	got := Rows[row](t, "toxicity", "x.jsonl")
	if len(got) != 2 || got[0] != (row{"a", "TOXIC"}) || got[1] != (row{"b", "OK"}) {
		t.Fatalf("Rows = %+v", got)
	}
	t.Run("absent file skips", func(t *testing.T) {
		Rows[row](t, "toxicity", "missing.jsonl")
		t.Error("not skipped")
	})
}
