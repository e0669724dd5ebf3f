package ort

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func touch(t *testing.T, p string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func envOf(m map[string]string) LookupEnv {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestFindLibrary(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "opt", "llmshield")
	exeLib := touch(t, filepath.Join(bin, LibraryName))
	bin2 := filepath.Join(root, "repo")
	repoLib := touch(t, filepath.Join(bin2, "third_party", "onnxruntime", LibraryName))
	envLib := touch(t, filepath.Join(root, "custom", "libort.so"))
	xdg := filepath.Join(root, "xdg")
	xdgLib := touch(t, filepath.Join(xdg, "llmshield", "onnxruntime", LibraryName))
	home := filepath.Join(root, "home")
	homeLib := touch(t, filepath.Join(home, ".cache", "llmshield", "onnxruntime", LibraryName))
	elsewhere := filepath.Join(root, "elsewhere")
	if err := os.MkdirAll(elsewhere, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		env       map[string]string
		exe, home string
		want      string
	}{
		{"env wins", map[string]string{EnvLibraryPath: envLib}, filepath.Join(bin, "llmshield"), home, envLib},
		{"beside the executable", nil, filepath.Join(bin, "llmshield"), home, exeLib},
		{"third_party beside the executable", nil, filepath.Join(bin2, "llmshield"), home, repoLib},
		{"xdg cache", map[string]string{"XDG_CACHE_HOME": xdg}, filepath.Join(elsewhere, "x"), home, xdgLib},
		{"home cache", nil, filepath.Join(elsewhere, "x"), home, homeLib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findLibrary(envOf(tt.env), tt.exe, tt.home)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}

	// An env path that does not exist is an error, not a silent fallback.
	if _, err := findLibrary(envOf(map[string]string{EnvLibraryPath: filepath.Join(root, "nope.so")}), "", home); err == nil || !strings.Contains(err.Error(), EnvLibraryPath) {
		t.Errorf("missing env library: %v", err)
	}
	if _, err := findLibrary(envOf(map[string]string{EnvLibraryPath: root}), "", home); err == nil {
		t.Error("directory accepted as library")
	}
	// Nothing anywhere (unless the machine has a system-wide library).
	_, err := findLibrary(envOf(nil), filepath.Join(elsewhere, "x"), filepath.Join(root, "nohome"))
	if err != nil && !errors.Is(err, ErrLibraryNotFound) {
		t.Errorf("err = %v, want ErrLibraryNotFound", err)
	}
	if err != nil && !strings.Contains(err.Error(), "fetch-ort.sh") {
		t.Errorf("error does not say how to fix it: %v", err)
	}
}

// A library planted in an ancestor of the working directory or of the
// executable (e.g. /tmp/third_party/onnxruntime/) must never be loaded.
func TestFindLibraryIgnoresAncestors(t *testing.T) {
	root := t.TempDir()
	planted := touch(t, filepath.Join(root, "third_party", "onnxruntime", LibraryName))
	deep := filepath.Join(root, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(deep)
	got, err := findLibrary(envOf(nil), filepath.Join(deep, "llmshield"), filepath.Join(root, "nohome"))
	if err == nil && got == planted {
		t.Fatalf("loaded the library planted in an ancestor directory: %s", got)
	}
	if err == nil {
		t.Logf("found a system library instead: %s", got)
	}
}

// A library (or its directory) writable by others is refused, with an error
// that says why, even when named by the environment variable.
func TestFindLibraryRefusesWritableByOthers(t *testing.T) {
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	lib := touch(t, filepath.Join(bin, LibraryName))
	if err := os.Chmod(lib, 0o666); err != nil {
		t.Fatal(err)
	}
	_, err := findLibrary(envOf(map[string]string{EnvLibraryPath: lib}), "", "")
	if !errors.Is(err, ErrUnsafeLibrary) {
		t.Fatalf("world-writable library via env: err = %v, want ErrUnsafeLibrary", err)
	}
	got, err := findLibrary(envOf(nil), filepath.Join(bin, "llmshield"), filepath.Join(root, "nohome"))
	if err == nil && got == lib {
		t.Fatalf("loaded a world-writable library: %s", got)
	}
	if err != nil && !strings.Contains(err.Error(), "refused") {
		t.Errorf("error does not name the refused file: %v", err)
	}

	// A safe file in a world-writable directory is refused too.
	if err := os.Chmod(lib, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(bin, 0o777); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(bin, 0o755) })
	if _, err := findLibrary(envOf(map[string]string{EnvLibraryPath: lib}), "", ""); !errors.Is(err, ErrUnsafeLibrary) {
		t.Fatalf("library in a world-writable directory: err = %v, want ErrUnsafeLibrary", err)
	}
}
