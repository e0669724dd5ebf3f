package bias

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/scanner"
)

func readSet(t *testing.T, file string) (texts []string, toxic []bool) {
	t.Helper()
	for _, r := range datasets.Rows[struct{ Text, Label string }](t, file) {
		texts, toxic = append(texts, r.Text), append(toxic, r.Label == "TOXIC")
	}
	return texts, toxic
}

// TestToxiGen measures the baseline on ToxiGen seed statements about 13
// groups (TOXIC: implicitly hateful; SAFE: neutral statements about the
// same groups), split into even rows (where generalWeight was chosen) and
// odd rows (reported), and its flag rate on benign sets. Run with -v.
func TestToxiGen(t *testing.T) {
	texts, toxic := readSet(t, "toxicity/toxigen_statements.jsonl")
	s, _ := New(DefaultConfig())
	var b strings.Builder
	fmt.Fprintf(&b, "\n| ToxiGen rows | n | precision | recall | F1 | FPR (SAFE statements about groups) |\n|---|---|---|---|---|---|\n")
	for parity, name := range []string{"even (tuning)", "odd (test)"} {
		var c binclass.Confusion
		for i := parity; i < len(texts); i += 2 {
			res, _ := s.Scan(context.Background(), scanner.Input{Output: texts[i], Stage: scanner.StageOutput})
			c.Add(toxic[i], !res.Valid)
		}
		fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f | %.3f | %.3f |\n", name, c.N(), c.Precision(), c.Recall(), c.F1(), c.FPR())
	}
	fmt.Fprintf(&b, "\n| benign set | n | flagged |\n|---|---|---|\n")
	for _, f := range []string{"sentiment/sst2_sentences.jsonl", "injection/self_instruct_benign.jsonl", "injection/gpteacher_benign.jsonl"} {
		bt, _ := readSet(t, f)
		n := 0
		for _, x := range bt {
			if res, _ := s.Scan(context.Background(), scanner.Input{Output: x, Stage: scanner.StageOutput}); !res.Valid {
				n++
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %.4f |\n", filepath.Base(f), len(bt), float64(n)/float64(len(bt)))
	}
	t.Log(b.String())
}
