package emotiondetection

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/binclass"
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
		per := map[string]*binclass.Confusion{}
		var order []string
		for _, r := range datasets.Rows[struct{ Text, Label, Domain string }](t, file) {
			key := filepath.Base(file) + " (" + r.Domain + ")"
			if r.Domain == "" {
				key = filepath.Base(file)
			}
			c := per[key]
			if c == nil {
				c = &binclass.Confusion{}
				per[key] = c
				order = append(order, key)
			}
			res, _ := s.Scan(context.Background(), scanner.Input{Prompt: r.Text})
			c.Add(r.Label == "NEGATIVE", !res.Valid)
		}
		for _, k := range order {
			c := per[k]
			fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f | %.3f |\n", k, c.N(), c.Precision(), c.Recall(), c.FPR())
		}
	}
	t.Log(b.String())
}
