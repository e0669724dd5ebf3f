package promptinjection

import (
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

// allVerdictsFile holds, per training file of every shared dataset
// (../shared/datasets/*/*.jsonl; eval-only is not read), the number of rows
// and the SHA-256 of the heuristic's verdict lines for them: risk, family
// scores and every finding with its span, as computed by main before the
// benign fast path (commit 8f83388). A change of any verdict or span in any
// file changes its digest. To see which rows changed, write the lines of
// both versions with LLMSHIELD_VERDICT_LINES=DIR and diff them.
const allVerdictsFile = "testdata/verdicts-all.txt"

// fullVerdictLine is one row's verdict with everything Analyze reports
// except the findings' detail text.
func fullVerdictLine(h *Heuristic, text string) string {
	a := h.Analyze(text)
	var b strings.Builder
	b.WriteString(strconv.FormatFloat(a.Risk, 'g', -1, 64))
	fams := make([]string, 0, len(a.Families))
	for f := range a.Families {
		fams = append(fams, f)
	}
	slices.Sort(fams)
	for _, f := range fams {
		fmt.Fprintf(&b, " %s=%g", f, a.Families[f])
	}
	for _, f := range a.Findings {
		fmt.Fprintf(&b, " %s@%d-%d:%g", f.Rule, f.Start, f.End, math.Round(f.Score*1e9)/1e9)
	}
	return b.String()
}

func TestVerdictsUnchangedAllDatasets(t *testing.T) {
	if testing.Short() {
		t.Skip("analyses ~125k rows")
	}
	files, _ := filepath.Glob(filepath.Join(injectionDir(), "..", "*", "*.jsonl"))
	if len(files) == 0 {
		t.Skip("no shared datasets")
	}
	slices.Sort(files)
	h, err := NewHeuristic()
	if err != nil {
		t.Fatal(err)
	}
	linesDir := os.Getenv("LLMSHIELD_VERDICT_LINES")
	var got []string
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)
		sum := sha256.New()
		var dump *os.File
		if linesDir != "" {
			if dump, err = os.Create(filepath.Join(linesDir, strings.ReplaceAll(name, "/", "_")+".txt")); err != nil {
				t.Fatal(err)
			}
		}
		rows := datasets.MustReadRows[struct{ Text string }](t, f)
		for i, r := range rows {
			l := fullVerdictLine(h, r.Text)
			fmt.Fprintln(sum, l)
			if dump != nil {
				fmt.Fprintf(dump, "%d %s\n", i, l)
			}
		}
		if dump != nil {
			dump.Close()
		}
		got = append(got, fmt.Sprintf("%s %d %s", name, len(rows), hex.EncodeToString(sum.Sum(nil))))
	}
	if os.Getenv("LLMSHIELD_WRITE_VERDICTS") != "" {
		if err := os.WriteFile(allVerdictsFile, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %d digests to %s", len(got), allVerdictsFile)
		return
	}
	data, err := os.ReadFile(allVerdictsFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		name, rest, _ := strings.Cut(l, " ")
		want[name] = rest
	}
	for _, g := range got {
		name, rest, _ := strings.Cut(g, " ")
		w, ok := want[name]
		switch {
		case !ok:
			t.Logf("%s: not in %s (a new dataset file): not compared", name, allVerdictsFile)
		case w != rest:
			t.Errorf("%s: verdicts changed: got %s, want %s", name, rest, w)
		}
	}
}
