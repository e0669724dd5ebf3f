// Package ort is the ONNX Runtime backend of the inference engine.
//
// It uses github.com/yalue/onnxruntime_go, which needs cgo and loads the
// ONNX Runtime shared library at run time. Builds without cgo get a Runtime
// constructor that returns ErrNoCgo, so the rest of the module builds and the
// engine falls back to the pure-Go backend.
//
// onnxruntime_go keeps one process-wide ORT environment (library handle,
// OrtEnv). This package owns it through a single guarded object: the first
// Runtime initialises it with its library path, later Runtimes share it (they
// must ask for the same library or none), and the last Runtime to close
// destroys it. That object is the only package-level state, and it exists
// because the underlying library forces it.
package ort

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// EnvLibraryPath names the environment variable that points at the ONNX
// Runtime shared library.
const EnvLibraryPath = "LLMSHIELD_ORT_LIB"

// LibraryName is the file looked up in the known places.
const LibraryName = "libonnxruntime.so.1"

// ErrLibraryNotFound reports that no ONNX Runtime library was found.
var ErrLibraryNotFound = errors.New("onnx runtime shared library not found")

// LookupEnv abstracts os.LookupEnv and friends so FindLibrary is testable.
type LookupEnv func(key string) (string, bool)

// FindLibrary returns the ONNX Runtime shared library to load, in this order:
//  1. $LLMSHIELD_ORT_LIB (it must exist; no fallback when set),
//  2. <dir>/third_party/onnxruntime/libonnxruntime.so.1 for dir walking up
//     from the executable's directory and from the working directory,
//  3. $XDG_CACHE_HOME/llmshield/onnxruntime/ (else ~/.cache/llmshield/onnxruntime/),
//  4. /usr/lib, /usr/local/lib (also libonnxruntime.so there).
//
// The error lists every place tried.
func FindLibrary() (string, error) {
	exe, _ := os.Executable()
	wd, _ := os.Getwd()
	home, _ := os.UserHomeDir()
	return findLibrary(os.LookupEnv, exe, wd, home)
}

func findLibrary(env LookupEnv, exe, wd, home string) (string, error) {
	if p, ok := env(EnvLibraryPath); ok && p != "" {
		if err := isFile(p); err != nil {
			return "", fmt.Errorf("%s=%q: %w", EnvLibraryPath, p, err)
		}
		return p, nil
	}
	var tried []string
	try := func(p string) bool {
		tried = append(tried, p)
		return isFile(p) == nil
	}
	var starts []string
	if exe != "" {
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		starts = append(starts, filepath.Dir(exe))
	}
	if wd != "" {
		starts = append(starts, wd)
	}
	for _, start := range starts {
		for dir := filepath.Clean(start); ; dir = filepath.Dir(dir) {
			if p := filepath.Join(dir, "third_party", "onnxruntime", LibraryName); try(p) {
				return p, nil
			}
			if parent := filepath.Dir(dir); parent == dir {
				break
			}
		}
	}
	cache, ok := env("XDG_CACHE_HOME")
	if (!ok || cache == "") && home != "" {
		cache = filepath.Join(home, ".cache")
	}
	if cache != "" {
		if p := filepath.Join(cache, "llmshield", "onnxruntime", LibraryName); try(p) {
			return p, nil
		}
	}
	for _, dir := range []string{"/usr/lib", "/usr/local/lib"} {
		for _, name := range []string{LibraryName, "libonnxruntime.so"} {
			if p := filepath.Join(dir, name); try(p) {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%w (set %s or run scripts/fetch-ort.sh); tried %q", ErrLibraryNotFound, EnvLibraryPath, tried)
}

func isFile(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fmt.Errorf("%s is a directory", p)
	}
	return nil
}

// Options configure a Runtime.
type Options struct {
	// LibraryPath overrides FindLibrary.
	LibraryPath string
	// MaxConcurrentRuns bounds the forward passes one session runs at once
	// (ORT sessions are safe for concurrent Run); 0 means unbounded.
	MaxConcurrentRuns int
}
