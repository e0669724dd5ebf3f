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
// because the underlying library forces it. ONNX Runtime's own telemetry is
// turned off (see EnvDisableTelemetry).
package ort

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmshield/llmshield/internal/inference/backend"
)

// EnvLibraryPath names the environment variable that points at the ONNX
// Runtime shared library.
const EnvLibraryPath = "LLMSHIELD_ORT_LIB"

// EnvDisableTelemetry is ONNX Runtime's switch for its telemetry. Unless
// the environment already sets it, the first Runtime sets it to 1 before
// creating the ONNX Runtime environment, which turns the telemetry off.
const EnvDisableTelemetry = "ORT_DISABLE_TELEMETRY"

// LibraryName is the file looked up in the known places.
const LibraryName = "libonnxruntime.so.1"

// ErrLibraryNotFound reports that no ONNX Runtime library was found.
var ErrLibraryNotFound = errors.New("onnx runtime shared library not found")

// LookupEnv abstracts os.LookupEnv and friends so FindLibrary is testable.
type LookupEnv func(key string) (string, bool)

// FindLibrary returns the ONNX Runtime shared library to load. It looks only
// in places an operator controls, in this order:
//  1. $LLMSHIELD_ORT_LIB (it must exist and be safe; no fallback when set),
//  2. the executable's own directory: <dir>/libonnxruntime.so.1 and
//     <dir>/third_party/onnxruntime/libonnxruntime.so.1 (no walking up: a
//     parent directory such as /tmp is not the operator's),
//  3. $XDG_CACHE_HOME/llmshield/onnxruntime/ (else ~/.cache/llmshield/onnxruntime/),
//     where scripts/fetch-ort.sh installs it,
//  4. the system library directories (/usr/lib, /usr/lib/x86_64-linux-gnu,
//     /usr/local/lib; also libonnxruntime.so there).
//
// The working directory is never searched. A file that is writable by
// others, or lies in a directory writable by others, is refused: anyone
// could replace it with code that then runs inside llmshield. The error
// lists every place tried and every file refused.
func FindLibrary() (string, error) {
	exe, _ := os.Executable()
	home, _ := os.UserHomeDir()
	return findLibrary(os.LookupEnv, exe, home)
}

func findLibrary(env LookupEnv, exe, home string) (string, error) {
	if p, ok := env(EnvLibraryPath); ok && p != "" {
		if err := isFile(p); err != nil {
			return "", fmt.Errorf("%s=%q: %w", EnvLibraryPath, p, err)
		}
		if err := checkSafe(p); err != nil {
			return "", fmt.Errorf("%s=%q: %w", EnvLibraryPath, p, err)
		}
		return p, nil
	}
	var tried, refused []string
	try := func(p string) bool {
		tried = append(tried, p)
		if isFile(p) != nil {
			return false
		}
		if err := checkSafe(p); err != nil {
			refused = append(refused, err.Error())
			return false
		}
		return true
	}
	var candidates []string
	if exe != "" {
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		dir := filepath.Dir(exe)
		candidates = append(candidates, filepath.Join(dir, LibraryName), filepath.Join(dir, "third_party", "onnxruntime", LibraryName))
	}
	cache, ok := env("XDG_CACHE_HOME")
	if (!ok || cache == "") && home != "" {
		cache = filepath.Join(home, ".cache")
	}
	if cache != "" {
		candidates = append(candidates, filepath.Join(cache, "llmshield", "onnxruntime", LibraryName))
	}
	for _, dir := range []string{"/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/local/lib"} {
		for _, name := range []string{LibraryName, "libonnxruntime.so"} {
			candidates = append(candidates, filepath.Join(dir, name))
		}
	}
	for _, p := range candidates {
		if try(p) {
			return p, nil
		}
	}
	msg := fmt.Sprintf("set %s or run scripts/fetch-ort.sh; tried %q", EnvLibraryPath, tried)
	if len(refused) > 0 {
		msg += fmt.Sprintf("; refused %q", refused)
	}
	return "", fmt.Errorf("%w (%s)", ErrLibraryNotFound, msg)
}

// ErrUnsafeLibrary reports a library file, or its directory, that users
// other than its owner can write.
var ErrUnsafeLibrary = errors.New("onnx runtime library is writable by others")

// checkSafe refuses a library that others can replace: the file itself or
// the directory holding it writable by others (world-writable /tmp
// included, sticky bit or not).
func checkSafe(p string) error {
	abs, err := filepath.Abs(p)
	if err != nil {
		return err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	for _, q := range []string{abs, filepath.Dir(abs)} {
		fi, err := os.Stat(q)
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o002 != 0 {
			return fmt.Errorf("%s (mode %s): %w", q, fi.Mode().Perm(), ErrUnsafeLibrary)
		}
	}
	return nil
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

// libraryPath is opts.LibraryPath, else FindLibrary's answer; it must be a
// file. Errors wrap backend.ErrUnavailable.
func libraryPath(opts Options) (string, error) {
	lib := opts.LibraryPath
	if lib == "" {
		p, err := FindLibrary()
		if err != nil {
			return "", fmt.Errorf("%w: %w", backend.ErrUnavailable, err)
		}
		lib = p
	}
	if err := isFile(lib); err != nil {
		return "", fmt.Errorf("%w: %w", backend.ErrUnavailable, err)
	}
	return lib, nil
}

// versionString words a library version as Runtime.Version does.
func versionString(v string) string { return "onnxruntime " + v }
