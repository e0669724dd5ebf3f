package promptinjection

import (
	"bufio"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
)

// verdictsFile holds, for every row of every training file of the injection
// datasets, the heuristic's risk and rule ids as computed by the
// implementation before the fast path (commit b4c1162): one line per row,
// "<file> <row> <sha256 of text, 16 hex> <risk> <sorted rule ids, comma
// separated or ->", gzip-compressed. Regenerate only when a rule changes
// on purpose (LLMSHIELD_WRITE_VERDICTS=1 go test -run TestVerdictsUnchanged).
const verdictsFile = "testdata/verdicts.txt.gz"

func verdictLine(h *Heuristic, file string, row int, text string) string {
	a := h.Analyze(text)
	sum := sha256.Sum256([]byte(text))
	ids := make([]string, 0, len(a.Findings))
	for _, f := range a.Findings {
		ids = append(ids, f.Rule)
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	r := "-"
	if len(ids) > 0 {
		r = strings.Join(ids, ",")
	}
	risk := strconv.FormatFloat(math.Round(a.Risk*1e9)/1e9, 'g', -1, 64)
	return fmt.Sprintf("%s %d %s %s %s", file, row, hex.EncodeToString(sum[:8]), risk, r)
}

// datasetVerdicts analyses every row of the training files (eval-only is
// not read) and returns one verdict line per row.
func datasetVerdicts(t *testing.T, h *Heuristic) []string {
	files, _ := filepath.Glob(filepath.Join(injectionDir(), "*.jsonl"))
	if len(files) == 0 {
		t.Skipf("no injection datasets in %s", injectionDir())
	}
	slices.Sort(files)
	var lines []string
	for _, f := range files {
		for row, r := range datasets.MustReadRows[struct{ Text string }](t, f) {
			lines = append(lines, verdictLine(h, filepath.Base(f), row, r.Text))
		}
	}
	return lines
}

// TestVerdictsUnchanged checks that the heuristic gives every dataset row
// exactly the risk and rule ids that the implementation before the fast
// path gave: speed work must change no verdict.
func TestVerdictsUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses ~34k rows")
	}
	h, err := NewHeuristic()
	if err != nil {
		t.Fatal(err)
	}
	got := datasetVerdicts(t, h)
	if os.Getenv("LLMSHIELD_WRITE_VERDICTS") != "" {
		f, err := os.Create(verdictsFile)
		if err != nil {
			t.Fatal(err)
		}
		zw, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
		for _, l := range got {
			fmt.Fprintln(zw, l)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d verdicts to %s", len(got), verdictsFile)
		return
	}
	f, err := os.Open(verdictsFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	sc := bufio.NewScanner(zr)
	for sc.Scan() {
		want = append(want, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows analysed, golden file has %d (datasets changed? regenerate from the old implementation)", len(got), len(want))
	}
	bad := 0
	for i := range got {
		if got[i] != want[i] {
			bad++
			if bad <= 20 {
				t.Errorf("verdict changed:\n got %s\nwant %s", got[i], want[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d rows changed", bad, len(got))
	}
}
