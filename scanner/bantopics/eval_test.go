package bantopics

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasets"
)

func readLines(t *testing.T, path string) []string {
	t.Helper()
	var texts []string
	for _, r := range datasets.ReadRows[struct{ Text string }](t, path) {
		texts = append(texts, r.Text)
	}
	return texts
}

// labelled scores the lexicons against a hand-labelled file and returns
// the per-topic table and the micro recall.
func labelled(t *testing.T, s *Scanner, data, file string) (string, float64) {
	labels, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	cache := map[string][]string{}
	per := map[string]*binclass.Confusion{}
	for _, tp := range TopicNames() {
		per[tp] = &binclass.Confusion{}
	}
	n := 0
	for line := range strings.SplitSeq(strings.TrimSpace(string(labels)), "\n") {
		var l struct {
			File   string   `json:"file"`
			Line   int      `json:"line"`
			Topics []string `json:"topics"`
		}
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		if cache[l.File] == nil {
			cache[l.File] = readLines(t, filepath.Join(data, l.File))
		}
		text := cache[l.File][l.Line]
		scores, _ := s.Scores(text)
		n++
		for _, tp := range TopicNames() {
			per[tp].Add(slices.Contains(l.Topics, tp), scores[tp] >= s.cfg.Threshold)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nPer-topic results on %d hand-labelled rows of %s (threshold %.1f):\n\n| topic | gold | TP | FP | FN | precision | recall | F1 |\n|---|---|---|---|---|---|---|---|\n", n, filepath.Base(file), s.cfg.Threshold)
	row := func(name string, c binclass.Confusion) {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %s | %s | %s |\n", name, c.TP+c.FN, c.TP, c.FP, c.FN, ratio(c.TP, c.TP+c.FP), ratio(c.TP, c.TP+c.FN), f1(c.TP, c.FP, c.FN))
	}
	var sum binclass.Confusion
	for _, tp := range TopicNames() {
		sum = sum.Plus(*per[tp])
		row(tp, *per[tp])
	}
	row("**micro**", sum)
	return b.String(), sum.Recall()
}

// TestDevSet is the set the term weights were chosen on.
func TestDevSet(t *testing.T) {
	data := datasets.Path(t)
	table, _ := labelled(t, all(t), data, "testdata/topic_labels_dev.jsonl")
	t.Log(table)
}

// TestEvaluation measures the lexicons on hand-labelled rows they were
// never built or tuned on (testdata/topic_labels.jsonl) and the flag rate
// on benign prompt sets. Run with -v to see the tables.
func TestEvaluation(t *testing.T) {
	data := datasets.Path(t)
	s := all(t)
	table, recall := labelled(t, s, data, "testdata/topic_labels.jsonl")
	var b strings.Builder
	b.WriteString(table)
	fmt.Fprintf(&b, "\nFlag rate on benign prompt sets (share of prompts with a topic score ≥ %.1f; these prompts may legitimately be about medicine, law or money):\n\n| set | n | any topic | %s |\n|---|---|---|%s\n", s.cfg.Threshold, strings.Join(TopicNames(), " | "), strings.Repeat("---|", len(TopicNames())))
	var anyRate float64
	for _, f := range []string{"injection/gpteacher_benign.jsonl", "injection/self_instruct_benign.jsonl", "injection/gsm8k_questions_benign.jsonl"} {
		texts := readLines(t, filepath.Join(data, f))
		hits := map[string]int{}
		anyN := 0
		for _, text := range texts {
			scores, _ := s.Scores(text)
			flagged := false
			for tp, sc := range scores {
				if sc >= s.cfg.Threshold {
					hits[tp]++
					flagged = true
				}
			}
			if flagged {
				anyN++
			}
		}
		fmt.Fprintf(&b, "| %s | %d | %.3f |", strings.TrimSuffix(filepath.Base(f), ".jsonl"), len(texts), float64(anyN)/float64(len(texts)))
		for _, tp := range TopicNames() {
			fmt.Fprintf(&b, " %.3f |", float64(hits[tp])/float64(len(texts)))
		}
		b.WriteString("\n")
		anyRate = max(anyRate, float64(anyN)/float64(len(texts)))
	}
	t.Log(b.String())
	// Floors that a broken lexicon or matcher would miss.
	if recall < 0.3 {
		t.Errorf("micro recall %.3f < 0.3", recall)
	}
	if anyRate > 0.15 {
		t.Errorf("benign flag rate %.3f > 0.15", anyRate)
	}
}

func ratio(a, b int) string {
	if b == 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f", float64(a)/float64(b))
}

func f1(tp, fp, fn int) string {
	if 2*tp+fp+fn == 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f", 2*float64(tp)/float64(2*tp+fp+fn))
}
