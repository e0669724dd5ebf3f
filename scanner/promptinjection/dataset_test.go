package promptinjection

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

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
	s, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var totInj, totTP, totSafe, totFP int
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		var inj, tp, safe, fp int
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var row struct{ Text, Label string }
			if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			a := s.h.Analyze(row.Text)
			flagged := a.Risk >= s.cfg.Threshold
			switch row.Label {
			case "INJECTION":
				inj++
				if flagged {
					tp++
				} else if os.Getenv("SHOW_FN") != "" {
					t.Logf("FN %.2f %.200q", a.Risk, row.Text)
				}
			case "SAFE":
				safe++
				if flagged {
					fp++
					if os.Getenv("SHOW_FP") != "" {
						t.Logf("FP %.2f %v %.300q", a.Risk, rulesOf(a), row.Text)
					}
				}
			}
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		totInj, totTP, totSafe, totFP = totInj+inj, totTP+tp, totSafe+safe, totFP+fp
		t.Logf("%-40s injection %4d recall %6.2f%%   safe %4d FPR %5.2f%%", filepath.Base(f), inj, pct(tp, inj), safe, pct(fp, safe))
		if filepath.Base(f) == "gpteacher_benign.jsonl" && pct(fp, safe) > 1.0 {
			t.Errorf("gpteacher FPR %.2f%% > 1%%", pct(fp, safe))
		}
	}
	t.Logf("%-40s injection %4d recall %6.2f%%   safe %4d FPR %5.2f%%", "TOTAL", totInj, pct(totTP, totInj), totSafe, pct(totFP, totSafe))
}

// datasetTexts returns up to n texts from each dataset file (nil when the
// data directory is absent).
func datasetTexts(t *testing.T, n int) []string {
	files, _ := filepath.Glob(filepath.Join(injectionDir(), "*.jsonl"))
	sort.Strings(files)
	var out []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for k := 0; k < n && sc.Scan(); k++ {
			var row struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &row) == nil {
				out = append(out, row.Text)
			}
		}
		fh.Close()
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
