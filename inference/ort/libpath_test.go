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
	repo := filepath.Join(root, "repo")
	repoLib := touch(t, filepath.Join(repo, "third_party", "onnxruntime", LibraryName))
	deep := filepath.Join(repo, "a", "b", "c")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
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
		name          string
		env           map[string]string
		exe, wd, home string
		want          string
	}{
		{"env wins", map[string]string{EnvLibraryPath: envLib}, filepath.Join(deep, "bin"), deep, home, envLib},
		{"walk up from executable", nil, filepath.Join(deep, "llmshield"), elsewhere, home, repoLib},
		{"walk up from working dir", nil, filepath.Join(elsewhere, "x"), deep, home, repoLib},
		{"xdg cache", map[string]string{"XDG_CACHE_HOME": xdg}, filepath.Join(elsewhere, "x"), elsewhere, home, xdgLib},
		{"home cache", nil, filepath.Join(elsewhere, "x"), elsewhere, home, homeLib},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findLibrary(envOf(tt.env), tt.exe, tt.wd, tt.home)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}

	// An env path that does not exist is an error, not a silent fallback.
	if _, err := findLibrary(envOf(map[string]string{EnvLibraryPath: filepath.Join(root, "nope.so")}), "", deep, home); err == nil || !strings.Contains(err.Error(), EnvLibraryPath) {
		t.Errorf("missing env library: %v", err)
	}
	if _, err := findLibrary(envOf(map[string]string{EnvLibraryPath: root}), "", deep, home); err == nil {
		t.Error("directory accepted as library")
	}
	// Nothing anywhere (unless the machine has a system-wide library).
	_, err := findLibrary(envOf(nil), filepath.Join(elsewhere, "x"), elsewhere, filepath.Join(root, "nohome"))
	if err != nil && !errors.Is(err, ErrLibraryNotFound) {
		t.Errorf("err = %v, want ErrLibraryNotFound", err)
	}
	if err != nil && !strings.Contains(err.Error(), "fetch-ort.sh") {
		t.Errorf("error does not say how to fix it: %v", err)
	}
}
