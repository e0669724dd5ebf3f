package sentiment

import (
	"crypto/sha256"
	"encoding/binary"
	"os"
	"strings"
	"testing"
	"unicode"

	"github.com/llmshield/llmshield/internal/binclass"
	"github.com/llmshield/llmshield/internal/datasets"
)

// splitOf returns the project's dataset split of a text: "train", "val" or
// "test". norm = lower-case text with runs of Unicode white space collapsed
// to one space and trimmed; bucket = big-endian uint64 of the first 8 bytes
// of sha256(norm), mod 100; 0-79 train, 80-89 val, 90-99 test.
func splitOf(text string) string {
	norm := strings.Join(strings.FieldsFunc(strings.ToLower(text), unicode.IsSpace), " ")
	h := sha256.Sum256([]byte(norm))
	switch b := binary.BigEndian.Uint64(h[:8]) % 100; {
	case b < 80:
		return "train"
	case b < 90:
		return "val"
	default:
		return "test"
	}
}

func TestSplitOf(t *testing.T) {
	// The rule is defined on the normalised text: case and white space do
	// not move a row to another split.
	for _, s := range []string{"Great movie!", "a  b\tc", "Ünïcode\u00a0text"} {
		if splitOf(s) != splitOf(strings.ToUpper(" "+s+"\n")) {
			t.Errorf("%q: split depends on case or white space", s)
		}
	}
	counts := map[string]int{}
	for i := range 10000 {
		counts[splitOf(strings.Repeat("x", i%37)+string(rune('a'+i%26))+strings.Repeat("y", i/26))]++
	}
	if counts["train"] < 7500 || counts["val"] < 800 || counts["test"] < 800 {
		t.Errorf("split proportions off: %v", counts)
	}
}

type row struct {
	Text   string  `json:"text"`
	Label  string  `json:"label"`
	Domain string  `json:"domain"`
	Mean   float64 `json:"mean_rating"`
}

func datasetPath() string { return datasets.Dir("sentiment", "vader_ground_truth.jsonl") }

func readRows(t *testing.T) []row {
	t.Helper()
	return datasets.ReadRows[row](t, datasetPath())
}

type metrics struct {
	correct int
	neg     binclass.Confusion // NEGATIVE as the positive class: Label vs label
	flag    binclass.Confusion // flagged by the scanner threshold vs NEGATIVE label
}

func (m *metrics) add(gold string, a Analysis, thr float64) {
	if a.Label == gold {
		m.correct++
	}
	m.neg.Add(gold == LabelNegative, a.Label == LabelNegative)
	m.flag.Add(gold == LabelNegative, a.Compound < thr)
}

// TestDatasets reports 3-class accuracy and NEGATIVE precision/recall on
// the VADER ground-truth sentences (labels: mean human rating >= 0.5
// POSITIVE, <= -0.5 NEGATIVE, else NEUTRAL), separately for the train rows
// (on which the lexicon and constants were tuned) and the test rows (the
// figures to quote), by domain, plus the flag rate of the scanner at
// several thresholds. Floors on the test rows make regressions fail:
//
//	go test ./scanner/sentiment -run TestDatasets -v
func TestDatasets(t *testing.T) {
	h, err := NewHeuristic()
	if err != nil {
		t.Fatal(err)
	}
	thr := DefaultConfig().Threshold
	rows := readRows(t)
	type key struct{ split, domain string }
	m := map[key]*metrics{}
	sweep := map[float64]*metrics{}
	thresholds := []float64{-0.1, -0.2, -0.3, -0.4, -0.5, -0.6}
	for _, th := range thresholds {
		sweep[th] = &metrics{}
	}
	for _, r := range rows {
		sp := splitOf(r.Text)
		if sp == "val" {
			continue
		}
		a := h.Analyze(r.Text)
		for _, k := range []key{{sp, "all"}, {sp, r.Domain}} {
			if m[k] == nil {
				m[k] = &metrics{}
			}
			m[k].add(r.Label, a, thr)
		}
		if sp == "test" {
			for _, th := range thresholds {
				sweep[th].add(r.Label, a, th)
			}
		}
		if os.Getenv("SHOW_ERR") == sp && a.Label != r.Label {
			t.Logf("%s got %s %.3f %q", r.Label, a.Label, a.Compound, r.Text)
		}
	}
	t.Logf("%-6s %-24s %6s %8s %9s %7s | flag@%.1f prec %6s", "split", "domain", "rows", "acc3", "neg-prec", "neg-rec", thr, "rec")
	for _, sp := range []string{"train", "test"} {
		for _, d := range []string{"all", "tweets", "movie_review_snippets", "amazon_review_snippets", "nyt_editorial_snippets"} {
			x := m[key{sp, d}]
			if x == nil {
				continue
			}
			t.Logf("%-6s %-24s %6d %8.4f %9.4f %7.4f | %14.4f %6.4f", sp, d, x.flag.N(), binclass.Ratio(x.correct, x.flag.N()), x.neg.Precision(), x.neg.Recall(),
				x.flag.Precision(), x.flag.Recall())
		}
	}
	t.Logf("test rows: scanner flag (compound < threshold) vs NEGATIVE label")
	for _, th := range thresholds {
		x := sweep[th]
		t.Logf("  threshold %5.2f  precision %.4f  recall %.4f  flagged %5.2f%%", th, x.flag.Precision(), x.flag.Recall(), 100*binclass.Ratio(x.flag.TP+x.flag.FP, x.flag.N()))
	}
	test := m[key{"test", "all"}]
	if test == nil || test.flag.N() < 1000 {
		t.Fatalf("too few test rows")
	}
	if acc := binclass.Ratio(test.correct, test.flag.N()); acc < 0.56 {
		t.Errorf("test 3-class accuracy %.4f < 0.56", acc)
	}
	if p := test.neg.Precision(); p < 0.70 {
		t.Errorf("test NEGATIVE precision %.4f < 0.70", p)
	}
	if r := test.neg.Recall(); r < 0.42 {
		t.Errorf("test NEGATIVE recall %.4f < 0.42", r)
	}
	if p := test.flag.Precision(); p < 0.77 {
		t.Errorf("test scanner-flag precision %.4f < 0.77", p)
	}
}
