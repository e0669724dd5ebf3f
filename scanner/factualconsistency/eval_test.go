package factualconsistency

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
)

// TestPerturbationEvaluation: the prompt is a t0 passage, the consistent
// answer is one of its sentences with at least one claim, the inconsistent
// answer is that sentence with one claim changed (a number shifted, or a
// name replaced by a name from another passage). Run with -v.
func TestPerturbationEvaluation(t *testing.T) {
	var docs []string
	for _, r := range datasets.Rows[struct{ Text string }](t, "injection", "t0_prompted_tasks_benign.jsonl") {
		if len(r.Text) >= 400 {
			docs = append(docs, r.Text)
		}
	}
	thr := DefaultConfig().MinimumScore
	type cnt struct{ n, flagged int }
	var cons cnt
	pert := map[string]*cnt{"number": {}, "name": {}}
	for i, d := range docs {
		var sent string
		var claims []Claim
		for s := range strings.SplitSeq(d, ". ") {
			if len(s) < 40 || len(s) > 400 {
				continue
			}
			if _, cl := Score(d, s); len(cl) > 0 {
				sent, claims = s, cl
				break
			}
		}
		if sent == "" {
			continue
		}
		cons.n++
		if sc, _ := Score(d, sent); sc < thr {
			cons.flagged++
		}
		c := claims[i%len(claims)]
		var changed string
		switch c.Kind {
		case "number":
			v, _ := number(c.Text)
			changed = sent[:c.Start] + strconv.FormatFloat(v+float64(1+i%9), 'f', -1, 64) + sent[c.End:]
		case "name":
			other := docs[(i+13)%len(docs)]
			var repl string
			for _, oc := range Claims(other, other) {
				if oc.Kind == "name" && !strings.Contains(d, oc.Text) {
					repl = oc.Text
					break
				}
			}
			if repl == "" {
				continue
			}
			changed = sent[:c.Start] + repl + sent[c.End:]
		}
		p := pert[c.Kind]
		p.n++
		if sc, _ := Score(d, changed); sc < thr {
			p.flagged++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nminimum_score %.2f, %d t0 passages with a sentence that has a claim:\n\n| answer | n | flagged |\n|---|---|---|\n", thr, cons.n)
	fmt.Fprintf(&b, "| original sentence (consistent) | %d | %.3f (FPR) |\n", cons.n, float64(cons.flagged)/float64(max(cons.n, 1)))
	for _, k := range []string{"number", "name"} {
		p := pert[k]
		fmt.Fprintf(&b, "| one %s changed (inconsistent) | %d | %.3f (recall) |\n", k, p.n, float64(p.flagged)/float64(max(p.n, 1)))
	}
	t.Log(b.String())
	// A sentence copied from the prompt fails only through extraction
	// errors (claims split differently in sentence and passage).
	if fpr := float64(cons.flagged) / float64(max(cons.n, 1)); fpr > 0.02 {
		t.Errorf("%.3f of sentences copied from their own passage flagged", fpr)
	}
}
