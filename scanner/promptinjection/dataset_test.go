package promptinjection

import (
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasets"
)

// TestDatasets measures recall on INJECTION rows and the false-positive
// rate on SAFE rows of every JSONL file in the injection data directory
// ($LLMSHIELD_INJECTION_DATA, default ../shared/datasets/injection from the
// repository root). It
// is skipped when the directory is absent. Run with -v to see the table:
//
//	go test ./scanner/promptinjection -run TestDatasets -v
func TestDatasets(t *testing.T) {
	dir := injectionDir()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) == 0 {
		t.Skipf("no datasets in %s", dir)
	}
	sort.Strings(files)
	s, err := New(heuristicConfig(DefaultConfig().Threshold))
	if err != nil {
		t.Fatal(err)
	}
	var tot binclass.Confusion
	for _, f := range files {
		var c binclass.Confusion // INJECTION rows are the positives
		for _, row := range datasets.MustReadRows[struct{ Text, Label string }](t, f) {
			a := s.h.Analyze(row.Text)
			flagged := a.Risk >= DefaultConfig().Threshold
			inj := row.Label == "INJECTION"
			if !inj && row.Label != "SAFE" {
				continue
			}
			c.Add(inj, flagged)
			if inj && !flagged && os.Getenv("SHOW_FN") != "" {
				t.Logf("FN %.2f %.200q", a.Risk, row.Text)
			}
			if !inj && flagged && os.Getenv("SHOW_FP") != "" {
				t.Logf("FP %.2f %v %.300q", a.Risk, rulesOf(a), row.Text)
			}
		}
		tot = tot.Plus(c)
		logRates(t, filepath.Base(f), c)
		if filepath.Base(f) == "gpteacher_benign.jsonl" && pct(c.FP, c.FP+c.TN) > 1.0 {
			t.Errorf("gpteacher FPR %.2f%% > 1%%", pct(c.FP, c.FP+c.TN))
		}
	}
	logRates(t, "TOTAL", tot)
}

// logRates logs one row of TestDatasets' table: recall on the INJECTION
// rows, FPR on the SAFE rows.
func logRates(t *testing.T, name string, c binclass.Confusion) {
	t.Helper()
	inj, safe := c.TP+c.FN, c.FP+c.TN
	t.Logf("%-40s injection %4d recall %6.2f%%   safe %4d FPR %5.2f%%", name, inj, pct(c.TP, inj), safe, pct(c.FP, safe))
}

// datasetTexts returns up to n texts from each dataset file (nil when the
// data directory is absent).
func datasetTexts(t *testing.T, n int) []string {
	files, _ := filepath.Glob(filepath.Join(injectionDir(), "*.jsonl"))
	sort.Strings(files)
	var out []string
	for _, f := range files {
		rows := datasets.ReadRows[struct{ Text string }](t, f)
		for _, row := range rows[:min(n, len(rows))] {
			out = append(out, row.Text)
		}
	}
	return out
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func rulesOf(a Analysis) []string {
	var out []string
	for _, f := range a.Findings {
		out = append(out, f.Rule)
	}
	return out
}

// injectionDir is $LLMSHIELD_INJECTION_DATA, else the shared injection
// datasets (see internal/datasets).
func injectionDir() string {
	if dir := os.Getenv("LLMSHIELD_INJECTION_DATA"); dir != "" {
		return dir
	}
	return datasets.Dir("injection")
}
