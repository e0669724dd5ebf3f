//go:build cgo

package ort

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ortgo "github.com/yalue/onnxruntime_go"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// TestModelIOMatchesORT: the signature the backend reads from the file (to
// spare a session) is the one ONNX Runtime reports, for every model the
// project ships or tests with.
func TestModelIOMatchesORT(t *testing.T) {
	rt, err := newTestRuntime(t)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	var paths []string
	for _, pat := range []string{"../testdata/*/model.onnx", "../../../models/*/model.onnx"} {
		m, _ := filepath.Glob(pat)
		paths = append(paths, m...)
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d models", len(paths))
	}
	conv := func(infos []ortgo.InputOutputInfo) []backend.TensorInfo {
		out := make([]backend.TensorInfo, len(infos))
		for i, in := range infos {
			out[i] = backend.TensorInfo{Name: in.Name, Tensor: in.OrtValueType == ortgo.ONNXTypeTensor, Elem: int(in.DataType)}
		}
		return out
	}
	for _, p := range paths {
		ins, outs, err := ortgo.GetInputOutputInfo(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		got, err := backend.ReadModelIOFile(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !slices.Equal(got.Inputs, conv(ins)) || !slices.Equal(got.Outputs, conv(outs)) {
			t.Errorf("%s: read %+v, onnx runtime reports inputs %v outputs %v", p, got, ins, outs)
		}
	}
}

// TestTelemetryOff: creating the environment turns ONNX Runtime's telemetry
// off (nothing written under $HOME/.cache/Microsoft) unless the operator
// set ORT_DISABLE_TELEMETRY, whose value is then kept.
func TestTelemetryOff(t *testing.T) {
	if environment.refs > 0 {
		t.Skip("an environment is already live")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(EnvDisableTelemetry, "")
	if err := os.Unsetenv(EnvDisableTelemetry); err != nil {
		t.Fatal(err)
	}
	rt, err := newTestRuntime(t)
	if err != nil {
		t.Fatal(err)
	}
	if v := os.Getenv(EnvDisableTelemetry); v != "1" {
		t.Errorf("%s=%q after New, want 1", EnvDisableTelemetry, v)
	}
	if err := rt.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, ".cache", "Microsoft")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("onnx runtime telemetry wrote under $HOME: %v", err)
	}
	t.Setenv(EnvDisableTelemetry, "0")
	rt, err = New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	if v := os.Getenv(EnvDisableTelemetry); v != "0" {
		t.Errorf("operator's %s=0 became %q", EnvDisableTelemetry, v)
	}
}

// TestProbe: Probe reports the library and version New would, without
// creating the environment; what is not an ONNX Runtime library is
// unavailable, with the reason.
func TestProbe(t *testing.T) {
	if environment.refs > 0 {
		t.Skip("an environment is already live")
	}
	lib, err := libraryPath(Options{})
	if err != nil {
		t.Skipf("onnx runtime unavailable: %v", err)
	}
	plib, pver, err := Probe(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ortgo.IsInitialized() || environment.refs != 0 {
		t.Fatal("Probe created the onnx runtime environment")
	}
	rt, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rt.Close() })
	if plib != lib || plib != rt.LibraryPath() || pver != rt.Version() || !strings.HasPrefix(pver, "onnxruntime 1.") {
		t.Errorf("Probe: %q %q; New: %q %q", plib, pver, rt.LibraryPath(), rt.Version())
	}
	// While the environment is live, Probe answers from it.
	if l, v, err := Probe(Options{LibraryPath: lib}); err != nil || l != lib || v != rt.Version() {
		t.Errorf("Probe while live: %q %q %v", l, v, err)
	}
	text := filepath.Join(t.TempDir(), LibraryName)
	if err := os.WriteFile(text, []byte("not a library"), 0o644); err != nil {
		t.Fatal(err)
	}
	libm, _ := filepath.Glob("/lib/x86_64-linux-gnu/libm.so.6")
	for _, bad := range append([]string{text, filepath.Join(t.TempDir(), "absent.so")}, libm...) {
		if _, _, err := Probe(Options{LibraryPath: bad}); !errors.Is(err, backend.ErrUnavailable) {
			t.Errorf("Probe(%s): %v, want ErrUnavailable", bad, err)
		} else {
			t.Logf("Probe(%s): %v", bad, err)
		}
	}
}
