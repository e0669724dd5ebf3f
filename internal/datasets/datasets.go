// Package datasets finds the shared evaluation data for tests and
// benchmarks: $LLMSHIELD_DATASETS when set, else ../shared/datasets relative
// to the repository root (the directory holding go.mod), never an absolute
// machine path. Callers skip cleanly when the data is absent. It also reads
// JSON-lines files for tests: the shared data leniently (ReadRows), committed
// fixtures strictly (MustReadRows), and the held-out files that evaluation
// tables print from (HeldOut, run only with $LLMSHIELD_EVAL set).
package datasets

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the datasets directory joined with elem, or "" when neither
// $LLMSHIELD_DATASETS is set nor a go.mod is found above the working
// directory.
func Dir(elem ...string) string {
	if d := os.Getenv("LLMSHIELD_DATASETS"); d != "" {
		return filepath.Join(append([]string{d}, elem...)...)
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(append([]string{dir, "..", "shared", "datasets"}, elem...)...)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Path returns Dir(elem...) for a test or benchmark, skipping it under
// -short (the datasets are large) and when the path does not exist.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	if testing.Short() {
		tb.Skip("reads the shared datasets")
	}
	p := Dir(elem...)
	if p == "" {
		tb.Skip("repository root not found")
	}
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared datasets absent: %v", err)
	}
	return p
}

// Rows decodes the JSON lines of the file Path(tb, elem...) into T values;
// lines that do not decode are passed over. It skips like Path.
func Rows[T any](tb testing.TB, elem ...string) []T {
	tb.Helper()
	return ReadRows[T](tb, Path(tb, elem...))
}

// ReadRows decodes the JSON lines of the file at path into T values; lines
// that do not decode are passed over. A file that cannot be opened skips
// tb; one that cannot be read to the end fails it.
func ReadRows[T any](tb testing.TB, path string) []T {
	tb.Helper()
	return readRows[T](tb, path, false)
}

// MustReadRows decodes every line of the JSON-lines file at path into a T,
// for the files a test cannot do without (committed fixtures, reference
// outputs): a file that cannot be opened or read, or a line that does not
// decode, fails tb.
func MustReadRows[T any](tb testing.TB, path string) []T {
	tb.Helper()
	return readRows[T](tb, path, true)
}

// HeldOut returns the rows of the held-out file at path (strictly, as
// MustReadRows does) for a test that prints an evaluation table: it skips
// tb unless $LLMSHIELD_EVAL is set, and when the file is absent, saying
// hint (how to write it).
func HeldOut[T any](tb testing.TB, path, hint string) []T {
	tb.Helper()
	if os.Getenv("LLMSHIELD_EVAL") == "" {
		tb.Skip("set LLMSHIELD_EVAL=1 to print the held-out table")
	}
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("%s absent (%s)", path, hint)
	}
	return MustReadRows[T](tb, path)
}

func readRows[T any](tb testing.TB, path string, strict bool) []T {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		if strict {
			tb.Fatal(err)
		}
		tb.Skipf("dataset not available: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	var rows []T
	for line := 1; sc.Scan(); line++ {
		var r T
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			if strict {
				tb.Fatalf("%s line %d: %v", path, line, err)
			}
			continue
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return rows
}
