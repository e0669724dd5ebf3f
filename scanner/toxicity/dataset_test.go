package toxicity

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasets"
)

// datasetDir is $LLMSHIELD_DATASETS or ../shared/datasets from the
// repository root.
func datasetDir() string { return datasets.Dir() }

type row struct {
	Text      string `json:"text"`
	Label     string `json:"label"`
	FineLabel string `json:"fine_label"`
}

func readRows(t *testing.T, path string) []row {
	t.Helper()
	return datasets.ReadRows[row](t, path)
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// TestDatasets measures the heuristic at the default threshold on the
// Davidson tweets (TOXIC vs SAFE) and its false-positive rate on benign
// text: GPTeacher instructions and, as a proxy for "not offensive", the
// POSITIVE and NEUTRAL rows of the VADER sentiment ground truth. It prints
// the table with -v and fails when a conservative floor is missed:
//
//	go test ./scanner/toxicity -run TestDatasets -v
//
// SHOW_FP=1 / SHOW_FN=1 log the misclassified rows.
func TestDatasets(t *testing.T) {
	h, err := NewHeuristic()
	if err != nil {
		t.Fatal(err)
	}
	thr := DefaultConfig().Threshold
	flag := func(s string) (bool, Analysis) { a := h.Analyze(s); return a.Risk >= thr, a }

	// Davidson: TOXIC vs SAFE.
	rows := readRows(t, filepath.Join(datasetDir(), "toxicity", "davidson_hate_offensive.jsonl"))
	var c binclass.Confusion
	fine, fineFlagged := map[string]int{}, map[string]int{}
	for _, r := range rows {
		f, a := flag(r.Text)
		fine[r.FineLabel]++
		if f {
			fineFlagged[r.FineLabel]++
		}
		toxic := r.Label == "TOXIC"
		c.Add(toxic, f)
		if toxic && !f && os.Getenv("SHOW_FN") != "" {
			t.Logf("FN %.2f %.160q", a.Risk, r.Text)
		}
		if !toxic && f && os.Getenv("SHOW_FP") != "" {
			t.Logf("FP %.2f %v %.200q", a.Risk, rulesOf(a), r.Text)
		}
	}
	prec, rec, f1 := c.Precision(), c.Recall(), c.F1()
	fpr := pct(c.FP, c.FP+c.TN)
	t.Logf("%-34s %6s %9s %7s %7s %7s %9s", "dataset", "rows", "precision", "recall", "F1", "FPR%", "flagged%")
	t.Logf("%-34s %6d %9.4f %7.4f %7.4f %7.2f %9.2f", "davidson_hate_offensive", len(rows), prec, rec, f1, fpr, pct(c.TP+c.FP, len(rows)))

	for _, fl := range []string{"hate_speech", "offensive_language", "neither"} {
		t.Logf("  davidson %-20s %6d flagged %6.2f%%", fl, fine[fl], pct(fineFlagged[fl], fine[fl]))
	}

	benign := func(name, path string, keep func(row) bool) float64 {
		rs := readRows(t, path)
		n, fps := 0, 0
		for _, r := range rs {
			if !keep(r) {
				continue
			}
			n++
			if f, a := flag(r.Text); f {
				fps++
				if os.Getenv("SHOW_FP") != "" {
					t.Logf("FP %s %.2f %v %.200q", name, a.Risk, rulesOf(a), r.Text)
				}
			}
		}
		t.Logf("%-34s %6d %9s %7s %7s %7.2f %9.2f", name, n, "-", "-", "-", pct(fps, n), pct(fps, n))
		return pct(fps, n)
	}
	gpt := benign("gpteacher_benign (SAFE)", filepath.Join(datasetDir(), "injection", "gpteacher_benign.jsonl"),
		func(r row) bool { return r.Label == "SAFE" })
	vader := benign("vader POSITIVE+NEUTRAL (proxy)", filepath.Join(datasetDir(), "sentiment", "vader_ground_truth.jsonl"),
		func(r row) bool { return r.Label == "POSITIVE" || r.Label == "NEUTRAL" })

	// Floors: a regression in precision or benign FPR fails the test.
	if prec < 0.95 {
		t.Errorf("davidson precision %.4f < 0.95", prec)
	}
	if rec < 0.60 {
		t.Errorf("davidson recall %.4f < 0.60", rec)
	}
	if gpt > 0.5 {
		t.Errorf("gpteacher FPR %.2f%% > 0.5%%", gpt)
	}
	if vader > 2 {
		t.Errorf("vader positive/neutral FPR %.2f%% > 2%%", vader)
	}
}

func rulesOf(a Analysis) []string {
	var out []string
	for _, f := range a.Findings {
		out = append(out, f.Rule)
	}
	return out
}
