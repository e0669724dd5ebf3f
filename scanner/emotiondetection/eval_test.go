package emotiondetection

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// TestSentimentProxy: with no GoEmotions data in the shared datasets, the
// default configuration (negative emotions blocked) is compared with
// sentiment labels: a NEGATIVE text should be flagged, a POSITIVE or
// NEUTRAL one should not. Run with -v for the table.
func TestSentimentProxy(t *testing.T) {
	s := scannertest.MustWith(t, New, DefaultConfig())
	var b strings.Builder
	b.WriteString("\n| set (domain) | n | precision | recall (NEGATIVE flagged) | FPR (POSITIVE/NEUTRAL flagged) |\n|---|---|---|---|---|\n")
	for _, file := range []string{"sentiment/vader_ground_truth.jsonl", "sentiment/sst2_sentences.jsonl"} {
		type cnt struct{ tp, fp, fn, tn int }
		per := map[string]*cnt{}
		var order []string
		for _, r := range datasets.Rows[struct{ Text, Label, Domain string }](t, file) {
			key := filepath.Base(file) + " (" + r.Domain + ")"
			if r.Domain == "" {
				key = filepath.Base(file)
			}
			c := per[key]
			if c == nil {
				c = &cnt{}
				per[key] = c
				order = append(order, key)
			}
			res, _ := s.Scan(context.Background(), scanner.Input{Prompt: r.Text})
			neg := r.Label == "NEGATIVE"
			switch {
			case !res.Valid && neg:
				c.tp++
			case !res.Valid:
				c.fp++
			case neg:
				c.fn++
			default:
				c.tn++
			}
		}
		for _, k := range order {
			c := per[k]
			fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f | %.3f |\n", k, c.tp+c.fp+c.fn+c.tn, float64(c.tp)/float64(max(c.tp+c.fp, 1)),
				float64(c.tp)/float64(max(c.tp+c.fn, 1)), float64(c.fp)/float64(max(c.fp+c.tn, 1)))
		}
	}
	t.Log(b.String())
}
