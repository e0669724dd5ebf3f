package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/inference"
	"github.com/llmshield/llmshield/internal/inference/ort"
)

// TestVersion: `version` names the backend that would run models, as
// probed, and says why one is unavailable. Which backend auto picks
// follows $LLMSHIELD_ORT_LIB: ONNX Runtime when its library loads.
func TestVersion(t *testing.T) {
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		c := Main(context.Background(), append([]string{"version"}, args...), Streams{In: strings.NewReader(""), Out: &out, Err: io.Discard})
		return c, out.String()
	}
	c, out := run("--backend", "purego")
	if c != 0 || !strings.HasPrefix(out, "llmshield ") || !strings.Contains(out, "inference backend: purego (gomlx ") {
		t.Errorf("purego: exit %d\n%s", c, out)
	}
	c, out = run("--backend", "tpu")
	if c != 0 || !strings.Contains(out, `inference backend: unavailable: `) || !strings.Contains(out, `"tpu"`) {
		t.Errorf("unknown backend: exit %d\n%s", c, out)
	}
	if os.Getenv(ort.EnvLibraryPath) == "" {
		t.Skipf("%s is not set", ort.EnvLibraryPath)
	}
	want, err := inference.NewRuntime(inference.RuntimeOptions{Backend: "ort"})
	if err != nil {
		t.Skipf("onnx runtime unavailable: %v", err)
	}
	line := "inference backend: " + want.Info().String() + "\n"
	if err := want.Close(); err != nil {
		t.Fatal(err)
	}
	c, out = run("--backend", "ort")
	if c != 0 || !strings.HasSuffix(out, line) || !strings.Contains(out, "ort (onnxruntime ") {
		t.Errorf("ort: exit %d\n%s\nwant the line %q", c, out, line)
	}
}
