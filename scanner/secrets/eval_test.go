package secrets

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/llmshield/llmshield/internal/datasets"
	"github.com/llmshield/llmshield/scanner"
	"github.com/llmshield/llmshield/scanner/scannertest"
)

// Bars from issue 13.
const (
	minRecall = 0.80
	maxFPR    = 0.02
)

type evalRow struct {
	Text       string `json:"text"`
	Label      string `json:"label"`
	RuleID     string `json:"rule_id"`
	SecretType string `json:"secret_type"`
	Source     string `json:"source"`
	Spans      []struct {
		Start int `json:"start"`
		End   int `json:"end"`
	} `json:"spans"`
}

// sharedDatasets finds ../shared/datasets relative to the repository root
// (this package is two levels below it), or skips the test.
func sharedDatasets(tb testing.TB) string {
	tb.Helper()
	dir := sharedDir()
	if dir == "" {
		tb.Skip("shared datasets not available (../shared/datasets from the repository root)")
	}
	return dir
}

// sharedDir returns ../shared/datasets from the repository root, or "".
func sharedDir() string {
	dir := datasets.Dir()
	if _, err := os.Stat(dir); dir == "" || err != nil {
		return ""
	}
	return dir
}

func readJSONL(tb testing.TB, path string) []evalRow {
	tb.Helper()
	return datasets.ReadRows[evalRow](tb, path)
}

// detectFunc reports the spans a detector finds in text.
type detectFunc func(text string) [][2]int

func scannerDetect(tb testing.TB, s *Scanner) detectFunc {
	return func(text string) [][2]int {
		res := scannertest.Check(tb, s, scanner.Input{Prompt: text})
		var out [][2]int
		for _, f := range res.Findings {
			out = append(out, [2]int{f.Start, f.End})
		}
		if !res.Valid && len(out) == 0 {
			tb.Fatalf("flagged without findings: %.60q", text)
		}
		return out
	}
}

type evalScore struct {
	recall, spanRecall float64 // SECRET rows flagged; flagged with a span overlapping the labelled one
	negFlag            float64 // SAFE rows of the secrets set flagged
	fpr                map[string]float64
	fprAll             float64
	missedByRule       map[string][2]int // rule id -> {missed, total}
	flaggedBenign      []string
}

var benignFiles = []string{"gpteacher_benign.jsonl", "self_instruct_benign.jsonl"}

func evaluate(tb testing.TB, detect detectFunc) evalScore {
	dir := sharedDatasets(tb)
	sc := evalScore{fpr: map[string]float64{}, missedByRule: map[string][2]int{}}
	rows := readJSONL(tb, filepath.Join(dir, "secrets", "noseyparker_rule_examples.jsonl"))
	var pos, hit, spanHit, neg, negHit int
	for _, r := range rows {
		spans := detect(r.Text)
		switch r.Label {
		case "SECRET":
			pos++
			m := sc.missedByRule[r.RuleID]
			m[1]++
			if len(spans) > 0 {
				hit++
				if overlapsLabel(spans, r) {
					spanHit++
				}
			} else {
				m[0]++
			}
			sc.missedByRule[r.RuleID] = m
		case "SAFE":
			neg++
			if len(spans) > 0 {
				negHit++
			}
		}
	}
	sc.recall = float64(hit) / float64(pos)
	sc.spanRecall = float64(spanHit) / float64(pos)
	sc.negFlag = float64(negHit) / float64(neg)
	var all, allHit int
	for _, name := range benignFiles {
		rows := readJSONL(tb, filepath.Join(dir, "injection", name))
		n := 0
		for _, r := range rows {
			if len(detect(r.Text)) > 0 {
				n++
				sc.flaggedBenign = append(sc.flaggedBenign, name+": "+r.Text)
			}
		}
		sc.fpr[name] = float64(n) / float64(len(rows))
		all += len(rows)
		allHit += n
	}
	sc.fprAll = float64(allHit) / float64(all)
	return sc
}

// overlapsLabel reports whether a span overlaps the row's labelled secret
// (rows without a labelled span count as overlapping any finding).
func overlapsLabel(spans [][2]int, r evalRow) bool {
	if len(r.Spans) == 0 {
		return true
	}
	for _, s := range spans {
		for _, l := range r.Spans {
			if s[0] < l.End && s[1] > l.Start {
				return true
			}
		}
	}
	return false
}

func (sc evalScore) String() string {
	return fmt.Sprintf("recall %.3f (span-overlap %.3f), noseyparker negatives flagged %.3f, benign FPR %.4f (gpteacher %.4f, self_instruct %.4f)",
		sc.recall, sc.spanRecall, sc.negFlag, sc.fprAll, sc.fpr["gpteacher_benign.jsonl"], sc.fpr["self_instruct_benign.jsonl"])
}

// ruleFamily groups noseyparker rule ids by service ("np.aws.1" -> "aws").
func ruleFamily(id string) string {
	parts := strings.Split(id, ".")
	if len(parts) >= 2 {
		return parts[1]
	}
	return id
}

// TestEvalDatasets measures the scanner on the shared data and asserts the
// issue's bars: recall on the noseyparker rule examples and the share of
// benign prompts flagged. Run with -v for the tables.
func TestEvalDatasets(t *testing.T) {
	if testing.Short() {
		t.Skip("dataset evaluation skipped in -short mode")
	}
	s := scannertest.Must(t, New, DefaultConfig())
	sc := evaluate(t, scannerDetect(t, s))
	t.Logf("secrets (all rules): %v", sc)
	fam := map[string][2]int{}
	for id, m := range sc.missedByRule {
		f := fam[ruleFamily(id)]
		f[0] += m[0]
		f[1] += m[1]
		fam[ruleFamily(id)] = f
	}
	var names []string
	for n := range fam {
		names = append(names, n)
	}
	sort.Strings(names)
	var missed []string
	for _, n := range names {
		if f := fam[n]; f[0] > 0 {
			missed = append(missed, fmt.Sprintf("%s %d/%d", n, f[1]-f[0], f[1]))
		}
	}
	t.Logf("families with misses (found/total): %s", strings.Join(missed, ", "))
	for _, b := range sc.flaggedBenign {
		t.Logf("benign flagged: %.120q", b)
	}
	if sc.recall < minRecall {
		t.Errorf("recall %.3f < %.2f", sc.recall, minRecall)
	}
	if sc.fprAll > maxFPR {
		t.Errorf("benign FPR %.4f > %.2f", sc.fprAll, maxFPR)
	}
	for name, f := range sc.fpr {
		if f > maxFPR {
			t.Errorf("%s: FPR %.4f > %.2f", name, f, maxFPR)
		}
	}
}

// TestRuleAdditions measures what each llmshield rule adds on top of
// gitleaks' rules: starting from gitleaks' rules alone, it adds the rules
// of extra.toml one at a time, in file order, and logs recall on the
// noseyparker examples, the share of their negatives flagged and the share
// of benign prompts flagged after each. A text counts as flagged by a rule
// set when one of its rules has a raw hit (before generic findings yield to
// specific ones, which never changes whether a text is flagged).
func TestRuleAdditions(t *testing.T) {
	if testing.Short() {
		t.Skip("dataset evaluation skipped in -short mode")
	}
	dir := sharedDatasets(t)
	s := scannertest.Must(t, New, DefaultConfig())
	type text struct {
		label string // SECRET, SAFE (noseyparker negative) or BENIGN
		rules map[string]bool
	}
	var texts []text
	add := func(label, body string) {
		hits, err := s.eng.detect(context.Background(), body)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, h := range hits {
			m[s.eng.rules[h.rule].id] = true
		}
		texts = append(texts, text{label, m})
	}
	for _, r := range readJSONL(t, filepath.Join(dir, "secrets", "noseyparker_rule_examples.jsonl")) {
		add(r.Label, r.Text)
	}
	for _, name := range benignFiles {
		for _, r := range readJSONL(t, filepath.Join(dir, "injection", name)) {
			add("BENIGN", r.Text)
		}
	}
	set, err := builtin()
	if err != nil {
		t.Fatal(err)
	}
	active := map[string]bool{}
	for _, r := range set.rules[:set.gitleaksN] {
		active[r.id] = true
	}
	measure := func() (recall, negFlag, fpr float64) {
		var n, k [3]int
		for _, x := range texts {
			i := map[string]int{"SECRET": 0, "SAFE": 1, "BENIGN": 2}[x.label]
			n[i]++
			for id := range x.rules {
				if active[id] {
					k[i]++
					break
				}
			}
		}
		return float64(k[0]) / float64(n[0]), float64(k[1]) / float64(n[1]), float64(k[2]) / float64(n[2])
	}
	r0, s0, f0 := measure()
	t.Logf("%-34s %7s %8s %7s %9s %9s", "rule added", "recall", "Δrecall", "np-neg", "benignFPR", "ΔFPR")
	t.Logf("%-34s %7.3f %8s %7.3f %9.4f %9s", "(gitleaks rules only)", r0, "", s0, f0, "")
	for _, r := range set.rules[set.gitleaksN:] {
		active[r.id] = true
		r1, s1, f1 := measure()
		t.Logf("%-34s %7.3f %+8.3f %7.3f %9.4f %+9.4f", r.id, r1, r1-r0, s1, f1, f1-f0)
		r0, f0 = r1, f1
	}
}
