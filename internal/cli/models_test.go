package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// On a fresh machine (empty model cache) `models verify` and `models path`
// work for the built-in models: they are copied from the binary first, and
// models that were never downloaded are reported, not failed.
func TestModelsVerifyAndPathOnAFreshCache(t *testing.T) {
	t.Setenv("LLMSHIELD_MODEL_DIR", t.TempDir())
	var out, errBuf bytes.Buffer
	if c := Main(context.Background(), []string{"models", "verify"}, Streams{In: strings.NewReader(""), Out: &out, Err: &errBuf}); c != ExitValid {
		t.Fatalf("models verify on a fresh cache: exit %d\n%s%s", c, out.String(), errBuf.String())
	}
	if strings.Contains(out.String(), "mismatch") || !strings.Contains(out.String(), " ok ") {
		t.Errorf("verify output:\n%s", out.String())
	}
	var ids []string
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[2] == "ok" && strings.HasPrefix(f[0], "llmshield-") {
			ids = append(ids, f[0])
		}
	}
	if len(ids) == 0 {
		t.Fatal("no built-in model verified")
	}
	t.Setenv("LLMSHIELD_MODEL_DIR", t.TempDir())
	out.Reset()
	if c := Main(context.Background(), []string{"models", "path", ids[0]}, Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard}); c != ExitValid {
		t.Fatalf("models path %s on a fresh cache: exit %d", ids[0], c)
	}
	dir := strings.TrimSpace(out.String())
	if _, err := os.Stat(filepath.Join(dir, "model.onnx")); err != nil {
		t.Errorf("models path printed %q without the model in it: %v", dir, err)
	}
}
