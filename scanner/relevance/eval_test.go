package relevance

import (
	"fmt"
	"sort"
	"strings"
	"testing"

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

func rates(ps []pair, thr float64) (fpr, recall float64) {
	var fp, c, tp, r int
	for _, p := range ps {
		if p.coherent {
			c++
			if p.sim < thr {
				fp++
			}
		} else {
			r++
			if p.sim < thr {
				tp++
			}
		}
	}
	return float64(fp) / float64(max(c, 1)), float64(tp) / float64(max(r, 1))
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
	sort.Slice(test, func(i, j int) bool { return test[i].sim < test[j].sim })
	var rank, npos float64
	for i := 0; i < len(test); {
		j := i
		for j < len(test) && test[j].sim == test[i].sim {
			j++
		}
		for k := i; k < j; k++ {
			if test[k].coherent {
				rank += float64(i+j+1) / 2
				npos++
			}
		}
		i = j
	}
	nneg := float64(len(test)) - npos
	fmt.Fprintf(&b, "\nAUC (similarity separates relevant from irrelevant): %.3f\n", (rank-npos*(npos+1)/2)/(npos*nneg))
	t.Log(b.String())
	if chosen != LexicalThreshold || DefaultConfig().threshold() != LexicalThreshold {
		t.Errorf("tuned threshold %g differs from the default %g", chosen, DefaultConfig().threshold())
	}
}
