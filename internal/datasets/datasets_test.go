package datasets

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// fatalRecorder records the first Fatal or Fatalf and ends the goroutine
// that called it, as testing.T does.
type fatalRecorder struct {
	testing.TB
	msg string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatal(args ...any) {
	r.msg = fmt.Sprint(args...)
	runtime.Goexit()
}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatalOf runs f with a fatalRecorder and returns what it failed with ("":
// it did not fail).
func fatalOf(t *testing.T, f func(tb testing.TB)) string {
	r := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r.msg
}

func TestMustReadRows(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(good, []byte(`{"text":"a"}`+"\n"+`{"text":"b"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"text":"a"}`+"\nnot json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type row struct{ Text string }
	var got []row
	if msg := fatalOf(t, func(tb testing.TB) { got = MustReadRows[row](tb, good) }); msg != "" || len(got) != 2 || got[1].Text != "b" {
		t.Fatalf("good file: rows %+v, failure %q", got, msg)
	}
	if msg := fatalOf(t, func(tb testing.TB) { MustReadRows[row](tb, bad) }); !strings.Contains(msg, "bad.jsonl line 2") {
		t.Errorf("a bad line failed with %q, want it to name bad.jsonl line 2", msg)
	}
	if msg := fatalOf(t, func(tb testing.TB) { MustReadRows[row](tb, filepath.Join(dir, "missing.jsonl")) }); msg == "" {
		t.Error("a missing file did not fail")
	}
}

func TestHeldOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "eval.jsonl")
	if err := os.WriteFile(path, []byte(`{"text":"a"}`+"\n"+`{"text":"b"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	type row struct{ Text string }
	t.Run("without LLMSHIELD_EVAL skips", func(t *testing.T) {
		t.Setenv("LLMSHIELD_EVAL", "")
		HeldOut[row](t, path, "make it")
		t.Error("not skipped")
	})
	t.Setenv("LLMSHIELD_EVAL", "1")
	if got := HeldOut[row](t, path, "make it"); len(got) != 2 || got[1].Text != "b" {
		t.Fatalf("HeldOut = %+v", got)
	}
	t.Run("absent file skips", func(t *testing.T) {
		HeldOut[row](t, path+".missing", "make it")
		t.Error("not skipped")
	})
}
