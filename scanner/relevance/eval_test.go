package relevance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasets"
)

func t0Rows(t *testing.T) []string {
	t.Helper()
	var rows []string
	for _, r := range datasets.Rows[struct{ Text string }](t, "injection", "t0_prompted_tasks_benign.jsonl") {
		if len(r.Text) >= 400 {
			rows = append(rows, r.Text)
		}
	}
	return rows
}

// halves splits text at the sentence end nearest its middle.
func halves(text string) (string, string) {
	mid := len(text) / 2
	best := -1
	for i := 0; i < len(text)-1; i++ {
		if (text[i] == '.' || text[i] == '?' || text[i] == '\n') && (best < 0 || abs(i-mid) < abs(best-mid)) {
			best = i
		}
	}
	if best < 0 {
		best = mid
	}
	return text[:best+1], text[best+1:]
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

type pair struct {
	sim      float64
	coherent bool
}

func pairs(rows []string, parity int) []pair {
	var out []pair
	for i := parity; i+7 < len(rows); i += 2 {
		a, b := halves(rows[i])
		_, other := halves(rows[i+7])
		if s, ok := Similarity(a, b); ok {
			out = append(out, pair{s, true})
		}
		if s, ok := Similarity(a, other); ok {
			out = append(out, pair{s, false})
		}
	}
	return out
}

// rates flags a pair when its similarity is below thr; an irrelevant pair
// is the positive class.
func rates(ps []pair, thr float64) (fpr, recall float64) {
	var c binclass.Confusion
	for _, p := range ps {
		c.Add(!p.coherent, p.sim < thr)
	}
	return c.FPR(), c.Recall()
}

// TestProxyEvaluation: the first half of a t0 document as the "prompt",
// its second half as a relevant "answer", the second half of another
// document as an irrelevant one. The threshold is chosen on even rows (the
// largest candidate that flags at most 5% of relevant pairs) and measured
// on odd rows. Run with -v for the table.
func TestProxyEvaluation(t *testing.T) {
	rows := t0Rows(t)
	tune, test := pairs(rows, 0), pairs(rows, 1)
	chosen := 0.0
	for _, thr := range []float64{0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3} {
		if fpr, _ := rates(tune, thr); fpr <= 0.05 {
			chosen = thr
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\n%d tuning pairs, %d test pairs; threshold chosen on tuning pairs: %g\n\n| threshold | relevant flagged (FPR) | irrelevant flagged (recall) |\n|---|---|---|\n", len(tune), len(test), chosen)
	for _, thr := range []float64{0.02, 0.05, 0.075, 0.1, 0.2} {
		fpr, rec := rates(test, thr)
		fmt.Fprintf(&b, "| %g | %.3f | %.3f |\n", thr, fpr, rec)
	}
	// AUC of similarity (higher = relevant)
	sims, coherent := make([]float64, len(test)), make([]bool, len(test))
	for i, p := range test {
		sims[i], coherent[i] = p.sim, p.coherent
	}
	auc, _ := binclass.AUC(sims, coherent)
	fmt.Fprintf(&b, "\nAUC (similarity separates relevant from irrelevant): %.3f\n", auc)
	t.Log(b.String())
	if chosen != LexicalThreshold || DefaultConfig().threshold() != LexicalThreshold {
		t.Errorf("tuned threshold %g differs from the default %g", chosen, DefaultConfig().threshold())
	}
}
